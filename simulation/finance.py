"""Local-government finance and platform debt (S1-S8, L6, L8; ODD §7.18).

Every public account — each park (its management committee with its platform company, S8) and each
local government (one per city label of ``model.cities``) — books its money through one ledger,
:class:`Ledger`: arrays (accounts × kinds) for the year, and cash and debt stocks. A flow is
external income, external spending, an internal transfer between two accounts (booked twice, so the
transfers of a year net to zero), borrowing or repayment (cash and debt move together), or a memo
(the L8 discount: money forgone, not paid). Every year, for every account,
income − spending + net transfers = Δcash − Δdebt.

Who pays what:

- cities collect the local share of their firms' taxes (a firm outside parks pays to the city of its
  place, :func:`place_cities`), sell land outside parks, pay S1-S3/S6 awards out of their cash, and
  pay the parks S4 returns and the designation package's retained tax (transfers);
- parks sell industrial land (L6 second phases too) and the commercial land L9 sets aside, pay
  征地拆迁 and 七通一平 for every mu they grant beyond land already converted, receive the province's
  base budget, designation grants, zone set-up money and V3 rewards (transfers from above: external
  income), pass the land income S5 does not leave them to their city, pay interest and repayments
  and build infrastructure as far as their cash and their platform's debt room allow (budgets bind);
- cities spend a share of their income and of the cash they carried into the year on general services
  outside the parks; with S8 their own platform borrows to cover an overdraft, against their cash and
  the unsold land of their parks that the parks' platforms have not drawn on, and services its debt as
  the parks' platforms do (one code path). What a city pays (awards, S4 returns, retained tax) is
  limited by its cash and its platform's room.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import designation, land, subsidy
from .errors import ConfigError
from .state import EXITED, REVOKED, granted_by_park, open_parks, park_sum

INCOME = ("land_sales", "land_sales_other", "tax_local", "idle_fees", "transfers_in", "designation", "rewards",
          "factory_rent")                             # L7 rent of standard factories (factories.py)
SPENDING = ("land_cost", "infrastructure", "subsidies", "zone_setup", "interest",
            "partner_payout",                         # C8 share paid out of the region (cobuild.py)
            "factories",                              # L7 standard factories built (factories.py)
            "land_buyback",                           # X3 buy-backs and X2 refunds of land (idle_land.py)
            "attraction",                             # 招商 effort of the parks' offers (competition.py)
            "general_spending")                       # cities' general services outside parks (cityfin)
INTERNAL = ("tax_returned", "tax_retained", "land_share",
            "tax_shared")                             # C8 share to a partner government, S7 异地流转 share
DEBT = ("borrowing", "repayment")
MEMO = ("land_discount",)
KINDS = INCOME + SPENDING + INTERNAL + DEBT + MEMO
"""Ledger columns. Income and spending are external; internal transfers are signed (+ received)."""
_K = {k: i for i, k in enumerate(KINDS)}
_CASH_SIGN = np.array([1.0] * len(INCOME) + [-1.0] * len(SPENDING) + [1.0] * len(INTERNAL) + [1.0, -1.0, 0.0])
_DEBT_SIGN = np.array([0.0] * (len(INCOME) + len(SPENDING) + len(INTERNAL)) + [1.0, -1.0, 0.0])
PARK, CITY = 0, 1
ACCOUNT_KINDS = ("park", "city")


class Ledger:
    """This year's flows and the cash and debt of every account (parks' stocks live in ParkTable)."""

    def __init__(self, model):
        self.model = model
        self.flows = [np.zeros((0, len(KINDS))), np.zeros((0, len(KINDS)))]
        self.city_cash = np.zeros(0)
        self.city_debt = np.zeros(0)
        self.city_debt_limit = np.zeros(0)     # S8: what each city's platform may owe (set in the finance phase)
        self.opening = [np.zeros((0, 2)), np.zeros((0, 2))]     # cash, debt at the start of the year
        self.rows: list[dict] = []     # each year's closing arrays, one dict per side
        self.coverage = 1.0            # region share of last year's award claims paid
        self.land_mark = np.zeros(0)   # parks' cumulative land income at the last finance phase
        self.place_key, self.place_city = None, np.zeros(1, np.int64)    # cache of place_cities
        self._sizes = (0, 0)        # accounts the arrays have rows for
        self._grow()

    def _grow(self) -> None:
        """Rows for accounts created since (new parks, new city labels): zero flows and stocks. Called
        before every booking and query, so it returns at once when no account was created."""
        sizes = (self.model.parks.n, len(self.model.cities))
        if sizes == self._sizes:
            return
        self._sizes = sizes
        for side, n in enumerate(sizes):
            extra = n - len(self.flows[side])
            if extra > 0:
                self.flows[side] = np.vstack([self.flows[side], np.zeros((extra, len(KINDS)))])
                self.opening[side] = np.vstack([self.opening[side], np.zeros((extra, 2))])
        extra = sizes[CITY] - len(self.city_cash)
        self.city_cash = np.concatenate([self.city_cash, np.zeros(max(extra, 0))])
        self.city_debt = np.concatenate([self.city_debt, np.zeros(max(extra, 0))])
        self.city_debt_limit = np.concatenate([self.city_debt_limit, np.zeros(max(extra, 0))])

    def stocks(self, side: int) -> tuple[np.ndarray, np.ndarray]:
        """(cash, debt) arrays of one side, writable views."""
        pk = self.model.parks
        return (pk.cash, pk.debt) if side == PARK else (self.city_cash, self.city_debt)

    def book(self, kind: str, side: int, index, amount) -> None:
        """Book ``amount`` of ``kind`` on accounts ``index`` of ``side``; cash and debt follow."""
        self._grow()
        index = np.asarray(index, dtype=np.int64).reshape(-1)
        amount = np.asarray(amount, float)
        if amount.shape != index.shape:
            amount = np.broadcast_to(amount, index.shape)
        k = _K[kind]
        np.add.at(self.flows[side][:, k], index, amount)
        cash, debt = self.stocks(side)
        np.add.at(cash, index, _CASH_SIGN[k] * amount)
        np.add.at(debt, index, _DEBT_SIGN[k] * amount)

    def transfer(self, kind: str, src: tuple[int, np.ndarray], dst: tuple[int, np.ndarray], amount) -> None:
        """An internal transfer: ``amount`` from accounts ``src`` (side, index) to ``dst``."""
        self.book(kind, src[0], src[1], -np.asarray(amount, float))
        self.book(kind, dst[0], dst[1], amount)

    def total(self, kind: str, side: int | None = None) -> float:
        """Region total of one kind this year (both sides unless ``side``)."""
        self._grow()
        sides = (PARK, CITY) if side is None else (side,)
        return float(sum(self.flows[s][:, _K[kind]].sum() for s in sides))

    def totals(self) -> dict[str, float]:
        """:meth:`total` of every kind, both sides: the same sums (each a column's pairwise sum, as a
        contiguous row of the transpose; 0.0 + parks + cities, as ``sum`` adds them) in two reductions."""
        self._grow()
        park, city = (np.ascontiguousarray(self.flows[s].T).sum(axis=1) for s in (PARK, CITY))
        return dict(zip(KINDS, ((0.0 + park) + city).tolist()))

    def park_flow(self, kind: str) -> np.ndarray:
        self._grow()
        return self.flows[PARK][:, _K[kind]]

    def close_year(self) -> None:
        """Keep the year's flows and closing stocks (the ``finance`` table) and start the next year."""
        self._grow()
        m = self.model
        names = ([a.name for a in m.park_agents], list(m.cities))
        for side in (PARK, CITY):
            cash, debt = self.stocks(side)
            self.rows.append({"year": np.full(len(cash), m.year), "account_kind": [ACCOUNT_KINDS[side]] * len(cash),
                              "account": np.arange(len(cash)), "name": names[side], "flows": self.flows[side].copy(),
                              "cash": cash.copy(), "debt": debt.copy(), "cash_opening": self.opening[side][:, 0],
                              "debt_opening": self.opening[side][:, 1]})
            self.opening[side] = np.column_stack([cash, debt])
            self.flows[side][:] = 0.0

    def table(self) -> pd.DataFrame:
        """Long table: one row per year × account with its flows by kind and its stocks (built once, at
        the end, from the years' arrays: a frame a year and their concat cost more than the year)."""
        if not self.rows:
            return pd.DataFrame(columns=["year", *KINDS])
        flows = np.concatenate([r["flows"] for r in self.rows])
        columns = {k: np.concatenate([r[k] for r in self.rows]) for k in ("year", "account_kind", "account")}
        columns["name"] = [name for r in self.rows for name in r["name"]]
        columns.update({k: flows[:, i] for i, k in enumerate(KINDS)})
        columns.update({k: np.concatenate([r[k] for r in self.rows])
                        for k in ("cash", "debt", "cash_opening", "debt_opening")})
        return pd.DataFrame(columns)


