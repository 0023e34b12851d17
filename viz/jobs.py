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
    cancel_event: threading.Event = field(default_factory=threading.Event, repr=False)
    thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def progress(self) -> float:
        """Share of the work done, 0-1 (the replications plus the network trace of the first one)."""
        return self.done / (self.total + 1)


class JobManager:
    """Starts, tracks and cancels runs; keeps each session's last ``keep`` finished runs in memory.

    Sessions never say goodbye (a closed tab just stops asking), so at most ``keep_total`` finished
    runs are kept over all sessions, the oldest dropped first: a day-long workshop stays in memory.
    """

    def __init__(self, executor: str = "serial", workers: int | None = None, keep: int = 12,
                 keep_total: int = 60):
        self.executor, self.workers, self.keep, self.keep_total = executor, workers, keep, keep_total
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def submit(self, session: str, label: str, scenario: str, config: RunConfig, root_seed: int,
               replications: int, description: str = "") -> Job:
        """Start a run in the background and return its job at once.

        Raises:
            Busy: the session already has a run going.
        """
        with self._lock:
            if any(j.status == RUNNING for j in self._session_jobs(session)):
                raise Busy(f"session {session}: a run is already going; wait for it or cancel it")
            job = Job(f"run{next(self._ids)}", session, label, replications)
            self._jobs[job.id] = job
        job.thread = threading.Thread(target=self._work, args=(job, scenario, config, root_seed, description),
                                      name=f"parksim-{job.id}", daemon=True)
        job.thread.start()
        return job

    def _work(self, job: Job, scenario: str, config: RunConfig, root_seed: int, description: str) -> None:
        seeds = replication_seeds(root_seed, job.total)
        tasks = [RunTask(f"p00000-r{r:04d}", 0, r, s, {}, config) for r, s in enumerate(seeds)]
        outcomes = []
        try:
            with make_executor(self.executor, self.workers) as ex:
                for outcome in ex.map(execute_task, tasks):
                    if job.cancel_event.is_set():
                        break
                    outcomes.append(outcome)
                    job.done += 1
            failed = [o for o in outcomes if o["status"] != "ok"]
            if job.cancel_event.is_set():
                job.status = CANCELLED
            elif failed:
                job.status, job.error = FAILED, f"{len(failed)} of {job.total} runs failed: {failed[0]['error']}"
            else:
                data = RunData.from_outcomes(job.label, scenario, config, root_seed, outcomes, description)
                data.nodes, data.edges = network_trace(config, seeds[0])
                job.done += 1
                job.result, job.status = data, DONE
        except Exception as e:  # noqa: BLE001 - shown to the user instead of killing the server thread
            job.status, job.error = FAILED, f"{type(e).__name__}: {e}"
        job.seconds = time.time() - job.started
        self._prune(job.session)

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
        """The session's finished runs by job id."""
        return {j.id: j.result for j in self.jobs(session) if j.status == DONE}

    def cancel(self, session: str, job_id: str) -> bool:
        """Ask the session's job to stop after the replication in progress; True if it was running."""
        job = self.get(session, job_id)
        if job is None or job.status != RUNNING:
            return False
        job.cancel_event.set()
        return True
