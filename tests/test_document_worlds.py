"""Each document scenario runs on its own parks, at its own scale, after a burn-in (issue 12 §3)."""

from __future__ import annotations

import csv
import tomllib
from collections import Counter

import numpy as np
import pytest

from parksim.experiments.runner import RunConfig, run_one
from parksim.scenarios import adcodes
from parksim.scenarios.catalogue import DOCUMENT_PARKS, as_of_year, read_document_parks
from parksim.scenarios.loader import load_scenario
from parksim.scenarios.scale import BASE, check, fund
from parksim.simulation import ConfigError
from parksim.simulation.burn_in import SETUP_RULES, dormant
from parksim.simulation.run import simulate

# document → (levels, prefecture adcode, counties that must hold a park, a few parks at their adcode)
WORLDS = {
    "nanyang_2009": ({"provincial": 1, "city": 19}, "4113",
                     {"411302", "411303", "411321", "411322", "411323", "411324", "411325", "411326", "411327",
                      "411328", "411329", "411330", "411381"},
                     {"南召县产业集聚区": "411321", "邓州市产业集聚区": "411381", "西峡县产业集聚区(计数)": "411323"}),
    "xuchang_2012": ({"national": 1, "provincial": 7, "city": 2}, "4110",
                     {"411002", "411023", "411024", "411025", "411081", "411082"},
                     {"许昌尚集产业集聚区": "411023", "长葛大周产业集聚区": "411082", "禹州市产业集聚区": "411081"}),
    "lanzhou_2012": ({"national": 3, "provincial": 7, "county": 1}, "6201",
                     {"620103", "620104", "620105", "620111", "620121", "620123"},
                     {"兰州连海经济开发区红古园区": "620111", "兰州经济技术开发区安宁园区": "620105",
                      "兰州榆中和平工业园区": "620123"}),
    "chizhou_2015": ({"national": 1, "provincial": 5}, "3417", {"341721", "341723"},
                     {"安徽东至经济开发区": "341721", "安徽青阳经济开发区": "341723"}),
}


@pytest.fixture(scope="module")
def scenarios():
    return {name: load_scenario(name) for name in WORLDS}


@pytest.mark.parametrize("name", WORLDS)
def test_document_world_has_its_parks_levels_and_counties(scenarios, name):
    levels, prefix, counties, named = WORLDS[name]
    parks = scenarios[name].world.parks
    assert dict(Counter(p.level for p in parks)) == levels
    assert all(p.place.startswith(prefix) for p in parks)
    assert counties <= {p.place for p in parks}
    by_name = {p.name: p for p in parks}
    for park, adcode in named.items():
        assert by_name[park].place == adcode
    assert len(by_name) == len(parks)


@pytest.mark.parametrize("name", WORLDS)
def test_no_invented_positions(scenarios, name):
    """Every park sits at the centre of the real place (county or city) its adcode names."""
    for p in scenarios[name].world.parks:
        lon, lat, _ = adcodes.position(p.place)
        assert (p.lon, p.lat) == (lon, lat), p.name


def test_levels_as_of_the_document_year(scenarios):
    """A zone approved at its level after the document year was one level lower; bonded zones created
    later are left out."""
    nanyang = {p.name: p for p in scenarios["nanyang_2009"].world.parks}
    assert nanyang["南阳高新技术产业开发区"].level == "provincial"       # national from 2010.09
    assert "南阳卧龙综合保税区" not in nanyang                             # bonded zone of 2014
    assert "兰州新区综合保税区" not in {p.name for p in scenarios["lanzhou_2012"].world.parks}
    assert as_of_year("national", "2010.09", 2009) == "provincial"
    assert as_of_year("national", "2010.09", 2010) == "national"
    assert as_of_year("provincial", "2015.02/2018.01", 2011) == "city"


def test_split_zone_shares_its_area(scenarios):
    """连海 is two sub-parks in the document (004 (五)5-6); each gets half the catalogue zone."""
    parks = {p.name: p for p in scenarios["lanzhou_2012"].world.parks}
    halves = parks["兰州连海经济开发区红古园区"].area_mu, parks["兰州连海经济开发区永登园区"].area_mu
    assert halves[0] == halves[1] == pytest.approx(690.42 * 15 / 2, abs=0.01)


