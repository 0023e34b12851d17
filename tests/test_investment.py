"""Investment sources, choice, adaptation and the created / diverted / relocated / lost ledger."""

import numpy as np
import pandas as pd
from conftest import EVERYTHING_ON, run_model, small_world
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_kernels import _choice_inputs

from parksim.simulation import Policy, location
from parksim.simulation.investment import (
    ACCOUNTS,
    EXPANSION,
    MOBILE,
    STARTUP,
    InvestmentLedger,
    choice_set,
    relatedness,
    startups,
)
from parksim.simulation.run import simulate
from parksim.simulation.sectors import default_sectors

COEF = location.Coefficients(0.15, 0.3, 0.6, 1.5, 1.0, 0.3, 0.8, 5.0, 2.0, 1.5, 2.0, 0.15, 0.5)


def assert_identity(series: pd.DataFrame) -> None:
    """arrivals = created + diverted + relocated + lost, in count and in 万元, every year."""
    for unit in ("", "_wan"):
        booked = sum(series[f"invest_{a}{unit}"] for a in ACCOUNTS)
        np.testing.assert_allclose(series[f"invest_arrivals{unit}"], booked, rtol=1e-12)


def test_identity_holds_every_year_and_matches_the_firm_table():
    """Every project is booked once; created + diverted are the new firm rows, lost the projects_lost."""
    for policy in (Policy(), EVERYTHING_ON):
        m = run_model(small_world(years=6), policy, 3)
        out = m.recorder.outputs()
        s = out.series
        assert_identity(s)
        assert (s.invest_arrivals.iloc[1:] > 0).all()
        np.testing.assert_array_equal(s.entries, s.invest_created + s.invest_diverted)
        np.testing.assert_array_equal(s.projects_lost, s.invest_lost)
        new = m.firms.entry_year > m.world.start_year
        assert new.sum() == s.entries.sum()
        region = out.investment[out.investment.unit == "region"].pivot_table(
            index="year", columns="kind", values="count", aggfunc="sum", fill_value=0)
        for kind in ("created", "diverted", "lost", "arrivals"):
            got = region[kind] if kind in region else 0
            np.testing.assert_array_equal(got, s.set_index("year").loc[region.index, f"invest_{kind}"])


def test_relocations_are_booked_and_keep_the_identity():
    """book_relocations (called by the relocation phase) adds arrivals and relocated in step, by park and place."""
    m = run_model(small_world(years=2, relocation_review_share=0.0), Policy(), 1)    # no moves of its own
    rows = np.flatnonzero(m.firms.park >= 0)[:5]
    m.investment.book_relocations(rows, m.firms.place[rows], np.full(5, 1), m.firms.park[rows], np.full(5, 2),
                                  m.firms.investment[rows])
    m.recorder.record()
    s = m.recorder.outputs().series
    assert_identity(s)
    assert s.invest_relocated.iloc[-1] == 5
    assert np.isclose(s.invest_relocated_wan.iloc[-1], m.firms.investment[rows].sum())
    table = m.recorder.outputs().investment
    park_2 = table[(table.unit == "park") & (table.kind == "relocated")]
    assert park_2["count"].sum() == 5 and set(park_2.id) == {m.park_agents[2].name}
    assert table[(table.unit == "place") & (table.kind == "relocated_out")]["count"].sum() == 5


def test_ledger_classifies_by_origin_and_destination():
    """Hand cases: from outside → created; start-up at home → created; elsewhere → diverted; left → lost."""
    led = InvestmentLedger()
    led.begin_year(2011)
    amount = np.array([10.0, 20.0, 30.0, 40.0])
    led.arrive(amount)
    led.book_projects(amount, source=[MOBILE, STARTUP, STARTUP, EXPANSION], origin=[-1, 4, 4, 4],
                      to_park=[0, 1, 2, -1], to_place=[3, 4, 5, -1], adaptation=[0, 0, 2, 4],
                      refused_park=[-1, -1, 1, 0], left=np.array([False, False, False, True]), firm=[7, 8, 9, -1])
    t = led.totals(2011)
    assert (t["invest_created"], t["invest_diverted"], t["invest_lost"]) == (2, 1, 1)
    assert (t["invest_created_wan"], t["invest_diverted_wan"], t["invest_lost_wan"]) == (30.0, 30.0, 40.0)
    assert t["adapted_next_park"] == 1 and t["adapted_left"] == 1
    table = led.table(["p0", "p1", "p2"], [f"q{i}" for i in range(6)])
    lost = table[table.kind == "lost"].set_index("unit")
    assert lost.loc["park", "id"] == "p0" and lost.loc["place", "id"] == "q4"       # refused by p0, from q4
    assert table[(table.kind == "diverted_out")].id.tolist() == ["q4"]


