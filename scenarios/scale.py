"""Initial scale of a document's world from the document's own base-year figures.

A document states its targets next to growth rates, which give the base year's values (Xuchang 002
二(二): 主营业务收入 2000亿, +40 % → 2011 ≈ 1,429亿). The world's scale levers (``initial_firms``,
``projects_per_year``, ``land_quota``) are set so that the scenario, run with its burn-in and rules
as written, shows that base value in the document's start year:

1. run the scenario, from the baseline's scale, on ``seeds`` up to the start year and measure the figure
   (median over seeds);
2. where the document gives the base year's investment, scale projects_per_year and land_quota by
   one factor until the projects entering in the base year invest it (land follows the projects),
   then initial_firms until park output (or value added) is the base figure; else scale all three by
   one factor until it is;
3. each factor is solved by a proportional first step and secant steps (the model is not exactly
   proportional: park areas are fixed).

``python -m parksim.scenarios.scale xuchang_2012`` prints the values the scenario file carries;
``python -m parksim.scenarios.scale fund nanyang_2009`` the S1 budget of a document that names a fund
without its amount (:func:`fund`).

A world too large to run at its real scale runs at a stated one instead (:data:`REAL`): the scenario's
``world.scale`` is the share of the real parks' economy it models, its park output in the start year
over the real figure (``python -m parksim.scenarios.scale factor henan_2017``, :func:`factor`); the
targets read its money figures scaled back by 1/scale (``experiments.targets``).
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass

import numpy as np

from parksim.simulation import Policy, WorldConfig
from parksim.simulation.run import simulate

from .loader import load_scenario

YI = 10_000.0                    # 万元 per 亿元
SEEDS = [1, 2, 3, 4, 5]          # runs per measurement
INVESTMENT_YEARS = 3             # years of entering investment averaged (the base year and the two before)


@dataclass(frozen=True)
class BaseFigures:
    """A document's base-year values (万元 a year), each derived from a stated target and growth rate."""

    output: float | None = None         # park revenue (主营业务收入)
    value_added: float | None = None    # park GDP (园区生产总值), when the document gives that instead
    investment: float | None = None     # park fixed investment of the year (固定资产投资)
    note: str = ""


BASE: dict[str, BaseFigures] = {
    "xuchang_2012": BaseFigures(output=2000 * YI / 1.40, investment=600 * YI / 1.30,
                                note="002 二(二): 主营业务收入 2000亿 +40 %, 固定资产投资 600亿 +30 % (2012 against 2011)"),
    "lanzhou_2012": BaseFigures(value_added=916 * YI / 1.25 ** 4,
                                note="004 二(三): 园区生产总值 916亿 in 2015, 25 % a year from 2011"),
}


REAL: dict[str, BaseFigures] = {
    "henan_2017": BaseFigures(output=45_000 * YI, note=(
        "not in 003: Henan's 产业集聚区 主营业务收入 in 2017, about 4.5万亿 (assumption: 5,071亿 in 2012 Q1, "
        "+28.6 % (Henan statistics bureau, hnr.cn 2012-06-12), ≈ 2.3万亿 for 2012, grown ≈ 15 % a year; "
        "cross-check: parks ≈ two thirds of the province's ≈ 1.8万亿 industrial value added, at a revenue "
        "to value-added ratio of about 4)")),
}


def measure(world: WorldConfig, policy: Policy, year: int, seeds: list[int]) -> dict[str, float]:
    """Park output and park value added in ``year``, and the yearly investment of entering projects
    over the ``INVESTMENT_YEARS`` up to it: medians over ``seeds`` of runs stopped there (project sizes
    are heavy-tailed, so one year's investment on a few seeds is not a stable measure)."""
    world = dataclasses.replace(world, years=year - world.start_year).with_schedule(
        i for i in world.schedule if i.year <= year)
    rows = []
    for seed in seeds:
        out = simulate(world, policy, seed=seed, snapshot_years=(year,))
        firms = out.firms[(out.firms["year"] == year) & (out.firms["park"] >= 0) & (out.firms["state"] == "producing")]
        entries = out.events[(out.events["kind"] == "entry") & (out.events["year"] > year - INVESTMENT_YEARS)]
        rows.append((float(out.series.loc[out.series["year"] == year, "output_in_parks"].iloc[0]),
                     float(firms["value_added"].sum()), float(entries["value"].sum()) / INVESTMENT_YEARS))
    output, va, inv = np.median(rows, axis=0)
    return {"output": output, "value_added": va, "investment": inv}


