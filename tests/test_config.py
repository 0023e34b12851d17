"""Bad input is refused before anything runs, with the parameter, the value and what is allowed."""

import pytest

from parksim.simulation import ConfigError, Policy, WorldConfig
from parksim.simulation.sectors import default_sectors
from parksim.simulation.world import ParkSpec


@pytest.mark.parametrize("rules,where", [
    ({"E1": {"national": -5.0}}, "policy.E1.national"),
    ({"L5": {"max_share": 1.5}}, "policy.L5.max_share"),
    ({"Z9": {"enabled": True}}, "policy.Z9"),
    ({"E1": {"nationl": 250.0}}, "policy.E1.nationl"),
    ({"E1": {"enabled": "yes"}}, "policy.E1.enabled"),
    ({"V1": {"enabled": True, "weights": {"output": 0.5, "tax_per_mu": 0.3}}}, "policy.V1.weights"),
    ({"V1": {"enabled": True, "weights": {"beauty": 1.0}}}, "policy.V1.weights.beauty"),
    ({"V4": {"enabled": True}}, "policy.V4.enabled"),
    ({"L8": {"min_factor": 0.6, "max_factor": 0.5}}, "policy.L8.min_factor"),
])
def test_bad_policy_names_parameter_value_and_allowed(rules, where):
    """Negative thresholds, shares outside [0, 1], unknown ids/keys, bad weights all raise ConfigError."""
    with pytest.raises(ConfigError) as err:
        Policy.from_dict(rules)
    assert err.value.where == where
    assert "allowed" in str(err.value) and "got" in str(err.value)


@pytest.mark.parametrize("values,where", [
    ({"years": 0}, "world.years"),
    ({"start_prob": 1.2}, "world.start_prob"),
    ({"projects_per_yer": 10.0}, "world.projects_per_yer"),
    ({"national_share": 0.6, "provincial_share": 0.6}, "world.national_share + provincial_share + city_share"),
])
def test_bad_world_is_refused(values, where):
    """Out-of-range or unknown world parameters raise ConfigError naming them."""
    with pytest.raises(ConfigError) as err:
        WorldConfig.from_dict(values)
    assert err.value.where == where


def test_bad_park_spec_is_refused():
    """A park with an unknown level or sector is refused with its position."""
    keys = default_sectors().keys
    with pytest.raises(ConfigError, match="world.parks\\[0\\].level"):
        ParkSpec("a", "galactic", 100.0).check("world.parks[0]", keys)
    with pytest.raises(ConfigError, match="world.parks\\[1\\].leading"):
        ParkSpec("b", "city", 100.0, leading=("unobtainium",)).check("world.parks[1]", keys)


def test_policy_set_and_baseline():
    """The default policy is the baseline with every rule off; set() switches one rule."""
    assert Policy().enabled_rules() == ()
    p = Policy().set("E1", enabled=True, national=300.0)
    assert p.enabled_rules() == ("E1",) and p.E1.national == 300.0


def test_model_checks_parks_before_running():
    """A world with an invalid park fails at construction, naming the park."""
    from parksim.simulation import ParkModel
    world = WorldConfig(years=2).with_parks((ParkSpec("a", "city", -3.0),))
    with pytest.raises(ConfigError, match="world.parks\\[0\\].area_mu"):
        ParkModel(world, Policy(), rng=1)