# ----------------------------------------------------------------------------- queries

def spendable(model) -> np.ndarray:
    """万元 each park can still pay this year: its cash plus the debt room its platform has left (S8)."""
    pk = model.parks
    return np.maximum(pk.cash, 0.0) + np.maximum(pk.debt_limit - pk.debt, 0.0)


def city_spendable(model) -> np.ndarray:
    """万元 each city can still pay: its cash plus its platform's debt room (S8), less any overdraft
    (an overdraft is a claim on that room already), never below 0."""
    led = model.finance
    led._grow()
    return np.maximum(led.city_cash + np.maximum(led.city_debt_limit - led.city_debt, 0.0), 0.0)


def expected_award_coverage(model) -> np.ndarray:
    """Share of an award claim a firm expects each park to pay: what it paid of last year's claims
    (1 before any claim), so a firm's expected subsidy is what the park can actually pay."""
    return np.clip(model.parks.award_coverage, 0.0, 1.0)


def list_price(model) -> np.ndarray:
    """Minimum industrial land price of each park (万元/mu): the base price plus its level's step."""
    return model.world.land_price_base + model.world.level_price_step * model.parks.level


def place_cities(model) -> np.ndarray:
    """:func:`find_place_cities`, computed again only when parks or places were added."""
    led = model.finance
    key = (model.parks.n, len(model.place_ids), len(model.cities))
    if led.place_key != key:
        led.place_key, led.place_city = key, find_place_cities(model)
    return led.place_city


