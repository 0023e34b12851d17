"""Rules on the finance accounts and the new economy: C8 co-built parks, V1 indicators, V6 prices."""

import dataclasses

import numpy as np
import pytest
from conftest import assert_accounts_balance, mean_over_seeds, run_model, small_world

from parksim.simulation import ConfigError, ParkModel, ParkSpec, Policy, WorldConfig, efficiency, evaluation
from parksim.simulation.finance import local_tax_share
from parksim.simulation.policy import INDICATORS, V1
from parksim.simulation.state import PRODUCING

SEEDS = (1, 2, 3, 4)
C8_ON = Policy().set("C8", enabled=True)


# ----------------------------------------------------------------------------- C8 co-built parks

def cobuilt_world(**partner) -> WorldConfig:
    """Four parks in two cities; the first park of city A is co-built with ``partner``."""
    specs = (ParkSpec("a1", "provincial", 6000.0, city="A", **partner), ParkSpec("a2", "city", 4000.0, city="A"),
             ParkSpec("b1", "provincial", 6000.0, city="B"), ParkSpec("b2", "county", 3000.0, city="B"))
    # offer_step 0: without competing offers, which follow the cities' cash, C8 changes no decision; nor
    # without the cities' general spending, which takes a share of the cash they carry (and what they then
    # pay their parks would follow C8's transfer).
    return small_world(years=6, initial_firms=200, projects_per_year=80, offer_step=0.0, city_spending_share=0.0,
                       city_carryover_draw=0.0).with_parks(specs)


def finance_table(model):
    return model.recorder.outputs().finance


def city_rows(model, label):
    t = finance_table(model)
    return t[(t.account_kind == "city") & (t.name == label)].set_index("year")


def park_tax_local(model, park: int) -> float:
    """Local share of the tax paid this year by the live firms of one park."""
    f = model.firms
    rows = (f.park == park) & (f.state == PRODUCING)
    return float(f.tax[rows].sum()) * local_tax_share(model.world, model.year)


def test_C8_partner_government_receives_its_share_and_money_is_conserved():
    """C8: city B gets the agreed share of the local tax of A's co-built park each year, A pays it,
    and the region's money is unchanged."""
    runs = {}
    for share in (0.4, 1.0):
        runs[share] = run_model(cobuilt_world(partner="B", partner_tax_share=share), C8_ON, 5)
    on, full = runs[0.4], runs[1.0]
    off = run_model(cobuilt_world(partner="B", partner_tax_share=0.4), Policy(), 5)
    a, b, b_full = city_rows(on, "A"), city_rows(on, "B"), city_rows(full, "B")
    years = a.index[1:]
    # The partner gets the agreed share of the whole local tax (same seed: C8 changes no decision) …
    assert np.allclose(b.loc[years, "tax_shared"], 0.4 * b_full.loc[years, "tax_shared"])
    assert (b.loc[years, "tax_shared"] > 0).all()
    assert np.allclose(a.tax_shared, -b.tax_shared)
    # … which is the park's local tax when the share is whole (at year end, after exits: a bit less).
    assert np.isclose(b_full.tax_shared.iloc[-1], park_tax_local(full, 0), rtol=0.1)
    # S1 is off, so city cash drives nothing: the region's cash is the same, moved from A to B.
    paid = float(b.tax_shared.sum())
    t_on, t_off = finance_table(on), finance_table(off)
    assert np.isclose(t_on[t_on.year == on.year].cash.sum(), t_off[t_off.year == off.year].cash.sum())
    assert np.isclose(city_rows(on, "B").cash.iloc[-1] - city_rows(off, "B").cash.iloc[-1], paid)
    assert np.isclose(city_rows(off, "A").cash.iloc[-1] - city_rows(on, "A").cash.iloc[-1], paid)
    assert np.isclose(on.recorder.outputs().series.c8_tax_shared.sum(), paid)
    assert_accounts_balance(on)


def test_C8_firm_partner_is_paid_out_of_the_region():
    """C8 with a firm partner (政府与企业共建): the share leaves the region as the host city's spending."""
    w = cobuilt_world(partner="developer", partner_kind="firm", partner_tax_share=0.3)
    on, off = run_model(w, C8_ON, 2), run_model(w, Policy(), 2)
    paid = finance_table(on).partner_payout.sum()
    assert paid > 0 and np.isclose(paid, on.recorder.outputs().series.c8_tax_shared.sum())
    last_on, last_off = finance_table(on), finance_table(off)
    last_on, last_off = last_on[last_on.year == on.year], last_off[last_off.year == off.year]
    assert np.isclose(last_off.cash.sum() - last_on.cash.sum(), paid)
    assert (finance_table(on).tax_shared == 0).all()
    assert_accounts_balance(on)


