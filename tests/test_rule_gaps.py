"""Issue 12 §1: rule gaps closed, each checked on its corrected behaviour (hand cases or on/off runs)."""

import numpy as np
from conftest import small_world

from parksim.simulation import ParkModel, Policy, investment


def test_C3_induced_projects_come_out_of_the_mobile_pool():
    """C3: induced projects replace mobile draws: the year's mobile count is the Poisson draw alone."""
    w = small_world(leading_min=30000.0)
    m = ParkModel(w, Policy().set("C3", enabled=True, induced_projects=2.0), rng=3)
    m.year_index = 1
    state = m.rng.bit_generator.state
    n = m.rng.poisson(w.projects_per_year)
    m.rng.bit_generator.state = state
    proj = investment.draw_projects(m)
    mobile = proj["source"] == investment.MOBILE
    assert (proj["target"][mobile] >= 0).sum() > 0
    assert mobile.sum() == n


def test_C3_induced_bonus_is_the_policy_parameter():
    """C3: the utility of an induced project's park is the rule's ``induced_bonus`` (0 when off)."""
    w = small_world()
    on = ParkModel(w, Policy().set("C3", enabled=True, induced_bonus=3.5), rng=1).coefficients()
    off = ParkModel(w, Policy().set("C3", induced_bonus=3.5), rng=1).coefficients()
    assert on.induced_bonus == 3.5 and off.induced_bonus == 0.0
