"""Pure parts of calibration/: moments, targets file, SMM loss and stylised facts, on hand-computed cases."""

import math

import numpy as np
import pandas as pd
import pytest
from conftest import write

from parksim.calibration import moments, smm, validation
from parksim.calibration.space import FreeParameter, free_parameters, parameter
from parksim.calibration.targets import DEFAULT_FILE, load_targets
from parksim.simulation import ConfigError

# ------------------------------------------------------------------------------------------------ moments

ENTRY = [2000, 2000, 2001, 2003]
EXIT = [2002, -1, 2003, -1]


def test_exit_hazard_by_age_hand_computed():
    """Life table over 2001-2003: age 1: 3 at risk, 0 exits; age 2: 3 at risk, 2 exits; age 3: 1 at risk."""
    t = moments.exit_hazard_by_age(ENTRY, EXIT, [2001, 2002, 2003])
    assert t["age"].tolist() == [1, 2, 3]
    assert t["at_risk"].tolist() == [3, 3, 1]
    assert t["exits"].tolist() == [0, 2, 0]
    assert t["hazard"].tolist() == pytest.approx([0, 2 / 3, 0])
    assert moments.exit_rate(t) == pytest.approx(2 / 7)
    assert moments.hazard_at_age(t, 2, min_at_risk=1) == pytest.approx(2 / 3)
    assert math.isnan(moments.hazard_at_age(t, 2, min_at_risk=4))         # too few firm-years
    assert moments.hazard_peak_age(t, min_at_risk=1) == 2


def test_power_law_exponent_hand_computed_and_on_a_pareto_sample():
    """α = 1 + n / Σ ln(x/x_min): sizes 1, 2, 4, 8 give 1 + 4 / (6 ln 2); a Pareto sample (exponent 2.3) is recovered."""
    assert moments.power_law_density_exponent([1, 2, 4, 8, 0, -3], tail_fraction=1.0, min_tail=4) == pytest.approx(
        1 + 4 / (6 * math.log(2)))
    u = np.random.default_rng(5).random(50_000)
    assert moments.power_law_density_exponent((1 - u) ** (-1 / 1.3)) == pytest.approx(2.3, abs=0.05)
    assert math.isnan(moments.power_law_density_exponent([1, 2, 3]))       # fewer than min_tail sizes


def test_level_ratio_and_intensity_use_active_parks_of_the_level():
    parks = pd.DataFrame({"year": 2020, "level": ["national", "national", "national", "provincial"],
                          "alive": [True, True, True, True], "status": ["active", "active", "revoked", "active"],
                          "tax": [100.0, 50.0, 999.0, 10.0], "built": [2.0, 3.0, 1.0, 1.0],
                          "intensity": [300.0, 600.0, 1.0, 50.0], "granted": [1.0, 2.0, 5.0, 1.0]})
    assert moments.level_ratio(parks, 2020, "national", "tax", "built") == pytest.approx(150 / 5)
    assert moments.level_intensity(parks, 2020, "national") == pytest.approx((300 + 1200) / 3)
    assert math.isnan(moments.level_ratio(parks, 2020, "county", "tax", "built"))


# ------------------------------------------------------------------------------------------------ targets file

def test_packaged_targets_file_loads_with_sources_and_bounds_inside_declared_ranges():
    ts = load_targets()
    assert ts.path == DEFAULT_FILE and len(ts.targets) >= 10 and len(ts.parameters) == 6
    for t in ts.targets:
        assert t.source and t.tolerance > 0 and t.weight > 0 and t.kind in ("document", "literature")
    assert {t.moment for t in ts.targets} == set(moments.MOMENTS)              # every moment is used


GOOD = """
[parameters]
"world.margin_mean" = [-0.1, 0.1]
[targets.a]
moment = "exit_rate"
value = 0.07
tolerance = 0.01
kind = "literature"
source = "x"
"""


@pytest.mark.parametrize("old,new,where", [
    ('tolerance = 0.01', 'tolerance = 0', "targets.a.tolerance"),
    ('tolerance = 0.01', 'tolerance = "big"', "targets.a.tolerance"),
    ('value = 0.07', 'value = 0.07\nlow = 0.01\nhigh = 0.2', "targets.a.value"),
    ('moment = "exit_rate"', 'moment = "exit_rates"', "targets.a.moment"),
    ('source = "x"', 'source = "x"\nsauce = 1', "targets.a.sauce"),
    ('kind = "literature"', 'kind = "rumour"', "targets.a.kind"),
    ('"world.margin_mean" = [-0.1, 0.1]', '"world.margin_meen" = [-0.1, 0.1]', "world.margin_meen"),
    ('"world.margin_mean" = [-0.1, 0.1]', '"world.margin_mean" = [-2, 0.1]', "world.margin_mean"),
    ('"world.margin_mean" = [-0.1, 0.1]', '"world.years" = [5, 10]', "world.years"),     # a constant
    ('"world.margin_mean" = [-0.1, 0.1]', '"world.loss_years" = [1.5, 3]', "world.loss_years"),
])
def test_bad_targets_file_names_file_key_and_value(tmp_path, old, new, where):
    path = write(tmp_path, "t.toml", GOOD.replace(old, new))
    with pytest.raises(ConfigError) as e:
        load_targets(path)
    assert str(path) in str(e.value) and where in str(e.value) and "allowed" in str(e.value)


