"""Relocation (phase 5, "move"): existing firms move, whole, into or between parks (ODD §7.15).

Four motives, in this order each year:

1. ``revoked``: firms of a revoked, withdrawn or area-cut park leave it with yearly probability
   ``revoked_move_prob`` for the best open park of their city with room (V4, V5, V7 take its status).
2. L10 出城入园 (004 §(十七)): outside-park industrial and logistics firms in a city with an open park
   get one plan each (一企一策) with a move year within ``L10.plan_years``; when due they move, whole.
3. L1 (004 §(十七): 不提供土地、资金、电力等要素供应): denied factor supply outside parks, an outside firm
   moves in with yearly probability ``l1_move_prob`` (when it would renew its plant).
4. ``better_park``: a share ``relocation_review_share`` of park firms compares its park with the other
   open parks of its city and moves when the utility gain exceeds the moving cost.

A firm's choice uses the investors' utility (:func:`location.utilities`, the firm taken as a project)
over the open parks of its own city only, so the work is linear in firms. A move takes the firm's land
from the new park's ungranted area (its reusable stock first), returns the old land to the old park's
reusable stock (or to the place, outside parks), keeps the firm's supplier links, charges
``move_cost_share`` of its investment and runs it at ``move_restart_utilization`` in the year of the move.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace

import numpy as np

from . import choice, entry
from .location import ChoiceInputs, Coefficients, utilities
from .places import city_rows
from .state import AREA_CUT, PRODUCING, granted_by_park, leading_share, open_parks

L10_SERVICES = ("logistics",)
"""Service sectors L10 moves besides industry: 004 §(十七) names 工业企业、物流企业."""
PARK_COLUMNS = ("same", "upstream", "lead_pull", "share", "declared", "price", "standard", "infra", "level",
                "no_mega", "offer_factor", "offer_subsidy", "offer_rebate", "offer_effort")
"""ChoiceInputs fields indexed by park (first axis); the others are indexed by project."""


@dataclass
class Moves:
    """The year's moves, one entry per firm: row, place and park before and after (-1: outside parks),
    and ``amount``, the firm's fixed investment that moved (万元), for the investment ledger."""

    rows: np.ndarray
    from_place: np.ndarray
    to_place: np.ndarray
    from_park: np.ndarray
    to_park: np.ndarray
    amount: np.ndarray

    @classmethod
    def concat(cls, parts: list[Moves]) -> Moves:
        empty = np.zeros(0, np.int64)
        return cls(*(np.concatenate([empty, *(getattr(p, f.name) for p in parts)]) for f in fields(cls)))


def covered_sectors(keys: tuple[str, ...], is_service: np.ndarray) -> np.ndarray:
    """(S,) sectors L10 moves: industry, and logistics among the services (004 §(十七))."""
    return ~np.asarray(is_service, bool) | np.isin(np.array(keys), L10_SERVICES)


def plan_moves(n: int, year: int, plan_years: int, coverage: float, rng: np.random.Generator) -> np.ndarray:
    """L10 一企一策: a move year for each of ``n`` newly eligible firms, uniform over the next
    ``plan_years`` years, or -1 (no plan) for the share ``1 − coverage``."""
    covered = rng.random(n) < coverage
    return np.where(covered, year + rng.integers(1, plan_years + 1, n), -1)


def subset(x: ChoiceInputs, projects: np.ndarray, parks: np.ndarray) -> ChoiceInputs:
    """The choice inputs of some projects over some parks (rows of the park tables, entries of the rest)."""
    return replace(x, **{f.name: getattr(x, f.name)[parks if f.name in PARK_COLUMNS else projects]
                         for f in fields(x)})


