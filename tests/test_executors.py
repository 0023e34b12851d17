"""Executors: a caller that stops early (the dashboard's Cancel) leaves no queued work behind."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from parksim.experiments.executors import make_executor

WORKERS = 2


def mark(path: str) -> str:
    """A task that leaves a file behind when it starts, then takes a while."""
    Path(path).touch()
    time.sleep(0.4)
    return path


@pytest.mark.parametrize("kind", ["pool", "dask"])
def test_closing_the_map_cancels_tasks_not_started(tmp_path, kind):
    """After the first result the caller stops: the tasks still queued in the window never start."""
    tasks = [str(tmp_path / f"task{i:02d}") for i in range(40)]
    with make_executor(kind, workers=WORKERS) as ex:
        results = ex.map(mark, tasks)
        next(results)
        results.close()
        time.sleep(2.5)                          # long enough for every queued task to have started
        started = len(list(tmp_path.glob("task*")))
    # the window holds 4 × workers tasks; only those already running or handed to a worker may start
    assert started <= 2 * WORKERS + 2, started


def test_the_dask_executor_drops_only_distributeds_ctrl_c_race_record():
    """Entering the Dask executor filters tornado's record of distributed's cancel race after Ctrl-C (a
    NameError about 'future') and lets every other error record through."""
    import logging

    pytest.importorskip("distributed")
    from parksim.experiments.executors import DaskExecutor

    with DaskExecutor(1):
        log = logging.getLogger("tornado.application")

        def record(exc):
            return logging.LogRecord("tornado.application", logging.ERROR, __file__, 1, "Exception in callback",
                                     None, (type(exc), exc, None))
        race = NameError("cannot access free variable 'future' where it is not associated with a value")
        assert not log.filter(record(race))
        assert log.filter(record(NameError("name 'x' is not defined"))) and log.filter(record(ValueError("x")))