def fit(name: str, seeds: list[int] | None = None, steps: int = 3) -> dict[str, float]:
    """The scale levers that give the document's base figures (see the module docstring)."""
    base = BASE[name]
    scenario = load_scenario(name)
    seeds = seeds or SEEDS
    growth = (1 + scenario.world.project_growth) ** scenario.burn_in
    start = load_scenario("baseline").world              # a fixed starting point: the fit does not depend on the file
    levers = {"initial_firms": float(start.initial_firms), "projects_per_year": start.projects_per_year,
              "land_quota": start.land_quota}

    def figures(lv: dict[str, float]) -> dict[str, float]:
        point = {"world.initial_firms": int(round(lv["initial_firms"])),
                 "world.projects_per_year": lv["projects_per_year"] / growth, "world.land_quota": lv["land_quota"]}
        world, policy = scenario.configure(point)
        return measure(world, policy, scenario.document_start, seeds)

    def scaled(lv, keys, k):
        return {key: v * k if key in keys else v for key, v in lv.items()}

    key = "output" if base.output is not None else "value_added"
    if base.investment is not None:      # projects and quota from the investment, then firms from the output
        k = _solve(lambda k: figures(scaled(levers, ("projects_per_year", "land_quota"), k))["investment"],
                   base.investment, steps)
        levers = scaled(levers, ("projects_per_year", "land_quota"), k)
        k = _solve(lambda k: figures(scaled(levers, ("initial_firms",), k))[key], getattr(base, key), steps)
        levers = scaled(levers, ("initial_firms",), k)
    else:                                # one factor on all three
        k = _solve(lambda k: figures(scaled(levers, tuple(levers), k))[key], getattr(base, key), steps)
        levers = scaled(levers, tuple(levers), k)
    return {"initial_firms": int(round(levers["initial_firms"])),
            "projects_per_year": round(float(levers["projects_per_year"]), 1),
            "land_quota": round(float(levers["land_quota"]), -2)}


def _solve(f, target: float, steps: int) -> float:
    """A factor k with f(k) ≈ target: a proportional first step from k = 1, then secant steps."""
    k0, y0 = 1.0, f(1.0)
    k1 = k0 * target / y0
    for _ in range(steps):
        y1 = f(k1)
        if y1 == y0 or abs(y1 - target) < 0.01 * target:
            break
        k0, y0, k1 = k1, y1, max(k1 + (target - y1) * (k1 - k0) / (y1 - y0), 0.05 * k1)
    return k1


def check(name: str, seeds: list[int] | None = None) -> dict[str, float]:
    """The scenario file's figures in the document's start year (what the fit aimed at)."""
    s = load_scenario(name)
    return measure(s.world, s.policy, s.document_start, seeds or SEEDS)


def factor(name: str, seeds: list[int] | None = None) -> float:
    """The ``world.scale`` of a document run at a stated scale: its park output in the start year
    over the real figure of :data:`REAL`, to two decimals."""
    return round(check(name, seeds)["output"] / REAL[name].output, 2)


FUND_SOURCE = "lanzhou_2012"       # the one document that states its fund: 5000万元 a year, 004 §(十五)


def fund(name: str, seeds: list[int] | None = None) -> float:
    """S1 budget (万元/year) for a document that sets up a fund without an amount: Lanzhou's fund
    scaled by the ratio of park output in the two worlds' start years, rounded to 100万元."""
    source = load_scenario(FUND_SOURCE)
    ratio = check(name, seeds)["output"] / check(FUND_SOURCE, seeds)["output"]
    return round(source.policy.S1.budget * ratio, -2)


def main(argv: list[str]) -> None:
    if argv[:1] == ["fund"]:
        for name in argv[1:]:
            print(name, "S1 budget", fund(name))
        return
    if argv[:1] == ["factor"]:
        for name in argv[1:] or list(REAL):
            print(name, REAL[name].note, "world.scale =", factor(name))
        return
    for name in argv or list(BASE):
        print(name, BASE[name].note, fit(name))
        print("  file's values give:", {k: f"{v / YI:,.0f}亿" for k, v in check(name).items()})


if __name__ == "__main__":
    main(sys.argv[1:])
