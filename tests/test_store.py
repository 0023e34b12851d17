"""The result store under real faults: a second writer, a stale lock, another model version, damaged
chunks (truncated, zero bytes, no manifest, flipped bit, unreadable), doubled runs, and a report
built after the scenario file changed."""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import TINY_WORLD, write

from parksim.cli import main
from parksim.experiments import (
    Store,
    StoreDamaged,
    StoreMismatch,
    execute,
    integrity,
    make_executor,
    plan,
    run_one,
    summarise,
)
from parksim.experiments.lock import LOCK_FILE
from parksim.viz.data import RunData

RUNS = 4
V1 = "[policy.V1]\nenabled = true\n"


def scenario(tmp_path: Path, tail: str = "", quota: float = 4000.0) -> Path:
    """A tiny scenario file (four replications) whose land quota and tail can change."""
    world = TINY_WORLD.replace("land_quota = 4000.0", f"land_quota = {quota}")
    return write(tmp_path, "tiny.toml", f'extends = "baseline"\nreplications = {RUNS}\nseed = 3\n[world]{world}{tail}')


def run_cli(path: Path, out: Path, *extra: str) -> int:
    """`parksim run` into ``out``, one run per chunk, in this process."""
    return main(["run", str(path), "--out", str(out), "--executor", "serial", "-q", "--chunk-runs", "1", *extra])


@pytest.fixture
def store(tmp_path) -> Store:
    """A store of four runs, one chunk each."""
    out = tmp_path / "store"
    assert run_cli(scenario(tmp_path), out) == 0
    return Store(out)


def chunk_dirs(store: Store) -> list[Path]:
    return sorted(store.chunks.iterdir())


OUTPUT_KEYS = {"investment": ["run_id", "year", "unit", "id", "kind", "refused_by"],
               "growth": ["run_id", "year", "level", "unit"], "finance": ["run_id", "year", "account_kind", "account"]}


def assert_each_run_once(store: Store) -> None:
    """Manifest, metrics, the investment and growth tables and the documented DuckDB query hold every run
    exactly once."""
    manifest, metrics = store.read("manifest"), store.read("metrics")
    assert sorted(manifest["run_id"]) == sorted(metrics["run_id"]) and manifest["run_id"].is_unique
    assert len(manifest) == RUNS and manifest["status"].eq("ok").all()
    for table, keys in OUTPUT_KEYS.items():
        rows = store.read(table)
        assert set(rows["run_id"]) == set(manifest["run_id"]) and not rows.duplicated(keys).any()
    glob = str(store.chunks / "*" / "metrics.parquet")
    with duckdb.connect() as con:
        n, distinct = con.execute(f"SELECT count(*), count(DISTINCT run_id) FROM read_parquet('{glob}', "
                                  "union_by_name=true)").fetchone()
    assert n == distinct == RUNS


# ----------------------------------------------------------------------------- single writer

def test_second_process_is_refused_while_the_first_writes(tmp_path, store):
    """A second process opening a store this process holds exits 2 at once, naming the store and the holder."""
    path = tmp_path / "tiny.toml"
    p = plan(str(path))
    command = [sys.executable, "-m", "parksim", "run", str(path), "--out", str(store.path), "--executor", "serial",
               "-q"]
    holder = Store(store.path).open(p.record(), points=p.points)
    try:
        refused = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    finally:
        holder.close()
    assert refused.returncode == 2
    assert str(store.path) in refused.stderr and f"pid {os.getpid()}" in refused.stderr
    assert socket.gethostname() in refused.stderr and "since" in refused.stderr
    again = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert again.returncode == 0, again.stderr


