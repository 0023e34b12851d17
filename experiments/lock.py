"""One writer per store: an OS lock on ``<store>/writer.lock`` whose body names the holder.

The lock is ``fcntl.flock`` on the file, so the operating system releases it when the holder exits
in any way (``kill -9`` and out-of-memory included); a second process is refused at once, told
who holds the store (pid, host, command, since when). The JSON body is only information: a body
left behind by a process that died (the file is not locked) is taken over and logged. A process
may open the same store more than once (e.g. two ``Store`` objects): the lock is counted, not
taken twice. Works on local file systems; on NFS, Linux maps ``flock`` onto NFS byte-range locks.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)

LOCK_FILE = "writer.lock"

_held: dict[str, list] = {}          # realpath of a lock file -> [fd, count] held by this process


class LockHeld(Exception):
    """Another live process holds the lock; ``holder`` is its record (pid, host, command, since)."""

    def __init__(self, directory: Path, holder: dict):
        self.directory, self.holder = directory, holder
        who = (f"pid {holder.get('pid', '?')} on {holder.get('host', '?')}, command "
               f"{holder.get('command', '?')!r}, since {holder.get('since', '?')}") if holder else "an unknown process"
        super().__init__(f"{directory} is being written by another process ({who}); wait for it to finish, "
                         "stop it, or choose another --out")


def holder_record() -> dict:
    """Who this process is: pid, host, command line and the time the lock was taken."""
    return {"pid": os.getpid(), "host": socket.gethostname(), "command": " ".join(sys.argv) or sys.executable,
            "since": datetime.now(UTC).isoformat(timespec="seconds")}


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_body(fd: int) -> dict:
    os.lseek(fd, 0, os.SEEK_SET)
    data = b""
    while chunk := os.read(fd, 65536):
        data += chunk
    try:
        body = json.loads(data.decode("utf-8")) if data.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"unreadable": data[:200].decode("utf-8", "replace")}
    return body if isinstance(body, dict) else {}


def _write_body(fd: int, body: dict) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, json.dumps(body, ensure_ascii=False).encode("utf-8"))
    os.fsync(fd)


def acquire(directory: Path) -> None:
    """Take the writer lock of ``directory`` (which must exist), or raise :class:`LockHeld` at once."""
    path = directory / LOCK_FILE
    key = os.path.realpath(path)
    if key in _held:
        _held[key][1] += 1
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_body(fd)
        os.close(fd)
        if holder.get("host") == socket.gethostname() and isinstance(holder.get("pid"), int) \
                and not pid_alive(holder["pid"]):
            holder = {**holder, "command": f"{holder.get('command', '?')} (exited; a process it started still "
                      "holds the lock)"}
        raise LockHeld(directory, holder) from None
    except BaseException:
        os.close(fd)
        raise
    stale = _read_body(fd)
    if stale:
        pid, host = stale.get("pid"), stale.get("host")
        state = ("no longer running" if host == socket.gethostname() and isinstance(pid, int) and not pid_alive(pid)
                 else "not holding it")
        log.warning("%s: taking over the lock left by pid %s on %s (%s, since %s): that process is %s",
                    directory, pid, host, stale.get("command"), stale.get("since"), state)
    _write_body(fd, holder_record())
    _held[key] = [fd, 1]


def release(directory: Path) -> None:
    """Give back one hold of the lock; the last one empties the body and unlocks."""
    key = os.path.realpath(directory / LOCK_FILE)
    entry = _held.get(key)
    if entry is None:
        return
    entry[1] -= 1
    if entry[1] > 0:
        return
    del _held[key]
    fd = entry[0]
    try:
        os.ftruncate(fd, 0)                # an empty body: released cleanly, nothing to take over
    finally:
        os.close(fd)                       # closing releases the flock


def holds(directory: Path) -> bool:
    """Whether this process holds the lock of ``directory``."""
    return os.path.realpath(directory / LOCK_FILE) in _held
