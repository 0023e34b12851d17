"""The experiment runner: one pure run, and sweeps of design points × replications into a store.

- :func:`run_one` is a pure function: configuration and seed in, DataFrames and metrics out.
- Seeds come from ``numpy.random.SeedSequence(root).spawn(...)``: replication ``r`` gets the same
  seed at every design point and in every scenario with the same root seed (common random numbers),
  so differences between points or scenarios are paired.
- :func:`plan` validates every design point before anything runs; :func:`execute` runs what the
  store does not hold yet, on any executor, writing chunks as results arrive. Run it again with the
  same arguments and it resumes; a run that raises is recorded as failed and the sweep goes on. An
  interrupt (KeyboardInterrupt, or SIGTERM turned into one by the CLI) writes the finished runs first.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import os
import socket
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Container, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from parksim.scenarios.loader import Scenario, load_scenario
from parksim.simulation import ConfigError, Policy, WorldConfig, simulate
from parksim.simulation.params import check_value
from parksim.simulation.policy import RULE_IDS
from parksim.simulation.schedule import to_entry

from . import capacity, interrupts
from . import targets as target_metrics
from .compare import compare, summarise
from .costs import cost_metrics
from .design import design_for, design_rows
from .executors import make_executor
from .headline import FINAL, HEADLINE, TOTALS
from .store import OUTPUT_TABLES, RUN_TABLES, Store, StoreMismatch

DEFAULT_RUNS_DIR = "runs"


def replication_seeds(root: int, n: int) -> list[int]:
    """Seeds of replications 0..n-1: child r of ``SeedSequence(root)`` as a 63-bit integer.

    Child r does not depend on n, so adding replications later keeps the earlier seeds.
    """
    return [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in np.random.SeedSequence(root).spawn(n)]


@dataclass(frozen=True)
class RunConfig:
    """Everything one run needs besides its seed."""

    world: WorldConfig
    policy: Policy
    targets: tuple[str, ...] = ()


@dataclass
class RunResult:
    """One run's outputs: yearly series, park panel, events (counts, or raw), a metrics row and the
    model's other stored tables (:data:`~parksim.experiments.store.OUTPUT_TABLES`: investment, growth,
    finance)."""

    series: pd.DataFrame
    parks: pd.DataFrame
    events: pd.DataFrame
    metrics: dict[str, float]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def _config_of(config) -> RunConfig:
    if isinstance(config, RunConfig):
        return config
    if isinstance(config, Scenario):
        return RunConfig(config.world, config.policy, config.targets)
    if isinstance(config, (str, os.PathLike)):
        s = load_scenario(config)
        return RunConfig(s.world, s.policy, s.targets)
    if isinstance(config, tuple) and len(config) == 2:
        return RunConfig(*config)
    raise TypeError(f"config: got {type(config).__name__}; "
                    "allowed: Scenario, RunConfig, (WorldConfig, Policy) or a scenario name")


def run_one(config: Scenario | RunConfig | tuple | str, seed: int, *, keep_events: bool = False,
            on_year: Callable | None = None) -> RunResult:
    """Run the model once; pure (no I/O, same inputs and seed → same outputs).

    Args:
        config: a Scenario (its base point), a RunConfig, a (WorldConfig, Policy) pair or a scenario name.
        seed: the run's integer seed.
        keep_events: return the raw event log instead of counts per year, kind and rule.
        on_year: an observer of the model after set-up and each year (:func:`parksim.simulation.simulate`).

    Returns:
        RunResult; ``metrics`` holds the headline metrics (:data:`HEADLINE`; ``total_*`` over the years
        the rules act, after ``start_year + world.burn_in``) and ``target.<id>`` values for the
        configuration's targets.
    """
    cfg = _config_of(config)
    years = target_metrics.snapshot_years(cfg.targets)
    out = simulate(cfg.world, cfg.policy, seed=seed, snapshot_years=years, on_year=on_year)
    last = out.series.iloc[-1]
    metrics = {k: float(last[k]) for k in FINAL}
    base = cfg.world.start_year + cfg.world.burn_in      # the rules act in the years after
    counted = out.series["year"] > base
    metrics.update({f"total_{k}": float(out.series.loc[counted, k].sum()) for k in TOTALS})
    metrics.update(cost_metrics(out.series, base))
    if cfg.targets:
        metrics.update(target_metrics.measure_all(cfg.targets, out.series, out.parks, out.events, out.firms,
                                                  cfg.world.scale))
    events = out.events if keep_events else event_counts(out.events)
    tables = {name: pd.DataFrame() if getattr(out, name) is None else getattr(out, name) for name in OUTPUT_TABLES}
    return RunResult(out.series, out.parks, events, metrics, tables)


def event_counts(events: pd.DataFrame) -> pd.DataFrame:
    """Events per year, kind and rule: their number ``n`` and summed ``value``, sorted by the three.

    The same frame as ``groupby(["year", "kind", "rule"], as_index=False).agg(...)``, grouped on the
    text columns' sorted codes instead of the text, which costs a fraction.
    """
    kind, kinds = pd.factorize(events["kind"], sort=True)
    rule, rules = pd.factorize(events["rule"], sort=True)
    if events.empty or (kind < 0).any() or (rule < 0).any():            # missing text: pandas drops those rows
        return events.groupby(["year", "kind", "rule"], as_index=False).agg(n=("kind", "size"), value=("value", "sum"))
    g = events["value"].groupby([events["year"].to_numpy(), kind, rule], sort=True).agg(["size", "sum"])
    year, kind, rule = (g.index.get_level_values(i).to_numpy() for i in range(3))
    return pd.DataFrame({"year": year, "kind": kinds.take(kind), "rule": rules.take(rule),
                         "n": g["size"].to_numpy(), "value": g["sum"].to_numpy()})


# ----------------------------------------------------------------------------- tasks

@dataclass(frozen=True)
class RunTask:
    """One run of a plan: its id, design point, replication, seed and configuration."""

    run_id: str
    point: int
    replication: int
    seed: int
    params: Mapping[str, Any]
    config: RunConfig | None
    keep_events: bool = False
    error: str = ""              # why the design point has no valid configuration (then ``config`` is None)


def execute_task(task: RunTask, on_year: Callable | None = None) -> dict:
    """Run a task and never raise: the outcome holds either the tables or the error and traceback.
    ``on_year`` observes the model while it runs (:func:`run_one`)."""
    started = time.time()
    outcome = {"run_id": task.run_id, "point": task.point, "replication": task.replication, "seed": task.seed,
               "params": json.dumps(dict(task.params), sort_keys=True, default=str), "started": started,
               "host": socket.gethostname(), "pid": os.getpid()}
    if task.config is None:
        outcome.update(status="failed", error=f"ConfigError: {task.error}", traceback="", seconds=0.0)
        return outcome
    try:
        result = run_one(task.config, task.seed, keep_events=task.keep_events, on_year=on_year)
    except Exception as e:  # noqa: BLE001 - any failure of one run is recorded, the sweep goes on
        outcome.update(status="failed", error=f"{type(e).__name__}: {e}", traceback=traceback.format_exc(),
                       seconds=time.time() - started)
        return outcome
    outcome.update(status="ok", error="", traceback="", seconds=time.time() - started,
                   series=result.series, parks=result.parks, events=result.events, **result.tables,
                   metrics={**dict(task.params), **result.metrics})
    return outcome


FULL_CHECK_POINTS = 2_000


def run_id(point: int, replication: int) -> str:
    """The id of replication ``replication`` at design point ``point``, e.g. ``p00003-r0007``."""
    return f"p{point:05d}-r{replication:04d}"


@dataclass
class Plan:
    """A validated experiment: the scenario, its design and the seeds; its tasks are made on demand."""

    scenario: Scenario
    design: pd.DataFrame
    seeds: list[int]
    identity: str
    keep_events: bool = False
    estimate: capacity.RunEstimate | None = None    # per design point

    @property
    def factors(self) -> list[str]:
        return [c for c in self.design.columns if c != "point"]

    @property
    def size(self) -> int:
        """Number of runs: design points × replications."""
        return len(self.design) * len(self.seeds)

    def run_ids(self) -> Iterator[str]:
        """The id of every run, in task order."""
        for point in self.design["point"].tolist():
            for r in range(len(self.seeds)):
                yield run_id(int(point), r)

    def configure(self, point: int, params: Mapping[str, Any]) -> RunConfig:
        """The configuration of one design point (ConfigError naming the file and point if invalid)."""
        where = f"{self.scenario.path or self.scenario.name}: design point {point} {dict(params)} → "
        world, policy = self.scenario.configure(params, where=where)
        return RunConfig(world, policy, self.scenario.targets)

    def check(self, limit: int | None = None) -> None:
        """Configure the first ``limit`` design points (all with None); ConfigError for the first invalid one."""
        for point, params in itertools.islice(design_rows(self.design), limit):
            self.configure(point, params)

    def iter_tasks(self, skip: Container[str] = frozenset()) -> Iterator[RunTask]:
        """The tasks whose run id is not in ``skip``, one design point at a time.

        A point is configured only when one of its runs is left, so a resume does not configure the
        finished part of a large design again. A point beyond the ones :func:`plan` configured that
        fails the cross-parameter checks gives tasks without a configuration: they are recorded
        as failed runs naming the error.
        """
        for point, params in design_rows(self.design):
            left = [(r, run_id(point, r)) for r in range(len(self.seeds)) if run_id(point, r) not in skip]
            if not left:
                continue
            try:
                config, error = self.configure(point, params), ""
            except ConfigError as e:
                config, error = None, str(e)
            for r, rid in left:
                yield RunTask(rid, point, r, self.seeds[r], params, config, self.keep_events, error)

    @property
    def tasks(self) -> list[RunTask]:
        """Every task, materialised (:meth:`iter_tasks` makes them as they are needed)."""
        return list(self.iter_tasks())

    def record(self) -> dict:
        """The experiment record kept in the store (``experiment.json``)."""
        s = self.scenario
        return {"scenario": s.name, "description": s.description, "identity": self.identity,
                "fingerprint": s.fingerprint(), "files": [str(f) for f in s.files],
                "root_seed": s.seed, "replications": s.replications, "seeds": self.seeds,
                "targets": list(s.targets), "factors": self.factors,
                "design": json.loads(self.design.to_json(orient="records")),
                "created": pd.Timestamp.now("UTC").isoformat(), "code_version": code_version(),
                "environment": environment()}

    def points(self) -> pd.DataFrame:
        """Each design point as it runs: factor values and the fully resolved world, park list, policy
        and schedule (as ``[[schedule]]`` tables), as JSON text (``points.parquet`` of the store).
        ``parks`` is empty when the parks are generated from ``n_parks`` with each run's seed.

        A point's world and policy are the scenario's with the point's factor values put in, which is
        what :meth:`Scenario.configure` builds; they are not validated again here (:func:`plan` checked
        every value against its range, and a point failing a cross-parameter check runs as a failed
        run naming why), so a 10⁵-point table takes seconds.
        """
        world = _fields(self.scenario.world, skip=("parks", "schedule"))
        world["places"] = [_fields(p) for p in self.scenario.world.places]
        policy = {rid: _fields(self.scenario.policy[rid]) for rid in RULE_IDS}
        parks = json.dumps([_fields(p) for p in self.scenario.world.parks], ensure_ascii=False)
        schedule = json.dumps([to_entry(i) for i in self.scenario.world.schedule], ensure_ascii=False)
        rows = []
        for point, params in design_rows(self.design):
            w, pol = dict(world), dict(policy)
            for path, value in params.items():
                head, *rest = path.split(".")
                if head == "world":
                    w[rest[0]] = value
                else:
                    pol[rest[0]] = {**pol[rest[0]], rest[1]: value}
            rows.append({"point": point, "params": json.dumps(params, sort_keys=True, default=str),
                         "world": json.dumps(w), "parks": parks, "policy": json.dumps(pol, default=str),
                         "schedule": schedule})
        return pd.DataFrame(rows, columns=["point", "params", "world", "parks", "policy", "schedule"])


@cache
def _field_names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _fields(record, skip: tuple[str, ...] = ()) -> dict:
    """A frozen dataclass's fields as a dict, without :func:`dataclasses.asdict`'s deep copy (10x faster
    on a 10⁵-point design)."""
    values = vars(record)
    return {name: values[name] for name in _field_names(type(record)) if name not in skip}


def plan(scenario: Scenario | str, *, sweep: bool = False, design: pd.DataFrame | None = None,
         replications: int | None = None, seed: int | None = None, keep_events: bool = False) -> Plan:
    """Validate and lay out an experiment; nothing runs and nothing is written.

    Every factor value of every design point is checked against its declared type and range a
    column at a time; the first :data:`FULL_CHECK_POINTS` points are also configured in full
    (cross-parameter checks such as shares adding up to at most 1). Beyond that, points are
    configured as their runs start (:meth:`Plan.iter_tasks`), so that planning 10⁵ points takes
    seconds; ``parksim validate`` configures every point.

    Args:
        scenario: a Scenario or a scenario name/path.
        sweep: use the scenario's ``[sweep]`` design (else only its base point).
        design: an explicit design instead (a DataFrame with one column per factor path, e.g. from
            :func:`parksim.experiments.design.latin_hypercube`; a ``point`` column is added if missing).
        replications, seed: override the scenario's values.
        keep_events: store raw events instead of counts.

    Raises:
        ConfigError: bad scenario, no ``[sweep]`` when ``sweep`` is asked for, a design point
            that gives an invalid world or policy (naming the file and the point), or one whose run
            would exceed the firm cap or the memory limit (:mod:`parksim.experiments.capacity`).
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if replications is not None or seed is not None:
        try:
            scenario = scenario.replace(**{k: v for k, v in (("replications", replications), ("seed", seed))
                                           if v is not None})
        except ConfigError as e:
            raise ConfigError(f"command line: {e.where}", e.value, e.allowed) from None
    where = str(scenario.path or scenario.name)
    if sweep and scenario.sweep is None:
        raise ConfigError(f"{where}: sweep", None, "a [sweep] table with a design (or use `run` for a single point)")
    if design is not None:
        design = design.reset_index(drop=True)
        if "point" not in design:
            design.insert(0, "point", range(len(design)))
    elif sweep:
        design = design_for(scenario)
    else:
        design = design_for(dataclasses.replace(scenario, sweep=None))
    for path in design.columns:
        if path != "point":
            _check_column(design, path, where)
    seeds = replication_seeds(scenario.seed, scenario.replications)
    identity = hashlib.sha256(json.dumps(
        {"fingerprint": scenario.fingerprint(), "design": json.loads(design.to_json(orient="records")),
         "keep_events": keep_events}, sort_keys=True).encode()).hexdigest()[:16]
    estimate = capacity.check_design(scenario.world, design, f"{where}: ")
    planned = Plan(scenario, design, seeds, identity, keep_events, estimate)
    planned.check(FULL_CHECK_POINTS)
    return planned