def test_ledger_table_sorts_by_text_and_keeps_parks_of_one_name_in_row_order():
    """Rows sort by year, unit, id, kind and refusing rule as text (中文 ids included); two parks named alike
    keep the order of their rows, and an empty ledger gives an empty table."""
    led = InvestmentLedger()
    led.begin_year(2011)
    amount = np.array([1.0, 2.0, 4.0, 8.0])
    led.arrive(amount)
    led.book_projects(amount, source=[MOBILE] * 4, origin=[-1] * 4, to_park=[2, 0, 1, 2], to_place=[0, 0, 1, 0],
                      adaptation=[0] * 4, refused_park=[-1] * 4, left=np.zeros(4, bool), firm=[1, 2, 3, 4])
    table = led.table(["园", "B", "园"], ["q0", "a1"])
    parks = table[table.unit == "park"]
    assert parks.id.tolist() == ["B", "园", "园"] and parks.amount_wan.tolist() == [4.0, 2.0, 9.0]    # B, rows 0, 2
    assert table.unit.tolist() == ["park"] * 3 + ["place"] * 2 + ["region"] * 2
    assert table[table.unit == "place"].id.tolist() == ["a1", "q0"]
    assert table[table.unit == "region"].kind.tolist() == ["arrivals", "created"]
    assert len(InvestmentLedger().table(["p"], ["q"])) == 0


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rest=st.floats(-2.0, 8.0), startup=st.floats(0.0, 0.1), expand=st.floats(0.0, 0.2),
       k=st.integers(2, 12), l1=st.booleans(), e1=st.booleans(), seed=st.integers(0, 10_000))
def test_identity_over_randomised_runs(rest, startup, expand, k, l1, e1, seed):
    """The identity holds whatever the rest of the country, the sources, the choice-set size and the rules."""
    world = small_world(years=4, rest_utility=rest, startup_rate=startup, expansion_rate=expand,
                        choice_set_size=k, outside_utility=2.0)
    policy = Policy().set("L1", enabled=l1).set("E1", enabled=e1)
    assert_identity(simulate(world, policy, seed=seed).series)


def _settled_wan(m):
    s = m.recorder.outputs().series
    return float((s.invest_created_wan + s.invest_diverted_wan).sum())


def test_a_more_attractive_rest_of_the_country_keeps_less_investment():
    """Raising rest_utility lowers the investment that settles in the region (same seeds)."""
    low = [_settled_wan(run_model(small_world(years=5, rest_utility=2.0), Policy(), s)) for s in (1, 2)]
    high = [_settled_wan(run_model(small_world(years=5, rest_utility=6.0), Policy(), s)) for s in (1, 2)]
    assert sum(high) < sum(low)


def test_L1_keeps_every_new_firm_in_a_park_and_without_it_some_settle_outside():
    """L1 on: no project settles outside parks; off (outside sites attractive): some do, in a real place."""
    world = small_world(years=4, outside_utility=4.0)
    on = run_model(world, Policy().set("L1", enabled=True), 2)
    off = run_model(world, Policy(), 2)
    for m in (on, off):
        new = m.firms.source > 0
        assert (m.firms.place[new] >= 0).all()
    assert (on.firms.park[on.firms.source > 0] >= 0).all()
    outside = (off.firms.source > 0) & (off.firms.park < 0)
    assert outside.sum() > 0
    assert all(off.place_ids[q].startswith("syn:C") and ".K" in off.place_ids[q] for q in off.firms.place[outside])


def test_refused_projects_densify_under_a_high_E1_standard_and_nothing_vanishes():
    """E1 with a high standard: some refused projects build denser (counted, at the standard); identity holds."""
    policy = Policy().set("E1", enabled=True, national=400.0, provincial=300.0, city=300.0, county=300.0)
    m = run_model(small_world(years=4, max_densify=2.0), policy, 4)
    s = m.recorder.outputs().series
    assert s.adapted_densified.sum() > 0
    assert_identity(s)
    f = m.firms
    new = np.flatnonzero((f.source > 0) & (f.park >= 0))
    standard = np.array([policy.E1.standard(lv) for lv in ("county", "city", "provincial", "national")])
    assert np.isclose(f.intensity[new], standard[m.parks.level[f.park[new]]]).any()
    assert (f.intensity[new] >= standard[m.parks.level[f.park[new]]] - 1e-9).all()


def test_sources_all_contribute_with_origins():
    """Mobile projects come from outside (-1), start-ups and expansions from a place of the region."""
    m = run_model(small_world(years=4, startup_rate=0.05, expansion_rate=0.1,
                                relocation_review_share=0.0), Policy(), 5)     # initial firms stay where they began
    f = m.firms
    for source in (MOBILE, STARTUP, EXPANSION):
        assert (f.source == source).sum() > 0
    assert (f.origin[f.source == MOBILE] == -1).all()
    assert (f.origin[(f.source == STARTUP) | (f.source == EXPANSION)] >= 0).all()
    assert (f.origin[f.source == 0] == f.place[f.source == 0]).all()


