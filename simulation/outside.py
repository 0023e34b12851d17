"""The economy outside parks at the start: how many incumbent firms each place has outside its parks.

Every place has firms outside its parks (issue 10 §2). They are drawn like park firms (sector, size,
intensity, productivity) and differ only in where they stand: in their place, with ``park = -1``. This
module decides the counts; :func:`initial_firms.create_initial_firms` draws the firms. It is its own
module, not part of :mod:`places` (geography and place records, no firms), because it is the firm side
of a place: the rules on outside firms (L1, L10, X5) read its result, not the place records.
"""

from __future__ import annotations

import numpy as np

from .errors import ConfigError
from .places import Place


def largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Whole numbers ∝ ``weights`` that add up to ``total`` exactly (Hamilton's largest-remainder
    method; ties go to the earlier entry). All-zero weights give zeros."""
    weights = np.asarray(weights, float)
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(len(weights), np.int64)
    quota = weights / weights.sum() * total
    counts = np.floor(quota).astype(np.int64)
    short = total - int(counts.sum())
    counts[np.argsort(-(quota - counts), kind="stable")[:short]] += 1
    return counts


def outside_counts(places: list[Place], has_parks: np.ndarray, initial_firms: int, share: float) -> np.ndarray:
    """Incumbent firms outside parks per place (in ``places`` order).

    A place that gives ``incumbent_firms`` has that many (rounded). The rest of the outside share,
    ``round(share · initial_firms)`` less the given ones, goes to the other places ∝ their
    ``population`` where any place gives one (only the lowest sized places, so that a province's
    population does not count again over its counties), else evenly over the places that have parks.

    Raises:
        ConfigError: when the places' given firms exceed ``initial_firms`` (which is the total).
    """
    n = len(places)
    given = np.array([p.incumbent_firms is not None for p in places], bool)
    counts = np.zeros(n, np.int64)
    counts[given] = [round(p.incumbent_firms) for p in places if p.incumbent_firms is not None]
    if counts.sum() > initial_firms:
        raise ConfigError("world.initial_firms", initial_firms,
                          f"at least the places' incumbent_firms ({int(counts.sum())}): it is the total")
    rest = max(round(share * initial_firms) - int(counts.sum()), 0)
    sized = np.array([p.population is not None or p.incumbent_firms is not None for p in places], bool)
    row = {p.id: i for i, p in enumerate(places)}
    above = np.zeros(n, bool)                 # ancestors of a sized place
    for i in np.flatnonzero(sized):
        parent = row.get(places[i].parent)
        while parent is not None and not above[parent]:
            above[parent] = True
            parent = row.get(places[parent].parent)
    population = np.array([p.population or 0.0 for p in places])
    by_population = ~given & ~above & (population > 0)
    weights = population * by_population if by_population.any() else (np.asarray(has_parks, bool) & ~given)
    return counts + largest_remainder(weights, rest)
