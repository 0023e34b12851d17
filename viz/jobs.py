"""Background runs for the dashboard: one thread per run feeding a warm worker pool shared by all runs,
progress, results streamed as replications finish, immediate cancel, per-session results.

Where the time of a run goes, and what is done about it: the pool is started and warmed when the server
starts (:meth:`JobManager.warm_up`); the replications run in the pool; the supplier network of the first
replication is traced by that replication's own run (an :class:`~parksim.viz.data.Observer` reads it after
each year), not by running the model again; the run is shown as done before it is written to the store
(the saving follows in the job's thread, :attr:`Job.saved` says when); a cancel marks the job and signals the pool's
workers, which abandon that job's run in progress at once and skip its queued ones, so the pool is free
for the next run within a fraction of a second.

Every job belongs to the browser session that started it (a random id kept in the tab's session
storage); lookups take the session id and never return another session's jobs, so two people at
the same dashboard never see each other's runs. A session runs one job at a time. Replications are
the runner's tasks (:func:`parksim.experiments.runner.execute_task`) with its seeds
(:func:`parksim.experiments.runner.replication_seeds`), so a dashboard run equals ``parksim run`` of the same
scenario and seed.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from parksim.experiments.capacity import estimate_world
from parksim.experiments.executors import available_cpus, make_executor
from parksim.experiments.runner import RunConfig, RunTask, replication_seeds

from .data import Observer, RunData
from .worker import CANCEL_SIGNAL, CANCELLED, JobTask, run_job_task, warm_worker, worker_pids

RUNNING, DONE, FAILED = "running", "done", "failed"
WARM_ROUNDS = 3          # warm-up rounds at most, until every worker of the pool has warmed


class Busy(Exception):
    """The session already has a run going."""


@dataclass
class Job:
    """One run of a scenario's replications, started from the dashboard."""

    id: str
    session: str
    label: str
    total: int
    status: str = RUNNING
    done: int = 0                 # replications finished
    error: str = ""
    started: float = field(default_factory=time.time)
    seconds: float = 0.0
    result: RunData | None = None
    results: dict[str, RunData] = field(default_factory=dict)
    parts: int = 1
    scenarios: tuple[str, ...] = ()
    live: tuple | None = field(default=None, repr=False)      # (result id, make partial RunData) while running
    thread: threading.Thread | None = field(default=None, repr=False)
    saved: threading.Event = field(default_factory=threading.Event, repr=False)   # set once written (or not)

    @property
    def progress(self) -> float:
        """Share of the replications done, 0-1."""
        return self.done / self.total


