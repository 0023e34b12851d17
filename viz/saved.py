"""Dashboard runs saved to the result store, so they outlive the server: written after each run,
listed per browser session (and for the facilitator, over all sessions) and reopened after a restart.

Each run is written by the runner's own :func:`parksim.experiments.runner.execute` into
``<runs>/dashboard/<session>/<run>`` (a normal store: chunks, manifest, summary), handed the outcomes the
dashboard already has by :class:`Replay`, so nothing runs twice. A small ``<run>.json`` beside it keeps
the label shown in the dashboard. Session ids come from the browser, so only plain ids are accepted.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from pathlib import Path

from parksim.experiments.runner import execute, plan
from parksim.experiments.store import Store
from parksim.scenarios.loader import Scenario
from parksim.simulation import Policy

from .data import RunData

SESSION_ID = re.compile(r"[0-9a-f][0-9a-f-]{7,63}")


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
        self.stamp = time.strftime("%Y%m%d%H%M%S")      # this server's runs: <stamp>-<job id>
        self._cache: dict[Path, RunData] = {}

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
        (where / f"{name}.json").write_text(json.dumps({"label": label, "scenario": scenario.name, "run": run_id,
                                                        "saved": time.strftime("%Y-%m-%d %H:%M:%S")},
                                                       ensure_ascii=False), encoding="utf-8")
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
        """The session's runs saved by earlier servers (this server's own are in memory), by name."""
        out = {}
        for record in self.records(session):
            if record["name"].startswith(self.stamp + "-"):
                continue
            path = self.root / record["session"] / record["name"]
            if path not in self._cache:
                data = RunData.from_store(Store(path))
                data.label = f"{record['label']} ({record['saved']})"
                self._cache[path] = data
            out[record["name"]] = self._cache[path]
        return out
