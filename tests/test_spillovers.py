"""TFP that evolves (learning, spillovers over distance, selection) and its outputs."""

import dataclasses

import numpy as np
import pytest

from parksim.simulation import ConfigError, ParkModel, Policy, WorldConfig, production, spillovers
from parksim.simulation.observe import place_tfp
from parksim.simulation.places import KM_PER_DEGREE
from parksim.simulation.sectors import default_sectors
from parksim.simulation.state import PRODUCING

SEC = default_sectors()
LON, LAT = 113.6, 33.9
SMALL = WorldConfig(years=4, n_parks=8, n_cities=2, initial_firms=400, projects_per_year=120.0)


def north(km):
    """Latitude ``km`` due north of LAT (a meridian arc: the great-circle distance is exact)."""
    return LAT + np.asarray(km, float) / KM_PER_DEGREE


def pool(node, sector, mass, lon, lat, related=None, decay=15.0, cutoff=50.0):
    related = np.eye(SEC.n) if related is None else related
    args = (np.asarray(node), np.asarray(sector), np.asarray(mass, float), np.asarray(lon, float),
            np.asarray(lat, float), related, decay, cutoff)
    fast, slow = spillovers.spillover_pool(*args), spillovers.spillover_pool_reference(*args)
    np.testing.assert_allclose(fast, slow, rtol=1e-9, atol=1e-9)
    return fast


def test_spillover_falls_with_distance_from_a_park():
    """A firm placed at 0, 5, 20 and 45 km from a park with two producers receives their output × exp(−d/δ), less and less."""
    distances = [0.0, 5.0, 20.0, 45.0]
    lat = np.concatenate([[LAT], north(distances)])     # node 0: the park; nodes 1..4: places around it
    lon = np.full(5, LON)
    got = [pool([0, 0, k], [0, 0, 0], [100.0, 50.0, 1.0], lon, lat)[2] for k in range(1, 5)]
    np.testing.assert_allclose(got, 150.0 * np.exp(-np.array(distances) / 15.0), rtol=1e-9)
    assert got == sorted(got, reverse=True) and got[-1] > 0


def test_beyond_the_cutoff_or_without_a_position_a_firm_gets_none_and_gives_none():
    """At 60 km with a 50 km cut-off a firm receives nothing; a firm whose node has no position neither receives nor gives."""
    lon = np.array([LON, LON, np.nan])
    lat = np.array([LAT, north(60.0), np.nan])
    s = pool([0, 1, 2], [0, 0, 0], [100.0, 1.0, 500.0], lon, lat)
    assert s[1] == 0.0 and s[2] == 0.0
    assert list(spillovers.firm_nodes(np.array([2, -1, -1]), np.array([0, 1, -1]), 3)) == [2, 4, -1]
    s = pool([0, 1, -1], [0, 0, 0], [100.0, 1.0, 1.0], lon, lat)
    assert s[2] == 0.0                      # no park and no place
    with_positionless = pool([0, 0, -1], [0, 0, 0], [100.0, 1.0, 1e6], lon, lat)
    assert with_positionless[1] == 100.0 and with_positionless[2] == 0.0


def test_io_related_source_gives_more_than_an_unrelated_one():
    """At the same distance, a source in the receiver's strongest IO partner sector gives more than one with no IO tie."""
    r = spillovers.relatedness(SEC.io, 1.0, 1.0)
    s = 0
    tie = SEC.io[:, s] + SEC.io[s, :]
    tie[s] = -1
    related, unrelated = int(np.argmax(tie)), int(np.argmin(np.where(tie >= 0, tie, np.inf)))
    lon, lat = np.full(2, LON), np.array([LAT, north(10.0)])
    got = [pool([0, 1], [q, s], [100.0, 1.0], lon, lat, related=r)[1] for q in (related, unrelated)]
    assert got[0] > got[1] >= 0
    np.testing.assert_allclose(got[0], 100.0 * np.exp(-10 / 15) * (SEC.io[related, s] + SEC.io[s, related]))


def test_same_sector_source_counts_own_weight():
    """Relatedness: own weight on the diagonal, io_weight × (A + Aᵀ) off it."""
    r = spillovers.relatedness(SEC.io, 2.0, 0.5)
    np.testing.assert_allclose(np.diag(r), 2.0)
    np.testing.assert_allclose(r[3, 7], 0.5 * (SEC.io[3, 7] + SEC.io[7, 3]))


