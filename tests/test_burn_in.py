"""Rules from a year (``WorldConfig.burn_in``): the rules act after the base year and count from there."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import small_world

from parksim.simulation import ConfigError, ParkModel, Policy, WorldConfig
from parksim.simulation.burn_in import SETUP_RULES, dormant
from parksim.simulation.run import simulate
from parksim.simulation.state import park_sum

BURN_IN = 3


def stepped(world: WorldConfig, policy: Policy, seed: int, years: int) -> ParkModel:
    model = ParkModel(world, policy, rng=seed)
    for _ in range(years):
        model.step()
    return model


def test_policy_is_dormant_until_the_base_year_then_in_force():
    """Every rule but the set-up ones is off through the base year; the run's policy acts from the next."""
    policy = Policy.from_dict({rid: {"enabled": True} for rid in ("E1", "S1", "V1", "V4", "C1", "C7")})
    model = ParkModel(small_world(burn_in=BURN_IN), policy, rng=1)
    assert set(model.policy.enabled_rules()) == {"C1", "C7"} == set(dormant(policy).enabled_rules())
    assert set(SETUP_RULES) >= {"C1", "C7"}
    for _ in range(BURN_IN):
        model.step()
        assert set(model.policy.enabled_rules()) == {"C1", "C7"}
    assert model.year == model.rules_from
    model.step()
    assert model.policy == policy and model.rules_year == 1


def test_s4_base_is_the_tax_of_the_rules_base_year_and_its_window_counts_from_their_start():
    """S4's base tax is each park's tax in the base year (not the set-up year's), X5's energy baseline that
    year's energy; tax returns run for S4.years years from the rules' first year."""
    policy = Policy.from_dict({"S4": {"enabled": True, "years": 2, "base": "fixed"}, "X5": {"enabled": True}})
    world = small_world(burn_in=BURN_IN)
    model = stepped(world, policy, 4, BURN_IN)
    base_tax, set_up_tax = park_sum(model.firms, model.parks, model.firms.tax), model.parks.base_tax.copy()
    energy = float(model.firms.energy[model.firms.park >= 0].sum())       # X5 caps park firms' use
    assert not np.allclose(base_tax, set_up_tax)
    model.step()
    np.testing.assert_allclose(model.parks.base_tax, base_tax)
    assert model.energy_baseline == pytest.approx(energy)
    assert model.government.energy_cap == pytest.approx(energy * (1 + policy.X5.cap_growth))
    for _ in range(world.years - BURN_IN - 1):
        model.step()
    returned = model.recorder.outputs().series.set_index("year")["tax_returned"]
    window = (returned.index > model.rules_from) & (returned.index <= model.rules_from + 2)
    assert (returned[~window] == 0).all() and (returned[window] > 0).all()


def test_v7_periods_count_from_the_rules_start():
    """V7 adjusts plans every `period` years counted from the rules' base year, not from the run's start."""
    policy = Policy.from_dict({"V1": {"enabled": True}, "V7": {"enabled": True, "period": 3,
                                                                 "cut_built_share": 1.0}})
    world = small_world(burn_in=2, years=12)
    events = simulate(world, policy, seed=3).events
    acts = events[(events["rule"] == "V7") & (events["kind"] != "designation")]    # a 降 shows next year's review
    years = set(acts["year"])
    assert years and years <= {world.start_year + 2 + 3 * k for k in range(1, 4)}


def test_a_lever_in_the_burn_in_waits_for_the_rules_start():
    """A scheduled change of a rule during the burn-in takes effect with the rules, not before: S1's budget
    set in the burn-in is the fund of the rules' first year, and S1 switched on then pays nothing before."""
    world = small_world(burn_in=BURN_IN)
    start = world.start_year
    model = ParkModel(world, Policy.from_dict({"S1": {"enabled": False, "budget": 100.0}}), rng=2)
    model.schedule(start + 1, lever="policy.S1.budget", value=800.0)
    model.schedule(start + 2, lever="policy.S1.enabled", value=True)
    for _ in range(world.years):
        model.step()
    fund = model.recorder.outputs().series.set_index("year")["fund_budget"]
    assert (fund.loc[: model.rules_from] == 0).all()
    assert fund[model.rules_from + 1] == pytest.approx(800.0)
    assert model.policy.S1.enabled and model.policy.S1.budget == 800.0


def test_burn_in_zero_is_the_run_without_one():
    """burn_in = 0 (the default) is today's run: the rules act from the first simulated year."""
    policy = Policy.from_dict({"S1": {"enabled": True}, "S4": {"enabled": True}})
    a = simulate(small_world(years=5), policy, seed=7).series
    b = simulate(small_world(years=5, burn_in=0), policy, seed=7).series
    assert a.equals(b) and a["fund_budget"].iloc[1] == pytest.approx(policy.S1.budget)


def test_bad_burn_in_is_a_config_error():
    """More burn-in years than the run has, or a lever moving the rules' start mid-run, fail before running."""
    with pytest.raises(ConfigError, match="burn_in"):
        small_world(years=3, burn_in=4)
    model = ParkModel(small_world(), Policy(), rng=1)
    with pytest.raises(ConfigError, match="burn_in"):
        model.schedule(model.year + 2, lever="world.burn_in", value=1)
