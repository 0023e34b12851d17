"""Scenario files, their loader and validation, the 2018 catalogue and the document targets."""

from __future__ import annotations

import re
import tomllib

import pytest
from conftest import TINY_WORLD, write

from parksim.experiments.design import design_for, point_values
from parksim.experiments.targets import check_metrics
from parksim.scenarios import available, load_scenario, parks_from_catalogue, read_targets
from parksim.scenarios.catalogue import MU_PER_HA, read_catalogue, read_industry_map, read_zones, unmapped_terms
from parksim.scenarios.loader import SCENARIO_DIR
from parksim.simulation import RULE_IDS, ConfigError
from parksim.simulation.sectors import default_sectors

DOCUMENTS = {"nanyang_2009": "000", "chizhou_2015": "001", "xuchang_2012": "002", "henan_2017": "003",
             "lanzhou_2012": "004"}
TINY = "\n[world]" + TINY_WORLD


# ---------------------------------------------------------------------------------------------- shipped files

def test_every_shipped_scenario_loads():
    """Each TOML file in scenarios/ loads and validates, including its sweep design."""
    names = available()
    assert {"baseline", *DOCUMENTS, "sweep_entry_threshold", "sweep_elimination"} <= set(names)
    for name in names:
        s = load_scenario(name)
        assert s.name == name and s.replications >= 1
        if s.sweep is not None:
            assert len(design_for(s)) > 1


def test_baseline_has_every_rule_off_at_city_scale():
    """The baseline switches no rule on and is a ~20-park, 16-year city."""
    s = load_scenario("baseline")
    assert s.policy.enabled_rules() == ()
    assert s.world.n_parks == 20 and s.world.years == 16 and not s.world.parks


def test_document_scenarios_share_the_root_seed():
    """Document scenarios inherit the baseline's root seed, so their replications pair up."""
    seeds = {load_scenario(n).seed for n in ("baseline", *DOCUMENTS)}
    assert len(seeds) == 1


@pytest.mark.parametrize("name,seed", sorted(DOCUMENTS.items()))
def test_document_scenario_cites_a_clause_for_each_value(name, seed):
    """Every parameter set in a [policy.*] table carries a comment; each table cites the document's clauses."""
    text = (SCENARIO_DIR / f"{name}.toml").read_text(encoding="utf-8")
    section, cited, previous = None, {}, ""
    for line in text.splitlines():
        head = re.match(r"\[policy\.(\w+)\]", line)
        if head:
            section = head.group(1)
            cited[section] = False
            continue
        if line.startswith("["):
            section = None
        if section and "=" in line.split("#")[0] and not line.startswith("enabled"):
            assert "#" in line or previous.lstrip().startswith("#"), f"{name}: {section}: value without a comment: {line}"
        if section and re.search(rf"\b{seed}\b", line):
            cited[section] = True
        previous = line
    assert cited and all(cited.values()), f"{name}: tables without a {seed} citation: {[k for k, v in cited.items() if not v]}"
    assert set(cited) <= set(RULE_IDS)


@pytest.mark.parametrize("name,seed", sorted(DOCUMENTS.items()))
def test_document_scenario_targets_come_from_its_document(name, seed):
    """A document scenario evaluates only targets of its own seed document."""
    s = load_scenario(name)
    assert s.targets and all(read_targets()[t].seed == seed for t in s.targets)


def test_lanzhou_values_match_the_rulebook():
    """Lanzhou's E1 and X2 values are the ones 004 §(九) gives."""
    p = load_scenario("lanzhou_2012").policy
    assert (p.E1.national, p.E1.provincial) == (250.0, 150.0)
    assert (p.X2.takeback_years, p.X2.capacity_years, p.X2.min_capacity) == (2, 2, 0.7)
    assert (p.L8.min_factor, p.L8.max_factor, p.L5.max_share, p.S1.budget, p.S4.years) == (0.15, 0.5, 0.3, 5000.0, 5)


def test_henan_builds_its_parks_from_the_catalogue():
    """henan_2017 runs on Henan's 150 catalogue zones: 19 national, 131 provincial."""
    s = load_scenario("henan_2017")
    levels = [p.level for p in s.world.parks]
    assert len(levels) == 150 and levels.count("national") == 19 and levels.count("provincial") == 131


