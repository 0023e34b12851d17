"""Global sensitivity analysis with SALib: Morris screening of every free parameter, then Sobol.

Following the SALib pattern, each step is a separate call: :func:`problem` (the problem dict from
the free-parameter metadata) → :func:`morris_sample` → :func:`run_model` (or any function of the
sample) → :func:`morris_analyse`; then :func:`most_influential` picks the parameters for
:func:`sobol_sample` → :func:`run_model` → :func:`sobol_analyse` (first and total order with
bootstrap confidence intervals). :func:`screen_then_sobol` chains them for ``parksim sensitivity``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sampler
from SALib.sample import sobol as sobol_sampler

from parksim.experiments.executors import make_executor
from parksim.experiments.runner import replication_seeds
from parksim.scenarios.loader import Scenario

from . import report
from .evaluate import Measure, evaluate, tasks_for
from .space import FreeParameter

LEVELS = 4
# Headline outputs: final-year series values, and the whole-run exit rate.
OUTPUTS = (Measure("output", series="output"), Measure("tax_per_mu", series="tax_per_mu"),
           Measure("investment_intensity", series="investment_intensity"),
           Measure("share_producing_in_parks", series="share_producing_in_parks"),
           Measure("top3_share", series="top3_share"), Measure("eg_gamma_mean", series="eg_gamma_mean"),
           Measure("exit_rate", moment="exit_rate"))


def problem(params: Sequence[FreeParameter]) -> dict:
    """SALib's problem dict."""
    return {"num_vars": len(params), "names": [p.path for p in params], "bounds": [[p.lo, p.hi] for p in params]}


def morris_sample(prob: dict, trajectories: int, seed: int) -> np.ndarray:
    """Morris one-at-a-time trajectories: ``trajectories × (D + 1)`` rows."""
    return morris_sampler.sample(prob, trajectories, num_levels=LEVELS, seed=seed)


def sobol_sample(prob: dict, n: int, seed: int) -> np.ndarray:
    """Saltelli's scheme for first and total order: ``n × (D + 2)`` rows (``n`` a power of 2)."""
    return sobol_sampler.sample(prob, n, calc_second_order=False, seed=seed)


def run_model(scenario: Scenario, params: Sequence[FreeParameter], X: np.ndarray, replications: int,
              executor, outputs: Sequence[Measure] = OUTPUTS) -> pd.DataFrame:
    """Each output's mean over ``replications`` (common seeds) for every row of ``X``, on an entered executor."""
    seeds = replication_seeds(scenario.seed, replications)
    tasks = tasks_for(scenario, params, X, seeds, outputs, f"{scenario.path or scenario.name}: sample → ")
    rows = [{m.key: np.nanmean([r[m.key] for r in o["rows"]]) if any(np.isfinite(r[m.key]) for r in o["rows"])
             else np.nan for m in outputs} for o in evaluate(tasks, executor)]
    return pd.DataFrame(rows)


def _filled(y: np.ndarray) -> np.ndarray:
    """SALib needs finite values: an undefined output (e.g. no firm produced) takes the output's mean."""
    y = np.asarray(y, float)
    return np.where(np.isfinite(y), y, np.nanmean(y) if np.isfinite(y).any() else 0.0)


def morris_analyse(prob: dict, X: np.ndarray, Y: pd.DataFrame, seed: int) -> pd.DataFrame:
    """μ*, μ, σ and the μ* confidence interval per output and parameter, ranked (1 = most influential)."""
    frames = []
    for out in Y.columns:
        s = morris_analyze.analyze(prob, X, _filled(Y[out].to_numpy()), num_levels=LEVELS, seed=seed)
        f = pd.DataFrame({"output": out, "parameter": prob["names"], "mu_star": s["mu_star"], "mu": s["mu"],
                          "sigma": s["sigma"], "mu_star_conf": s["mu_star_conf"]})
        top = f["mu_star"].max()
        f["mu_star_scaled"] = f["mu_star"] / top if top > 0 else 0.0
        f["rank"] = f["mu_star"].rank(ascending=False, method="min").astype(int)
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def influence(morris: pd.DataFrame) -> pd.Series:
    """Overall influence of each parameter: its largest scaled μ* over the outputs, descending.

    A parameter that drives any one headline output counts; ties (several parameters each the
    largest for some output) are broken by the mean scaled μ* over the outputs.
    """
    g = morris.groupby("parameter")["mu_star_scaled"]
    table = pd.DataFrame({"max": g.max(), "mean": g.mean()}).sort_values(["max", "mean"], ascending=False, kind="stable")
    return table["max"]


