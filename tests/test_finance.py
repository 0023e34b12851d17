"""Public accounts and platform debt (finance.py): identities, hand cases, direction of effect, bad input."""

import numpy as np
import pytest
from conftest import assert_accounts_balance, mean_over_seeds, run_model, small_world
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parksim.simulation import ConfigError, ParkModel, Policy, WorldConfig, finance
from parksim.simulation.finance import CITY, INCOME, PARK, SERIES, SPENDING

SEEDS = (1, 2, 3, 4)
FINANCE_ON = Policy.from_dict({rid: {"enabled": True} for rid in
                               ("L6", "L8", "L9", "S1", "S4", "S5", "S8", "V1", "V3", "X2", "C1")})


def tiny(**overrides) -> WorldConfig:
    return small_world(**{"years": 6, "n_parks": 6, "initial_firms": 200, "projects_per_year": 80, **overrides})


def table(model):
    return model.recorder.outputs().finance


def assert_identity(model) -> None:
    """The accounts balance (conftest), debt is never negative, no one borrows without S8 and a platform
    borrows only to cover an overdraft or (parks) infrastructure."""
    assert_accounts_balance(model)
    t = table(model)
    assert (t.debt >= -1e-9).all()
    if not model.policy.S8.enabled:
        assert (t.debt == 0).all() and (t.borrowing == 0).all()
    cities = t[t.account_kind == "city"]
    assert (cities[cities.borrowing > 0].cash <= 1e-6 * max(float(cities.tax_local.max()), 1.0)).all()


def sum_of(column):
    return lambda m: float(m.recorder.outputs().series[column].sum())


# ----------------------------------------------------------------------------- identities

@settings(max_examples=6, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2 ** 16), rules=st.sets(st.sampled_from(
    ("L6", "L8", "L9", "S1", "S2", "S4", "S5", "S6", "S8", "V3", "V4", "X1", "X2", "X3")), max_size=14),
    new_parks=st.sampled_from([0.0, 1.0]), leverage=st.floats(0, 1))
def test_accounting_identity_holds_for_every_account_and_year(seed, rules, new_parks, leverage):
    policy = Policy.from_dict({rid: {"enabled": True} for rid in rules | ({"V1"} if rules & {"V3", "V4"} else set())})
    policy = policy.set("S8", enabled="S8" in rules, leverage=leverage)
    model = run_model(tiny(years=5, new_parks_per_year=new_parks), policy, seed)
    assert_identity(model)
    t = table(model)
    assert set(t.account_kind) == {"park", "city"}
    assert len(t) == 6 * (model.parks.n + len(model.cities)) or t.year.nunique() == 6


def test_series_are_region_totals_of_the_ledger():
    model = run_model(tiny(new_parks_per_year=1.0), FINANCE_ON, 3)
    s, t = model.recorder.outputs().series, table(model)
    assert set(SERIES) <= set(s.columns)
    by_year = t.groupby("year")
    assert np.allclose(s.fin_income, by_year[list(INCOME)].sum().sum(axis=1).reindex(s.year).to_numpy())
    assert np.allclose(s.fin_spending, by_year[list(SPENDING)].sum().sum(axis=1).reindex(s.year).to_numpy())
    assert np.allclose(s.fin_debt, by_year.debt.sum().reindex(s.year).to_numpy())
    assert np.allclose(s.fin_cash, by_year.cash.sum().reindex(s.year).to_numpy())
    assert np.allclose(s.fin_instrument_cost, s.fin_subsidies + s.fin_tax_returned + s.fin_land_discount
                       + s.fin_designation)
    assert np.allclose(s.fin_subsidies, s.subsidies_paid + s.park_rewards + s.offer_subsidies + s.offer_rebates)
    assert np.allclose(s.fin_tax_returned, s.tax_returned)
    assert (s.fin_debt_service >= s.fin_interest).all()
    assert s.fin_designation.sum() > 0          # new zones' set-up is paid (by the province)
    assert s.fin_debt.iloc[-1] > 0 and s.fin_land_discount.sum() > 0


def test_same_seed_same_accounts():
    a, b = (table(run_model(tiny(), FINANCE_ON, 7)) for _ in range(2))
    assert a.equals(b)


