"""Idle land and exit (闲置土地、腾笼换鸟, X1-X5): which firms lose land or leave, and why.

Most functions return a boolean mask over firm rows; the model applies the exits and returns the land
to the park's reusable stock. :func:`buy_back` (X3) applies its own outcome: each firm moves or exits.
"""

from __future__ import annotations

import numpy as np

from . import relocation
from .finance import PARK
from .firm_exit import exit_firms
from .policy import Policy
from .state import BUILDING, EXITED, GRANTED, PRODUCING, STOPPED


def idle_takeback(policy: Policy, state, grant_year, state_year, year: int) -> np.ndarray:
    """X1 (000 §(十八)): land idle ``idle_years`` after the grant (never started, or stopped) is taken back."""
    if not policy.X1.enabled:
        return np.zeros(len(state), bool)
    unstarted = (state == GRANTED) & (year - grant_year >= policy.X1.idle_years)
    stopped = (state == STOPPED) & (year - state_year >= policy.X1.idle_years)
    return unstarted | stopped


def idle_fee(policy: Policy, state, grant_year, year: int, invested=None) -> np.ndarray:
    """X2 (004 §(九) 一年以上未动工建设或实际投资不足总投资的25%): unstarted, or under construction with
    ``invested`` (share of the investment made) below ``min_invested_share``, ``fee_years`` after
    supply → pays the idle-land fee this year."""
    if not policy.X2.enabled:
        return np.zeros(len(state), bool)
    low = (state == BUILDING) & (invested < policy.X2.min_invested_share) if invested is not None else False
    return ((state == GRANTED) | low) & (year - grant_year >= policy.X2.fee_years)


def invested_share(state, build_left, build_years: int) -> np.ndarray:
    """Share of its investment a project has made: construction years done / ``build_years`` while
    building, 0 before, 1 after."""
    done = np.clip(1.0 - build_left / max(build_years, 1), 0.0, 1.0)
    return np.select([state == GRANTED, state == BUILDING], [0.0, done], 1.0)


def agreement_takeback(policy: Policy, state, grant_year, year: int, margin) -> np.ndarray:
    """X2 (004 §(九) 若一年内无力建设的,可协议收回用地): unstarted ``agreement_years`` after supply and
    unable to build (margin below ``agreement_margin``) → land taken back by agreement."""
    if not policy.X2.enabled:
        return np.zeros(len(state), bool)
    return (state == GRANTED) & (year - grant_year == policy.X2.agreement_years) & (margin < policy.X2.agreement_margin)


def deadline_takeback(policy: Policy, state, grant_year, year: int) -> np.ndarray:
    """X2 (004 §(九)): unstarted ``takeback_years`` after supply → land taken back."""
    if not policy.X2.enabled:
        return np.zeros(len(state), bool)
    return (state == GRANTED) & (year - grant_year >= policy.X2.takeback_years)


def return_by_agreement(model) -> None:
    """X2: the projects of :func:`agreement_takeback` hand their land back; the park refunds the price
    they paid (spending of the park's account; a ``land_refund`` event per park)."""
    f = model.firms
    mask = agreement_takeback(model.policy, f.state, f.grant_year, model.year, f.margin)
    inside = np.flatnonzero(mask & (f.park >= 0))
    refund = np.bincount(f.park[inside], weights=f.land[inside] * f.land_price[inside], minlength=model.parks.n)
    for p in np.flatnonzero(refund > 0):
        model.recorder.event("land_refund", "X2", park=int(p), value=float(refund[p]))
    model.finance.book("land_buyback", PARK, np.arange(model.parks.n), refund)
    exit_firms(model, mask, "land_returned", "X2")


def capacity_shortfall(policy: Policy, state, state_year, year: int, output, capacity) -> np.ndarray:
    """X2 (004 §(九)): share of land to take back from producers below ``min_capacity`` at the deadline.

    The deadline is counted from the start of production (a project cannot reach capacity before it
    is built); the unused share of land (1 − output/capacity) is recovered once.
    """
    if not policy.X2.enabled:
        return np.zeros(len(state))
    due = (state == PRODUCING) & (year - state_year == policy.X2.capacity_years)
    ratio = np.divide(output, capacity, out=np.ones(len(state)), where=capacity > 0)
    return np.where(due & (ratio < policy.X2.min_capacity), 1.0 - np.clip(ratio, 0, 1), 0.0)


def low_efficiency_buyback(policy: Policy, state, low_tax_years) -> np.ndarray:
    """X3 腾笼换鸟 (000 §(十八); 003 六(三)): firms below the tax-per-mu floor for ``years`` years."""
    if not policy.X3.enabled:
        return np.zeros(len(state), bool)
    return (state == PRODUCING) & (low_tax_years >= policy.X3.years)


