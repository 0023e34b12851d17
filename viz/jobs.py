"""Background runs for the dashboard: one worker thread per run, progress, cancel, per-session results.

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
    cancel_event: threading.Event = field(default_factory=threading.Event, repr=False)
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
                 keep_total: int = 60, max_running: int = 4):
        self.executor, self.workers, self.keep, self.keep_total = executor, workers, keep, keep_total
        self.max_running = max_running
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
            job = Job(f"run{next(self._ids)}", session, label, replications * len(parts), parts=len(parts))
            self._jobs[job.id] = job
        job.thread = threading.Thread(target=self._work, args=(job, parts, root_seed, replications),
                                      name=f"parksim-{job.id}", daemon=True)
        job.thread.start()
        return job

    def _work(self, job: Job, parts: list[tuple[str, str, RunConfig, str]], root_seed: int, replications: int) -> None:
        seeds = replication_seeds(root_seed, replications)
        try:
            with make_executor(self.executor, self.workers) as ex:
                for i, (label, scenario, config, description) in enumerate(parts):
                    data = self._run_part(job, ex, label, scenario, config, description, root_seed, seeds)
                    if data is None:
                        break
                    job.results[job.id if len(parts) == 1 else f"{job.id}{chr(ord('A') + i)}"] = data
                    job.result = data
            if job.status == RUNNING:
                job.status = DONE
        except Exception as e:  # noqa: BLE001 - shown to the user instead of killing the server thread
            job.status, job.error = FAILED, f"{type(e).__name__}: {e}"
        job.seconds = time.time() - job.started
        self._prune(job.session)

    def _run_part(self, job: Job, ex, label: str, scenario: str, config: RunConfig, description: str,
                  root_seed: int, seeds: list[int]) -> RunData | None:
        """One scenario's replications; None (and the job's status set) when cancelled or failed."""
        tasks = [RunTask(f"p00000-r{r:04d}", 0, r, s, {}, config) for r, s in enumerate(seeds)]
        outcomes = []
        for outcome in ex.map(execute_task, tasks):
            if job.cancel_event.is_set():
                job.status = CANCELLED
                return None
            outcomes.append(outcome)
            job.done += 1
        failed = [o for o in outcomes if o["status"] != "ok"]
        if failed:
            job.status, job.error = FAILED, f"{len(failed)} of {len(seeds)} runs failed: {failed[0]['error']}"
            return None
        data = RunData.from_outcomes(label, scenario, config, root_seed, outcomes, description)
        data.nodes, data.edges = network_trace(config, seeds[0])
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

    def get(self, session: str, job_id: str) -> Job | None:
        """The session's job ``job_id``; None if it does not exist or belongs to another session."""
        job = self._jobs.get(job_id)
        return job if job is not None and job.session == session else None

    def jobs(self, session: str) -> list[Job]:
        """The session's jobs, oldest first."""
        with self._lock:
            return self._session_jobs(session)

    def results(self, session: str) -> dict[str, RunData]:
        """The session's finished runs by id (a job of several parts gives one run per part)."""
        return {rid: data for j in self.jobs(session) if j.status == DONE for rid, data in j.results.items()}

    def cancel(self, session: str, job_id: str) -> bool:
        """Ask the session's job to stop after the replication in progress; True if it was running."""
        job = self.get(session, job_id)
        if job is None or job.status != RUNNING:
            return False
        job.cancel_event.set()
        return True
