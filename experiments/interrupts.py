"""Interrupts while results are written: a chunk being written is finished before Ctrl-C or SIGTERM acts.

Without this, a signal that lands inside a chunk's write loses the runs of that chunk (the write is
atomic, so they are simply not stored), and one that lands after the chunk was renamed into place but
before the caller noted it would write those runs a second time. :func:`held` defers SIGINT and
SIGTERM for the length of its block and then hands a signal that came meanwhile to the handler that
was in place before, so Ctrl-C still raises KeyboardInterrupt and the CLI's SIGTERM handler still
raises ``Terminated``. Blocking the signals with ``pthread_sigmask`` would not do: Python runs its
handlers in the main thread whichever thread the kernel delivers to, and the pool and Dask clients
have threads of their own.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def held() -> Iterator[None]:
    """Defer SIGINT and SIGTERM until the block ends (only in the main thread, where handlers live)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[tuple[int, object]] = []
    previous = {s: signal.signal(s, lambda signum, frame: came.append((signum, frame))) for s in SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if came:
            _deliver(*came[0], previous[came[0][0]])


def _deliver(signum: int, frame, handler) -> None:
    """Act on a deferred signal as the handler in place before would have."""
    if callable(handler):
        handler(signum, frame)
    elif handler == signal.SIG_DFL:
        os.kill(os.getpid(), signum)          # the default action (SIGTERM ends the process)
