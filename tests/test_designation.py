"""The designation package: what a level brings (land, tax, infrastructure, approvals) and new zones' set-up."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import run_model, small_world

from parksim.simulation import ParkModel, Policy, designation, land
from parksim.simulation.schedule import parse
from parksim.simulation.state import ACTIVE, REVOKED


def _scheduled(world, *entries):
    return world.with_schedule(tuple(parse(e, "s") for e in entries))


def _lowest_park(world, policy, seed):
    model = ParkModel(world, policy, rng=seed)
    return min(model.park_agents, key=lambda a: (model.parks.level[a.row], a.row))


def test_listed_quota_is_split_by_level_weight_within_room():
    """Hand-computed: 30 % of 1000 mu listed by weights 1 : 2.5, the second park capped at its room."""
    pol = Policy()
    quota, pool, reserve = land.allocate_quota(pol, 1000.0, np.array([500.0, 100.0, 400.0]),
                                               np.array([True, True, False]), np.zeros(3), np.zeros(3, bool),
                                               np.zeros(3, bool), np.array([1.0, 2.5, 1.0]), 0.3)
    assert np.allclose(quota, [300 / 3.5, 100.0, 0.0]) and np.isclose(pool, 1000 - quota.sum()) and reserve == 0


def test_privileges_grow_with_level_and_revocation_takes_them_away():
    """Quota weight, retained tax, base budget and start chance rise by level step; revoked = none."""
    w = small_world()
    steps = designation.level_steps(np.array([0, 1, 2, 3, 3]), np.array([ACTIVE] * 4 + [REVOKED]))
    assert list(steps) == [0, 1, 2, 3, 0]
    for values in (designation.quota_weight(w, steps), designation.retained_tax(w, steps, np.full(5, 100.0)),
                   designation.base_budget(w, steps), designation.start_chance(w, steps)):
        assert (np.diff(values[:4]) > 0).all() and values[4] == values[0]
    assert designation.quota_weight(w, steps)[3] == 1 + 3 * w.quota_level_step
    assert designation.grant(w, np.array([1000.0]), np.array([2.0]))[0] == 2000 * w.designation_grant


def test_scheduled_designation_raises_quota_and_entries_relative_to_control():
    """Same seeds, no land rules on: the park designated national gets more quota and more entrants."""
    policy, world = Policy(), small_world()
    more_entries, quota = 0, np.zeros(2)
    for seed in range(4):
        target = _lowest_park(world, policy, seed)
        runs = [run_model(w, policy, seed).recorder.outputs()
                for w in (world, _scheduled(world, {"year": 2012, "park": target.name, "level": "national"}))]
        after = [o.parks[(o.parks.park == target.row) & (o.parks.year >= 2012)] for o in runs]
        quota += [a.quota.sum() for a in after]
        entries = [((o.events.kind == "entry") & (o.events.park == target.row) & (o.events.year >= 2012)).sum()
                   for o in runs]
        more_entries += entries[1] > entries[0]
        assert all((a.quota > 0).all() for a in after)
        assert (after[1].quota.to_numpy() > after[0].quota.to_numpy())[0]     # the year of designation
    assert quota[1] > quota[0] and more_entries >= 3


def test_designation_is_an_event_with_its_cause_and_pays_the_grant_once():
    """The change of standing is logged (cause: schedule) with the grant for the steps gained; the
    grant is spent in that year's finance; going back down and up again pays nothing more."""
    world = small_world(years=6)
    target = _lowest_park(world, Policy(), 1)
    steps = 3 - ParkModel(world, Policy(), rng=1).parks.level[target.row]
    model = run_model(_scheduled(world, {"year": 2012, "park": target.name, "level": "national"},
                                 {"year": 2013, "park": target.name, "level": "county"},
                                 {"year": 2014, "park": target.name, "level": "national"}), Policy(), 1)
    out = model.recorder.outputs()
    ev = out.events[out.events.kind == "designation"]
    assert list(ev.year) == [2012, 2013, 2014] and set(ev.rule) == {"schedule"} and (ev.park == target.row).all()
    area = out.parks[(out.parks.park == target.row) & (out.parks.year == 2011)].area.iloc[0]
    assert ev.value.iloc[0] == pytest.approx(world.designation_grant * area * steps)
    assert ev.value.iloc[1] == 0 and ev.value.iloc[2] == 0
    assert "-> national" in ev.detail.iloc[0] and "quota weight" in ev.detail.iloc[0]
    s = out.series.set_index("year")
    assert s.designation_grants[2012] == pytest.approx(ev.value.iloc[0])
    assert s.designation_grants.sum() == s.designation_grants[2012]
    control = run_model(world, Policy(), 1).recorder.outputs().parks
    infra = [o[(o.park == target.row) & (o.year == 2012)].infrastructure.iloc[0] for o in (control, out.parks)]
    assert infra[1] > infra[0]