def _check_column(design: pd.DataFrame, path: str, where: str) -> None:
    """Every value of one factor column against the factor's declared type and range, vectorised."""
    from parksim.scenarios.loader import _factor_field
    spec = _factor_field(path, f"{where}: design column {path}")
    column, points = design[path], design["point"].to_numpy()
    if column.dtype == object:                       # listed points: few, one by one
        bad = column.notna().to_numpy()
    else:
        values = column.to_numpy()
        kind, meta = spec.type, spec.metadata
        if kind == "bool":
            bad = np.full(len(values), values.dtype != bool)
        elif kind == "int" and values.dtype.kind not in "iu":
            bad = ~np.isnan(values) if values.dtype.kind == "f" else np.ones(len(values), bool)
        elif values.dtype.kind not in "iuf":
            bad = np.ones(len(values), bool)
        else:
            with np.errstate(invalid="ignore"):
                bad = ~np.isfinite(values) & ~np.isnan(values)
                if meta.get("lo") is not None:
                    bad |= values < meta["lo"]
                if meta.get("hi") is not None:
                    bad |= values > meta["hi"]
                if meta.get("choices"):
                    bad |= ~np.isin(values, meta["choices"]) & ~np.isnan(values.astype(float))
    for i in np.flatnonzero(bad):                    # the first value that really is invalid raises
        value = column.iloc[i]
        check_value(spec, value.item() if hasattr(value, "item") else value,
                    f"{where}: design point {int(points[i])} → {path}")