def find_place_cities(model) -> np.ndarray:
    """City account of every place row (and -1 → the last entry, for firms without a place).

    A place's city is the city label most of its parks carry; a place without parks takes that of the
    parks in its parent place or in places with the same parent (its prefecture); failing that, the
    city of the nearest park with a position, or the region's first city."""
    pk = model.parks
    ids = model.place_ids
    n_place = len(ids)
    out = np.zeros(n_place + 1, np.int64)
    if pk.n == 0:
        return out
    counts = np.zeros((n_place, max(len(model.cities), 1)))
    np.add.at(counts, (pk.place, pk.city), 1.0)
    parent = [model.places[i].parent for i in ids]
    by_group: dict[str, np.ndarray] = {}
    for p, par in enumerate(parent):
        for key in (ids[p], par):
            if key:
                by_group[key] = by_group.get(key, 0) + counts[p]
    located = np.flatnonzero(np.isfinite(pk.lon))
    for p in range(n_place):
        row = counts[p]
        if row.sum() == 0:
            row = by_group.get(parent[p]) if parent[p] else None
        if row is not None and np.sum(row) > 0:
            out[p] = int(np.argmax(row))
            continue
        place = model.places[ids[p]]
        lon, lat = getattr(place, "lon", None), getattr(place, "lat", None)
        if len(located) and lon is not None and lat is not None and np.isfinite([lon, lat]).all():
            d = (pk.lon[located] - lon) ** 2 + (pk.lat[located] - lat) ** 2
            out[p] = pk.city[located[np.argmin(d)]]
    return out


def local_tax_share(world, year: int) -> float:
    """Share of a firm's total tax that stays with its local government this year."""
    vat = world.vat_local_share_after if year >= world.vat_reform_year else world.vat_local_share
    other = max(1.0 - world.vat_share_of_tax - world.cit_share_of_tax, 0.0)
    return world.vat_share_of_tax * vat + world.cit_share_of_tax * world.cit_local_share + other * world.other_local_share


def check(world) -> None:
    """ConfigError when the tax composition adds up to more than the whole tax."""
    if world.vat_share_of_tax + world.cit_share_of_tax > 1 + 1e-9:
        raise ConfigError("world.vat_share_of_tax + cit_share_of_tax",
                          world.vat_share_of_tax + world.cit_share_of_tax, "<= 1")


def start(model) -> Ledger:
    """The ledger of a new model; land already granted counts as converted (no cost booked)."""
    check(model.world)
    ledger = Ledger(model)
    model.parks.converted[:] = granted_by_park(model.firms, model.parks)
    return ledger


# ----------------------------------------------------------------------------- the year's flows

