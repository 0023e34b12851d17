"""ParkModel: firms, parks and the government under a policy, one step per year.

The schedule of a year (``step``), in order:

1. ``plan_year``        scheduled interventions apply (designations, leading industries, levers, new parks);
                        government splits the land quota (L2-L5, V3), sets the fund budget (S1) and energy
                        cap (X5); new parks appear unless C7; parks set offers to investors (S7, competition.py)
2. ``admit_projects``   mobile projects (and C3 induced ones), start-ups and expansions arrive, are screened
                        (E1-E3, C2) and choose by logit among parks, sites outside parks (L1) and the rest
                        of the country (L8, S1, C1, C3-C5); refused ones adapt; land is granted (L2, L5-L7,
                        E3, E4); every decision is booked in the investment ledger (``investment.py``)
3. ``build_out``        unstarted projects start, construction advances or stalls (S2), second land phase (L6), idle fees (X2)
3b. ``relocate_firms``  whole firms move out of revoked or cut parks, into parks (L10, L1) and between parks
4. ``form_links``       new producers find suppliers along IO links
5. ``produce``          output, tax, jobs, energy, pollution, profit (V6, C6)
6. ``pay_awards``       local taxes reach the cities; special-fund awards to new producers (S1-S3, S6)
7. ``resolve_exits``    losses stop firms; stopped ones leave (X4); land is taken back (X1-X3, X5)
8. ``finance_parks``    public accounts: land sales and costs, transfers (S4, S5, V3), platform debt (S8),
                        infrastructure within each park's means; cities' debt service and borrowing (``finance.py``)
9. ``evaluate_parks``   evaluation and ranking (V1, V2), rewards and sanctions (V3-V5), plan adjustment (V7), expansions (E5, L9)
10. ``record``          the year's observations

Each phase is a one-line method calling its module: 1 ``planning.py``, 2 ``investment.py``, 3 ``build.py``,
3b ``relocation.py``, 5 ``output.py``, 6 and 8 ``finance.py``, 7 ``exits.py``, 9 ``review.py``. The queries
over the firm and park tables are functions in ``state.py``. ParkModel keeps the set-up, ``step`` and the
Mesa face.
"""

from __future__ import annotations

import mesa
import numpy as np

from . import (
    build,
    burn_in,
    chains,
    cobuild,
    designation,
    evaluation,
    exits,
    finance,
    initial_firms,
    investment,
    output,
    planning,
    relocation,
    review,
)
from . import schedule as interventions
from .agents import FirmAgents, Government, Park
from .errors import ConfigError
from .links import SupplyLinks, form_links
from .observe import Recorder
from .places import Place, centre, places_table, project_km
from .policy import LEVELS, Policy
from .sectors import SectorCatalogue, default_sectors
from .state import (
    ACTIVE,
    GRANTED,
    PRODUCING,
    FirmTable,
    ParkTable,
    live_rows,
    rows_in,
)
from .world import ParkSpec, WorldConfig, generate_parks


