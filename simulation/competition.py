"""Competition between places for investors, and its cap S7 (issue 11 §2; ODD §7.19).

Each park sets a yearly *offer* (:func:`set_offers`, the offer phase after the quota split): a land
price factor within L8's bounds, its own subsidy (share of investment, paid when the firm starts
producing), a rebate (share of the firm's tax, for ``offer_rebate_years`` from production start)
and 招商 effort (万元 a year, more visibility in the logit). Investors see the offers when they
choose (:mod:`parksim.simulation.location`). An offer is held as its *generosity* g = (1 − price
factor, subsidy, rebate, effort): 0 is no offer, the cost side.

The adaptive rule (:func:`adapt`), imitation of successful rivals: a park whose share of the
investment settling in the region's parks fell (or is nil) closes ``offer_step`` of the gap to the
offer of its most successful rival (parks of its city or within ``rival_km``) when that rival won
more than it did, else to the bound; a park whose share rose withdraws ``offer_retreat`` of its
offer. The bounds are L8's floor and the world's largest offers, lowered by S7's cap. The expected
yearly cost of the offer, had the park won what its best rival won, may not exceed
``offer_budget_share`` of what it can spend (:func:`afford`). Without the cap offers ratchet up to
the bounds or the budgets: the race to the bottom of 恶性竞争.

S7's benefit-sharing (:func:`pass_on`): a project whose best option is a park that does not declare
its sector is passed to the parks of its choice set that do and have room; the passing park gets
``S7.tax_share`` of the local share of the firm's tax for ``S7.share_years`` years (firm column
``tax_sharer``). Every payment goes through the finance ledger (:mod:`parksim.simulation.finance`).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from . import finance
from .state import PRODUCING, REVOKED, open_parks, park_sum

TALLIES = ("offer_subsidies", "offer_rebates", "attraction_effort", "offer_claims_unpaid", "projects_passed",
           "tax_shared", "offer_factor_mean", "offer_subsidy_mean", "offer_rebate_mean", "offer_effort_mean")
"""Yearly tallies (万元; projects passed a count; the means over open parks of this year's offers)."""


def upper_bounds(policy, world) -> np.ndarray:
    """The largest generosity of each instrument: L8's floor price factor and the world's largest
    subsidy, rebate and effort, capped by S7 (001 四(三); 004 §(七)) when it is on."""
    upper = np.array([1.0 - policy.L8.min_factor, world.offer_max_subsidy, world.offer_max_rebate,
                      world.offer_max_effort])
    if policy.S7.enabled:
        cap = np.array([1.0 - policy.S7.min_price_factor, policy.S7.max_subsidy, policy.S7.max_rebate, np.inf])
        upper = np.minimum(upper, cap)
    return upper


def rival_pairs(x: np.ndarray, y: np.ndarray, city: np.ndarray, radius_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Ordered pairs (i, j), i ≠ j, of parks that are rivals: in the same city, or both with a position
    and at most ``radius_km`` apart (a k-d tree: O(P log P + pairs), never a parks × parks matrix)."""
    n = len(city)
    known = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    near = (cKDTree(np.column_stack([x[known], y[known]])).query_pairs(radius_km, output_type="ndarray")
            if len(known) > 1 else np.zeros((0, 2), np.int64))
    near = known[near]
    order = np.argsort(city, kind="stable")
    c = city[order]
    start, end = np.searchsorted(c, c, "left"), np.searchsorted(c, c, "right")
    size = end - start
    first = np.repeat(np.cumsum(size) - size, size)
    i = np.repeat(order, size)
    j = order[np.repeat(start, size) + np.arange(size.sum()) - first]
    i, j = np.concatenate([i, near[:, 0], near[:, 1]]), np.concatenate([j, near[:, 1], near[:, 0]])
    key = np.unique(i[i != j].astype(np.int64) * n + j[i != j])
    return key // n, key % n


def best_rivals(i: np.ndarray, j: np.ndarray, won: np.ndarray, n: int) -> np.ndarray:
    """Each park's rival that won most (the lowest row among equals); -1 for a park without rivals."""
    best = np.full(n, -1)
    if len(i):
        order = np.lexsort((-j, won[j], i))        # by park, then won, then lower row last
        last = np.r_[i[order][1:] != i[order][:-1], True]
        best[i[order][last]] = j[order][last]
    return best


def adapt(g: np.ndarray, lost: np.ndarray, gained: np.ndarray, best: np.ndarray, won: np.ndarray,
          upper: np.ndarray, step: float, retreat: float) -> np.ndarray:
    """Next year's generosity (P, 4): losers close ``step`` of the gap to their best rival's offer if
    that rival won more, else to ``upper``; gainers keep 1 − ``retreat`` of theirs; the rest keep theirs."""
    ahead = (best >= 0) & (won[np.maximum(best, 0)] > won)
    target = np.where(ahead[:, None], g[np.maximum(best, 0)], upper)
    moved = np.where(lost[:, None], g + step * (target - g), np.where(gained[:, None], (1.0 - retreat) * g, g))
    return np.clip(moved, 0.0, upper)


def expected_cost(g: np.ndarray, investment: np.ndarray, land_value: np.ndarray, tax: np.ndarray,
                  rebate_years: int) -> np.ndarray:
    """万元 a year an offer costs a park that wins ``investment`` (on land worth ``land_value`` at the
    base price, paying ``tax`` a year at capacity): the discount forgone, the subsidy, the rebates of
    ``rebate_years`` cohorts (steady state) and the effort."""
    return g[:, 0] * land_value + g[:, 1] * investment + g[:, 2] * tax * rebate_years + g[:, 3]


def afford(g: np.ndarray, cost: np.ndarray, budget: np.ndarray) -> np.ndarray:
    """Scale each park's offer down (every instrument alike) until its expected cost fits its budget."""
    scale = np.divide(np.maximum(budget, 0.0), cost, out=np.ones_like(cost), where=cost > budget)
    return g * np.minimum(scale, 1.0)[:, None]


def pay_ratio(claims: np.ndarray, budget: np.ndarray) -> np.ndarray:
    """Share of its claims each park pays: all of them, or what its budget allows."""
    return np.divide(np.maximum(budget, 0.0), claims, out=np.ones_like(claims), where=claims > budget)


# ----------------------------------------------------------------------------- the model's phase

def city_share(model) -> np.ndarray:
    """万元 of its city's cash that backs each open park's offers: the local government funds its parks'
    investment attraction, split evenly among its open parks."""
    pk, stock = model.parks, model.finance.city_cash
    cash = np.zeros(len(model.cities))                 # cities labelled since the ledger last grew have none
    cash[: len(stock)] = np.maximum(stock, 0.0)
    open_park = open_parks(model.parks)
    city = pk.city[: pk.n]
    parks_of_city = np.bincount(city[open_park], minlength=len(cash))
    return np.where(open_park, cash[city] / np.maximum(parks_of_city[city], 1), 0.0)


def set_offers(model) -> None:
    """The offer phase: last year's entrants take the offer they came under; promises fall due (paid as
    far as budgets allow) and S7 shares tax; each open park moves its offer (:func:`adapt`, :func:`afford`)
    and pays its effort. A park spends its own cash and platform debt room (``finance.spendable``),
    then its share of its city's cash (:func:`city_share`)."""
    pk, w, pol = model.parks, model.world, model.policy
    f, year = model.firms, model.year
    own, city = finance.spendable(model), city_share(model)
    own, city = _book(model, "subsidies", _pay(model, own + city), own, city)
    entrants = (f.entry_year == year - 1) & (f.park >= 0) & (f.source > 0)
    won = park_sum(model.firms, model.parks, f.investment * entrants)
    open_park = open_parks(model.parks)
    g = _generosity(pk)
    if won.sum() > 0:
        share = won / won.sum()
        lost = open_park & ((share < pk.invest_share) | (share == 0))
        gained = open_park & (share > pk.invest_share)
        i, j = rival_pairs(pk.x, pk.y, pk.city, w.rival_km)
        open_pair = open_park[i] & open_park[j]
        best = best_rivals(i[open_pair], j[open_pair], won, pk.n)
        g = adapt(g, lost, gained, best, won, upper_bounds(pol, w), w.offer_step, w.offer_retreat)
        expected = np.maximum(won, won[np.maximum(best, 0)] * (best >= 0))
        land = park_sum(model.firms, model.parks, (f.land + f.land_pending) * entrants)
        unit_land = land.sum() / won.sum()             # mu per 万元 of last year's entrants in parks
        tax_yield = float(model.sectors.demand_share @ (model.sectors.output_per_investment * model.sectors.tax_rate))
        cost = expected_cost(g, expected, finance.list_price(model) * unit_land * expected, tax_yield * expected,
                             w.offer_rebate_years)
        g = afford(g, cost, w.offer_budget_share * (own + city))
        pk.invest_share[:] = share
    g[~open_park] = 0.0                                # revoked and merged parks offer nothing
    g = np.minimum(g, upper_bounds(pol, w))            # the cap binds from the year S7 is switched on
    pk.offer_factor[:], pk.offer_subsidy[:], pk.offer_rebate[:], pk.offer_effort[:] = 1.0 - g[:, 0], *g[:, 1:].T
    effort = np.minimum(pk.offer_effort, np.maximum(own + city, 0.0))
    _book(model, "attraction", effort, own, city)
    pk.offer_spent[:] += effort
    model.tally["attraction_effort"] += float(effort.sum())
    for name, values in (("factor", pk.offer_factor), ("subsidy", pk.offer_subsidy), ("rebate", pk.offer_rebate),
                         ("effort", pk.offer_effort)):
        model.tally[f"offer_{name}_mean"] = float(values[open_park].mean()) if open_park.any() else 0.0


def _book(model, kind: str, paid: np.ndarray, own: np.ndarray, city: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Book what each park pays in the finance ledger: from its own account as far as ``own`` goes (a
    platform covers an overdraft in the finance phase), the rest from its city. Returns what is left."""
    from_park = np.minimum(paid, np.maximum(own, 0.0))
    rest = paid - from_park
    model.finance.book(kind, finance.PARK, np.arange(len(paid)), from_park)
    model.finance.book(kind, finance.CITY, model.parks.city[: len(paid)], rest)
    return own - from_park, city - rest


def _generosity(pk) -> np.ndarray:
    return np.column_stack([1.0 - pk.offer_factor, pk.offer_subsidy, pk.offer_rebate, pk.offer_effort])


def _pay(model, budget: np.ndarray) -> np.ndarray:
    """Pay what fell due last year, park by park as far as ``budget`` allows: own subsidies of firms that
    started producing, rebates of their tax, and S7's tax shares. Returns what each park paid."""
    f, pk, w, pol, year = model.firms, model.parks, model.world, model.policy, model.year
    entrants = (f.entry_year == year - 1) & (f.park >= 0) & (f.source > 0)
    f.offer_subsidy[entrants] = pk.offer_subsidy[f.park[entrants]]     # the offer they came under
    f.offer_rebate[entrants] = pk.offer_rebate[f.park[entrants]]
    producing = (f.state == PRODUCING) & (f.park >= 0) & (pk.status[f.park] != REVOKED)
    subsidy = np.where(producing, f.offer_subsidy * f.investment, 0.0)
    rebate = np.where(producing & (year - f.state_year <= w.offer_rebate_years), f.offer_rebate * f.tax, 0.0)
    claims = park_sum(model.firms, model.parks, subsidy + rebate)
    paid_share = pay_ratio(claims, budget)
    share_of_firm = paid_share[np.maximum(f.park, 0)]
    model.tally["offer_subsidies"] += float((subsidy * share_of_firm).sum())
    model.tally["offer_rebates"] += float((rebate * share_of_firm).sum())
    model.tally["offer_claims_unpaid"] += float(((subsidy + rebate) * (1.0 - share_of_firm)).sum())
    f.capital[:] += (subsidy + rebate) * share_of_firm
    f.offer_subsidy[producing] = 0.0                   # paid once (an unpaid part lapses, as S1's claims do)
    paid = claims * paid_share
    pk.offer_spent[:] += paid
    if pol.S7.enabled:     # the local share of a passed firm's tax: from its park's city to the passing park
        sharing = np.flatnonzero((f.tax_sharer >= 0) & (f.state == PRODUCING) & (f.park >= 0)
                                 & (year - 1 - f.entry_year < pol.S7.share_years))
        shared = pol.S7.tax_share * finance.local_tax_share(w, year - 1) * f.tax[sharing]
        model.finance.transfer("tax_shared", (finance.CITY, pk.city[f.park[sharing]]),
                               (finance.PARK, f.tax_sharer[sharing]), shared)
        np.add.at(pk.tax_shared_in, f.tax_sharer[sharing], shared)
        model.tally["tax_shared"] += float(shared.sum())
    return paid


def pass_on(model, proj: dict, parks: np.ndarray, total: np.ndarray, need: np.ndarray) -> np.ndarray:
    """S7 异地流转: projects whose best option (``total`` over ``parks``, then sites and the rest) is a
    park that does not declare their sector are passed to the parks of their set that do and have
    ``need`` mu of room, if one of those still beats the sites and the rest of the country (the
    investor agrees): they lose the other parks' options (``total`` set to −inf in place).
    Expansions and induced projects stay with their park. Returns the passing park of each project (-1)."""
    n, k = parks.shape
    passer = np.full(n, -1)
    if not model.policy.S7.enabled or n == 0 or k == 0:
        return passer
    r = np.arange(n)
    col = np.maximum(parks, 0)
    fits = (parks >= 0) & model.declared[col, proj["sector"][:, None]]
    best = np.argmax(total, axis=1)
    in_park = best < k
    first = np.where(in_park, parks[r, np.minimum(best, k - 1)], -1)
    room = model.ledger.room(col.ravel()).reshape(n, k)
    can = fits & (room >= need[:, :k]) & np.isfinite(total[:, :k])
    fitting = np.where(can, total[:, :k], -np.inf).max(1)
    # The investor agrees to be passed when a fitting park still beats leaving the parks (sites, the rest).
    passed = (in_park & (first >= 0) & ~fits[r, np.minimum(best, k - 1)] & (fitting > total[:, k:].max(1))
              & (proj["home_park"] < 0) & (proj["target"] < 0))
    total[:, :k][passed[:, None] & ~fits] = -np.inf
    passer[passed] = first[passed]
    model.tally["projects_passed"] += int(passed.sum())
    return passer