def choose_parks(x: ChoiceInputs, coef: Coefficients, firm_city: np.ndarray, park_city: np.ndarray,
                 open_park: np.ndarray, room: np.ndarray, need: np.ndarray, current: np.ndarray,
                 cost: float, review: np.ndarray,
                 allowed: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None) -> np.ndarray:
    """The park each firm moves to (-1: stays), city by city, in firm order.

    A firm looks at the open parks of its city other than its own that still have ``room`` (mu) for
    its ``need`` and that ``allowed(firms, parks)`` (an (n, k) mask, entry rules) lets it enter, and
    takes the one of highest utility. A firm under ``review`` (per firm) moves only if that utility
    exceeds its own park's by more than ``cost``; the others (planned or forced moves) take any park
    with room. ``room`` is updated as firms move in and out (so later firms see it).
    """
    chosen = np.full(len(need), -1, np.int64)
    order = np.argsort(firm_city, kind="stable")
    cities, starts = np.unique(firm_city[order], return_index=True)
    for c, firms in zip(cities, np.split(order, starts[1:])):
        parks = np.flatnonzero(open_park & (park_city == c))
        if not len(parks):
            continue
        u = utilities(subset(x, firms, parks), coef)[0]
        own = current[firms][:, None] == parks
        base = np.where(review[firms] & own.any(1), np.where(own, u, 0.0).sum(1), -np.inf)
        barred = ~allowed(firms, parks) if allowed is not None else False
        u[(u - base[:, None] <= cost) | own | barred] = -np.inf
        best = u.argmax(1)
        for i in np.flatnonzero(np.isfinite(u).any(1)).tolist():        # only would-be movers loop
            j, k = firms[i], best[i]
            if room[parks[k]] < need[j]:               # the favourite is full: the best park with room
                fits = np.where(room[parks] >= need[j], u[i], -np.inf)
                k = int(np.argmax(fits))
                if fits[k] == -np.inf:
                    continue
            chosen[j] = parks[k]
            room[parks[k]] -= need[j]
            if current[j] >= 0:
                room[current[j]] += need[j]
    return chosen


MOTIVES = (("", "revoked"), ("L10", "plan"), ("L1", "no_factor_supply"), ("", "better_park"))
"""(rule, motive) of each kind of move, in the order the year serves them; the last is the review."""
REVIEW = len(MOTIVES) - 1


def relocate_firms(model) -> Moves:
    """The year's moves for all four motives (module docstring), applied to the model's tables.

    The candidates of all motives are found first (with their draws), then served in one pass, motive
    by motive within each city: one utility table per city a year, whatever the motives."""
    f, pk, pol, w, rng = model.firms, model.parks, model.policy, model.world, model.rng
    producing = f.state == PRODUCING
    city = city_rows([model.places[i] for i in model.place_ids])
    open_park = open_parks(model.parks)
    bad = ~open_park | (pk.status == AREA_CUT)
    stranded = np.flatnonzero(producing & (f.park >= 0) & bad[np.maximum(f.park, 0)])
    groups = [stranded[rng.random(len(stranded)) < w.revoked_move_prob], np.zeros(0, np.int64), np.zeros(0, np.int64)]
    outside = producing & (f.park < 0) & (f.place >= 0)
    if pol.L10.enabled:
        has_park = np.bincount(city[pk.place[open_park]], minlength=len(city)) > 0
        eligible = outside & covered_sectors(model.sectors.keys, model.sectors.is_service)[f.sector]
        new = np.flatnonzero(eligible & has_park[city[np.maximum(f.place, 0)]] & (f.move_year == 0))
        f.move_year[new] = plan_moves(len(new), model.year, pol.L10.plan_years, pol.L10.coverage, rng)
        due = eligible & (f.move_year > 0) & (f.move_year <= model.year)
        groups[1] = np.flatnonzero(due)
        outside &= ~due
    if pol.L1.enabled:
        left = np.flatnonzero(outside)
        groups[2] = left[rng.random(len(left)) < w.l1_move_prob]
    in_open = np.flatnonzero(producing & (f.park >= 0) & open_park[np.maximum(f.park, 0)])
    groups.append(in_open[rng.random(len(in_open)) < w.relocation_review_share])
    rows = np.concatenate(groups)
    motive = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    return _move(model, rows, motive, np.where(f.place >= 0, city[f.place], -1), city[pk.place], open_park)


def _screen(model, x: ChoiceInputs, proj: dict, review: np.ndarray, open_park: np.ndarray) -> Callable:
    """Which parks a mover may enter: a voluntary move passes the entry rules as a project does
    (E1-E3, C2: ``entry.eligible``); a planned or forced one (L10, L1, revoked) only E3's bar on
    class-III firms in urban parks, an environmental limit no relocation plan lifts."""
    pol, urban = model.policy, model.parks.urban
    polluting = model.sectors.pollution_class[proj["sector"]]
    share = leading_share(model.firms, model.parks, model.declared)

    def allowed(i, k):
        e3 = ~(pol.E3.enabled & (polluting[i, None] >= entry.CLASS_III) & urban[None, k])
        screened = entry.eligible(
            pol, pollution_class=polluting[i], hightech=proj["hightech"][i], investment=proj["investment"][i],
            leading=proj["leading"][i], intensity=proj["intensity"][i], declared=x.declared[k][:, x.sector[i]].T,
            standard=x.standard[k], urban=urban[k], open_park=open_park[k], leading_share=share[k])
        return np.where(review[i, None], screened, e3)
    return allowed