def test_missing_targets_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="readable"):
        load_targets(tmp_path / "none.toml")


def test_free_parameters_come_from_world_metadata():
    """Constants are excluded, integer parameters stay integers, bounds lie in the declared range."""
    free = free_parameters()
    assert "world.margin_mean" in free and "world.years" not in free and "world.n_parks" not in free
    assert free["world.loss_years"].integer and free["world.loss_years"].cast(2.6) == 3
    assert free["world.margin_mean"].lo == pytest.approx(-0.1) and free["world.margin_mean"].hi == pytest.approx(0.1)
    assert free["world.start_prob"].hi == 1.0                                   # clipped to the declared [0, 1]
    assert parameter("world.shock_sigma", [0.01, 0.5]).hi == 0.5


# ------------------------------------------------------------------------------------------------ loss

def test_smm_loss_scales_by_tolerance_and_penalises_missing_moments(tmp_path):
    ts = load_targets(write(tmp_path, "t.toml", GOOD + """
[targets.b]
moment = "size_density_exponent"
low = 2.0
high = 2.5
tolerance = 0.1
weight = 3
kind = "literature"
source = "y"
"""))
    a, b = ts.targets
    assert smm.loss({"a": 0.09, "b": 2.2}, ts.targets) == pytest.approx((0.02 / 0.01) ** 2)    # b inside its range
    assert smm.loss({"a": 0.07, "b": 2.7}, ts.targets) == pytest.approx(3 * (0.2 / 0.1) ** 2)
    assert smm.loss({"a": np.nan, "b": 2.2}, ts.targets) == pytest.approx(smm.MISSING_PENALTY)
    assert a.passes(0.075) and not a.passes(0.09) and b.passes(2.49) and not b.passes(2.51)
    mean, sd = smm.summarise([{"a": 1.0}, {"a": 3.0}, {"a": np.nan}], ["a"])
    assert mean["a"] == 2.0 and sd["a"] == pytest.approx(math.sqrt(2))


# ------------------------------------------------------------------------------------------------ facts

def test_eg_localisation_fact():
    assert validation.eg_localisation(np.array([0.01, 0.02, 0.03, 0.04, 0.3, np.nan])).passed
    assert not validation.eg_localisation(np.array([0.3, 0.4, 0.5, 0.35])).passed


def test_coagglomeration_fact_needs_a_positive_link_gradient():
    io = np.array([[0, 0.3, 0.0, 0.1], [0.2, 0, 0.0, 0.0], [0.0, 0.0, 0, 0.06], [0.0, 0.0, 0.02, 0]])
    link = np.maximum(io, io.T)
    assert validation.coagglomeration_io([link.copy()], io).passed
    assert not validation.coagglomeration_io([-link], io).passed


def test_path_dependence_fact():
    first = [np.array([1.0, 1.0, 1.1, 1.0])]
    assert validation.path_dependence(first, [np.array([1.0, 2.0, 4.0, 8.0])], [np.array([0, 1, 2, 3])]).passed
    assert not validation.path_dependence(first, [np.array([1.0, 2.0, 4.0, 8.0])], [np.array([3, 2, 1, 0])]).passed
    assert not validation.path_dependence(first, [np.array([1.0, 1.0, 1.0, 1.01])], [np.array([0, 1, 2, 3])]).passed


def test_heavy_tail_and_hump_facts():
    u = np.random.default_rng(1).random(5000)
    assert validation.heavy_tail((1 - u) ** (-1 / 1.2)).passed
    assert not validation.heavy_tail(1 + u).passed
    ages = np.arange(1, 13)
    hump = pd.DataFrame({"age": ages, "at_risk": 100, "exits": [3, 6, 9, 7, 5, 4, 3, 3, 2, 2, 2, 2]})
    hump["hazard"] = hump["exits"] / hump["at_risk"]
    assert validation.hump_hazard(hump).passed
    falling = hump.assign(exits=[12, 10, 9, 7, 5, 4, 3, 3, 2, 2, 2, 2])
    falling["hazard"] = falling["exits"] / falling["at_risk"]
    assert not validation.hump_hazard(falling).passed


def test_free_parameter_record_is_plain_data():
    p = FreeParameter("world.x", 0.0, 1.0, False, "", 0.5)
    assert p.name == "x" and p.cast(0.25) == 0.25