# ----------------------------------------------------------------------------- hand cases

def test_local_tax_share_by_year():
    w = WorldConfig()
    # 0.6 × 0.25 + 0.25 × 0.4 + 0.15 × 1 before 营改增; VAT 50 % local from 2016.
    assert finance.local_tax_share(w, 2015) == pytest.approx(0.15 + 0.1 + 0.15)
    assert finance.local_tax_share(w, 2016) == pytest.approx(0.3 + 0.1 + 0.15)


def test_ledger_books_flows_and_stocks_by_hand():
    model = ParkModel(tiny(), Policy(), rng=1)
    led = model.finance
    cash0 = model.parks.cash.copy()
    led.book("land_sales", PARK, [0, 0, 1], [10.0, 5.0, 2.0])
    led.book("land_cost", PARK, [0], 4.0)
    led.book("borrowing", PARK, [1], 30.0)
    led.transfer("tax_returned", (CITY, np.array([0])), (PARK, np.array([1])), np.array([7.0]))
    assert model.parks.cash[0] - cash0[0] == pytest.approx(11.0)
    assert model.parks.cash[1] - cash0[1] == pytest.approx(39.0)
    assert model.parks.debt[1] == pytest.approx(30.0)
    assert led.city_cash[0] == pytest.approx(-7.0)
    assert led.total("tax_returned") == pytest.approx(0.0)
    assert led.total("land_sales") == pytest.approx(17.0)
    assert finance.spendable(model)[1] == pytest.approx(39.0 + max(model.parks.debt_limit[1] - 30.0, 0))


def test_s4_year_on_year_by_hand():
    """Tax 100 → 130 → 150 with base 100: 环比 returns the local share of 20 in the third year, the
    fixed base that of 50 (only what the local treasury received is returned)."""
    model = ParkModel(tiny(), Policy().set("S4", enabled=True, years=5), rng=1)
    model.rules_year = 2
    pk = model.parks
    pk.base_tax[:] = 100.0
    pk.last_tax[:] = 130.0
    tax = np.full(pk.n, 150.0)
    local = finance.local_tax_share(model.world, model.year)
    assert 0 < local < 1
    assert np.allclose(finance._tax_returns(model, tax), 20.0 * local)
    model.policy = model.policy.set("S4", base="fixed")
    assert np.allclose(finance._tax_returns(model, tax), 50.0 * local)
    model.rules_year = 6
    assert np.allclose(finance._tax_returns(model, tax), 0.0)


def test_set_aside_land_is_sold_and_converted():
    w = tiny()
    model = ParkModel(w, Policy(), rng=1)
    finance.sell_set_aside(model, 2, 300.0)
    sold = 300.0 * w.commercial_set_aside_share
    assert model.finance.park_flow("land_sales_other")[2] == pytest.approx(sold * w.commercial_land_price)
    assert model.finance.park_flow("land_cost")[2] == pytest.approx(sold * (w.land_conversion_cost
                                                                          + w.site_preparation_cost))


def test_revoked_parks_get_no_funds():
    model = run_model(tiny(years=3), FINANCE_ON.set("S4", years=10), 2)
    model.parks.status[0] = 5            # REVOKED
    model.step()
    t = table(model)
    row = t[(t.year == model.year) & (t.account_kind == "park") & (t.account == 0)].iloc[0]
    assert row.transfers_in == 0 and row.tax_returned == 0 and row.rewards == 0 and row.designation == 0
    # no S5: all its net land income goes to its city
    assert row.land_share == pytest.approx(-max(row.land_sales + row.land_sales_other - row.land_cost, 0.0))


def test_awards_never_exceed_fund_or_city_cash_and_coverage_is_what_was_paid():
    model = run_model(tiny(), FINANCE_ON, 4)
    s = model.recorder.outputs().series
    assert (s.subsidies_paid <= s.fund_budget + 1e-6).all()
    cov = finance.expected_award_coverage(model)
    assert ((cov >= 0) & (cov <= 1)).all()
    assert 0 <= model.finance.coverage <= 1


# ----------------------------------------------------------------------------- direction of effect

def land_deficit(m):
    """Industrial land: cost of converting and preparing it less what parks sold it for."""
    t = table(m)
    parks = t[t.account_kind == "park"]
    return float((parks.land_cost - parks.land_sales).sum())