def collect_taxes(model) -> None:
    """The local share of every producing firm's tax to its city; land sold outside parks this year
    to the city of its place; then the cities' general spending (:func:`spend_general`). Phase 6, before
    awards, so a city pays awards out of what this year's cash leaves."""
    f, led = model.firms, model.finance
    city_of = place_cities(model)
    alive = f.state != EXITED
    firm_city = np.where(f.park >= 0, model.parks.city[np.maximum(f.park, 0)] if model.parks.n else 0,
                         city_of[f.place])
    share = local_tax_share(model.world, model.year)
    n_city = len(model.cities)
    led.book("tax_local", CITY, np.arange(n_city),
             np.bincount(firm_city[alive], weights=f.tax[alive] * share, minlength=n_city)[:n_city])
    new_out = alive & (f.park < 0) & (f.entry_year == model.year) & (f.grant_year == model.year)
    led.book("land_sales", CITY, np.arange(n_city),
             np.bincount(firm_city[new_out], weights=(f.land * f.land_price)[new_out], minlength=n_city)[:n_city])
    spend_general(model)


def spend_general(model) -> None:
    """The cities' general services outside the parks (the "三保" come first, before awards and transfers to
    parks): ``city_spending_share`` of this year's local tax (the general budget; land income is fund-budget
    money and stays for the parks) plus ``city_carryover_draw`` of the cash carried into the year."""
    led, w = model.finance, model.world
    n_city = len(model.cities)
    general = (w.city_spending_share * led.flows[CITY][:n_city, _K["tax_local"]]
               + w.city_carryover_draw * np.maximum(led.opening[CITY][:n_city, 0], 0.0))
    led.book("general_spending", CITY, np.arange(n_city), general)


def pay_awards(model, started: np.ndarray) -> None:
    """S1 以奖代补 (004 §(十五)) awards to this year's new producers in parks, in S2/S3/S6 priority order, out of the
    fund (``government.fund_budget``) as far as each city's cash and debt room allow; records the share of claims
    paid per park and for the region (what firms expect next year)."""
    pol, f, pk, led = model.policy, model.firms, model.parks, model.finance
    if not pol.S1.enabled:
        return
    rows = started[(f.park[started] >= 0)]
    rows = rows[pk.status[f.park[rows]] != REVOKED]
    claims = f.investment[rows] * subsidy.award_rate(pol, f.hightech[rows])
    major = (f.investment[rows] >= pol.S2.major_min) | f.leading[rows]
    in_leading = model.declared[f.park[rows], f.sector[rows]]
    paid = subsidy.pay_awards(pol, claims, major, in_leading, f.hightech[rows], model.government.fund_budget)
    city = pk.city[f.park[rows]]
    n_city = len(model.cities)
    due = np.bincount(city, weights=paid, minlength=n_city)
    scale = np.divide(city_spendable(model), due, out=np.ones(n_city), where=due > 0)
    paid = paid * np.minimum(scale, 1.0)[city]
    led.book("subsidies", CITY, city, paid)
    f.subsidy[rows] += paid
    f.capital[rows] += paid
    np.add.at(pk.funds, f.park[rows], paid)
    claimed_by_park = np.bincount(f.park[rows], weights=claims, minlength=pk.n)
    paid_by_park = np.bincount(f.park[rows], weights=paid, minlength=pk.n)
    has = claimed_by_park > 0
    pk.award_coverage[has] = paid_by_park[has] / claimed_by_park[has]
    if claims.sum() > 0:
        led.coverage = float(paid.sum() / claims.sum())
    model.government.fund_paid_total += paid.sum()
    t = model.tally
    t["subsidies_paid"] += float(paid.sum())
    t["subsidy_to_leading_industry"] += float(paid[in_leading].sum())
    t["subsidy_to_hightech"] += float(paid[f.hightech[rows]].sum())
    t["subsidy_to_major"] += float(paid[major].sum())


def credit_idle_fees(model, park: np.ndarray, amount: np.ndarray) -> None:
    """X2 idle fees: income of the park the land lies in (land outside parks: of its place's city)."""
    f = model.firms
    m = amount > 0
    inside = m & (park >= 0)
    model.finance.book("idle_fees", PARK, park[inside], amount[inside])
    outside = m & (park < 0)
    model.finance.book("idle_fees", CITY, place_cities(model)[f.place[outside]], amount[outside])
    np.add.at(model.parks.land_income, park[inside], amount[inside])
    model.tally["idle_fees"] += float(amount[inside].sum())     # the parks' (their land_income counts them)


