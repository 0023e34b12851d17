"""The calibration driver: differential evolution over the SMM loss, with a resumable history.

Settings aimed at a noisy, expensive objective: every vector is scored on the same replication
seeds (common random numbers), the whole population is evaluated as one parallel batch
(``updating='deferred'`` with a map-like ``workers``), no gradient polishing (``polish=False``,
which would chase noise), dithered mutation and Latin-hypercube initialisation. The optimiser's
``rng`` is seeded, so the same settings propose the same vectors: a killed calibration run again
with the same arguments replays the search, taking every vector already in the history from the
store instead of running it.

Layout of ``runs/calibration/<name>/``: ``experiment.json`` (settings and identity), Parquet
chunks whose ``metrics`` table is the search history (one row per evaluated vector: generation,
parameters, loss, each target's simulated mean and sd), and ``result.json`` (written atomically
at the end).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import differential_evolution

from parksim.experiments.executors import make_executor
from parksim.experiments.runner import code_version, replication_seeds
from parksim.experiments.store import Store
from parksim.scenarios.loader import Scenario, load_scenario
from parksim.simulation import ConfigError

from .evaluate import evaluate, tasks_for
from .smm import loss, measures, summarise, target_table
from .space import FreeParameter
from .targets import Target, TargetSet, load_targets

log = logging.getLogger(__name__)

POPSIZE = 10              # population = POPSIZE × number of parameters
MUTATION = (0.5, 1.0)     # dithering: a new mutation constant each generation
RECOMBINATION = 0.7


@dataclass
class CalibrationResult:
    """The outcome: best parameters, loss, per-target table, and where the history lives."""

    params: dict
    loss: float
    table: pd.DataFrame
    history: pd.DataFrame
    evaluations: int
    generations: int
    seconds: float
    store: Store
    record: dict = field(default_factory=dict)


def budget_generations(budget: int, n_params: int, popsize: int = POPSIZE) -> int:
    """DE's ``maxiter`` for a budget of objective evaluations (the first population counts as one)."""
    pop = popsize * n_params
    if budget < pop:
        raise ConfigError("--budget", budget, f"at least one population ({popsize} × {n_params} parameters = {pop} evaluations)")
    return budget // pop - 1


def _record(scenario: Scenario, targets: TargetSet, params: Sequence[FreeParameter], replications: int,
            seed: int, budget: int, popsize: int, measured: Sequence[Target]) -> dict:
    settings = {"scenario": scenario.name, "fingerprint": scenario.fingerprint(), "root_seed": scenario.seed,
                "replications": replications, "seed": seed, "popsize": popsize, "mutation": list(MUTATION),
                "recombination": RECOMBINATION,
                "parameters": {p.path: [p.lo, p.hi] for p in params},
                "targets": {t.key: [t.moment, t.year, None if t.arg is None else str(t.arg), t.value, t.low, t.high,
                                    t.tolerance, t.weight] for t in measured}}
    identity = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return {**settings, "identity": identity, "budget": budget, "targets_file": str(targets.path),
            "created": pd.Timestamp.now("UTC").isoformat(), "code_version": code_version()}


class _BatchObjective:
    """DE's map-like ``workers``: scores a whole population in one batch, reusing the stored history."""

    def __init__(self, scenario, params, seeds, targets, executor, store, history, progress):
        self.scenario, self.params, self.seeds, self.targets = scenario, params, seeds, targets
        self.executor, self.store, self.progress = executor, store, progress
        self.measures = measures(targets)
        self.cache = {tuple(r[p.path] for p in params): r for r in history.to_dict("records")}
        self.generation = 0
        self.evaluated = 0

    def __call__(self, _func: Callable, population) -> list[float]:
        X = np.asarray(list(population), float)
        keys = [tuple(float(v) for v in x) for x in X]
        todo = [i for i, k in enumerate(keys) if k not in self.cache]
        started = time.time()
        if todo:
            where = f"{self.scenario.path or self.scenario.name}: calibration vector → "
            outcomes = evaluate(tasks_for(self.scenario, self.params, X[todo], self.seeds, self.measures, where),
                                self.executor)
            rows = []
            for i, o in zip(todo, outcomes):
                mean, sd = summarise(o["rows"], [t.key for t in self.targets])
                row = {"generation": self.generation, "member": i, **dict(zip((p.path for p in self.params), keys[i])),
                       "loss": loss(mean, self.targets), "error": o["error"], "seconds": o["seconds"],
                       **{f"sim.{k}": v for k, v in mean.items()}, **{f"sd.{k}": v for k, v in sd.items()}}
                self.cache[keys[i]] = row
                rows.append(row)
            self.store.write_chunk({"metrics": pd.DataFrame(rows)})
            self.evaluated += len(todo)
        losses = [self.cache[k]["loss"] for k in keys]
        if self.progress:
            log.info("generation %d: %d evaluated, %d from the history, best loss %.4g (%.1f s)", self.generation,
                     len(todo), len(keys) - len(todo), min(losses), time.time() - started)
        self.generation += 1
        return losses


