"""The economy outside parks: incumbent firms per place at the start, and which rules act on them."""

import numpy as np
import pytest
from conftest import run_model, small_world

from parksim.simulation import ConfigError, ParkModel, ParkSpec, Policy, WorldConfig
from parksim.simulation.outside import largest_remainder, outside_counts
from parksim.simulation.places import Place
from parksim.simulation.state import EXITED, PRODUCING


def places_world(**world) -> WorldConfig:
    """Two cities of one province; parks in counties A1 and B1; B2 has no park."""
    places = (Place("P", "province", "province", population=9e7),
              Place("A", "city a", "city", "P"), Place("A1", "a1", "county", "A", population=3e6),
              Place("B", "city b", "city", "P"), Place("B1", "b1", "county", "B", population=1e6),
              Place("B2", "b2", "county", "B", incumbent_firms=50.0))
    parks = (ParkSpec("pa", "provincial", 6000.0, city="a", place="A1"),
             ParkSpec("pb", "county", 4000.0, city="b", place="B1"))
    world = WorldConfig(**{"years": 3, "initial_firms": 1000, "outside_firm_share": 0.3, **world})
    return world.with_places(places).with_parks(parks)


def test_largest_remainder_adds_up_and_is_proportional():
    """Whole numbers ∝ weights that add up exactly; ties go to the earlier entry."""
    assert largest_remainder(np.array([3.0, 1.0]), 250).tolist() == [188, 62]
    assert largest_remainder(np.array([1.0, 1.0, 1.0]), 10).tolist() == [4, 3, 3]
    assert largest_remainder(np.zeros(3), 10).tolist() == [0, 0, 0]


def test_counts_follow_given_firms_then_population_of_the_lowest_sized_places():
    """B2 keeps its 50; the other 250 go to A1 and B1 ∝ population 3:1; the province's population is not counted again."""
    world = places_world()
    counts = outside_counts(list(world.places), np.array([0, 0, 1, 0, 1, 0], bool), 1000, 0.3)
    assert counts.tolist() == [0, 0, 188, 0, 62, 50]


def test_without_sizes_the_outside_firms_spread_evenly_over_places_with_parks():
    """No population given: the outside share is split evenly over the places that have parks."""
    places = [Place("X", "x", "county"), Place("Y", "y", "county"), Place("Z", "z", "county")]
    assert outside_counts(places, np.array([1, 0, 1], bool), 102, 0.5).tolist() == [26, 0, 25]


def test_synthetic_world_has_its_outside_share_spread_over_the_counties_with_parks():
    """round(outside_firm_share · initial_firms) outside firms at the start, at most one apart between places with parks."""
    model = ParkModel(small_world(initial_firms=1000, outside_firm_share=0.25), rng=3)
    f = model.firms
    outside = np.flatnonzero(f.park < 0)
    assert len(outside) == 250 and (f.state[outside] == PRODUCING).all()
    per_place = np.bincount(f.place[outside], minlength=len(model.place_ids))
    with_parks = np.bincount(model.parks.place, minlength=len(model.place_ids)) > 0
    assert per_place[~with_parks].sum() == 0 and np.ptp(per_place[with_parks]) <= 1
    assert model.recorder.outputs().series.firms_outside.iloc[0] == 250


def test_model_takes_place_sizes_and_keeps_initial_firms_as_the_total():
    """Outside firms per place as outside_counts says; park firms are the rest of initial_firms (those that fit)."""
    model = ParkModel(places_world(), rng=1)
    f = model.firms
    per_place = {pid: int(((f.park < 0) & (f.place == i)).sum()) for i, pid in enumerate(model.place_ids)}
    assert (per_place["A1"], per_place["B1"], per_place["B2"]) == (188, 62, 50)
    assert 0 < (f.park >= 0).sum() <= 700
    assert (f.output[f.park < 0] > 0).all()


def test_given_firms_above_the_total_are_refused():
    """incumbent_firms of the places add up to more than initial_firms: ConfigError naming initial_firms."""
    with pytest.raises(ConfigError, match="initial_firms"):
        ParkModel(places_world(initial_firms=40), rng=1)


def test_outside_firms_are_not_bought_back_under_x3_but_x5_closes_them():
    """X3 is a park-land rule: no outside firm is bought back; X5's cap is on the zones' energy use
    (001 四(六) 开发区能源消费总量): it closes park polluters only."""
    world = small_world(years=6, initial_firms=600, outside_firm_share=0.4)
    x3 = run_model(world, Policy().set("X3", enabled=True, tax_per_mu_min=50.0, years=1), 2)
    bought = x3.recorder.outputs().events.query("kind == 'land_bought_back'")
    assert len(bought) > 0 and (x3.firms.park[bought.firm.to_numpy()] >= 0).all()
    x5 = run_model(world, Policy().set("X5", enabled=True, cap_growth=-0.2), 2)
    closed = x5.recorder.outputs().events.query("kind == 'polluter_closed'")
    assert len(closed) > 0 and (x5.firms.park[closed.firm.to_numpy()] >= 0).all()


def test_outside_incumbents_never_gain_land_under_l1():
    """L1: no new land outside parks; an outside incumbent's land is what it started with (or 0 once gone)."""
    world = small_world(years=6, relocation_review_share=0.0)
    model = ParkModel(world, Policy().set("L1", enabled=True), rng=4)
    rows = np.flatnonzero(model.firms.park < 0)
    start = model.firms.land[rows].copy()
    for _ in range(world.years):
        model.step()
    stayed = model.firms.park[rows] < 0
    assert (model.firms.land[rows][stayed] <= start[stayed]).all()
    assert (model.firms.land[rows][model.firms.state[rows] == EXITED] == 0).all()


def test_same_seed_same_outside_economy_and_growth():
    """Determinism: one seed gives identical outside firms, series, growth table and events."""
    policy = Policy().set("L1", enabled=True).set("L10", enabled=True)
    a, b = (run_model(small_world(years=5), policy, 9).recorder.outputs() for _ in range(2))
    assert a.series.equals(b.series) and a.growth.equals(b.growth) and a.events.equals(b.events)
