"""The parksim command line: help, exit codes, invalid files, resume after a kill, compare, targets."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import TINY_WORLD, write

from parksim.cli import main
from parksim.experiments import Store

TINY = "\n[world]" + TINY_WORLD
PARKSIM = [sys.executable, "-m", "parksim"]


def tiny(tmp_path: Path, name: str = "tiny", head: str = "replications = 2\n", tail: str = "") -> Path:
    return write(tmp_path, f"{name}.toml", f'extends = "baseline"\n{head}{TINY}{tail}')


def snapshot(root: Path) -> dict:
    """Every file under root with its size and modification time."""
    if not root.exists():
        return {}
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


@pytest.mark.parametrize("command", ["", "run", "sweep", "compare", "targets", "validate"])
def test_help_exits_zero(command, capsys):
    """Every subcommand has --help."""
    with pytest.raises(SystemExit) as done:
        main([*([command] if command else []), "--help"])
    assert done.value.code == 0
    assert "usage: parksim" in capsys.readouterr().out


INVALID = {
    "toml_syntax": ("[world\n", "valid TOML"),
    "unknown_top_key": ('extends = "baseline"\ncolour = "red"\n', "colour"),
    "unknown_world_key": ('extends = "baseline"\n[world]\nyeras = 3\n', "world.yeras"),
    "out_of_range": ('extends = "baseline"\n[world]\nyears = 0\n', "world.years"),
    "wrong_type": ('extends = "baseline"\nreplications = "five"\n', "replications"),
    "unknown_rule": ('extends = "baseline"\n[policy.Z9]\nenabled = true\n', "policy.Z9"),
    "unknown_rule_parameter": ('extends = "baseline"\n[policy.E1]\nnationl = 250.0\n', "policy.E1.nationl"),
    "rule_needs_another": ('extends = "baseline"\n[policy.V4]\nenabled = true\n', "policy.V4.enabled"),
    "extends_missing": ('extends = "no_such_scenario"\n', "extends"),
    "extends_cycle": ('extends = "invalid"\n', "cycles"),
    "bad_park": ('[[world.parks]]\nname = "a"\nlevel = "town"\narea_mu = 100.0\n', "world.parks[0].level"),
    "unknown_sector": ('[[world.parks]]\nname = "a"\nlevel = "city"\narea_mu = 100.0\nleading = ["steel"]\n',
                       "world.parks[0].leading"),
    "unknown_target": ('extends = "baseline"\ntargets = ["999.nothing"]\n', "targets[0]"),
    "unknown_province": ('extends = "baseline"\n[world.catalogue]\nprovince = "Atlantis"\n', "world.catalogue.province"),
    "sweep_factor_path": ('extends = "baseline"\n[sweep]\n[sweep.levers]\n"policy.E1.colour" = [1.0]\n',
                          "sweep.levers.policy.E1.colour"),
    "sweep_level_out_of_range": ('extends = "baseline"\n[sweep]\n[sweep.levers]\n"policy.V4.bottom_share" = [0.1, 2.0]\n',
                                 "sweep.levers.policy.V4.bottom_share"),
}


@pytest.mark.parametrize("kind", sorted(INVALID))
@pytest.mark.parametrize("command", ["validate", "run", "sweep"])
def test_invalid_scenario_exits_2_and_writes_nothing(tmp_path, capsys, kind, command):
    """Each kind of invalid file: exit 2, the file and key on stderr, the store untouched."""
    body, key = INVALID[kind]
    path = write(tmp_path, "invalid.toml", body)
    runs = tmp_path / "runs"
    args = [command, str(path)] + ([] if command == "validate" else ["--runs", str(runs), "--executor", "serial"])
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "invalid.toml" in err and key in err
    assert not runs.exists()


def test_invalid_input_leaves_an_existing_store_untouched(tmp_path, capsys):
    """A bad file or option against an existing store changes nothing in it."""
    runs = tmp_path / "runs"
    assert main(["run", str(tiny(tmp_path)), "--runs", str(runs), "--executor", "serial", "-q"]) == 0
    before = snapshot(runs)
    bad = write(tmp_path, "tiny.toml", 'extends = "baseline"\n[world]\nyears = -1\n')
    assert main(["run", str(bad), "--runs", str(runs), "--executor", "serial"]) == 2
    assert main(["run", str(tiny(tmp_path)), "--runs", str(runs), "--replications", "0"]) == 2
    assert main(["run", str(tiny(tmp_path)), "--runs", str(runs), "--workers", "0"]) == 2
    assert snapshot(runs) == before
    capsys.readouterr()


def test_bad_arguments_exit_2(capsys):
    """argparse errors (unknown command, bad choice) exit 2 with usage on stderr."""
    for argv in (["bogus"], ["run", "baseline", "--executor", "cloud"], []):
        with pytest.raises(SystemExit) as done:
            main(argv)
        assert done.value.code == 2
    assert "usage: parksim" in capsys.readouterr().err


def test_changed_scenario_against_old_store_exits_2(tmp_path, capsys):
    """Running a changed scenario into its old store is refused (exit 2) until --overwrite."""
    runs = tmp_path / "runs"
    path = tiny(tmp_path)
    assert main(["run", str(path), "--runs", str(runs), "--executor", "serial", "-q"]) == 0
    tiny(tmp_path, tail="[policy.L1]\nenabled = true\n")
    assert main(["run", str(path), "--runs", str(runs), "--executor", "serial", "-q"]) == 2
    assert "different experiment" in capsys.readouterr().err
    assert main(["run", str(path), "--runs", str(runs), "--executor", "serial", "-q", "--overwrite"]) == 0


def test_validate_reports_scenarios(capsys):
    """validate prints a line per valid scenario and the catalogue report for Henan."""
    assert main(["validate", "baseline", "henan_2017", "sweep_entry_threshold"]) == 0
    out = capsys.readouterr().out
    assert "ok: baseline" in out and "150 parks" in out and "19 national, 131 provincial" in out
    assert "64 design points" in out


def test_run_compare_and_targets(tmp_path, capsys):
    """run writes a store, compare pairs two scenarios and writes a CSV, targets prints shares."""
    runs = tmp_path / "runs"
    a = tiny(tmp_path, "a")
    b = tiny(tmp_path, "b", head='replications = 2\ntargets = ["000.parks_about_20", "000.parks_300yi"]\n',
             tail="[policy.L1]\nenabled = true\n")
    assert main(["run", str(a), "--runs", str(runs), "--executor", "serial", "-q"]) == 0
    assert Store(runs / "a").read("manifest")["status"].eq("ok").all()
    assert main(["compare", str(a), str(b), "--runs", str(runs), "--executor", "serial", "-q"]) == 0
    out = capsys.readouterr().out
    assert "paired on 2 common seeds" in out and "share_producing_in_parks" in out
    table = pd.read_csv(runs / "compare_a_vs_b.csv")
    assert {"metric", "n", "diff", "ci_low", "ci_high"} <= set(table.columns)
    assert main(["targets", str(runs / "b")]) == 0
    out = capsys.readouterr().out
    assert "000.parks_300yi" in out and (runs / "b" / "targets.csv").is_file()
    assert main(["targets", str(a), "--runs", str(runs)]) == 2          # a has no targets


def test_sweep_command_writes_summary(tmp_path, capsys):
    """sweep runs every design point and writes summary.csv."""
    runs = tmp_path / "runs"
    path = tiny(tmp_path, tail='[sweep]\n[sweep.uncertainties]\n"world.projects_per_year" = [10.0, 20.0, 30.0]\n')
    assert main(["sweep", str(path), "--runs", str(runs), "--executor", "serial", "-q"]) == 0
    summary = pd.read_csv(runs / "tiny" / "summary.csv")
    assert sorted(summary["point"].unique()) == [0, 1, 2]
    assert "3 design points" in capsys.readouterr().out


def test_resume_after_kill(tmp_path):
    """Kill a sweep mid-way (SIGKILL), run the same command again: every run present exactly once."""
    runs = tmp_path / "runs"
    levels = ", ".join(str(float(v)) for v in range(10, 30))
    path = tiny(tmp_path, head="replications = 15\n",
                tail=f'[sweep]\n[sweep.uncertainties]\n"world.projects_per_year" = [{levels}]\n')
    command = PARKSIM + ["sweep", str(path), "--runs", str(runs), "--executor", "serial", "--chunk-runs", "5", "-q"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
    chunks = runs / "tiny" / "chunks"
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        if chunks.is_dir() and len(list(chunks.iterdir())) >= 3:
            break
        time.sleep(0.05)
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = Store(runs / "tiny").read("manifest")
    total = 20 * 15
    if killed:
        assert 0 < len(partial) < total
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    store = Store(runs / "tiny")
    manifest = store.read("manifest")
    assert len(manifest) == total and manifest["run_id"].is_unique and manifest["status"].eq("ok").all()
    metrics = store.read("metrics")
    assert len(metrics) == total and metrics["run_id"].is_unique
    series = store.read("series")
    assert len(series) == total * 4 and not series.duplicated(["run_id", "year"]).any()
    assert not (runs / "tiny" / "tmp").exists() or not any((runs / "tiny" / "tmp").iterdir())


def test_console_script_runs(tmp_path):
    """The installed `parksim` entry point works as a subprocess and reports bad input with exit 2."""
    ok = subprocess.run(PARKSIM + ["validate", "baseline"], capture_output=True, text=True, cwd=tmp_path)
    assert ok.returncode == 0 and "ok: baseline" in ok.stdout
    bad = subprocess.run(PARKSIM + ["run", "no_such_scenario", "--runs", str(tmp_path / "runs")],
                         capture_output=True, text=True, cwd=tmp_path)
    assert bad.returncode == 2 and "no_such_scenario" in bad.stderr and bad.stdout == ""
    assert not (tmp_path / "runs").exists()
