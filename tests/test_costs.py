"""Cost-effectiveness outputs (issue 11 §4): hand-computed metrics on synthetic series, undefined ratios,
A-vs-B fiscal return, runs without finance accounts, and the labels, verdicts and side-by-side table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from parksim.experiments.compare import paired_differences
from parksim.experiments.costs import COST_METRICS, DISCOUNT_RATE, INCREMENTAL, cost_metrics, present_value
from parksim.experiments.headline import HEADLINE
from parksim.viz import i18n
from parksim.viz.verdict import side_by_side, verdicts

pytestmark = pytest.mark.filterwarnings("error")


def series(**changes) -> pd.DataFrame:
    """Four years 2010-2013 of a region with finance accounts; 2010 is the base year (its flows do not count)."""
    cols = {"year": [2010, 2011, 2012, 2013],
            "employment": [100.0, 110.0, 120.0, 130.0], "tax": [50.0, 55.0, 60.0, 70.0],
            "firms_producing": [10, 10, 10, 11], "network_density": [0.1, 0.1, 0.15, 0.2],
            "fin_instrument_cost": [999.0, 30.0, 30.0, 30.0], "fin_subsidies": [0.0, 10.0, 20.0, 30.0],
            "fin_income": [0.0, 100.0, 100.0, 100.0], "fin_spending": [0.0, 150.0, 50.0, 100.0],
            "fin_debt": [0.0, 50.0, 40.0, 40.0], "fin_debt_service": [99.0, 0.0, 12.0, 5.0]}
    cols.update(changes)
    return pd.DataFrame(cols)


def test_hand_computed_costs_over_the_horizon():
    """Costs sum the years after the base year; gains are end minus base (tax summed over the years)."""
    m = cost_metrics(series(), 2010)
    assert m["public_cost"] == 90.0 and m["jobs_gained"] == 30.0 and m["cost_per_job"] == 3.0
    assert m["tax_gained"] == 5.0 + 10.0 + 20.0 and m["cost_per_tax"] == pytest.approx(90.0 / 35.0)
    assert m["links_gained"] == 22.0 - 9.0 and m["cost_per_link"] == pytest.approx(90.0 / 13.0)   # 0.2·11·10 − 0.1·10·9
    assert m["fiscal_balance_pv"] == pytest.approx(-50.0 + 50.0 / 1.08 + 0.0)
    assert m["pv_subsidies"] == pytest.approx(10.0 + 20.0 / 1.08 + 30.0 / 1.08 ** 2)
    assert m["pv_instrument_cost"] == pytest.approx(30.0 * (1 + 1 / 1.08 + 1 / 1.08 ** 2))
    assert m["debt_end"] == 40.0 and m["debt_service_peak"] == 12.0
    assert "pv_land_discount" not in m                     # an instrument the accounts do not carry
    assert DISCOUNT_RATE == 0.08


def test_base_year_sets_the_horizon_and_rate_zero_is_the_plain_sum():
    m = cost_metrics(series(), 2011, rate=0.0)
    assert m["public_cost"] == 60.0 and m["jobs_gained"] == 20.0 and m["tax_gained"] == 5.0 + 15.0
    assert m["fiscal_balance_pv"] == 50.0 and m["pv_subsidies"] == 50.0
    assert cost_metrics(series(), 2005)["public_cost"] == 90.0        # before the first row: that row is the base


def test_cost_per_job_is_nan_not_inf_where_jobs_fall_or_stay_level():
    """No money buys a job that was not gained: the ratio is NaN (never ±inf or a negative 'cost')."""
    fell = cost_metrics(series(employment=[100.0, 90.0, 80.0, 70.0], tax=[50.0, 50.0, 50.0, 50.0]), 2010)
    assert math.isnan(fell["cost_per_job"]) and math.isnan(fell["cost_per_tax"]) and fell["jobs_gained"] == -30.0
    level = cost_metrics(series(employment=[100.0] * 4), 2010)
    assert math.isnan(level["cost_per_job"]) and np.isfinite(level["cost_per_tax"])
    free = cost_metrics(series(fin_instrument_cost=[0.0] * 4), 2010)
    assert free["cost_per_job"] == 0.0


def test_no_finance_accounts_no_cost_metrics():
    """A run from before the accounts (or an old store's series) gives no cost metrics rather than zeros."""
    assert cost_metrics(series().drop(columns=["fin_income"]), 2010) == {}
    assert cost_metrics(series(), 2013) == {}                        # no year after the base


def test_difference_in_discounted_balance_is_the_net_fiscal_return_of_what_differs():
    """Paired B − A of the discounted balance equals the present value of B's extra net income."""
    a, b = series(), series(fin_income=[0.0, 120.0, 90.0, 130.0])
    table = paired_differences(pd.DataFrame([{"seed": 1, **cost_metrics(a, 2010)}]),
                               pd.DataFrame([{"seed": 1, **cost_metrics(b, 2010)}]), COST_METRICS)
    diff = table.set_index("metric").loc["fiscal_balance_pv", "diff"]
    assert diff == pytest.approx(present_value(np.array([20.0, -10.0, 30.0]), np.array([2011, 2012, 2013]), 2011))


def comparison_rows(metrics: dict[str, tuple[float, float]]) -> pd.DataFrame:
    return pd.DataFrame([{"metric": k, "n": 10, "mean_a": a, "mean_b": b, "diff": b - a, "ci_low": b - a - 1.0,
                          "ci_high": b - a + 1.0, "rel_change": (b - a) / a, "significant": True}
                         for k, (a, b) in metrics.items()])


def test_every_cost_metric_has_a_plain_name_unit_and_explanation_in_both_languages():
    for lang in i18n.LANGS:
        for m in (*COST_METRICS, *INCREMENTAL):
            assert (m in HEADLINE) == (m in COST_METRICS)
            assert i18n.metric_name(m, lang) != m and i18n.explain(m, lang) and i18n.metric_unit(m, lang)[1]
    assert i18n.metric_label("cost_per_job", "zh") == "每个新增就业岗位的财政投入（万元/人）"
    assert i18n.metric_unit("fiscal_balance_pv", "zh") == (1e-4, "亿元")


def test_cost_per_job_and_fiscal_balance_get_verdicts_and_sit_side_by_side():
    """The guided comparison's cost table: A, B and B − A for cost per job and the fiscal balance (亿元)."""
    table = comparison_rows({"output": (1000.0, 1100.0), "cost_per_job": (10.0, 12.0),
                             "fiscal_balance_pv": (-20000.0, -30000.0), "debt_end": (50000.0, 60000.0)})
    said = verdicts(table, "zh")
    assert said[1] == "每个新增就业岗位的财政投入：上升 20.0%（+10.0% 至 +30.0%），超出随机波动，差异可信"
    assert said[2].startswith("财政净收支（现值）：下降 50.0%")
    side = side_by_side(table, "zh")
    assert list(side.columns) == ["", "每个新增就业岗位的财政投入（万元/人）", "财政净收支（现值）（亿元）",
                                  "期末平台债务（亿元）"]
    assert side.iloc[:, 0].tolist() == ["方案 A", "方案 B", "差值 B − A"]
    assert side.iloc[:2, 2].tolist() == ["-2", "-3"] and side.iloc[2, 1] == "2 (1 … 3)"
    assert side_by_side(table, "en").columns[1] == "Public money per job gained (万元 per job)"


def test_a_cost_per_job_no_replication_defines_is_said_in_words():
    table = comparison_rows({"cost_per_job": (np.nan, np.nan)}).assign(n=0, diff=np.nan, ci_low=np.nan, ci_high=np.nan)
    assert verdicts(table, "zh") == ["每个新增就业岗位的财政投入：无定义（没有一次重复有正的增量）"]


def test_runs_without_accounts_say_so_instead_of_a_cost_table():
    table = comparison_rows({"output": (1000.0, 1100.0)})
    assert side_by_side(table, "en").empty and len(verdicts(table, "en")) == 1


def test_a_run_reports_the_cost_metrics_of_its_own_series_and_s1_costs_money():
    """End to end: run_one's cost metrics read its series (horizon after the first year); the S1 fund,
    same seed on and off, raises the public money spent and the discounted subsidies."""
    from parksim.experiments.runner import RunConfig, run_one
    from parksim.simulation import Policy
    from tests.conftest import small_world
    world = small_world(years=5, n_parks=5, n_cities=2, initial_firms=80, projects_per_year=30.0)
    off = run_one(RunConfig(world, Policy()), 11)
    on = run_one(RunConfig(world, Policy().set("S1", enabled=True, budget=50000.0)), 11)
    s = on.series
    assert set(COST_METRICS) <= set(on.metrics)
    assert on.metrics["public_cost"] == pytest.approx(s.loc[s["year"] > s["year"].iloc[0], "fin_instrument_cost"].sum())
    assert on.metrics["debt_end"] == s["fin_debt"].iloc[-1]
    assert on.metrics["pv_subsidies"] > off.metrics["pv_subsidies"] and on.metrics["public_cost"] > off.metrics["public_cost"]
    pd.testing.assert_series_equal(pd.Series(run_one(RunConfig(world, Policy()), 11).metrics), pd.Series(off.metrics))


def test_b_s_extra_money_per_extra_job_is_the_ratio_of_mean_paired_differences():
    """Three seeds: B spends 10, 20, 30 more and gains 1, 2, 6 more jobs → 60 / 9 per extra job, CI by the
    delta method (t interval of Δcost − R·Δjobs over mean Δjobs); NaN, said in words, where B gains none."""
    a = pd.DataFrame({"seed": [1, 2, 3], "public_cost": [100.0, 100.0, 100.0], "jobs_gained": [10.0, 10.0, 10.0]})
    b = a.assign(public_cost=[110.0, 120.0, 130.0], jobs_gained=[11.0, 12.0, 16.0])
    row = paired_differences(a, b, ("public_cost",)).set_index("metric").loc["extra_cost_per_job"]
    r = 20.0 / 3.0
    e = np.array([10.0, 20.0, 30.0]) - r * np.array([1.0, 2.0, 6.0])
    half = 4.302653 * e.std(ddof=1) / np.sqrt(3) / 3.0                     # t(0.975, 2) = 4.3027
    assert row["diff"] == pytest.approx(r) and row["n"] == 3 and math.isnan(row["mean_a"])
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((r - half, r + half), rel=1e-5)
    said = verdicts(paired_differences(a, b, ("public_cost",)), "en")
    assert said[0].startswith("B's extra public money per extra job: 6.67 万元 per job (")
    none = paired_differences(a, a.assign(public_cost=200.0), ("public_cost",)).set_index("metric")
    assert math.isnan(none.loc["extra_cost_per_job", "diff"]) and math.isnan(none.loc["extra_cost_per_job", "ci_low"])
    assert verdicts(none.reset_index(), "zh")[0] == "B 比 A 每多一个就业岗位的财政投入：无定义（B 平均没有多于 A 的增量）"


def test_costs_per_park_and_city_add_up_to_the_region_and_read_the_park_panel():
    """Per account: instruments and discounted balances sum to the region's (transfers between accounts
    cancel); a park's jobs gained are its panel's employment at the end minus at the base year."""
    from parksim.experiments.costs import account_costs
    from parksim.simulation import Policy, simulate
    from tests.conftest import small_world
    world = small_world(years=5, n_parks=5, n_cities=2, initial_firms=80, projects_per_year=30.0)
    policy = Policy().set("S1", enabled=True, budget=50000.0).set("S4", enabled=True).set("L8", enabled=True)
    out = simulate(world, policy, seed=5)
    base = int(out.series["year"].iloc[0])
    region = cost_metrics(out.series, base)
    per = account_costs(out.finance, out.parks, base)
    assert set(per["account_kind"]) == {"park", "city"} and region["public_cost"] > 0
    for m in ("public_cost", "pv_instrument_cost", "fiscal_balance_pv"):
        assert per[m].sum() == pytest.approx(region[m], rel=1e-9, abs=1e-6)
    p = out.parks
    emp = p[p["park"] == 0].set_index("year")["employment"]
    row = per[(per["account_kind"] == "park") & (per["account"] == 0)].iloc[0]
    assert row["jobs_gained"] == pytest.approx(emp.iloc[-1] - emp.loc[base])
    links = p[p["park"] == 0].set_index("year")["supply_links"]
    assert row["links_gained"] == pytest.approx(links.iloc[-1] - links.loc[base])
    gained = per["links_gained"] > 0
    assert gained.any() and np.allclose(per.loc[gained, "cost_per_link"],
                                        per.loc[gained, "public_cost"] / per.loc[gained, "links_gained"])
    assert per.loc[~gained, "cost_per_link"].isna().all()
    # A park panel written before it had supply links: the links columns are NaN, the rest as before.
    old = account_costs(out.finance, p.drop(columns="supply_links"), base)
    assert old["links_gained"].isna().all() and old["cost_per_link"].isna().all()
    assert np.allclose(old["cost_per_job"].fillna(-1), per["cost_per_job"].fillna(-1))
    cities = per[per["account_kind"] == "city"]
    assert cities["jobs_gained"].isna().all() and cities["cost_per_job"].isna().all()


def test_per_account_means_top_parks_and_b_minus_a_by_hand():
    """Means over runs; cost per job = mean cost / mean jobs; the top parks by the larger public cost, then
    every city; B − A rows give B's extra money per extra job (NaN where B gains none)."""
    from parksim.experiments.costs import account_table, mean_account_costs
    rows = [("park", "p1", 1, 100.0, 10.0), ("park", "p1", 2, 300.0, 30.0), ("park", "p2", 1, 50.0, -5.0),
            ("park", "p3", 1, 10.0, 1.0), ("city", "c1", 1, 20.0, np.nan)]
    per_run = pd.DataFrame([{"account_kind": k, "name": n, "seed": s, "public_cost": c, "jobs_gained": j,
                             "tax_gained": 2 * c, "links_gained": j, "fiscal_balance_pv": -c, "debt_end": 0.0}
                            for k, n, s, c, j in rows])
    a = mean_account_costs(per_run)
    p1 = a.set_index("name").loc["p1"]
    assert p1["runs"] == 2 and p1["public_cost"] == 200.0 and p1["cost_per_job"] == 10.0 and p1["cost_per_tax"] == 0.5
    assert math.isnan(a.set_index("name").loc["p2", "cost_per_job"])            # jobs fell: undefined
    assert account_table(a, top=2)["name"].tolist() == ["p1", "p2", "c1"]
    b = a.assign(public_cost=a["public_cost"] + np.array([100.0, 0.0, 500.0, 0.0]), jobs_gained=a["jobs_gained"] + 5.0)
    ab = account_table(a, b, top=1)
    assert ab["name"].tolist() == ["p3"] * 3 + ["c1"] * 3 and ab["side"].tolist()[:3] == ["A", "B", "B − A"]
    diff = ab.iloc[2]
    assert diff["public_cost"] == 500.0 and diff["jobs_gained"] == 5.0 and diff["cost_per_job"] == 100.0
    assert math.isnan(ab.iloc[5]["cost_per_job"]) and ab.iloc[5]["public_cost"] == 0.0
