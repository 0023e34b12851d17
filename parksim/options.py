"""Options and errors shared by the ``parksim`` subcommands (the CLI and the calibration and dashboard
commands import this module; it imports none of them)."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

EXIT_OK, EXIT_FAILED_RUNS, EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143


class BadInput(Exception):
    """Input the user must fix; reported on stderr with exit status 2."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that the same clean-up runs (finished runs are written)."""


def executor_options() -> argparse.ArgumentParser:
    """The --executor/--workers/--scheduler flags, shared by every command that runs the model."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--executor", choices=("serial", "pool", "dask"), default=None,
                   help="where runs execute: serial (this process), pool (local processes, the default) "
                        "or dask (a LocalCluster, or --scheduler)")
    p.add_argument("--workers", type=int, metavar="N", help="processes for pool/dask (default: the machine's CPUs)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="address of a running Dask scheduler (implies --executor dask)")
    return p


def executor_kind(args, counts: tuple[str, ...] = ("workers",)) -> str:
    """The executor the flags ask for, after checking them and the ``counts`` flags (each >= 1)."""
    for name in counts:
        value = getattr(args, name, None)
        if value is not None and value < 1:
            raise BadInput(f"--{name.replace('_', '-')}: got {value}; allowed: an integer >= 1")
    if args.scheduler is not None and not args.scheduler.strip():
        raise BadInput(f"--scheduler: got {args.scheduler!r}; allowed: the address of a running Dask scheduler, "
                       "e.g. tcp://host:8786")
    if args.scheduler and args.executor not in (None, "dask"):
        raise BadInput(f"--scheduler: got {args.scheduler!r} with --executor {args.executor}; allowed: only with dask")
    return "dask" if args.scheduler else (args.executor or "pool")


def check_directories(args, flags: tuple[str, ...]) -> None:
    """Check each given directory flag (``--runs``, ``--out``) with :func:`check_directory`."""
    for flag in flags:
        value = getattr(args, flag, None)
        if value is not None:
            check_directory(f"--{flag.replace('_', '-')}", value)


def check_file(flag: str, value: str) -> None:
    """A file path to write: not a directory, in a directory that exists or can be made and written to."""
    allowed = "a file path in a directory that you can write to"
    if not value.strip():
        raise BadInput(f"{flag}: got {value!r}; allowed: {allowed}")
    path = Path(value).expanduser()
    if path.is_dir():
        raise BadInput(f"{flag}: got {value!r}, which is a directory; allowed: {allowed}")
    _check_writable(flag, value, path.parent, allowed)


def check_directory(flag: str, value: str) -> None:
    """A directory that exists or can be made, and can be written to; BadInput naming the flag otherwise."""
    allowed = "a directory (existing, or one that can be created) that you can write to"
    if not value.strip():
        raise BadInput(f"{flag}: got {value!r}; allowed: {allowed}")
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        raise BadInput(f"{flag}: got {value!r}, which is a file; allowed: {allowed}")
    _check_writable(flag, value, path, allowed)


def _check_writable(flag: str, value: str, path: Path, allowed: str) -> None:
    """The nearest existing ancestor of directory ``path`` is a directory this process can create files in."""
    existing = path
    while not existing.exists():                    # the nearest ancestor that exists must be a writable directory
        existing = existing.parent
    if not existing.is_dir():
        raise BadInput(f"{flag}: got {value!r}, which is inside the file {str(existing)!r}; allowed: {allowed}")
    try:
        tempfile.TemporaryFile(dir=existing).close()
    except OSError as e:
        raise BadInput(f"{flag}: got {value!r}; {str(existing)!r} is not writable ({e.strerror}); "
                       f"allowed: {allowed}") from None