# ----------------------------------------------------------------------------- executing

@dataclass
class Report:
    """What one call of :func:`execute` did."""

    store: Store
    total: int
    skipped: int
    ok: int = 0
    failed: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def ran(self) -> int:
        return self.ok + self.failed


def _tables(outcomes: list[dict], plan_: Plan, versions: dict, executor: str) -> dict[str, pd.DataFrame]:
    s = plan_.scenario
    manifest = pd.DataFrame([{
        "run_id": o["run_id"], "scenario": s.name, "point": o["point"], "replication": o["replication"],
        "seed": o["seed"], "root_seed": s.seed, "params": o["params"], "status": o["status"], "error": o["error"],
        "traceback": o["traceback"], "started": pd.Timestamp(o["started"], unit="s", tz="UTC"),
        "seconds": o["seconds"], "code_version": versions["version"], "source_hash": versions["source_hash"],
        "executor": executor, "host": o["host"], "pid": o["pid"]} for o in outcomes])
    ok = [o for o in outcomes if o["status"] == "ok"]

    def stacked(name):
        frames = []
        for o in ok:
            if o.get(name) is None or not len(o[name]):
                continue
            f = o[name].copy()
            f.insert(0, "replication", o["replication"])
            f.insert(0, "point", o["point"])
            f.insert(0, "run_id", o["run_id"])
            frames.append(f)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    metrics = pd.DataFrame([{"run_id": o["run_id"], "point": o["point"], "replication": o["replication"],
                             "seed": o["seed"], **o["metrics"]} for o in ok])
    for col in plan_.factors:
        if col in metrics and metrics[col].dtype == object:
            try:                         # explicit designs hold objects; keep numbers numeric for Parquet
                metrics[col] = pd.to_numeric(metrics[col])
            except (TypeError, ValueError):
                metrics[col] = metrics[col].astype(str)
    return {"manifest": manifest, "metrics": metrics, **{name: stacked(name) for name in RUN_TABLES}}


