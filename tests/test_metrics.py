"""Tests for simulation.metrics: hand-computed cases, networkx cross-checks, EG dartboard."""

import networkx as nx
import numpy as np
import pytest

from parksim.simulation.metrics import (
    _sort_with,
    chain_completeness,
    ellison_glaeser_gamma,
    ellison_glaeser_kerr,
    herfindahl,
    krugman_dissimilarity,
    krugman_specialisation,
    linkage_density,
    local_sourcing_share,
    location_quotient,
    mean_krugman_dissimilarity,
    network_statistics,
    plant_herfindahl,
    top_k_share,
)

# Degenerate inputs must be handled without numpy RuntimeWarnings.
pytestmark = pytest.mark.filterwarnings("error")


def test_location_quotient_hand_case():
    """LQ matches (x_rs/x_r.)/(x_.s/x_..) on a 2x2 example."""
    # row totals 4, 4; column totals 2, 6; grand total 8
    # LQ00 = (2/4)/(2/8) = 2, LQ01 = (2/4)/(6/8) = 2/3, LQ10 = 0, LQ11 = (4/4)/(6/8) = 4/3
    lq = location_quotient(np.array([[2.0, 2.0], [0.0, 4.0]]))
    np.testing.assert_allclose(lq, [[2.0, 2 / 3], [0.0, 4 / 3]])


def test_location_quotient_zero_totals():
    """LQ is 0 where the region total or the sector total is 0."""
    # total 1: LQ00 = (1/1)/(1/1) = 1; row 1 and column 1 are empty
    np.testing.assert_array_equal(location_quotient(np.array([[1.0, 0.0], [0.0, 0.0]])), [[1, 0], [0, 0]])


def test_herfindahl_hand_case():
    """HHI is the sum of squared shares, float for 1-D input, 0 for an all-zero row."""
    # shares 3/4, 1/4: 0.5625 + 0.0625 = 0.625; four equal entries: 4 * (1/4)^2 = 0.25
    assert herfindahl([3.0, 1.0]) == pytest.approx(0.625)
    np.testing.assert_allclose(herfindahl(np.array([[1, 1, 1, 1], [0, 0, 0, 0]])), [0.25, 0.0])
    np.testing.assert_allclose(herfindahl(np.array([[3.0], [1.0]]), axis=0), [0.625])


def test_top_k_share_hand_case():
    """Top-k share is the k largest entries over the row total, 0 for an empty row."""
    # row 0: (5 + 3) / 10 = 0.8
    x = np.array([[5.0, 1.0, 3.0, 1.0], [0.0, 0.0, 0.0, 0.0]])
    np.testing.assert_allclose(top_k_share(x, 2), [0.8, 0.0])
    np.testing.assert_allclose(top_k_share(x, 10), [1.0, 0.0])


def test_krugman_specialisation_hand_case():
    """Krugman index compares each region's shares with all other regions pooled."""
    # r0: (1, 0) vs rest (2, 4) -> (1/3, 2/3): 2/3 + 2/3 = 4/3
    # r1: (1/2, 1/2) vs rest (5, 3) -> (5/8, 3/8): 1/8 + 1/8 = 1/4
    # r2: (1/4, 3/4) vs rest (5, 1) -> (5/6, 1/6): 7/12 + 7/12 = 7/6
    x = np.array([[4.0, 0.0], [1.0, 1.0], [1.0, 3.0]])
    np.testing.assert_allclose(krugman_specialisation(x), [4 / 3, 1 / 4, 7 / 6])


def test_krugman_specialisation_empty_region_is_nan():
    """An empty region has an undefined (nan) specialisation; the others are unaffected."""
    # r0: (1/3, 2/3) vs rest (3, 0) -> (1, 0): 2/3 + 2/3 = 4/3; r2: (1, 0) vs (1/3, 2/3) -> 4/3
    x = np.array([[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]])
    np.testing.assert_allclose(krugman_specialisation(x), [4 / 3, np.nan, 4 / 3])


def test_krugman_dissimilarity_hand_case():
    """Pairwise dissimilarity is symmetric, zero on the diagonal, nan for empty regions."""
    # r0 shares (1, 0), r1 shares (1/2, 1/2): |1 - 1/2| + |0 - 1/2| = 1
    d = krugman_dissimilarity(np.array([[4.0, 0.0], [1.0, 1.0], [0.0, 0.0]]))
    nan = np.nan
    np.testing.assert_allclose(d, [[0, 1, nan], [1, 0, nan], [nan, nan, 0]])


