"""Bad --runs, --out and --scheduler values: exit 2 naming the flag, the value and what is allowed; nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TINY_WORLD, write

import parksim.experiments.executors as executors
from parksim.cli import main
from parksim.experiments import Store, execute, make_executor, plan
from parksim.simulation import ConfigError


def snapshot(root: Path) -> dict:
    """Every file under root with its size and modification time."""
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


def tiny(tmp_path: Path) -> Path:
    return write(tmp_path, "tiny.toml", 'extends = "baseline"\nreplications = 1\n[world]' + TINY_WORLD)


@pytest.mark.parametrize("flag, value, said", [
    ("--runs", "afile", "which is a file"),
    ("--runs", "afile/runs", "which is inside the file"),
    ("--out", "afile", "which is a file"),
    ("--out", "afile/x/store", "which is inside the file"),
])
def test_directory_flag_that_is_a_file(tmp_path, capsys, monkeypatch, flag, value, said):
    """--runs/--out naming a file, or a path inside one, is refused before anything is written."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "afile", "not a directory")
    scenario = tiny(tmp_path)
    before = snapshot(tmp_path)
    assert main(["run", str(scenario), "-q", flag, value]) == 2
    err = capsys.readouterr().err
    assert f"{flag}: got {value!r}, {said}" in err and "allowed: a directory" in err
    assert snapshot(tmp_path) == before


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux /proc, which no one can write to")
def test_unwritable_runs_directory(tmp_path, capsys):
    """A --runs under a directory nobody can create files in is refused (even for root)."""
    assert main(["run", str(tiny(tmp_path)), "-q", "--runs", "/proc/parksim_runs"]) == 2
    assert "--runs: got '/proc/parksim_runs'; '/proc' is not writable" in capsys.readouterr().err


@pytest.mark.parametrize("address, said", [("garbage", "missing port"), ("nonsense://x:1", "unknown address scheme"),
                                           ("tcp://127.0.0.1:1", "Timed out")])
def test_bad_scheduler_exits_2_and_leaves_no_store(tmp_path, capsys, monkeypatch, address, said):
    """An unusable --scheduler gives exit 2 (not a traceback) and no store directory."""
    monkeypatch.setattr(executors, "CONNECT_SECONDS", 2.0)
    code = main(["run", str(tiny(tmp_path)), "-q", "--runs", str(tmp_path / "runs"), "--scheduler", address])
    err = capsys.readouterr().err
    assert code == 2 and f"--scheduler: got {address!r}" in err and said in err and "Traceback" not in err
    assert not (tmp_path / "runs").exists()


def test_execute_reaches_the_scheduler_before_making_the_store(tmp_path):
    """The library refuses an unreachable scheduler with ConfigError before the store exists."""
    with pytest.raises(ConfigError, match="--scheduler"):
        execute(plan(tiny(tmp_path)), Store(tmp_path / "store"), make_executor("dask", scheduler="garbage"),
                progress=False)
    assert not (tmp_path / "store").exists()


@pytest.mark.parametrize("flag", ["--runs", "--out", "--scheduler"])
def test_empty_flag_value_is_refused_not_ignored(tmp_path, capsys, monkeypatch, flag):
    """An empty --runs/--out/--scheduler (e.g. an unset shell variable) is exit 2, not the default or the cwd."""
    monkeypatch.chdir(tmp_path)
    scenario = tiny(tmp_path)
    before = snapshot(tmp_path)
    assert main(["run", str(scenario), "-q", "--executor", "serial" if flag != "--scheduler" else "dask", flag, ""]) == 2
    assert f"{flag}: got ''" in capsys.readouterr().err
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("command", [["calibrate", "--budget", "60"], ["sensitivity"]])
@pytest.mark.parametrize("flag", ["--runs", "--out"])
def test_calibration_output_directory_that_is_a_file(tmp_path, capsys, monkeypatch, command, flag):
    """calibrate and sensitivity refuse a --runs/--out that is a file with exit 2, before any run."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "afile", "not a directory")
    before = snapshot(tmp_path)
    assert main([*command, "-q", "--scenario", str(tiny(tmp_path)), flag, "afile"]) == 2
    assert f"{flag}: got 'afile', which is a file" in capsys.readouterr().err
    assert {k: v for k, v in snapshot(tmp_path).items() if not k.endswith("tiny.toml")} == before


@pytest.mark.parametrize("value, said", [("afile/x.csv", "which is inside the file 'afile'"), ("adir", "which is a directory"),
                                         ("", "got ''")])
def test_bad_csv_path_exits_2_before_running(tmp_path, capsys, monkeypatch, value, said):
    """compare/targets --csv inside a file, naming a directory, or empty: exit 2 before anything runs or is written."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "afile", "not a directory")
    (tmp_path / "adir").mkdir()
    scenario = str(tiny(tmp_path))
    before = snapshot(tmp_path)
    for command in (["compare", scenario, scenario], ["targets", scenario]):
        assert main([*command, "-q", "--executor", "serial", "--csv", value]) == 2
        err = capsys.readouterr().err
        assert f"--csv: got {value!r}" in err and said in err and "Traceback" not in err
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("value, said", [("afile/r.html", "which is inside the file 'afile'"),
                                         ("adir", "which is a directory")])
def test_validate_model_bad_report_path_exits_2(tmp_path, capsys, monkeypatch, value, said):
    """validate-model --out inside a file or naming a directory: exit 2 before any run."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "afile", "not a directory")
    (tmp_path / "adir").mkdir()
    before = snapshot(tmp_path)
    assert main(["validate-model", "-q", str(tiny(tmp_path)), "--out", value]) == 2
    assert f"--out: got {value!r}, {said}" in capsys.readouterr().err
    assert {k: v for k, v in snapshot(tmp_path).items() if not k.endswith("tiny.toml")} == before