def second_phase(model, rows: np.ndarray) -> None:
    """L6 (004 §(十三)): the rest of a phased grant, as far as the park's ungranted area and this year's
    land allow (its reusable land, then its own remaining quota: the second phase takes quota), sold at
    the firm's price of its first phase. It is a batch application of its own, so L5 caps it
    (``land.batch_cap``), and it passes E4 only in a park still within its emission quota (the
    project's emission was reserved in full at its first grant; a park over its quota, 003 六(一),
    supplies no more land). Land not supplied now is not supplied later."""
    f, pk, ledger, pol = model.firms, model.parks, model.ledger, model.policy
    rows = rows[(f.land_pending[rows] > 0) & (f.park[rows] >= 0)]
    if len(rows) == 0:
        return
    room = np.minimum(np.maximum(pk.area - granted_by_park(model.firms, model.parks), 0.0),
                      ledger.reusable + np.minimum(ledger.greenfield, np.maximum(ledger.quota, 0.0)))
    if pol.E4.enabled:
        room = np.where(ledger.emission_room >= 0, room, 0.0)
    # Served in row order within each park: a firm gets what the earlier ones left of the room.
    rows = rows[np.argsort(f.park[rows], kind="stable")]
    park = f.park[rows]
    pending = np.minimum(f.land_pending[rows], land.batch_cap(pol, ledger.plan, pk.area, pk.place,
                                                              open_parks(model.parks))[park])       # L5
    before = np.cumsum(pending) - pending
    first = np.searchsorted(park, park)                     # first row of each firm's park
    before -= before[first]
    give = np.minimum(pending, np.maximum(room[park] - before, 0.0))
    given = np.bincount(park, weights=give, minlength=pk.n)
    reused = np.minimum(given, ledger.reusable)              # reused land first, as far as it goes
    new = given - reused
    for arr, used in ((ledger.reusable, reused), (ledger.greenfield, new), (ledger.quota, new)):
        arr -= used
    ledger.used += new
    ledger.reused += reused
    pk.reusable[:] -= np.minimum(reused, pk.reusable)
    f.land[rows] += give
    f.land_pending[rows] = 0.0
    income = give * f.land_price[rows]
    np.add.at(pk.land_income, park, income)
    model.finance.book("land_discount", PARK, park, np.maximum(list_price(model)[park] - f.land_price[rows], 0) * give)
    model.tally["land_income"] += float(income.sum())


def sell_set_aside(model, park: int, mu: float) -> None:
    """L9: the commercial and residential share of an expansion's set-aside land is converted and sold."""
    w = model.world
    sold = mu * w.commercial_set_aside_share
    model.finance.book("land_sales_other", PARK, [park], sold * w.commercial_land_price)
    model.finance.book("land_cost", PARK, [park], sold * (w.land_conversion_cost + w.site_preparation_cost))


def open_zones(model, rows: np.ndarray, cost: np.ndarray) -> None:
    """New zones: the province funds their set-up (a designation transfer), the zone spends it on
    land conversion and first infrastructure; their whole area counts as converted."""
    model.finance.book("designation", PARK, rows, cost)
    model.finance.book("zone_setup", PARK, rows, cost)
    model.parks.converted[rows] = model.parks.area[rows]


