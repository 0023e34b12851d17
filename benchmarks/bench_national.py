"""National benchmark: all 2,543 zones of the 2018 catalogue, about 1,000,000 producing firms by the end.

Run with ``python benchmarks/bench_national.py`` (``--scale 0.1 --years 3`` for a quick check). The
zones are every province's catalogue zones, geocoded to their places; demand is the province
benchmark's (``bench_model.PROVINCE``) per zone, so a firm-year costs the same work per park if the
model is linear in parks. Each phase of ``ParkModel.step`` is timed and the model's own yearly
recording too, so a step that grows faster than firms or parks shows. The province benchmark's world
is run first (``--province-years``; 0 skips it) for the firm-years/s the ratio is taken against.
Prints its figures; asserts nothing. The last line is::

    national: zones=… firms_end=… wall_s=… peak_MiB=… firm_years_per_s=… ratio_to_province=…

``peak_MiB`` is the process's peak resident memory (it includes the province run, which is far
smaller); ``ratio_to_province`` is the province's firm-years/s over the national one (target ≤ 2).
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_model import PHASES, POLICY, PROVINCE

from parksim.scenarios import adcodes
from parksim.scenarios.catalogue import parks_from_catalogue, read_catalogue
from parksim.simulation import ParkModel, WorldConfig
from parksim.simulation.state import PRODUCING

# Demand per zone as in the province benchmark (30,000 initial firms and 5,500 projects a year over
# 160 parks) times 0.6, so that the national run ends near 1,000,000 producing firms: the province
# world ends with 104,256 producing firms after 20 years (652 a park; measured 2026-12), and
# 0.6 · 652 · 2,543 ≈ 995,000.
FIRMS_PER_ZONE = 0.6 * PROVINCE.initial_firms / PROVINCE.n_parks
PROJECTS_PER_ZONE = 0.6 * PROVINCE.projects_per_year / PROVINCE.n_parks
QUOTA_PER_ZONE = 0.6 * PROVINCE.land_quota / PROVINCE.n_parks


def national_world(years: int, scale: float) -> WorldConfig:
    """Every catalogue zone with its place; demand per zone as the province benchmark's, times ``scale``."""
    parks = tuple(p for prov in sorted(read_catalogue()["province"].unique())
                  for p in parks_from_catalogue(prov, year=PROVINCE.start_year).parks)
    n = len(parks)
    world = dataclasses.replace(PROVINCE, years=years, initial_firms=int(FIRMS_PER_ZONE * n * scale),
                                projects_per_year=PROJECTS_PER_ZONE * n * scale,
                                land_quota=QUOTA_PER_ZONE * n * scale).with_parks(parks)
    return world.with_places(adcodes.model_places([p.place for p in parks if p.place.isdigit()]))


def timed_run(world: WorldConfig, label: str) -> dict:
    """Run ``world`` under the province benchmark's policy, timing set-up, each phase and recording."""
    times: dict[str, float] = defaultdict(float)
    raised: dict[str, float] = defaultdict(float)        # MiB by which a step raised the peak
    t0 = time.perf_counter()
    model = ParkModel(world, POLICY, rng=2024)
    times["set-up"] = time.perf_counter() - t0
    raised["set-up"] = peak_mib()
    for name in (*PHASES, "record"):
        owner = model.recorder if name == "record" else model
        plain = getattr(owner, name)

        def wrapped(*args, _f=plain, _n=name, **kwargs):
            t, peak = time.perf_counter(), peak_mib()
            try:
                return _f(*args, **kwargs)
            finally:
                times[_n] += time.perf_counter() - t
                raised[_n] += peak_mib() - peak
        setattr(owner, name, wrapped)
    firm_years = 0
    for _ in range(world.years):
        t = time.perf_counter()
        model.step()
        producing = int((model.firms.state == PRODUCING).sum())
        firm_years += producing
        print(f"  {label} {model.year}: {producing:,} producing, {model.firms.n:,} firm rows, "
              f"{time.perf_counter() - t:.1f} s", flush=True)
    wall = time.perf_counter() - t0
    return {"model": model, "wall": wall, "firm_years": firm_years, "times": dict(times), "raised": dict(raised),
            "producing": int((model.firms.state == PRODUCING).sum())}


def peak_mib() -> float:
    """Peak resident memory of this process so far, MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(label: str, run: dict) -> None:
    total = run["wall"]
    parts = ", ".join(f"{k} {v:.1f}" for k, v in sorted(run["times"].items(), key=lambda kv: -kv[1]))
    print(f"{label}: {run['model'].parks.n} parks, {run['producing']:,} producing at the end, wall {total:.1f} s, "
          f"{run['firm_years'] / total:,.0f} firm-years/s; seconds by step: {parts}", flush=True)
    rest = total - run["times"].get("admit_projects", 0.0)
    print(f"{label}: {run['firm_years'] / rest:,.0f} firm-years/s without admit_projects", flush=True)
    grew = ", ".join(f"{k} {v:,.0f}" for k, v in sorted(run["raised"].items(), key=lambda kv: -kv[1]) if v >= 1)
    print(f"{label}: MiB by which each step raised the peak memory: {grew}", flush=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--scale", type=float, default=1.0, help="shrink demand (firms, projects, land quota)")
    ap.add_argument("--province-years", type=int, default=20, help="years of the province reference run (0: skip)")
    args = ap.parse_args(argv)
    province_rate = province_rest = float("nan")
    if args.province_years > 0:
        prov = timed_run(dataclasses.replace(PROVINCE, years=args.province_years), "province")
        report("province", prov)
        province_rate = prov["firm_years"] / prov["wall"]
        province_rest = prov["firm_years"] / (prov["wall"] - prov["times"]["admit_projects"])
        del prov
    t = time.perf_counter()
    world = national_world(args.years, args.scale)
    print(f"national world built in {time.perf_counter() - t:.1f} s: {len(world.parks)} zones, "
          f"{world.initial_firms:,} initial firms, {world.projects_per_year:,.0f} projects a year", flush=True)
    run = timed_run(world, "national")
    report("national", run)
    peak = peak_mib()
    rate = run["firm_years"] / run["wall"]
    rest = run["firm_years"] / (run["wall"] - run["times"]["admit_projects"])
    print(f"ratio to province without admit_projects: {province_rest / rest:.2f}")
    print(f"national: zones={run['model'].parks.n} firms_end={run['producing']} wall_s={run['wall']:.1f} "
          f"peak_MiB={peak:.0f} firm_years_per_s={rate:.0f} ratio_to_province={province_rate / rate:.2f}")


if __name__ == "__main__":
    main()
