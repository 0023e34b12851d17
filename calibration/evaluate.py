"""Batch evaluation: many parameter vectors × replications, through the runner's executors.

One task holds one parameter vector and all its replication seeds (the chunk), so a whole
population of differential evolution, or a whole SALib sample, goes to the local pool or a Dask
cluster in one parallel batch. The worker runs the model and returns only the few numbers asked
for (moments and headline outputs), not the tables, so little crosses process boundaries.
Replication r uses the same seed for every vector (common random numbers): differences between
vectors are then not blurred by different random draws, which makes the noisy objective smooth
enough for the optimiser.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from parksim.scenarios.loader import Scenario
from parksim.simulation import Policy, WorldConfig, simulate

from .moments import MomentView, measure
from .space import FreeParameter, point


@dataclass(frozen=True)
class Measure:
    """Something to read off a run: a moment (with year and argument) or a final-year series column."""

    key: str
    moment: str = ""
    year: int | None = None
    arg: object = None
    series: str = ""


@dataclass(frozen=True)
class EvalTask:
    """One parameter vector with its replication seeds: the unit of work sent to an executor."""

    index: int
    world: WorldConfig
    policy: Policy
    seeds: tuple[int, ...]
    measures: tuple[Measure, ...]


def evaluate_task(task: EvalTask) -> dict:
    """Run every replication of one vector; never raises (a failure gives NaNs and the error text)."""
    started = time.time()
    rows, error = [], ""
    for seed in task.seeds:
        try:
            view = MomentView(simulate(task.world, task.policy, seed=seed))
            last = view.series.iloc[-1]
            rows.append({m.key: (float(last[m.series]) if m.series else measure(view, m.moment, m.year, m.arg))
                         for m in task.measures})
        except Exception as e:  # noqa: BLE001 - one failed run must not stop a calibration
            error = f"{type(e).__name__}: {e}"
            rows.append({m.key: np.nan for m in task.measures})
    return {"index": task.index, "rows": rows, "error": error, "seconds": time.time() - started}


def tasks_for(scenario: Scenario, params: Sequence[FreeParameter], X, seeds: Sequence[int],
              measures: Sequence[Measure], where: str = "") -> list[EvalTask]:
    """One task per row of ``X``; each vector is validated (ConfigError) before anything runs."""
    tasks = []
    for i, x in enumerate(np.atleast_2d(np.asarray(X, float))):
        world, policy = scenario.configure(point(params, x), where=where)
        tasks.append(EvalTask(i, world, policy, tuple(int(s) for s in seeds), tuple(measures)))
    return tasks


def evaluate(tasks: list[EvalTask], executor) -> list[dict]:
    """Outcomes of ``tasks`` in task order, on an *entered* executor (``with make_executor(...) as ex``)."""
    out = [None] * len(tasks)
    for outcome in executor.map(evaluate_task, tasks):
        out[outcome["index"]] = outcome
    return out