def execute(plan_: Plan, store: Store, executor=None, *, progress: bool = True, chunk_runs: int = 50,
            chunk_seconds: float = 10.0, retry_failed: bool = False, overwrite: bool = False,
            new_store: bool = False) -> Report:
    """Run the plan's tasks that the store does not hold yet, writing chunks as results arrive.

    Args:
        plan_: from :func:`plan`.
        store: where results go (created, or checked to hold the same experiment).
        executor: from :func:`parksim.experiments.executors.make_executor` (default: local process pool).
        progress: show a tqdm progress bar on stderr.
        chunk_runs, chunk_seconds: write a chunk after this many runs or seconds, whichever first.
        retry_failed: run again the runs recorded as failed.
        overwrite: discard an existing store holding another experiment.
        new_store: discard whatever the store holds (e.g. results of another model version) and start afresh.

    Raises:
        StoreBusy: another process is writing to the store.
        StoreMismatch: the store holds another experiment and ``overwrite`` is false, or results of
            another model version and ``new_store`` is false.
        ConfigError: the store would not fit on its disk, or the executor's scheduler cannot be
            reached (both before anything is written).
    """
    if plan_.estimate is not None:
        years = plan_.design.get("world.years", plan_.scenario.world.years)
        capacity.check_store(plan_.estimate, years, len(plan_.seeds), store.path)
    executor = executor or make_executor("pool")
    with executor:                # reaches a remote scheduler before the store is made; workers start lazily
        store.open(plan_.record(), overwrite=overwrite, new_store=new_store, points=plan_.points)
        try:
            if retry_failed:
                store.drop_failed()
            done = store.done()
            skipped = sum(rid in done for rid in plan_.run_ids()) if done else 0
            report = Report(store, total=plan_.size, skipped=skipped)
            if skipped < plan_.size:
                _run(plan_, store, executor, done, report, progress, chunk_runs, chunk_seconds)
            write_summary(store)
        finally:
            store.close()
    return report


