"""The experiment runner: pure runs, seeds, executors, store, resume, failures, comparisons, targets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import TINY_WORLD

import parksim.experiments.runner as runner
from parksim.experiments import (
    Store,
    StoreMismatch,
    compare,
    execute,
    make_executor,
    plan,
    replication_seeds,
    run_one,
    summarise,
    target_shares,
)
from parksim.experiments.costs import INCREMENTAL, RATIOS
from parksim.scenarios import load_scenario
from parksim.simulation import ConfigError

TINY = """
replications = {reps}
seed = {seed}
{head}
[world]
{world}""" + TINY_WORLD
SWEEP = """
[policy.V1]
enabled = true
[policy.V4]
enabled = true
[sweep]
method = "factorial"
[sweep.levers]
"policy.V4.bottom_share" = [0.1, 0.3]
"""


def tiny(tmp_path, name="tiny", reps=2, seed=11, extra="", parent="baseline", head="", world=""):
    """A scenario file small enough to run in a few milliseconds."""
    path = tmp_path / f"{name}.toml"
    path.write_text(f'extends = "{parent}"\n' + TINY.format(reps=reps, seed=seed, head=head, world=world) + extra,
                    encoding="utf-8")
    return load_scenario(path)


KEYS = {"metrics": ["run_id"], "series": ["run_id", "year"], "parks": ["run_id", "year", "park"],
        "investment": ["run_id", "year", "unit", "id", "kind", "refused_by"], "growth": ["run_id", "year", "level", "unit"]}


def sorted_table(store: Store, table: str) -> pd.DataFrame:
    return store.read(table).sort_values(KEYS[table]).reset_index(drop=True)


def test_replication_seeds_are_prefix_stable_and_distinct():
    """Seed r does not depend on how many replications are asked for; seeds differ and fit in int64."""
    a, b = replication_seeds(5, 3), replication_seeds(5, 10)
    assert a == b[:3] and len(set(b)) == 10 and all(0 <= s < 2**63 for s in b)
    assert replication_seeds(6, 3) != a


def test_run_one_is_pure(tmp_path):
    """The same configuration and seed give identical outputs; another seed gives others."""
    s = tiny(tmp_path)
    r1, r2, r3 = run_one(s, 1), run_one(s, 1), run_one(s, 2)
    pd.testing.assert_frame_equal(r1.series, r2.series)
    pd.testing.assert_frame_equal(r1.parks, r2.parks)
    assert r1.metrics == r2.metrics and r1.metrics != r3.metrics
    assert {"output", "total_entries"} <= set(r1.metrics)


def test_plan_uses_common_random_numbers_across_points(tmp_path):
    """Replication r has the same seed at every design point."""
    p = plan(tiny(tmp_path, extra=SWEEP), sweep=True)
    by_point = {}
    for t in p.tasks:
        by_point.setdefault(t.point, []).append(t.seed)
    assert len(by_point) == 2 and by_point[0] == by_point[1] == p.seeds
    assert len({t.run_id for t in p.tasks}) == len(p.tasks) == 4


def test_plan_rejects_a_sweep_without_design(tmp_path):
    """Asking to sweep a scenario without [sweep] is a ConfigError before anything is written."""
    with pytest.raises(ConfigError, match="sweep"):
        plan(tiny(tmp_path), sweep=True)


def test_serial_pool_and_dask_give_identical_results(tmp_path):
    """The same plan gives the same tables on all three executors."""
    p = plan(tiny(tmp_path, extra=SWEEP), sweep=True)
    stores = {}
    for kind in ("serial", "pool", "dask"):
        stores[kind] = Store(tmp_path / kind)
        report = execute(p, stores[kind], make_executor(kind, workers=2), progress=False)
        assert (report.ok, report.failed) == (4, 0)
    for table in ("metrics", "series", "parks", "investment", "growth"):
        ref = sorted_table(stores["serial"], table)
        for kind in ("pool", "dask"):
            pd.testing.assert_frame_equal(ref, sorted_table(stores[kind], table))


def test_resume_runs_only_what_is_missing(tmp_path):
    """More replications later run only the new ones; every run is in the store exactly once."""
    s = tiny(tmp_path, reps=2)
    store = Store(tmp_path / "runs" / "tiny")
    first = execute(plan(s), store, make_executor("serial"), progress=False)
    assert first.ok == 2
    again = execute(plan(s), store, make_executor("serial"), progress=False)
    assert again.ran == 0 and again.skipped == 2
    more = execute(plan(s, replications=5), store, make_executor("serial"), progress=False)
    assert (more.ok, more.skipped) == (3, 2)
    manifest = store.read("manifest")
    assert manifest["run_id"].is_unique and len(manifest) == 5
    series = store.read("series")
    assert len(series) == 5 * 4 and not series.duplicated(["run_id", "year"]).any()
    for table in ("investment", "growth"):                 # the model's tables resume with the runs
        rows = sorted_table(store, table)
        assert set(rows["run_id"]) == set(manifest["run_id"])
        assert not rows.duplicated(KEYS[table]).any()


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch):
    """A run that raises is stored as failed with its traceback; --retry-failed runs it again."""
    s = tiny(tmp_path, reps=3)
    bad_seed = replication_seeds(s.seed, 3)[1]
    real = runner.run_one

    def flaky(config, seed, **kw):
        if seed == bad_seed:
            raise RuntimeError("boom")
        return real(config, seed, **kw)

    monkeypatch.setattr(runner, "run_one", flaky)
    store = Store(tmp_path / "store")
    report = execute(plan(s), store, make_executor("serial"), progress=False, chunk_runs=1)
    assert (report.ok, report.failed) == (2, 1)
    manifest = store.read("manifest").set_index("run_id")
    assert manifest.loc["p00000-r0001", "status"] == "failed"
    assert "RuntimeError: boom" in manifest.loc["p00000-r0001", "error"]
    assert "Traceback" in manifest.loc["p00000-r0001", "traceback"]
    assert set(store.read("metrics")["run_id"]) == {"p00000-r0000", "p00000-r0002"}
    monkeypatch.setattr(runner, "run_one", real)
    retry = execute(plan(s), store, make_executor("serial"), progress=False, retry_failed=True)
    assert (retry.ok, retry.failed) == (1, 0)
    manifest = store.read("manifest")
    assert manifest["run_id"].is_unique and set(manifest["status"]) == {"ok"} and len(manifest) == 3


def test_store_records_seeds_params_and_code_version(tmp_path):
    """The manifest holds run id, design parameters, seed, status, timing and code version."""
    p = plan(tiny(tmp_path, extra=SWEEP), sweep=True)
    store = Store(tmp_path / "s")
    execute(p, store, make_executor("serial"), progress=False)
    m = store.read("manifest")
    assert {"run_id", "params", "seed", "root_seed", "status", "error", "traceback", "seconds", "code_version",
            "source_hash"} <= set(m.columns)
    assert set(m["seed"]) == set(p.seeds) and (m["seconds"] > 0).all()
    assert '"policy.V4.bottom_share": 0.3' in " ".join(m["params"])
    assert store.experiment()["identity"] == p.identity


def test_duckdb_queries_the_store_in_place(tmp_path):
    """DuckDB reads the Parquet chunks where they are."""
    import duckdb
    p = plan(tiny(tmp_path, extra=SWEEP), sweep=True)
    store = Store(tmp_path / "s")
    execute(p, store, make_executor("serial"), progress=False, chunk_runs=1)
    assert len(store.files("metrics")) == 4
    by_point = store.query('SELECT point, count(*) AS n FROM metrics GROUP BY point ORDER BY point')
    assert by_point["n"].tolist() == [2, 2]
    glob = str(store.path / "chunks" / "*" / "series.parquet")
    con = duckdb.connect()
    n = con.execute(f"SELECT count(DISTINCT run_id) FROM read_parquet('{glob}', union_by_name=true)").fetchall()[0][0]
    con.close()
    assert n == 4


def test_a_store_refuses_another_experiment(tmp_path):
    """A changed scenario cannot write into the old store unless overwrite is asked for."""
    store = Store(tmp_path / "s")
    execute(plan(tiny(tmp_path, seed=1)), store, make_executor("serial"), progress=False)
    other = plan(tiny(tmp_path, seed=2))
    with pytest.raises(StoreMismatch, match="different experiment"):
        execute(other, store, make_executor("serial"), progress=False)
    execute(other, store, make_executor("serial"), progress=False, overwrite=True)
    assert set(store.read("manifest")["root_seed"]) == {2}


def test_sweep_summary_has_a_row_per_point_and_metric(tmp_path):
    """summary.csv gives n, mean and a 95% CI containing the mean, per design point and metric."""
    store = Store(tmp_path / "s")
    execute(plan(tiny(tmp_path, reps=3, extra=SWEEP), sweep=True), store, make_executor("serial"), progress=False)
    summary = pd.read_csv(store.path / "summary.csv")
    assert set(summary["point"]) == {0, 1} and "policy.V4.bottom_share" in summary
    row = summary[(summary["metric"] == "output") & (summary["point"] == 0)].iloc[0]
    assert row["n"] == 3 and row["ci_low"] <= row["mean"] <= row["ci_high"]
    assert summary.equals(summarise(store).reset_index(drop=True)) or len(summary) == len(summarise(store))


def test_compare_pairs_on_common_seeds(tmp_path):
    """B − A of a scenario against itself is exactly zero; different root seeds cannot be paired."""
    a = Store(tmp_path / "a")
    b = Store(tmp_path / "b")
    execute(plan(tiny(tmp_path, reps=3)), a, make_executor("serial"), progress=False)
    execute(plan(tiny(tmp_path, name="other", reps=3, extra="[policy.L1]\nenabled = true\n")), b,
            make_executor("serial"), progress=False)
    same = compare(a, a).set_index("metric")
    extra = same.loc[list(INCREMENTAL)]                        # B's extra cost per extra job: B gains nothing more
    ratios = same.loc[list(RATIOS)]                            # defined only in runs that gained jobs, tax, links
    same = same.drop(index=[*INCREMENTAL, *RATIOS])
    assert (same["diff"] == 0).all() and (same["n"] == 3).all() and extra["diff"].isna().all()
    assert ((ratios["diff"] == 0) | (ratios["n"] == 0)).all()
    table = compare(a, b)
    row = table.set_index("metric").loc["share_producing_in_parks"]
    assert row["n"] == 3 and row["diff"] == pytest.approx(row["mean_b"] - row["mean_a"])
    c = Store(tmp_path / "c")
    execute(plan(tiny(tmp_path, name="seeded", seed=99)), c, make_executor("serial"), progress=False)
    with pytest.raises(ConfigError, match="common seeds"):
        compare(a, c)


def test_compare_two_points_of_one_sweep(tmp_path):
    """Design points of one sweep share seeds, so they compare pairwise too."""
    store = Store(tmp_path / "s")
    execute(plan(tiny(tmp_path, extra=SWEEP), sweep=True), store, make_executor("serial"), progress=False)
    table = compare(store, store, point_a=0, point_b=1)
    ratios = table["metric"].isin(RATIOS)                       # count only runs that gained jobs, tax, links
    assert (table.loc[~ratios, "n"] == 2).all() and (table.loc[ratios, "n"] <= 2).all()


def test_targets_are_evaluated_as_shares_of_replications(tmp_path):
    """Each target gets a share of replications in [0, 1]; unmeasurable ones are flagged not evaluated."""
    s = tiny(tmp_path, reps=2, world="start_year = 2011", head='targets = ["002.revenue", "002.outside_capital", '
             '"002.clusters_50yi", "002.projects_1yi"]')
    store = Store(tmp_path / "t")
    execute(plan(s), store, make_executor("serial"), progress=False)
    shares = target_shares(store).set_index("target")
    assert not shares.loc["002.outside_capital", "evaluated"]
    for tid in ("002.revenue", "002.clusters_50yi", "002.projects_1yi"):
        assert shares.loc[tid, "evaluated"] and 0.0 <= shares.loc[tid, "share_met"] <= 1.0
    metrics = store.read("metrics")
    assert np.isfinite(metrics["target.002.clusters_50yi"]).all()


def test_plan_accepts_an_explicit_design(tmp_path):
    """A design table from the samplers runs as is; an unknown factor column is a ConfigError."""
    from parksim.experiments import latin_hypercube
    s = tiny(tmp_path, reps=1)
    design = latin_hypercube({"world.projects_per_year": (10.0, 30.0)}, samples=3, seed=1)
    p = plan(s, design=design)
    assert len(p.tasks) == 3 and {t.config.world.projects_per_year for t in p.tasks} == set(design["world.projects_per_year"])
    with pytest.raises(ConfigError, match="world.colour"):
        plan(s, design=pd.DataFrame({"world.colour": [1.0]}))


def test_plan_checks_every_design_value_against_its_range(tmp_path):
    """A value out of its declared range anywhere in a large design is refused, naming the point and factor."""
    s = tiny(tmp_path, reps=1)
    values = np.full(50_000, 20.0)
    values[41_234] = -5.0
    with pytest.raises(ConfigError, match=r"design point 41234 → world.projects_per_year: got -5.0"):
        plan(s, design=pd.DataFrame({"world.projects_per_year": values}))
    with pytest.raises(ConfigError, match=r"design point 2 → world.n_parks: got 6000; allowed: an integer in \[1, 5000\]"):
        plan(s, design=pd.DataFrame({"world.n_parks": [4, 5, 6000]}))
    with pytest.raises(ConfigError, match=r"design point 0 → world.n_parks: got 4.5; allowed: an integer"):
        plan(s, design=pd.DataFrame({"world.n_parks": [4.5, 5.0]}))


def test_point_failing_cross_checks_beyond_the_planned_ones_is_a_failed_run(tmp_path, monkeypatch):
    """Points past FULL_CHECK_POINTS are configured as they start; an invalid one is recorded as failed, the rest run."""
    monkeypatch.setattr(runner, "FULL_CHECK_POINTS", 1)
    s = tiny(tmp_path, reps=1)
    design = pd.DataFrame({"world.national_share": [0.1, 0.9], "world.provincial_share": [0.1, 0.9]})
    report = execute(plan(s, design=design), Store(tmp_path / "store"), make_executor("serial"), progress=False)
    assert (report.ok, report.failed) == (1, 1)
    assert "design point 1" in report.failures[0] and "national_share + provincial_share" in report.failures[0]
    monkeypatch.setattr(runner, "FULL_CHECK_POINTS", 2)
    with pytest.raises(ConfigError, match="design point 1"):
        plan(s, design=design)


def test_resume_configures_only_the_points_left(tmp_path, monkeypatch):
    """A resumed plan skips finished design points without configuring them again."""
    s = tiny(tmp_path, reps=2)
    design = pd.DataFrame({"world.projects_per_year": [10.0, 12.0, 14.0, 16.0]})
    store = Store(tmp_path / "store")
    p = plan(s, design=design)
    store.open(p.record())
    store.write_chunk({"manifest": pd.DataFrame({"run_id": list(p.run_ids())[:5], "status": "ok"})})
    configured = []
    monkeypatch.setattr(runner.Plan, "configure", lambda self, point, params: configured.append(point))
    left = list(p.iter_tasks(store.done()))
    assert [t.run_id for t in left] == ["p00002-r0001", "p00003-r0000", "p00003-r0001"] and configured == [2, 3]


def test_event_counts_equal_the_pandas_group_by():
    """Events per year, kind and rule: the same frame, dtypes and order as pandas' group-by of the text columns."""
    events = pd.DataFrame({"year": [2011, 2010, 2011, 2011, 2010], "kind": ["exit", "entry", "entry", "exit", "entry"],
                           "rule": ["X1", "", "", "", ""], "firm": [1, 2, 3, 4, 5],
                           "park": [0, 0, 1, 1, 0], "value": [1.5, np.nan, 2.0, 0.25, 3.0], "detail": [""] * 5})
    ref = events.groupby(["year", "kind", "rule"], as_index=False).agg(n=("kind", "size"), value=("value", "sum"))
    got = runner.event_counts(events)
    pd.testing.assert_frame_equal(got, ref, check_exact=True)
    assert got[["year", "kind", "rule", "n"]].values.tolist() == [[2010, "entry", "", 2], [2011, "entry", "", 1],
                                                                  [2011, "exit", "", 1], [2011, "exit", "X1", 1]]
    pd.testing.assert_frame_equal(runner.event_counts(events.iloc[:0]),
                                  events.iloc[:0].groupby(["year", "kind", "rule"], as_index=False)
                                  .agg(n=("kind", "size"), value=("value", "sum")))