def _move(model, rows: np.ndarray, motive: np.ndarray, firm_city: np.ndarray, park_city: np.ndarray,
          open_park: np.ndarray) -> Moves:
    """Choose the movers' parks and apply the moves: land, cost, restart, tallies and events."""
    f, pk, w = model.firms, model.parks, model.world
    if not len(rows):
        return Moves.concat([])
    proj, x, coef = _as_projects(model, rows)
    review = motive == REVIEW
    to = choose_parks(x, coef, firm_city[rows], park_city, open_park, pk.area - granted_by_park(model.firms, model.parks),
                      f.land[rows], f.park[rows], coef.price * 100.0 * w.move_cost_share, review,
                      _screen(model, x, proj, review, open_park))
    keep = to >= 0
    return _apply(model, rows[keep], to[keep], [MOTIVES[k] for k in motive[keep]])


def _as_projects(model, rows: np.ndarray) -> tuple[dict, ChoiceInputs, Coefficients]:
    """Firms ``rows`` seen as projects choosing a park: their columns, choice inputs and coefficients."""
    f = model.firms
    proj = {"sector": f.sector[rows], "investment": f.investment[rows], "intensity": f.intensity[rows],
            "hightech": f.hightech[rows], "leading": np.zeros(len(rows), bool)}   # no C5 bonus: see ODD §7.15
    return proj, choice.choice_inputs(model, proj, np.full(len(rows), -1)), choice.coefficients(model)


def _apply(model, rows: np.ndarray, to: np.ndarray, labels: list[tuple[str, str]]) -> Moves:
    """Move firms ``rows`` to parks ``to``, labelled (rule, motive) each: land, cost, restart, tallies, events."""
    f, pk, w = model.firms, model.parks, model.world
    moves = Moves(rows, f.place[rows].copy(), pk.place[to], f.park[rows].copy(), to, f.investment[rows].copy())
    land = f.land[rows]
    inside = moves.from_park >= 0
    np.add.at(pk.reusable, moves.from_park[inside], land[inside])
    reusable = pk.reusable.tolist()                   # Python floats: the same arithmetic, no numpy scalars
    for p, mu in zip(to.tolist(), land.tolist()):     # the new land: reusable stock first, then greenfield
        reusable[p] -= min(mu, reusable[p])
    pk.reusable[:] = reusable
    f.park[rows], f.place[rows] = to, pk.place[to]
    f.capital[rows] -= w.move_cost_share * f.investment[rows]
    f.utilization[rows] = np.minimum(f.utilization[rows], w.move_restart_utilization)
    model.tally["relocations"] += len(rows)
    model.tally["relocated_investment"] += float(moves.amount.sum())
    model.tally["land_relocated"] += float(land.sum())
    model.recorder.many("relocation", [rule for rule, _ in labels], rows, to, land,
                        [f"{why}: {a} -> {b}" for (_, why), a, b in zip(labels, moves.from_park.tolist(), to.tolist())])
    return moves


def move_out(model, rows: np.ndarray, rule: str, why: str) -> Moves:
    """Park firms ``rows`` that must leave their park (X3 bought out) move, whole, to the best other open
    park of their city that admits them as a new project would be admitted (``entry.eligible``) and
    has room; the others stay where they are, for the caller to resolve. Returns the moves."""
    f, pk = model.firms, model.parks
    if not len(rows):
        return Moves.concat([])
    city = city_rows([model.places[i] for i in model.place_ids])
    open_park = open_parks(model.parks)
    proj, x, coef = _as_projects(model, rows)
    to = choose_parks(x, coef, city[f.place[rows]], city[pk.place], open_park, pk.area - granted_by_park(f, pk),
                      f.land[rows], f.park[rows], 0.0, np.zeros(len(rows), bool),
                      _screen(model, x, proj, np.ones(len(rows), bool), open_park))
    keep = to >= 0
    return _apply(model, rows[keep], to[keep], [(rule, why)] * int(keep.sum()))