def calibrate(scenario: Scenario | str, targets: TargetSet | str | Path | None = None, *, out: str | Path,
              budget: int = 2000, replications: int = 4, seed: int = 0, popsize: int = POPSIZE,
              params: Sequence[FreeParameter] | None = None, executor: str = "pool", workers: int | None = None,
              scheduler: str | None = None, overwrite: bool = False, progress: bool = True) -> CalibrationResult:
    """Calibrate a scenario's free parameters to the targets by SMM and differential evolution.

    Args:
        scenario: the scenario (or its name/path) whose world is calibrated; its policy stays fixed.
        targets: a TargetSet or a targets file (default: ``calibration/targets.toml``).
        out: the calibration's directory (a Store). Running again with the same settings resumes.
        budget: objective evaluations (one evaluation = one parameter vector × ``replications`` runs).
        replications: runs per evaluation, on seeds ``replication_seeds(scenario.seed, replications)``.
        seed: seed of the optimiser.
        params: free parameters with bounds (default: the targets file's ``[parameters]``).
        executor, workers, scheduler: where runs execute (see :func:`parksim.experiments.executors.make_executor`).
        overwrite: discard an existing calibration directory (another calibration, or another model version).
        progress: log a line per generation (logger ``parksim.calibration.search``, level INFO).

    Raises:
        ConfigError: bad scenario, targets, parameters or budget (before anything runs).
        StoreMismatch: ``out`` holds a different calibration, or one run by another model version, and
            ``overwrite`` is false.
        StoreBusy: another process is writing to ``out``.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if not isinstance(targets, TargetSet):
        targets = load_targets(targets)
    params = tuple(params if params is not None else targets.parameters)
    if not params:
        raise ConfigError(f"{targets.path}: parameters", None, "at least one free parameter to calibrate")
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise ConfigError("--replications", replications, "an integer >= 1")
    maxiter = budget_generations(budget, len(params), popsize)
    years = list(range(scenario.world.start_year, scenario.world.start_year + scenario.world.years + 1))
    measured = targets.measurable(years)
    unmeasured = tuple(t for t in targets.targets if t not in measured)
    if not measured:
        raise ConfigError(f"{targets.path}: targets", [t.key for t in targets.targets],
                          f"at least one target measurable in {scenario.name} (years {years[0]}-{years[-1]})")
    record = _record(scenario, targets, params, replications, seed, budget, popsize, measured)
    store = Store(out).open(record, new_store=overwrite)
    history = store.read("metrics")
    seeds = replication_seeds(scenario.seed, replications)
    started = time.time()
    with make_executor(executor, workers, scheduler) as ex:
        objective = _BatchObjective(scenario, params, seeds, measured, ex, store, history, progress)
        de = differential_evolution(
            _unused_objective, [(p.lo, p.hi) for p in params], maxiter=maxiter, popsize=popsize,
            mutation=MUTATION, recombination=RECOMBINATION, init="latinhypercube", polish=False, tol=0.0,
            atol=0.0, updating="deferred", workers=objective, rng=seed,
            integrality=[p.integer for p in params])
    store.close()                                   # the writer lock; the results are read without it
    seconds = time.time() - started
    history = store.read("metrics")
    best = objective.cache[tuple(float(v) for v in de.x)]
    mean = {t.key: best[f"sim.{t.key}"] for t in measured}
    sd = {t.key: best[f"sd.{t.key}"] for t in measured}
    table = target_table(mean, sd, measured, unmeasured)
    values = {p.path: p.cast(v) for p, v in zip(params, de.x)}
    result = {**record, "params": values, "loss": float(de.fun), "evaluations": int(de.nfev),
              "generations": int(de.nit), "new_evaluations": objective.evaluated, "seconds": seconds,
              "executor": executor, "targets_table": json.loads(table.to_json(orient="records")),
              "not_measurable": [t.key for t in unmeasured], "finished": pd.Timestamp.now("UTC").isoformat()}
    write_json_atomic(store.path / "result.json", result)
    return CalibrationResult(values, float(de.fun), table, history, int(de.nfev), int(de.nit), seconds, store, result)


def _unused_objective(x):
    """Never called: the batch ``workers`` scores whole populations (kept picklable for scipy)."""
    raise RuntimeError("the calibration objective is evaluated in batches by _BatchObjective")


def write_json_atomic(path: Path, record: dict) -> None:
    """Write JSON to a temporary file and rename it into place (never half-written)."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(record, fh, ensure_ascii=False, indent=1, default=str)
    os.replace(tmp, path)


def load_result(path: str | Path) -> dict:
    """A calibration's ``result.json`` (from its directory or the file)."""
    path = Path(path)
    file = path / "result.json" if path.is_dir() else path
    try:
        with open(file, encoding="utf-8") as fh:
            return json.load(fh)
    except OSError as e:
        raise ConfigError(str(file), e.strerror, "the result.json of a finished calibration (parksim calibrate)") from None
