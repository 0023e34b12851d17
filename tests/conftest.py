"""Shared small worlds for model tests: fast enough to run many seeds."""

from pathlib import Path

import numpy as np
import pytest

from parksim.simulation import RULE_IDS, ParkModel, Policy, WorldConfig
from parksim.simulation.finance import INCOME, INTERNAL, SPENDING
from parksim.simulation.state import EXITED


def small_world(**overrides) -> WorldConfig:
    """Eight parks, ten years, a few hundred firms."""
    base = dict(years=10, n_parks=8, n_cities=3, initial_firms=300, projects_per_year=120,
                park_area_median=4000.0, land_quota=8000.0)
    base.update(overrides)
    return WorldConfig(**base)


def run_model(world: WorldConfig, policy: Policy, seed: int) -> ParkModel:
    """A model stepped to the end of its horizon."""
    model = ParkModel(world, policy, rng=seed)
    for _ in range(world.years):
        model.step()
    return model


# Every rule on (C7 aside: consolidation removes the small parks other tests look at).
EVERYTHING_ON = Policy.from_dict({rid: {"enabled": True} for rid in RULE_IDS if rid != "C7"})

# Series columns that are sums of the land, money and population ledgers: never nan or inf. (The
# concentration and network metrics are nan by definition when there is nothing to measure.)
LEDGER_COLUMNS = ("land_granted", "land_built", "land_construction", "land_idle", "land_reusable", "park_area",
                  "land_outside", "land_recovered", "land_released", "land_reused", "area_added", "area_cut",
                  "fund_budget", "land_income", "idle_fees", "subsidies_paid", "tax_returned", "park_rewards",
                  "output", "value_added", "tax", "employment", "energy", "pollution",
                  "firms_producing", "firms_in_parks", "entries", "exits", "projects_lost")


def assert_land_accounts(model: ParkModel) -> None:
    """Granted ≤ area per park; built + construction + idle = granted; no negative or orphaned land."""
    out = model.recorder.outputs()
    parks, s, f = out.parks, out.series, model.firms
    assert (parks.granted <= parks.area + 1e-6 * parks.area.clip(lower=1)).all()
    assert np.allclose(parks.built + parks.construction + parks.idle, parks.granted)
    assert (parks.reusable >= -1e-9).all()
    assert np.allclose(s.land_built + s.land_construction + s.land_idle, s.land_granted)
    assert (f.land >= 0).all() and (f.land_pending >= 0).all()
    assert (f.land[f.state == EXITED] == 0).all()
    assert f.park.ndim == 1                         # each firm holds exactly one park index


def assert_money_accounts(model: ParkModel) -> None:
    """Awards ≤ budget; parks' land income, funds and tax returns are the sums of the yearly flows."""
    out = model.recorder.outputs()
    s, last = out.series, out.parks[out.parks.year == out.parks.year.max()]
    assert np.isfinite(s[list(LEDGER_COLUMNS)].to_numpy()).all()
    assert (s.subsidies_paid <= s.fund_budget + 1e-6).all()
    assert np.isclose(last.land_income.sum(), s.land_income.sum() + s.idle_fees.sum())
    assert np.isclose(last.funds.sum(), s.subsidies_paid.sum() + s.park_rewards.sum())
    assert np.isclose(last.tax_returned.sum(), s.tax_returned.sum())
    assert np.isclose(model.firms.subsidy.sum(), s.subsidies_paid.sum())


def assert_population_accounts(model: ParkModel) -> None:
    """Firms alive at the end = firms at the start + entries − exits; Mesa's agents match the table."""
    s = model.recorder.outputs().series
    alive_start = int(s.firms_in_parks.iloc[0] + s.firms_outside.iloc[0])    # in parks and outside them
    live = model.firms.state != EXITED
    assert int(live.sum()) == alive_start + int(s.entries.sum()) - int(s.exits.sum())
    assert len(model.firm_agents) == live.sum()          # Mesa registry matches the column store


def assert_accounts(model: ParkModel) -> None:
    """The land, money and population ledgers of a finished run all balance."""
    assert_land_accounts(model)
    assert_money_accounts(model)
    assert_population_accounts(model)


def mean_over_seeds(world, policy, measure, seeds=(1, 2, 3, 4)) -> float:
    """Average of ``measure(model)`` over several seeds."""
    return float(np.mean([measure(run_model(world, policy, s)) for s in seeds]))


@pytest.fixture
def world():
    return small_world()


# The world table of a tiny scenario file, shared by the scenario, runner and CLI tests.
TINY_WORLD = """
years = 3
n_parks = 4
n_cities = 2
initial_firms = 40
projects_per_year = 15.0
land_quota = 4000.0
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    """Write a UTF-8 text file under ``tmp_path`` and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_accounts_balance(model) -> None:
    """Every account, every year: income − spending + net transfers = Δcash − Δdebt; transfers net to zero."""
    t = model.recorder.outputs().finance
    flow = t[list(INCOME)].sum(axis=1) - t[list(SPENDING)].sum(axis=1) + t[list(INTERNAL)].sum(axis=1)
    change = (t.cash - t.cash_opening) - (t.debt - t.debt_opening)
    scale = max(float(t[list(INCOME)].abs().to_numpy().max()), 1.0)
    assert np.allclose(flow, change, atol=1e-9 * scale)
    assert np.allclose(t.groupby("year")[list(INTERNAL)].sum().to_numpy(), 0.0, atol=1e-9 * scale)