def test_C8_output_credited_in_agreed_shares():
    """C8: the partner is credited with its share of the park's output; host + partner = output."""
    w = cobuilt_world(partner="Shenzhen", partner_output_share=0.25)
    parks = run_model(w, C8_ON, 3).recorder.outputs().parks
    co = parks[parks.name == "a1"]
    assert (co.partner == "Shenzhen").all()
    assert np.allclose(co.partner_output, 0.25 * co.output)
    assert np.allclose(parks.output_credited + parks.partner_output, parks.output)
    assert (parks[parks.name != "a1"].partner_output == 0).all()
    off = run_model(w, Policy(), 3).recorder.outputs().parks
    assert (off.partner_output == 0).all()


@pytest.mark.parametrize("partner, where", [
    ({"partner": "B", "partner_tax_share": 1.5}, "partner_tax_share"),
    ({"partner": "B", "partner_output_share": -0.1}, "partner_output_share"),
    ({"partner": "B", "partner_kind": "bank"}, "partner_kind"),
    ({"partner_tax_share": 0.5}, "partner_tax_share"),
    ({"partner": "A"}, "partner"),
])
def test_C8_bad_agreements_are_refused(partner, where):
    """A share outside [0, 1], an unknown partner kind, a share without partner, or the own city: ConfigError."""
    with pytest.raises(ConfigError) as err:
        ParkSpec("a1", "city", 100.0, city="A", **partner).check("world.parks[0]", ())
    assert err.value.where.endswith(where)


def test_C8_partner_from_a_scenario_table():
    """The scenario syntax: partner keys on a [[world.parks]] table; a bad share is refused at load."""
    parks = [{"name": "a1", "level": "city", "area_mu": 3000.0, "city": "A", "partner": "B",
              "partner_tax_share": 0.2},
             {"name": "b1", "level": "city", "area_mu": 3000.0, "city": "B"}]
    w = WorldConfig.from_dict({"years": 2, "parks": parks})
    assert w.parks[0].partner == "B" and w.parks[0].partner_tax_share == 0.2
    model = ParkModel(w, C8_ON, rng=1)
    assert model.cobuild.city[0] == model.cities["B"]
    with pytest.raises(ConfigError):
        WorldConfig.from_dict({"parks": [{**parks[0], "partner_tax_share": 2}]}).parks[0].check("p", ())


# ----------------------------------------------------------------------------- V1 indicators

def columns(**overrides):
    """Four firms in two parks (hand case)."""
    base = dict(park=np.array([0, 0, 1, 1]), sector=np.array([0, 0, 0, 0]), producing=np.array([1, 1, 1, 0], bool),
                output=np.array([100.0, 300.0, 200.0, 0.0]), tax=np.ones(4), employment=np.ones(4),
                pollution=np.ones(4), investment=np.array([1000.0, 3000.0, 500.0, 1500.0]), land=np.ones(4) * 10,
                hightech=np.zeros(4, bool), tfp=np.array([1.0, 2.0, 1.5, 9.0]),
                fresh=np.array([0, 1, 0, 1], bool), from_outside=np.array([1, 0, 0, 1], bool),
                linked=np.array([0, 1, 1, 1], bool))
    base.update(overrides)
    return evaluation.FirmColumns(**base)


def test_V1_new_indicators_by_hand():
    """Investment attracted, openness, TFP, circular share and debt per mu, computed by hand."""
    from parksim.simulation.sectors import default_sectors
    sec = default_sectors()
    chains = np.array([sec.chain_members(c) for c in range(len(sec.chain_keys))])
    args = (columns(), 2, np.zeros((2, sec.n), bool), np.zeros(2), chains, sec.io, np.array([5.0, 0.0]))
    ind = evaluation.park_indicators(*args)
    np.testing.assert_allclose(ind["investment_attracted"], [3000.0, 1500.0])
    np.testing.assert_allclose(ind["openness"], [0.25, 0.75])
    np.testing.assert_allclose(ind["tfp"], [(100 + 600) / 400, 1.5])     # producers, output-weighted
    np.testing.assert_allclose(ind["circular_share"], [0.75, 1.0])
    np.testing.assert_allclose(ind["debt_per_mu"], [5.0, 0.0])
    ref = evaluation.park_indicators_reference(*args)
    for k in INDICATORS:
        np.testing.assert_allclose(ind[k], ref[k], err_msg=k)


def test_V1_default_weights_cover_the_new_economy_and_add_up_to_one():
    """The default weights include investment attracted, TFP and debt, and sum to 1."""
    w = V1().weights
    assert set(w) == set(INDICATORS) and np.isclose(sum(w.values()), 1.0)
    assert min(w[k] for k in ("investment_attracted", "tfp", "debt_per_mu", "openness", "circular_share")) > 0


