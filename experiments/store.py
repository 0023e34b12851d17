"""The result store: Parquet chunks plus a run manifest in one directory per experiment.

Layout of ``runs/<name>/``::

    experiment.json                 what was run: scenario, files, identity, design, root seed, targets
    chunks/<chunk id>/manifest.parquet   one row per run: run id, point, replication, seed, parameters,
                                         status (ok/failed), error and traceback, timing, code version
    chunks/<chunk id>/metrics.parquet    one row per successful run: design factors, headline and target metrics
    chunks/<chunk id>/series.parquet     yearly model series, per run
    chunks/<chunk id>/parks.parquet      yearly park panel, per run
    chunks/<chunk id>/events.parquet     event counts per year, kind and rule (or raw events), per run
    summary.csv                     per design point and metric: n, mean, sd, 95% CI

A chunk is written to ``tmp/`` and renamed into ``chunks/`` in one step, so a chunk is either
complete or absent: a sweep killed at any moment loses at most the runs of the chunk it was
writing, and resuming runs exactly those again. DuckDB reads the tables in place, e.g.
``SELECT * FROM read_parquet('runs/baseline/chunks/*/metrics.parquet', union_by_name=true)``.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

TABLES = ("manifest", "metrics", "series", "parks", "events")
EXPERIMENT_FILE = "experiment.json"


class StoreMismatch(Exception):
    """The directory holds a different experiment than the one asked for."""


class Store:
    """One experiment's results on disk."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    # ------------------------------------------------------------------ writing
    @property
    def chunks(self) -> Path:
        return self.path / "chunks"

    def exists(self) -> bool:
        return (self.path / EXPERIMENT_FILE).is_file()

    def experiment(self) -> dict:
        """The experiment record written when the store was created."""
        with open(self.path / EXPERIMENT_FILE, encoding="utf-8") as fh:
            return json.load(fh)

    def open(self, record: dict, overwrite: bool = False) -> Store:
        """Create the store for ``record``, or check that an existing one holds the same experiment.

        Raises:
            StoreMismatch: the directory holds another experiment (and ``overwrite`` is false), or
                is not a store at all.
        """
        if overwrite and self.path.exists():
            if not (self.exists() or not any(self.path.iterdir())):
                raise StoreMismatch(f"{self.path} exists and is not a ParkSim store; refusing to delete it")
            shutil.rmtree(self.path)
        if self.exists():
            old = self.experiment()
            if old.get("identity") != record["identity"]:
                raise StoreMismatch(
                    f"{self.path} holds a different experiment ({old.get('scenario')}, identity {old.get('identity')}; "
                    f"now {record['scenario']}, identity {record['identity']}): the scenario or design changed. "
                    "Use --out DIR for a new store or --overwrite to discard the old results")
            if record.get("replications", 0) > old.get("replications", 0):
                self._write_json(record)
        else:
            if self.path.exists() and any(self.path.iterdir()):
                raise StoreMismatch(f"{self.path} exists and is not a ParkSim store; choose another --out")
            self.path.mkdir(parents=True, exist_ok=True)
            self._write_json(record)
        self.chunks.mkdir(exist_ok=True)
        shutil.rmtree(self.path / "tmp", ignore_errors=True)       # chunks a killed process left half-written
        return self

    def _write_json(self, record: dict) -> None:
        tmp = self.path / f".{EXPERIMENT_FILE}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(record, fh, ensure_ascii=False, indent=1, default=str)
        os.replace(tmp, self.path / EXPERIMENT_FILE)

    def write_chunk(self, tables: dict[str, pd.DataFrame]) -> Path:
        """Write one chunk atomically (tmp dir, then rename); empty tables are left out."""
        chunk_id = f"{pd.Timestamp.now('UTC').strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        tmp = self.path / "tmp" / chunk_id
        tmp.mkdir(parents=True)
        for name, frame in tables.items():
            if frame is not None and len(frame):
                frame.to_parquet(tmp / f"{name}.parquet", index=False)
        final = self.chunks / chunk_id
        os.replace(tmp, final)
        try:
            tmp.parent.rmdir()
        except OSError:
            pass
        return final

    def drop_failed(self) -> int:
        """Remove failed runs from the manifest (so that they run again); returns how many."""
        dropped = 0
        for file in sorted(self.chunks.glob("*/manifest.parquet")):
            m = pd.read_parquet(file)
            keep = m[m["status"] != "failed"]
            if len(keep) < len(m):
                dropped += len(m) - len(keep)
                tmp = file.with_suffix(".tmp")
                keep.to_parquet(tmp, index=False)
                os.replace(tmp, file)
        return dropped

    # ------------------------------------------------------------------ reading
    def files(self, table: str) -> list[Path]:
        return sorted(self.chunks.glob(f"*/{table}.parquet"))

    def read(self, table: str, columns: Iterable[str] | None = None) -> pd.DataFrame:
        """One table over all chunks as a DataFrame (empty if nothing was written yet)."""
        if table not in TABLES:
            raise ValueError(f"table {table!r}: allowed {', '.join(TABLES)}")
        files = self.files(table)
        if not files:
            return pd.DataFrame(columns=list(columns) if columns else None)
        frames = [pd.read_parquet(f, columns=list(columns) if columns else None) for f in files]
        frames = [f for f in frames if len(f)]
        if not frames:
            return pd.DataFrame(columns=list(columns) if columns else None)
        return pd.concat(frames, ignore_index=True)

    def done(self) -> set[str]:
        """Run ids recorded in the manifest (ok or failed)."""
        m = self.read("manifest", ["run_id"])
        return set(m["run_id"]) if len(m) else set()

    def connect(self):
        """A DuckDB connection with one view per table over the Parquet files in place."""
        import duckdb
        con = duckdb.connect()
        for table in TABLES:
            if self.files(table):
                glob = str(self.chunks / "*" / f"{table}.parquet").replace("'", "''")
                con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{glob}', union_by_name=true)")
        return con

    def query(self, sql: str) -> pd.DataFrame:
        """Run SQL against the views ``manifest``, ``metrics``, ``series``, ``parks``, ``events``."""
        con = self.connect()
        try:
            return con.execute(sql).df()
        finally:
            con.close()