def test_deeper_L8_discount_raises_land_deficit_and_entries():
    """Where many projects could go elsewhere (rest_utility 3), a deeper discount draws more of them,
    and the parks sell their land further below its cost. Parks do not compete (offer_step 0): their own
    land offers, bounded by L8's floor, would blur L8's schedule."""
    w = tiny(years=8, land_quota=40000.0, rest_utility=3.0, offer_step=0.0)
    seeds = range(1, 9)       # the entry effect is small against seed noise
    runs = {name: [run_model(w, FINANCE_ON.set("L8", min_factor=lo, max_factor=hi), s) for s in seeds]
            for name, lo, hi in (("shallow", 0.5, 0.5), ("deep", 0.15, 0.2))}
    deficit = {k: np.mean([land_deficit(m) for m in v]) for k, v in runs.items()}
    entries = {k: np.mean([sum_of("entries")(m) for m in v]) for k, v in runs.items()}
    assert deficit["deep"] > deficit["shallow"]
    assert entries["deep"] > entries["shallow"]


def test_tighter_leverage_lowers_debt_and_infrastructure():
    w = tiny(years=8)
    loose, tight = FINANCE_ON.set("S8", leverage=0.8), FINANCE_ON.set("S8", leverage=0.1)
    for column in ("fin_debt", "fin_infrastructure"):
        assert mean_over_seeds(w, tight, sum_of(column), SEEDS) < mean_over_seeds(w, loose, sum_of(column), SEEDS)


def test_larger_S1_budget_pays_more_and_attracts_more():
    w = tiny(years=8)
    small, large = FINANCE_ON.set("S1", budget=500.0), FINANCE_ON.set("S1", budget=50000.0)
    for column in ("fin_subsidies", "entries"):
        assert mean_over_seeds(w, large, sum_of(column), SEEDS) > mean_over_seeds(w, small, sum_of(column), SEEDS)


def test_S4_year_on_year_returns_less_than_fixed_base():
    """The claims differ where the cities can pay them (no general spending): where their budgets bind,
    both bases are cut to what the cities can pay, and the comparison says nothing about the rule."""
    w = tiny(years=8, city_spending_share=0.0, city_carryover_draw=0.0)
    yoy, fixed = FINANCE_ON.set("S4", base="previous_year"), FINANCE_ON.set("S4", base="fixed")
    returned = sum_of("fin_tax_returned")
    assert mean_over_seeds(w, yoy, returned, SEEDS) < mean_over_seeds(w, fixed, returned, SEEDS)


def city_rows(m):
    t = table(m)
    return t[t.account_kind == "city"]


def test_cities_spend_on_general_services_first_by_hand():
    """Phase 6: a city spends city_spending_share of this year's local tax and city_carryover_draw of the
    cash it carried into the year, before it pays any award."""
    model = ParkModel(tiny(city_spending_share=0.8, city_carryover_draw=0.25), Policy(), rng=1)
    led = model.finance
    led.opening[CITY][:, 0] = 100.0
    led.city_cash[:] = 100.0
    finance.collect_taxes(model)
    tax = led.flows[CITY][:, finance.KINDS.index("tax_local")]
    general = led.flows[CITY][:, finance.KINDS.index("general_spending")]
    assert tax.sum() > 0
    assert np.allclose(general, 0.8 * tax + 25.0)
    assert np.allclose(led.city_cash, 100.0 + tax - general + led.flows[CITY][:, finance.KINDS.index("land_sales")])


def test_city_spendable_is_cash_and_debt_room_less_overdraft():
    model = ParkModel(tiny(), Policy(), rng=1)
    led = model.finance
    led.city_cash[:2] = [50.0, -30.0]
    led.city_debt_limit[:2] = [100.0, 20.0]
    led.city_debt[:2] = [40.0, 0.0]
    assert np.allclose(finance.city_spendable(model)[:2], [110.0, 0.0])