def test_lock_left_by_a_dead_process_is_taken_over(tmp_path, store, caplog):
    """A lock file naming a process that no longer runs is taken over, with a logged warning."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    body = {"pid": dead.pid, "host": socket.gethostname(), "command": "parksim sweep killed", "since": "2026-01-01"}
    (store.path / LOCK_FILE).write_text(json.dumps(body), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="parksim.experiments.lock"):
        assert run_cli(tmp_path / "tiny.toml", store.path, "--replications", "5") == 0
    assert f"pid {dead.pid}" in caplog.text and "no longer running" in caplog.text
    assert len(store.read("manifest")) == 5
    assert (store.path / LOCK_FILE).read_text(encoding="utf-8") == ""          # released cleanly


# ----------------------------------------------------------------------------- code version

def test_resume_by_another_model_version_is_refused_until_new_store(tmp_path, store, capsys):
    """A store written by another source hash is not resumed (exit 2, both versions named); --new-store restarts."""
    exp = store.experiment()
    current = exp["code_version"]
    exp["code_version"] = {"version": "0.0.9+gdeadbee", "source_hash": "0123456789abcdef"}
    store._write_json(exp)                         # as that version wrote it, with its own digest
    assert run_cli(tmp_path / "tiny.toml", store.path, "--replications", "5") == 2
    err = capsys.readouterr().err
    assert "0123456789abcdef" in err and current["source_hash"] in err and "--new-store" in err
    assert len(store.read("manifest")) == RUNS                            # nothing written
    assert run_cli(tmp_path / "tiny.toml", store.path, "--new-store") == 0
    assert store.experiment()["code_version"] == current
    assert set(store.read("manifest")["source_hash"]) == {current["source_hash"]}


def test_new_store_in_the_python_api(tmp_path, store):
    """execute(new_store=True) discards the old runs and runs them all again."""
    before = set(store.read("manifest")["started"])
    report = execute(plan(str(tmp_path / "tiny.toml")), store, make_executor("serial"), progress=False, new_store=True)
    assert report.ok == RUNS and report.skipped == 0
    assert not before & set(store.read("manifest")["started"])


def relabel_version(store: Store, chunk: Path, source_hash: str) -> None:
    """Rewrite one chunk's manifest as if another model version had written it (checksums kept valid)."""
    m = pd.read_parquet(chunk / "manifest.parquet")
    m["source_hash"], m["code_version"] = source_hash, "0.0.9+gdeadbee"
    m.to_parquet(chunk / "manifest.parquet", index=False)
    integrity.write_checksums(chunk, list(m["run_id"]))


def test_tables_refuse_runs_of_two_model_versions(tmp_path, store, capsys):
    """Summaries, verify and resume all refuse a store whose manifests hold two source hashes."""
    relabel_version(store, chunk_dirs(store)[0], "0123456789abcdef")
    with pytest.raises(StoreMismatch, match="2 model versions"):
        summarise(store)
    assert main(["verify", str(store.path)]) == 1
    assert "DAMAGED: model version" in capsys.readouterr().out
    assert run_cli(tmp_path / "tiny.toml", store.path) == 2
    assert "0123456789abcdef" in capsys.readouterr().err


# ----------------------------------------------------------------------------- integrity

