"""Each vectorised kernel equals its plain per-agent reference implementation."""

import numpy as np

from parksim.simulation import evaluation, location, metrics, placement, production
from parksim.simulation.sectors import default_sectors

SEC = default_sectors()


def _choice_inputs(rng, n=40, p=6):
    s = SEC.n
    same = rng.integers(0, 5, (p, s)).astype(float)
    return location.ChoiceInputs(
        same=same, upstream=rng.random((p, s)), lead_pull=rng.random((p, s)),
        share=same / same.sum(1, keepdims=True), declared=rng.random((p, s)) < 0.2,
        price=rng.uniform(10, 40, p), standard=rng.choice([150.0, 250.0], p), infra=rng.random(p),
        level=rng.integers(0, 4, p).astype(float), no_mega=rng.random(p) < 0.5,
        sector=rng.integers(0, s, n), intensity=rng.uniform(100, 700, n), subsidy=rng.uniform(0, 0.05, n),
        big=rng.random(n) < 0.2, target=np.where(rng.random(n) < 0.2, rng.integers(0, p, n), -1))


def test_location_kernel_matches_reference():
    """Utilities and land prices of the logit kernel equal the pair-by-pair reference."""
    rng = np.random.default_rng(3)
    coef = location.Coefficients(0.15, 0.3, 0.6, 1.5, 1.0, 0.3, 0.8, 5.0, 2.0, 1.5, 2.0, 0.15, 0.5)
    x = _choice_inputs(rng)
    u, price = location.utilities(x, coef)
    u_ref, price_ref = location.utilities_reference(x, coef)
    np.testing.assert_allclose(u, u_ref, rtol=1e-12)
    np.testing.assert_allclose(price, price_ref, rtol=1e-12)


def test_land_price_discount_only_for_leading_intensive_projects():
    """L8: a leading-industry project at twice the standard pays the floor factor; others full price."""
    f = location.land_price_factor(np.array([True, True, False]), np.array([500.0, 250.0, 900.0]),
                                   np.array([250.0, 250.0, 250.0]), 0.15, 0.5)
    np.testing.assert_allclose(f, [0.15, 0.5, 1.0])


def _production_inputs(rng, n=60, p=4):
    return production.ProductionInputs(
        sector=rng.integers(0, SEC.n, n), park=rng.integers(-1, p, n), capacity=rng.uniform(1e3, 1e5, n),
        utilization=rng.uniform(0.3, 1, n), productivity=rng.lognormal(0, 0.3, n), margin=rng.normal(0, 0.1, n),
        shock=rng.normal(0, 0.05, n), local_partner=rng.random(n) < 0.3, cost_adjust=rng.choice([0, 0.04, -0.01], n),
        infra=rng.random(p), io=SEC.io, va_rate=SEC.value_added_rate, tax_rate=SEC.tax_rate,
        jobs_per_yi=SEC.jobs_per_yi, energy_per_output=SEC.energy_per_output, pollution_class=SEC.pollution_class)


def test_production_kernel_matches_reference():
    """Output, tax, pollution and profit of the production kernel equal the firm-by-firm reference."""
    rng = np.random.default_rng(5)
    x = _production_inputs(rng)
    k = production.ProductionParams(0.04, 0.1, 0.05, 0.02, 0.25)
    fast, slow = production.produce(x, k), production.produce_reference(x, k)
    for name in fast:
        np.testing.assert_allclose(fast[name], slow[name], rtol=1e-12, err_msg=name)


def test_agglomeration_raises_output():
    """A firm with more same-sector neighbours in its park produces more, all else equal."""
    x = production.ProductionInputs(
        sector=np.array([0, 0, 0, 0]), park=np.array([0, 0, 0, 1]), capacity=np.ones(4) * 100,
        utilization=np.ones(4), productivity=np.ones(4), margin=np.zeros(4), shock=np.zeros(4),
        local_partner=np.zeros(4, bool), cost_adjust=np.zeros(4), infra=np.zeros(2), io=SEC.io,
        va_rate=SEC.value_added_rate, tax_rate=SEC.tax_rate, jobs_per_yi=SEC.jobs_per_yi,
        energy_per_output=SEC.energy_per_output, pollution_class=SEC.pollution_class)
    out = production.produce(x, production.ProductionParams(0.1, 0.0, 0.0, 0.0, 0.0))["output"]
    # Park 0: 2 neighbours → 100·(1 + 0.1·ln 3); park 1 alone → 100.
    np.testing.assert_allclose(out, [100 * (1 + 0.1 * np.log(3))] * 3 + [100.0])


def _firm_columns(rng, n=80, p=5):
    return evaluation.FirmColumns(
        park=rng.integers(0, p, n), sector=rng.integers(0, SEC.n, n), producing=rng.random(n) < 0.8,
        output=rng.uniform(0, 1e5, n), tax=rng.uniform(0, 5e3, n), employment=rng.uniform(0, 500, n),
        pollution=rng.uniform(0, 10, n), investment=rng.uniform(1e3, 1e5, n), land=rng.uniform(5, 100, n),
        hightech=rng.random(n) < 0.3, tfp=rng.lognormal(0, 0.3, n), fresh=rng.random(n) < 0.2,
        from_outside=rng.random(n) < 0.4, linked=rng.random(n) < 0.5)


