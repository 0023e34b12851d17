"""Experimental designs: tables of design points, one column per factor path.

The samplers know nothing about the model (SALib's shape): a factor is a path such as
``policy.E1.national`` or ``world.projects_per_year`` and a design is a DataFrame with a ``point``
column (0, 1, …) and one column per factor. :func:`design_for` turns a scenario's ``[sweep]``
table into a design; a scenario without one has the single point 0 with no factors.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc


def _table(rows: list[dict], columns: Sequence[str], dtype=None) -> pd.DataFrame:
    design = pd.DataFrame(rows, columns=list(columns), dtype=dtype)
    design.insert(0, "point", np.arange(len(design), dtype=np.int64))
    return design


def full_factorial(levels: Mapping[str, Sequence[Any]]) -> pd.DataFrame:
    """Every combination of the factors' levels; the last factor varies fastest."""
    names = list(levels)
    rows = [dict(zip(names, combo)) for combo in itertools.product(*(levels[n] for n in names))]
    return _table(rows, names)


def explicit(points: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The given points, in order; a factor missing from a point keeps the scenario's value (NaN here)."""
    names = list(dict.fromkeys(k for p in points for k in p))
    return _table([dict(p) for p in points], names, dtype=object)


def latin_hypercube(bounds: Mapping[str, tuple[float, float]], samples: int, seed: int,
                    integer: Sequence[str] = ()) -> pd.DataFrame:
    """A Latin hypercube sample (McKay, Beckman & Conover 1979) scaled to ``bounds``.

    Args:
        bounds: factor → (low, high).
        samples: number of points.
        seed: sampling seed (the same seed gives the same design).
        integer: factors rounded to the nearest integer.

    Uses ``scipy.stats.qmc.LatinHypercube``.
    """
    names = list(bounds)
    try:
        sampler = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(seed))
    except TypeError:                    # scipy < 1.15 calls the generator argument ``seed``
        sampler = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(seed))
    unit = sampler.random(samples)
    low = np.array([bounds[n][0] for n in names], dtype=float)
    high = np.array([bounds[n][1] for n in names], dtype=float)
    values = qmc.scale(unit, low, high)
    rows = []
    for row in values:
        rows.append({n: (int(round(v)) if n in integer else float(v)) for n, v in zip(names, row)})
    return _table(rows, names)


def design_for(scenario) -> pd.DataFrame:
    """The design of a scenario's ``[sweep]`` (or the single point 0 without one)."""
    sweep = scenario.sweep
    if sweep is None:
        return _table([{}], [])
    if sweep.method == "factorial":
        return full_factorial(sweep.factors)
    if sweep.method == "list":
        return explicit(sweep.points)
    integer = [p for p in sweep.factors if scenario.factor_kind(p) == "int"]
    return latin_hypercube({p: (b["low"], b["high"]) for p, b in sweep.factors.items()},
                           sweep.samples, sweep.seed, integer)


def point_values(design: pd.DataFrame, point: int) -> dict[str, Any]:
    """The factor values of one design point as plain Python values (missing ones left out)."""
    return next(values for _, values in design_rows(design[design["point"] == point]))


def design_rows(design: pd.DataFrame) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(point, factor values)`` of every design point in order, in one pass (no lookup per point).

    Values are plain Python values (per column, so integer columns stay integers); NaN (a factor
    a listed point leaves out) is left out.
    """
    names = [c for c in design.columns if c != "point"]
    columns = [design[n].tolist() for n in names]
    for point, *row in zip(design["point"].tolist(), *columns):
        yield int(point), {n: _plain(v) for n, v in zip(names, row) if not (isinstance(v, float) and v != v)}


def _plain(value):
    return value.item() if hasattr(value, "item") else value