def test_mean_krugman_dissimilarity_hand_case():
    """Mean over pairs: shares (1, 0), (1/2, 1/2), (0, 1) differ by 1, 2, 1 -> 4/3; nan with an empty region."""
    assert mean_krugman_dissimilarity(np.array([[4.0, 0.0], [1.0, 1.0], [0.0, 2.0]])) == pytest.approx(4 / 3)
    assert np.isnan(mean_krugman_dissimilarity(np.array([[4.0, 0.0], [1.0, 1.0], [0.0, 0.0]])))
    assert np.isnan(mean_krugman_dissimilarity(np.array([[4.0, 0.0]])))


def test_plant_herfindahl_hand_case():
    """Plant Herfindahl per sector: squared plant shares, 0 for an empty sector."""
    # sector 0: plants 3, 1 -> 0.625; sector 1 empty -> 0; sector 2: one plant -> 1
    h = plant_herfindahl(np.array([3.0, 1.0, 2.0]), np.array([0, 0, 2]), 3)
    np.testing.assert_allclose(h, [0.625, 0.0, 1.0])


def test_ellison_glaeser_gamma_hand_case():
    """EG gamma matches (G/(1-sum x^2) - H)/(1-H) on a three-region example."""
    # x = (.2, .3, .5): 1 - sum x^2 = 1 - .38 = .62; s = (.6, .3, .1): G = .16 + 0 + .16 = .32
    # gamma = (.32/.62 - .2) / .8 = 0.3951613
    gamma = ellison_glaeser_gamma(np.array([[6.0], [3.0], [1.0]]), np.array([0.2, 0.3, 0.5]), np.array([0.2]))
    np.testing.assert_allclose(gamma, [(0.32 / 0.62 - 0.2) / 0.8])


def test_ellison_glaeser_gamma_degenerate_sectors():
    """EG gamma is 1 for full concentration, negative for even spread, nan if empty or H == 1."""
    # x = (.5, .5), 1 - sum x^2 = .5
    # s0: s = (1, 0), G = .5, H = .25 -> (1 - .25)/.75 = 1
    # s1: s = (.5, .5), G = 0, H = .25 -> -.25/.75 = -1/3; s2 empty; s3 H = 1
    emp = np.array([[8.0, 2.0, 0.0, 5.0], [0.0, 2.0, 0.0, 0.0]])
    gamma = ellison_glaeser_gamma(emp, np.array([0.5, 0.5]), np.array([0.25, 0.25, 0.0, 1.0]))
    np.testing.assert_allclose(gamma, [1.0, -1 / 3, np.nan, np.nan])


def _dartboard_employment(rng, x, sizes, sector, n_sectors):
    """Place each plant's whole employment in one region drawn with probabilities x."""
    region = rng.choice(x.size, sizes.size, p=x)
    cells = np.bincount(region * n_sectors + sector, weights=sizes, minlength=x.size * n_sectors)
    return cells.reshape(x.size, n_sectors)


def test_ellison_glaeser_gamma_dartboard_mean_is_zero():
    """Under random (dartboard) location with lognormal plant sizes the mean gamma is ~0."""
    rng = np.random.default_rng(20240601)
    x = np.array([0.3, 0.2, 0.15, 0.1, 0.1, 0.07, 0.05, 0.03])
    n_sectors, plants_per_sector = 5, 40
    sector = np.repeat(np.arange(n_sectors), plants_per_sector)
    gammas = []
    for _ in range(200):
        sizes = rng.lognormal(3.0, 1.0, sector.size)
        emp = _dartboard_employment(rng, x, sizes, sector, n_sectors)
        gammas.append(ellison_glaeser_gamma(emp, x, plant_herfindahl(sizes, sector, n_sectors)))
    gammas = np.ravel(gammas)
    # draws and sectors are independent, so the standard error is std / sqrt(1000) (~0.001)
    se = gammas.std(ddof=1) / np.sqrt(gammas.size)
    assert se < 0.0025
    assert abs(gammas.mean()) < 4 * se