def test_sweep_designs():
    """The entry-threshold sweep is 8 × 8 over 50..400; the elimination sweep is bottom_share × years."""
    e1 = design_for(load_scenario("sweep_entry_threshold"))
    assert len(e1) == 64
    assert e1["policy.E1.national"].min() == 50 and e1["policy.E1.provincial"].max() == 400
    v4 = design_for(load_scenario("sweep_elimination"))
    assert set(v4.columns) == {"point", "policy.V4.bottom_share", "policy.V4.years"} and len(v4) == 20
    assert isinstance(point_values(v4, 3)["policy.V4.years"], int)


# ---------------------------------------------------------------------------------------------- loader

def test_extends_overrides_values_and_keeps_the_rest(tmp_path):
    """A child overrides single values of its parent; name and description are not inherited."""
    write(tmp_path, "parent.toml", 'name = "parent"\ndescription = "p"\nreplications = 3\nseed = 7\n' + TINY
          + "[policy.E1]\nenabled = true\nnational = 300.0\n")
    child = write(tmp_path, "child.toml", 'extends = "parent"\n[policy.E1]\nprovincial = 100.0\n')
    s = load_scenario(child)
    assert s.name == "child" and s.description == ""
    assert (s.replications, s.seed, s.world.years) == (3, 7, 3)
    assert (s.policy.E1.enabled, s.policy.E1.national, s.policy.E1.provincial) == (True, 300.0, 100.0)
    assert [f.name for f in s.files] == ["parent.toml", "child.toml"]


def test_extends_cycle_is_detected(tmp_path):
    """a extends b extends a is an error naming the chain."""
    write(tmp_path, "a.toml", 'extends = "b"\n')
    write(tmp_path, "b.toml", 'extends = "a"\n')
    with pytest.raises(ConfigError, match=r"extends.*a\.toml -> .*b\.toml -> .*a\.toml"):
        load_scenario(tmp_path / "a.toml")


@pytest.mark.parametrize("body,key,value", [
    ("colour = 1\n", "colour", "1"),
    ("[world]\nyeras = 3\n", "world.yeras", "3"),
    ("[world]\nyears = 0\n", "world.years", "0"),
    ('replications = "5"\n', "replications", "'5'"),
    ("[policy.Z9]\nenabled = true\n", "policy.Z9", ""),
    ("[policy.E1]\nnationl = 3.0\n", "policy.E1.nationl", "3.0"),
    ('targets = ["000.nope"]\n', "targets[0]", "'000.nope'"),
    ('[[world.parks]]\nname = "a"\nlevel = "town"\narea_mu = 10.0\n', "world.parks[0].level", "'town'"),
])
def test_errors_name_file_key_value_and_allowed(tmp_path, body, key, value):
    """A bad value is reported with the file, the key path, the value and what is allowed."""
    path = write(tmp_path, "bad.toml", body)
    with pytest.raises(ConfigError) as err:
        load_scenario(path)
    message = str(err.value)
    assert message.startswith(str(path)) or "bad.toml" in message.split(":")[0]
    assert key in message and value in message and "allowed:" in message


def test_error_in_parent_value_names_both_files(tmp_path):
    """Turning V1 off under a parent that uses it names the child and the file that set the dependent rule."""
    path = write(tmp_path, "child.toml", 'extends = "nanyang_2009"\n[policy.V1]\nenabled = false\n')
    with pytest.raises(ConfigError, match=r"child\.toml: policy\.\w+\.enabled \(set in .*nanyang_2009\.toml\)"):
        load_scenario(path)


def test_sweep_values_are_validated_at_load(tmp_path):
    """An out-of-range level of a sweep factor fails before anything runs."""
    path = write(tmp_path, "s.toml", 'extends = "baseline"\n[sweep]\n[sweep.levers]\n"policy.E1.national" = [50.0, -1.0]\n')
    with pytest.raises(ConfigError, match=r"s\.toml: sweep\.levers\.policy\.E1\.national = -1\.0"):
        load_scenario(path)
    path = write(tmp_path, "t.toml", 'extends = "baseline"\n[sweep]\n[sweep.levers]\n"world.years" = [3]\n')
    with pytest.raises(ConfigError, match="policy.* path"):
        load_scenario(path)


