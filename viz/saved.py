"""Dashboard runs saved to the result store, so they outlive the server: written after each run,
listed per browser session (and for the facilitator, over all sessions) and reopened after a restart.

Each run is written by the runner's own :func:`parksim.experiments.runner.execute` into
``<runs>/dashboard/<session>/<run>`` (a normal store: chunks, manifest, summary), handed the outcomes the
dashboard already has by :class:`Replay`, so nothing runs twice. A small ``<run>.json`` beside it keeps
the label shown in the dashboard; a synthetic world's generated places (drawn at set-up, for each seed)
go into the store's folder as :data:`PLACES_FILE`, which the store itself does not keep, so that the map
of a reopened run shows its counties and cities. Session ids come from the browser, so only plain ids are accepted.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import shutil
import tempfile
import time
import zipfile
from pathlib import Path, PurePosixPath

import pandas as pd

from parksim.experiments.runner import execute, plan
from parksim.experiments.store import Store
from parksim.scenarios.loader import Scenario
from parksim.simulation import ConfigError, Policy

from .data import RunData, stacked_table

SESSION_ID = re.compile(r"[0-9a-f][0-9a-f-]{7,63}")
RUN_NAME = re.compile(r"[0-9]{14}-run[0-9]+[AB]?")
MAX_IMPORT = 500 * 1024 * 1024          # bytes unpacked from one session file
PLACES_FILE = "dashboard_places.parquet"


class Replay:
    """An executor for :func:`execute` that hands back outcomes already computed, by run id."""

    name = "dashboard"

    def __init__(self, outcomes: list[dict]):
        self._by_id = {o["run_id"]: o for o in outcomes}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def map(self, fn, tasks):
        for task in tasks:
            yield self._by_id[task.run_id]


class SavedRuns:
    """The dashboard's saved runs under ``root`` (``<runs>/dashboard``)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.stamp = time.strftime("%Y%m%d%H%M%S")      # run names: <server start>-<job id>
        self._cache: dict[Path, RunData] = {}
        self._mine: set[tuple[str, str]] = set()        # (session, name) saved by this server: in memory too

    def _session_dir(self, session) -> Path | None:
        ok = isinstance(session, str) and SESSION_ID.fullmatch(session)
        return self.root / session if ok else None

    def save(self, session: str, run_id: str, scenario: Scenario, policy: Policy, replications: int, label: str,
             outcomes: list[dict]) -> Path | None:
        """Write one finished run; None when the session id is not a plain id (nothing is written)."""
        where = self._session_dir(session)
        if where is None:
            return None
        name = f"{self.stamp}-{run_id}"
        store = Store(where / name)
        execute(plan(dataclasses.replace(scenario, policy=policy, replications=replications)), store, Replay(outcomes),
                progress=False)
        places = stacked_table([o for o in outcomes if o["status"] == "ok"], "places")
        if len(places):
            places.to_parquet(store.path / PLACES_FILE, index=False)
        (where / f"{name}.json").write_text(json.dumps({"label": label, "scenario": scenario.name, "run": run_id,
                                                        "saved": time.strftime("%Y-%m-%d %H:%M:%S")},
                                                       ensure_ascii=False), encoding="utf-8")
        self._mine.add((session, name))
        return store.path

    def records(self, session: str | None = None) -> list[dict]:
        """Saved runs (of one session, or of all), oldest first: label, scenario, session, name, saved."""
        dirs = [self._session_dir(session)] if session is not None else sorted(self.root.glob("*"))
        out = []
        for d in (d for d in dirs if d is not None and d.is_dir()):
            for meta in sorted(d.glob("*.json")):
                try:
                    record = json.loads(meta.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue
                if Store(meta.with_suffix("")).exists():
                    out.append({**record, "session": d.name, "name": meta.stem})
        return out

    def reopened(self, session: str) -> dict[str, RunData]:
        """The session's saved runs but those this server saved itself (they are in memory), by name."""
        out = {}
        for record in self.records(session):
            if (session, record["name"]) in self._mine:
                continue
            path = self.root / record["session"] / record["name"]
            if path not in self._cache:
                data = RunData.from_store(Store(path))
                if (path / PLACES_FILE).exists():
                    data.tables["places"] = pd.read_parquet(path / PLACES_FILE)
                data.label = f"{record['label']} ({record['saved']})"
                self._cache[path] = data
            out[record["name"]] = self._cache[path]
        return out

    def export(self, session: str) -> bytes:
        """The session's saved runs as one zip file (each store and its label)."""
        where = self._session_dir(session)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for record in self.records(session):
                name = record["name"]
                z.write(where / f"{name}.json", f"{name}.json")
                for f in sorted((where / name).rglob("*")):
                    if f.is_file():
                        z.write(f, f"{name}/{f.relative_to(where / name).as_posix()}")
        return buffer.getvalue()

    def import_(self, session: str, data: bytes) -> list[str]:
        """Add the runs of a session file (from :meth:`export`) to ``session``; returns their names.

        Raises:
            ConfigError: not a session file: not a zip, an entry outside ``<run>/`` or ``<run>.json``
                (absolute, ``..``), too large, or a run already there. Nothing is written then.
        """
        where = self._session_dir(session)
        if where is None:
            raise ConfigError("session", session, "a browser session id")
        try:
            z = zipfile.ZipFile(io.BytesIO(data))
            entries = z.infolist()
        except zipfile.BadZipFile:
            raise ConfigError("session file", f"{len(data)} bytes", "a zip written by the dashboard's export") from None
        names = set()
        for e in entries:
            parts = PurePosixPath(e.filename).parts
            top = parts[0].removesuffix(".json") if parts else ""
            if not RUN_NAME.fullmatch(top) or ".." in parts or (len(parts) == 1 and not parts[0].endswith(".json")):
                raise ConfigError("session file", e.filename, "entries <run>/… and <run>.json only")
            names.add(top)
        if sum(e.file_size for e in entries) > MAX_IMPORT:
            raise ConfigError("session file", f"{sum(e.file_size for e in entries)} bytes unpacked",
                              f"at most {MAX_IMPORT} bytes")
        clash = sorted(n for n in names if (where / n).exists())
        if clash:
            raise ConfigError("session file", clash[0], "runs not already in this session")
        where.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=where) as tmp:
            z.extractall(tmp)
            for n in sorted(names):
                for item in (f"{n}.json", n):
                    if (Path(tmp) / item).exists():
                        shutil.move(str(Path(tmp) / item), where / item)
        return sorted(names)
