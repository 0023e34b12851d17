"""Interventions during a run: scenario [[schedule]] tables, ParkModel.schedule and their effects."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import run_model, small_world

from parksim.experiments import Store, execute, make_executor, plan
from parksim.scenarios import load_scenario
from parksim.simulation import ConfigError, ParkModel, Policy
from parksim.simulation.schedule import parse


def park_table(name: str, level: str, area: float, city: str, leading: list[str], lon: float, lat: float) -> str:
    return (f'[[world.parks]]\nname = "{name}"\nlevel = "{level}"\narea_mu = {area}\ncity = "{city}"\n'
            f'leading = {leading}\nlon = {lon}\nlat = {lat}\n'.replace("'", '"'))


PARKS = ("[world]\nyears = 6\ninitial_firms = 200\nprojects_per_year = 120.0\nland_quota = 8000.0\n"
         + park_table("east", "county", 6000.0, "alpha", ["textiles", "apparel"], 113.1, 34.1)
         + park_table("west", "provincial", 9000.0, "alpha", ["auto_parts", "vehicles"], 113.3, 34.12)
         + park_table("north", "city", 7000.0, "beta", ["medicines", "medical_devices"], 113.8, 34.6))

SCHEDULE = """
[[schedule]]
year = 2012
park = "east"
level = "national"
[[schedule]]
year = 2013
park = "north"
leading = ["electronic_components"]
[[schedule]]
year = 2013
place = "beta"
name = "beta new zone"
level = "provincial"
area_mu = 5000.0
leading = ["software_it_services"]
[[schedule]]
year = 2014
"policy.E1.national" = 300.0
"""


def write(tmp_path: Path, body: str, name: str = "sched.toml", head: str = "") -> Path:
    path = tmp_path / name
    path.write_text('extends = "baseline"\nseed = 5\n' + head + '[policy.E1]\nenabled = true\n' + body, encoding="utf-8")
    return path


def outputs(model: ParkModel, years: int):
    for _ in range(years):
        model.step()
    return model.recorder.outputs()


def test_scenario_file_and_python_api_give_identical_runs(tmp_path):
    """The same schedule from [[schedule]] tables and from ParkModel.schedule gives identical tables."""
    filed = load_scenario(write(tmp_path, PARKS + SCHEDULE))
    plain = load_scenario(write(tmp_path, PARKS, "plain.toml"))
    a = outputs(ParkModel(filed.world, filed.policy, rng=7), 6)
    model = ParkModel(plain.world, plain.policy, rng=7)
    model.schedule(2012, park="east", level="national")
    model.schedule(2013, park="north", leading=["electronic_components"])
    model.schedule(2013, place="beta", name="beta new zone", level="provincial", area_mu=5000.0,
                   leading=["software_it_services"])
    model.schedule(2014, lever="policy.E1.national", value=300.0)
    b = outputs(model, 6)
    pd.testing.assert_frame_equal(a.series, b.series)
    pd.testing.assert_frame_equal(a.parks, b.parks)
    pd.testing.assert_frame_equal(a.events, b.events)
    logged = a.events[a.events.kind == "schedule"]
    assert list(zip(logged.year, logged.rule)) == [(2012, "level"), (2013, "C1"), (2013, "park"), (2014, "E1")]


@pytest.mark.parametrize("lever, value, change", [
    ("policy.E1.provincial", 300.0, lambda m: setattr(m, "policy", m.policy.set("E1", provincial=300.0))),
    ("world.projects_per_year", 250.0, lambda m: setattr(m, "world", m.world.__class__(
        **{**m.world.__dict__, "projects_per_year": 250.0}))),
])
def test_lever_from_a_year_equals_a_run_changed_by_hand_at_that_year(lever, value, change):
    """A lever scheduled for 2014 gives the same tables as a model stepped to 2013 and changed by hand."""
    policy = Policy.from_dict({"E1": {"enabled": True}})
    world = small_world(years=8)
    scheduled = run_model(world.with_schedule((parse({"year": 2014, lever: value}, "s"),)), policy, 3)
    by_hand = ParkModel(world, policy, rng=3)
    for _ in range(3):
        by_hand.step()
    change(by_hand)
    for _ in range(5):
        by_hand.step()
    a, b = scheduled.recorder.outputs(), by_hand.recorder.outputs()
    pd.testing.assert_frame_equal(a.series, b.series)
    pd.testing.assert_frame_equal(a.parks, b.parks)
    assert not a.parks.equals(run_model(world, policy, 3).recorder.outputs().parks)     # the lever mattered


def _control_and_designated(seed: int, policy: Policy):
    world = small_world()
    target = next(a for a in ParkModel(world, policy, rng=seed).park_agents if a.level in ("county", "city"))
    designated = world.with_schedule((parse({"year": 2012, "park": target.name, "level": "national"}, "s"),))
    return target.row, run_model(world, policy, seed).recorder.outputs(), run_model(designated, policy, seed).recorder.outputs()


def test_designation_to_national_raises_level_entries_and_quota():
    """Same seeds: the designated park is national from 2012 and gets more entries (and, under L4, more quota)."""
    policy = Policy.from_dict({"V1": {"enabled": True}, "L4": {"enabled": True}})
    more_entries, quota = 0, np.zeros(2)
    for seed in range(4):
        p, control, designated = _control_and_designated(seed, policy)
        panel = designated.parks[(designated.parks.park == p)]
        assert (panel[panel.year >= 2012].level == "national").all() and (panel[panel.year < 2012].level != "national").all()
        entries = [((o.events.kind == "entry") & (o.events.park == p) & (o.events.year >= 2012)).sum()
                   for o in (control, designated)]
        more_entries += entries[1] > entries[0]
        quota += [o.parks[(o.parks.park == p) & (o.parks.year >= 2012)].quota.sum() for o in (control, designated)]
    assert more_entries == 4 and quota[1] > quota[0]


def test_revoke_stops_entries_into_the_park():
    """After a scheduled revocation the park is revoked and nobody enters it; before, firms did."""
    world = small_world()
    control = run_model(world, Policy(), 2).recorder.outputs()
    busiest = int(control.events[control.events.kind == "entry"].park.value_counts().idxmax())
    revoke = parse({"year": 2013, "park": f"park_{busiest:03d}", "level": "revoked"}, "s")
    revoked = run_model(world.with_schedule((revoke,)), Policy(), 2).recorder.outputs()
    entries = revoked.events[(revoked.events.kind == "entry") & (revoked.events.park == busiest)]
    assert (entries.year < 2013).any() and not (entries.year >= 2013).any()
    panel = revoked.parks[revoked.parks.park == busiest]
    assert (panel[panel.year >= 2013].status == "revoked").all()


def test_new_park_appears_at_its_place_and_receives_entries(tmp_path):
    """A park scheduled with place = … opens that year at its place's centroid, with its industries, and firms enter."""
    scenario = load_scenario(write(tmp_path, PARKS + SCHEDULE))
    model = ParkModel(scenario.world, scenario.policy, rng=1)
    out = outputs(model, 6)
    new = next(a for a in model.park_agents if a.name == "beta new zone")
    assert (new.city, new.level, new.leading_industries) == ("beta", "provincial", ("software_it_services",))
    assert (new.lon, new.lat) == (113.8, 34.6)
    assert out.parks[out.parks.name == "beta new zone"].year.min() == 2013
    assert ((out.events.kind == "entry") & (out.events.park == new.row)).sum() > 0


