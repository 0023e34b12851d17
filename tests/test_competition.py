"""Competition for investors: offers, the adaptive rule, budgets, S7's cap and benefit-sharing transfer."""

import numpy as np
import pytest
from conftest import run_model, small_world

from parksim.simulation import ConfigError, ParkModel, Policy, WorldConfig, competition, location
from parksim.simulation.state import EXITED

S7_ON = Policy().set("S7", enabled=True)
AMPLE = dict(years=10)     # the cities' cash backs the offers: budgets do not bind, offers go as far as the rule takes them


def test_rivals_are_same_city_or_near():
    """Parks 0-1 share a city; 2 and 3 are 50 km apart in different cities; 4 has no position."""
    x = np.array([0.0, 500.0, 1000.0, 1050.0, np.nan])
    y = np.zeros(5)
    i, j = competition.rival_pairs(x, y, np.array([0, 0, 1, 2, 3]), 100.0)
    assert set(zip(i.tolist(), j.tolist())) == {(0, 1), (1, 0), (2, 3), (3, 2)}


def test_best_rival_is_the_one_that_won_most():
    i, j = np.array([0, 0, 1, 1, 2, 2]), np.array([1, 2, 0, 2, 0, 1])
    best = competition.best_rivals(i, j, np.array([5.0, 1.0, 3.0, 0.0]), 4)
    assert best.tolist() == [2, 0, 0, -1]


def test_adapt_by_hand():
    """A loser whose best rival won more closes the step toward that rival's offer; one whose rivals
    all won less moves toward the bound; a gainer withdraws; an unchanged park keeps its offer."""
    g = np.array([[0.0, 0.0, 0.0, 0.0], [0.4, 0.04, 0.2, 100.0], [0.2, 0.02, 0.1, 50.0], [0.1, 0.01, 0.0, 10.0]])
    upper = np.array([0.8, 0.1, 0.5, 500.0])
    lost, gained = np.array([True, True, False, False]), np.array([False, False, True, False])
    best, won = np.array([1, 0, 0, -1]), np.array([1.0, 0.5, 2.0, 1.0])
    out = competition.adapt(g, lost, gained, best, won, upper, 0.5, 0.1)
    np.testing.assert_allclose(out[0], 0.5 * upper)          # its best rival (1) won less: toward the bound
    np.testing.assert_allclose(out[1], 0.5 * g[1])           # its best rival (0) won more with no offer: imitates it
    np.testing.assert_allclose(out[2], 0.9 * g[2])
    np.testing.assert_allclose(out[3], g[3])


def test_afford_scales_offers_to_the_budget():
    g = np.array([[0.5, 0.1, 0.2, 100.0], [0.5, 0.1, 0.2, 100.0]])
    cost = competition.expected_cost(g, np.array([1000.0, 1000.0]), np.array([200.0, 200.0]),
                                     np.array([50.0, 50.0]), 5)
    np.testing.assert_allclose(cost, 0.5 * 200 + 0.1 * 1000 + 0.2 * 50 * 5 + 100)      # 350 each
    out = competition.afford(g, cost, np.array([700.0, 175.0]))
    np.testing.assert_allclose(out[0], g[0])
    np.testing.assert_allclose(out[1], 0.5 * g[1])
    np.testing.assert_allclose(competition.expected_cost(out, np.array([1000.0] * 2), np.array([200.0] * 2),
                                                         np.array([50.0] * 2), 5)[1], 175.0)


def test_S7_caps_the_bounds():
    w = WorldConfig()
    free = competition.upper_bounds(Policy(), w)
    capped = competition.upper_bounds(S7_ON.set("S7", min_price_factor=0.8, max_subsidy=0.02, max_rebate=0.1), w)
    np.testing.assert_allclose(free, [1 - Policy().L8.min_factor, w.offer_max_subsidy, w.offer_max_rebate,
                                      w.offer_max_effort])
    np.testing.assert_allclose(capped, [0.2, 0.02, 0.1, w.offer_max_effort])


