"""Capacity: runs and designs too large for the machine are refused before anything runs or is written."""

from __future__ import annotations

import pytest
from conftest import TINY_WORLD, write

import parksim.experiments.capacity as capacity
from parksim.cli import main
from parksim.experiments import Store, execute, make_executor, plan
from parksim.scenarios import available
from parksim.simulation import ConfigError, WorldConfig


def run_cli(tmp_path, text: str, capsys, *extra: str) -> tuple[int, str]:
    scenario = write(tmp_path, "big.toml", text)
    code = main(["run", str(scenario), "--runs", str(tmp_path / "runs"), "-q", *extra])
    return code, capsys.readouterr().err


def test_many_firms_in_many_parks_is_refused_by_memory(tmp_path, capsys):
    """n_parks = 5000 with initial_firms = 10_000_000: exit 2 naming both, the estimate and the limit; nothing written."""
    code, err = run_cli(tmp_path, 'extends = "baseline"\n[world]\nn_parks = 5000\ninitial_firms = 10_000_000\n', capsys)
    assert code == 2
    assert "estimated peak memory of one run" in err and "TB" in err
    assert "n_parks = 5000" in err and "initial_firms = 10000000" in err and "available memory" in err
    assert not (tmp_path / "runs").exists()


def test_exploding_project_growth_is_refused_by_the_firm_cap(tmp_path, capsys):
    """projects_per_year = 1e7 growing 100 % a year for 200 years: exit 2 on the firm cap."""
    code, err = run_cli(tmp_path, 'extends = "baseline"\n[world]\nprojects_per_year = 1e7\nproject_growth = 1.0\n'
                        'years = 200\n', capsys)
    assert code == 2
    assert "estimated firms" in err and "50,000,000 firms" in err and "project_growth = 1.0" in err
    assert not (tmp_path / "runs").exists()


def test_one_design_point_too_large_refuses_the_sweep(tmp_path, capsys):
    """A sweep with one point beyond the machine names that point and runs nothing."""
    text = ('extends = "baseline"\n[world]\nn_parks = 3000\n[sweep]\nmethod = "factorial"\n'
            '[sweep.uncertainties]\n"world.initial_firms" = [100, 5_000_000]\n')
    code = main(["sweep", str(write(tmp_path, "big.toml", text)), "--runs", str(tmp_path / "runs"), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and "design point 1" in err and "initial_firms = 5000000" in err
    assert not (tmp_path / "runs").exists()


def test_memory_limit_from_the_environment(tmp_path, capsys, monkeypatch):
    """PARKSIM_MEMORY_LIMIT replaces the machine's figure, and the message says so."""
    monkeypatch.setenv(capacity.MEMORY_ENV, "100M")
    code, err = run_cli(tmp_path, 'extends = "baseline"\n[world]' + TINY_WORLD, capsys)
    assert code == 2 and "at most 100 MB, PARKSIM_MEMORY_LIMIT=100M" in err


def test_bad_memory_limit_in_the_environment(tmp_path, capsys, monkeypatch):
    """A PARKSIM_MEMORY_LIMIT that is not a size is an error naming the variable and the value."""
    monkeypatch.setenv(capacity.MEMORY_ENV, "lots")
    code, err = run_cli(tmp_path, 'extends = "baseline"\n[world]' + TINY_WORLD, capsys)
    assert code == 2 and "PARKSIM_MEMORY_LIMIT: got 'lots'" in err


@pytest.mark.parametrize("name", available())
def test_shipped_scenarios_fit(name):
    """Every shipped scenario (and its sweep) plans within the caps on this machine."""
    scenario_plan = plan(name, sweep=name.startswith("sweep_"))
    assert scenario_plan.estimate.peak_bytes.max() < capacity.memory_limit()[0]


def test_store_larger_than_the_disk_is_refused_before_writing(tmp_path, monkeypatch):
    """A design whose store would not fit on its disk raises ConfigError and creates no store."""
    scenario = write(tmp_path, "tiny.toml", 'extends = "baseline"\nreplications = 2\n[world]' + TINY_WORLD)
    monkeypatch.setattr(capacity, "STORE_RUN_BYTES", 1e18)
    with pytest.raises(ConfigError, match=r"store: got 'estimated .* for 1 design points × 2 replications'"):
        execute(plan(scenario), Store(tmp_path / "out" / "tiny"), make_executor("serial"), progress=False)
    assert not (tmp_path / "out").exists()


def test_estimate_grows_with_each_size_parameter():
    """More parks, firms, projects, growth or years never make a run cheaper."""
    base = dict(years=16, parks=20, initial_firms=1500, projects_per_year=400.0, project_growth=0.03)
    first = capacity.estimate(**base)
    for key, more in (("years", 30), ("parks", 200), ("initial_firms", 50_000), ("projects_per_year", 4000.0),
                      ("project_growth", 0.2)):
        bigger = capacity.estimate(**{**base, key: more})
        assert bigger.peak_bytes > first.peak_bytes and bigger.seconds > first.seconds, key


def test_listed_parks_count_instead_of_n_parks():
    """A world with explicit parks is estimated on its list, not on n_parks."""
    from parksim.simulation import ParkSpec
    listed = WorldConfig(n_parks=5000).with_parks((ParkSpec(name="a", level="city", area_mu=100.0),))
    assert capacity.estimate_world(listed).parks == 1


def test_store_estimate_counts_the_finance_accounts(tmp_path, monkeypatch):
    """The finance table has at most ACCOUNTS_PER_PARK rows per park-year, and the store estimate adds
    that many rows of STORE_ACCOUNT_YEAR_BYTES per park-year of every run."""
    scenario = write(tmp_path, "tiny.toml", 'extends = "baseline"\nreplications = 2\n[world]' + TINY_WORLD)
    p = plan(scenario)
    store = Store(tmp_path / "out")
    execute(p, store, make_executor("serial"), progress=False)
    finance, parks = store.read("finance"), store.read("parks")
    assert 0 < len(finance) <= capacity.ACCOUNTS_PER_PARK * len(parks)
    years = p.scenario.world.years
    full = capacity.store_bytes(p.estimate, years, 2)
    monkeypatch.setattr(capacity, "STORE_ACCOUNT_YEAR_BYTES", 0)
    rows = 2 * (years + 1) * float(p.estimate.parks[0])
    assert full - capacity.store_bytes(p.estimate, years, 2) == pytest.approx(rows * capacity.ACCOUNTS_PER_PARK * 115)
