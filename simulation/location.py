"""Location choice: the multinomial-logit utility of (project, park) pairs.

The kernel :func:`utilities` builds the projects × parks matrix from park × sector feature tables
with fancy indexing, either over all parks or over each project's own choice set (an (N, K) array of
park rows, :mod:`parksim.simulation.investment`), so memory is O(N·K) at national scale.
:func:`utilities_reference` computes the same numbers one pair at a time and exists so tests can
hold the kernel to it (and the benchmark can report the speed-up). :func:`densified` is the
utility of a project that takes less land at its park's E1 standard instead of being refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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

    The parks' offers (:mod:`parksim.simulation.competition`; none if not given), per park (P,):
    ``offer_factor`` land price factor, ``offer_subsidy`` own subsidy share of investment,
    ``offer_rebate`` share of the firm's tax returned, ``offer_effort`` 招商 effort (万元/yr); per
    project (N,): ``tax_yield`` yearly tax per unit of investment at capacity, which prices a rebate.
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
    offer_factor: np.ndarray = field(default=None)
    offer_subsidy: np.ndarray = field(default=None)
    offer_rebate: np.ndarray = field(default=None)
    offer_effort: np.ndarray = field(default=None)
    tax_yield: np.ndarray = field(default=None)

    def __post_init__(self):
        p, n = len(self.price), len(self.sector)
        for name, fill, size in (("offer_factor", 1.0, p), ("offer_subsidy", 0.0, p), ("offer_rebate", 0.0, p),
                                 ("offer_effort", 0.0, p), ("tax_yield", 0.0, n)):
            if getattr(self, name) is None:
                setattr(self, name, np.full(size, fill))


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
    effort: float = 0.0             # per ln(1 + 招商 effort / effort_reference) (competition.py)
    effort_reference: float = 1.0   # 万元/yr
    rebate_years: float = 0.0       # years a park's tax rebate runs: its value is rebate · years · tax yield


def offer_terms(x: ChoiceInputs, c: Coefficients) -> np.ndarray:
    """(P,) utility of each park's own subsidy and 招商 effort (competition.py)."""
    return c.subsidy * 100.0 * x.offer_subsidy + c.effort * np.log1p(x.offer_effort / c.effort_reference)


def rebate_value(x: ChoiceInputs, c: Coefficients) -> np.ndarray:
    """(N,) utility per unit of a park's rebate share: the rebated tax over its years, % of investment."""
    return c.subsidy * 100.0 * c.rebate_years * x.tax_yield


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


