"""Issue 12 §2: L7, E2, C2, C5, C6, C7 and L11 act as their clauses say (direction of effect, same
seeds on vs off, and hand cases of their kernels)."""

import dataclasses

import numpy as np
import pytest
from conftest import mean_over_seeds, small_world

from parksim.simulation import ParkModel, ParkSpec, Policy, WorldConfig, chains, land, planning
from parksim.simulation.errors import ConfigError
from parksim.simulation.state import EXITED, granted_by_park, open_parks, park_sum

SEEDS = (1, 2, 3)


def compare(world, measure, on: Policy, off: Policy, seeds=SEEDS):
    return mean_over_seeds(world, on, measure, seeds), mean_over_seeds(world, off, measure, seeds)


def series_last(column):
    return lambda m: float(m.recorder.outputs().series[column].iloc[-1])


# --- L11 land outside the yearly quota ----------------------------------------------------------

def test_L11_off_quota_land_goes_to_parks_by_room_and_the_rest_to_the_pool():
    """Hand case: 100 mu off quota (0.5 × 200); rooms beyond quota 30 and 10 (the closed park none)
    take all they can, 60 mu go to the pool."""
    p = Policy().set("L11", enabled=True, supply_share=0.5)
    extra, spill = land.off_quota_land(p, 200.0, np.array([10.0, 0.0, 5.0]), np.array([40.0, 10.0, 50.0]),
                                       np.array([True, True, False]))
    assert np.allclose(extra, [30.0, 10.0, 0.0]) and np.isclose(spill, 60.0)
    extra, spill = land.off_quota_land(p, 20.0, np.zeros(2), np.array([30.0, 10.0]), np.array([True, True]))
    assert np.allclose(extra, [7.5, 2.5]) and spill == 0.0
    assert land.off_quota_land(Policy(), 200.0, np.zeros(2), np.ones(2), np.ones(2, bool))[1] == 0.0


def test_L11_second_land_source_grants_more_park_land_under_a_tight_quota():
    """L11: with the yearly quota binding, off-quota land lets parks grant more land."""
    w = small_world(land_quota=1500.0)
    on, off = compare(w, series_last("land_granted"), Policy().set("L11", enabled=True, supply_share=0.5), Policy())
    assert on > off


# --- C7 consolidation during the run ----------------------------------------------------------

def test_C7_merge_plan_one_zone_per_county_then_small_parks_of_a_city():
    """Hand case. County 0 holds parks 0 (9000 mu) and 1 (6000): 1 merges into 0. County 1 holds
    park 2 (2000, small) and county 2 park 3 (5000, largest of city 1 after 0+1 are in city 0): the small
    park 2 merges into 3. Park 4 is closed; with one merge a year zone 0 takes park 1 only."""
    p = Policy().set("C7", enabled=True, small_mu=3000.0, max_blocks=3, merges_per_year=1)
    place, city = np.array([0, 0, 1, 2, 0]), np.array([0, 0, 1, 1, 0])
    area, blocks = np.array([9000.0, 6000.0, 2000.0, 5000.0, 100.0]), np.ones(5, int)
    open_park = np.array([True, True, True, True, False])
    assert chains.merge_plan(p, place, city, area, blocks, open_park) == [(1, 0), (2, 3)]
    full = p.set("C7", max_blocks=1)
    assert chains.merge_plan(full, place, city, area, blocks, open_park) == []
    assert chains.merge_plan(Policy(), place, city, area, blocks, open_park) == []


def _county_world(**overrides):
    parks = (ParkSpec("west", "provincial", 9000.0, city="alpha", leading=("auto_parts",)),
             ParkSpec("east", "county", 6000.0, city="alpha", leading=("textiles",)),
             ParkSpec("north", "city", 7000.0, city="beta", leading=("medicines",)))
    return small_world(parks=parks, years=4, **overrides)