def test_downgrade_trims_leading_industries_to_the_cap():
    """A national park with five industries keeps the C1 cap for others (3) after a downgrade to county."""
    policy = Policy.from_dict({"C1": {"enabled": True}})
    world = small_world(years=3, national_share=1.0, provincial_share=0.0, city_share=0.0)
    model = ParkModel(world, policy, rng=0)
    assert len(model.park_agents[0].leading_industries) == 5
    model.schedule(2011, park="park_000", level="county")
    model.step()
    assert len(model.park_agents[0].leading_industries) == 3


BAD = [
    ('[[schedule]]\nyear = 2013\npark = "nowhere"\nlevel = "national"\n', "schedule[0].park", "'nowhere'",
     "a park of the run: east, west, north"),
    ('[[schedule]]\nyear = 2030\npark = "east"\nlevel = "national"\n', "schedule[0].year", "2030", "2011-2016"),
    ('[[schedule]]\nyear = 2010\npark = "east"\nlevel = "national"\n', "schedule[0].year", "2010", "2011-2016"),
    ('[[schedule]]\nyear = 2013\npark = "east"\nlevel = "national"\ncolour = "red"\n', "schedule[0].colour", "'red'",
     "a key of a park entry: year, park, level, leading"),
    ('[[schedule]]\nyear = 2013\npark = "east"\nlevel = "global"\n', "schedule[0].level", "'global'",
     "county, city, provincial, national, revoked"),
    ('[[schedule]]\nyear = 2013\npark = "east"\nleading = ["steel"]\n', "schedule[0].leading", "'steel'", "a sector key"),
    ('[[schedule]]\nyear = 2013\n"policy.E9.national" = 3.0\n', "schedule[0].policy.E9.national",
     "'policy.E9.national'", "a factor path"),
    ('[[schedule]]\nyear = 2013\n"policy.E1.national" = -5.0\n', "schedule[0].policy.E1.national", "-5.0", "a number in"),
    ('[[schedule]]\nyear = 2013\n"world.n_parks" = 30\n', "schedule[0].world.n_parks", "30", "set-up"),
    ('[[schedule]]\nyear = 2013\n"policy.L4.enabled" = true\n', "schedule[0].policy.L4.enabled → policy.L4.enabled",
     "True", "only with V1"),
    ('[[schedule]]\nyear = 2013\nplace = "gamma"\nlevel = "county"\narea_mu = 100.0\n', "schedule[0].place",
     "'gamma'", "a place that has parks"),
    ('[[schedule]]\nyear = 2013\nplace = "beta"\nlevel = "county"\n', "schedule[0].area_mu", "None", "required"),
    ('[[schedule]]\nyear = 2013\n', "schedule[0]", "{'year': 2013}", "one action"),
    ('[[schedule]]\nyear = 2013\npolicy.E1.national = 300.0\n', "schedule[0].policy", "{'E1'", "a quoted lever path"),
]


