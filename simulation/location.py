"""Location choice: the multinomial-logit utility of every (project, park) pair.

The kernel :func:`utilities` builds the whole projects × parks matrix from park × sector feature
tables with fancy indexing; :func:`utilities_reference` computes the same numbers one pair at a time
and exists so tests can hold the kernel to it (and the benchmark can report the speed-up).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ChoiceInputs:
    """Everything a location decision looks at, as arrays.

    Park × sector tables (P, S): ``same`` firms of the sector already in the park, ``upstream``
    IO-weighted presence of the sector's suppliers, ``lead_pull`` IO-weighted leading firms in linked
    sectors (C3), ``share`` the sector's share of the park's firms (C4), ``declared`` leading
    industries. Per park (P,): ``price`` base land price, ``standard`` E1 intensity standard,
    ``infra``, ``level`` (0..3), ``no_mega``. Per project (N,): ``sector``, ``intensity``,
    ``subsidy`` expected subsidy share of investment, ``big`` (mega or leading), ``target`` park an
    induced project was brought to (-1 if none).
    """

    same: np.ndarray
    upstream: np.ndarray
    lead_pull: np.ndarray
    share: np.ndarray
    declared: np.ndarray
    price: np.ndarray
    standard: np.ndarray
    infra: np.ndarray
    level: np.ndarray
    no_mega: np.ndarray
    sector: np.ndarray
    intensity: np.ndarray
    subsidy: np.ndarray
    big: np.ndarray
    target: np.ndarray


@dataclass(frozen=True)
class Coefficients:
    """Utility weights; rule terms are zero when their rule is off."""

    price: float            # per % of investment spent on land
    subsidy: float          # per % of investment subsidised
    agglomeration: float    # per log(1 + same-sector firms)
    chain: float            # per unit of upstream presence
    infrastructure: float
    level: float
    declared: float         # C1
    chain_pull: float       # C3
    same_type: float        # C4
    mega_bonus: float       # C5
    induced_bonus: float    # C3 以商招商: an induced project's pull to its park
    discount_min: float     # L8 price factors (1, 1 when L8 is off)
    discount_max: float


def land_price_factor(declared: np.ndarray, intensity: np.ndarray, standard: np.ndarray,
                      lo: float, hi: float) -> np.ndarray:
    """L8: price factor from ``hi`` at the intensity standard down to ``lo`` at twice it and above.

    Only leading-industry projects that meet the standard get a discount (004 §(十三)).
    """
    with np.errstate(over="ignore"):     # a standard near 0 gives ratio inf: the factor is lo, as it should be
        ratio = intensity / np.where(standard > 0, standard, 1.0)
    factor = hi - (hi - lo) * np.minimum(np.maximum(ratio - 1.0, 0.0), 1.0)     # = np.clip, faster
    return np.where(declared & (ratio >= 1.0), factor, 1.0)


BLOCK = 256    # projects per block: the (BLOCK, P) work stays in cache instead of a dozen (N, P) temporaries


def utilities(x: ChoiceInputs, c: Coefficients) -> tuple[np.ndarray, np.ndarray]:
    """Systematic utility (N, P) and land price paid (N, P), vectorised over all pairs.

    The park × sector terms are weighted once on their (S, P) tables and gathered by each project's
    sector, and the L8 price factor is found per intensity standard, not per park. The pairs are
    summed in blocks of projects, in place, term by term in the order of :func:`utilities_reference`,
    so the numbers are those of one plain (N, P) expression.
    """
    n, p = len(x.sector), len(x.price)
    u, price = np.empty((n, p)), np.empty((n, p))
    declared_t = np.ascontiguousarray(x.declared.T)
    tables = [np.ascontiguousarray(t.T) for t in (c.agglomeration * np.log1p(x.same), c.chain * x.upstream,
                                                  c.chain_pull * x.lead_pull, c.same_type * x.share,
                                                  c.declared * x.declared)]
    fixed = c.infrastructure * x.infra + c.level * x.level
    standards, park_standard = np.unique(x.standard, return_inverse=True)     # a few levels, many parks
    for lo in range(0, n, BLOCK):
        j = slice(lo, lo + BLOCK)
        s = x.sector[j]
        factor = land_price_factor(np.ones(1, bool), x.intensity[j, None], standards, c.discount_min, c.discount_max)
        price[j] = x.price * np.where(declared_t[s], factor[:, park_standard], 1.0)
        uj = u[j]
        np.multiply(-c.price * 100.0, price[j], out=uj)
        uj /= x.intensity[j, None]
        uj += c.subsidy * 100.0 * x.subsidy[j, None]
        for table in tables:
            uj += table[s]
        uj += c.mega_bonus * (x.big[j, None] & x.no_mega)
        uj += fixed
    u[np.arange(n), np.maximum(x.target, 0)] += c.induced_bonus * (x.target >= 0)
    return u, price


def utilities_reference(x: ChoiceInputs, c: Coefficients) -> tuple[np.ndarray, np.ndarray]:
    """The same utilities as :func:`utilities`, one (project, park) pair at a time."""
    n, p = len(x.sector), len(x.price)
    u, price = np.zeros((n, p)), np.zeros((n, p))
    for j in range(n):
        s = x.sector[j]
        for k in range(p):
            factor = 1.0
            ratio = x.intensity[j] / (x.standard[k] if x.standard[k] > 0 else 1.0)
            if x.declared[k, s] and ratio >= 1.0:
                factor = c.discount_max - (c.discount_max - c.discount_min) * min(max(ratio - 1.0, 0.0), 1.0)
            price[j, k] = x.price[k] * factor
            value = -c.price * 100.0 * price[j, k] / x.intensity[j]
            value += c.subsidy * 100.0 * x.subsidy[j]
            value += c.agglomeration * np.log1p(x.same[k, s])
            value += c.chain * x.upstream[k, s] + c.chain_pull * x.lead_pull[k, s]
            value += c.same_type * x.share[k, s] + c.declared * x.declared[k, s]
            if x.big[j] and x.no_mega[k]:
                value += c.mega_bonus
            value += c.infrastructure * x.infra[k] + c.level * x.level[k]
            if x.target[j] == k:
                value += c.induced_bonus
            u[j, k] = value
    return u, price
