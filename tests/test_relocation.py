"""Relocation: L10/L1 moves into parks, moves out of revoked parks and to better parks, the land and
cost of a move, and the growth decomposition that books them."""

import numpy as np
import pytest
from conftest import run_model, small_world

from parksim.simulation import ParkModel, Policy
from parksim.simulation.location import ChoiceInputs, Coefficients, utilities
from parksim.simulation.observe import GROWTH_PARTS, growth_decomposition
from parksim.simulation.relocation import choose_parks, plan_moves, subset
from parksim.simulation.schedule import parse
from parksim.simulation.state import granted_by_park

IN_PARKS = Policy().set("L1", enabled=True).set("L10", enabled=True)


def stepped(world, policy, seed, years):
    model = ParkModel(world, policy, rng=seed)
    for _ in range(years):
        model.step()
    return model


def one_city(infra, room, own=0, need=10.0):
    """Hand-made choice: one sector, three parks of one city differing only in infrastructure; one firm."""
    k = len(infra)
    zeros = np.zeros((k, 1))
    x = ChoiceInputs(same=zeros, upstream=zeros, lead_pull=zeros, share=zeros, declared=np.zeros((k, 1), bool),
                     price=np.full(k, 20.0), standard=np.full(k, 150.0), infra=np.array(infra),
                     level=np.zeros(k), no_mega=np.ones(k, bool), sector=np.zeros(1, int), intensity=np.array([200.0]),
                     subsidy=np.zeros(1), big=np.zeros(1, bool), target=np.full(1, -1))
    coef = Coefficients(0.05, 0.3, 0.6, 1.5, 1.0, 0.3, 0.8, 0, 0, 0, 0, 1.0, 1.0)
    return x, coef, np.zeros(1, int), np.zeros(k, int), np.ones(k, bool), np.array(room, float), np.array([need]), np.array([own])


def test_between_park_review_moves_to_the_best_park_with_room_if_the_gain_beats_the_cost():
    """Infrastructure 0.1 / 0.9 / 0.6: the firm in park 0 moves to park 1; to park 2 when 1 is full;
    nowhere when the cost is too high."""
    x, coef, fc, pc, open_, room, need, cur = one_city([0.1, 0.9, 0.6], [100.0, 100.0, 100.0])
    assert choose_parks(x, coef, fc, pc, open_, room, need, cur, cost=0.3, review=np.ones(1, bool)).tolist() == [1]
    assert room.tolist() == [110.0, 90.0, 100.0]              # the old land frees room, the new takes it
    x, coef, fc, pc, open_, room, need, cur = one_city([0.1, 0.9, 0.6], [100.0, 5.0, 100.0])
    assert choose_parks(x, coef, fc, pc, open_, room, need, cur, cost=0.3, review=np.ones(1, bool)).tolist() == [2]
    assert choose_parks(x, coef, fc, pc, open_, room, need, cur, cost=0.9, review=np.ones(1, bool)).tolist() == [-1]
    u = utilities(subset(x, np.array([0]), np.arange(3)), coef)[0][0]
    assert u[1] - u[0] == pytest.approx(0.8)


def test_forced_move_takes_any_park_with_room_and_never_another_city():
    """A planned or forced move (no review) goes to the best park with room of its own city; none has room: it stays."""
    x, coef, fc, pc, open_, room, need, cur = one_city([0.1, 0.9, 0.6], [100.0, 100.0, 100.0], own=-1)
    pc = np.array([1, 0, 0])
    assert choose_parks(x, coef, fc, pc, open_, room, need, cur, cost=5.0, review=np.zeros(1, bool)).tolist() == [1]
    room = np.array([100.0, 1.0, 1.0])
    assert choose_parks(x, coef, fc, pc, open_, room, need, cur, cost=5.0, review=np.zeros(1, bool)).tolist() == [-1]


def test_plans_fall_within_plan_years_and_coverage():
    """L10 一企一策: move years in (year, year + plan_years]; coverage 0 gives no plans."""
    years = plan_moves(500, 2012, 4, 1.0, np.random.default_rng(1))
    assert years.min() == 2013 and years.max() == 2016
    assert (plan_moves(50, 2012, 4, 0.0, np.random.default_rng(1)) == -1).all()


def test_l1_and_l10_move_outside_firms_into_parks():
    """Same seeds: with L1 and L10 fewer firms are outside at the end than without, and L10 and L1 relocation events exist."""
    world = small_world(years=6)
    for seed in (1, 2):
        on = run_model(world, IN_PARKS, seed).recorder.outputs()
        off = run_model(world, Policy(), seed).recorder.outputs()
        assert on.series.firms_outside.iloc[-1] < off.series.firms_outside.iloc[-1]
        moves = on.events[on.events.kind == "relocation"]
        assert {"L10", "L1"} <= set(moves.rule) and not (off.events.rule == "L10").any()
        assert on.series.park_output_share.iloc[-1] > off.series.park_output_share.iloc[-1]


