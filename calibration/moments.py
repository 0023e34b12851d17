"""Simulated moments: pure functions from one run's outputs to the numbers targets are compared with.

Every function here is pure (DataFrames or arrays in, a number or a table out) and is checked
against hand-computed cases in ``tests/test_calibration_moments.py``. :data:`MOMENTS` maps a
moment name (as used in ``calibration/targets.toml``) to ``f(view, year, arg) -> float``; a
moment that cannot be measured on a run (e.g. its year is not simulated) is NaN.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from parksim.experiments.targets import METRICS as DOCUMENT_METRICS
from parksim.experiments.targets import RunView
from parksim.simulation.observe import RunOutputs

MIN_AT_RISK = 30          # firm-years an age needs before its hazard counts (peak age, hazard at age)
TAIL_FRACTION = 0.10      # the largest 10% of firms form the tail for the power-law fit
MIN_TAIL = 10


def exit_hazard_by_age(entry_year, exit_year, years) -> pd.DataFrame:
    """Yearly exit hazard by firm age over the observed years (a life table, left-truncated).

    A firm is at risk in year ``t`` if it entered before ``t`` and had not exited before ``t``; its
    age then is ``t - entry_year``. Firms already old when observation starts (the initial stock)
    enter the table at their age, which is the standard treatment of left truncation.

    Args:
        entry_year: (N,) entry year of each firm.
        exit_year: (N,) exit year, or -1 for firms still alive.
        years: the observed calendar years (exits counted in these years).

    Returns:
        DataFrame with columns age, at_risk, exits, hazard (exits / at_risk), ages ascending.
    """
    entry = np.asarray(entry_year, np.int64)
    exit_ = np.asarray(exit_year, np.int64)
    gone = np.where(exit_ < 0, np.iinfo(np.int64).max, exit_)
    at_risk: dict[int, int] = {}
    exits: dict[int, int] = {}
    for t in years:
        alive = (entry < t) & (gone >= t)
        ages, n = np.unique(t - entry[alive], return_counts=True)
        for a, k in zip(ages.tolist(), n.tolist()):
            at_risk[a] = at_risk.get(a, 0) + k
        dead = alive & (gone == t)
        ages, n = np.unique(t - entry[dead], return_counts=True)
        for a, k in zip(ages.tolist(), n.tolist()):
            exits[a] = exits.get(a, 0) + k
    ages = sorted(at_risk)
    table = pd.DataFrame({"age": ages, "at_risk": [at_risk[a] for a in ages],
                          "exits": [exits.get(a, 0) for a in ages]})
    table["hazard"] = table["exits"] / table["at_risk"]
    return table


def exit_rate(table: pd.DataFrame) -> float:
    """Exits per firm-year at risk, over all ages (the yearly exit rate)."""
    n = table["at_risk"].sum()
    return float(table["exits"].sum() / n) if n else np.nan


def hazard_at_age(table: pd.DataFrame, age: int, min_at_risk: int = MIN_AT_RISK) -> float:
    """Hazard at one age; NaN when fewer than ``min_at_risk`` firm-years were at risk."""
    row = table[(table["age"] == age) & (table["at_risk"] >= min_at_risk)]
    return float(row["hazard"].iloc[0]) if len(row) else np.nan


def hazard_peak_age(table: pd.DataFrame, max_age: int = 15, min_at_risk: int = MIN_AT_RISK) -> float:
    """Age of the highest hazard among ages 1..max_age with enough firm-years at risk."""
    t = table[(table["age"] >= 1) & (table["age"] <= max_age) & (table["at_risk"] >= min_at_risk)]
    return float(t.loc[t["hazard"].idxmax(), "age"]) if len(t) and t["hazard"].max() > 0 else np.nan


def power_law_density_exponent(sizes, tail_fraction: float = TAIL_FRACTION, min_tail: int = MIN_TAIL) -> float:
    """Exponent α of a power-law density ``p(x) ∝ x^-α`` fitted to the upper tail by maximum likelihood.

    ``α = 1 + n / Σ ln(x_i / x_min)`` over the ``n`` sizes ``x_i ≥ x_min`` (Clauset, Shalizi & Newman
    2009, SIAM Review 51(4), eq. 3.1; the Hill (1975) estimator of the survival exponent is α − 1).
    ``x_min`` is the smallest of the largest ``tail_fraction`` of the positive sizes. NaN if the
    tail has fewer than ``min_tail`` sizes or no spread.
    """
    x = np.sort(np.asarray(sizes, float)[np.asarray(sizes, float) > 0])[::-1]
    n = max(int(len(x) * tail_fraction), min_tail)
    if len(x) < n:
        return np.nan
    tail = x[:n]
    logs = np.log(tail / tail[-1]).sum()
    return float(1.0 + n / logs) if logs > 0 else np.nan


def level_ratio(parks: pd.DataFrame, year: int, level: str, numerator: str, denominator: str) -> float:
    """Σ numerator / Σ denominator over the active parks of one level in one year (e.g. tax per mu built)."""
    p = parks[(parks["year"] == year) & (parks["level"] == level) & parks["alive"] & (parks["status"] != "revoked")]
    den = p[denominator].sum()
    return float(p[numerator].sum() / den) if den > 0 else np.nan


def level_intensity(parks: pd.DataFrame, year: int, level: str) -> float:
    """Investment intensity (万元/mu) of one park level: land-weighted mean of the parks' intensities."""
    p = parks[(parks["year"] == year) & (parks["level"] == level) & parks["alive"] & (parks["status"] != "revoked")]
    w = p["granted"].to_numpy()
    v = p["intensity"].to_numpy(float)
    ok = np.isfinite(v) & (w > 0)
    return float((v[ok] * w[ok]).sum() / w[ok].sum()) if ok.any() else np.nan