@pytest.mark.parametrize("entry, where, value, allowed", BAD)
def test_bad_schedule_entry_is_refused_naming_file_entry_key_value_and_allowed(tmp_path, entry, where, value, allowed):
    """Each bad [[schedule]] entry gives a ConfigError naming the file, entry index, key, value and what is allowed."""
    path = write(tmp_path, PARKS + entry)
    with pytest.raises(ConfigError) as err:
        load_scenario(path)
    text = str(err.value)
    assert text.startswith("sched.toml: " + where) or text.startswith(f"{path}: {where}"), text
    assert f"got {value}" in text and allowed in text, text


def test_entry_index_counts_from_the_first_entry(tmp_path):
    """The second entry's error names schedule[1]."""
    body = PARKS + '[[schedule]]\nyear = 2012\npark = "west"\nlevel = "national"\n' \
                   '[[schedule]]\nyear = 2013\npark = "south"\nlevel = "city"\n'
    with pytest.raises(ConfigError, match=r"schedule\[1\]\.park: got 'south'"):
        load_scenario(write(tmp_path, body))


def test_python_api_refuses_a_bad_entry_and_a_past_year():
    """ParkModel.schedule raises the same errors and schedules nothing."""
    model = ParkModel(small_world(years=4), Policy(), rng=0)
    model.step()
    with pytest.raises(ConfigError, match="schedule.year: got 2011"):
        model.schedule(2011, park="park_000", level="national")
    with pytest.raises(ConfigError, match=r"park: got 'nowhere'; allowed: a park of the run"):
        model.schedule(2013, park="nowhere", level="national")
    with pytest.raises(ConfigError, match=r"policy.E1.national: got -1.0"):
        model.schedule(2013, lever="policy.E1.national", value=-1.0)
    assert model.world.schedule == ()