def test_downgrade_lowers_the_parks_quota():
    """Same seeds: a national park downgraded to county gets less listed quota than in the control run."""
    world = small_world(years=5, national_share=0.4, provincial_share=0.3)
    model = ParkModel(world, Policy(), rng=3)
    top = max(model.park_agents, key=lambda a: (model.parks.level[a.row], -a.row))
    assert top.level == "national"
    runs = [run_model(w, Policy(), 3).recorder.outputs()
            for w in (world, _scheduled(world, {"year": 2012, "park": top.name, "level": "county"}))]
    quota = [o.parks[(o.parks.park == top.row) & (o.parks.year == 2012)].quota.iloc[0] for o in runs]
    assert quota[1] < quota[0]


def test_revocation_removes_retained_tax_and_logs_the_change():
    """A revoked park keeps no tax: retained tax falls against the control; its designation event says revoked."""
    world, policy = small_world(years=5), Policy()
    model = ParkModel(world, policy, rng=2)
    top = max(model.park_agents, key=lambda a: (model.parks.level[a.row], -a.row))
    runs = [run_model(w, policy, 2) for w in (world, _scheduled(world, {"year": 2012, "park": top.name, "level": "revoked"}))]
    out = [m.recorder.outputs() for m in runs]
    assert out[1].series.tax_retained.iloc[-1] < out[0].series.tax_retained.iloc[-1]
    ev = out[1].events[out[1].events.kind == "designation"]
    assert list(ev.park) == [top.row] and ev.detail.iloc[0].startswith(f"{top.level} -> revoked")


def test_new_zone_admits_no_firm_before_its_setup_years():
    """A scheduled zone is closed (not alive, no quota, no entries) for setup_years, then opens and admits firms."""
    world = small_world(years=8, projects_per_year=300)
    model = ParkModel(world, Policy(), rng=4)
    city = model.park_agents[0].city
    out = run_model(_scheduled(world, {"year": 2012, "place": city, "name": "new zone", "level": "provincial",
                                       "area_mu": 6000.0}), Policy(), 4).recorder.outputs()
    panel = out.parks[out.parks.name == "new zone"].set_index("year")
    row = int(panel.park.iloc[0])
    opens = 2012 + world.setup_years
    assert not panel.alive.loc[:opens - 1].any() and panel.alive.loc[opens:].all()
    assert (panel.quota.loc[:opens - 1] == 0).all() and (panel.quota.loc[opens:] > 0).any()
    entries = out.events[(out.events.kind == "entry") & (out.events.park == row)]
    assert len(entries) > 0 and entries.year.min() >= opens
    created = out.events[(out.events.kind == "park_created") & (out.events.park == row)]
    assert created.value.iloc[0] == pytest.approx(6000 * (world.land_conversion_cost + world.infra_cost * 0.2))
    assert out.series.set_index("year").zone_setup_cost[2012] == pytest.approx(created.value.iloc[0])
    opened = out.events[(out.events.kind == "zone_opened") & (out.events.park == row)]
    assert list(opened.year) == [opens]


def test_zone_without_setup_years_opens_at_once():
    """setup_years = 0: the zone takes firms the year it is created, as before the package."""
    world = dataclasses.replace(small_world(years=5, projects_per_year=300), setup_years=0)
    city = ParkModel(world, Policy(), rng=4).park_agents[0].city
    out = run_model(_scheduled(world, {"year": 2012, "place": city, "name": "new zone", "level": "provincial",
                                       "area_mu": 6000.0}), Policy(), 4).recorder.outputs()
    panel = out.parks[out.parks.name == "new zone"]
    assert panel.alive.all()
    row = int(panel.park.iloc[0])
    assert out.events[(out.events.kind == "entry") & (out.events.park == row)].year.min() == 2012


def test_v5_upgrade_brings_the_package_with_cause_v5():
    """A V5 upgrade is logged next year as a designation with cause V5 and a grant."""
    policy = Policy.from_dict({"V1": {"enabled": True}, "V5": {"enabled": True, "upgrade_years": 1}})
    out = run_model(small_world(years=4), policy, 0).recorder.outputs()
    upgraded = out.events[(out.events.kind == "park_upgraded") & (out.events.year < 2014)]
    ev = out.events[(out.events.kind == "designation") & (out.events.rule == "V5")]
    assert len(upgraded) > 0
    for first in upgraded.itertuples():
        hit = ev[(ev.park == first.park) & (ev.year == first.year + 1)]
        assert len(hit) == 1 and hit.value.iloc[0] > 0


def test_same_seed_same_run_with_the_package():
    """Determinism holds with designations, a new zone and the package on."""
    world = _scheduled(small_world(years=5), {"year": 2012, "park": "park_001", "level": "national"},
                       {"year": 2013, "place": "city_00", "level": "county", "area_mu": 3000.0})
    a, b = (run_model(world, Policy(), 9).recorder.outputs() for _ in range(2))
    assert a.series.equals(b.series) and a.parks.equals(b.parks) and a.events.equals(b.events)