def utilities(x: ChoiceInputs, c: Coefficients, parks: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Systematic utility and land price paid, (N, P) over all parks or (N, K) over ``parks``.

    The park × sector terms are weighted once on their (S, P) tables and gathered by each project's
    sector, and the L8 price factor is found per intensity standard, not per park. The pairs are
    summed in blocks of projects, in place, term by term in the order of :func:`utilities_reference`,
    so the numbers are those of one plain (N, P) expression. With ``parks`` (park rows, any entry
    < 0 is a padding slot whose value the caller ignores) the same terms are gathered pair by pair
    in the same order, so a choice set holding every park gives exactly the full matrix.
    """
    if parks is not None:
        return _utilities_of_sets(x, c, parks)
    n, p = len(x.sector), len(x.price)
    u, price = np.empty((n, p)), np.empty((n, p))
    declared_t = np.ascontiguousarray(x.declared.T)
    tables = [np.ascontiguousarray(t.T) for t in (c.agglomeration * np.log1p(x.same), c.chain * x.upstream,
                                                  c.chain_pull * x.lead_pull, c.same_type * x.share,
                                                  c.declared * x.declared)]
    fixed = c.infrastructure * x.infra + c.level * x.level + offer_terms(x, c)
    rebate = rebate_value(x, c)
    standards, park_standard = np.unique(x.standard, return_inverse=True)     # a few levels, many parks
    for lo in range(0, n, BLOCK):
        j = slice(lo, lo + BLOCK)
        s = x.sector[j]
        factor = land_price_factor(np.ones(1, bool), x.intensity[j, None], standards, c.discount_min, c.discount_max)
        price[j] = x.price * np.minimum(np.where(declared_t[s], factor[:, park_standard], 1.0), x.offer_factor)
        uj = u[j]
        np.multiply(-c.price * 100.0, price[j], out=uj)
        uj /= x.intensity[j, None]
        uj += c.subsidy * 100.0 * x.subsidy[j, None]
        uj += rebate[j, None] * x.offer_rebate
        for table in tables:
            uj += table[s]
        uj += c.mega_bonus * (x.big[j, None] & x.no_mega)
        uj += fixed
    u[np.arange(n), np.maximum(x.target, 0)] += c.induced_bonus * (x.target >= 0)
    return u, price


def _utilities_of_sets(x: ChoiceInputs, c: Coefficients, parks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`utilities` over each project's choice set ``parks`` (N, K), in blocks of projects.

    Each (park, sector) term is one ``take`` from its flattened weighted table at the pair's flat
    index, each park term one ``take`` by park row; the L8 factor is found per project and intensity
    standard (a few levels) and gathered by the park's level. Terms whose weight is 0 (rule off) are
    skipped: adding 0 changes no sum. Working a block at a time keeps the temporaries in cache.
    """
    n, m = parks.shape
    u, price = np.empty((n, m)), np.empty((n, m))
    n_sector = x.same.shape[1]
    standards, level = np.unique(x.standard, return_inverse=True)     # a few levels, many parks
    factor = land_price_factor(np.ones(1, bool), x.intensity[:, None], standards, c.discount_min,
                               c.discount_max).ravel()
    declared = x.declared.ravel()
    tables = [(weight * table).ravel() for weight, table in
              ((c.agglomeration, np.log1p(x.same)), (c.chain, x.upstream), (c.chain_pull, x.lead_pull),
               (c.same_type, x.share), (c.declared, x.declared)) if weight]
    fixed = c.infrastructure * x.infra + c.level * x.level + offer_terms(x, c)
    rebate = rebate_value(x, c)
    for lo in range(0, n, BLOCK):
        j = slice(lo, lo + BLOCK)
        k = np.maximum(parks[j], 0)
        pair = k * n_sector
        pair += x.sector[j, None]
        at = level.take(k)
        at += (np.arange(lo, lo + len(k)) * len(standards))[:, None]
        pj = price[j]
        np.copyto(pj, np.where(declared.take(pair), factor.take(at), 1.0))
        np.minimum(pj, x.offer_factor.take(k), out=pj)
        pj *= x.price.take(k)
        uj = u[j]
        np.multiply(-c.price * 100.0, pj, out=uj)
        uj /= x.intensity[j, None]
        uj += c.subsidy * 100.0 * x.subsidy[j, None]
        uj += rebate[j, None] * x.offer_rebate.take(k)
        for table in tables:
            uj += table.take(pair)
        if c.mega_bonus:
            uj += c.mega_bonus * (x.big[j, None] & x.no_mega.take(k))
        uj += fixed.take(k)
        if c.induced_bonus:
            uj += c.induced_bonus * ((parks[j] == x.target[j, None]) & (x.target[j, None] >= 0))
    return u, price


def densified(u: np.ndarray, price: np.ndarray, intensity: np.ndarray, standard: np.ndarray,
              declared: np.ndarray, c: Coefficients, cost: float,
              offer: np.ndarray | float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Utility and land price of pairs (N, K) if the project raised its intensity to ``standard``.

    A project below its park's E1 standard pays the park's offered price (``offer`` × base; L8 needs
    the standard met); at the standard it needs investment / standard mu, may get the L8 factor at
    ratio 1 (``discount_max``) where that is below the offer, and bears ``cost`` utility per unit of
    ln(standard / intensity): building denser (more floors, tighter layout) costs more per unit of capacity.
    """
    new_price = price * np.where(declared, np.minimum(c.discount_max / offer, 1.0), 1.0)
    ratio = standard / intensity[:, None]
    value = u + c.price * 100.0 * price / intensity[:, None] - c.price * 100.0 * new_price / standard
    return value - cost * np.log(ratio), new_price


def utilities_reference(x: ChoiceInputs, c: Coefficients, parks: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The same utilities as :func:`utilities`, one (project, park) pair at a time."""
    n = len(x.sector)
    sets = np.tile(np.arange(len(x.price)), (n, 1)) if parks is None else parks
    u, price = np.zeros(sets.shape), np.zeros(sets.shape)
    for j in range(n):
        s = x.sector[j]
        for slot, k in enumerate(sets[j]):
            k = max(int(k), 0)
            factor = 1.0
            ratio = x.intensity[j] / (x.standard[k] if x.standard[k] > 0 else 1.0)
            if x.declared[k, s] and ratio >= 1.0:
                factor = c.discount_max - (c.discount_max - c.discount_min) * min(max(ratio - 1.0, 0.0), 1.0)
            price[j, slot] = x.price[k] * min(factor, x.offer_factor[k])
            value = -c.price * 100.0 * price[j, slot] / x.intensity[j]
            value += c.subsidy * 100.0 * x.subsidy[j]
            value += c.subsidy * 100.0 * c.rebate_years * x.tax_yield[j] * x.offer_rebate[k]
            value += c.agglomeration * np.log1p(x.same[k, s])
            value += c.chain * x.upstream[k, s] + c.chain_pull * x.lead_pull[k, s]
            value += c.same_type * x.share[k, s] + c.declared * x.declared[k, s]
            if x.big[j] and x.no_mega[k]:
                value += c.mega_bonus
            value += c.infrastructure * x.infra[k] + c.level * x.level[k]
            value += c.subsidy * 100.0 * x.offer_subsidy[k] + c.effort * np.log1p(x.offer_effort[k] / c.effort_reference)
            if x.target[j] == k:
                value += c.induced_bonus
            u[j, slot] = value
    return u, price
