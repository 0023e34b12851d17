"""Background runs for the dashboard: one thread per run feeding a warm worker pool shared by all runs,
progress, results streamed as replications finish, immediate cancel, per-session results.

Every job belongs to the browser session that started it (a random id kept in the tab's session
storage); lookups take the session id and never return another session's jobs, so two people at
the same dashboard never see each other's runs. A session runs one job at a time. Replications are
the runner's tasks (:func:`parksim.experiments.runner.execute_task`) with its seeds
(:func:`parksim.experiments.runner.replication_seeds`), so a dashboard run equals ``parksim run`` of the same
scenario and seed.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field

from parksim.experiments.executors import make_executor
from parksim.experiments.runner import RunConfig, RunTask, execute_task, replication_seeds

from .data import RunData, network_trace

RUNNING, DONE, CANCELLED, FAILED = "running", "done", "cancelled", "failed"


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
    done: int = 0
    error: str = ""
    started: float = field(default_factory=time.time)
    seconds: float = 0.0
    result: RunData | None = None
    results: dict[str, RunData] = field(default_factory=dict)
    parts: int = 1
    scenarios: tuple[str, ...] = ()
    live: tuple | None = field(default=None, repr=False)      # (result id, make partial RunData) while running
    thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def progress(self) -> float:
        """Share of the work done, 0-1 (the replications plus the network trace of each part's first one)."""
        return self.done / (self.total + self.parts)


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
        self._pace: dict[str, float] = {}        # seconds per replication of each scenario's last run
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

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
        """The warm executor shared by every run: a process pool started once (on the first run) and
        kept, so a run does not pay the pool's start-up; :meth:`close` stops it."""
        with self._lock:
            if self._warm is None:
                self._warm = make_executor(self.executor, self.workers).__enter__()
            return self._warm

    def close(self) -> None:
        """Stop the shared worker pool (runs still going are cancelled first)."""
        for job in list(self._jobs.values()):
            self.cancel(job.session, job.id)
        with self._lock:
            warm, self._warm = self._warm, None
        if warm is not None:
            warm.__exit__(None, None, None)

    def _work(self, job: Job, parts: list[tuple[str, str, RunConfig, str]], root_seed: int, replications: int) -> None:
        seeds = replication_seeds(root_seed, replications)
        try:
            ex = self._executor()
            for i, (label, scenario, config, description) in enumerate(parts):
                rid = job.id if len(parts) == 1 else f"{job.id}{chr(ord('A') + i)}"
                data = self._run_part(job, ex, rid, label, scenario, config, description, root_seed, seeds)
                if data is None:
                    break
                job.results[rid] = job.result = data
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
        self._prune(job.session)

    def _run_part(self, job: Job, ex, rid: str, label: str, scenario: str, config: RunConfig, description: str,
                  root_seed: int, seeds: list[int]) -> RunData | None:
        """One scenario's replications, streamed: while they come in, :meth:`results` with ``live`` shows
        the replications finished so far. None when cancelled or failed (the job's status says which)."""
        tasks = [RunTask(f"p00000-r{r:04d}", 0, r, s, {}, config) for r, s in enumerate(seeds)]
        outcomes: list[dict] = []
        job.live = (rid, lambda: RunData.from_outcomes(f"{label} ({len(outcomes)}/{len(seeds)} …)", scenario, config,
                                                       root_seed, list(outcomes), description))
        for outcome in ex.map(execute_task, tasks):
            if job.status != RUNNING:
                return None
            outcomes.append(outcome)
            job.done += 1
        failed = [o for o in outcomes if o["status"] != "ok"]
        if failed:
            job.status, job.error = FAILED, f"{len(failed)} of {len(seeds)} runs failed: {failed[0]['error']}"
            return None
        data = RunData.from_outcomes(label, scenario, config, root_seed, outcomes, description)
        data.nodes, data.edges = network_trace(config, seeds[0])
        if self.saver is not None:
            try:
                self.saver(job.session, rid, label, scenario, config, len(seeds), outcomes)
            except Exception as e:  # noqa: BLE001 - the run is still shown; the status says it was not saved
                job.error = f"not saved: {type(e).__name__}: {e}"
        job.done += 1
        return data

    def _session_jobs(self, session: str) -> list[Job]:
        return [j for j in self._jobs.values() if j.session == session]

    def _prune(self, session: str) -> None:
        with self._lock:
            finished = [j for j in self._session_jobs(session) if j.status != RUNNING]
            everyone = [j for j in self._jobs.values() if j.status != RUNNING]
            for old in {j.id for j in finished[:-self.keep] + everyone[:-self.keep_total]}:
                del self._jobs[old]

    def estimate(self, scenarios: tuple[str, ...], replications: int) -> float | None:
        """Seconds a run of ``replications`` of each of ``scenarios`` should take on this server, from the
        last run of each (any session); None until every one has run once."""
        if not all(s in self._pace for s in scenarios):
            return None
        return sum(self._pace[s] for s in scenarios) * replications

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
        """Stop the session's job at once (its status says so now; the replications already in the
        workers finish and are dropped); True if it was running."""
        job = self.get(session, job_id)
        if job is None or job.status != RUNNING:
            return False
        job.status, job.seconds = CANCELLED, time.time() - job.started
        return True