def test_schedule_is_part_of_the_scenario_identity(tmp_path):
    """Scenarios differing only in their schedule have different fingerprints."""
    a = load_scenario(write(tmp_path, PARKS + SCHEDULE, "a.toml"))
    b = load_scenario(write(tmp_path, PARKS + SCHEDULE.replace("300.0", "280.0"), "b.toml"))
    assert a.fingerprint() != b.fingerprint()
    by_api = a.replace(world=a.world.with_schedule(a.world.schedule[:3]))      # same file data, shorter schedule
    assert by_api.fingerprint() != a.fingerprint()


def test_sweep_over_a_scheduled_scenario_stores_each_point_with_its_schedule(tmp_path):
    """A sweep runs the schedule at every point; points.parquet keeps it; the design point's lever is
    overridden by the schedule from its year on."""
    sweep = '[sweep]\nmethod = "factorial"\n[sweep.levers]\n"policy.E1.national" = [100.0, 200.0]\n'
    scenario = load_scenario(write(tmp_path, PARKS + SCHEDULE + sweep, head="replications = 2\n"))
    store = Store(tmp_path / "store")
    report = execute(plan(scenario, sweep=True), store, make_executor("serial"), progress=False)
    assert report.ok == 4 and report.failed == 0
    for k in (0, 1):
        point = store.point(k)
        assert point["schedule"][0] == {"year": 2012, "park": "east", "level": "national"}
        assert point["schedule"][3] == {"year": 2014, "policy.E1.national": 300.0}
    parks = store.read("parks")
    assert set(parks[parks.name == "beta new zone"].point) == {0, 1}
    assert set(parks[(parks.name == "east") & (parks.year >= 2012)].level) == {"national"}
    events = store.read("events")
    assert set(events[events.kind == "schedule"].groupby("run_id").n.sum()) == {4}
    assert json.loads(store.points().schedule.iloc[0])[2]["place"] == "beta"


def test_validate_reports_the_scheduled_interventions(tmp_path, capsys):
    """`parksim validate` accepts a scheduled scenario and says how many interventions it holds."""
    from parksim.cli import main
    assert main(["validate", str(write(tmp_path, PARKS + SCHEDULE))]) == 0
    assert "; 4 scheduled interventions" in capsys.readouterr().out


def test_a_park_merged_by_c7_cannot_be_scheduled(tmp_path):
    """C7 merges east into west at set-up, so a schedule naming east is refused at load."""
    body = PARKS + '[policy.C7]\nenabled = true\nsmall_mu = 7000.0\n' \
                   '[[schedule]]\nyear = 2012\npark = "east"\nlevel = "national"\n'
    with pytest.raises(ConfigError, match=r"schedule\[0\]\.park: got 'east'; allowed: a park of the run: west, north"):
        load_scenario(write(tmp_path, body))


def test_generated_parks_are_checked_by_level_when_the_model_is_set_up():
    """Five leading industries for a generated county park pass the loader's check but not the model's (C1: 3)."""
    policy = Policy.from_dict({"C1": {"enabled": True}})
    world = small_world(years=3, national_share=0.0, provincial_share=0.0, city_share=0.0)
    wish = ["textiles", "apparel", "medicines", "auto_parts", "vehicles"]
    scheduled = world.with_schedule((parse({"year": 2012, "park": "park_000", "leading": wish}, "s"),))
    with pytest.raises(ConfigError, match=r"world.schedule\[0\]\.leading: .* at most 3 leading industries"):
        ParkModel(scheduled, policy, rng=0)
