"""Issue 12 §2: L7, E2, C2, C5, C6, C7 and L11 act as their clauses say (direction of effect, same
seeds on vs off, and hand cases of their kernels)."""

import numpy as np
from conftest import mean_over_seeds, small_world

from parksim.simulation import Policy, land

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