def test_C7_merges_a_second_zone_of_a_county_during_the_run_keeping_firms_and_area():
    """C7: the county of 'west' and 'east' keeps one zone after the first year (start-up merging off:
    no park is below small_mu 0); firms and area move with the merged park."""
    from parksim.simulation import ParkModel
    p = Policy().set("C7", enabled=True, small_mu=0.0)
    m = ParkModel(_county_world(), p, rng=1)
    firms_before = int((m.firms.park >= 0).sum())
    area_before = float(m.parks.area.sum())
    assert m.parks.alive.sum() == 3
    m.step()
    assert list(m.parks.alive) == [True, False, True]
    assert np.isclose(m.parks.area.sum(), area_before) and m.parks.blocks[0] == 2
    assert not (m.firms.park == 1).any() and (m.firms.park >= 0).sum() >= firms_before
    on, off = compare(_county_world(), series_last("parks_active"), p, Policy())
    assert on < off


# --- C2 gate or plan target -------------------------------------------------------------------

def _declared_share(m):
    return series_last("declared_share")(m)


def _entrants(m):
    f = m.firms
    return float(((f.entry_year > m.world.start_year) & (f.park >= 0)).sum())


def test_C2_as_a_target_courts_leading_projects_without_refusing_any():
    """C2 target mode (001 三; 003 四(一)) raises the leading share without refusals, so more projects
    settle in parks than under the gate (004 §(八)); the evaluation counts parks at target."""
    w = small_world()
    target = Policy().set("C2", enabled=True, mode="target", target=0.6, promotion=2.0)
    gate = Policy().set("C2", enabled=True, mode="gate", target=0.6)
    on, off = compare(w, _declared_share, target, Policy())
    assert on > off
    settled_target, settled_gate = compare(w, _entrants, target, gate)
    assert settled_target > settled_gate
    counted, uncounted = compare(w, series_last("parks_at_structure_target"), target, Policy())
    assert counted > 0 == uncounted


def test_C2_mode_must_be_gate_or_target():
    import pytest

    from parksim.simulation import ConfigError
    with pytest.raises(ConfigError, match="policy.C2.mode"):
        Policy.from_dict({"C2": {"enabled": True, "mode": "both"}})


# --- C5 four ones ---------------------------------------------------------------------------

def test_C5_four_ones_hand_case():
    """Park 0 meets all four; park 1's largest sector is not declared and it has no cluster."""
    from parksim.simulation.evaluation import four_ones
    declared = np.array([[True, False], [True, False]])
    output = np.array([[600.0, 100.0], [100.0, 300.0]])
    met = four_ones(declared, output, np.array([True, True]), np.array([True, False]), 500.0)
    assert met.tolist() == [[True, True, True, True], [False, True, False, False]]


def _parks_with_a_mega_project(m) -> float:
    f = m.firms
    mega = (f.state != EXITED) & (f.park >= 0) & (f.investment >= 50000.0)
    return float(len(np.unique(f.park[mega])))


def test_C5_pull_spreads_mega_projects_to_parks_without_one():
    """C5 "one ≥20亿 project" per park: the pull for mega and leading projects in parks without one
    gives more parks a mega project than the same counted world without it (mega_bonus 0). (The four-ones
    count itself is checked by hand above; with the open economy the pull's effect on that count is not
    of one sign across seeds: spreading mega projects also thins the clusters.)"""
    w = small_world(n_parks=12, leading_min=30000.0)
    on = Policy().set("C5", enabled=True, mega_min=50000.0, mega_bonus=3.0, cluster_min=20000.0)
    counted_only = Policy().set("C5", enabled=True, mega_min=50000.0, mega_bonus=0.0, cluster_min=20000.0)
    a, b = compare(w, _parks_with_a_mega_project, on, counted_only)
    assert a > b


# --- E2 five principles as a weighted review ----------------------------------------------------

def test_E2_review_needs_both_conditions_and_one_reason():
    """Hand case, one park (standard 100): (a) policy fit + intensity + declared industry passes (7);
    (b) major, leading, declared and policy fit but below the standard fails (6); (c) class III not
    high-tech, though major, leading, declared and dense, fails (6); (d) both conditions but no reason fails (6)."""
    from parksim.simulation.entry import eligible
    p = Policy().set("E2", enabled=True)
    ok = eligible(p, pollution_class=np.array([1, 1, 3, 1]), hightech=np.zeros(4, bool),
                  investment=np.array([500.0, 50000.0, 50000.0, 500.0]), leading=np.array([False, True, True, False]),
                  intensity=np.array([150.0, 50.0, 150.0, 150.0]), declared=np.array([[True], [True], [True], [False]]),
                  standard=np.array([100.0]), urban=np.array([False]), open_park=np.array([True]),
                  leading_share=np.array([0.0]))
    assert ok[:, 0].tolist() == [True, False, False, False]