class JobManager:
    """Starts, tracks and cancels runs; keeps each session's last ``keep`` finished runs in memory.

    Sessions never say goodbye (a closed tab just stops asking), so at most ``keep_total`` finished
    runs are kept over all sessions, the oldest dropped first: a day-long workshop stays in memory.
    At most ``max_running`` runs go at once over all sessions, so a full room cannot swamp the machine.
    """

    def __init__(self, executor: str = "serial", workers: int | None = None, keep: int = 12,
                 keep_total: int = 60, max_running: int = 4, saver=None):
        self.executor, self.workers, self.keep, self.keep_total = executor, workers, keep, keep_total
        # saver(session, run id, label, scenario name, config, replications, outcomes): keeps a finished run
        self.saver = saver
        self.max_running = max_running
        self._warm = None
        self._warming: threading.Thread | None = None
        self.warm = threading.Event()            # set once :meth:`warm_up` has warmed the pool (or failed to)
        self.warm_seconds: float | None = None   # how long warming took
        self._pace: dict[str, float] = {}        # seconds per replication of each scenario's last run
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._marks = Path(tempfile.mkdtemp(prefix="parksim-cancel-"))    # a file per cancelled job
        weakref.finalize(self, shutil.rmtree, self._marks, True)

    def submit(self, session: str, label: str, scenario: str, config: RunConfig, root_seed: int,
               replications: int, description: str = "") -> Job:
        """Start a run in the background and return its job at once.

        Raises:
            Busy: the session already has a run going, or the server runs ``max_running`` already.
        """
        return self.submit_parts(session, [(label, scenario, config, description)], root_seed, replications)

    def submit_parts(self, session: str, parts: list[tuple[str, str, RunConfig, str]], root_seed: int,
                     replications: int) -> Job:
        """Run several scenarios ``(label, scenario, config, description)`` one after the other on the same
        seeds (common random numbers, so that B − A pairs replication by replication) as one job. Each part's
        result is listed by :meth:`results` as ``<job id>`` (one part) or ``<job id>A``, ``<job id>B`` ….

        Raises:
            Busy: the session already has a run going, or the server runs ``max_running`` already.
        """
        with self._lock:
            if any(j.status == RUNNING for j in self._session_jobs(session)):
                raise Busy(f"session {session}: a run is already going; wait for it or cancel it")
            if sum(j.status == RUNNING for j in self._jobs.values()) >= self.max_running:
                raise Busy(f"the server is running {self.max_running} runs already (its limit); try again shortly")
            label = parts[0][0] if len(parts) == 1 else " | ".join(p[0] for p in parts)
            job = Job(f"run{next(self._ids)}", session, label, replications * len(parts), parts=len(parts),
                      scenarios=tuple(p[1] for p in parts))
            self._jobs[job.id] = job
        job.thread = threading.Thread(target=self._work, args=(job, parts, root_seed, replications),
                                      name=f"parksim-{job.id}", daemon=True)
        job.thread.start()
        return job

    def _executor(self):
        """The warm executor shared by every run: a process pool started once (by :meth:`warm_up` or the
        first run) and kept, so a run does not pay the pool's start-up; :meth:`close` stops it."""
        with self._lock:
            if self._warm is None:
                self._warm = make_executor(self.executor, self.workers).__enter__()
            return self._warm

    def warm_up(self) -> threading.Thread:
        """Start the shared worker pool now and warm it in a background thread (returned; started once), so
        that the first run of a workshop does not pay the pool's start: every worker imports the model and
        runs a tiny world (:func:`~parksim.viz.worker.warm_worker`). :attr:`warm` is set when done. A run
        submitted meanwhile shares the pool and queues behind the warm-up's tasks."""
        with self._lock:
            if self._warming is None:
                self._warming = threading.Thread(target=self._warm_pool, name="parksim-warm-up", daemon=True)
                self._warming.start()
            return self._warming

    def _warm_pool(self) -> None:
        started = time.perf_counter()
        try:
            ex = self._executor()
            workers = max(1, getattr(ex, "workers", None) or 1)
            warmed: set[int] = set()
            for _ in range(WARM_ROUNDS):         # a pool hands tasks to whichever worker is free: check each got one
                warmed.update(ex.map(warm_worker, range(workers)))
                if len(warmed) >= workers:
                    break
        finally:                                 # an error is printed by the thread; a run then shows it too
            self.warm_seconds = time.perf_counter() - started
            self.warm.set()

    def close(self) -> None:
        """Stop the shared worker pool (runs still going are cancelled first, saves finish, a warm-up ends)."""
        for job in list(self._jobs.values()):
            self.cancel(job.session, job.id)
        for job in list(self._jobs.values()):
            if job.thread is not None:
                job.thread.join()
        if self._warming is not None:
            self._warming.join()
        with self._lock:
            warm, self._warm = self._warm, None
        if warm is not None:
            warm.__exit__(None, None, None)

    def _work(self, job: Job, parts: list[tuple[str, str, RunConfig, str]], root_seed: int, replications: int) -> None:
        seeds = replication_seeds(root_seed, replications)
        to_save = []
        try:
            ex = self._executor()
            for i, (label, scenario, config, description) in enumerate(parts):
                rid = job.id if len(parts) == 1 else f"{job.id}{chr(ord('A') + i)}"
                data, outcomes = self._run_part(job, ex, rid, label, scenario, config, description, root_seed, seeds)
                if data is None:
                    break
                job.results[rid] = job.result = data
                to_save.append((rid, label, scenario, config, outcomes))
            job.live = None
            if job.status == RUNNING:
                job.status = DONE
        except Exception as e:  # noqa: BLE001 - shown to the user instead of killing the server thread
            job.live = None
            if job.status == RUNNING:
                job.status, job.error = FAILED, f"{type(e).__name__}: {e}"
        if job.status != CANCELLED:
            job.seconds = time.time() - job.started
        if job.status == DONE:
            for scenario in job.scenarios:
                self._pace[scenario] = job.seconds / job.total
            self._save(job, to_save, len(seeds))
        job.saved.set()
        self._prune(job.session)

    def _save(self, job: Job, parts: list[tuple], replications: int) -> None:
        """Write a finished job's parts to the store (after it shows as done: nobody waits for it)."""
        if self.saver is None:
            return
        for rid, label, scenario, config, outcomes in parts:
            try:
                self.saver(job.session, rid, label, scenario, config, replications, outcomes)
            except Exception as e:  # noqa: BLE001 - the run is still shown; the status says it was not saved
                job.error = f"not saved: {type(e).__name__}: {e}"

    def _stream(self, ex, tasks: list[JobTask]):
        """The tasks' outcomes in order. While the pool is still warming (a run submitted in the seconds
        after the server's start), the first task runs here in the job's thread, where the model is
        already imported, so its charts come without waiting for the pool; the others queue on the pool."""
        if self._warming is not None and not self.warm.is_set():
            rest = ex.map(run_job_task, tasks[1:])
            yield run_job_task(tasks[0])
            yield from rest
        else:
            yield from ex.map(run_job_task, tasks)

    def _run_part(self, job: Job, ex, rid: str, label: str, scenario: str, config: RunConfig, description: str,
                  root_seed: int, seeds: list[int]) -> tuple[RunData | None, list[dict]]:
        """One scenario's replications, streamed: while they come in, :meth:`results` with ``live`` shows the
        replications finished so far. The first replication traces the supplier network as it runs, and each
        keeps its generated places (synthetic worlds). (None, …) when cancelled or failed (the job's status
        says which)."""
        mark = str(self._marks / job.id)
        tasks = [JobTask(RunTask(f"p00000-r{r:04d}", 0, r, s, {}, config), mark, Observer(network=r == 0, places=True))
                 for r, s in enumerate(seeds)]
        outcomes: list[dict] = []
        trace: list = []
        job.live = (rid, _live_view(label, scenario, config, root_seed, description, outcomes, trace, len(seeds)))
        for outcome in self._stream(ex, tasks):
            if job.status != RUNNING:
                return None, outcomes
            if "trace" in outcome:
                trace.append(outcome.pop("trace"))
            outcomes.append(outcome)
            job.done += 1
        failed = [o for o in outcomes if o["status"] != "ok"]
        if failed:
            job.status, job.error = FAILED, f"{len(failed)} of {len(seeds)} runs failed: {failed[0]['error']}"
            return None, outcomes
        data = RunData.from_outcomes(label, scenario, config, root_seed, outcomes, description)
        data.nodes, data.edges = trace[0]
        return data, outcomes

    def _session_jobs(self, session: str) -> list[Job]:
        return [j for j in self._jobs.values() if j.session == session]

    def _prune(self, session: str) -> None:
        with self._lock:
            finished = [j for j in self._session_jobs(session) if j.status != RUNNING]
            everyone = [j for j in self._jobs.values() if j.status != RUNNING]
            for old in {j.id for j in finished[:-self.keep] + everyone[:-self.keep_total]}:
                del self._jobs[old]

    def estimate(self, scenarios: tuple[str, ...], replications: int, worlds: dict | None = None) -> float | None:
        """Seconds a run of ``replications`` of each of ``scenarios`` should take on this server: from the
        last run of each (any session); before a scenario's first run, from the capacity model's time of
        one run of its world (``worlds[name]``, :func:`parksim.experiments.capacity.estimate_world`) shared
        over the workers; None when neither is known."""
        per = []
        for name in scenarios:
            if name in self._pace:
                per.append(self._pace[name])
            elif worlds and name in worlds:
                workers = 1 if self.executor == "serial" else (self.workers or available_cpus())
                per.append(float(estimate_world(worlds[name]).seconds) / workers)
            else:
                return None
        return sum(per) * replications

    def get(self, session: str, job_id: str) -> Job | None:
        """The session's job ``job_id``; None if it does not exist or belongs to another session."""
        job = self._jobs.get(job_id)
        return job if job is not None and job.session == session else None

    def jobs(self, session: str) -> list[Job]:
        """The session's jobs, oldest first."""
        with self._lock:
            return self._session_jobs(session)

    def results(self, session: str, live: bool = False) -> dict[str, RunData]:
        """The session's finished runs by id (a job of several parts gives one run per part); with
        ``live``, also the replications finished so far of the part that is running."""
        out = {}
        for j in self.jobs(session):
            if j.status in (DONE, RUNNING):
                out.update(j.results)
            current = j.live
            if live and j.status == RUNNING and current is not None:
                data = current[1]()
                if data.replications:
                    out[current[0]] = data
        return out

    def cancel(self, session: str, job_id: str) -> bool:
        """Stop the session's job at once: its status says so now, its queued tasks are skipped and the pool
        workers abandon its runs in progress (so the pool is free within a fraction of a second); True if
        it was running."""
        job = self.get(session, job_id)
        if job is None or job.status != RUNNING:
            return False
        job.status, job.seconds = CANCELLED, time.time() - job.started
        (self._marks / job.id).touch()
        for pid in worker_pids(self._warm):
            try:
                os.kill(pid, CANCEL_SIGNAL)
            except ProcessLookupError:
                continue
        return True


def _live_view(label: str, scenario: str, config: RunConfig, root_seed: int, description: str, outcomes: list[dict],
               trace: list, total: int):
    """A function giving the run as far as it got, built again only when a replication or the trace came
    in (every chart callback asks for it). It has no model configuration, so that no network is traced
    in the server while the run goes; the network shows once its trace arrives."""
    cache: dict = {}

    def view() -> RunData:
        key = (len(outcomes), len(trace))
        if cache.get("key") != key:
            done = list(outcomes)
            data = RunData.from_outcomes(f"{label} ({len(done)}/{total} …)", scenario, config, root_seed, done,
                                         description)
            data.config = None
            if trace:
                data.nodes, data.edges = trace[0]
            cache.update(key=key, data=data)
        return cache["data"]
    return view
