"""Observation: the yearly model series, the park panel, firm snapshots and the event log.

The :class:`Recorder` reads the model's arrays once a year and keeps plain columns; the pandas
frames are built once, at the end, by :meth:`Recorder.outputs`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import cobuild, finance, metrics, spillovers
from .competition import TALLIES as COMPETITION_TALLIES
from .designation import TALLIES as DESIGNATION_TALLIES
from .policy import LEVELS
from .state import (
    AREA_CUT,
    BUILDING,
    DEADLINE,
    EXITED,
    FIRM_STATES,
    GRANTED,
    NOTICE,
    PARK_STATUSES,
    PRODUCING,
    REVOKED,
    STOPPED,
    WARNED,
)

TALLIES = ("entries", "exits", "projects_lost", "land_recovered", "land_released", "land_reused",
           "land_income", "idle_fees", "subsidies_paid", "subsidy_to_leading_industry",
           "subsidy_to_hightech", "subsidy_to_major", "tax_returned", "park_rewards", "parks_revoked",
           "parks_upgraded", "area_added", "area_cut", "expansions_refused",
           "relocations", "relocated_investment", "land_relocated")
TALLIES += DESIGNATION_TALLIES
# rules2 (issue 12 §2): off-quota land supplied (L11, mu), parks at their plan targets (C2, C5 "four ones")
TALLIES += ("land_off_quota", "parks_at_structure_target", "four_ones_met")
TALLIES += cobuild.TALLIES
TALLIES += COMPETITION_TALLIES
GROWTH_PARTS = ("entrants", "incumbents", "relocations_in", "relocations_out", "exits")
"""The parts of a unit's yearly output change (:func:`growth_decomposition`); they add up to ``total``."""


@dataclass
class RunOutputs:
    """Everything one run produces, as DataFrames.

    ``series``: one row a year of model-level totals and metrics. ``parks``: one row per park and
    year. ``investment``: the investment ledger in long form (year, unit 'park' | 'place' | 'region',
    id, kind, count, amount_wan; :meth:`investment.InvestmentLedger.table`). ``firms``: firm
    snapshots at the chosen years. ``events``: one row per event (entry, exit, land taken back,
    park sanctioned, …) with the rule id that caused it. ``places``: one row per place of the run
    with the parks that lie in it (``ParkModel.places_table``). ``finance``: the public accounts, one
    row per year × account (park or city) with its flows by kind and its cash and debt
    (:meth:`finance.Ledger.table`).
    """

    series: pd.DataFrame
    parks: pd.DataFrame
    firms: pd.DataFrame
    events: pd.DataFrame
    lives: pd.DataFrame | None = None
    places: pd.DataFrame | None = None
    investment: pd.DataFrame | None = None
    growth: pd.DataFrame | None = None
    finance: pd.DataFrame | None = None