@pytest.mark.parametrize("seed", range(6))
def test_kernel_equals_reference_on_random_worlds(seed):
    """Parks and places over China (some coincident, some without position), firms in and out of parks: kernel = reference."""
    rng = np.random.default_rng(seed)
    n_parks, n_places, n = 15, 25, 400
    lon = rng.uniform(100, 122, n_parks + n_places)
    lat = rng.uniform(22, 42, n_parks + n_places)
    lon[3], lat[3] = lon[2], lat[2]                                     # two parks at one position
    lat[n_parks:n_parks + 10] = lat[0] + rng.uniform(-0.5, 0.5, 10)     # places near park 0
    lon[n_parks:n_parks + 10] = lon[0] + rng.uniform(-0.5, 0.5, 10)
    lon[rng.random(len(lon)) < 0.1] = np.nan
    park = np.where(rng.random(n) < 0.6, rng.integers(0, n_parks, n), -1)
    place = np.where(rng.random(n) < 0.8, rng.integers(0, n_places, n), -1)
    node = spillovers.firm_nodes(park, place, n_parks)
    related = spillovers.relatedness(SEC.io, rng.uniform(0.5, 2), rng.uniform(0, 2))
    s = pool(node, rng.integers(0, SEC.n, n), rng.lognormal(8, 1, n), lon, lat, related,
             decay=rng.uniform(5, 40), cutoff=rng.uniform(20, 300))
    assert (s[(node < 0) | np.isnan(lon[node])] == 0).all() and (s > 0).any()


def test_learning_raises_tfp_with_age():
    """The learning factor starts at 1, rises with age and tends to 1 + λ."""
    f = spillovers.learning(np.arange(0, 40), 0.2, 4.0)
    assert f[0] == 1.0 and (np.diff(f) > 0).all() and abs(f[-1] - 1.2) < 1e-4


def test_tfp_grows_with_age_in_the_model():
    """Without spillovers a producer's TFP is its draw × learning, higher the longer it has produced."""
    model = ParkModel(dataclasses.replace(SMALL, spillover_elasticity=0.0), rng=3)
    f = model.firms
    rows = np.flatnonzero(f.state == PRODUCING)
    age = model.year - f.state_year[rows]
    ratio = f.tfp[rows] / f.productivity[rows]
    np.testing.assert_allclose(ratio, spillovers.learning(age, 0.2, 4.0))
    assert np.corrcoef(age, ratio)[0, 1] > 0.9
    firm = int(rows[0])
    before = f.tfp[firm]
    model.step()
    assert f.state[firm] != PRODUCING or f.tfp[firm] > before


def test_spillovers_raise_output_same_seed():
    """Same seed, spillovers on vs off: every initial producer's TFP and the initial output are higher with them on."""
    on = ParkModel(SMALL, rng=5)
    off = ParkModel(dataclasses.replace(SMALL, spillover_elasticity=0.0), rng=5)
    rows = np.flatnonzero(on.firms.state == PRODUCING)
    assert (on.firms.tfp[rows] >= off.firms.tfp[rows]).all() and (on.firms.tfp[rows] > off.firms.tfp[rows]).any()
    assert on.recorder.series[0]["output"] > off.recorder.series[0]["output"]


def test_low_tfp_firm_has_lower_profit_rate():
    """Selection: two firms alike but for TFP; the profit rate differs by tfp_profit × the log TFP gap (hand-computed)."""
    n = 2
    x = production.ProductionInputs(
        sector=np.zeros(n, int), park=np.full(n, -1), capacity=np.full(n, 100.0), utilization=np.ones(n),
        productivity=np.array([0.8, 1.25]), margin=np.zeros(n), shock=np.zeros(n), local_partner=np.zeros(n, bool),
        cost_adjust=np.zeros(n), infra=np.zeros(1), io=SEC.io, va_rate=SEC.value_added_rate, tax_rate=SEC.tax_rate,
        jobs_per_yi=SEC.jobs_per_yi, energy_per_output=SEC.energy_per_output, pollution_class=SEC.pollution_class)
    res = production.produce(x, production.ProductionParams(0.0, 0.0, 0.0, 0.0, 0.0, 0.5))
    rate = res["profit"] / res["output"]
    np.testing.assert_allclose(rate, 0.5 * np.log([0.8, 1.25]))      # geometric mean of the sector is 1
    assert res["profit"][0] < 0 < res["profit"][1]


