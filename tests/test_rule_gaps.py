"""Issue 12 §1: rule gaps closed, each checked on its corrected behaviour (hand cases or on/off runs)."""

import numpy as np
from conftest import mean_over_seeds, run_model, small_world

from parksim.simulation import ParkModel, Policy, choice, idle_land, investment, land, sanctions
from parksim.simulation.state import ACTIVE, BUILDING, EXITED, GRANTED, NOTICE, PRODUCING, STOPPED, WARNED, park_sum


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
    on = choice.coefficients(ParkModel(w, Policy().set("C3", enabled=True, induced_bonus=3.5), rng=1))
    off = choice.coefficients(ParkModel(w, Policy().set("C3", induced_bonus=3.5), rng=1))
    assert on.induced_bonus == 3.5 and off.induced_bonus == 0.0


# --- V5 有升有退 (003 十(四)) and V7 降 ------------------------------------------------------------

EVAL = Policy().set("V1", enabled=True)


def _v5_model(**v5):
    """A model after one year, with V5 on and its parameters set."""
    m = ParkModel(small_world(), EVAL.set("V5", enabled=True, **v5), rng=2)
    m.step()
    return m


def test_V5_absolute_failings_hand_case():
    """V5: low intensity, low tax per mu and emissions over quota each fail; empty parks fail nothing."""
    rule = Policy().V5
    ind = {"intensity": np.array([60.0, 200.0, 200.0, 200.0, 0.0]),
           "output": np.array([10.0, 10.0, 10.0, 10.0, 0.0]),
           "tax_per_mu": np.array([20.0, 4.0, 20.0, 20.0, 0.0]),
           "pollution_per_output": np.array([0.1, 0.1, 0.5, 0.1, 0.0])}
    failing = sanctions.absolute_failings(rule, ind, np.full(5, 150.0), np.full(5, 2.0))
    assert failing.tolist() == [True, True, True, False, False]


def test_V5_sanctions_follow_absolute_failings_not_only_rank():
    """V5: with the rank trigger at its minimum (the one worst park), every park failing the tax-per-mu
    test is sanctioned."""
    sanctioned = _v5_model(bottom_share=0.0, low_use_factor=0.0, min_tax_per_mu=1e5).parks.status
    clean = _v5_model(bottom_share=0.0, low_use_factor=0.0, min_tax_per_mu=0.0).parks.status
    assert (sanctioned == WARNED).all() and (clean == WARNED).sum() == 1


def test_V5_sanctioned_parks_do_not_expand():
    """V5 不支持其擴區: a warned park's expansion is refused; an active one's goes through."""
    m = ParkModel(small_world(), EVAL.set("V5", enabled=True), rng=1)
    area = m.parks.area.copy()
    m.parks.status[0] = WARNED
    assert not sanctions.expand_park(m, 0, 0.5, 300.0, 150.0, "expanded", "")
    assert sanctions.expand_park(m, 1, 0.5, 300.0, 150.0, "expanded", "")
    assert m.parks.area[0] == area[0] and m.parks.area[1] > area[1]


def test_V5_upgrades_add_no_area_to_national_parks():
    """V5: a top park below national goes up a level with more area; a national one keeps both."""
    m = _v5_model(bottom_share=0.0, top_share=1.0, upgrade_years=1, low_use_factor=0.0, min_tax_per_mu=0.0)
    pk = m.parks
    pk.status[:] = ACTIVE
    pk.level[0], pk.level[1] = 3, 0
    area = pk.area.copy()
    n = pk.n
    sanctions._graded_sanctions(m, np.ones(n, bool), np.ones(n), m.indicators())
    assert pk.level[0] == 3 and pk.area[0] == area[0]
    assert pk.level[1] == 1 and pk.area[1] > area[1]


def test_V5_sanctioned_parks_are_not_upgraded():
    """V5 不支持其升級: a top park under a warning keeps its level."""
    m = _v5_model(bottom_share=0.0, top_share=1.0, upgrade_years=1, low_use_factor=0.0, min_tax_per_mu=0.0)
    pk = m.parks
    pk.level[:2] = 0
    pk.status[:2] = [ACTIVE, NOTICE]               # NOTICE steps down to WARNED: still sanctioned
    sanctions._graded_sanctions(m, np.ones(pk.n, bool), np.ones(pk.n), m.indicators())
    assert pk.level[0] == 1 and pk.level[1] == 0