def test_startups_follow_the_related_stock():
    """Poisson start-ups: none where no related firm produces; the mean matches rate × related stock."""
    io = np.array([[0.0, 0.5], [0.0, 0.0]])
    counts = np.array([[0, 0], [100, 0]])
    place, sector = startups(counts, io, 0.1, np.random.default_rng(0))
    assert (place == 1).all()
    # place 1: sector 0 expects 0.1 × 100, sector 1 expects 0.1 × 100 × 0.5
    rng = np.random.default_rng(1)
    draws = [np.bincount(startups(counts, io, 0.1, rng)[1], minlength=2) for _ in range(400)]
    np.testing.assert_allclose(np.mean(draws, axis=0), [10.0, 5.0], rtol=0.05)


def test_choice_set_is_the_full_set_when_small_and_draws_nothing():
    """P ≤ K: every project sees every open park, no correction, and the generator is untouched."""
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    alts, corr = choice_set(np.array([1.0, 0.0, 3.0]), 3, 4, np.full(4, -1), rng)
    np.testing.assert_array_equal(alts, np.tile([0, 2], (4, 1)))
    assert (corr == 0).all() and rng.bit_generator.state == state


def test_a_choice_set_size_above_the_options_changes_nothing():
    """P ≤ K: a run with K equal to the number of options is identical to one with K far above it."""
    a, b = (simulate(small_world(years=3, choice_set_size=k), Policy(), seed=4) for k in (24, 5000))  # 8 parks, 24 sites
    pd.testing.assert_frame_equal(a.series, b.series)
    pd.testing.assert_frame_equal(a.investment, b.investment)


def test_choice_set_utilities_equal_the_full_matrix_and_the_reference():
    """The gathered kernel over all parks equals the full kernel exactly; over sampled sets, the reference."""
    rng = np.random.default_rng(3)
    x = _choice_inputs(rng)
    full, price = location.utilities(x, COEF)
    every = np.tile(np.arange(len(x.price)), (len(x.sector), 1))
    u, p = location.utilities(x, COEF, every)
    np.testing.assert_array_equal(u, full)
    np.testing.assert_array_equal(p, price)
    sets = rng.integers(0, len(x.price), (len(x.sector), 3))
    u, p = location.utilities(x, COEF, sets)
    u_ref, p_ref = location.utilities_reference(x, COEF, sets)
    np.testing.assert_allclose(u, u_ref, rtol=1e-12)
    np.testing.assert_allclose(p, p_ref, rtol=1e-12)


def test_sampled_choice_sets_are_bounded_and_give_the_full_logit_shares():
    """P > K: sets are at most K + 1 wide, the forced option always in; choice shares by group of parks
    are within 0.02 of the exact logit. With 40,000 draws a group share's sd is ≤ 0.0025; the rest of
    the allowance is the O(1/K) bias of the ratio (Horvitz-Thompson) estimate, measured at 0.012-0.013
    on this toy at the default K = 64 (0.025 at K = 32). Without the correction the shares are off by
    0.08-0.10, which the last line checks.
    """
    rng = np.random.default_rng(11)
    p_n, n, k = 600, 40_000, 64
    weight = rng.lognormal(0.0, 1.0, p_n)
    value = rng.normal(0.0, 1.0, p_n) + 0.5 * np.log(weight)
    forced = np.where(np.arange(n) % 10 == 0, 5, -1)
    alts, corr = choice_set(weight, k, n, forced, rng)
    assert alts.shape[1] <= k + 1 and alts.nbytes <= n * (k + 1) * 8
    assert (alts[forced == 5] == 5).sum() == (forced == 5).sum()
    exact = np.exp(value) / np.exp(value).sum()
    group = np.argsort(np.argsort(value)) * 8 // p_n           # eight groups by utility

    def shares(correction):
        u = np.where(alts >= 0, value[np.maximum(alts, 0)] + correction, -np.inf) + rng.gumbel(size=alts.shape)
        pick = alts[np.arange(n), np.argmax(u, 1)]
        return np.bincount(group[pick[forced < 0]], minlength=8) / (forced < 0).sum()

    target = np.bincount(group, weights=exact, minlength=8)
    assert np.abs(shares(corr) - target).max() < 0.02
    assert np.abs(shares(0.0) - target).max() > 0.05


def test_national_size_run_uses_sampled_sets():
    """A world with more parks than K runs and keeps the identity (the sets are sampled)."""
    world = small_world(years=2, n_parks=40, choice_set_size=8, initial_firms=200)
    assert_identity(simulate(world, Policy(), seed=2).series)


def test_same_seed_same_investment_table():
    """Determinism: the investment table is identical for one seed and differs for another."""
    world = small_world(years=4)
    a, b, c = (simulate(world, EVERYTHING_ON, seed=s) for s in (6, 6, 7))
    pd.testing.assert_frame_equal(a.investment, b.investment)
    assert not a.investment.equals(c.investment)


def test_default_sectors_relatedness_is_symmetric_with_unit_diagonal():
    """Relatedness weights are the IO ties both ways, capped at 1, with the own sector at 1."""
    r = relatedness(default_sectors().io)
    np.testing.assert_array_equal(r, r.T)
    assert (np.diag(r) == 1).all() and r.max() <= 1