def test_V1_debt_counts_against_a_park_and_investment_for_it():
    """Weight on debt ranks the least indebted park first; weight on investment attracted the largest."""
    ind = {k: np.zeros(3) for k in INDICATORS}
    ind["debt_per_mu"] = np.array([10.0, 0.0, 5.0])
    ind["investment_attracted"] = np.array([1.0, 2.0, 3.0])
    _, rank = evaluation.score_parks(ind, {"debt_per_mu": 1.0}, np.ones(3, bool))
    assert rank.tolist() == [3, 1, 2]
    _, rank = evaluation.score_parks(ind, {"investment_attracted": 1.0}, np.ones(3, bool))
    assert rank.tolist() == [3, 2, 1]


def test_V1_in_a_run_ranks_on_investment_attracted():
    """In a run, with all weight on investment attracted, the park ranked first attracted the most."""
    p = Policy().set("V1", enabled=True, weights={"investment_attracted": 1.0})
    m = run_model(small_world(years=3), p, 4)
    ind, pk = m.last_indicators, m.parks
    best = int(np.flatnonzero(pk.rank == 1)[0])
    assert ind["investment_attracted"][best] == ind["investment_attracted"][pk.rank > 0].max() > 0


# ----------------------------------------------------------------------------- V6 classes and prices

def test_V6_class_uses_R_and_D_and_energy():
    """Tax per mu sets the class; an R&D-intensive firm rises one, an energy-intensive one falls one."""
    p = Policy().set("V6", enabled=True)
    tax = np.array([20.0, 20.0, 20.0, 2.0, 40.0, 40.0])
    rd = np.array([0, 1, 0, 1, 1, 0], bool)
    energy = np.array([0.1, 0.1, 0.9, 0.1, 0.1, 0.9])
    assert efficiency.efficiency_class(p, tax, rd, energy).tolist() == [1, 0, 2, 2, 0, 1]
    off = Policy().set("V6", enabled=True, rd_classes=0, energy_classes=0)
    assert efficiency.efficiency_class(off, tax, rd, energy).tolist() == [1, 1, 1, 3, 0, 0]


def test_V6_factor_prices_by_hand():
    """Class D pays land, power, water and credit surcharges; A gets the discounts; B and C list prices."""
    p = Policy().set("V6", enabled=True)
    v, w = p.V6, WorldConfig()
    cls = np.array([0, 1, 2, 3])
    energy, land, borrowed, out = np.full(4, 0.4), np.full(4, 10.0), np.full(4, 1000.0), np.full(4, 2000.0)
    adj = efficiency.cost_adjust(p, w, cls, energy, land, borrowed, out)
    d = (0.4 * w.energy_price * v.power_d_surcharge + w.water_cost_share * v.water_d_surcharge
         + (10 * v.land_d_surcharge + 1000 * v.credit_d_surcharge) / 2000)
    a = -(0.4 * w.energy_price * v.power_a_discount + w.water_cost_share * v.water_a_discount
          + (10 * v.land_a_discount + 1000 * v.credit_a_discount) / 2000)
    np.testing.assert_allclose(adj, [a, 0.0, 0.0, d])


def _class_d_profit_rate(m):
    f = m.firms
    rows = (f.state == PRODUCING) & (f.efficiency_class == 3) & (f.output > 0)
    return float(f.profit[rows].sum() / f.output[rows].sum())


def test_V6_differentiated_prices_lower_class_D_margins_and_raise_exits():
    """V6 on: class-D producers earn less per unit of output, and more firms exit. Cities keep their cash
    (no general spending): where their budgets bind, the offers follow each city's cash and class D's
    surviving mix varies by seed more than V6 moves it (10 seeds: 0.087 on vs 0.089 off)."""
    w = small_world(years=8, city_spending_share=0.0, city_carryover_draw=0.0)
    on, off = Policy().set("V6", enabled=True), Policy()
    assert mean_over_seeds(w, on, _class_d_profit_rate, SEEDS) < mean_over_seeds(w, off, _class_d_profit_rate, SEEDS)
    exits = lambda m: float(m.recorder.outputs().series.exits.sum())      # noqa: E731
    assert mean_over_seeds(w, on, exits, SEEDS) > mean_over_seeds(w, off, exits, SEEDS)


def test_V6_bad_prices_are_refused():
    """Negative surcharges or class shifts beyond the four classes: ConfigError."""
    for key, value in (("power_d_surcharge", -0.1), ("rd_classes", 4), ("credit_d_surcharge", 0.5)):
        with pytest.raises(ConfigError):
            Policy().set("V6", **{key: value})
    assert dataclasses.asdict(Policy().V6)["energy_max"] == 0.5