def test_V7_downgrade_lowers_the_level():
    """V7 降: a park below the built share goes one level down (county parks stay) and loses area."""
    m = ParkModel(small_world(), EVAL.set("V7", enabled=True, cut_built_share=1.0), rng=1)
    pk = m.parks
    pk.level[:2] = [2, 0]
    level, area = pk.level.copy(), pk.area.copy()
    n = pk.n
    sanctions._adjust_plans(m, np.ones(n, bool), np.zeros(n), m.indicators())
    assert pk.level[0] == level[0] - 1 and pk.level[1] == 0
    assert (pk.area[:2] < area[:2]).all()
    assert len(m.recorder.outputs().events.query("kind == 'park_downgraded'")) >= 1


# --- E4 environmental entry (003 六(一)) ------------------------------------------------------------

def test_E4_freed_quota_goes_to_parks_that_cut_energy_use():
    """E4: the freed quota is shared by energy cut: none to a park that cut nothing, most to the largest cut."""
    share = sanctions.share_freed(30.0, np.array([0.0, 10.0, 20.0]))
    assert share.tolist() == [0.0, 10.0, 20.0]
    assert sanctions.share_freed(30.0, np.zeros(3)).tolist() == [0.0, 0.0, 0.0]


def test_E4_reallocation_rewards_the_cutting_park_not_the_polluting_one():
    """E4: a park whose emissions fell but whose energy use rose gets no freed quota; the park that
    cut energy use gets all of it."""
    m = ParkModel(small_world(), Policy().set("E4", enabled=True), rng=1)
    pk = m.parks
    ind = m.indicators()
    now = ind["pollution_per_output"] * ind["output"]
    energy = park_sum(m.firms, m.parks, m.firms.energy, live_only=True)
    pk.last_pollution[:] = now
    pk.last_pollution[0] = now[0] + 5.0                  # park 0 cut 5 units of emissions …
    pk.last_energy[:] = energy
    pk.last_energy[0] = energy[0] * 0.5                  # … while its energy use doubled
    pk.last_energy[1] = energy[1] + 100.0                # park 1 cut its energy use
    sanctions.reallocate_emissions(m, ind)
    base = m.policy.E4.quota_per_mu * pk.area
    assert np.isclose(pk.emission_quota[0], base[0])
    assert np.isclose(pk.emission_quota[1], base[1] + 5.0)
    assert np.allclose(pk.emission_quota[2:], base[2:])


def test_E4_room_counts_projects_not_yet_producing():
    """E4: a park's emission room is its quota less live pollution less the design emissions of its
    granted and building projects."""
    m = ParkModel(small_world(), Policy().set("E4", enabled=True, quota_per_mu=5.0), rng=1)
    m.step()
    f = m.firms
    pending = ((f.state == GRANTED) | (f.state == BUILDING)) & (f.park >= 0)
    assert pending.any()
    committed = np.bincount(f.park[pending], sanctions.committed_emission(f.investment[pending], f.sector[pending],
                                                                           m.sectors), m.parks.n)
    m.year += 1
    m.year_index += 1
    m.plan_year()
    expected = m.parks.emission_quota - park_sum(m.firms, m.parks, f.pollution, live_only=True) - committed
    assert np.allclose(m.ledger.emission_room, expected)
    assert (committed > 0).any()


# --- L2 tiers and 挖潜, L4 pool and percentile -------------------------------------------------------

def _ledger(policy, quota, pool, reusable=0.0, greenfield=1000.0):
    one = np.array
    return land.TieredLedger(policy, 1000.0, one([quota]), pool, 0.0, one([greenfield]), one([reusable]),
                             one([np.inf]))


def test_L2_city_pool_is_for_city_key_projects_only():
    """L2: a county key project cannot draw on the city's pool; a city key project can; a general one
    takes only reusable (recovered or reclaimed) land."""
    pol = Policy().set("L2", enabled=True)
    assert not _ledger(pol, 0.0, 100.0).grant(0, 50.0, 6000.0, 0.0)
    ledger = _ledger(pol, 0.0, 100.0)
    assert ledger.grant(0, 50.0, 20000.0, 0.0) and ledger.pool == 50.0
    ledger = _ledger(pol, 60.0, 100.0)
    assert ledger.grant(0, 50.0, 6000.0, 0.0) and ledger.pool == 100.0 and ledger.quota[0] == 10.0
    assert not _ledger(pol, 60.0, 100.0).grant(0, 50.0, 1000.0, 0.0)
    assert _ledger(pol, 0.0, 0.0, reusable=50.0).grant(0, 50.0, 1000.0, 0.0)
    assert _ledger(Policy(), 0.0, 100.0).grant(0, 50.0, 1000.0, 0.0)        # without L2: first come