def _kernel_inputs(rng, n=30, p=7, s=5):
    same = rng.integers(0, 5, (p, s)).astype(float)
    return location.ChoiceInputs(
        same=same, upstream=rng.random((p, s)), lead_pull=rng.random((p, s)), share=rng.random((p, s)),
        declared=rng.random((p, s)) < 0.4, price=rng.uniform(10, 40, p), standard=rng.choice([150.0, 250.0], p),
        infra=rng.random(p), level=rng.integers(0, 4, p).astype(float), no_mega=rng.random(p) < 0.5,
        sector=rng.integers(0, s, n), intensity=rng.uniform(100, 500, n), subsidy=rng.uniform(0, 0.05, n),
        big=rng.random(n) < 0.2, target=np.full(n, -1), offer_factor=rng.uniform(0.15, 1, p),
        offer_subsidy=rng.uniform(0, 0.1, p), offer_rebate=rng.uniform(0, 0.5, p), offer_effort=rng.uniform(0, 500, p),
        tax_yield=rng.uniform(0.01, 0.1, n))


def test_offers_enter_the_utility_kernel_as_in_the_reference():
    """With offers, the block kernel, the choice-set kernel and the pair-by-pair reference agree."""
    rng = np.random.default_rng(7)
    c = location.Coefficients(0.05, 0.3, 0.6, 1.5, 1.0, 0.3, 0.8, 5.0, 2.0, 1.5, 2.0, 0.15, 0.5,
                              effort=0.3, effort_reference=100.0, rebate_years=5)
    x = _kernel_inputs(rng)
    u, price = location.utilities(x, c)
    u_ref, price_ref = location.utilities_reference(x, c)
    np.testing.assert_allclose(u, u_ref, rtol=1e-12)
    np.testing.assert_allclose(price, price_ref, rtol=1e-12)
    sets = np.tile(np.arange(len(x.price)), (len(x.sector), 1))
    u_set, price_set = location.utilities(x, c, sets)
    np.testing.assert_allclose(u_set, u, rtol=1e-12)
    np.testing.assert_allclose(price_set, price, rtol=1e-12)


def test_a_better_offer_raises_a_parks_utility():
    """More subsidy, rebate or effort, or a lower price factor, each raise the park's utility."""
    rng = np.random.default_rng(2)
    c = location.Coefficients(0.05, 0.3, 0.6, 1.5, 1.0, 0.3, 0.8, 5.0, 2.0, 1.5, 2.0, 0.15, 0.5,
                              effort=0.3, effort_reference=100.0, rebate_years=5)
    x = _kernel_inputs(rng)
    base = location.utilities(x, c)[0]
    for name, change in (("offer_subsidy", 0.05), ("offer_rebate", 0.2), ("offer_effort", 200.0),
                         ("offer_factor", -0.1)):
        setattr(x, name, getattr(x, name) + change)
        better = location.utilities(x, c)[0]
        assert (better >= base - 1e-12).all() and (better > base).any(), name
        base = better


def test_race_to_the_bottom_without_the_cap_and_S7_holds_it():
    """Same seeds, budgets that do not bind: without S7 offers ratchet up over the years; with S7 every
    offer stays within the cap, and parks spend less on subsidies and rebates."""
    w = small_world(**AMPLE)
    spent = {}
    for name, pol in (("off", Policy()), ("on", S7_ON)):
        runs = [run_model(w, pol, seed) for seed in (1, 2)]
        series = [m.recorder.outputs().series for m in runs]
        spent[name] = sum(float((s.offer_subsidies + s.offer_rebates).sum()) for s in series)
        if name == "off":
            for s in series:
                assert s.offer_subsidy_mean.iloc[-1] > s.offer_subsidy_mean.iloc[4]
                assert s.offer_factor_mean.iloc[-1] < 1.0
        else:
            for m in runs:
                pk = m.parks
                assert (pk.offer_subsidy <= S7_ON.S7.max_subsidy + 1e-12).all()
                assert (pk.offer_rebate <= S7_ON.S7.max_rebate + 1e-12).all()
                assert (pk.offer_factor >= S7_ON.S7.min_price_factor - 1e-12).all()
    assert spent["on"] < spent["off"]


def test_tight_budgets_keep_offers_small():
    """The same world with a tenth of the budget: offers cost less, so they are smaller."""
    ample = run_model(small_world(**AMPLE), Policy(), 1).recorder.outputs().series
    tight = run_model(small_world(**{**AMPLE, "offer_budget_share": 0.05}), Policy(), 1).recorder.outputs().series
    assert tight.offer_subsidy_mean.iloc[-1] < ample.offer_subsidy_mean.iloc[-1]