def truncate(chunk: Path) -> None:
    data = (chunk / "metrics.parquet").read_bytes()
    (chunk / "metrics.parquet").write_bytes(data[: len(data) // 2])


def zero_bytes(chunk: Path) -> None:
    (chunk / "series.parquet").write_bytes(b"")


def delete_manifest(chunk: Path) -> None:
    (chunk / "manifest.parquet").unlink()


def flip_bit(chunk: Path) -> None:
    data = bytearray((chunk / "metrics.parquet").read_bytes())
    data[len(data) // 2] ^= 0x01
    (chunk / "metrics.parquet").write_bytes(bytes(data))


def unreadable_manifest(chunk: Path) -> None:
    """Garbage in the manifest whose checksums were (wrongly) recorded: the reader must still refuse it."""
    (chunk / "manifest.parquet").write_bytes(b"PAR1 not a parquet file")
    record = integrity.read_checksums(chunk)
    integrity.write_checksums(chunk, record["runs"])


def delete_checksums(chunk: Path) -> None:
    (chunk / "checksums.json").unlink()


FAULTS = {"truncated": (truncate, "metrics.parquet: "), "zero bytes": (zero_bytes, "series.parquet: 0 bytes"),
          "no manifest": (delete_manifest, "manifest.parquet missing"),
          "flipped bit": (flip_bit, "metrics.parquet: SHA-256 does not match"),
          "unreadable manifest": (unreadable_manifest, "manifest.parquet unreadable"),
          "no checksums": (delete_checksums, "no checksums.json")}


@pytest.mark.parametrize("fault", FAULTS)
def test_damaged_chunk_is_quarantined_and_its_runs_run_again(fault, tmp_path, store, capsys):
    """verify finds the damage (exit 1); resume quarantines the chunk with its reason and re-runs its run."""
    damage, reason = FAULTS[fault]
    chunk = chunk_dirs(store)[1]
    damage(chunk)
    assert main(["verify", str(store.path)]) == 1
    out = capsys.readouterr().out
    assert f"DAMAGED: chunk {chunk.name}: {reason}" in out and out.count("ok: chunk") == RUNS - 1
    assert run_cli(tmp_path / "tiny.toml", store.path) == 0
    assert "1 runs ok" in capsys.readouterr().err
    assert (store.quarantine / chunk.name).is_dir() and not chunk.exists()
    assert reason in (store.quarantine / f"{chunk.name}.reason.txt").read_text(encoding="utf-8")
    assert_each_run_once(store)
    assert main(["verify", str(store.path)]) == 0


def test_flipped_bit_is_never_read_back_as_data(store):
    """Reading a table with a flipped bit raises StoreDamaged naming the chunk, instead of returning numbers."""
    chunk = chunk_dirs(store)[2]
    flip_bit(chunk)
    with pytest.raises(StoreDamaged, match=chunk.name):
        store.read("metrics")


def test_chunk_repeating_runs_is_quarantined(tmp_path, store):
    """A copy of a chunk under a later name (a run in two chunks) is quarantined: no run counts twice."""
    first = chunk_dirs(store)[0]
    copy = store.chunks / "99999999T999999-copy"
    shutil.copytree(first, copy)
    assert run_cli(tmp_path / "tiny.toml", store.path) == 0
    reason = (store.quarantine / f"{copy.name}.reason.txt").read_text(encoding="utf-8")
    assert f"already in chunk {first.name}" in reason
    assert_each_run_once(store)


def test_retried_failed_run_is_counted_once(tmp_path, store, monkeypatch):
    """A failed run retried with --retry-failed leaves one manifest row, one metrics row and valid checksums."""
    import parksim.experiments.runner as runner
    new = tmp_path / "failing"
    real = runner.run_one

    def flaky(config, seed, **kw):
        if seed == plan(str(tmp_path / "tiny.toml")).seeds[1]:
            raise RuntimeError("boom")
        return real(config, seed, **kw)
    monkeypatch.setattr(runner, "run_one", flaky)
    assert run_cli(tmp_path / "tiny.toml", new) == 1
    monkeypatch.setattr(runner, "run_one", real)
    assert run_cli(tmp_path / "tiny.toml", new, "--retry-failed") == 0
    retried = Store(new)
    assert all(v.ok for v in retried.verify())
    assert_each_run_once(retried)


# ----------------------------------------------------------------------------- the model's tables

def test_investment_growth_and_finance_tables_read_back_as_run_in_memory(tmp_path, store):
    """Each run's investment ledger, growth decomposition and public accounts read back from the store (and
    through the dashboard's loader) equal the tables the same run gives in memory, keyed by run, point and
    replication."""
    p = plan(str(tmp_path / "tiny.toml"))
    data = RunData.from_store(store)
    for task in p.tasks:
        memory = run_one(task.config, task.seed).tables
        for table in OUTPUT_KEYS:
            stored = store.read(table)
            stored = stored[stored["run_id"] == task.run_id]
            assert (stored["point"] == task.point).all() and (stored["replication"] == task.replication).all()
            pd.testing.assert_frame_equal(stored.drop(columns=["run_id", "point", "replication"])
                                          .reset_index(drop=True), memory[table], check_dtype=False)
            loaded = data.tables[table]
            loaded = loaded[loaded["seed"] == task.seed].drop(columns=["run_id", "point", "replication", "seed"])
            pd.testing.assert_frame_equal(loaded.reset_index(drop=True), memory[table], check_dtype=False)
    for table in OUTPUT_KEYS:                                          # DuckDB views over the same files
        assert len(store.query(f"SELECT * FROM {table}")) == len(store.read(table))


def strip_finance(store: Store) -> None:
    """Make ``store`` look written before the finance table was stored: no finance files, checksums to match."""
    for chunk in chunk_dirs(store):
        (chunk / "finance.parquet").unlink()
        runs = [str(r) for r in pd.read_parquet(chunk / "manifest.parquet")["run_id"]]
        integrity.write_checksums(chunk, runs)


def test_store_written_before_the_finance_table_opens_reads_and_resumes(tmp_path, store, capsys):
    """An older store without finance files verifies, reads an empty finance table, reports and compares
    without per-account costs, and resumes: only the new runs' chunk has a finance file."""
    strip_finance(store)
    assert main(["verify", str(store.path)]) == 0
    assert store.read("finance").empty and "finance" not in set(store.query("SHOW TABLES")["name"])
    assert RunData.from_store(store).tables["finance"].empty
    assert main(["compare", str(store.path), str(store.path), "--csv", str(tmp_path / "c.csv")]) == 0
    assert "per-account costs: none" in capsys.readouterr().out and not (tmp_path / "c_accounts.csv").exists()
    assert main(["report", str(store.path), "--out", str(tmp_path / "r.html")]) == 0
    assert "written before the finance table was stored" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert run_cli(tmp_path / "tiny.toml", store.path, "--replications", "5") == 0
    finance = store.read("finance")
    assert finance["run_id"].nunique() == 1 and len(store.files("finance")) == 1
    assert all(v.ok for v in store.verify())


def test_compare_and_report_show_per_park_and_city_costs(tmp_path, capsys):
    """`parksim compare --top 1` prints one park and every city with A, B and B − A rows (means over the
    replications) and writes them beside the comparison table; the report shows the same accounts."""
    from parksim.experiments.compare import compare_accounts, store_account_costs
    path = scenario(tmp_path, tail="[policy.S1]\nenabled = true\nbudget = 50000.0\n[policy.L8]\nenabled = true\n")
    a = tmp_path / "a"
    assert run_cli(path, a) == 0
    store = Store(a)
    per_run = store_account_costs(store)
    assert per_run["seed"].nunique() == RUNS and set(per_run["account_kind"]) == {"park", "city"}
    region = store.read("metrics")
    assert per_run.groupby("seed")["public_cost"].sum().sort_index().to_numpy() == pytest.approx(
        region.set_index("seed")["public_cost"].sort_index().to_numpy())
    capsys.readouterr()
    assert main(["compare", str(a), str(a), "--top", "1", "--csv", str(tmp_path / "c.csv")]) == 0
    out = capsys.readouterr().out
    assert "Per park (top 1 by public cost) and per city" in out
    table = pd.read_csv(tmp_path / "c_accounts.csv")
    cities = per_run.loc[per_run["account_kind"] == "city", "name"].nunique()
    assert len(table) == 3 * (1 + cities) and list(table["side"][:3]) == ["A", "B", "B − A"]
    diff = table[table["side"] == "B − A"]
    assert (diff["public_cost"] == 0).all() and diff["cost_per_job"].isna().all()     # B gains nothing over A
    top = table.iloc[0]
    parks = per_run[per_run["account_kind"] == "park"].groupby("name")["public_cost"].mean()
    assert top["name"] == parks.idxmax() and top["public_cost"] == pytest.approx(parks.max())
    single = compare_accounts(store, top=2)
    assert (single["account_kind"] == "park").sum() == 2 and "side" not in single
    assert main(["report", str(a), "--top", "2", "--lang", "zh", "--out", str(tmp_path / "r.html")]) == 0
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "财政投入最多的 2 个" in page and parks.idxmax() in page
    assert main(["compare", str(a), str(a), "--top", "-1"]) == 2


# ----------------------------------------------------------------------------- self-describing

def test_store_records_environment_and_resolved_points(tmp_path):
    """experiment.json names the versions, platform, git and seeds; points.parquet holds each point as it ran."""
    path = scenario(tmp_path, tail=V1 + '[policy.V4]\nenabled = true\n[sweep]\nmethod = "factorial"\n'
                    '[sweep.levers]\n"policy.V4.bottom_share" = [0.1, 0.3]\n')
    out = tmp_path / "sweep"
    assert main(["sweep", str(path), "--out", str(out), "--executor", "serial", "-q", "--replications", "1"]) == 0
    store = Store(out)
    exp = store.experiment()
    assert {"python", "numpy", "scipy", "pandas", "mesa", "pyarrow", "parksim", "platform", "git"} <= set(
        exp["environment"])
    assert exp["environment"]["numpy"] and exp["root_seed"] == 3 and len(exp["seeds"]) == 1
    points = [store.point(k) for k in (0, 1)]
    assert [p["policy"]["V4"]["bottom_share"] for p in points] == [0.1, 0.3]
    assert all(p["policy"]["V4"]["enabled"] and p["world"]["land_quota"] == 4000.0 for p in points)
    assert points[0]["parks"] == [] and points[0]["world"]["n_parks"] == 4
    assert store.point(2) is None


def test_report_shows_what_ran_after_the_file_changed(tmp_path, capsys):
    """A report built after the scenario file was edited shows the values of the runs, not of the file."""
    path = scenario(tmp_path, quota=4321.0, tail=V1 + "[policy.V4]\nenabled = true\nbottom_share = 0.15\n")
    out = tmp_path / "store"
    assert run_cli(path, out) == 0
    scenario(tmp_path, quota=9876.0, tail=V1 + "[policy.V4]\nenabled = true\nbottom_share = 0.35\n")
    assert main(["report", str(out), "--out", str(tmp_path / "report.html")]) == 0
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    params = page[page.index("Scenario parameters"):]
    assert "4,321" in params and "Bottom share eliminated = 0.150" in params   # as the report writes them
    assert "9,876" not in params and "0.350" not in params


def test_verify_help_names_exit_codes(capsys):
    """parksim verify --help says what exit 0, 1 and 2 mean."""
    with pytest.raises(SystemExit):
        main(["verify", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "Exit 0 when the store is sound, 1 when it is damaged" in out and "2 when STORE is not a store" in out


def test_points_table_equals_each_configured_point(tmp_path):
    """points.parquet (built by substitution, for speed) holds exactly what Scenario.configure builds per point."""
    from parksim.experiments.design import latin_hypercube
    from parksim.experiments.runner import _fields
    from parksim.simulation.policy import RULE_IDS
    from parksim.simulation.schedule import to_entry
    design = latin_hypercube({"world.projects_per_year": (20, 60), "policy.E1.national": (100, 400),
                              "world.initial_firms": (10, 40)}, 12, seed=5, integer=["world.initial_firms"])
    p = plan(str(scenario(tmp_path, tail=V1)), design=design)
    table = p.points()
    assert list(table["point"]) == list(range(12))
    for row, task in zip(table.itertuples(), p.tasks[::len(p.seeds)]):
        world, policy = task.config.world, task.config.policy
        assert json.loads(row.world) == json.loads(json.dumps(_fields(world, skip=("parks", "schedule"))))
        assert json.loads(row.schedule) == [to_entry(i) for i in world.schedule]
        assert json.loads(row.policy) == json.loads(json.dumps({r: _fields(policy[r]) for r in RULE_IDS}, default=str))
        assert json.loads(row.params) == dict(task.params)


def flip_seed(store: Store) -> None:
    """Change one digit of the first seed in experiment.json: still valid JSON, wrong content."""
    path = store.path / "experiment.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    seed = str(record["seeds"][0])
    digit = "1" if seed[-1] != "1" else "2"
    text = path.read_text(encoding="utf-8").replace(seed, seed[:-1] + digit, 1)
    path.write_text(text, encoding="utf-8")


def test_changed_experiment_record_is_detected(store, capsys):
    """A changed byte of experiment.json that keeps it valid JSON is damage: verify exits 1, reading it raises."""
    flip_seed(store)
    assert main(["verify", str(store.path)]) == 1
    assert "DAMAGED: experiment.json" in capsys.readouterr().out
    with pytest.raises(StoreDamaged, match="experiment.json"):
        store.experiment()


def test_changed_experiment_record_is_written_again_on_resume(tmp_path, store, caplog):
    """Resuming the same experiment writes a damaged experiment.json again from the plan; no run runs again."""
    before = store.read("manifest")["run_id"].tolist()
    flip_seed(store)
    with caplog.at_level(logging.WARNING, logger="parksim"):
        assert run_cli(tmp_path / "tiny.toml", store.path) == 0
    assert "experiment.json" in caplog.text and "written again" in caplog.text
    assert store.experiment()["seeds"] == store.read("manifest").sort_values("replication")["seed"].tolist()
    assert sorted(store.read("manifest")["run_id"]) == sorted(before)
    assert main(["verify", str(store.path)]) == 0
