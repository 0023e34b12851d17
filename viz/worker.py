"""What a pool worker runs for the dashboard: a job's replication (with what its :class:`Observer` collects
while it runs), abandoned at once when the job is cancelled.

Cancel marks the job (a file that then exists) and sends :data:`CANCEL_SIGNAL` to every worker of the
pool; a worker running a task of that job abandons it, the others carry on, and a queued task of a
cancelled job is skipped, so the pool is free for the next run within a fraction of a second.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass

import mesa

from parksim.experiments.runner import RunTask, execute_task
from parksim.simulation import WorldConfig, simulate

from .data import Observer

CANCELLED = "cancelled"
CANCEL_SIGNAL = signal.SIGUSR1


@dataclass(frozen=True)
class JobTask:
    """One task of a dashboard job for a worker: a replication, what to observe while it runs, and the
    job's cancel mark (a file that exists once the job is cancelled)."""

    task: RunTask
    mark: str
    observer: Observer | None = None


class Cancelled(BaseException):
    """The job of the task a worker is running was cancelled (a BaseException, so that the runner's
    per-run error capture does not record it as a failed run)."""


_running_mark: str | None = None      # the cancel mark of the task this worker process runs now
_warm = False                          # this worker process has run :func:`warm_worker`
# a world just large enough to go through set-up and one year (every phase's code and data are loaded)
WARM_WORLD = WorldConfig(years=1, n_parks=2, n_cities=1, initial_firms=20, projects_per_year=10.0)
WARM_PAUSE = 0.2     # s a warm worker waits before returning, so that a cold one takes the next warm-up task


def _on_cancel_signal(signum, frame) -> None:
    """A pool worker's handler of :data:`CANCEL_SIGNAL`: abandon the task in progress if its job is cancelled
    (every worker gets the signal; the others' jobs go on)."""
    if _running_mark is not None and os.path.exists(_running_mark):
        raise Cancelled


def _catch_cancel() -> bool:
    """Handle :data:`CANCEL_SIGNAL` in a pool worker (its default would end the process, breaking the pool);
    True there. False in another thread (a job's thread in the server), where signals never arrive."""
    if threading.current_thread() is not threading.main_thread():
        return False
    signal.signal(CANCEL_SIGNAL, _on_cancel_signal)
    return True


def warm_worker(_: object = None) -> int:
    """Warm this worker process for the runs to come (the model imported, :data:`WARM_WORLD` set up and run
    one year, the cancel signal handled); returns its process id. A worker already warm only waits
    :data:`WARM_PAUSE`, so that the pool's other tasks of a warm-up go to its cold workers."""
    global _warm
    _catch_cancel()
    if _warm:
        time.sleep(WARM_PAUSE)
    else:
        simulate(WARM_WORLD)
        _warm = True
    return os.getpid()


def run_job_task(job_task: JobTask) -> dict:
    """Run one task of a job (in a pool worker or the job's thread): the runner's outcome, with ``trace``
    (nodes, edges) and ``places`` (a table or None) when its observer collected them, or
    ``{"status": "cancelled"}`` if the job was cancelled before or while it ran."""
    global _running_mark
    if os.path.exists(job_task.mark):
        return {"status": CANCELLED}
    # Only the main thread's task can be abandoned by the signal, so only it sets the mark the handler
    # reads: a job's thread in the same process (serial runs) must not overwrite or clear it.
    main = _catch_cancel()
    try:
        if main:
            _running_mark = job_task.mark
        observer = job_task.observer
        outcome = execute_task(job_task.task, on_year=observer)
        if observer is not None and outcome["status"] == "ok":
            if observer.network:
                outcome["trace"] = observer.trace()
            if observer.places:
                outcome["places"] = observer.places_table
        return outcome
    except Cancelled:
        mesa.Agent._ids.clear()       # the abandoned model was not released; a worker holds one model at a time
        return {"status": CANCELLED}
    finally:
        if main:
            _running_mark = None


def worker_pids(executor) -> list[int]:
    """The process ids of a local pool's workers (none for the serial and Dask executors). The pool's
    ``_processes`` is private (no public API before Python 3.14); the runner's executors read it too."""
    pool = getattr(executor, "_pool", None)
    return [p.pid for p in list((getattr(pool, "_processes", None) or {}).values())]