def test_no_step_no_offers():
    """offer_step 0: no park ever offers anything, and nothing is paid."""
    m = run_model(small_world(years=5, offer_step=0.0), Policy(), 3)
    s = m.recorder.outputs().series
    assert (m.parks.offer_factor == 1).all() and (m.parks.offer_subsidy == 0).all()
    assert (m.parks.offer_effort == 0).all() and (s.offer_subsidies + s.offer_rebates + s.attraction_effort == 0).all()


def test_offer_money_adds_up_and_goes_through_the_ledger():
    """What parks paid on offers (offer_spent) is the sum of the yearly subsidies, rebates and effort, and
    the finance ledger books it: effort as spending on attraction, S7's tax shares as transfers that net
    to zero each year (the identity income − spending + transfers = Δcash − Δdebt is finance's test)."""
    # Seed 1: a world in which parks lose share to rivals that offer (in seed 2's world, with the parks'
    # varied wish lists of 2-6 industries, none pays a subsidy or rebate, and the sums would be vacuous).
    m = run_model(small_world(**AMPLE), S7_ON.set("S7", max_rebate=0.2), 1)
    out = m.recorder.outputs()
    s, fin = out.series, out.finance
    assert np.isclose(m.parks.offer_spent.sum(), (s.offer_subsidies + s.offer_rebates + s.attraction_effort).sum())
    assert s.offer_subsidies.sum() > 0 and s.offer_rebates.sum() > 0
    assert np.isclose(fin.attraction.sum(), s.attraction_effort.sum())
    assert np.allclose(fin.groupby("year").tax_shared.sum(), 0.0, atol=1e-6)
    assert np.isclose(fin[fin.account_kind == "park"].tax_shared.clip(lower=0).sum(), s.tax_shared.sum())


def test_offers_are_deterministic():
    w = small_world(**AMPLE)
    a, b = (run_model(w, Policy(), 4).recorder.outputs().parks for _ in range(2))
    cols = ["offer_factor", "offer_subsidy", "offer_rebate", "offer_effort"]
    assert a[cols].equals(b[cols])


def test_S7_passes_projects_to_fitting_parks_and_shares_their_tax():
    """Passed projects settle in a park that declares their sector; their passing park does not, and
    receives a share of their tax."""
    m = run_model(small_world(years=8), S7_ON, 1)
    s = m.recorder.outputs().series
    f = m.firms
    passed = np.flatnonzero(f.tax_sharer >= 0)
    assert s.projects_passed.sum() > 0 and len(passed) > 0
    assert (f.park[passed] >= 0).all() and (f.park[passed] != f.tax_sharer[passed]).all()
    live = passed[f.state[passed] != EXITED]
    assert m.declared[f.park[live], f.sector[live]].all()
    assert not m.declared[f.tax_sharer[passed], f.sector[passed]].any()
    assert s.tax_shared.sum() > 0 and np.isclose(m.parks.tax_shared_in.sum(), s.tax_shared.sum())
    off = run_model(small_world(years=8), Policy(), 1)
    assert (off.firms.tax_sharer == -1).all()


@pytest.mark.parametrize("rid, values, where", [
    ("S7", {"max_subsidy": 1.5}, "policy.S7.max_subsidy"),
    ("S7", {"min_price_factor": -0.1}, "policy.S7.min_price_factor"),
    ("S7", {"tax_share": 2.0}, "policy.S7.tax_share"),
])
def test_bad_S7_parameters_are_refused(rid, values, where):
    with pytest.raises(ConfigError, match=where):
        Policy().set(rid, enabled=True, **values)


@pytest.mark.parametrize("key, value", [("offer_step", -0.1), ("offer_retreat", 1.5), ("offer_max_rebate", 2.0),
                                        ("rival_km", -1.0), ("effort_reference", 0.0), ("offer_budget_share", 1.2)])
def test_bad_world_competition_parameters_are_refused(key, value):
    with pytest.raises(ConfigError, match=f"world.{key}"):
        WorldConfig.from_dict({key: value})


def test_revoked_parks_offer_nothing():
    """A park revoked mid-run offers nothing from the next year on."""
    w = small_world(**{**AMPLE, "years": 6})
    m = ParkModel(w, Policy(), rng=1)
    for _ in range(4):
        m.step()
    name = max(m.park_agents, key=lambda a: m.parks.offer_subsidy[a.row]).name
    m.schedule(m.year + 1, park=name, level="revoked")
    m.step()
    row = next(a.row for a in m.park_agents if a.name == name)
    assert m.parks.offer_subsidy[row] == 0 and m.parks.offer_factor[row] == 1 and m.parks.offer_effort[row] == 0