class ParkModel(mesa.Model):
    """The park-policy model. ``rng`` seeds everything; the same inputs and seed give the same run."""

    def __init__(self, world: WorldConfig | None = None, policy: Policy | None = None,
                 sectors: SectorCatalogue | None = None, snapshot_years: tuple[int, ...] = (),
                 *, rng: int | np.random.SeedSequence | None = None):
        if rng is None:
            raise ValueError("rng: got None; allowed: an integer seed or numpy SeedSequence (runs must be reproducible)")
        # Mesa seeds its stdlib generator from an int but draws from rng for anything else, so a seed
        # read back from Parquet (np.int64) would shift the stream: make every integer seed a Python int.
        super().__init__(rng=int(rng) if isinstance(rng, np.integer) else rng)
        self.world = world or WorldConfig()
        # Rules from a year (burn_in.py): the run's policy waits out the world's burn-in years.
        self.rules_policy = policy or Policy()
        self.policy = burn_in.dormant(self.rules_policy) if self.world.burn_in else self.rules_policy
        self.rules_from = self.world.start_year + self.world.burn_in       # the rules' base year
        self.rules_year = -self.world.burn_in                               # 1 in the rules' first year
        self.sectors = sectors or default_sectors()
        for i, spec in enumerate(self.world.parks):
            spec.check(f"world.parks[{i}]", self.sectors.keys)
        self.year = self.world.start_year
        self.year_index = 0
        self.firms = FirmTable(capacity=self.world.initial_firms * 2 + 1024)
        self.parks = ParkTable(capacity=max(self.world.n_parks, len(self.world.parks)) + 16)
        self.links = SupplyLinks()
        self.firm_agents = FirmAgents(self)      # live firms' Mesa agents, made on demand
        self.park_agents: list[Park] = []
        self.declared = np.zeros((0, self.sectors.n), bool)
        self.cities: dict[str, int] = {}
        self.places: dict[str, Place] = {}       # the run's places by id; parks.place indexes place_ids
        self.place_ids: list[str] = []
        self.place_row: dict[str, int] = {}
        self.origin = (self.world.region_lon, self.world.region_lat)   # of the km plane (parks.x, parks.y)
        self.chain_masks = np.array([self.sectors.chain_members(c) for c in range(len(self.sectors.chain_keys))])
        self.recorder = Recorder(self, snapshot_years)
        self.government = Government(self, self.world.land_quota)
        self.tally = self.recorder.new_tally()
        self.designation = designation.Designations()
        self._create_parks()
        self.cobuild = cobuild.agreements(self)       # C8 co-built parks' partners and shares
        self.designation.add(designation.level_steps(self.parks.level, self.parks.status), opens=self.year)
        initial_firms.create_initial_firms(self)
        self.investment = investment.start(self)      # the investment ledger (created/diverted/relocated/lost)
        burn_in.take_baselines(self)                  # S4 base year, X5 baseline (again when the rules start)
        self.finance = finance.start(self)            # public accounts and platform debt (S1-S8)
        self.recorder.record()
        self.finance.close_year()
        self._check_schedule(self.world.schedule, "world.schedule")

    # ----------------------------------------------------------------------------- set-up

    def _create_parks(self) -> None:
        """Parks and their places: the world's, or a synthetic province drawn with the model's generator.
        Explicit parks' km plane is centred on the middle of their bounding box in lon/lat."""
        if self.world.parks:
            places, specs = self.world.places, self.world.parks
            self.origin = centre([np.nan if s.lon is None else s.lon for s in specs],
                                 [np.nan if s.lat is None else s.lat for s in specs]) or self.origin
        else:
            places, specs = generate_parks(self.world, self.sectors.keys, self.sectors.demand_share, self.rng)
        for p in places:
            self._add_place(p)
        specs, merges = chains.consolidate(self.policy, specs)
        blocks = {s.name: 1 for s in specs}
        for merged, into in merges:
            blocks[into] += 1
            self.recorder.event("park_merged", "C7", park=-1, detail=f"{merged} -> {into}")
        self.add_parks(specs, blocks)

    def _add_place(self, place: Place) -> int:
        if place.id not in self.places:
            self.places[place.id] = place
            self.place_row[place.id] = len(self.place_ids)
            self.place_ids.append(place.id)
        return self.place_row[place.id]

    def _place_of(self, spec: ParkSpec) -> int:
        """Row of the park's place. A park naming a place the world does not list gets a bare county of
        that id; a park naming none lies in the place of its city label (level city), neither with a
        position: nothing is invented."""
        if spec.place:
            return self._add_place(self.places.get(spec.place) or Place(spec.place, spec.place, "county"))
        label = spec.city or spec.name
        return self._add_place(self.places.get(f"label:{label}") or Place(f"label:{label}", label, "city"))

    def add_parks(self, specs: tuple[ParkSpec, ...], blocks: dict[str, int] | None = None) -> None:
        """Append parks, declare their leading industries and create their agents."""
        keys = list(self.sectors.keys)
        lon = np.array([np.nan if s.lon is None else s.lon for s in specs])
        lat = np.array([np.nan if s.lat is None else s.lat for s in specs])
        x, y = project_km(lon, lat, self.origin)
        rows = self.parks.append(
            len(specs), level=[LEVELS.index(s.level) for s in specs], area=[s.area_mu for s in specs],
            infrastructure=[s.infrastructure for s in specs], alive=True, status=ACTIVE,
            city=[self.cities.setdefault(s.city or s.name, len(self.cities)) for s in specs],
            place=[self._place_of(s) for s in specs], lon=lon, lat=lat,
            urban=[s.urban for s in specs], x=x, y=y,
            blocks=[(blocks or {}).get(s.name, 1) for s in specs], upgraded_year=-1)
        self.parks.emission_quota[rows] = self.policy.E4.quota_per_mu * self.parks.area[rows]
        wishes = [[keys.index(k) for k in s.leading] for s in specs]
        order = np.argsort(-self.parks.area[rows], kind="stable")
        new = chains.declare(self.policy, wishes, self.parks.level[rows], self.sectors.n, order)
        self.declared = np.vstack([self.declared, new])
        for r, s in zip(rows, specs):
            self.park_agents.append(Park(self, int(r), s.name, s.city))

    def _check_schedule(self, schedule: tuple, where: str) -> None:
        """ConfigError for interventions that could not apply to this run's parks, before they run."""
        parks = {a.name: int(self.parks.level[a.row]) for a in self.park_agents}
        interventions.check(schedule, self.world, self.policy, self.sectors.keys, parks, set(self.cities), where)

    def schedule(self, year: int, **action) -> None:
        """Schedule an intervention for ``year`` (after the current year), as a ``[[schedule]]`` table would.

        ``model.schedule(2014, park="park_003", level="national")``; ``level="revoked"`` revokes;
        ``leading=[...]`` re-declares; ``place="city_01", level=…, area_mu=…`` opens a new park;
        ``lever="policy.E1.national", value=300.0`` changes a parameter from that year on.

        Raises:
            ConfigError: naming the entry, key, value and what is allowed; nothing is scheduled.
        """
        entry = {"year": year, **action}
        if "lever" in entry:
            entry[entry.pop("lever")] = entry.pop("value", None)
        item = interventions.parse(entry, "schedule")
        if item.year <= self.year:
            raise ConfigError("schedule.year", year, f"a year after the model's current year {self.year}")
        pending = tuple(i for i in self.world.schedule if i.year > self.year)
        self._check_schedule((*pending, item), "schedule")
        self.world = self.world.with_schedule((*self.world.schedule, item))

    # ----------------------------------------------------------------------------- the year

    def step(self) -> None:
        """One year, in the order given in the module docstring."""
        self.year += 1
        self.year_index += 1
        self.tally = self.recorder.new_tally()
        self.plan_year()
        self.admit_projects()
        started = self.build_out()
        self.relocate_firms()
        self.form_links(started)
        self.produce()
        self.pay_awards(started)
        self.resolve_exits()
        self.finance_parks()
        self.evaluate_parks()
        self.recorder.record()
        self.finance.close_year()

    # 1 ------------------------------------------------------------------------------------
    def plan_year(self) -> None:
        """Interventions, quota split, fund budget, energy cap, new parks, offers (``planning.plan_year``)."""
        planning.plan_year(self)

    def places_table(self):
        """One row per place of the run with the parks that lie in it (see :func:`places.places_table`)."""
        return places_table(tuple(self.places.values()), [self.place_ids[i] for i in self.parks.place],
                            [a.name for a in self.park_agents])

    # 2 ------------------------------------------------------------------------------------
    def admit_projects(self) -> None:
        """Mobile projects, start-ups and expansions choose among parks, sites outside parks (not under
        L1) and the rest of the country; refused ones adapt; land is granted (``investment.admit``)."""
        investment.admit(self)

    def _draw_projects(self, n: int, forced_sector: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Investment projects: sector by demand share, Lomax (heavy-tailed) size, lognormal intensity."""
        w, sec, rng = self.world, self.sectors, self.rng
        sector = rng.choice(sec.n, n, p=sec.demand_share)
        if forced_sector is not None:
            sector = np.concatenate([sector, forced_sector]).astype(np.int64)
        m = len(sector)
        size = w.investment_min + w.investment_scale * (rng.random(m) ** (-1.0 / w.investment_tail) - 1.0)
        investment = np.minimum(size, w.investment_max)
        intensity = sec.intensity_median[sector] * rng.lognormal(0.0, 1.0, m) ** sec.intensity_sigma[sector]
        return {"sector": sector, "investment": investment, "intensity": intensity,
                "hightech": rng.random(m) < sec.hightech_share[sector],
                "leading": investment >= w.leading_min,
                "productivity": rng.lognormal(-w.productivity_sigma ** 2 / 2, w.productivity_sigma, m),
                "margin": rng.normal(w.margin_mean, w.margin_sigma, m)}

    def _add_firms(self, proj: dict, park: np.ndarray, land_now: np.ndarray, pending: np.ndarray,
                   price: np.ndarray, entry_year) -> np.ndarray:
        sec, w = self.sectors, self.world
        rows = self.firms.append(
            len(park), sector=proj["sector"], park=park, state=GRANTED, entry_year=entry_year,
            state_year=entry_year, grant_year=entry_year, investment=proj["investment"],
            intensity=proj["intensity"], land=land_now, land_pending=pending, land_price=price,
            hightech=proj["hightech"], leading=proj["leading"], productivity=proj["productivity"],
            margin=proj["margin"], capacity=proj["investment"] * sec.output_per_investment[proj["sector"]],
            capital=w.equity_share * proj["investment"], efficiency_class=1,
            place=np.where(park >= 0, self.parks.place[np.maximum(park, 0)], -1) if self.parks.n else -1)
        return rows

    # 3 ------------------------------------------------------------------------------------
    def build_out(self) -> np.ndarray:
        """Start, build, stall (``build.build_out``); returns the rows that started producing this year."""
        return build.build_out(self)

    # 3b -----------------------------------------------------------------------------------
    def relocate_firms(self) -> relocation.Moves:
        """Whole firms move: out of revoked or cut parks, into parks (L10, L1), between parks
        (relocation.py); each move is booked in the investment ledger as relocated. Returns the moves."""
        m = relocation.relocate_firms(self)
        self.investment.book_relocations(m.rows, m.from_place, m.to_place, m.from_park, m.to_park, m.amount)
        return m

    # 4 ------------------------------------------------------------------------------------
    def form_links(self, started: np.ndarray) -> None:
        """Suppliers for this year's new producers, preferring the own park."""
        producing = rows_in(self.firms, PRODUCING)
        self.links.add(*form_links(started, self.firms.sector, self.firms.park, producing, self.sectors.io,
                                   self.world.links_per_firm, self.world.local_preference, self.rng))

    # 5 ------------------------------------------------------------------------------------
    def produce(self) -> None:
        """Output, tax, jobs, energy, pollution, profit of every producing firm (``output.produce``)."""
        output.produce(self)

    # 6 ------------------------------------------------------------------------------------
    def pay_awards(self, started: np.ndarray) -> None:
        """The year's local taxes reach the cities, co-built parks' partners get their share (C8); S1
        以奖代补 awards to this year's new producers in parks, in S2/S3/S6 priority order, as far as the
        fund and the cities' cash allow (finance.py)."""
        finance.collect_taxes(self)
        cobuild.share(self)                           # C8: partners' shares of the tax just collected
        finance.pay_awards(self, started)

    # 7 ------------------------------------------------------------------------------------
    def resolve_exits(self) -> None:
        """Losses stop firms; stopped ones leave; idle and inefficient land is taken back (``exits.py``)."""
        exits.resolve_exits(self)

    # 8 ------------------------------------------------------------------------------------
    def finance_parks(self) -> None:
        """Land sales and costs, transfers (base budget, grants, V3, retained tax, S4, S5), platform debt
        (S8) and infrastructure within each park's means; then the cities' debt service and borrowing
        (finance.finance_parks)."""
        finance.finance_parks(self)

    # 9 ------------------------------------------------------------------------------------
    def evaluate_parks(self) -> None:
        """V1 scores and ranks; V2-V5 rewards and sanctions; V7; E5/L9 expansions (``review.py``)."""
        review.evaluate_parks(self)

    # ----------------------------------------------------------------------------- queries

    def indicators(self) -> dict[str, np.ndarray]:
        """The V1 indicators of every park this year."""
        pk = self.parks
        debt_per_mu = np.divide(pk.debt, pk.area, out=np.zeros(pk.n), where=pk.area > 0)
        return evaluation.park_indicators(evaluation.firm_columns(self), pk.n, self.declared, pk.last_output,
                                          self.chain_masks, self.sectors.io, debt_per_mu)

    def supply_network(self, park: int | None = None):
        """The live supply network as a ``networkx.DiGraph`` (optionally only one park's firms)."""
        f = self.firms
        rows = live_rows(self.firms) if park is None else live_rows(self.firms)[f.park[live_rows(self.firms)] == park]
        attrs = {"sector": f.sector, "park": f.park, "leading": f.leading,
                 "stage": self.sectors.stage[f.sector]}
        return self.links.to_networkx(attrs, rows)

    def release(self) -> None:
        """Drop Mesa's reference to this model once the run is over.

        Mesa 3.3 keeps every model alive in the class-level id counter ``Agent._ids`` (about 9 MB per
        city-scale run), so a worker or dashboard doing thousands of runs would run out of memory.
        """
        mesa.Agent._ids.pop(self, None)