def test_evaluation_kernel_matches_reference():
    """Park indicators from bincounts equal the park-by-park reference."""
    rng = np.random.default_rng(7)
    f = _firm_columns(rng)
    declared = rng.random((5, SEC.n)) < 0.2
    chains = np.array([SEC.chain_members(c) for c in range(len(SEC.chain_keys))])
    last = rng.uniform(0, 2e5, 5)
    debt = rng.uniform(0, 50, 5)
    fast = evaluation.park_indicators(f, 5, declared, last, chains, SEC.io, debt)
    slow = evaluation.park_indicators_reference(f, 5, declared, last, chains, SEC.io, debt)
    for name in fast:
        np.testing.assert_allclose(fast[name], slow[name], rtol=1e-10, err_msg=name)


def test_score_ranks_by_weighted_percentiles():
    """With all weight on output the largest park ranks first; pollution counts in reverse."""
    ind = {"output": np.array([3.0, 1.0, 2.0]), "pollution_per_output": np.array([0.1, 0.3, 0.2])}
    _, rank = evaluation.score_parks(ind, {"output": 1.0}, np.ones(3, bool))
    assert rank.tolist() == [1, 3, 2]
    _, rank = evaluation.score_parks(ind, {"pollution_per_output": 1.0}, np.ones(3, bool))
    assert rank.tolist() == [1, 3, 2]
    score, rank = evaluation.score_parks(ind, {"output": 1.0}, np.array([True, False, True]))
    assert np.isnan(score[1]) and rank[1] == 0


def test_placement_kernel_matches_reference():
    """Parks drawn and firms kept by the placement kernel equal the firm-by-firm reference, bit for bit."""
    rng = np.random.default_rng(11)
    for p, n in ((1, 50), (2, 40), (37, 3000)):
        area = rng.choice([500.0, 2000.0, 2000.0, 9000.0], p)          # repeated areas: tied weights
        weight = area[:, None] * (1.0 + 2.0 * (rng.random((p, SEC.n)) < 0.2))
        sector = rng.integers(0, SEC.n, n)
        u = rng.random(n)
        u[:5] = 0.0                                                      # draws on a CDF step
        need = rng.lognormal(3.0, 1.5, n)
        park, fits = placement.place(weight, sector, u, need, area * 0.6)
        park_ref, fits_ref = placement.place_reference(weight, sector, u, need, area * 0.6)
        np.testing.assert_array_equal(park, park_ref)
        np.testing.assert_array_equal(fits, fits_ref)
        assert 0 < fits.sum() < n


def test_first_fit_skips_a_firm_that_does_not_fit_and_keeps_later_smaller_ones():
    """In order, each park keeps the firms that still fit: 6 fits in 10, 5 does not, 4 does."""
    fits = placement.first_fit(np.array([0, 0, 1, 0]), np.array([6.0, 5.0, 11.0, 4.0]), np.array([10.0, 10.0]))
    assert fits.tolist() == [True, False, False, True]


def test_mean_krugman_dissimilarity_matches_pairwise_reference():
    """The sorted O(S·R log R) mean equals the mean over the (R, R) matrix, with ties, R = 1 and R = 2."""
    rng = np.random.default_rng(13)
    cases = [rng.integers(0, 4, (r, SEC.n)).astype(float) + (np.arange(SEC.n) == 0) for r in (1, 2, 3, 160)]
    cases += [np.tile(rng.random(SEC.n), (5, 1)),                               # identical regions: 0
              np.repeat(rng.random((3, SEC.n)), [2, 3, 1], axis=0),             # tied regions
              rng.random((40, SEC.n)) * (rng.random((40, SEC.n)) < 0.3) + 1e-3]
    for x in cases:
        fast, slow = metrics.mean_krugman_dissimilarity(x), metrics.mean_krugman_dissimilarity_reference(x)
        if len(x) == 1:
            assert np.isnan(fast) and np.isnan(slow)
        else:
            np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-15)
    assert 0.0 <= metrics.mean_krugman_dissimilarity(cases[4]) < 1e-15


def test_rank_kernels_equal_scipy_bit_for_bit():
    """The evaluation's ranks are scipy's rankdata (average and ordinal), ties, signed zeros and NaN included."""
    from scipy.stats import rankdata

    np.testing.assert_array_equal(evaluation.average_ranks(np.array([3.0, 1.0, 3.0, 2.0])), [3.5, 1.0, 3.5, 2.0])
    np.testing.assert_array_equal(evaluation.ordinal_ranks(np.array([3.0, 1.0, 3.0, 2.0])), [3, 1, 4, 2])
    rng = np.random.default_rng(8)
    cases = [np.zeros(0), np.array([1.0]), np.array([0.0, -0.0, 0.0]), np.array([1.0, np.nan, 0.5])]
    cases += [rng.integers(0, 4, n) * 0.1 for n in (2, 7, 30)] + [rng.normal(size=n) for n in (2, 25, 400)]
    for v in cases:
        for ours, method in ((evaluation.average_ranks, "average"), (evaluation.ordinal_ranks, "ordinal")):
            if method == "ordinal" and np.isnan(v).any():
                continue
            ref, got = rankdata(v, method=method), ours(v)
            assert got.dtype == ref.dtype and got.tobytes() == ref.tobytes()
