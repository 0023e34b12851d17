"""Investment that is created, diverted, relocated or lost (issue 10 §3; ODD §7.1).

Each year three sources bring projects (:func:`draw_projects`): mobile projects from outside the
region, start-ups founded in a place in proportion to its related producing firms, and expansions
of profitable incumbents. Each project chooses (:func:`admit`) among a choice set of parks (all of
them, or a sample with McFadden's correction, :func:`choice_set`), a site outside parks in each
place with a position (unless L1 forbids it) and the rest of the country. A refused project adapts
as an investor would: it builds denser when only E1 refuses it, takes its next-best park, settles
outside parks, or leaves. :class:`InvestmentLedger` books every location decision exactly once as
created, diverted, relocated or lost, so arrivals = created + diverted + relocated + lost.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from . import chains, choice, competition, entry, factories, land, location
from .places import haversine_km
from .production import CLASS_FACTOR, POLLUTION_SCALE
from .state import EXITED, PRODUCING, leading_share, open_parks, rows_in

INITIAL, MOBILE, STARTUP, EXPANSION = range(4)
SOURCES = ("initial", "mobile", "startup", "expansion")
ACCOUNTS = ("created", "diverted", "relocated", "lost")
ADAPTATIONS = ("first_choice", "densified", "next_park", "outside", "left")
"""How a project ended up where it did: its first choice, or after a refusal (E1, E2, E3, C2, a
closed park or no land) by building denser, in its next-best park, outside parks, or elsewhere."""
REFUSALS = ("", "E1", "E2", "E3", "C2", "E4", "L2", "no_land", "pool", "S7")
"""Which rule turned a project away from its first choice (``refused_by`` code; "" none): an entry
rule (E1-E3, C2 gate: the first in clause order that refuses alone), the land ledger (E4 emission room;
L2 a general project without reused land; no_land: the park's quota, greenfield, pool and reserve,
as L2-L4 split them; pool: a site outside parks when the common pool is empty), or S7 (passed on)."""
ENTRY_RULES = ("E1", "E2", "E3", "C2")
OUTSIDE, REST = -1, -2      # column kinds besides park rows: a site outside parks; the rest of the country
KM_UNIT = 100.0             # beta_distance is utility per 100 km
GRID = 4096                 # cells of the draw look-up table (choice_set): an exact speed-up, not a parameter


class InvestmentLedger:
    """Every location decision of the run, booked once, with its account, amount and places.

    Arrivals are counted when projects are drawn (:meth:`arrive`) and when relocations are booked,
    independently of the bookings, so the identity arrivals = created + diverted + relocated + lost
    checks that no decision vanished or was booked twice.
    """

    FIELDS = ("year", "account", "adaptation", "source", "amount", "firm", "to_park", "to_place",
              "from_park", "from_place", "refused_park", "refused_by")

    def __init__(self):
        self.year = 0
        self._parts: dict[str, list[np.ndarray]] = {k: [] for k in self.FIELDS}
        self._totals: dict[int, defaultdict] = {}

    def begin_year(self, year: int) -> None:
        """Decisions booked from now on belong to ``year``."""
        self.year = year
        self._totals.setdefault(year, defaultdict(float))

    def arrive(self, amount: np.ndarray) -> None:
        """Projects (or moves) that arrive for a decision this year, 万元 each."""
        t = self._totals.setdefault(self.year, defaultdict(float))
        t["invest_arrivals"] += len(amount)
        t["invest_arrivals_wan"] += float(np.sum(amount))

    def _book(self, account: np.ndarray, amount: np.ndarray, **columns) -> None:
        n = len(amount)
        values = {"year": self.year, "account": account, "amount": amount, "adaptation": 0, "source": -1,
                  "firm": -1, "to_park": -1, "to_place": -1, "from_park": -1, "from_place": -1,
                  "refused_park": -1, "refused_by": 0, **columns}
        for key in self.FIELDS:                 # each column a copy of its own, n long
            value = np.asarray(values[key], float if key == "amount" else np.int64)
            self._parts[key].append(value.copy() if value.shape == (n,) else np.full(n, value))
        t = self._totals.setdefault(self.year, defaultdict(float))
        accounts = np.bincount(self._parts["account"][-1], minlength=len(ACCOUNTS))
        for code, name in enumerate(ACCOUNTS):
            t[f"invest_{name}"] += int(accounts[code])
            t[f"invest_{name}_wan"] += float(amount[account == code].sum()) if accounts[code] else 0.0
        adaptations = np.bincount(self._parts["adaptation"][-1], minlength=len(ADAPTATIONS))
        for code, name in enumerate(ADAPTATIONS[1:], start=1):
            t[f"adapted_{name}"] += int(adaptations[code])

    def book_projects(self, amount, source, origin, to_park, to_place, adaptation, refused_park, left, firm,
                      refused_by=0) -> None:
        """Projects that chose: lost if they ``left``; else diverted when they settled in a place of the
        region other than their origin place, created otherwise (new to the region, or new at home).
        ``refused_by``: codes in :data:`REFUSALS`."""
        origin, to_place = np.asarray(origin), np.asarray(to_place)
        diverted = (origin >= 0) & (to_place >= 0) & (to_place != origin)
        account = np.where(left, 3, np.where(diverted, 1, 0))
        self._book(account, np.asarray(amount, float), adaptation=adaptation, source=source, firm=firm,
                   to_park=to_park, to_place=to_place, from_place=origin, refused_park=refused_park,
                   refused_by=refused_by)

    def book_relocations(self, rows, from_place, to_place, from_park, to_park, amount) -> None:
        """Existing firms (``rows``) that moved: each arrives for a decision and is booked relocated."""
        amount = np.asarray(amount, float) * np.ones(len(rows))
        self.arrive(amount)
        self._book(np.full(len(rows), 2), amount, firm=rows, from_place=from_place, to_place=to_place,
                   from_park=from_park, to_park=to_park)

    def totals(self, year: int) -> dict[str, float]:
        """The series columns of ``year``: arrivals and each account (count, 万元), adaptations."""
        t = self._totals.get(year, {})
        keys = ["invest_arrivals", *(f"invest_{a}" for a in ACCOUNTS)]
        out = {k2: float(t.get(k2, 0.0)) for k in keys for k2 in (k, f"{k}_wan")}
        out.update({f"adapted_{a}": float(t.get(f"adapted_{a}", 0.0)) for a in ADAPTATIONS[1:]})
        return out

    def bookings(self) -> pd.DataFrame:
        """One row per booked decision (codes: account in ACCOUNTS, adaptation in ADAPTATIONS)."""
        return pd.DataFrame(self._columns())

    def _columns(self) -> dict[str, np.ndarray]:
        return {k: np.concatenate(v) if v else np.zeros(0, float if k == "amount" else np.int64)
                for k, v in self._parts.items()}

    def table(self, park_names: list[str], place_ids: list[str]) -> pd.DataFrame:
        """Long table: year, unit ('park' | 'place' | 'region'), id, kind, count, amount_wan, refused_by.

        Region: arrivals, the four accounts and the adaptations, these by the rule that refused the
        projects (``refused_by``, a rule id of :data:`REFUSALS`; "" on the other rows). Place:
        created, diverted, relocated by destination, lost by origin, diverted_out and relocated_out
        by origin. Park: created, diverted, relocated by destination, relocated_out by origin, lost
        by the park that refused the project (its first choice).
        """
        b = self._columns()
        account, every = b["account"], np.ones(len(b["account"]), bool)
        adapted = b["adaptation"] > 0
        # (rows, unit, id column (None: the region), kind code in KINDS (None: the account), refused_by)
        parts = [(every, "region", None, None, False), (adapted, "region", None, 6 + b["adaptation"], True),
                 (account != 3, "place", "to_place", None, False), (account == 3, "place", "from_place", None, False),
                 (account == 1, "place", "from_place", 4, False), (account == 2, "place", "from_place", 5, False),
                 (account != 3, "park", "to_park", None, False), (account == 3, "park", "refused_park", None, False),
                 (account == 2, "park", "from_park", 5, False)]
        units = ("park", "place", "region")
        key = {c: [] for c in ("year", "unit", "id", "kind", "refused_by", "amount")}
        for mask, unit, column, kind, by in parts:
            rows = np.flatnonzero(mask & (b[column] >= 0) if column else mask)
            for c, v in (("year", b["year"]), ("id", b[column] if column else -1),
                         ("kind", account if kind is None else kind), ("refused_by", b["refused_by"] if by else 0),
                         ("amount", b["amount"])):
                key[c].append(np.broadcast_to(v, len(mask))[rows])
            key["unit"].append(np.full(len(rows), units.index(unit)))
        key = {c: np.concatenate(v) for c, v in key.items()}
        # One group-by on a packed integer key: each (unit, kind) comes from one part, with its rows in
        # booking order, so the sums are those of a group-by per part (pandas' compensated sum); sorted,
        # so that parks of the same name keep the order of their rows, as the stable sort below needs.
        n_id, n_kind, n_why = max(len(park_names), len(place_ids)) + 1, len(KINDS), len(REFUSALS)
        code = (((key["year"] * len(units) + key["unit"]) * n_kind + key["kind"]) * n_why
                + key["refused_by"]) * n_id + key["id"] + 1
        g = pd.Series(key["amount"]).groupby(code, sort=True).agg(["size", "sum"])
        code, ident = np.divmod(g.index.to_numpy(), n_id)
        code, why = np.divmod(code, n_why)
        code, kind = np.divmod(code, n_kind)
        year, unit = np.divmod(code, len(units))
        offset = np.array([0, len(park_names), 0])[unit]        # ids are stored + 1: the region's -1 is 0
        t = self._totals
        arrivals = np.array([[y, t[y]["invest_arrivals"], t[y]["invest_arrivals_wan"]] for y in sorted(t)]
                            ).reshape(-1, 3)
        first = np.zeros(len(arrivals), np.int64)               # the arrivals rows: region, "arrivals", ""
        columns = {"year": np.concatenate([arrivals[:, 0].astype(int), year]),
                   "unit": (units, np.concatenate([first + units.index("region"), unit])),
                   "id": (("region", *park_names, *place_ids), np.concatenate([first, offset + ident])),
                   "kind": ((*KINDS, "arrivals"), np.concatenate([first + len(KINDS), kind])),
                   "refused_by": (REFUSALS, np.concatenate([first, why]))}
        # Sorted as sort_values(["year", "unit", "id", "kind", "refused_by"], kind="stable") sorts the text:
        # a stable lexsort of each text's rank in code-point order (equal texts, equal ranks).
        rank = {k: _text_ranks(v[0])[v[1]] for k, v in columns.items() if k != "year"}
        order = np.lexsort([rank[k] for k in ("refused_by", "kind", "id", "unit")] + [columns["year"]])
        text = {k: pd.array(v[0], dtype="str").take(v[1][order]) if len(order) else np.zeros(0, object)
                for k, v in columns.items() if k != "year"}           # none: object columns, as pandas makes them
        return pd.DataFrame({"year": columns["year"][order], "unit": text["unit"], "id": text["id"],
                             "kind": text["kind"],
                             "count": np.concatenate([arrivals[:, 1], g["size"].to_numpy()]).astype(int)[order],
                             "amount_wan": np.concatenate([arrivals[:, 2], g["sum"].to_numpy()]).astype(float)[order],
                             "refused_by": text["refused_by"]})


def _text_ranks(texts) -> np.ndarray:
    """Rank of each text among the distinct ``texts`` in code-point order (pandas' order of str values)."""
    position = {value: i for i, value in enumerate(sorted(set(texts)))}
    return np.array([position[value] for value in texts], np.int64)


KINDS = (*ACCOUNTS, "diverted_out", "relocated_out", *ADAPTATIONS)
"""The investment table's kinds besides arrivals: the accounts, the outflows by origin, the adaptations."""


def start(model) -> InvestmentLedger:
    """The run's ledger; the initial firms' origin is the place they stand in (they are incumbents)."""
    f = model.firms
    f.origin[:] = f.place
    return InvestmentLedger()


# ----------------------------------------------------------------------------- sources

def relatedness(io: np.ndarray) -> np.ndarray:
    """(S, S) weight of a firm of sector s' in the related stock of sector s: 1 for the same sector,
    else the IO tie both ways, A[s', s] + A[s, s'], capped at 1 (a supplier or customer breeds
    suppliers and customers: spin-offs and local sourcing)."""
    r = np.minimum(io + io.T, 1.0)
    np.fill_diagonal(r, 1.0)
    return r


def startups(counts: np.ndarray, io: np.ndarray, rate: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Start-ups of the year: Poisson(``rate`` × related producing firms) in each (place, sector) cell.

    ``counts`` (Q, S) are producing firms by place and sector. Returns (place, sector) per start-up.
    """
    n = rng.poisson(rate * counts @ relatedness(io))
    cell = np.repeat(np.arange(n.size), n.ravel())
    return cell // counts.shape[1], cell % counts.shape[1]


def draw_projects(model) -> dict[str, np.ndarray]:
    """This year's projects of all three sources, with origin (place row, -1 outside the region),
    source, home_park (an expansion's park, -1) and target (a C3 induced project's park, -1)."""
    w, pol, sec, f, rng = model.world, model.policy, model.sectors, model.firms, model.rng
    n = rng.poisson(w.projects_per_year * (1 + w.project_growth) ** (model.year_index - 1))
    producing = rows_in(model.firms, PRODUCING)
    lead_rows = producing[f.leading[producing] & (f.park[producing] >= 0)]
    t_park, t_sector = chains.induced_projects(pol, f.park[lead_rows], f.sector[lead_rows], sec.io, rng)
    # --- gaps (issue 12 §1.7, C3): induced projects are part of the n mobile ones, not extra to them
    if len(t_park) > n:
        keep = np.sort(rng.permutation(len(t_park))[:n])
        t_park, t_sector = t_park[keep], t_sector[keep]
    free = n - len(t_park)
    mobile = model._draw_projects(free, forced_sector=t_sector)
    # --- end gaps
    mobile.update(origin=np.full(len(mobile["sector"]), -1), source=np.full(len(mobile["sector"]), MOBILE),
                  home_park=np.full(len(mobile["sector"]), -1), target=np.concatenate([np.full(free, -1), t_park]))
    located = producing[f.place[producing] >= 0]
    counts = np.bincount(f.place[located] * sec.n + f.sector[located],
                         minlength=len(model.place_ids) * sec.n).reshape(-1, sec.n)
    place, sector = startups(counts, sec.io, w.startup_rate, rng)
    local = model._draw_projects(0, forced_sector=sector)
    local.update(origin=place, source=np.full(len(place), STARTUP), home_park=np.full(len(place), -1),
                 target=np.full(len(place), -1))
    grow = producing[(f.profit[producing] > 0) & (rng.random(len(producing)) < w.expansion_rate)]
    investment = w.expansion_size * f.investment[grow]
    expansion = {"sector": f.sector[grow].astype(np.int64), "investment": investment,
                 "intensity": f.intensity[grow], "hightech": f.hightech[grow], "leading": investment >= w.leading_min,
                 "productivity": f.productivity[grow], "margin": f.margin[grow], "origin": f.place[grow],
                 "source": np.full(len(grow), EXPANSION), "home_park": f.park[grow], "target": np.full(len(grow), -1)}
    return {k: np.concatenate([mobile[k], local[k], expansion[k]]) for k in mobile}


# ----------------------------------------------------------------------------- choice

def choice_set(weight: np.ndarray, k: int, n: int, forced: np.ndarray,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Each of ``n`` projects' alternatives among ``len(weight)`` (weight 0: not an option).

    With at most ``k`` options every project sees all of them (no draw, no correction). Otherwise
    each draws ``k`` times with replacement ∝ weight and keeps the distinct draws, plus its
    ``forced`` alternative (-1: none; an expansion's own park, an induced project's target), which
    is always in. The sampled ones get McFadden's (1978) correction −ln π_a, π_a = 1 − (1 − q_a)^k
    the chance that a is drawn at all, so that Σ_C exp(V_a − ln π_a) estimates the full logit's
    denominator without bias (Horvitz-Thompson). Memory is O(n·k).

    Returns (alternatives (n, m), -1 for an empty slot; correction (n, m)).
    """
    options = np.flatnonzero(weight > 0)
    if len(options) <= k:
        return np.tile(options, (n, 1)), np.zeros((n, len(options)))
    cum = np.cumsum(np.where(weight > 0, weight, 0.0))
    last = len(weight) - 1
    # A draw u·W (u uniform, W = cum[-1]) lands in alternative searchsorted(cum, u·W) (the last at most).
    # That is monotone in u, so every u in [b, b+1)/GRID lands between the landings of the two ends:
    # where those agree (all but the few cells holding a boundary of cum) a table look-up gives the
    # exact landing, and only the draws in the other cells are searched. u·GRID is exact (a power of 2).
    ends = np.minimum(np.searchsorted(cum, np.arange(GRID + 1) / GRID * cum[-1], side="right"), last)
    table = np.where(ends[:-1] == ends[1:], ends[:-1], -1)
    # Sorting the uniforms sorts each project's draws, so repeats are neighbours.
    u = rng.random((n, k))
    u.sort(axis=1)
    u *= GRID
    draws = table.take(u.astype(np.intp))
    open_cell = np.nonzero(draws < 0)
    draws[open_cell] = np.minimum(np.searchsorted(cum, u[open_cell] / GRID * cum[-1], side="right"), last)
    repeat = draws == forced[:, None]
    repeat[:, 1:] |= draws[:, 1:] == draws[:, :-1]
    q = weight / cum[-1]
    with np.errstate(divide="ignore"):                         # −inf for weight 0: never drawn
        log_pi = np.log(-np.expm1(k * np.log1p(-np.minimum(q, 1.0 - 1e-16))))
    alternatives, correction = np.empty((n, k + 1), np.int64), np.zeros((n, k + 1))
    alternatives[:, :k] = np.where(repeat, -1, draws)
    alternatives[:, k] = forced
    correction[:, :k] = np.where(repeat, 0.0, (-log_pi).take(draws))
    return alternatives, correction


def outside_sites(model) -> np.ndarray:
    """Place rows with a site outside parks: every place with a position that has no place of the
    run below it (counties, or cities without counties); [-1] (one site, place unknown) if none."""
    parents = {p.parent for p in model.places.values()}
    rows = [model.place_row[p.id] for p in model.places.values() if p.lon is not None and p.id not in parents]
    return np.array(sorted(rows) or [-1])


def near_home(w, origin: np.ndarray, home: np.ndarray, place_xy: tuple, option: np.ndarray,
              option_xy: tuple) -> np.ndarray:
    """Utility of local projects' options (N, M): −beta_distance per 100 km from the origin place,
    + home_bonus where ``home``. ``place_xy`` holds the places' (lon, lat) (row -1: unknown),
    ``option`` (N, M) rows of ``option_xy``. Mobile projects (origin -1) and unknown positions get nothing.

    The km come from a table of each distinct origin to every option when that is smaller than the
    local pairs (the same numbers, computed once), else pair by pair.
    """
    value = w.home_bonus * home
    local = np.flatnonzero(origin >= 0)           # most projects are mobile: measure only the others
    homes, at = np.unique(origin[local], return_inverse=True)
    pairs = option[local]
    if len(homes) * len(option_xy[0]) <= pairs.size:
        km = haversine_km(place_xy[0][homes, None], place_xy[1][homes, None], option_xy[0], option_xy[1])
        km = km[at[:, None], pairs]
    else:
        km = haversine_km(place_xy[0][origin[local], None], place_xy[1][origin[local], None],
                          option_xy[0][pairs], option_xy[1][pairs])
    value[local] -= w.beta_distance * np.where(np.isfinite(km), km, 0.0) / KM_UNIT
    return value


def allocate(total: np.ndarray, order: np.ndarray, column: np.ndarray, need: np.ndarray, investment: np.ndarray,
             emission: np.ndarray, ledger: land.LandLedger) -> tuple[np.ndarray, np.ndarray]:
    """Serve projects in ``order``: each takes its best column the land ledger can still grant.

    ``column`` (N, M) is each column's park row, OUTSIDE (a site outside parks: the common pool) or
    REST (the rest of the country, always available; every row has one, with a finite ``total``).
    Returns the chosen column of each project and why the ledger refused its best column
    (:func:`ledger_refusal`, 0 if it did not). A project tries its columns from the highest ``total``
    down (ties: the first column); one whose room is below the need is refused without asking, one
    the ledger refuses is passed over. The loop is sequential by nature (each grant
    changes the next project's room), so it runs on Python scalars; most projects are served by
    their best column, and only the others look for their next best.
    """
    n = len(total)
    best = np.argmax(total, axis=1)
    r = np.arange(n)
    at_best = column[r, best]
    chosen, best_park, best_need = best.tolist(), at_best.tolist(), need[r, best].tolist()
    investment, emission = investment.tolist(), emission.tolist()
    why = [0] * n
    with ledger.on_scalars():
        for j in order[at_best[order] != REST].tolist():          # leaving asks for no land
            park, mu = best_park[j], best_need[j]
            if ledger.room_of(park) >= mu and ledger.grant(park, mu, investment[j], emission[j]):
                continue
            why[j] = ledger_refusal(ledger, park, mu, investment[j], emission[j])
            # The next best column again and again (argmax: ties to the first column, as a stable sort
            # would give); most refused projects settle within a few, the finite REST column at last.
            row, m = total[j].copy(), chosen[j]
            for _ in range(row.size - 1):
                row[m] = -np.inf
                m = int(row.argmax())
                park, mu = column.item(j, m), need.item(j, m)
                if park == REST or (ledger.room_of(park) >= mu and ledger.grant(park, mu, investment[j], emission[j])):
                    chosen[j] = m
                    break
    return np.array(chosen, np.int64), np.array(why, np.int64)


def ledger_refusal(ledger: land.LandLedger, park: int, need: float, investment: float, emission: float) -> int:
    """Code (:data:`REFUSALS`) of why ``ledger`` refuses ``need`` mu in ``park`` (-1: a site outside parks),
    asked where it refused, in the order of its tests: L2 (a general project and too little reused
    land, 000 §(八)), E4 (emission room, 003 六(一)), else no land (or no pool outside parks)."""
    pol = ledger.policy
    if park < 0:
        return REFUSALS.index("pool")
    if pol.L2.enabled and investment < pol.L2.county_key_min and ledger.reusable[park] < need:
        return REFUSALS.index("L2")
    if pol.E4.enabled and emission > ledger.emission_room[park] and ledger.room_of(park) >= need:
        return REFUSALS.index("E4")
    return REFUSALS.index("no_land")


def entry_refusal(policy, screen: dict) -> np.ndarray:
    """Code (:data:`REFUSALS`) of the first entry rule, in clause order, that alone refuses each pair of
    ``screen`` (the arguments of ``entry.eligible`` for D projects, each with one park: (D, 1)); 0 if none does."""
    why = np.zeros(len(screen["investment"]), np.int64)
    for rule, alone in reversed(_entry_rules_alone(policy)):      # the first in clause order is written last
        why[~entry.eligible(alone, **screen)[:, 0]] = REFUSALS.index(rule)
    return why


_ALONE = {"held": (None, ())}


def _entry_rules_alone(policy) -> tuple:
    """(rule, ``policy`` with that entry rule the only one on) for each enabled entry rule, in clause
    order; made once per policy and held like :func:`_without_e1`'s."""
    held, alone = _ALONE["held"]
    if held is not policy:
        none = policy
        for rule in ENTRY_RULES:
            none = none.set(rule, enabled=False)
        alone = tuple((rule, none.set(rule, enabled=True)) for rule in ENTRY_RULES if getattr(policy, rule).enabled)
        _ALONE["held"] = (policy, alone)
    return alone


def refused_by(policy, screen: dict, first: np.ndarray, eligible_first: np.ndarray, passer: np.ndarray,
               ledger_why: np.ndarray) -> np.ndarray:
    """Which rule turned each project away from its ``first`` choice: S7 when its park passed it on,
    an entry rule when that park was not open to it as it stood (``eligible_first`` false for a park
    column; E1 also when it densified), else the land ledger's reason at its best column."""
    why = np.where(passer >= 0, REFUSALS.index("S7"), ledger_why)
    at = np.flatnonzero((passer < 0) & ~eligible_first)
    if len(at):
        k = first[at]
        gathered = {key: v[at, k][:, None] if np.ndim(v) == 2 else v[at] for key, v in screen.items()}
        why[at] = entry_refusal(policy, gathered)
    return why


def admit(model) -> None:
    """The invest phase: draw, choose, adapt, grant land, create firms, book every decision."""
    w, pol, sec = model.world, model.policy, model.sectors
    model.investment.begin_year(model.year)
    proj = draw_projects(model)
    n = len(proj["sector"])
    if n == 0:
        return
    model.investment.arrive(proj["investment"])
    sector, inv, intensity, origin = proj["sector"], proj["investment"], proj["intensity"], proj["origin"]
    places = [model.places[i] for i in model.place_ids]
    lon = np.array([np.nan if p.lon is None else p.lon for p in places] + [np.nan])     # row -1: unknown
    lat = np.array([np.nan if p.lat is None else p.lat for p in places] + [np.nan])
    parks, u, wanted, price, dense, standard, screen = _park_options(model, proj, (lon, lat))
    sites, u_site = _site_options(model, proj, lon, lat)
    # The rest of the country is weighed against the region's average park, not its number of parks
    # (+ ln open parks): splitting a park in two must not keep more projects in the region.
    rest = (w.rest_utility + np.log(max(int(open_parks(model.parks).sum()), 1))
            - w.beta_distance * w.rest_distance_km / KM_UNIT * (origin >= 0))[:, None]
    # Columns: the parks of the choice set, the sites outside parks, the rest of the country.
    k, m = parks.shape[1], parks.shape[1] + sites.shape[1] + 1
    gumbel = model.rng.gumbel(size=(n, m))
    total = np.empty((n, m))
    np.add(u, gumbel[:, :k], out=total[:, :k])
    np.add(u_site, gumbel[:, k:-1], out=total[:, k:-1])
    np.add(rest, gumbel[:, -1:], out=total[:, -1:])
    np.add(wanted, gumbel[:, :k], out=gumbel[:, :k])                 # the first choice, had nothing refused
    gumbel[:, k:] = total[:, k:]
    first = np.argmax(gumbel, axis=1)
    column = np.empty((n, m), np.int64)
    np.maximum(parks, 0, out=column[:, :k])
    column[:, k:-1], column[:, -1] = OUTSIDE, REST
    # Land: a densified project needs investment / standard; L7, E3 and L6 apply as to any project.
    cls = sec.pollution_class[sector]
    need = np.empty((n, m))
    need[:, :k] = land.land_need(pol, inv[:, None], np.where(dense, standard, intensity[:, None]), cls[:, None])
    need[:, k:-1] = land.land_need(pol, inv, intensity, cls)[:, None]
    need[:, -1] = 0.0
    floor = factories.offer(model, inv, need, parks)                  # L7 tenants take floor, not land
    phase = land.first_phase(pol, need)
    cap = land.batch_cap(pol, model.ledger.plan, model.parks.area, model.parks.place,
                         open_parks(model.parks))            # L5: a batch above the cap waits for the next phase
    phase = np.hstack([np.minimum(phase[:, :k], cap[np.maximum(parks, 0)]), phase[:, k:]])     # a copy: need stays
    passer = competition.pass_on(model, proj, parks, total, phase)     # S7 异地流转 (§7.19)
    emission = (inv * sec.output_per_investment[sector] * sec.energy_per_output[sector] * CLASS_FACTOR[cls]
                * POLLUTION_SCALE)
    # L2 serves key projects first; otherwise arrival order is random across the three sources.
    order = np.argsort(-inv, kind="stable") if pol.L2.enabled else model.rng.permutation(n)
    chosen, ledger_why = allocate(total, order, column, phase, inv, emission, model.ledger)
    at_first = (np.arange(n), np.minimum(first, max(k - 1, 0)))
    eligible_first = (first >= k) | (np.isfinite(u[at_first]) & ~dense[at_first] if k else True)
    why = refused_by(pol, screen, first, eligible_first, passer, ledger_why)
    first_row = model.firms.n
    _settle(model, proj, parks, dense, standard, sites, price, chosen, first, need, phase, passer, why)
    factories.settle(model, first_row, chosen, np.flatnonzero(column[np.arange(n), chosen] != REST), floor)


def _park_options(model, proj: dict, place_xy: tuple) -> tuple[np.ndarray, ...]:
    """Each project's parks (N, m; -1 empty) with the utility it may take (−inf where refused),
    the utility it would take if nothing refused it, the land price, whether it must build denser
    (E1 alone refuses it and the standard is within ``max_densify``), the park's E1 standard and the
    entry screen's arguments (for :func:`refused_by`)."""
    w, pol, sec, pk = model.world, model.policy, model.sectors, model.parks
    sector, intensity, origin, home_park = proj["sector"], proj["intensity"], proj["origin"], proj["home_park"]
    x = choice.choice_inputs(model, proj, proj["target"])
    c = choice.coefficients(model)
    open_park = open_parks(model.parks)
    forced = np.where(proj["target"] >= 0, proj["target"], home_park)
    parks, correction = choice_set(pk.area * open_park, w.choice_set_size, len(sector), forced, model.rng)
    k = np.maximum(parks, 0)
    u, price = location.utilities(x, c, parks)
    home = parks == home_park[:, None]                       # an expansion's own park
    local = np.flatnonzero((home_park < 0) & (origin >= 0))     # local, no park: its place's parks
    home[local] |= pk.place.take(k[local]) == origin[local, None]
    correction += near_home(w, origin, home, place_xy, k, (pk.lon, pk.lat))
    u += correction
    standard = x.standard.take(k)
    screen = dict(pollution_class=sec.pollution_class[sector], hightech=proj["hightech"],
                  investment=proj["investment"], leading=proj["leading"], intensity=intensity,
                  declared=x.declared.ravel().take(k * sec.n + sector[:, None]), standard=standard,
                  urban=pk.urban.take(k), open_park=open_park.take(k) & (parks >= 0),
                  leading_share=leading_share(model.firms, model.parks, model.declared).take(k))
    ok = entry.eligible(_without_e1(pol), **screen)           # every screen but E1's, which follows
    u += entry.structure_pull(pol, screen["declared"], screen["leading_share"])     # C2 as a plan target
    wanted = np.where(screen["open_park"], u, -np.inf)
    dense = np.zeros_like(ok)
    if pol.E1.enabled:
        meets = intensity[:, None] >= standard          # E1 (004 §(九)), as entry.eligible screens it
        dense = ok & ~meets & (standard <= w.max_densify * intensity[:, None])
        ok &= meets
        at = np.nonzero(dense)                      # the few pairs E1 alone refuses, as (D, 1) columns
        u_dense, price_dense = location.densified(u[at][:, None], price[at][:, None], intensity[at[0]],
                                                  standard[at][:, None], screen["declared"][at][:, None], c,
                                                  w.beta_densify, x.offer_factor[k[at]][:, None])
        u[at], price[at] = u_dense[:, 0], price_dense[:, 0]
    return parks, np.where(ok | dense, u, -np.inf), wanted, price, dense, standard, screen


_E1_OFF = {"held": (None, None)}


def _without_e1(pol):
    """``pol`` with E1 off (itself if E1 is off), made once per policy (``Policy.set`` validates every
    rule: too slow a year). The one entry is read and replaced as a whole (threads running other
    policies stay right)."""
    if not pol.E1.enabled:
        return pol
    held, off = _E1_OFF["held"]
    if held is not pol:
        off = pol.set("E1", enabled=False)
        _E1_OFF["held"] = (pol, off)
    return off


def _site_options(model, proj: dict, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each project's sites outside parks (none under L1, 000 §(十); 004 §(十七)): their place rows (N, m; -1 empty or
    unknown) and utilities, sampled like parks when there are more than K."""
    w, sec, f = model.world, model.sectors, model.firms
    sector, intensity, origin, home_park = proj["sector"], proj["intensity"], proj["origin"], proj["home_park"]
    sites = outside_sites(model) if not model.policy.L1.enabled else np.zeros(0, np.int64)
    site_of = np.full(len(model.place_ids) + 1, -1)
    site_of[sites[sites >= 0]] = np.flatnonzero(sites >= 0)
    local = (home_park < 0) & (origin >= 0)                    # start-ups, expansions of firms outside parks
    slot, correction = choice_set(np.ones(len(sites)), w.choice_set_size, len(sector),
                                  np.where(local, site_of[origin], -1), model.rng)
    place = np.where(slot >= 0, sites[np.maximum(slot, 0)] if len(sites) else -1, -1)
    out = (f.state != EXITED) & (f.park < 0) & (f.place >= 0)
    same = np.bincount(f.place[out] * sec.n + f.sector[out],
                       minlength=(len(model.place_ids) + 1) * sec.n).reshape(-1, sec.n)[place, sector[:, None]]
    # Each site is 1/len(sites) of the outside-park economy (size term −ln len(sites)), so all sites
    # together are as attractive as the one outside option of a region without places.
    u = (w.outside_utility - np.log(max(len(sites), 1))
         - choice.coefficients(model).price * 100.0 * w.outside_land_price / intensity[:, None]
         + w.beta_agglomeration * np.log1p(same) + correction
         + near_home(w, origin, (place == origin[:, None]) & local[:, None], (lon, lat), place, (lon, lat)))
    return place, np.where(slot >= 0, u, -np.inf)


def _adapted_why(adaptation: np.ndarray, why: np.ndarray) -> np.ndarray:
    """``refused_by`` of the adapted projects (0 for first choices). A densified project is E1's also when
    nothing refused its first choice: it would have left or built outside parks, and E1's standard,
    met by building denser, made a park its best option."""
    why = np.where((adaptation == 1) & (why == 0), REFUSALS.index("E1"), why)
    return np.where(adaptation > 0, why, 0)


def _settle(model, proj, parks, dense, standard, site_place, price, chosen, first, need, phase, passer,
            why) -> None:
    """Create the firms of the projects that stayed (densified ones at their park's standard), pay
    for land, book every decision with its adaptation; a passed project (S7) that settled in a park
    shares its tax with the park that ``passer`` names."""
    w, pk, f = model.world, model.parks, model.firms
    n, n_park, n_site = len(chosen), parks.shape[1], site_place.shape[1]
    r = np.arange(n)
    in_park, left = chosen < n_park, chosen == n_park + n_site
    in_site = ~in_park & ~left
    to_park = np.where(in_park, parks[r, np.minimum(chosen, max(n_park - 1, 0))] if n_park else -1, -1)
    to_place = np.where(in_park, pk.place[np.maximum(to_park, 0)] if pk.n else -1,
                        np.where(in_site, site_place[r, np.clip(chosen - n_park, 0, max(n_site - 1, 0))]
                                 if n_site else -1, -1))
    densified = in_park & (dense[r, np.minimum(chosen, n_park - 1)] if n_park else False)
    adaptation = np.select([densified, chosen == first, in_park, in_site], [1, 0, 2, 3], 4)
    refused = np.where((adaptation > 0) & (first < n_park), parks[r, np.minimum(first, max(n_park - 1, 0))]
                       if n_park else -1, -1)
    stay = np.flatnonzero(~left)
    sub = {key: v[stay] for key, v in proj.items()}
    if n_park:
        sub["intensity"] = np.where(densified, standard[r, np.minimum(chosen, n_park - 1)], proj["intensity"])[stay]
    paid = np.full(len(stay), w.outside_land_price)           # a site outside parks; a park's price below
    parked = in_park[stay]
    paid[parked] = price[stay[parked], chosen[stay[parked]]]
    first_land = phase[stay, chosen[stay]]
    rows = model._add_firms(sub, to_park[stay], first_land, need[stay, chosen[stay]] - first_land, paid,
                            entry_year=model.year)
    f.place[rows] = to_place[stay]
    f.origin[rows] = sub["origin"]
    f.source[rows] = sub["source"]
    f.tax_sharer[rows] = np.where(to_park[stay] >= 0, passer[stay], -1)
    firm = np.full(n, -1)
    firm[stay] = rows
    model.investment.book_projects(proj["investment"], proj["source"], proj["origin"], to_park, to_place,
                                   adaptation, refused, left, firm, _adapted_why(adaptation, why))
    model.tally["entries"] += len(rows)
    model.tally["projects_lost"] += int(left.sum())
    inside = to_park[stay] >= 0
    income = (paid * first_land)[inside]
    np.add.at(pk.land_income, to_park[stay][inside], income)
    model.tally["land_income"] += float(income.sum())
    pk.reusable[:] = model.ledger.reusable
    model.tally["land_reused"] += float(model.ledger.reused.sum())
    model.recorder.many("entry", "", rows, f.park[rows], f.investment[rows])