def _run(plan_: Plan, store: Store, executor, done: set[str], report: Report, progress: bool, chunk_runs: int,
         chunk_seconds: float) -> None:
    """Run the tasks not in ``done`` on an entered executor, writing chunks; counts go to ``report``."""
    from tqdm.auto import tqdm
    versions = code_version()
    started = time.time()
    buffer: list[dict] = []
    last_flush = time.time()
    bar = tqdm(total=plan_.size - report.skipped, desc=plan_.scenario.name, unit="run", file=sys.stderr,
               disable=not progress, dynamic_ncols=True)
    try:
        for outcome in executor.map(execute_task, plan_.iter_tasks(done)):
            buffer.append(outcome)
            if outcome["status"] == "ok":
                report.ok += 1
            else:
                report.failed += 1
                report.failures.append(f"{outcome['run_id']}: {outcome['error']}")
                bar.set_postfix(failed=report.failed)
            bar.update(1)
            if len(buffer) >= chunk_runs or time.time() - last_flush >= chunk_seconds:
                with interrupts.held():             # an interrupt waits: the chunk is stored once, whole
                    store.write_chunk(_tables(buffer, plan_, versions, executor.name))
                    buffer = []
                last_flush = time.time()
    finally:                     # also on KeyboardInterrupt/SIGTERM: keep the runs that finished
        if buffer:
            with interrupts.held():
                store.write_chunk(_tables(buffer, plan_, versions, executor.name))
        bar.close()
        report.seconds = time.time() - started