def test_document_rows_state_source_and_assumption():
    rows = read_document_parks()
    assert {r["document"] for r in rows} == {"000", "001", "002", "004"}
    with open(DOCUMENT_PARKS, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            assert r["source"] and r["assumption"]
            assert r["source"].startswith(r["document"]) or r["document"] in r["source"]


@pytest.mark.parametrize("name", WORLDS)
def test_burn_in_moves_the_start_back_and_starts_the_rules_at_the_document_start(scenarios, name):
    """The world's burn_in holds the rules back until the document's start; no schedule levers stand in for it."""
    s = scenarios[name]
    assert s.burn_in == s.world.burn_in == 5 and s.world.start_year == s.document_start - 5
    assert not [i for i in s.world.schedule if getattr(i, "path", "").startswith("policy.")]
    assert set(s.policy.enabled_rules()) - set(SETUP_RULES)          # the document's rules, as in the file
    assert s.world.start_year + s.world.years >= max(t for t in _target_years(s))


def _target_years(s):
    from parksim.scenarios.targets import read_targets
    return [read_targets()[t].year for t in s.targets]


def test_rules_act_only_from_the_document_start(scenarios):
    """Same seed, with the document's rules and with only the set-up rules: identical up to the start
    year (the burn-in and its set-up run with the rules off), different after."""
    s = scenarios["chizhou_2015"]
    on = simulate(s.world, s.policy, seed=3).series.set_index("year")
    off = simulate(s.world, dormant(s.policy), seed=3).series.set_index("year")
    before = on.index <= s.document_start
    assert on.loc[before, "output"].equals(off.loc[before, "output"])
    assert not on.loc[~before, "output"].equals(off.loc[~before, "output"])


def test_totals_count_from_the_document_start(scenarios):
    """Run totals leave the burn-in out, also for a configuration built as the dashboard builds it."""
    s = scenarios["chizhou_2015"]
    r = run_one(s, 5)
    counted = r.series["year"] > s.document_start
    assert r.metrics["total_entries"] == pytest.approx(r.series.loc[counted, "entries"].sum())
    assert r.metrics["total_entries"] < r.series["entries"].iloc[1:].sum()
    assert run_one(RunConfig(s.world, s.policy, s.targets), 5).metrics == r.metrics


def test_a_rule_switched_off_in_a_burn_in_scenario_stays_off(scenarios):
    """Switching S1 off (as the dashboard does) leaves no fund and no award in any year; with S1 the fund
    pays from the year after the document's start."""
    s = scenarios["chizhou_2015"]
    with_s1 = simulate(s.world, s.policy, seed=2).series.set_index("year")
    without = simulate(s.world, s.policy.set("S1", enabled=False), seed=2).series.set_index("year")
    assert (without[["fund_budget", "subsidies_paid"]] == 0).all().all()
    assert (with_s1.loc[: s.document_start, "fund_budget"] == 0).all()
    assert with_s1.loc[s.document_start + 1, "fund_budget"] == pytest.approx(s.policy.S1.budget)


def test_document_world_runs_are_deterministic(scenarios):
    s = scenarios["xuchang_2012"]
    a, b = run_one(s, 11), run_one(s, 11)
    assert a.series.equals(b.series) and a.metrics == b.metrics


def test_missing_rules_are_on_with_the_documents_values(scenarios):
    """Issue 12 §3: Nanyang's S1 and V5, Lanzhou's take-back and priority for major projects, Xuchang's
    own S1 (not Lanzhou's 5000万)."""
    assert {"S1", "V5"} <= set(scenarios["nanyang_2009"].policy.enabled_rules())
    assert {"L2", "S2", "X3"} <= set(scenarios["lanzhou_2012"].policy.enabled_rules())
    for name in ("nanyang_2009", "xuchang_2012", "chizhou_2015"):   # each sets its own fund (scale.fund)
        assert "budget" in tomllib.loads(scenarios[name].path.read_text(encoding="utf-8"))["policy"]["S1"]


@pytest.mark.parametrize("name", sorted(BASE))
def test_initial_scale_gives_the_documents_base_year_figure(name):
    """The file's scale levers give the document's base-year figure in its start year (within 25 %)."""
    base = BASE[name]
    got = check(name, seeds=[1, 2, 3])
    key = "output" if base.output is not None else "value_added"
    assert got[key] == pytest.approx(getattr(base, key), rel=0.25)


def _write(tmp_path, text):
    path = tmp_path / "s.toml"
    path.write_text('extends = "baseline"\n' + text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, key", [
    ("burn_in = -1\n", "burn_in"),
    ("burn_in = 2.5\n", "burn_in"),
    ('burn_in = "5"\n', "burn_in"),
    ("burn_in = 2\n[world]\nburn_in = 1\n", "burn_in"),
    ("[world]\nyears = 3\nburn_in = 4\n", "burn_in"),
    ('[world.catalogue]\nprovince = "河南省"\nprefecture = "兰州市"\n', "prefecture"),
    ('[world.catalogue]\nprovince = "河南省"\nprefecture = ""\n', "prefecture"),
    ('[world.catalogue]\nprovince = "河南省"\nprefecture = "南阳市"\ndocument = "999"\n', "document"),
    ('[world.catalogue]\nprovince = "河南省"\nprefecture = "南阳市"\nas_of = "2009"\n', "as_of"),
    ('[world.catalogue]\nprovince = "河南省"\nprefecture = "郑州市"\ndocument = "000"\n', "document"),
    ('[world.catalogue]\nprovince = "河南省"\nprefectures = "南阳市"\n', "prefectures"),
])
def test_bad_keys_are_config_errors(tmp_path, text, key):
    with pytest.raises(ConfigError) as e:
        load_scenario(_write(tmp_path, text))
    assert key in e.value.where or key in str(e.value.allowed)


def test_burn_in_on_a_small_scenario(tmp_path):
    """A burn-in keeps the rule's parameters and switches it on in the first year after the start."""
    s = load_scenario(_write(tmp_path, "burn_in = 2\n[world]\nstart_year = 2012\nyears = 3\nn_parks = 4\n"
                                        "initial_firms = 100\nprojects_per_year = 30.0\n"
                                        "[policy.E1]\nenabled = true\nnational = 300.0\n"))
    assert (s.world.start_year, s.world.years, s.world.burn_in, s.document_start) == (2010, 5, 2, 2012)
    assert s.policy.E1.enabled and s.policy.E1.national == 300.0          # the policy is the document's
    assert s.world.schedule == ()
    assert s.world.projects_per_year == pytest.approx(30.0 / (1 + s.world.project_growth) ** 2)
    assert np.isfinite(run_one(s, 1).metrics["output"])


def test_xuchangs_fund_follows_the_stated_rule(scenarios):
    """002 states no amount for its fund: the file's S1 budget is Lanzhou's scaled by park output."""
    assert scenarios["xuchang_2012"].policy.S1.budget == pytest.approx(fund("xuchang_2012"), rel=0.05)