def test_production_kernel_with_tfp_selection_equals_reference():
    """The sector-relative TFP term in the profit rate is the same in the kernel and the firm-by-firm reference."""
    rng = np.random.default_rng(9)
    n, p = 80, 5
    x = production.ProductionInputs(
        sector=rng.integers(0, SEC.n, n), park=rng.integers(-1, p, n), capacity=rng.uniform(1e3, 1e5, n),
        utilization=rng.uniform(0.3, 1, n), productivity=rng.lognormal(0, 0.3, n), margin=rng.normal(0, 0.1, n),
        shock=rng.normal(0, 0.05, n), local_partner=rng.random(n) < 0.3, cost_adjust=np.zeros(n),
        infra=rng.random(p), io=SEC.io, va_rate=SEC.value_added_rate, tax_rate=SEC.tax_rate,
        jobs_per_yi=SEC.jobs_per_yi, energy_per_output=SEC.energy_per_output, pollution_class=SEC.pollution_class)
    k = production.ProductionParams(0.04, 0.1, 0.05, 0.02, 0.25, 0.5)
    fast, slow = production.produce(x, k), production.produce_reference(x, k)
    np.testing.assert_allclose(fast["profit"], slow["profit"], rtol=1e-12)


def test_selection_raises_exits_of_low_tfp_firms():
    """Same seed, TFP in profit on vs off: more firms stop, and those that stop are below their sector's TFP."""
    on = ParkModel(SMALL, rng=11)
    off = ParkModel(dataclasses.replace(SMALL, tfp_profit_share=0.0), rng=11)
    for m in (on, off):
        for _ in range(3):
            m.step()
    assert on.recorder.outputs().series["firms_producing"].iloc[-1] < off.recorder.outputs().series["firms_producing"].iloc[-1]


def test_tfp_appears_in_outputs():
    """Firm snapshots, the park panel and the yearly series carry TFP; the place aggregate is output-weighted."""
    model = ParkModel(SMALL, Policy.from_dict({"L1": {"enabled": False}}), snapshot_years=(2012,), rng=2)
    for _ in range(SMALL.years):
        model.step()
    out = model.recorder.outputs()
    assert {"tfp_mean", "tfp_in_parks", "tfp_outside", "spillover_mean"} <= set(out.series.columns)
    assert out.series["tfp_mean"].notna().all() and (out.series["spillover_mean"] > 0).all()
    assert {"tfp", "spillover"} <= set(out.parks.columns) and {"tfp", "spillover"} <= set(out.firms.columns)
    f = model.firms
    last = out.parks[out.parks.year == model.year]
    p = int(last.loc[last.producing.idxmax(), "park"])
    rows = np.flatnonzero((f.state == PRODUCING) & (f.park == p))
    np.testing.assert_allclose(last.set_index("park").loc[p, "tfp"], np.average(f.tfp[rows], weights=f.output[rows]))
    place = int(model.parks.place[p])
    rows = np.flatnonzero((f.state == PRODUCING) & (f.place == place))
    np.testing.assert_allclose(place_tfp(model)[place], np.average(f.tfp[rows], weights=f.output[rows]))
    producing = out.firms[out.firms.state == "producing"]
    assert producing["tfp"].notna().all() and out.firms.loc[out.firms.state != "producing", "tfp"].isna().all()


def test_same_seed_same_tfp():
    """Determinism: the same seed gives identical TFP columns and series."""
    runs = []
    for _ in range(2):
        m = ParkModel(SMALL, rng=21)
        for _ in range(3):
            m.step()
        runs.append((m.firms.tfp.copy(), m.recorder.outputs().series[["tfp_mean", "spillover_mean"]]))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    assert runs[0][1].equals(runs[1][1])


@pytest.mark.parametrize("key, value", [("spillover_decay_km", 0.0), ("spillover_cutoff_km", -1.0),
                                        ("learning_years", 0.0), ("spillover_elasticity", float("nan"))])
def test_bad_spillover_parameters_are_refused(key, value):
    """Out-of-range productivity parameters fail with ConfigError naming them."""
    with pytest.raises(ConfigError, match=key):
        WorldConfig(**{key: value})


def test_outside_firms_with_a_place_gain_from_a_nearby_park():
    """A firm outside parks receives spillovers through its place (its position); without one it gets none."""
    model = ParkModel(dataclasses.replace(SMALL, outside_utility=3.0), Policy(), rng=4)
    for _ in range(3):
        model.step()
    f = model.firms
    outside = np.flatnonzero((f.state == PRODUCING) & (f.park < 0))
    assert len(outside) and (f.place[outside] >= 0).all()          # outside incumbents and settlers have one
    f.place[outside] = -1
    model.produce()
    assert np.allclose(f.tfp[outside], f.productivity[outside] * spillovers.learning(
        model.year - f.state_year[outside], SMALL.learning_gain, SMALL.learning_years))
    busiest = int(np.bincount(f.park[f.state == PRODUCING][f.park[f.state == PRODUCING] >= 0]).argmax())
    f.place[outside] = model.parks.place[busiest]
    before = f.tfp[outside].copy()
    model.produce()
    assert (f.tfp[outside] > before).all()
