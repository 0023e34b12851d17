"""What a pool worker runs for the dashboard: a job's replication or network trace, abandoned at once when
the job is cancelled.

Cancel marks the job (a file that then exists) and sends :data:`CANCEL_SIGNAL` to every worker of the
pool; a worker running a task of that job abandons it, the others carry on, and a queued task of a
cancelled job is skipped, so the pool is free for the next run within a fraction of a second.
"""

from __future__ import annotations

import os
import signal
import threading
from dataclasses import dataclass

import mesa

from parksim.experiments.runner import RunConfig, RunTask, execute_task

from .data import network_trace

CANCELLED = "cancelled"
CANCEL_SIGNAL = signal.SIGUSR1


@dataclass(frozen=True)
class TraceTask:
    """The supplier network of one replication, year by year (:func:`network_trace`)."""

    config: RunConfig
    seed: int


@dataclass(frozen=True)
class JobTask:
    """One task of a dashboard job for a worker: a replication or a trace, and the job's cancel mark (a
    file that exists once the job is cancelled)."""

    task: RunTask | TraceTask
    mark: str


class Cancelled(BaseException):
    """The job of the task a worker is running was cancelled (a BaseException, so that the runner's
    per-run error capture does not record it as a failed run)."""


_running_mark: str | None = None      # the cancel mark of the task this worker process runs now


def _on_cancel_signal(signum, frame) -> None:
    """A pool worker's handler of :data:`CANCEL_SIGNAL`: abandon the task in progress if its job is cancelled
    (every worker gets the signal; the others' jobs go on)."""
    if _running_mark is not None and os.path.exists(_running_mark):
        raise Cancelled


def run_job_task(job_task: JobTask) -> dict:
    """Run one task of a job (in a pool worker or the job's thread): the runner's outcome for a replication,
    ``{"trace": (nodes, edges)}`` for a trace, ``{"status": "cancelled"}`` if the job was cancelled before or
    while it ran."""
    global _running_mark
    if os.path.exists(job_task.mark):
        return {"status": CANCELLED}
    if threading.current_thread() is threading.main_thread():      # a pool worker (signals need the main thread)
        signal.signal(CANCEL_SIGNAL, _on_cancel_signal)
    try:
        _running_mark = job_task.mark
        task = job_task.task
        if isinstance(task, TraceTask):
            return {"status": "ok", "trace": network_trace(task.config, task.seed)}
        return execute_task(task)
    except Cancelled:
        mesa.Agent._ids.clear()       # the abandoned model was not released; a worker holds one model at a time
        return {"status": CANCELLED}
    finally:
        _running_mark = None


def worker_pids(executor) -> list[int]:
    """The process ids of a local pool's workers (none for the serial and Dask executors). The pool's
    ``_processes`` is private (no public API before Python 3.14); the runner's executors read it too."""
    pool = getattr(executor, "_pool", None)
    return [p.pid for p in list((getattr(pool, "_processes", None) or {}).values())]
