"""The one documented entry point for a single run: configuration and seed in, DataFrames out."""

from __future__ import annotations

from collections.abc import Callable

from .model import ParkModel
from .observe import RunOutputs
from .policy import Policy
from .sectors import SectorCatalogue
from .world import WorldConfig


def simulate(world: WorldConfig | None = None, policy: Policy | None = None, seed: int = 0,
             snapshot_years: tuple[int, ...] = (), sectors: SectorCatalogue | None = None,
             on_year: Callable[[ParkModel], None] | None = None) -> RunOutputs:
    """Run the model for ``world.years`` years and return its outputs.

    Args:
        world: parks, demand and behaviour (defaults: a 20-park synthetic region).
        policy: rule switches and parameters (default: every rule off, the baseline).
        seed: integer seed; the same inputs and seed give identical outputs.
        snapshot_years: calendar years at which to keep a snapshot of every live firm.
        sectors: sector catalogue (default: the packaged one).
        on_year: an observer called with the model after set-up and after each year (it must only read
            the model), so that one run can give more than its outputs (the dashboard's network trace).

    Returns:
        RunOutputs with ``series`` (yearly model totals and metrics), ``parks`` (yearly park panel),
        ``firms`` (snapshots) and ``events`` (entries, exits, land recovered, sanctions, with rule ids).
    """
    model = ParkModel(world, policy, sectors, snapshot_years, rng=seed)
    if on_year is not None:
        on_year(model)
    for _ in range(model.world.years):
        model.step()
        if on_year is not None:
            on_year(model)
    outputs = model.recorder.outputs()
    model.release()
    return outputs