def write_summary(store: Store) -> Path | None:
    """Write ``summary.csv`` (per design point and headline metric: n, mean, sd, 95% CI)."""
    summary = summarise(store)
    if summary.empty:
        return None
    path = store.path / "summary.csv"
    summary.to_csv(path, index=False)
    return path


# ----------------------------------------------------------------------------- the Python API

def default_store(scenario: Scenario, runs_dir: str | os.PathLike = DEFAULT_RUNS_DIR) -> Store:
    """``runs/<scenario name>``."""
    return Store(Path(runs_dir) / scenario.name)


def run(scenario: Scenario | str, *, sweep: bool = False, replications: int | None = None, seed: int | None = None,
        executor: str = "pool", workers: int | None = None, scheduler: str | None = None,
        runs_dir: str | os.PathLike = DEFAULT_RUNS_DIR, out: str | os.PathLike | None = None,
        overwrite: bool = False, new_store: bool = False, retry_failed: bool = False, keep_events: bool = False,
        progress: bool = True, chunk_runs: int = 50) -> Report:
    """Load, validate and run a scenario (its base point, or its sweep) into a store; resumes.

    Returns a Report whose ``store`` reads the results back (``store.read("metrics")``, ``store.query(sql)``).
    """
    p = plan(scenario, sweep=sweep, replications=replications, seed=seed, keep_events=keep_events)
    store = Store(out) if out else default_store(p.scenario, runs_dir)
    return execute(p, store, make_executor(executor, workers, scheduler), progress=progress,
                   chunk_runs=chunk_runs, retry_failed=retry_failed, overwrite=overwrite, new_store=new_store)


def sweep(scenario: Scenario | str, **kwargs) -> Report:
    """:func:`run` over the scenario's ``[sweep]`` design."""
    return run(scenario, sweep=True, **kwargs)


def compare_scenarios(a, b, *, executor: str = "pool", workers: int | None = None, runs_dir="runs",
                      replications: int | None = None, seed: int | None = None, progress: bool = True) -> pd.DataFrame:
    """Run (or resume) two scenarios into ``runs_dir`` and return their paired comparison B − A.

    Both are validated before either runs.
    """
    plans = [plan(x, replications=replications, seed=seed) for x in (a, b)]
    stores = [default_store(p.scenario, runs_dir) for p in plans]
    for p, store in zip(plans, stores):
        execute(p, store, make_executor(executor, workers), progress=progress)
    return compare(*stores)


# ----------------------------------------------------------------------------- code version

@lru_cache(maxsize=1)
def code_version() -> dict:
    """Package version with git commit (``+dirty`` if the model's sources changed) and a hash of the sources."""
    root = Path(__file__).resolve().parent.parent
    try:
        from importlib.metadata import version
        pkg = version("parksim")
    except Exception:  # noqa: BLE001 - not installed
        pkg = "0"
    git = ""
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=5)
        if head.returncode == 0:
            dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no", "--",
                                    "simulation", "scenarios", "experiments"], capture_output=True, text=True, timeout=5)
            git = head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        pass
    digest = hashlib.sha256()
    for pkg_dir in ("simulation", "scenarios", "experiments"):
        for f in sorted((root / pkg_dir).rglob("*")):
            if f.is_file() and f.suffix in (".py", ".csv", ".toml") and "__pycache__" not in f.parts:
                digest.update(f.relative_to(root).as_posix().encode())
                digest.update(f.read_bytes())
    return {"version": f"{pkg}+g{git}" if git else pkg, "source_hash": digest.hexdigest()[:16]}


@lru_cache(maxsize=1)
def environment() -> dict:
    """Versions of Python, the numerical stack, Mesa and ParkSim, the platform and the git commit."""
    import platform
    from importlib.metadata import PackageNotFoundError, version
    packages = {}
    for name in ("numpy", "scipy", "pandas", "mesa", "pyarrow", "parksim"):
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = None
    return {"python": platform.python_version(), **packages, "platform": platform.platform(),
            "machine": platform.machine(), "git": code_version()["version"].partition("+g")[2] or None}


__all__ = ["HEADLINE", "Plan", "Report", "RunConfig", "RunResult", "RunTask", "StoreMismatch", "execute",
           "compare_scenarios", "execute_task", "plan", "replication_seeds", "run", "run_one", "sweep", "write_summary"]
