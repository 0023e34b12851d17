"""Initial placement: the firms producing at the start choose a park and keep it if their land fits.

A firm of sector s picks park p with probability proportional to ``weight[p, s]`` (area, more for a
declared leading industry), by inverse CDF on a uniform draw ``u``; then, in firm order, a firm is
kept if its land need still fits its park's remaining room. :func:`place` does this per sector with
``searchsorted`` and per park in lockstep, in O(N log P + S·P) time and O(N + S·P) memory;
:func:`place_reference` is the plain version (an N × P probability matrix and a loop over firms)
and exists so tests can hold the kernel to it bit for bit (and the benchmark can time both).
"""

from __future__ import annotations

import numpy as np


def draw_parks(weight: np.ndarray, sector: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Park of each firm: ``#{k : F_s(k) < u}`` with ``F_s`` the cumulative shares of ``weight[:, s]``.

    Args:
        weight: (P, S) non-negative weights, every column with a positive sum.
        sector: (N,) int sector of each firm.
        u: (N,) uniform draws in [0, 1).

    Returns:
        (N,) park index in ``[0, P)``.
    """
    park = np.zeros(len(sector), np.int64)
    for s in np.unique(sector):
        col = weight[:, s]
        cdf = np.cumsum(col / col.sum())
        mine = np.flatnonzero(sector == s)
        park[mine] = np.searchsorted(cdf, u[mine], side="left")
    return np.minimum(park, len(weight) - 1)


def first_fit(park: np.ndarray, need: np.ndarray, room: np.ndarray) -> np.ndarray:
    """In firm order, keep a firm if ``need`` fits its park's room left by the firms kept before it.

    Parks are independent, so the k-th firm of every park is decided in one vectorised pass
    (``max firms per park`` passes in all), with the same subtractions as a firm-by-firm loop.

    Returns:
        (N,) bool, True for the firms kept.
    """
    room = np.asarray(room, float).copy()
    fits = np.zeros(len(park), bool)
    cand = np.flatnonzero(need <= room[park])          # room only shrinks: the others never fit
    if len(cand) == 0:
        return fits
    by_park = cand[np.argsort(park[cand], kind="stable")]
    p_sorted = park[by_park]
    start = np.flatnonzero(np.diff(p_sorted, prepend=-1) != 0)
    pos = np.arange(len(by_park)) - np.repeat(start, np.diff(np.append(start, len(by_park))))
    by_pos = by_park[np.argsort(pos, kind="stable")]    # the k-th firm of each park, for k = 0, 1, …
    bounds = np.searchsorted(np.sort(pos), np.arange(pos.max() + 2))
    for k in range(len(bounds) - 1):
        j = by_pos[bounds[k]:bounds[k + 1]]                # at most one firm per park
        p = park[j]
        ok = need[j] <= room[p]
        room[p[ok]] -= need[j[ok]]
        fits[j[ok]] = True
    return fits


def place(weight: np.ndarray, sector: np.ndarray, u: np.ndarray, need: np.ndarray,
          room: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Park of each firm (:func:`draw_parks`) and whether it is kept (:func:`first_fit`)."""
    park = draw_parks(weight, sector, u)
    return park, first_fit(park, need, room)


def place_reference(weight: np.ndarray, sector: np.ndarray, u: np.ndarray, need: np.ndarray,
                    room: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same as :func:`place` with an (N, P) matrix of probabilities and a loop over firms."""
    probs = weight[:, sector].T
    probs /= probs.sum(1, keepdims=True)
    park = np.minimum((u[:, None] > np.cumsum(probs, 1)).sum(1), len(weight) - 1)
    room = np.asarray(room, float).copy()
    fits = np.zeros(len(sector), bool)
    for j in range(len(sector)):
        if need[j] <= room[park[j]]:
            room[park[j]] -= need[j]
            fits[j] = True
    return park, fits
