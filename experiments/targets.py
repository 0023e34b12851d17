"""Measuring the document targets (``scenarios/data/targets.csv``) on one run's outputs.

Each metric is a function of the run's yearly series, park panel, entry log and (for metrics that
need firms) the firm snapshot of the target year. Money is in 万元. A target due in a year the
run does not reach measures NaN, which never counts as met. A world run at a stated ``scale`` (the share
of the real economy it models, ``world.scale``) is read at the real scale (:data:`SCALED`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from parksim.scenarios.targets import Target, read_targets

FIRM_METRICS = ("park_value_added", "park_industrial_value_added", "park_clusters_at_least", "place_clusters_at_least")


class RunView:
    """What a target metric may read from one run."""

    def __init__(self, series: pd.DataFrame, parks: pd.DataFrame, events: pd.DataFrame, firms: pd.DataFrame):
        self.series, self.parks, self.events, self.firms = series, parks, events, firms

    def active_parks(self, year: int) -> pd.DataFrame:
        p = self.parks[self.parks["year"] == year]
        return p[p["alive"] & (p["status"] != "revoked")]

    def row(self, year: int) -> pd.Series | None:
        s = self.series[self.series["year"] == year]
        return None if s.empty else s.iloc[0]

    def firms_in_parks(self, year: int) -> pd.DataFrame:
        f = self.firms[self.firms["year"] == year]
        return f[(f["park"] >= 0) & (f["state"] == "producing")]


def _weighted(p: pd.DataFrame, column: str) -> float:
    w = p["output"].to_numpy()
    v = p[column].to_numpy(dtype=float)
    ok = np.isfinite(v) & (w > 0)
    return float((v[ok] * w[ok]).sum() / w[ok].sum()) if ok.any() else np.nan


def _cagr(a: float, b: float, years: int) -> float:
    return (b / a) ** (1.0 / years) - 1.0 if a > 0 and b > 0 and years > 0 else np.nan


def _service_keys() -> set[str]:
    from parksim.simulation.sectors import default_sectors
    sec = default_sectors()
    return {k for k, s in zip(sec.keys, sec.is_service) if s}


METRICS: dict[str, Callable[[RunView, int, float | None], float]] = {
    "parks_count": lambda v, y, a: float(len(v.active_parks(y))),
    "parks_output_at_least": lambda v, y, a: float((v.active_parks(y)["output"] >= a).sum()),
    "park_output": lambda v, y, a: float(v.active_parks(y)["output"].sum()),
    "park_output_share": lambda v, y, a: (float(v.row(y)["output_in_parks"] / v.row(y)["output"])
                                          if v.row(y) is not None and v.row(y)["output"] > 0 else np.nan),
    "park_hightech_share": lambda v, y, a: _weighted(v.active_parks(y), "hightech_share"),
    "park_top3_share": lambda v, y, a: _weighted(v.active_parks(y), "top3_share"),
    "park_tax": lambda v, y, a: float(v.active_parks(y)["tax"].sum()),
    "park_employment": lambda v, y, a: float(v.active_parks(y)["employment"].sum()),
    "park_employment_added": lambda v, y, a: float(v.active_parks(y)["employment"].sum()
                                                   - v.active_parks(int(a))["employment"].sum()),
    "park_output_growth_gap": lambda v, y, a: 100.0 * (
        _cagr(v.active_parks(int(a))["output"].sum(), v.active_parks(y)["output"].sum(), y - int(a))
        - _cagr(*(float(v.row(t)["output"]) if v.row(t) is not None else np.nan for t in (int(a), y)), y - int(a))),
    "parks_declared_share_above": lambda v, y, a: float((v.active_parks(y)["declared_share"] > a).sum()),
    "national_parks": lambda v, y, a: float((v.active_parks(y)["level"] == "national").sum()),
    "entry_projects_at_least": lambda v, y, a: float(((v.events["kind"] == "entry") & (v.events["year"] == y)
                                                      & (v.events["value"] >= a)).sum()),
    "entry_investment": lambda v, y, a: float(v.events.loc[(v.events["kind"] == "entry") & (v.events["year"] == y),
                                                           "value"].sum()),
    "park_value_added": lambda v, y, a: float(v.firms_in_parks(y)["value_added"].sum()),
    "park_industrial_value_added": lambda v, y, a: float(
        v.firms_in_parks(y).loc[~v.firms_in_parks(y)["sector"].isin(_service_keys()), "value_added"].sum()),
    "park_clusters_at_least": lambda v, y, a: float(
        (v.firms_in_parks(y).groupby(["park", "sector"])["output"].sum() >= a).sum()),
    "place_clusters_at_least": lambda v, y, a: float(
        (v.firms_in_parks(y).assign(place=lambda f: f["park"].map(
            v.parks.drop_duplicates("park").set_index("park")["city"])).groupby(["place", "sector"])["output"].sum()
         >= a).sum()),
}


SCALED: dict[str, str] = {
    "parks_output_at_least": "threshold", "park_clusters_at_least": "threshold", "place_clusters_at_least": "threshold",
    "park_output": "total", "park_tax": "total", "park_employment": "total", "park_employment_added": "total",
    "entry_investment": "total", "park_value_added": "total", "park_industrial_value_added": "total",
    "entry_projects_at_least": "total",
}
"""How a metric reads a world at scale s < 1 (firms and projects of real size, s times as many): a
"threshold" on a park's or cluster's output compares output / s with it (its argument × s); a "total"
(money, jobs, numbers of projects) is divided by s. Counts of parks and shares are as measured."""


def snapshot_years(target_ids: tuple[str, ...]) -> tuple[int, ...]:
    """Years at which firm snapshots are needed to measure these targets."""
    targets = read_targets()
    return tuple(sorted({targets[t].year for t in target_ids if targets[t].metric in FIRM_METRICS}))


def measure(target: Target, view: RunView, scale: float = 1.0) -> float:
    """The target's metric on one run, at the real scale (:data:`SCALED`); NaN when not measurable (no
    metric, or year not simulated)."""
    if not target.metric:
        return np.nan
    years = set(view.series["year"])
    if target.year not in years or (target.arg is not None and target.metric in
                                    ("park_employment_added", "park_output_growth_gap") and int(target.arg) not in years):
        return np.nan
    how = SCALED.get(target.metric)
    arg = target.arg * scale if how == "threshold" else target.arg
    with np.errstate(all="ignore"):
        value = float(METRICS[target.metric](view, target.year, arg))
    return value / scale if how == "total" else value


def measure_all(target_ids: tuple[str, ...], series: pd.DataFrame, parks: pd.DataFrame, events: pd.DataFrame,
                firms: pd.DataFrame, scale: float = 1.0) -> dict[str, float]:
    """``{"target.<id>": measured value}`` for each target id, at the real scale of a world at ``scale``."""
    targets = read_targets()
    view = RunView(series, parks, events, firms)
    return {f"target.{t}": measure(targets[t], view, scale) for t in target_ids}


def check_metrics() -> None:
    """Every metric named in targets.csv exists (called by the tests)."""
    for t in read_targets().values():
        if t.metric and t.metric not in METRICS:
            raise ValueError(f"targets.csv: target {t.id}: unknown metric {t.metric!r}")