class MomentView(RunView):
    """A run's outputs as moments read them: the document-target view plus the firms' life table."""

    def __init__(self, out: RunOutputs):
        super().__init__(out.series, out.parks, out.events, out.firms)
        self.lives = out.lives
        self._table = None

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.series["year"])

    def hazard(self) -> pd.DataFrame:
        """The exit hazard table over the simulated years (after the initial year)."""
        if self._table is None:
            self._table = exit_hazard_by_age(self.lives["entry_year"], self.lives["exit_year"], self.years[1:])
        return self._table

    def producing_sizes(self, year: int) -> np.ndarray:
        """Output of firms producing at the end of the run (``year`` must be the final year)."""
        if year != self.years[-1]:
            return np.array([])
        live = self.lives[self.lives["producing"] & (self.lives["output"] > 0)]
        return live["output"].to_numpy()


def _document(metric: str) -> Callable[[MomentView, int, object], float]:
    return lambda v, y, a: DOCUMENT_METRICS[metric](v, y, a)


MOMENTS: dict[str, Callable[[MomentView, int, object], float]] = {
    "park_top3_share": _document("park_top3_share"),
    "park_hightech_share": _document("park_hightech_share"),
    "park_output_share": _document("park_output_share"),
    "intensity_by_level": lambda v, y, a: level_intensity(v.parks, y, str(a)),
    "tax_per_mu_by_level": lambda v, y, a: level_ratio(v.parks, y, str(a), "tax", "built"),
    "exit_rate": lambda v, y, a: exit_rate(v.hazard()),
    "exit_hazard_at_age": lambda v, y, a: hazard_at_age(v.hazard(), int(a)),
    "exit_hazard_peak_age": lambda v, y, a: hazard_peak_age(v.hazard()),
    "size_density_exponent": lambda v, y, a: power_law_density_exponent(v.producing_sizes(y)),
}
# Moments over the whole run take no year; the others default to the run's final year.
WHOLE_RUN = frozenset({"exit_rate", "exit_hazard_at_age", "exit_hazard_peak_age"})
NEEDS_ARG = frozenset({"intensity_by_level", "tax_per_mu_by_level", "exit_hazard_at_age"})


def measure(view: MomentView, moment: str, year: int | None = None, arg=None) -> float:
    """One moment on one run; NaN when the year is not simulated or the moment is undefined."""
    if moment in WHOLE_RUN:
        year = view.years[-1]
    year = view.years[-1] if year is None else int(year)
    if year not in view.years:
        return np.nan
    with np.errstate(all="ignore"):
        return float(MOMENTS[moment](view, year, arg))
