"""Interrupts of `parksim run` in real subprocesses: SIGINT/SIGTERM keep the finished runs, kill -9 leaves no workers."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from conftest import write

from parksim.experiments import Store

PARKSIM = [sys.executable, "-m", "parksim"]
RUNS = 40
# Runs of about 0.2 s: long enough to interrupt a sweep in the middle, short enough to resume it.
SCENARIO = f"""extends = "baseline"
replications = {RUNS}
[world]
years = 8
n_parks = 6
n_cities = 2
initial_firms = 300
projects_per_year = 100.0
land_quota = 8000.0
"""


class Progress:
    """Follows the tqdm bar a `parksim run` writes on stderr: how many runs have finished."""

    def __init__(self, proc: subprocess.Popen):
        self.done, self.text = 0, ""
        threading.Thread(target=self._read, args=(proc.stderr,), daemon=True).start()

    def _read(self, stream):
        for chunk in iter(lambda: stream.read1(256), b""):
            self.text += chunk.decode(errors="replace")
            counts = re.findall(r"(\d+)/" + str(RUNS), self.text)
            if counts:
                self.done = int(counts[-1])

    def wait_for(self, n: int, timeout: float = 60) -> None:
        end = time.time() + timeout
        while self.done < n:
            assert time.time() < end, f"no progress to {n} runs: {self.text[-500:]}"
            time.sleep(0.05)


def start(tmp_path: Path, *extra: str, session: bool = False) -> subprocess.Popen:
    """`parksim run` of the slow scenario on 2 workers, chunks written only at the end (or on a signal)."""
    scenario = tmp_path / "slow.toml"
    if not scenario.exists():
        write(tmp_path, "slow.toml", SCENARIO)
    return subprocess.Popen([*PARKSIM, "run", str(scenario), "--runs", str(tmp_path / "runs"), "--workers", "2",
                             "--chunk-runs", "100000", *extra], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            cwd=tmp_path, start_new_session=session)


def stored_runs(tmp_path: Path) -> list[str]:
    return list(Store(tmp_path / "runs" / "slow").read("manifest", ["run_id"])["run_id"])


@pytest.mark.parametrize("signum, code, executor", [(signal.SIGINT, 130, "pool"), (signal.SIGTERM, 143, "pool"),
                                                    (signal.SIGINT, 130, "dask")])
def test_signal_keeps_finished_runs_and_resume_completes(tmp_path, signum, code, executor):
    """SIGINT exits 130, SIGTERM 143; the finished runs are stored and a resume runs each other run once."""
    proc = start(tmp_path, "--executor", executor)
    progress = Progress(proc)
    progress.wait_for(4)
    os.kill(proc.pid, signum)
    assert proc.wait(timeout=60) == code
    kept = stored_runs(tmp_path)
    assert progress.done <= len(kept) < RUNS            # nothing was flushed before the signal (--chunk-runs)
    again = subprocess.run([*PARKSIM, "run", str(tmp_path / "slow.toml"), "--runs", str(tmp_path / "runs"),
                            "--workers", "2", "-q"], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"{len(kept)} already in the store" in again.stderr
    final = stored_runs(tmp_path)
    assert len(final) == len(set(final)) == RUNS


@pytest.mark.parametrize("executor", ["pool", "dask"])
def test_ctrl_c_in_a_terminal_stops_quietly(tmp_path, executor):
    """Ctrl-C reaches the whole process group: workers ignore it, the command exits 130 without a traceback."""
    proc = start(tmp_path, "--executor", executor, session=True)
    progress = Progress(proc)
    progress.wait_for(3)
    os.killpg(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=60) == 130
    time.sleep(0.5)                                      # the reader thread takes the last lines
    assert "Traceback" not in progress.text and "interrupted" in progress.text
    assert len(stored_runs(tmp_path)) >= progress.done


def descendants_after_kill(proc: subprocess.Popen, progress: Progress, workers: int) -> list[psutil.Process]:
    """Kill -9 the command once its workers run; return its former descendants still running 10 s later."""
    progress.wait_for(2)
    parent = psutil.Process(proc.pid)
    children = parent.children(recursive=True)
    assert len(children) >= workers
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    end = time.time() + 10
    while True:
        alive = [c for c in children if _running(c)]
        if not alive or time.time() > end:
            break
        time.sleep(0.2)
    for c in alive:                                      # do not leave them behind even when the test fails
        c.kill()
    return alive


def _running(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.parametrize("executor", ["pool", "dask"])
def test_kill_9_leaves_no_worker_processes(tmp_path, executor):
    """After kill -9 of `parksim run`, its workers (and the pool's fork server) exit on their own."""
    proc = start(tmp_path, "--executor", executor)
    alive = descendants_after_kill(proc, Progress(proc), workers=2)
    assert alive == [], [" ".join(p.cmdline())[:120] for p in alive]


def test_a_signal_during_a_chunk_write_waits_for_the_write():
    """Ctrl-C and SIGTERM that land inside held() take effect only when the block is done, via the old handler."""
    from parksim.experiments import interrupts

    finished = []
    with pytest.raises(KeyboardInterrupt):
        with interrupts.held():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)                    # a handler would have run by now
            finished.append("write")
    assert finished == ["write"]

    class Stop(Exception):
        pass

    def stop(signum, frame):
        raise Stop

    old = signal.signal(signal.SIGTERM, stop)
    try:
        with pytest.raises(Stop):
            with interrupts.held():
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.05)
                finished.append("write")
        assert finished == ["write", "write"] and signal.getsignal(signal.SIGTERM) is stop
    finally:
        signal.signal(signal.SIGTERM, old)