def test_L2_and_L4_keep_a_common_pool():
    """L2/L4: hand case: 1000 mu, L2 reserve 10 %, then 30 % of the rest in the pool, 70 % in slices."""
    n = 4
    args = (1000.0, np.full(n, 1e6), np.ones(n, bool), np.linspace(0, 1, n), np.zeros(n, bool), np.zeros(n, bool))
    quota, pool, reserve = land.allocate_quota(Policy().set("L2", enabled=True), *args)
    assert reserve == 100.0 and np.isclose(pool, 270.0) and np.allclose(quota, 157.5)
    quota, pool, _ = land.allocate_quota(EVAL.set("L4", enabled=True, pool_share=0.4), *args)
    assert np.isclose(pool, 400.0) and np.isclose(quota.sum(), 600.0) and (np.diff(quota) > 0).all()
    quota, pool, _ = land.allocate_quota(Policy(), *args)
    assert pool == 1000.0 and quota.sum() == 0.0


def test_L4_percentile_counts_only_live_ranked_parks():
    """L4: ranks 2, -, 1, 3 among the open parks give 0.5, 0, 1, 0; a closed park ranked 4 gives 0."""
    pct = land.live_percentile(np.array([2, 0, 1, 3, 4]), np.array([True, True, True, True, False]))
    assert pct.tolist() == [0.5, 0.0, 1.0, 0.0, 0.0]


def _small_entrants(m):
    f = m.firms
    return float(((f.entry_year > m.world.start_year) & (f.park >= 0)
                  & (f.investment < m.policy.L2.county_key_min)).sum())


def test_L2_reclaimed_land_admits_general_projects():
    """L2 挖潜 (000 §(八)): reclaimed land lets more general (below county-key) projects into parks."""
    w = small_world()
    on = mean_over_seeds(w, Policy().set("L2", enabled=True, reclaim_share=0.3), _small_entrants, (1, 2))
    off = mean_over_seeds(w, Policy().set("L2", enabled=True, reclaim_share=0.0), _small_entrants, (1, 2))
    assert on > off


# --- X3 腾笼换鸟 and X5 dual control act on park firms ----------------------------------------------

def test_X3_buyback_pays_the_park_price_and_firms_move_or_exit():
    """X3: bought-out park firms get their land price (booked per park as an event); a profitable one
    moves to another park of its city, a loss-making one exits; a firm outside parks is untouched."""
    m = ParkModel(small_world(), Policy().set("X3", enabled=True), rng=1)
    m.step()
    f = m.firms
    live = f.state == PRODUCING
    inside, outside = np.flatnonzero(live & (f.park >= 0)), np.flatnonzero(live & (f.park < 0))
    gain, loss, out = inside[0], inside[1], outside[0]
    f.profit[gain], f.profit[loss] = 10.0, -10.0
    park_before, land_before = f.park[[gain, loss]].copy(), f.land[[gain, loss]].copy()
    paid = float((f.land[[gain, loss]] * f.land_price[[gain, loss]]).sum())
    mask = np.zeros(f.n, bool)
    mask[[gain, loss, out]] = True
    idle_land.buy_back(m, mask)
    ev = m.recorder.outputs().events
    assert np.isclose(ev[ev.kind == "buyback_paid"].value.sum(), paid)
    assert f.state[loss] == EXITED and f.state[out] == PRODUCING
    assert f.state[gain] == PRODUCING and f.park[gain] != park_before[0] and f.land[gain] == land_before[0]
    assert (ev[(ev.kind == "relocation") & (ev.rule == "X3")].firm == gain).all()


def test_X5_closes_only_park_polluters():
    """X5 (001 四(六), the zones' energy dual control): under a falling cap every firm closed is a park firm."""
    w = small_world(years=4)
    m = run_model(w, Policy().set("X5", enabled=True, cap_growth=-0.3), 2)
    ev = m.recorder.outputs().events
    closed = ev[(ev.kind == "polluter_closed")]
    assert len(closed) > 0 and (closed.park >= 0).all()