class Recorder:
    """Collects the yearly observations of one model."""

    def __init__(self, model, snapshot_years=()):
        self.model = model
        self.snapshot_years = set(snapshot_years)
        self.series: list[dict] = []
        self.panel: list[dict[str, np.ndarray]] = []      # a year's park panel columns, one dict a year
        self.snapshots: list[pd.DataFrame] = []
        self.growth: list[dict[str, np.ndarray]] = []
        self.seen = 0          # firm rows that existed at the last record
        self.events: dict[str, list] = {k: [] for k in ("year", "kind", "rule", "firm", "park", "value", "detail")}

    @staticmethod
    def new_tally() -> defaultdict:
        return defaultdict(float, {k: 0.0 for k in TALLIES})

    def event(self, kind: str, rule: str, firm: int = -1, park: int = -1, value: float = np.nan,
              detail: str = "") -> None:
        for key, v in zip(self.events, (self.model.year, kind, rule, firm, park, value, detail)):
            self.events[key].append(v)

    def many(self, kind: str, rule: str | list[str], firm: np.ndarray, park: np.ndarray, value: np.ndarray,
             detail: list[str] | None = None) -> None:
        """One event per element of the arrays (firm, park and value aligned; ``rule`` and ``detail`` one
        for all or one each): a year's exits, entries or moves in one call instead of a Python call per firm."""
        n = len(firm)
        rules = [rule] * n if isinstance(rule, str) else rule
        for key, v in zip(self.events, ([self.model.year] * n, [kind] * n, rules, np.asarray(firm).tolist(),
                                        np.asarray(park).tolist(), np.asarray(value, float).tolist(),
                                        [""] * n if detail is None else detail)):
            self.events[key].extend(v)

    def record(self) -> None:
        """Observe the model at the end of a year (or at initialisation)."""
        m = self.model
        year = YearView(m)
        parks = park_panel(m, year)
        self.panel.append(parks)
        self.series.append({"year": m.year, **model_series(m, parks, year), **dict(m.tally),
                            **m.investment.totals(m.year), **finance.series(m)})
        if m.year in self.snapshot_years:
            self.snapshots.append(firm_snapshot(m))
        self.record_growth()

    def record_growth(self) -> None:
        """The year's growth decomposition by park and by place; then mark where every firm stands."""
        m, f = self.model, self.model.firms
        alive = f.state != EXITED
        output = np.where(f.state == PRODUCING, f.output, 0.0)      # as the panel and series count it
        park_now = np.where(alive, f.park, -1)
        place_now = np.where(alive, f.place, -1)
        if self.seen or m.year_index:
            new = np.arange(f.n) >= self.seen
            # Firms gone before the last record (no unit then or now) fall in no part: leave them out.
            rows = np.flatnonzero(alive | (~new & ((f.last_park >= 0) | (f.last_place >= 0))))
            new_r, alive_r, out_r = new[rows], alive[rows], output[rows]
            last_r = np.where(new_r, 0.0, f.last_output[rows])
            for level, prev, now, names, ids in (
                    ("park", f.last_park, park_now, [a.name for a in m.park_agents], np.arange(m.parks.n)),
                    ("place", f.last_place, place_now, [m.places[i].name for i in m.place_ids], m.place_ids)):
                parts = growth_decomposition(np.where(new_r, -1, prev[rows]), now[rows], last_r, out_r, alive_r,
                                             new_r, len(names))
                self.growth.append({"year": np.full(len(names), m.year), "level": np.full(len(names), level),
                                    "unit": np.asarray(ids).astype(str), "name": np.array(names, dtype=object),
                                    **parts})
        f.last_output[:], f.last_park[:], f.last_place[:] = output, park_now, place_now
        self.seen = f.n

    def outputs(self) -> RunOutputs:
        firms = pd.concat(self.snapshots, ignore_index=True) if self.snapshots else firm_snapshot(self.model, empty=True)
        return RunOutputs(series=pd.DataFrame(self.series), parks=stack(self.panel),
                          firms=firms, events=self.events_frame(), lives=firm_lives(self.model),
                          places=self.model.places_table(),
                          investment=self.model.investment.table([a.name for a in self.model.park_agents],
                                                                 self.model.place_ids),
                          growth=stack(self.growth) if self.growth else None,
                          finance=self.model.finance.table())


    def events_frame(self) -> pd.DataFrame:
        """The event log as a frame: the numeric columns as numpy arrays and the text ones as str arrays
        directly, the dtypes pandas infers from the lists at a fraction of the inference's cost."""
        numeric = {k: np.asarray(v) for k, v in self.events.items() if k not in EVENT_TEXT}
        if not self.events["year"] or any(v.dtype.kind not in "iuf" for v in numeric.values()):
            return pd.DataFrame(self.events)
        return pd.DataFrame({k: numeric[k] if k in numeric else pd.array(v, dtype="str")
                             for k, v in self.events.items()})


EVENT_TEXT = ("kind", "rule", "detail")