def test_ellison_glaeser_gamma_concentrated_is_positive():
    """Plants all forced into one small region give a clearly positive gamma."""
    rng = np.random.default_rng(7)
    x = np.array([0.3, 0.2, 0.15, 0.1, 0.1, 0.07, 0.05, 0.03])
    n_sectors = 3
    sector = np.repeat(np.arange(n_sectors), 30)
    sizes = rng.lognormal(3.0, 1.0, sector.size)
    emp = np.zeros((x.size, n_sectors))
    emp[6] = np.bincount(sector, weights=sizes)
    gamma = ellison_glaeser_gamma(emp, x, plant_herfindahl(sizes, sector, n_sectors))
    assert np.all(gamma > 0.5)


def test_ellison_glaeser_kerr_hand_case():
    """EGK coagglomeration matches sum_r (s_ri-x_r)(s_rj-x_r)/(1-sum x^2), nan diagonal/empty."""
    # x = (.5, .5), 1 - sum x^2 = .5; deviations s - x: A (.25, -.25), B (.5, -.5), C (-.5, .5)
    # AB = (.125 + .125)/.5 = .5; AC = -.5; BC = (-.25 - .25)/.5 = -1; D is empty
    emp = np.array([[3.0, 1.0, 0.0, 0.0], [1.0, 0.0, 2.0, 0.0]])
    nan = np.nan
    expected = [[nan, 0.5, -0.5, nan], [0.5, nan, -1.0, nan], [-0.5, -1.0, nan, nan], [nan] * 4]
    np.testing.assert_allclose(ellison_glaeser_kerr(emp, np.array([0.5, 0.5])), expected)


def test_ellison_glaeser_kerr_colocated_vs_disjoint():
    """Sectors sharing regions coagglomerate (> 0); sectors in disjoint regions do not (< 0)."""
    x = np.full(6, 1 / 6)
    emp = np.array([[10.0, 3.0, 0.0], [5.0, 7.0, 0.0], [0, 0, 0], [0, 0, 0], [0.0, 0.0, 4.0], [0.0, 0.0, 6.0]])
    c = ellison_glaeser_kerr(emp, x)
    assert c[0, 1] > 0.1
    assert c[0, 2] < 0 and c[1, 2] < 0


def _chain_io():
    """Four sectors; chain = {0, 1, 2} with internal weights A00=.1, A01=.2, A12=.3 (total .6)."""
    io = np.zeros((4, 4))
    io[0, 0], io[0, 1], io[1, 2], io[3, 0] = 0.1, 0.2, 0.3, 0.5
    return io, np.array([True, True, True, False])


def test_chain_completeness_hand_case():
    """Completeness is the IO weight of chain links with both ends present over the total."""
    io, members = _chain_io()
    # all -> 1; none -> 0; {0,1}: (.1 + .2)/.6 = .5; {0,2,3}: .1/.6 (A30 is outside the chain)
    present = np.array([[1, 1, 1, 1], [0, 0, 0, 1], [1, 1, 0, 0], [1, 0, 1, 1]])
    np.testing.assert_allclose(chain_completeness(present, members, io), [1.0, 0.0, 0.5, 1 / 6])


def test_chain_completeness_single_region_returns_float():
    """A (S,) presence vector gives a float."""
    io, members = _chain_io()
    result = chain_completeness(np.array([True, True, False, False]), members, io)
    assert isinstance(result, float) and result == pytest.approx(0.5)


def test_chain_completeness_falls_back_to_sector_share():
    """Without internal IO weight, completeness is the share of chain sectors present."""
    # chain {0, 1, 2}, present {0, 2} -> 2/3
    io = np.zeros((4, 4))
    io[3, 0] = 0.5
    members = np.array([True, True, True, False])
    assert chain_completeness(np.array([1, 0, 1, 1]), members, io) == pytest.approx(2 / 3)


def test_local_sourcing_share_hand_case():
    """Local share counts same-region links in parks; outside links only in the denominator."""
    # local links: e0 (0 -> 0) and e2 (1 -> 1); e3 (-1 -> -1) is outside any park
    sup, cus = np.array([0, 0, 1, -1, 2]), np.array([0, 1, 1, -1, -1])
    assert local_sourcing_share(sup, cus) == pytest.approx(2 / 5)
    # weighted: (2 + 5) / (2 + 1 + 5 + 4 + 3) = 7/15
    assert local_sourcing_share(sup, cus, np.array([2.0, 1.0, 5.0, 4.0, 3.0])) == pytest.approx(7 / 15)


def test_local_sourcing_share_no_links_is_nan():
    """With no links the local share is nan."""
    assert np.isnan(local_sourcing_share(np.array([], int), np.array([], int)))