def buy_back(model, mask: np.ndarray) -> None:
    """X3 腾笼换鸟 (000 §(十八) 政府主导下的流转、优进劣出; 003 六(三)): park firms in ``mask`` sell their land
    back to the park at the price they paid (spending of the park's account; a ``buyback_paid`` event
    per park). Each firm then chooses: a going concern (profit > 0) moves,
    whole, to another open park of its city that admits it and has room (``relocation.move_out``);
    the others take the money and exit."""
    f = model.firms
    rows = np.flatnonzero(mask & (f.park >= 0) & (f.state != EXITED))
    if not len(rows):
        return
    paid = f.land[rows] * f.land_price[rows]
    per_park = np.bincount(f.park[rows], weights=paid, minlength=model.parks.n)
    for p in np.flatnonzero(per_park > 0):
        model.recorder.event("buyback_paid", "X3", park=int(p), value=float(per_park[p]))
    model.finance.book("land_buyback", PARK, np.arange(model.parks.n), per_park)
    f.capital[rows] += paid
    m = relocation.move_out(model, rows[f.profit[rows] > 0], "X3", "bought_out")
    model.investment.book_relocations(m.rows, m.from_place, m.to_place, m.from_park, m.to_park, m.amount)
    leave = np.zeros(f.n, bool)
    leave[np.setdiff1d(rows, m.rows)] = True
    exit_firms(model, leave, "land_bought_back", "X3")


def stopped_resolved(policy: Policy, state, state_year, year: int, bankruptcy_years: int) -> np.ndarray:
    """Stopped firms and stalled projects that leave this year and free their land.

    X4 (003 六(三)): resolved within the year, by takeover where a healthy firm of the same park and
    sector can take them (:func:`takeovers`), else by liquidation. Without X4 they stay locked for
    ``bankruptcy_years``.
    """
    stopped = state == STOPPED
    if policy.X4.enabled:
        return stopped
    return stopped & (year - state_year >= bankruptcy_years)


def takeovers(policy: Policy, resolved, state, park, sector, profit) -> np.ndarray:
    """X4 多兼并重组、少破产清算 (003 六(三)): for each resolved stopped firm in a park, the healthy firm
    that takes it over (-1: none, it is liquidated): the most profitable producer (profit > 0) of
    the same park and sector. Several stopped firms may go to the same buyer."""
    buyer = np.full(len(state), -1)
    if not policy.X4.enabled:
        return buyer
    healthy = np.flatnonzero((state == PRODUCING) & (park >= 0) & (profit > 0))
    stopped = np.flatnonzero(resolved & (park >= 0))
    if not len(healthy) or not len(stopped):
        return buyer
    n_sec = int(sector.max()) + 1
    cell = park.astype(np.int64) * n_sec + sector
    top = np.full(int(cell[healthy].max()) + 1, -np.inf)
    np.maximum.at(top, cell[healthy], profit[healthy])
    best = healthy[profit[healthy] == top[cell[healthy]]]          # each cell's most profitable producers
    cells, first = np.unique(cell[best], return_index=True)        # the first (lowest row) of each cell
    at = np.searchsorted(cells, cell[stopped])
    found = (at < len(cells)) & (cells[np.minimum(at, len(cells) - 1)] == cell[stopped])
    buyer[stopped[found]] = best[first[at[found]]]
    return buyer


def take_over(model, resolved: np.ndarray) -> None:
    """X4: the resolved stopped firms that a healthy firm takes over (:func:`takeovers`) leave as
    ``taken_over``; their land and plant (capacity, and the investment behind it) pass to the buyer,
    so the land is reused at once. The others are left for the caller to liquidate."""
    f, pk = model.firms, model.parks
    buyer = takeovers(model.policy, resolved & (f.state != EXITED), f.state, f.park, f.sector, f.profit)
    rows = np.flatnonzero(buyer >= 0)
    if not len(rows):
        return
    to, land, park = buyer[rows], f.land[rows].copy(), f.park[rows].copy()
    np.add.at(f.capacity, to, f.capacity[rows])
    np.add.at(f.investment, to, f.investment[rows])
    mask = np.zeros(f.n, bool)
    mask[rows] = True
    exit_firms(model, mask, "taken_over", "X4")                  # land to the park's reusable stock …
    np.subtract.at(pk.reusable, park, land)                 # … and straight on to the buyer
    np.add.at(f.land, to, land)
    model.tally["land_reused"] += float(land.sum())


def polluter_exits(policy: Policy, producing, pollution_class, energy, output, cap: float) -> np.ndarray:
    """X5 (001 四(六)): above the energy cap, class-III firms exit, most energy-intensive first.

    The clause controls the zones' (开发区) energy use: ``producing`` is the park producers' mask and
    ``cap`` grows from their base-year use (:func:`energy_base`)."""
    total = energy[producing].sum()
    if not policy.X5.enabled or total <= cap:
        return np.zeros(len(producing), bool)
    candidates = np.flatnonzero(producing & (pollution_class >= 3))
    per_output = energy[candidates] / np.maximum(output[candidates], 1e-9)
    ordered = candidates[np.argsort(-per_output, kind="stable")]
    excess = total - cap
    cut = np.cumsum(energy[ordered])
    n = int(np.searchsorted(cut, excess)) + 1
    mask = np.zeros(len(producing), bool)
    mask[ordered[:n]] = True
    return mask



def energy_base(energy: np.ndarray, park: np.ndarray) -> float:
    """X5 (001 四(六) 开发区能源消费总量…"双控"): the base-year energy use the cap grows from, of park firms only."""
    return float(energy[park >= 0].sum())