def stack(parts: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    """One frame from a list of column dicts (a year's rows each), concatenated column by column
    once: a DataFrame per year and a ``pd.concat`` of them cost more than the year's arithmetic."""
    return pd.DataFrame({k: np.concatenate([p[k] for p in parts]) for k in parts[0]})


def growth_decomposition(unit_prev: np.ndarray, unit_now: np.ndarray, out_prev: np.ndarray, out_now: np.ndarray,
                         alive: np.ndarray, new: np.ndarray, n_units: int) -> dict[str, np.ndarray]:
    """Split each unit's output change since the last record into :data:`GROWTH_PARTS` (and ``total``).

    Per firm (arrays over firm rows): the unit (park or place) it was in at the last record and is in
    now (-1: none, e.g. outside parks or exited), its output then and now, whether it is alive now
    and whether it is new since the last record. A firm in the same unit both times is an
    *entrant* if it did not produce then (or is new), else an *incumbent* (out_now − out_prev); one
    that changed units counts +out_now as *relocations in* to the new unit and −out_prev as
    *relocations out* of the old one; one that exited counts −out_prev as *exits*. Every firm falls in
    exactly one part per unit, so the parts add up to ``total`` = Σ out_now − Σ out_prev per unit.
    """
    def by_unit(unit, mask, weights):
        return np.bincount(unit[mask], weights=weights[mask], minlength=n_units).astype(float, copy=False)

    was = ~new & (unit_prev >= 0)
    stay = was & alive & (unit_now == unit_prev)
    moved = ~new & alive & (unit_now != unit_prev)
    delta = out_now - out_prev
    entrant = (new & alive & (unit_now >= 0)) | (stay & (out_prev == 0))
    parts = {"entrants": by_unit(unit_now, entrant, delta),
             "incumbents": by_unit(unit_now, stay & (out_prev != 0), delta),
             "relocations_in": by_unit(unit_now, moved & (unit_now >= 0), out_now),
             "relocations_out": -by_unit(unit_prev, moved & (unit_prev >= 0), out_prev),
             "exits": -by_unit(unit_prev, was & ~alive, out_prev)}
    total = by_unit(unit_now, alive & (unit_now >= 0), out_now) - by_unit(unit_prev, was, out_prev)
    return {"total": total, **parts}




class YearView:
    """The firm masks, rows and sums that the park panel and the model series share, taken once a
    year (each is a pass over every firm row ever created)."""

    def __init__(self, m):
        f, n_sec = m.firms, m.sectors.n
        self.live = f.state != EXITED
        self.prod = f.state == PRODUCING
        in_park = f.park >= 0
        self.inside = self.prod & in_park                      # producing in a park
        self.live_in = self.live & in_park
        self.prod_rows = np.flatnonzero(self.prod)
        self.rows = np.flatnonzero(self.inside)
        self.park = f.park[self.rows]                          # park of each producing firm in a park
        self.cell = self.park * n_sec + f.sector[self.rows]
        # (P, S) output of producing firms by park and sector
        self.out = np.bincount(self.cell, weights=f.output[self.rows],
                               minlength=m.parks.n * n_sec).reshape(m.parks.n, n_sec)
        gain = spillover_gain(m, self.prod_rows)
        self.gain, self.gain_in = gain, gain[in_park[self.prod_rows]]
        self.src, self.dst = m.links.live()                    # supplier and customer rows of the live links


def _by_park(park: np.ndarray, values: np.ndarray | None, n: int) -> np.ndarray:
    return np.bincount(park, weights=values, minlength=n)


def _weighted_mean(group: np.ndarray, values: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Mean of ``values`` by ``group`` (0..n−1) weighted by ``weights``; NaN for groups with no weight."""
    total = np.bincount(group, weights=weights, minlength=n)
    return np.divide(np.bincount(group, weights=values * weights, minlength=n), total,
                     out=np.full(n, np.nan), where=total > 0)


def spillover_gain(m, rows: np.ndarray) -> np.ndarray:
    """TFP gain from spillovers of producing firms ``rows`` this year: tfp / (own draw × learning) − 1
    (the identity of :func:`spillovers.firm_tfp`, so the table keeps one TFP column)."""
    f, w = m.firms, m.world
    own = f.productivity[rows] * spillovers.learning(m.year - f.state_year[rows], w.learning_gain, w.learning_years)
    return f.tfp[rows] / own - 1.0


def place_tfp(m) -> np.ndarray:
    """Output-weighted mean TFP of the producing firms of each place (indexed by place row, as
    ``m.place_ids``; NaN where none produce). A park's firms count in their park's place."""
    f = m.firms
    rows = np.flatnonzero((f.state == PRODUCING) & (f.place >= 0))
    return _weighted_mean(f.place[rows], f.tfp[rows], f.output[rows], len(m.place_ids))


def park_panel(m, y: YearView) -> dict[str, np.ndarray]:
    """The year's park panel columns, one row per park: land accounts, economy, structure,
    evaluation and status."""
    f, pk, sec = m.firms, m.parks, m.sectors
    n = pk.n
    ind = m.indicators()
    lq = metrics.location_quotient(y.out)
    live_park = f.park[y.live_in]
    building = (f.state == BUILDING) & (f.park >= 0)
    idle = ((f.state == GRANTED) | (f.state == STOPPED)) & (f.park >= 0)
    lead = y.inside & f.leading
    return {
        "year": np.full(n, m.year), "park": np.arange(n), "name": np.array([a.name for a in m.park_agents], object),
        "city": np.array([a.city for a in m.park_agents], object), "level": np.array(LEVELS)[pk.level],
        "status": np.array(PARK_STATUSES)[pk.status], "alive": pk.alive.copy(),
        "place": np.array(m.place_ids, dtype=object)[pk.place],
        "lon": pk.lon.copy(), "lat": pk.lat.copy(), "x": pk.x.copy(), "y": pk.y.copy(),
        "area": pk.area.copy(), "granted": _by_park(live_park, f.land[y.live_in], n),
        "built": _by_park(y.park, f.land[y.rows], n),
        "construction": _by_park(f.park[building], f.land[building], n),
        "idle": _by_park(f.park[idle], f.land[idle], n),
        "reusable": pk.reusable.copy(), "quota": pk.quota.copy(),
        "firms": _by_park(live_park, None, n), "producing": _by_park(y.park, None, n),
        "leading_firms": _by_park(f.park[lead], None, n),
        "output": ind["output"], "tax": _by_park(y.park, f.tax[y.rows], n), "tax_per_mu": ind["tax_per_mu"],
        "intensity": ind["intensity"], "employment": ind["employment"],
        "declared_share": ind["leading_share"], "top3_share": metrics.top_k_share(y.out, 3),
        "hhi": metrics.herfindahl(y.out), "hightech_share": ind["hightech_share"],
        "chain_completeness": ind["chain_completeness"], "pollution": _by_park(y.park, f.pollution[y.rows], n),
        "top_sector": np.array(sec.keys)[y.out.argmax(1)], "lq_max": lq.max(1),
        "declared": declared_labels(m.declared, sec.keys),
        "infrastructure": pk.infrastructure.copy(), "land_income": pk.land_income.copy(),
        "funds": pk.funds.copy(), "tax_returned": pk.tax_returned.copy(),
        "score": pk.score.copy(), "rank": pk.rank.copy(), "rewarded": pk.rewarded.copy(),
        "tfp": _weighted_mean(y.park, f.tfp[y.rows], f.output[y.rows], n),
        "spillover": _weighted_mean(y.park, y.gain_in, np.ones(len(y.rows)), n),
        **cobuild.credited_output(m, ind["output"]),          # C8: output credited to host and partner
        **{c: getattr(pk, c).copy() for c in ("offer_factor", "offer_subsidy", "offer_rebate", "offer_effort")},
        "supply_links": supply_links_by_park(m, y.dst),
    }


def supply_links_by_park(m, customers: np.ndarray) -> np.ndarray:
    """Live supplier links whose customer is a firm of each park (a park's links formed: what its
    public money per link gained is measured on, ``costs.account_costs``); ``customers``: the customer
    row of each live link."""
    buyer = m.firms.park[customers]
    return np.bincount(buyer[buyer >= 0], minlength=m.parks.n).astype(float)


def declared_labels(declared: np.ndarray, keys: tuple[str, ...]) -> np.ndarray:
    """Each park's declared industries as "key,key": one string per distinct row (parks share a few)."""
    if len(declared) == 0:
        return np.zeros(0, object)
    key = (declared.shape, declared.dtype.str, declared.tobytes(), keys)     # labelled again only when it changes
    held, labels = _DECLARED["held"]
    if held != key:
        rows, inverse = np.unique(declared, axis=0, return_inverse=True)
        names = np.array([",".join(keys[s] for s in np.flatnonzero(row)) for row in rows], dtype=object)
        labels = names[inverse.reshape(-1)]
        _DECLARED["held"] = (key, labels)
    return labels.copy()


_DECLARED = {"held": (None, None)}


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if len(x) else np.nan


def model_series(m, parks: dict[str, np.ndarray], y: YearView) -> dict:
    """Model-level totals and clustering, chain and network metrics for one year."""
    f, sec, pk = m.firms, m.sectors, m.parks
    prod, live_in = y.prod, y.live_in
    n_sec = sec.n
    emp = np.bincount(y.cell, weights=f.employment[y.rows], minlength=pk.n * n_sec).reshape(pk.n, n_sec)
    active = pk.alive & (pk.status != REVOKED)
    x = emp.sum(1) / emp.sum() if emp.sum() > 0 else np.zeros(pk.n)
    h = metrics.plant_herfindahl(f.employment[y.rows], f.sector[y.rows], n_sec)
    gamma = metrics.ellison_glaeser_gamma(emp, x, h)
    coag = metrics.ellison_glaeser_kerr(emp, x)
    linked = (sec.io + sec.io.T) >= 0.05
    np.fill_diagonal(linked, False)
    off = ~np.eye(n_sec, dtype=bool)
    src, dst = y.src, y.dst
    nodes = y.prod_rows
    index = np.full(f.n, -1)
    index[nodes] = np.arange(len(nodes))
    keep = (index[src] >= 0) & (index[dst] >= 0)
    net = metrics.network_statistics(index[src[keep]], index[dst[keep]], len(nodes), f.leading[nodes])
    wide = active & (parks["output"] > 0)
    park_sector = y.out[wide]
    land_in = f.land * (f.park >= 0)
    outside = prod & (f.park < 0)
    live_out = y.live & (f.park < 0)
    p_rows = y.prod_rows                       # rows, not masks: the same elements in the same order
    output = f.output[p_rows].sum()
    output_in = f.output[y.rows].sum()
    granted, built = land_in[live_in].sum(), land_in[y.rows].sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "firms_producing": len(nodes), "firms_in_parks": int(live_in.sum()),
            "share_producing_in_parks": float(len(y.rows) / max(len(nodes), 1)),
            "output": float(output), "output_in_parks": float(output_in),
            "firms_outside": int(live_out.sum()),
            "output_outside": float(f.output[outside].sum()),
            "park_output_share": float(output_in / max(output, 1e-9)),
            "value_added": float(f.value_added[p_rows].sum()), "tax": float(f.tax[p_rows].sum()),
            "employment": float(f.employment[p_rows].sum()), "energy": float(f.energy[p_rows].sum()),
            "pollution": float(f.pollution[p_rows].sum()),
            "tax_per_mu": float(f.tax[y.rows].sum() / max(built, 1e-9)),
            "investment_intensity": float(f.investment[live_in & (f.land > 0)].sum() / max(granted, 1e-9)),
            "land_granted": float(granted), "land_built": float(built),
            "land_construction": float(land_in[f.state == BUILDING].sum()),
            "land_idle": float(land_in[(f.state == GRANTED) | (f.state == STOPPED)].sum()),
            "land_reusable": float(pk.reusable[pk.alive].sum()),
            "park_area": float(pk.area[pk.alive].sum()),
            "land_outside": float(f.land[live_out].sum()),
            "hightech_share": float(f.output[prod & f.hightech].sum() / max(output, 1e-9)),
            "parks_active": int(active.sum()),
            "parks_warned": int(np.isin(pk.status, (WARNED, NOTICE, DEADLINE, AREA_CUT)).sum()),
            "parks_revoked_total": int((pk.status == REVOKED).sum()),
            "parks_rewarded": int(pk.rewarded.sum()),
            "fund_budget": float(m.government.fund_budget),
            "top3_share": _mean(parks["top3_share"][wide]),
            "declared_share": _mean(parks["declared_share"][wide]),
            "hhi": _mean(parks["hhi"][wide]),
            "krugman_specialisation": (float(np.nanmean(metrics.krugman_specialisation(park_sector)))
                                       if len(park_sector) > 1 else np.nan),
            "krugman_dissimilarity": metrics.mean_krugman_dissimilarity(park_sector),
            "eg_gamma_mean": float(np.nanmean(gamma)) if np.isfinite(gamma).any() else np.nan,
            "eg_gamma_median": float(np.nanmedian(gamma)) if np.isfinite(gamma).any() else np.nan,
            "egk_linked_mean": float(np.nanmean(coag[linked])) if np.isfinite(coag[linked]).any() else np.nan,
            "egk_unlinked_mean": float(np.nanmean(coag[off & ~linked])) if np.isfinite(coag[off & ~linked]).any() else np.nan,
            "chain_completeness": _mean(parks["chain_completeness"][wide]),
            "local_sourcing": metrics.local_sourcing_share(f.park[src], f.park[dst]) if len(src) else np.nan,
            "linkage_density": metrics.linkage_density(int(keep.sum()), np.bincount(f.sector[prod], minlength=n_sec), sec.io),
            "network_largest_component": net["largest_component_share"], "network_density": net["density"],
            "network_clustering": net["clustering"], "network_leading_link_share": net["leading_link_share"],
            "tfp_mean": _mean(f.tfp[nodes]),
            "tfp_in_parks": _mean(f.tfp[y.rows]),
            "tfp_outside": _mean(f.tfp[outside]),
            "spillover_mean": _mean(y.gain),
        }


def firm_snapshot(m, empty: bool = False) -> pd.DataFrame:
    """Live firms at the current year (none if ``empty``: the columns and dtypes of a run without snapshots)."""
    f, sec = m.firms, m.sectors
    rows = np.zeros(0, np.int64) if empty else np.flatnonzero(f.state != EXITED)
    return pd.DataFrame({
        "year": m.year, "firm": rows, "park": f.park[rows], "sector": np.array(sec.keys)[f.sector[rows]],
        "chain": np.array(sec.chain_keys)[sec.chain[f.sector[rows]]], "stage": sec.stage[f.sector[rows]],
        "state": np.array(FIRM_STATES)[f.state[rows]], "age": m.year - f.entry_year[rows],
        "investment": f.investment[rows], "intensity": f.intensity[rows], "land": f.land[rows],
        "output": f.output[rows], "value_added": f.value_added[rows], "tax": f.tax[rows],
        "employment": f.employment[rows], "energy": f.energy[rows], "pollution": f.pollution[rows],
        "hightech": f.hightech[rows], "leading": f.leading[rows], "subsidy": f.subsidy[rows],
        "efficiency_class": np.array(list("ABCD"))[f.efficiency_class[rows]],
        "tfp": np.where(f.state[rows] == PRODUCING, f.tfp[rows], np.nan),
        "spillover": np.where(f.state[rows] == PRODUCING, spillover_gain(m, rows), np.nan),
    })


def firm_lives(m) -> pd.DataFrame:
    """Every firm ever created: entry and exit year (-1 while alive), final state and size.

    Exited firms keep their row, so this is the complete life table behind exit hazards by age.
    """
    f = m.firms
    rows = np.arange(f.n)
    exited = f.state[rows] == EXITED
    return pd.DataFrame({
        "firm": rows, "park": f.park[rows], "place": f.place[rows], "origin": f.origin[rows],
        "source": f.source[rows], "sector": f.sector[rows], "entry_year": f.entry_year[rows],
        "exit_year": np.where(exited, f.state_year[rows], -1), "producing": f.state[rows] == PRODUCING,
        "leading": f.leading[rows],
        "investment": f.investment[rows], "output": f.output[rows], "employment": f.employment[rows],
    })