def test_linkage_density_hand_case():
    """Density is links over IO-compatible ordered firm pairs, excluding self-supply."""
    # n = (2, 3, 1); compatible with min_coef .05: (0,0), (0,1), (1,2)
    # potential = (2*2 - 2) + 2*3 + 3*1 = 11; with min_coef 0, (1,1) adds 3*3 - 3 = 6 -> 17
    io = np.array([[0.1, 0.2, 0.0], [0.0, 0.01, 0.3], [0.0, 0.0, 0.0]])
    n = np.array([2, 3, 1])
    assert linkage_density(5, n, io, min_coef=0.05) == pytest.approx(5 / 11)
    assert linkage_density(5, n, io) == pytest.approx(5 / 17)


def test_linkage_density_no_potential_is_nan():
    """With no potential pairs the density is nan."""
    assert np.isnan(linkage_density(0, np.zeros(3), np.ones((3, 3))))


def _networkx_statistics(src, dst, n, is_leading):
    """Reference values from networkx on the simple DiGraph (self-loops dropped)."""
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from((a, b) for a, b in zip(src.tolist(), dst.tolist()) if a != b)
    return dict(
        largest_component_share=max(len(c) for c in nx.weakly_connected_components(g)) / n,
        density=nx.density(g),
        clustering=nx.average_clustering(g.to_undirected()),
        leading_link_share=np.mean([is_leading[a] or is_leading[b] for a, b in g.edges]),
    )


@pytest.mark.parametrize("seed, n, n_edges, hub", [(1, 30, 60, False), (2, 50, 200, False),
                                                   (3, 80, 150, True), (4, 40, 400, True)])
def test_network_statistics_matches_networkx(seed, n, n_edges, hub):
    """All four statistics agree with networkx on random graphs with duplicates and self-loops."""
    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, n, n_edges), rng.integers(0, n, n_edges)
    if hub:  # half the edges from node 0, as for a leading firm supplying many others
        src[: n_edges // 2] = 0
    is_leading = rng.random(n) < 0.1
    is_leading[0] = hub
    result = network_statistics(src, dst, n, is_leading)
    expected = _networkx_statistics(src, dst, n, is_leading)
    assert result.keys() == expected.keys()
    for key, value in expected.items():
        assert result[key] == pytest.approx(value), key


def test_sort_with_packs_keys_or_falls_back_to_argsort():
    """Keys sorted with their payload in step: packed into one int64 sort, or by argsort when the
    packed key would overflow (graphs of over 2 million nodes); both give the same pairs."""
    rng = np.random.default_rng(5)
    key, payload = rng.integers(0, 1000, 500), rng.integers(0, 8, 500)
    order = np.lexsort((payload, key))
    packed = _sort_with(key, payload, 3)
    np.testing.assert_array_equal(packed[0], key[order])
    np.testing.assert_array_equal(packed[1], payload[order])
    huge = key * 2**52                               # huge << 20 would overflow int64
    keys, carried = _sort_with(huge, payload, 20)
    np.testing.assert_array_equal(keys, huge[order])
    assert sorted(zip(keys.tolist(), carried.tolist())) == sorted(zip(huge.tolist(), payload.tolist()))


def test_network_statistics_with_a_late_hub_matches_networkx():
    """A hub with the highest node index (its many lower neighbours make triangles be sought in the
    order by degree, not by node) gives networkx's statistics too."""
    rng = np.random.default_rng(7)
    n, n_edges = 60, 300
    src, dst = rng.integers(0, n, n_edges), rng.integers(0, n, n_edges)
    src[: n_edges // 2] = n - 1
    is_leading = rng.random(n) < 0.1
    result = network_statistics(src, dst, n, is_leading)
    for key, value in _networkx_statistics(src, dst, n, is_leading).items():
        assert result[key] == pytest.approx(value), key


def test_network_statistics_without_edges():
    """Isolated nodes: singleton components, zero density and clustering, nan leading share."""
    result = network_statistics(np.array([], int), np.array([], int), 4, np.zeros(4, bool))
    assert result["largest_component_share"] == 0.25
    assert result["density"] == 0.0 and result["clustering"] == 0.0
    assert np.isnan(result["leading_link_share"])


def test_network_statistics_empty_graph():
    """Zero nodes give zeros and a nan leading share."""
    result = network_statistics(np.array([], int), np.array([], int), 0, np.zeros(0, bool))
    assert result["largest_component_share"] == result["density"] == result["clustering"] == 0.0
    assert np.isnan(result["leading_link_share"])