def most_influential(morris: pd.DataFrame, k: int) -> list[str]:
    """The ``k`` parameters with the largest overall influence."""
    return list(influence(morris).index[:k])


def sobol_analyse(prob: dict, Y: pd.DataFrame, seed: int) -> pd.DataFrame:
    """First-order (S1) and total (ST) Sobol indices with 95% bootstrap confidence intervals."""
    frames = []
    for out in Y.columns:
        s = sobol_analyze.analyze(prob, _filled(Y[out].to_numpy()), calc_second_order=False, seed=seed)
        frames.append(pd.DataFrame({"output": out, "parameter": prob["names"], "S1": s["S1"],
                                    "S1_conf": s["S1_conf"], "ST": s["ST"], "ST_conf": s["ST_conf"]}))
    return pd.concat(frames, ignore_index=True)


def morris_chart(morris: pd.DataFrame) -> go.Figure:
    """Heat map of scaled μ* (parameter × output), parameters by overall influence."""
    order = list(influence(morris).index)
    wide = morris.pivot(index="parameter", columns="output", values="mu_star_scaled").loc[order]
    fig = go.Figure(go.Heatmap(z=wide.to_numpy(), x=list(wide.columns), y=[p.split(".", 1)[1] for p in order],
                               colorscale="Blues", colorbar={"title": "μ*/max μ*"}))
    fig.update_layout(title="Morris screening: scaled μ* per headline output", height=max(400, 120 + 20 * len(order)),
                      yaxis={"autorange": "reversed", "dtick": 1})     # every parameter labelled
    return fig


def sobol_chart(sobol: pd.DataFrame) -> go.Figure:
    """S1 and ST with confidence intervals, one group of bars per output."""
    fig = go.Figure()
    for index in ("S1", "ST"):
        for p, f in sobol.groupby("parameter", sort=False):
            fig.add_bar(x=f["output"], y=f[index], error_y={"type": "data", "array": f[f"{index}_conf"]},
                        name=f"{index} {p.split('.', 1)[1]}", offsetgroup=f"{index}{p}")
    fig.update_layout(title="Sobol indices (first order S1, total ST, 95% CI)", barmode="group", height=500)
    return fig


@dataclass
class SensitivityResult:
    morris: pd.DataFrame
    sobol: pd.DataFrame
    chosen: list[str]
    out: Path


def screen_then_sobol(scenario: Scenario, params: Sequence[FreeParameter], *, out: str | Path,
                      trajectories: int = 10, sobol_n: int = 64, top: int = 5, replications: int = 2,
                      seed: int = 0, executor: str = "pool", workers: int | None = None,
                      scheduler: str | None = None) -> SensitivityResult:
    """Morris over ``params``, then Sobol over the ``top`` most influential; tables, samples and an HTML page in ``out``."""
    out = Path(out)
    by_path = {p.path: p for p in params}
    prob = problem(params)
    X = morris_sample(prob, trajectories, seed)
    with make_executor(executor, workers, scheduler) as ex:
        Y = run_model(scenario, params, X, replications, ex)
        morris = morris_analyse(prob, X, Y, seed)
        report.write_frame(out / "morris_sample.parquet", pd.concat([pd.DataFrame(X, columns=prob["names"]), Y], axis=1))
        chosen = most_influential(morris, min(top, len(params)))
        sub = [by_path[c] for c in chosen]
        prob2 = problem(sub)
        X2 = sobol_sample(prob2, sobol_n, seed)
        Y2 = run_model(scenario, sub, X2, replications, ex)
    sobol = sobol_analyse(prob2, Y2, seed)
    report.write_frame(out / "sobol_sample.parquet", pd.concat([pd.DataFrame(X2, columns=prob2["names"]), Y2], axis=1))
    report.write_frame(out / "morris.csv", morris)
    report.write_frame(out / "sobol.csv", sobol)
    settings = (f"<p class='note'>Scenario {scenario.name}; {len(params)} parameters; Morris: {trajectories} "
                f"trajectories × {len(params) + 1} points = {len(X)} evaluations; Sobol (Saltelli, N={sobol_n}) over "
                f"{', '.join(chosen)} = {len(X2)} evaluations; each evaluation the mean of {replications} "
                f"replications on common seeds; seed {seed}.</p>")
    ranking = influence(morris).rename("max scaled μ*").reset_index()
    report.write(out / "sensitivity.html", report.page(f"Sensitivity analysis: {scenario.name}", [
        settings, "<h2>Morris screening</h2>", morris_chart(morris), report.table(ranking),
        "<h2>Sobol indices</h2>", sobol_chart(sobol), report.table(sobol)]))
    return SensitivityResult(morris, sobol, chosen, out)