def test_latin_hypercube_design_is_reproducible_and_in_bounds(tmp_path):
    """An LHS design has the asked size, stays within bounds, rounds integer factors, repeats with its seed."""
    path = write(tmp_path, "lhs.toml", 'extends = "baseline"\n[sweep]\nmethod = "lhs"\nsamples = 12\nseed = 3\n'
                 '[sweep.levers]\n"policy.V4.years" = { low = 1, high = 4 }\n'
                 '[sweep.uncertainties]\n"world.projects_per_year" = { low = 100.0, high = 500.0 }\n')
    s = load_scenario(path)
    d1, d2 = design_for(s), design_for(s)
    assert d1.equals(d2) and len(d1) == 12
    assert d1["world.projects_per_year"].between(100, 500).all()
    assert set(d1["policy.V4.years"]) <= {1, 2, 3, 4}


def test_list_design_keeps_types(tmp_path):
    """An explicit list of points keeps integers integers, and a missing factor keeps the scenario value."""
    path = write(tmp_path, "list.toml", 'extends = "baseline"\n[sweep]\nmethod = "list"\n'
                 '[[sweep.points]]\n"policy.X1.idle_years" = 3\n[[sweep.points]]\n"world.years" = 5\n')
    s = load_scenario(path)
    d = design_for(s)
    assert point_values(d, 0) == {"policy.X1.idle_years": 3}
    world, policy = s.configure(point_values(d, 1))
    assert world.years == 5 and policy.X1.idle_years == 2


# ---------------------------------------------------------------------------------------------- catalogue

def test_henan_catalogue_counts_levels_and_areas():
    """Henan has 150 zones (19 national, 131 provincial); area in mu is hectares × 15."""
    c = parks_from_catalogue("河南省")
    assert len(c.parks) == 150 and c.levels() == {"national": 19, "provincial": 131}
    rows = read_catalogue()
    first = rows[rows["province"] == "河南省"].sort_values("code").iloc[0]
    assert c.parks[0].name == first["name"] and c.parks[0].area_mu == pytest.approx(first["area_ha"] * MU_PER_HA)


def test_catalogue_maps_every_henan_term_and_reports_the_rest():
    """Every Henan term is in the mapping table; terms with no sector are counted, not dropped."""
    c = parks_from_catalogue("河南省")
    assert c.unmapped == {}
    assert c.no_sector.get("家居用品") == 2 and "家居用品 ×2" in c.report()
    keys = set(default_sectors().keys)
    assert all(set(p.leading) <= keys for p in c.parks)
    assert sum(bool(p.leading) for p in c.parks) >= 149


def test_industry_map_uses_only_sector_keys_and_reports_unmapped_terms_nationally():
    """The mapping table's sectors are real keys; terms missing nationally are reported with counts."""
    mapping = read_industry_map()
    assert set(v for v in mapping.values() if v) <= set(default_sectors().keys)
    missing = unmapped_terms()
    assert missing and all(n >= 1 for n in missing.values()) and "装备制造" not in missing


def test_catalogue_filters_and_errors():
    """Cities and levels filter the zones; an unknown province is a ConfigError listing the provinces."""
    national = parks_from_catalogue("河南省", levels=("national",))
    assert len(national.parks) == 19
    luoyang = parks_from_catalogue("河南省", cities=("洛阳",))
    assert len(luoyang.parks) == 3
    with pytest.raises(ConfigError, match="河南省"):
        parks_from_catalogue("河南")


def test_catalogue_parks_sit_at_their_geocoded_place():
    """Each zone's place and position are its row of places_zones.csv (the geocoder's shipped output)."""
    zones = read_zones()
    codes = read_catalogue().query("province == '甘肃省'").sort_values("code", kind="stable").code
    for p, code in zip(parks_from_catalogue("甘肃省").parks, codes, strict=True):
        assert (p.place, p.lon, p.lat) == zones[code]


# ---------------------------------------------------------------------------------------------- targets

def test_targets_table_is_complete():
    """Targets cover all five documents and every metric named exists."""
    check_metrics()
    targets = read_targets()
    assert {t.seed for t in targets.values()} == {"000", "001", "002", "003", "004"}
    assert any(not t.metric for t in targets.values())      # listed though not measurable


def test_shipped_scenario_files_are_valid_toml_with_known_top_keys():
    """Plain tomllib reads every shipped file (the loader adds only validation)."""
    for path in SCENARIO_DIR.glob("*.toml"):
        with open(path, "rb") as fh:
            assert isinstance(tomllib.load(fh), dict)