# --- X4 多兼并重组、少破产清算 (003 六(三)) -------------------------------------------------------------

def test_X4_takeover_goes_to_the_most_profitable_same_park_same_sector_firm():
    """X4: hand case: the stopped firm of (park 0, sector 1) goes to firm 2 (profit 9 > 5); the one of
    (park 1, sector 1) has no healthy peer (firm 4 loses money) and is liquidated; outside firms never."""
    state = np.array([STOPPED, PRODUCING, PRODUCING, STOPPED, PRODUCING, STOPPED, PRODUCING])
    park = np.array([0, 0, 0, 1, 1, -1, -1])
    sector = np.array([1, 1, 1, 1, 1, 1, 1])
    profit = np.array([0.0, 5.0, 9.0, 0.0, -1.0, 0.0, 8.0])
    buyer = idle_land.takeovers(Policy().set("X4", enabled=True), state == STOPPED, state, park, sector, profit)
    assert buyer.tolist() == [2, -1, -1, -1, -1, -1, -1]
    assert (idle_land.takeovers(Policy(), state == STOPPED, state, park, sector, profit) == -1).all()


def test_X4_taken_over_land_and_plant_pass_to_the_buyer():
    """X4: the buyer's land and capacity grow by the stopped firm's; the park's reusable stock does not."""
    m = ParkModel(small_world(), Policy().set("X4", enabled=True), rng=1)
    f = m.firms
    live = np.flatnonzero((f.state == PRODUCING) & (f.park >= 0))
    a = next(r for r in live if ((f.park[live] == f.park[r]) & (f.sector[live] == f.sector[r])).sum() > 1)
    peers = live[(f.park[live] == f.park[a]) & (f.sector[live] == f.sector[a]) & (live != a)]
    b = peers[0]
    f.profit[b] = abs(f.profit[b]) + 1.0
    f.profit[peers[1:]] = -1.0
    f.state[a] = STOPPED
    land_a, land_b, cap = f.land[a], f.land[b], f.capacity[a] + f.capacity[b]
    reusable = m.parks.reusable.copy()
    resolved = np.zeros(f.n, bool)
    resolved[a] = True
    idle_land.take_over(m, resolved)
    assert f.state[a] == EXITED and np.isclose(f.land[b], land_a + land_b) and np.isclose(f.capacity[b], cap)
    assert np.allclose(m.parks.reusable, reusable)


# --- X2 build-out deadlines (004 §(九)) ----------------------------------------------------------------

def test_X2_fee_covers_projects_below_a_quarter_invested():
    """X2: hand case after the fee year: unstarted pays; building with 0 % (< 25 %) pays; building
    with 50 % does not; a producer does not; nothing before the fee year."""
    pol = Policy().set("X2", enabled=True)
    state = np.array([GRANTED, BUILDING, BUILDING, PRODUCING])
    invested = idle_land.invested_share(state, np.array([0, 2, 1, 0]), 2)
    assert invested.tolist() == [0.0, 0.0, 0.5, 1.0]
    assert idle_land.idle_fee(pol, state, np.full(4, 2010), 2011, invested).tolist() == [True, True, False, False]
    assert not idle_land.idle_fee(pol, state, np.full(4, 2011), 2011, invested).any()


def test_X2_agreement_takes_back_land_of_projects_unable_to_build():
    """X2 协议收回: unstarted after one year and below the margin line → taken back; not the others."""
    pol = Policy().set("X2", enabled=True)
    state = np.array([GRANTED, GRANTED, GRANTED, BUILDING])
    grant = np.array([2010, 2010, 2011, 2010])
    margin = np.array([-0.2, 0.0, -0.2, -0.2])
    assert idle_land.agreement_takeback(pol, state, grant, 2011, margin).tolist() == [True, False, False, False]


def test_X2_agreement_returns_land_and_books_refunds():
    """X2: with the margin line raised, more land comes back by agreement and the refunds are booked."""
    w = small_world(years=4)
    on = run_model(w, Policy().set("X2", enabled=True, agreement_margin=0.5), 1).recorder.outputs().events
    off = run_model(w, Policy().set("X2", enabled=True, agreement_margin=-1.0), 1).recorder.outputs().events
    assert (on.kind == "land_returned").sum() > 0 and (off.kind == "land_returned").sum() == 0
    assert on[on.kind == "land_refund"].value.sum() > 0