def finance_parks(model) -> None:
    """Phase 8: land sales and costs, transfers, debt service, platform borrowing (S8), infrastructure."""
    pk, pol, w, led, f = model.parks, model.policy, model.world, model.finance, model.firms
    led._grow()
    n = pk.n
    parks = np.arange(n)
    live = pk.alive & (pk.status != REVOKED)
    # Land: industrial sales this year (cumulative land income less last year's mark and idle fees),
    # the L8 discount forgone, and the cost of converting and preparing land newly granted.
    mark = np.concatenate([led.land_mark, np.zeros(n - len(led.land_mark))])
    sales = pk.land_income - mark - led.park_flow("idle_fees")
    led.book("land_sales", PARK, parks, np.maximum(sales, 0.0))
    new = (f.entry_year == model.year) & (f.park >= 0) & (f.state != EXITED)
    led.book("land_discount", PARK, f.park[new],
             np.maximum(list_price(model)[f.park[new]] - f.land_price[new], 0.0) * f.land[new])
    granted = granted_by_park(model.firms, model.parks)
    fresh = np.maximum(granted - pk.converted, 0.0)
    pk.converted[:] = np.maximum(pk.converted, granted)
    led.book("land_cost", PARK, parks, fresh * (w.land_conversion_cost + w.site_preparation_cost))
    pk.debt_service[:] = service_debt(model, PARK)
    # Transfers: from above (base budget, grants, V3 rewards) and from the city (retained tax, S4).
    tax = park_sum(model.firms, model.parks, f.tax)
    steps = designation.level_steps(pk.level, pk.status)
    base = designation.base_budget(w, steps) * pk.area * live
    grants = model.designation.pay_grants() * live
    rewards = (pol.V3.award * pk.rewarded * live) if pol.V3.enabled else np.zeros(n)
    led.book("transfers_in", PARK, parks, base)
    led.book("designation", PARK, parks, grants)
    led.book("rewards", PARK, parks, rewards)
    city = pk.city
    retained = _city_pays(model, "tax_retained", city, designation.retained_tax(w, steps, tax) * live)
    returned = _city_pays(model, "tax_returned", city, _tax_returns(model, tax) * live)
    # S5 (004 §(十三)): the park keeps its net land income (sales less costs) for its infrastructure; the rest of a
    # positive net goes to its city.
    net = np.maximum(led.park_flow("land_sales") + led.park_flow("land_sales_other") - led.park_flow("land_cost"), 0.0)
    kept = (pol.S5.share * live if pol.S5.enabled else np.zeros(n)) * net
    led.transfer("land_share", (PARK, parks), (CITY, city), net - kept)
    # S8 (002 三(五)1-2; 003 九(四)): awards and tax returns become the platform's capital; it borrows
    # against capital and unsold land.
    if pol.S8.enabled:
        pk.capital[:] += rewards + returned
    unsold = np.maximum(pk.area - granted, 0.0) * list_price(model) * live
    pk.debt_limit[:] = pledge(pol, pk.capital + unsold) * live
    # The platform first covers what the year's cash did not (debt service, land costs), as far as it may.
    cover_overdraft(model, PARK, pk.debt_limit)
    room = np.maximum(pk.debt_limit - pk.debt, 0.0)
    # Infrastructure: the earmarked money plus the platform's draw, no more than closes the gap to
    # full infrastructure, and no more than cash and debt room allow (budgets bind).
    earmarked = base + kept + returned + retained + grants + rewards
    wanted = np.minimum(earmarked + pol.S8.draw_share * room * pol.S8.enabled,
                        w.infra_cost * np.maximum(pk.area, 1.0) * (1.0 - pk.infrastructure))
    spend = np.clip(wanted, 0.0, np.maximum(pk.cash, 0.0) + room) * pk.alive
    borrow = np.minimum(np.maximum(spend - np.maximum(pk.cash, 0.0), 0.0), room)
    led.book("borrowing", PARK, parks, borrow)
    led.book("infrastructure", PARK, parks, spend)
    pk.infrastructure[:] = subsidy.improve_infrastructure(pk.infrastructure, spend, pk.area,
                                                          w.infra_cost, w.infra_depreciation)
    pk.tax_returned[:] += returned
    pk.funds[:] += rewards
    pk.last_tax[:] = tax
    t = model.tally
    t["tax_retained"] += float(retained.sum())
    t["designation_grants"] += float(grants.sum())
    t["tax_returned"] += float(returned.sum())
    t["park_rewards"] += float(rewards.sum())
    led.land_mark = pk.land_income.copy()
    finance_cities(model, unsold)


def finance_cities(model, unsold: np.ndarray) -> None:
    """The cities' finance phase (after their parks'): debt service and, with S8, their platform's
    borrowing to cover an overdraft against their cash and the unsold land of their open parks
    (``unsold``: 万元 at the minimum price) less what those parks' platforms owe."""
    led, pol = model.finance, model.policy
    n_city = len(model.cities)
    service_debt(model, CITY)
    pk = model.parks
    parks_land = np.bincount(pk.city, weights=unsold, minlength=n_city)[:n_city]
    owed = np.bincount(pk.city, weights=pk.debt, minlength=n_city)[:n_city]
    led.city_debt_limit[:] = np.maximum(pledge(pol, np.maximum(led.city_cash, 0.0) + parks_land) - owed, 0.0)
    cover_overdraft(model, CITY, led.city_debt_limit)


def pledge(policy, assets: np.ndarray) -> np.ndarray:
    """S8: what a platform may owe against ``assets`` (万元): ``leverage`` × assets; nothing without S8."""
    return policy.S8.leverage * assets if policy.S8.enabled else np.zeros_like(assets)


