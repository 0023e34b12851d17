"""Where runs execute: in this process, in a local process pool, or on a Dask cluster.

Every executor maps a picklable function over tasks and yields results as they finish (in any
order). Runs are pure functions of their configuration and seed, so all three give identical
results; only the speed differs.

Worker processes never outlive the process that started them: each one watches its parent and
exits when the parent is gone (killed with ``kill -9`` or by the OOM killer), and they ignore
SIGINT so that the parent alone decides what an interrupt does. Leaving an executor because of an
interrupt (KeyboardInterrupt or another BaseException) stops the runs in flight instead of waiting
for them.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any

from parksim.extras import require
from parksim.simulation import ConfigError

from .lock import pid_alive

EXECUTORS = ("serial", "pool", "dask")
PARENT_POLL_SECONDS = 0.5
CONNECT_SECONDS = 10.0


def watch_parent(pid: int, interval: float = PARENT_POLL_SECONDS) -> None:
    """Exit this process (status 1) as soon as process ``pid`` (the one that started the pool) is gone.

    A daemon thread polls ``pid``. The pool's own parent cannot be watched instead: under
    ``forkserver`` a worker's parent is the fork server, which only exits once every worker has.
    """
    def watch():
        while not _gone(pid):
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="parksim-parent-watch", daemon=True).start()


def _gone(pid: int) -> bool:
    """Process ``pid`` has exited (a zombie that its own parent has not reaped yet counts as exited)."""
    if not pid_alive(pid):
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _init_pool_worker(parent: int) -> None:
    _ignore_sigint()
    watch_parent(parent)


def _interrupted(exc_type) -> bool:
    """Leaving a ``with`` block because of KeyboardInterrupt, SystemExit or another non-Exception."""
    return exc_type is not None and not issubclass(exc_type, Exception)


def available_cpus() -> int:
    """CPUs this process may use (affinity-aware where the platform tells)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:
        return max(os.cpu_count() or 1, 1)


class SerialExecutor:
    """Runs tasks one after the other in this process (simplest to debug)."""

    name = "serial"
    workers = 1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def map(self, fn: Callable, tasks: Iterable) -> Iterator[Any]:
        for task in tasks:
            yield fn(task)


class PoolExecutor:
    """A local process pool, sized to the machine by default."""

    name = "pool"

    def __init__(self, workers: int | None = None):
        self.workers = workers or available_cpus()
        self._pool = None

    def __enter__(self):
        method = "forkserver" if sys.platform.startswith("linux") else "spawn"
        ctx = multiprocessing.get_context(method)
        if method == "forkserver":
            ctx.set_forkserver_preload(["parksim.experiments.runner"])
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx,
                                         initializer=_init_pool_worker, initargs=(os.getpid(),))
        return self

    def __exit__(self, exc_type, *exc):
        if _interrupted(exc_type):       # do not wait for the runs in flight (no public API before 3.14)
            for proc in list((self._pool._processes or {}).values()):
                proc.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)
        return False

    def map(self, fn: Callable, tasks: Iterable) -> Iterator[Any]:
        yield from _windowed(self._pool.submit, lambda f: f.result(), fn, tasks, 4 * self.workers)


class _SyncCancelRace(logging.Filter):
    """Drop one known log record of distributed's shutdown after Ctrl-C: its ``sync`` cancels the event
    loop's future when interrupted, and when Ctrl-C lands before that future exists the cancel callback
    raises ``NameError: ... 'future'`` on the loop, which tornado logs with a traceback. The run is being
    interrupted anyway (the CLI then says so in one line), so the traceback only alarms the user."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not (isinstance(exc, NameError) and "'future'" in str(exc))


def _quiet_sync_cancel_race() -> None:
    log = logging.getLogger("tornado.application")
    if not any(isinstance(f, _SyncCancelRace) for f in log.filters):
        log.addFilter(_SyncCancelRace())


class DaskExecutor:
    """Dask distributed: a LocalCluster it starts (and stops), or an existing scheduler address.

    Entering connects to ``address`` at once (ConfigError if it cannot be reached, within
    ``timeout`` seconds), so that a bad address fails before anything is written; a LocalCluster
    starts only when the first tasks are mapped.
    """

    name = "dask"

    def __init__(self, workers: int | None = None, address: str | None = None, timeout: float | None = None):
        require("distributed", "the Dask executor (--executor dask, --scheduler)")
        self.address = address
        self.timeout = timeout or CONNECT_SECONDS
        self.workers = workers or (None if address else available_cpus())
        self.client = self.cluster = None

    def __enter__(self):
        _quiet_sync_cancel_race()
        if self.address:
            from distributed import Client
            try:
                self.client = Client(self.address, timeout=self.timeout)
            except Exception as e:  # noqa: BLE001 - distributed raises OSError, ValueError, TimeoutError, ...
                raise ConfigError("--scheduler", self.address, "the address of a running Dask scheduler, e.g. "
                                  f"tcp://host:8786 ({type(e).__name__}: {e})") from None
            self.workers = len(self.client.scheduler_info().get("workers", {})) or self.workers
        return self

    def _start_cluster(self) -> None:
        from distributed import Client, LocalCluster
        self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                    dashboard_address=None, silence_logs=logging.ERROR)
        self.client = Client(self.cluster)
        self.client.run(_ignore_sigint)  # Ctrl-C reaches the whole process group; this process handles it

    def __exit__(self, *exc):
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        self.client = self.cluster = None
        return False

    def map(self, fn: Callable, tasks: Iterable) -> Iterator[Any]:
        from distributed import as_completed
        if self.client is None:
            self._start_cluster()
        window = 4 * max(self.workers or 1, 1)
        it = iter(tasks)
        inflight = {self.client.submit(fn, t, pure=False) for t in _take(it, window)}
        running = as_completed(inflight)
        try:
            for future in running:
                inflight.discard(future)
                yield future.result()
                future.release()
                for t in _take(it, 1):
                    inflight.add(new := self.client.submit(fn, t, pure=False))
                    running.add(new)
        finally:                          # the caller stopped early (cancel): drop what has not run yet
            if inflight:
                self.client.cancel(list(inflight))


def _take(it: Iterator, n: int) -> list:
    out = []
    for _ in range(n):
        try:
            out.append(next(it))
        except StopIteration:
            break
    return out


def _windowed(submit, result, fn, tasks, window: int) -> Iterator[Any]:
    """Keep at most ``window`` tasks in flight; yield results as they complete.

    A caller that stops early (closes the generator, e.g. the dashboard's Cancel) cancels the tasks not
    started yet, so the pool is free once the ones already running end.
    """
    it = iter(tasks)
    pending: set = set()
    queue: deque = deque()
    try:
        while True:
            while len(pending) < window:
                try:
                    pending.add(submit(fn, next(it)))
                except StopIteration:
                    break
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                pending.discard(f)
                queue.append(f)
            while queue:
                yield result(queue.popleft())
    finally:
        for f in pending:
            f.cancel()


def make_executor(kind: str = "pool", workers: int | None = None, scheduler: str | None = None):
    """An executor by name: ``serial``, ``pool`` (default) or ``dask`` (``scheduler`` = address or None)."""
    if kind == "serial":
        return SerialExecutor()
    if kind == "pool":
        return PoolExecutor(workers)
    if kind == "dask":
        return DaskExecutor(workers, scheduler)
    raise ValueError(f"executor {kind!r}: allowed {', '.join(EXECUTORS)}")
