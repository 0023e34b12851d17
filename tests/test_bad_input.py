"""Bad input that used to get through: nan and inf, absurd magnitudes, empty or mis-encoded files,
``extends`` to a file that is not a scenario, and a world with no firm in any park."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from conftest import EVERYTHING_ON, assert_accounts, write

from parksim.cli import main
from parksim.scenarios import load_scenario
from parksim.simulation import ConfigError, ParkModel, ParkSpec, Policy, WorldConfig, simulate
from parksim.simulation.params import check_value
from parksim.simulation.policy import RULES, V1

WEIGHTS = "[policy.V1]\nenabled = true\n[policy.V1.weights]\noutput = {w}\ntax_per_mu = 0.5\nintensity = 0.5\n"
PARK = '[[world.parks]]\nname = "a"\nlevel = "city"\narea_mu = {area}\nlon = {x}\nlat = 34.0\n'

# name: (file bytes, key named in the error, value named, part of what is allowed)
BAD_FILES = {
    "nan_world": (b'extends = "baseline"\n[world]\nmargin_mean = nan\n', "world.margin_mean", "nan", "[-1, 1]"),
    "inf_world": (b'extends = "baseline"\n[world]\nland_quota = inf\n', "world.land_quota", "inf", "[0, 1e+07]"),
    "nan_v1_weight": (('extends = "baseline"\n' + WEIGHTS.format(w="nan")).encode(),
                      "policy.V1.weights.output", "nan", "a finite number >= 0"),
    "inf_rule_parameter": (b'extends = "baseline"\n[policy.E1]\nnational = -inf\n', "policy.E1.national", "-inf",
                           "[0, 100000]"),
    "nan_park_position": (PARK.format(area=100.0, x="nan").encode(), "world.parks[0].lon", "nan", "degrees"),
    "nan_sweep_level": (b'extends = "baseline"\n[sweep]\n[sweep.levers]\n"policy.E1.national" = [100.0, nan]\n',
                        "sweep.levers.policy.E1.national", "nan", "[0, 100000]"),
    "inf_lhs_bound": (b'extends = "baseline"\n[sweep]\nmethod = "lhs"\nsamples = 4\n[sweep.levers]\n'
                      b'"policy.E1.national" = { low = 0.0, high = inf }\n',
                      "sweep.levers.policy.E1.national", "inf", "low < high"),
    "nan_replications": (b'extends = "baseline"\nreplications = nan\n', "replications", "nan", "[1, 100000]"),
    "inf_seed": (b'extends = "baseline"\nseed = inf\n', "seed", "inf", "root seed"),
    "absurd_world_magnitude": (b'extends = "baseline"\n[world]\npark_area_median = 1e300\n',
                               "world.park_area_median", "1e+300", "[1, 1e+06]"),
    "absurd_park_area": (PARK.format(area="1e300", x=0.0).encode(), "world.parks[0].area_mu", "1e+300", "<= 1e+06"),
    "absurd_rule_magnitude": (b'extends = "baseline"\n[policy.S1]\nenabled = true\nbudget = 1e300\n',
                              "policy.S1.budget", "1e+300", "[0, 1e+08]"),
    "empty": (b"", "bad.toml", "''", "at least one key"),
    "only_comments": (b"# a scenario, some day\n\n", "bad.toml", "''", "at least one key"),
    "latin1": ('extends = "baseline"\ndescription = "café"\n'.encode("latin-1"), "bad.toml",
               "byte 0xe9 at line 2, column 19", "UTF-8"),
    "gbk": ('extends = "baseline"\n# 产业集聚区\n'.encode("gbk"), "bad.toml", "at line 2, column 3", "UTF-8"),
    "utf16": ('extends = "baseline"\n'.encode("utf-16"), "bad.toml", "byte 0xff at line 1, column 1", "UTF-8"),
    "extends_not_toml": (b'extends = "./parent.txt"\n', "bad.toml: extends", "./parent.txt", ".toml file"),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
@pytest.mark.parametrize("command", ["validate", "run"])
def test_bad_file_exits_2_naming_file_key_value_and_allowed(tmp_path, capsys, kind, command):
    """Each bad file: exit 2, stderr names the file, the key, the value and what is allowed; nothing written."""
    body, key, value, allowed = BAD_FILES[kind]
    (tmp_path / "bad.toml").write_bytes(body)
    write(tmp_path, "parent.txt", "[world]\nyears = 3\n")
    runs = tmp_path / "runs"
    args = [command, str(tmp_path / "bad.toml")] + ([] if command == "validate" else ["--runs", str(runs), "-q"])
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "bad.toml" in err and key in err and value in err and allowed in err, err
    assert "Traceback" not in err
    assert not runs.exists()


def test_file_with_a_byte_order_mark_loads_like_the_same_file_without(tmp_path):
    """A UTF-8 BOM (written by Windows editors) is dropped: the scenario is the same as without it."""
    text = 'extends = "baseline"\ndescription = "集聚区"\n[world]\nyears = 3\n'
    plain = write(tmp_path, "plain.toml", text)
    (tmp_path / "bom.toml").write_bytes(b"\xef\xbb\xbf" + text.encode())
    a, b = load_scenario(plain), load_scenario(tmp_path / "bom.toml")
    assert (a.world, a.policy, a.description) == (b.world, b.policy, b.description)


def test_calibration_targets_file_not_in_utf8_is_refused_naming_the_byte(tmp_path):
    """The calibration targets file is read like a scenario: a GBK file is a ConfigError, not a traceback."""
    from parksim.calibration.targets import load_targets
    path = tmp_path / "targets.toml"
    path.write_bytes('description = "池州"\n'.encode("gbk"))
    with pytest.raises(ConfigError, match=r"targets\.toml: got 'byte 0xb3 at line 1, column 16'.*UTF-8"):
        load_targets(path)


def test_extends_may_point_to_a_toml_file_anywhere(tmp_path):
    """A .toml file outside the scenario search path is a valid parent (by absolute path)."""
    (tmp_path / "elsewhere").mkdir()
    parent = write(tmp_path / "elsewhere", "shared.toml", 'extends = "baseline"\n[world]\nyears = 4\n')
    s = load_scenario(write(tmp_path, "child.toml", f'extends = "{parent}"\n[world]\nn_parks = 3\n'))
    assert (s.world.years, s.world.n_parks) == (4, 3)


@pytest.mark.parametrize("change", [
    lambda p: p.set("V1", enabled=True, weights={"output": math.nan, "tax_per_mu": 1.0}),
    lambda p: p.set("V1", enabled=True, weights={"output": math.inf}),
    lambda p: dataclasses.replace(p, V1=V1(enabled=True, weights={"output": math.nan, "tax_per_mu": 1.0})),
    lambda p: p.set("E1", enabled=True, national=math.nan),
    lambda p: p.set("S1", enabled=True, budget=math.inf),
    lambda p: p.set("C3", enabled=True, chain_pull=1e300),
], ids=["set_weight_nan", "set_weight_inf", "replace_weight_nan", "set_nan", "set_inf", "set_absurd"])
def test_policy_set_from_python_refuses_nan_inf_and_absurd_values(change):
    """Policies built in Python are checked like files: nan, inf and values above the bound are refused."""
    with pytest.raises(ConfigError, match=r"policy\.\w+\.\w+.*allowed"):
        change(Policy())


@pytest.mark.parametrize("values", [{"margin_mean": math.nan}, {"park_area_median": math.inf},
                                    {"park_area_median": 1e300}, {"outside_utility": -math.inf}])
def test_world_from_python_refuses_nan_inf_and_absurd_values(values):
    """WorldConfig checks every numeric parameter is finite and inside its bounds."""
    with pytest.raises(ConfigError, match=f"world.{next(iter(values))}"):
        WorldConfig(**values)


@pytest.mark.parametrize("field,value", [("area_mu", math.inf), ("area_mu", 1e300), ("area_mu", math.nan),
                                         ("lon", math.nan), ("lat", -math.inf), ("lon", 200.0), ("infrastructure", math.nan)])
def test_park_given_in_python_refuses_nan_inf_and_absurd_values(field, value):
    """An explicit park with a non-finite or absurd number is refused before the model is built."""
    spec = dataclasses.replace(ParkSpec("a", "city", 100.0), **{field: value})
    with pytest.raises(ConfigError, match=rf"world\.parks\[0\]\.{field}"):
        ParkModel(WorldConfig(years=1).with_parks((spec,)), rng=1)


def test_sweep_point_from_python_refuses_nan(tmp_path):
    """A design point set in Python (Scenario.configure) goes through the same checks as a file."""
    s = load_scenario(write(tmp_path, "s.toml", 'extends = "baseline"\n'))
    with pytest.raises(ConfigError, match=r"point 3: policy\.E1\.national: got nan"):
        s.configure({"policy.E1.national": math.nan}, where="point 3: ")


def numeric_fields():
    """(owner, field) for every int or float parameter declared with ``param()``."""
    owners = {"world": WorldConfig, **{f"policy.{rid}": cls for rid, cls in RULES.items()}}
    return [(name, f) for name, cls in owners.items() for f in dataclasses.fields(cls) if f.type in ("int", "float")]


def test_every_numeric_parameter_has_a_finite_declared_range():
    """No declared range is open: each int and float parameter has a finite lower and upper bound."""
    open_ = [f"{owner}.{f.name}" for owner, f in numeric_fields()
             if not all(isinstance(b, (int, float)) and math.isfinite(b) for b in (f.metadata["lo"], f.metadata["hi"]))]
    assert open_ == []


def test_every_numeric_parameter_refuses_nan_inf_and_values_beyond_its_bounds():
    """check_value refuses nan, ±inf and values just outside the declared range, for every parameter."""
    for owner, f in numeric_fields():
        lo, hi = f.metadata["lo"], f.metadata["hi"]
        bad = [hi + max(1, abs(hi)), lo - max(1, abs(lo))]
        if f.type == "float":
            bad += [math.nan, math.inf, -math.inf]
        for value in bad:
            value = int(value) if f.type == "int" and math.isfinite(value) else value
            with pytest.raises(ConfigError):
                check_value(f, value, f"{owner}.{f.name}")


@pytest.mark.parametrize("policy", [Policy(), EVERYTHING_ON.set("C7", enabled=True)], ids=["baseline", "all_rules"])
def test_world_without_firms_runs_and_stays_empty(policy):
    """initial_firms=0, projects_per_year=0: the run completes, nothing is granted, paid or produced."""
    world = WorldConfig(initial_firms=0, projects_per_year=0, years=5, n_parks=4)
    out = simulate(world, policy, seed=1)
    s = out.series
    assert len(s) == world.years + 1
    for column in ("firms_in_parks", "entries", "exits", "land_granted", "land_income", "subsidies_paid", "output", "tax"):
        assert (s[column] == 0).all(), column
    assert s.park_area.iloc[0] > 0 and (s.park_area >= 0).all()     # V7 withdraws parks that stay empty
    assert np.isfinite(out.parks.infrastructure).all()
    model = ParkModel(world, policy, rng=1)
    for _ in range(world.years):
        model.step()
    assert_accounts(model)


def test_world_whose_projects_all_locate_outside_parks_runs():
    """No live firm in any park, but firms outside: the park tables stay empty and the ledgers balance."""
    world = WorldConfig(initial_firms=0, projects_per_year=30, years=4, n_parks=3, outside_utility=100.0)
    model = ParkModel(world, Policy(), rng=2)
    for _ in range(world.years):
        model.step()
    assert (model.firms.park == -1).all() and model.firms.n > 0
    assert_accounts(model)