def service_debt(model, side: int) -> np.ndarray:
    """S8 debt service of every account of ``side``: interest on its opening debt and repayment over the
    maturity, booked; returns interest + repayment."""
    pol, led = model.policy, model.finance
    debt = led.stocks(side)[1].copy()
    index = np.arange(len(debt))
    interest = pol.S8.interest_rate * debt
    repay = np.minimum(debt / pol.S8.maturity, debt)
    led.book("interest", side, index, interest)
    led.book("repayment", side, index, repay)
    return interest + repay


def cover_overdraft(model, side: int, limit: np.ndarray) -> None:
    """A platform borrows what its account is overdrawn, as far as its debt room (``limit`` − debt) allows."""
    cash, debt = model.finance.stocks(side)
    model.finance.book("borrowing", side, np.arange(len(cash)),
                       np.minimum(np.maximum(-cash, 0.0), np.maximum(limit - debt, 0.0)))


def _tax_returns(model, tax: np.ndarray) -> np.ndarray:
    """S4: share of the increase of the local share of each park's tax over the base — last year's (环比,
    the seed) or the first year's — for the first ``years`` years (004 §(十四) 5年内"三税"上解市级财政环比增量
    部分全额返还园区: only what the local treasury received is returned, at this year's local share)."""
    pol, pk = model.policy, model.parks
    if not pol.S4.enabled or model.rules_year - 1 >= pol.S4.years:
        return np.zeros(pk.n)
    base = pk.last_tax if pol.S4.base == "previous_year" else pk.base_tax
    return pol.S4.share * local_tax_share(model.world, model.year) * np.maximum(tax - base, 0.0)


def _city_pays(model, kind: str, city: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """A transfer from each park's city to the park, scaled down where the city's cash and debt room
    (:func:`city_spendable`) fall short."""
    led = model.finance
    n_city = len(model.cities)
    due = np.bincount(city, weights=amount, minlength=n_city)
    # min(room, due) / due: the share paid, at most 1, without overflowing where ``due`` is subnormal
    scale = np.divide(np.minimum(city_spendable(model), due), due, out=np.ones(n_city), where=due > 0)
    paid = amount * scale[city]
    led.transfer(kind, (CITY, city), (PARK, np.arange(len(amount))), paid)
    return paid


# ----------------------------------------------------------------------------- outputs

SERIES = ("fin_income", "fin_spending", "fin_land_sales", "fin_tax_local", "fin_transfers_in", "fin_land_cost",
          "fin_infrastructure", "fin_subsidies", "fin_tax_returned", "fin_land_discount", "fin_designation",
          "fin_interest", "fin_debt_service", "fin_debt", "fin_cash", "fin_instrument_cost",
          "fin_general_spending", "fin_city_cash", "fin_city_debt")


def series(model) -> dict:
    """Region totals of this year's flows (万元/yr) and the closing stocks (万元)."""
    led = model.finance
    led._grow()
    tot = led.totals()
    subsidies = tot["subsidies"] + tot["rewards"]
    returned = led.total("tax_returned", PARK)
    designation_ = tot["designation"]
    out = {
        "fin_income": sum(tot[k] for k in INCOME), "fin_spending": sum(tot[k] for k in SPENDING),
        "fin_land_sales": tot["land_sales"] + tot["land_sales_other"], "fin_tax_local": tot["tax_local"],
        "fin_transfers_in": tot["transfers_in"] + tot["designation"] + tot["rewards"],
        "fin_land_cost": tot["land_cost"], "fin_infrastructure": tot["infrastructure"],
        "fin_subsidies": subsidies, "fin_tax_returned": returned, "fin_land_discount": tot["land_discount"],
        "fin_designation": designation_, "fin_interest": tot["interest"],
        "fin_debt_service": tot["interest"] + tot["repayment"],
        "fin_debt": float(model.parks.debt.sum() + led.city_debt.sum()),
        "fin_cash": float(model.parks.cash.sum() + led.city_cash.sum()),
        "fin_instrument_cost": subsidies + returned + tot["land_discount"] + designation_,
        "fin_general_spending": tot["general_spending"],
        "fin_city_cash": float(led.city_cash.sum()), "fin_city_debt": float(led.city_debt.sum()),
    }
    return {k: float(v) for k, v in out.items()}
