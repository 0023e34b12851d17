"""Shared small worlds for model tests: fast enough to run many seeds."""

from pathlib import Path

import numpy as np
import pytest

from parksim.simulation import ParkModel, Policy, WorldConfig


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