def test_revoked_parks_firms_leave_it_over_time():
    """A park revoked in 2012 loses firms every year, to open parks of its city ('revoked' moves): most are gone by 2018."""
    world = small_world(years=8, n_cities=1, relocation_review_share=0.0)
    control = run_model(world, Policy(), 3)
    target = int(np.bincount(control.firms.park[control.firms.park >= 0]).argmax())
    revoke = parse({"year": 2012, "park": f"park_{target:03d}", "level": "revoked"}, "s")
    model = run_model(world.with_schedule((revoke,)), Policy(), 3)
    out = model.recorder.outputs()
    firms = out.parks[out.parks.park == target].set_index("year").firms
    assert firms[2018] < firms[2012] / 2
    left = out.events[(out.events.kind == "relocation") & out.events.detail.str.startswith(f"revoked: {target} ->")]
    assert set(left.year) == set(range(2012, 2019)) and (model.parks.status[left.park.to_numpy()] != 5).all()


def test_a_move_conserves_land_and_charges_its_cost():
    """Per park Δgranted = land in − land out; Δreusable lies between out − in and out; outside land moves into
    parks; movers pay move_cost_share of investment, restart at move_restart_utilization, keep their links."""
    model = stepped(small_world(years=6), IN_PARKS, 5, 3)
    pk, f, w = model.parks, model.firms, model.world
    model.year += 1
    granted, reusable = granted_by_park(model.firms, model.parks), pk.reusable.copy()
    capital, links = f.capital.copy(), model.links.alive.sum()
    moves = model.relocate_firms()
    assert len(moves.rows) > 0
    land = f.land[moves.rows]
    into = np.bincount(moves.to_park, land, pk.n)
    out = np.bincount(moves.from_park[moves.from_park >= 0], land[moves.from_park >= 0], pk.n)
    assert np.allclose(granted_by_park(model.firms, model.parks) - granted, into - out)
    assert (pk.reusable - reusable <= out + 1e-9).all() and (pk.reusable - reusable >= out - into - 1e-9).all()
    assert (pk.reusable >= 0).all() and (granted_by_park(model.firms, model.parks) <= pk.area + 1e-6).all()
    assert np.isclose((granted_by_park(model.firms, model.parks) - granted).sum(), land[moves.from_park < 0].sum())
    assert np.allclose(capital[moves.rows] - f.capital[moves.rows], w.move_cost_share * moves.amount)
    assert (f.utilization[moves.rows] <= w.move_restart_utilization).all()
    assert (moves.to_place == pk.place[moves.to_park]).all() and (f.place[moves.rows] == moves.to_place).all()
    assert model.links.alive.sum() == links


def test_growth_decomposition_by_hand():
    """Seven firms, two parks: stay and grow, move, new, start producing, exit, move in from outside, long gone."""
    prev = np.array([0, 0, -1, 1, 1, -1, -1])
    now = np.array([0, 1, 1, 1, -1, 0, -1])
    out_prev = np.array([10.0, 20.0, 0.0, 0.0, 6.0, 4.0, 0.0])
    out_now = np.array([15.0, 8.0, 0.0, 7.0, 0.0, 3.0, 0.0])
    alive = np.array([1, 1, 1, 1, 0, 1, 0], bool)
    new = np.array([0, 0, 1, 0, 0, 0, 0], bool)
    g = growth_decomposition(prev, now, out_prev, out_now, alive, new, 2)
    assert g["incumbents"].tolist() == [5.0, 0.0] and g["entrants"].tolist() == [0.0, 7.0]
    assert g["relocations_in"].tolist() == [3.0, 8.0] and g["relocations_out"].tolist() == [-20.0, 0.0]
    assert g["exits"].tolist() == [0.0, -6.0] and g["total"].tolist() == [-12.0, 9.0]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_growth_parts_add_up_to_the_change_of_park_and_place_output(seed):
    """In random runs the parts add up to the total, the park totals are the panel's output changes, and
    (under L1: every firm has a place) the place totals add up to the change of total output."""
    out = run_model(small_world(years=6), IN_PARKS, seed).recorder.outputs()
    g = out.growth
    assert np.allclose(g[list(GROWTH_PARTS)].sum(axis=1), g.total, rtol=0, atol=1e-6)
    parks = g[g.level == "park"].assign(park=lambda d: d.unit.astype(int))
    change = out.parks.pivot(index="year", columns="park", values="output").fillna(0).diff().iloc[1:]
    booked = parks.pivot(index="year", columns="park", values="total")
    assert np.allclose(booked.to_numpy(), change.to_numpy(), atol=1e-6)
    places = g[g.level == "place"].groupby("year").total.sum()
    assert np.allclose(places.to_numpy(), out.series.output.diff().iloc[1:].to_numpy(), atol=1e-6)
    assert (g.relocations_in.sum() > 0) and (g.relocations_out.sum() < 0)