def test_city_cash_stays_bounded_where_it_piled_up_before():
    """With no general spending a city's cash grows with its tax; with the defaults it stays below a
    year of its local tax."""
    hoarding = tiny(years=8, city_spending_share=0.0, city_carryover_draw=0.0)
    for seed in SEEDS[:2]:
        hoard = city_rows(run_model(hoarding, FINANCE_ON, seed))
        spend = city_rows(run_model(tiny(years=8), FINANCE_ON, seed))
        end = spend.year.max()
        assert spend[spend.year == end].cash.sum() < hoard[hoard.year == end].cash.sum()
        assert spend[spend.year == end].cash.sum() < spend[spend.year == end].tax_local.sum()


def test_higher_city_spending_share_leaves_less_cash_and_smaller_S1_payments():
    low, high = (tiny(years=8, city_spending_share=v) for v in (0.3, 0.95))
    cash = lambda m: float(city_rows(m).groupby("year").cash.sum().sum())        # noqa: E731
    paid = sum_of("subsidies_paid")
    assert mean_over_seeds(high, FINANCE_ON, cash, SEEDS) < mean_over_seeds(low, FINANCE_ON, cash, SEEDS)
    assert mean_over_seeds(high, FINANCE_ON, paid, SEEDS) < mean_over_seeds(low, FINANCE_ON, paid, SEEDS)
    assert WorldConfig().city_spending_share == 0.9 and WorldConfig().city_carryover_draw == 0.5


def test_S8_lets_a_city_that_needs_it_borrow_and_service_its_debt():
    """Same seeds, a city short of cash for its S1 and S4 bills: without S8 it pays less and owes nothing;
    with S8 its platform borrows (debt > 0), pays interest and repays, and pays more of the bills."""
    w = tiny(years=8, city_spending_share=0.97)
    off = FINANCE_ON.set("S8", enabled=False)
    for seed in SEEDS[:2]:
        a, b = (run_model(w, p, seed) for p in (off, FINANCE_ON))
        ca, cb = city_rows(a), city_rows(b)
        assert (ca.debt == 0).all() and cb.debt.max() > 0
        assert cb.interest.sum() > 0 and cb.repayment.sum() > 0
        assert_identity(b)
    bills = lambda m: float(-city_rows(m).tax_returned.sum() + city_rows(m).subsidies.sum())   # noqa: E731
    assert mean_over_seeds(w, FINANCE_ON, bills, SEEDS) > mean_over_seeds(w, off, bills, SEEDS)


# ----------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("key, value", [("commercial_land_price", -1.0), ("site_preparation_cost", -5.0),
                                        ("vat_local_share", -0.1), ("cit_local_share", 1.5),
                                        ("vat_share_of_tax", -0.2), ("city_spending_share", 1.2),
                                        ("city_carryover_draw", -0.1)])
def test_bad_world_finance_input(key, value):
    with pytest.raises(ConfigError, match=key):
        WorldConfig.from_dict({key: value})


def test_tax_composition_over_the_whole_is_refused_before_running():
    with pytest.raises(ConfigError, match="vat_share_of_tax"):
        ParkModel(tiny(vat_share_of_tax=0.8, cit_share_of_tax=0.3), Policy(), rng=1)


@pytest.mark.parametrize("values", [{"leverage": 1.5}, {"leverage": -0.1}, {"interest_rate": 0.5},
                                    {"interest_rate": -0.01}, {"maturity": 0}])
def test_bad_platform_input(values):
    with pytest.raises(ConfigError, match="S8"):
        Policy.from_dict({"S8": {"enabled": True, **values}})


def test_bad_S4_base():
    with pytest.raises(ConfigError, match="S4.base"):
        Policy.from_dict({"S4": {"base": "monthly"}})


def test_totals_are_the_totals_of_each_kind_bit_for_bit():
    """The series' totals of every kind (two reductions) are ``total(kind)`` exactly, mid-year included."""
    model = ParkModel(tiny(), FINANCE_ON, rng=3)
    for _ in range(3):
        model.step()
    led = model.finance
    led.book("land_sales", PARK, [0, 1, 1], [1e-3, 7.25, 1e9 / 3])
    led.book("interest", CITY, [0], [-0.0])
    totals = led.totals()
    assert list(totals) == list(finance.KINDS)
    assert all(np.float64(totals[k]).tobytes() == np.float64(led.total(k)).tobytes() for k in finance.KINDS)