# --- C6 by-product links -------------------------------------------------------------------------

def test_C6_link_table_names_known_sectors_and_is_symmetric():
    import csv

    from parksim.simulation.sectors import default_sectors
    keys = default_sectors().keys
    with open(chains.BYPRODUCT_LINKS_PATH, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows and all(r["source"] in keys and r["user"] in keys and r["reasoning"] for r in rows)
    links = chains.byproduct_links(keys)
    assert (links == links.T).all() and links.sum() == 2 * len({frozenset((r["source"], r["user"])) for r in rows})


def test_C6_partner_only_across_a_by_product_link_in_the_same_park():
    """Hand case, sectors 0-1 linked, 2 not: park 0 holds 0 and 1 (both partners) and 2 (none);
    park 1 holds a 0 alone; the 1 in park 1 is not producing; outside firms never count."""
    links = np.array([[False, True, False], [True, False, False], [False, False, False]])
    park = np.array([0, 0, 0, 1, 1, -1])
    sector = np.array([0, 1, 2, 0, 1, 1])
    producing = np.array([True, True, True, True, False, True])
    flag = chains.byproduct_partner(park, sector, producing, 2, links)
    assert flag.tolist() == [True, True, False, False, False, False]


def _pollution_per_output(m):
    s = m.recorder.outputs().series
    return float(s.pollution.iloc[1:].sum() / s.output.iloc[1:].sum())


def test_C6_cuts_pollution_only_through_linked_sectors(monkeypatch):
    """C6 on lowers pollution per output; the same rule with an empty link table changes nothing."""
    w = small_world()
    c6 = Policy().set("C6", enabled=True)
    on, off = compare(w, _pollution_per_output, c6, Policy())
    assert on < off
    monkeypatch.setattr(chains, "byproduct_links", lambda keys: np.zeros((len(keys), len(keys)), bool))
    assert compare(w, _pollution_per_output, c6, Policy(), seeds=(1,)) == compare(w, _pollution_per_output, Policy(),
                                                                                  Policy(), seeds=(1,))


# --- L7 standard factories --------------------------------------------------------------------

def test_L7_hand_case_floor_and_footprint():
    """150,000 m² at plot ratio 1.5 stand on 150 mu (1 mu = 666.7 m²); an SME that would take 2 mu
    rents 1066 m², only where that much floor is vacant."""
    from parksim.simulation import factories
    p = Policy().set("L7", enabled=True)
    assert np.isclose(factories.footprint(p, 150000.0), 150.0)
    rents = factories.renting(p, np.array([1000.0, 5000.0]), np.array([[2.0, 2.0], [2.0, 2.0]]),
                              np.array([[2000.0, 1000.0], [2000.0, 2000.0]]))
    assert rents.tolist() == [[True, False], [False, False]]
    assert np.isclose(factories.floor_need(p, 2.0), 1066.0)


def _factory_state(m):
    f, pk = m.firms, m.parks
    live = f.state != EXITED
    return float((f.floor_m2 > 0).sum()), float(pk.factory_m2.sum()), float(pk.factory_rent.sum()), \
        float(f.land[live & (f.park >= 0) & (f.investment < 3000.0)].sum())


def test_L7_parks_build_factories_that_small_firms_rent_instead_of_land():
    """L7: parks hold a floor stock, small firms rent it and pay rent, and small firms hold less land
    than without the rule; stock ≥ floor rented, and land accounts balance."""
    from conftest import assert_land_accounts, run_model
    w = small_world(years=5)
    p = Policy().set("L7", enabled=True)
    m = run_model(w, p, 1)
    tenants, stock, rent, small_land = _factory_state(m)
    assert tenants > 0 and stock > 0 and rent > 0
    assert stock >= park_sum(m.firms, m.parks, m.firms.floor_m2, live_only=True).sum() - 1e-6
    assert (granted_by_park(m.firms, m.parks) <= m.parks.area + 1e-6).all()
    assert_land_accounts(m)
    off = run_model(w, Policy(), 1)
    assert small_land < _factory_state(off)[3]


# --- L5 a cap on each batch application (rules5) --------------------------------------------------

def test_L5_batch_cap_hand_case():
    """0.3 × a plan of 1000 mu shared by open parks' area: county 0 holds 300 of 400 open mu → 225 mu a
    batch for each of its parks, county 1 → 75; a closed park's county has no plan; off: no cap."""
    pol = Policy().set("L5", enabled=True, max_share=0.3)
    cap = land.batch_cap(pol, 1000.0, np.array([100.0, 200.0, 100.0, 500.0]), np.array([0, 0, 1, 2]),
                         np.array([True, True, True, False]))
    assert np.allclose(cap, [225.0, 225.0, 75.0, 0.0])
    assert np.isinf(land.batch_cap(Policy(), 1000.0, np.ones(2), np.zeros(2, int), np.ones(2, bool))).all()


def _queued_land(scenario, l5: bool, seed: int) -> float:
    """Mu of the projects entering while the rules act still waiting for a later phase, counted at entry."""
    from parksim.scenarios.loader import load_scenario
    s = load_scenario(scenario)
    world = dataclasses.replace(s.world, years=s.world.burn_in + 3)
    m = ParkModel(world, s.policy.set("L5", enabled=l5), rng=seed)
    queued = 0.0
    for _ in range(world.years):
        m.step()
        f = m.firms
        if m.year > s.document_start:
            queued += float(f.land_pending[:f.n][f.entry_year[:f.n] == m.year].sum())
    return queued


def test_L5_binds_in_lanzhou_batches_above_the_cap_wait():
    """L5 as Lanzhou writes it (30 % of the local plan a batch): with the same seeds, more of the
    entering projects' land waits for a later phase than with L5 off (L6's halves wait in both)."""
    on, off = (sum(_queued_land("lanzhou_2012", l5, seed) for seed in (1, 2)) for l5 in (True, False))
    assert on > 1.1 * off


def _second_phase_given(policy: Policy, emission_room: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Land each of a park's producers gets in an L6 second phase of 10^6 mu asked, with the park's
    room ample; returns (given, the L5 batch cap of the park)."""
    from parksim.simulation import finance
    m = ParkModel(small_world(years=2, land_quota=1e6), policy, rng=1)
    m.plan_year()
    f, park = m.firms, 0
    rows = np.flatnonzero((f.park[:f.n] == park) & (f.state[:f.n] != EXITED))[:2]
    m.parks.area[park] += 1e7                       # the park's area and greenfield are no limit
    m.ledger.greenfield[park] = m.ledger.quota[park] = 1e7
    if emission_room is not None:
        m.ledger.emission_room[park] = emission_room
    f.land_pending[rows] = 1e6
    before = f.land[rows].copy()
    finance.second_phase(m, rows)
    cap = land.batch_cap(m.policy, m.ledger.plan, m.parks.area, m.parks.place, open_parks(m.parks))[park]
    return f.land[rows] - before, cap


def test_L6_second_phase_is_a_batch_under_L5_and_passes_E4():
    """Issue 12 §1.1: the second phase of a phased grant takes quota, is capped like any batch (L5:
    each firm's second phase at most the batch cap) and passes E4 (a park over its emission quota
    supplies none); without L5 the whole rest is supplied."""
    l6 = Policy().set("L6", enabled=True)
    given, cap = _second_phase_given(l6.set("L5", enabled=True))
    assert np.isfinite(cap) and np.allclose(given, cap)
    given, _ = _second_phase_given(l6)
    assert np.allclose(given, 1e6)
    e4 = l6.set("E4", enabled=True)
    assert np.allclose(_second_phase_given(e4, emission_room=-1.0)[0], 0.0)
    assert np.allclose(_second_phase_given(e4, emission_room=1.0)[0], 1e6)


# --- C1 the cap on declared leading industries binds for every park (rules5) ----------------------

def test_C1_generated_parks_wish_for_more_than_the_cap_and_are_cut_to_it():
    """Generated parks wish for 2-6 industries: with C1 on every park declares at most its cap (5
    national, 3 others), with C1 off some parks declare more than their cap, and the wish lengths vary."""
    w = WorldConfig(n_parks=40, initial_firms=0)
    for seed in (1, 2):
        on = ParkModel(w, Policy().set("C1", enabled=True), rng=seed)
        off = ParkModel(w, Policy(), rng=seed)
        cap = np.where(on.parks.level[:on.parks.n] == 3, 5, 3)
        assert (on.declared.sum(1) <= cap).all()
        assert (off.declared.sum(1) > cap).any()
        assert len(set(off.declared.sum(1))) >= 3
        assert (on.declared <= off.declared).all()                  # a cut of the wish list, nothing added


def test_C1_parks_created_during_a_run_wish_like_generated_parks_and_are_cut():
    """A park created during the run wishes for [leading_wish_min, leading_wish_max] industries, as a
    generated park does, so C1's cap (3 for a county park) binds for it too."""
    w = WorldConfig(n_parks=10, initial_firms=0, leading_wish_min=4, leading_wish_max=6)
    model = ParkModel(w, Policy().set("C1", enabled=True), rng=5)
    wishes, add = [], model.add_parks
    model.add_parks = lambda specs, blocks=None: (wishes.extend(len(s.leading) for s in specs), add(specs, blocks))
    first = model.parks.n
    planning.create_new_parks(model, 30)
    assert len(wishes) == 30 and min(wishes) >= 4 and max(wishes) <= 6 and len(set(wishes)) > 1
    assert (model.declared[first:].sum(1) == model.policy.C1.max_other).all()


def test_C1_wish_bounds_are_checked():
    """A minimum above the maximum is refused before anything runs."""
    with pytest.raises(ConfigError, match="leading_wish_min"):
        WorldConfig(leading_wish_min=5, leading_wish_max=3)


# --- Henan at a stated scale (rules5, issue 12 §3) ------------------------------------------------

def _view(outputs, year=2020):
    import pandas as pd

    from parksim.experiments.targets import RunView
    parks = pd.DataFrame({"year": year, "park": range(len(outputs)), "output": outputs, "alive": True,
                          "status": "active", "employment": 100.0})
    return RunView(pd.DataFrame({"year": [year]}), parks, pd.DataFrame(columns=["kind", "year", "value"]),
                   pd.DataFrame())


def test_targets_of_a_scaled_world_read_the_real_scale():
    """At scale 0.32 a park of 400亿 in the run is one of 1250亿: it counts among the parks over 1000亿
    and 320亿 does too, 300亿 not; park output and jobs are divided by 0.32; the park count is as run."""
    from parksim.experiments.targets import measure
    from parksim.scenarios.targets import read_targets
    t = read_targets()
    view = _view([4_000_000.0, 3_200_000.0, 3_000_000.0])             # 万元: 400亿, 320亿, 300亿
    assert measure(t["003.parks_1000yi"], view, 0.32) == 2
    assert measure(t["003.parks_1000yi"], view) == 0                  # at real scale none reaches 1000亿
    total = next(x for x in t.values() if x.metric == "park_output")
    assert np.isclose(measure(total, _view(view.parks.output, total.year), 0.32), 10_200_000.0 / 0.32)
    count = next(x for x in t.values() if x.metric == "parks_count")
    at = _view(view.parks.output, count.year)
    assert measure(count, at, 0.32) == measure(count, at) == 3


def test_henan_states_its_scale_and_burns_in_before_2017():
    """henan_2017 runs at a stated scale below 1 with the documents' 5-year burn-in before 2017."""
    from parksim.scenarios.loader import load_scenario
    s = load_scenario("henan_2017")
    assert 0 < s.world.scale < 1 and s.world.burn_in == 5 and s.document_start == 2017
