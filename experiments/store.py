"""The result store: Parquet chunks plus a run manifest in one directory per experiment.

Layout of ``runs/<name>/``::

    experiment.json                 what was run: scenario, files, identity, design, root seed and seeds,
                                    targets, code version, environment (Python, numpy, scipy, pandas,
                                    Mesa, pyarrow, ParkSim, platform, git), the points file's checksum
                                    and the SHA-256 of its own content (``sha256``)
    points.parquet                  one row per design point: its factor values and the fully resolved
                                    world, park list, policy and schedule that ran (JSON), whatever the
                                    scenario file says today
    writer.lock                     the single-writer lock (see :mod:`parksim.experiments.lock`)
    chunks/<chunk id>/manifest.parquet   one row per run: run id, point, replication, seed, parameters,
                                         status (ok/failed), error and traceback, timing, code version
    chunks/<chunk id>/metrics.parquet    one row per successful run: design factors, headline and target metrics
    chunks/<chunk id>/series.parquet     yearly model series, per run
    chunks/<chunk id>/parks.parquet      yearly park panel, per run
    chunks/<chunk id>/events.parquet     event counts per year, kind and rule (or raw events), per run
    chunks/<chunk id>/investment.parquet the investment ledger (created/diverted/relocated/lost by park,
                                         place and region per year, count and 万元), per run
    chunks/<chunk id>/growth.parquet     output growth by part (entrants, incumbents, relocations, exits)
                                         per park and place per year, per run
    chunks/<chunk id>/finance.parquet    the public accounts: one row per year × account (park or city) with
                                         its flows by kind, cash and debt (``RunOutputs.finance``), per run
    chunks/<chunk id>/checksums.json     size and SHA-256 of each file above, and the chunk's run ids
    quarantine/<chunk id>/               damaged chunks set aside, each with ``<chunk id>.reason.txt``
    summary.csv                     per design point and metric: n, mean, sd, 95% CI

Nothing lost: a chunk is written to ``tmp/`` with its checksums and renamed into ``chunks/`` in one
step, so a sweep killed at any moment loses at most the runs of the chunk it was writing. Nothing
damaged read back: opening a store to resume verifies every chunk (:mod:`parksim.experiments.integrity`)
and moves a damaged one (truncated, zero-byte, missing manifest, flipped bit, extra file) into
``quarantine/`` with its reason, so its runs run again; :meth:`Store.read` checks each file's digest
before parsing it and refuses a damaged chunk. Nothing doubled: a run id lives in exactly one chunk
(a retried failed run's old manifest row is dropped by rewriting its chunk; a chunk repeating run ids
of an earlier one is quarantined). Nothing mixed: one process writes at a time (``writer.lock``), a
store written by another model version (source hash) is not resumed, and tables refuse manifests of
two versions. DuckDB reads the tables in place and counts each run once, e.g.
``SELECT * FROM read_parquet('runs/baseline/chunks/*/metrics.parquet', union_by_name=true)``;
DuckDB does not check digests, so run ``parksim verify runs/baseline`` before publishing.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from . import integrity, lock
from .integrity import CHECKSUMS, Damaged, Verdict

log = logging.getLogger(__name__)

OUTPUT_TABLES = ("investment", "growth", "finance")
"""Tables of :class:`parksim.simulation.RunOutputs` stored as the model gives them, one per attribute
of that name: storing another is adding its name here. A store written before a table was added has
no files of it and reads it as an empty table."""
RUN_TABLES = ("series", "parks", "events", *OUTPUT_TABLES)
"""Tables with rows per run, keyed by ``run_id``, ``point`` and ``replication`` (seeds: ``metrics``)."""
TABLES = ("manifest", "metrics", *RUN_TABLES)
EXPERIMENT_FILE = "experiment.json"
POINTS_FILE = "points.parquet"


class StoreError(Exception):
    """A store that cannot be used as asked (the CLI reports it as bad input, exit 2)."""


class StoreMismatch(StoreError):
    """The directory holds a different experiment, or one written by another model version."""


class StoreBusy(StoreError):
    """Another live process is writing to the store."""


class StoreDamaged(StoreError):
    """A file of the store is not what was written (see ``parksim verify``)."""


class Store:
    """One experiment's results on disk."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    # ------------------------------------------------------------------ opening
    @property
    def chunks(self) -> Path:
        return self.path / "chunks"

    @property
    def quarantine(self) -> Path:
        return self.path / "quarantine"

    def exists(self) -> bool:
        return (self.path / EXPERIMENT_FILE).is_file()

    def experiment(self) -> dict:
        """The experiment record written when the store was created, checked against its own SHA-256."""
        record = self._read_json()
        if "sha256" in record and record["sha256"] != _record_digest(record):     # stores before 0.2.0 have none
            raise StoreDamaged(f"{self.path / EXPERIMENT_FILE}: SHA-256 does not match the one written (the file "
                               "changed after writing); resuming the same experiment writes it again from the "
                               "plan, or start afresh with --new-store")
        return record

    def _read_json(self) -> dict:
        """``experiment.json`` as written, unchecked."""
        try:
            with open(self.path / EXPERIMENT_FILE, encoding="utf-8") as fh:
                record = json.load(fh)
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise StoreDamaged(f"{self.path / EXPERIMENT_FILE} is unreadable ({e}); start afresh with "
                               "--new-store") from None
        if not isinstance(record, dict):
            raise StoreDamaged(f"{self.path / EXPERIMENT_FILE} is unreadable (not an experiment record); start "
                               "afresh with --new-store")
        return record

    def open(self, record: dict, overwrite: bool = False, new_store: bool = False,
             points: Callable[[], pd.DataFrame] | None = None) -> Store:
        """Take the writer lock, then create the store for ``record`` or check and repair the existing one.

        Resuming verifies every chunk and quarantines the damaged ones (their runs then run again).
        Call :meth:`close` (or use the store as a context manager) when done writing.

        Args:
            record: the experiment record (``Plan.record()``); its ``code_version`` is checked.
            overwrite: discard an existing store that holds a different experiment.
            new_store: discard whatever the store holds and start afresh.
            points: gives the design points table (``Plan.points``), written when the store is created.

        Raises:
            StoreBusy: another live process holds the store (named in the message).
            StoreMismatch: the directory holds another experiment (and ``overwrite`` is false), was
                written by another model version (and ``new_store`` is false), or is not a store.
        """
        if self.path.exists() and not self.exists() and self._foreign_entries():
            raise StoreMismatch(f"{self.path} exists and is not a ParkSim store; choose another --out"
                                + ("; refusing to delete it" if overwrite or new_store else ""))
        self.path.mkdir(parents=True, exist_ok=True)
        try:
            lock.acquire(self.path)
        except lock.LockHeld as e:
            raise StoreBusy(str(e)) from None
        try:
            self._open_locked(record, overwrite, new_store, points)
        except BaseException:
            self.close()
            raise
        return self

    def _foreign_entries(self) -> list[Path]:
        """Entries that no store creation (even a killed one, before ``experiment.json``) would leave."""
        own = {lock.LOCK_FILE, POINTS_FILE, f".{POINTS_FILE}.tmp", f".{EXPERIMENT_FILE}.tmp"}
        return [p for p in self.path.iterdir() if p.name not in own]

    def _open_locked(self, record: dict, overwrite: bool, new_store: bool, points) -> None:
        if self.exists():
            try:
                old = self.experiment()
            except StoreDamaged:
                if not new_store:
                    old = self._repair_record(record, points)
                else:
                    old = {}
            different = old.get("identity") != record["identity"]
            if new_store or (overwrite and different):
                self._clear()
            elif different:
                raise StoreMismatch(
                    f"{self.path} holds a different experiment ({old.get('scenario')}, identity {old.get('identity')}; "
                    f"now {record['scenario']}, identity {record['identity']}): the scenario or design changed. "
                    "Use --out DIR for a new store or --overwrite to discard the old results")
            else:
                self._check_version(old.get("code_version") or {}, record)
        if not self.exists():
            if self._foreign_entries():
                raise StoreMismatch(f"{self.path} exists and is not a ParkSim store; choose another --out")
            record = dict(record)
            if points is not None:
                record["points"] = self._write_points(points())
            self._write_json(record)
        self.chunks.mkdir(exist_ok=True)
        shutil.rmtree(self.path / "tmp", ignore_errors=True)       # chunks a killed process left half-written
        verdicts = self.verify_chunks()
        for v in verdicts:
            for source_hash, version in v.versions.items() if v.ok else ():
                self._check_version({"source_hash": source_hash, "version": version}, record)
        for v in verdicts:
            if not v.ok:
                self._quarantine(v)
        old = self.experiment()
        if record.get("replications", 0) > old.get("replications", 0):
            self._write_json({**record, "points": old.get("points"), "created": old.get("created")})
        damage = self.check_points() if points is not None else ""
        if damage:
            log.warning("%s: %s damaged (%s); written again from the plan", self.path, POINTS_FILE, damage)
            self._write_json({**self.experiment(), "points": self._write_points(points())})

    def _repair_record(self, record: dict, points) -> dict:
        """Write a changed ``experiment.json`` again from the plan, when it still names the plan's experiment
        (the chunks' manifests carry their own seeds and model versions, checked as usual); else re-raise."""
        old = self._read_json()                                # unreadable: StoreDamaged as before
        if old.get("identity") != record["identity"]:
            self.experiment()                                   # raises StoreDamaged with the reason
        log.warning("%s: %s changed after writing (SHA-256 does not match); written again from the plan",
                    self.path, EXPERIMENT_FILE)
        fresh = {**record, "created": old.get("created", record.get("created"))}
        if points is not None:
            fresh["points"] = self._write_points(points())
        self._write_json(fresh)
        return fresh

    def _check_version(self, old: dict, record: dict) -> None:
        new = record.get("code_version") or {}
        if old.get("source_hash") and new.get("source_hash") and old["source_hash"] != new["source_hash"]:
            raise StoreMismatch(
                f"{self.path} was written by another model version (ParkSim {old.get('version')}, source hash "
                f"{old['source_hash']}); this is ParkSim {new.get('version')}, source hash {new['source_hash']}. "
                "Results of two versions must not mix: start afresh with --new-store (new_store=True; "
                "parksim calibrate: --overwrite), "
                "use --out DIR for a new store, or resume with the version that wrote it")

    def _clear(self) -> None:
        """Delete everything but the lock file (which this process holds)."""
        for entry in (p for p in self.path.iterdir() if p.name != lock.LOCK_FILE):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()

    def close(self) -> None:
        """Release the writer lock taken by :meth:`open`."""
        lock.release(self.path)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> bool:
        self.close()
        return False

    def _write_json(self, record: dict) -> None:
        """Write ``experiment.json`` atomically, with the SHA-256 of its own content (key ``sha256``)."""
        body = json.loads(json.dumps({k: v for k, v in record.items() if k != "sha256"}, default=str))
        body["sha256"] = _record_digest(body)
        tmp = self.path / f".{EXPERIMENT_FILE}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(body, fh, ensure_ascii=False, indent=1)
        os.replace(tmp, self.path / EXPERIMENT_FILE)

    def _write_points(self, table: pd.DataFrame) -> dict:
        """Write ``points.parquet`` atomically; returns its size and digest for ``experiment.json``."""
        tmp = self.path / f".{POINTS_FILE}.tmp"
        table.to_parquet(tmp, index=False)
        data = tmp.read_bytes()
        os.replace(tmp, self.path / POINTS_FILE)
        return {"file": POINTS_FILE, "bytes": len(data), "sha256": integrity.digest(data)}

    # ------------------------------------------------------------------ writing
    def write_chunk(self, tables: dict[str, pd.DataFrame]) -> Path:
        """Write one chunk atomically (tmp dir with checksums, then rename); empty tables are left out."""
        tmp = self._new_chunk()
        for name, frame in tables.items():
            if frame is not None and len(frame):
                frame.to_parquet(tmp / f"{name}.parquet", index=False)
        manifest = tables.get("manifest")
        integrity.write_checksums(tmp, [] if manifest is None else [str(r) for r in manifest["run_id"]])
        return self._swap(tmp, None)

    def _new_chunk(self) -> Path:
        """A new, empty chunk directory in ``tmp/``, named by the time to the second (chunks sort roughly in writing order)."""
        tmp = self.path / "tmp" / f"{pd.Timestamp.now('UTC').strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        tmp.mkdir(parents=True)
        return tmp

    def _swap(self, new: Path | None, old: Path | None) -> Path | None:
        """Put chunk ``new`` (from tmp/) into chunks/ in place of ``old``: old leaves first, so no run
        is ever in two chunks (a crash in between loses old's runs, which then run again)."""
        if old is not None:
            gone = self.path / "tmp" / f"{old.name}.old"
            gone.parent.mkdir(exist_ok=True)
            os.replace(old, gone)
        final = None
        if new is not None:
            final = self.chunks / new.name
            os.replace(new, final)
        if old is not None:
            shutil.rmtree(gone)
        try:
            (self.path / "tmp").rmdir()
        except OSError:
            pass
        return final

    def drop_failed(self) -> int:
        """Remove failed runs from the manifests (so that they run again); returns how many.

        A chunk with failed runs is rewritten as a new chunk without them (its other files linked,
        new checksums) and the old one removed; failed runs have rows in no other table.
        """
        dropped = 0
        for chunk in self._chunk_dirs():
            record = integrity.read_checksums(chunk)
            if integrity.MANIFEST not in record["files"]:
                continue
            m = integrity.read_parquet_checked(chunk, integrity.MANIFEST, record)
            keep = m[m["status"] != "failed"]
            if len(keep) == len(m):
                continue
            dropped += len(m) - len(keep)
            if keep.empty:
                self._swap(None, chunk)
                continue
            tmp = self._new_chunk()
            for name in record["files"]:
                if name != integrity.MANIFEST:
                    try:
                        os.link(chunk / name, tmp / name)
                    except OSError:
                        shutil.copy2(chunk / name, tmp / name)
            keep.to_parquet(tmp / integrity.MANIFEST, index=False)
            integrity.write_checksums(tmp, [str(r) for r in keep["run_id"]])
            self._swap(tmp, chunk)
        return dropped

    # ------------------------------------------------------------------ verifying
    def _chunk_dirs(self) -> list[Path]:
        return sorted(self.chunks.iterdir()) if self.chunks.is_dir() else []

    def verify_chunks(self) -> list[Verdict]:
        """Check every chunk (digests, sizes, manifest, run ids unique across chunks); changes nothing."""
        return integrity.verify_chunks(self._chunk_dirs())

    def check_points(self) -> str:
        """Why ``points.parquet`` is not what ``experiment.json`` recorded ('' when sound or not kept)."""
        expected = (self.experiment().get("points") or {}) if self.exists() else {}
        if not expected:
            return ""
        record = {"files": {POINTS_FILE: expected}}
        try:
            integrity.checked_bytes(self.path, POINTS_FILE, record)
        except Damaged as e:
            return str(e)
        return ""

    def verify(self) -> list[Verdict]:
        """Verdicts for the store's files and every chunk, plus one for mixed model versions; changes nothing."""
        verdicts = [Verdict(EXPERIMENT_FILE, kind="store")]
        try:
            self.experiment()
        except StoreDamaged as e:
            verdicts[0].reason = str(e)
            return verdicts
        verdicts.append(Verdict(POINTS_FILE, self.check_points(), kind="store"))
        chunks = self.verify_chunks()
        versions = {h: version for v in chunks if v.ok for h, version in v.versions.items()}
        verdicts.append(Verdict("model version", kind="store", reason="" if len(versions) <= 1 else
                                f"runs of {len(versions)} model versions: "
                                + ", ".join(f"{v} (source hash {h})" for h, v in sorted(versions.items()))))
        return verdicts + chunks

    def _quarantine(self, verdict: Verdict) -> Path:
        """Move a damaged chunk out of ``chunks/`` into ``quarantine/`` with a reason file beside it."""
        self.quarantine.mkdir(exist_ok=True)
        target = self.quarantine / verdict.name
        while target.exists():
            target = target.with_name(f"{target.name}-{uuid.uuid4().hex[:4]}")
        os.replace(self.chunks / verdict.name, target)
        note = (f"{pd.Timestamp.now('UTC').isoformat(timespec='seconds')}: chunk {verdict.name} quarantined by "
                f"pid {os.getpid()}: {verdict.reason}\n")
        (self.quarantine / f"{target.name}.reason.txt").write_text(note, encoding="utf-8")
        log.warning("%s: chunk %s quarantined (%s); its runs will run again", self.path, verdict.name, verdict.reason)
        return target

    # ------------------------------------------------------------------ reading
    def files(self, table: str) -> list[Path]:
        return sorted(self.chunks.glob(f"*/{table}.parquet"))

    def read(self, table: str, columns: Iterable[str] | None = None) -> pd.DataFrame:
        """One table over all chunks as a DataFrame (empty if nothing was written yet).

        Each file is checked against its chunk's checksums before it is parsed.

        Raises:
            StoreDamaged: a chunk is damaged (resume the experiment to quarantine it and re-run its runs).
        """
        if table not in TABLES:
            raise ValueError(f"table {table!r}: allowed {', '.join(TABLES)}")
        name = f"{table}.parquet"
        frames = []
        for chunk in self._chunk_dirs():
            try:
                record = integrity.read_checksums(chunk)
                if name not in record["files"]:
                    continue
                frames.append(integrity.read_parquet_checked(chunk, name, record, columns))
            except Damaged as e:
                if not chunk.exists():             # replaced by a writer while we read
                    continue
                raise StoreDamaged(f"{self.path}: chunk {chunk.name} is damaged ({e}); `parksim verify "
                                   f"{self.path}` lists the damage, and running the experiment again "
                                   "quarantines it and re-runs its runs") from None
        frames = [f for f in frames if len(f)]
        if not frames:
            return pd.DataFrame(columns=list(columns) if columns else None)
        return pd.concat(frames, ignore_index=True)

    def done(self) -> set[str]:
        """Run ids recorded in the manifest (ok or failed)."""
        m = self.read("manifest", ["run_id"])
        return set(m["run_id"]) if len(m) else set()

    def check_one_version(self, manifest: pd.DataFrame) -> None:
        """Refuse a table built on runs of more than one model version (``source_hash`` of the manifest)."""
        if "source_hash" not in manifest or manifest["source_hash"].nunique() <= 1:
            return
        counts = manifest["source_hash"].value_counts()
        raise StoreMismatch(f"{self.path} holds runs of {len(counts)} model versions (source hash: runs "
                            + ", ".join(f"{h}: {n}" for h, n in counts.items())
                            + "); a table must not mix them: run the experiment again with --new-store")

    def points(self) -> pd.DataFrame:
        """The design points as run: point, params, world, parks, policy, schedule (JSON text); empty if not kept."""
        expected = (self.experiment().get("points") or {}) if self.exists() else {}
        if not expected:
            return pd.DataFrame(columns=["point", "params", "world", "parks", "policy", "schedule"])
        try:
            return integrity.read_parquet_checked(self.path, POINTS_FILE, {"files": {POINTS_FILE: expected}})
        except Damaged as e:
            raise StoreDamaged(f"{self.path}: {e}; running the experiment again writes it anew") from None

    def point(self, point: int) -> dict | None:
        """One design point as run: ``{"params", "world", "parks", "policy", "schedule"}`` as Python values,
        or None (stores written before schedules were kept have no ``schedule``)."""
        table = self.points()
        rows = table[table["point"] == point]
        if rows.empty:
            return None
        row = rows.iloc[0]
        return {k: json.loads(row[k]) for k in ("params", "world", "parks", "policy", "schedule") if k in row}

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
        """Run SQL against one view per table of :data:`TABLES` that has been written."""
        con = self.connect()
        try:
            return con.execute(sql).df()
        finally:
            con.close()


def _record_digest(record: dict) -> str:
    """SHA-256 of an experiment record without its ``sha256`` key, as canonical JSON."""
    body = {k: v for k, v in record.items() if k != "sha256"}
    return integrity.digest(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8"))


__all__ = ["CHECKSUMS", "OUTPUT_TABLES", "RUN_TABLES", "TABLES", "Store", "StoreBusy", "StoreDamaged", "StoreError",
           "StoreMismatch", "Verdict"]
