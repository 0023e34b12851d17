"""Checksums of a store's chunks: what was written is what is read, or the chunk is set aside.

Every chunk directory holds ``checksums.json``, written last, before the chunk is renamed into
``chunks/``: the SHA-256 and size in bytes of every other file of the chunk, and the run ids of its
manifest (experiment chunks have one; calibration chunks hold only metrics). A chunk is sound when
that file reads, names exactly the files present, every size and digest matches, and the manifest
reads back with the listed run ids. Anything else
(a truncated, zero-byte, missing, extra or changed file, one flipped bit) is damage, named in a
one-line reason.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

CHECKSUMS = "checksums.json"
MANIFEST = "manifest.parquet"
MANIFEST_KEYS = ("run_id", "source_hash", "code_version")


@dataclass
class Verdict:
    """What verification found for one chunk or store file: empty ``reason`` means sound."""

    name: str
    reason: str = ""
    runs: list[str] = field(default_factory=list)
    kind: str = "chunk"                                          # or "store" for the store's own files
    versions: dict[str, str] = field(default_factory=dict)       # source hash -> code version of its runs

    @property
    def ok(self) -> bool:
        return not self.reason


class Damaged(Exception):
    """A chunk (or a store file) is not what was written; the message is the reason."""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_checksums(chunk: Path, run_ids: list[str]) -> None:
    """Record size and SHA-256 of every file of ``chunk`` (and its run ids) in ``checksums.json``."""
    files = {}
    for f in sorted(chunk.iterdir()):
        if f.name != CHECKSUMS:
            data = f.read_bytes()
            files[f.name] = {"bytes": len(data), "sha256": digest(data)}
    body = {"files": files, "runs": sorted(run_ids)}
    with open(chunk / CHECKSUMS, "w", encoding="utf-8") as fh:
        json.dump(body, fh, indent=1)
        fh.flush()
        os.fsync(fh.fileno())


def read_checksums(chunk: Path) -> dict:
    """The chunk's checksum record; raises :class:`Damaged` if missing or unreadable."""
    try:
        body = json.loads((chunk / CHECKSUMS).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Damaged(f"no {CHECKSUMS}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise Damaged(f"{CHECKSUMS} unreadable ({type(e).__name__}: {e})") from None
    if not (isinstance(body, dict) and isinstance(body.get("files"), dict) and isinstance(body.get("runs"), list)):
        raise Damaged(f"{CHECKSUMS} unreadable (not a checksum record)")
    return body


def checked_bytes(chunk: Path, name: str, record: dict) -> bytes:
    """The bytes of one file of ``chunk``, after checking them against ``record``; raises :class:`Damaged`."""
    expected = record["files"].get(name)
    if expected is None:
        raise Damaged(f"{name} is not listed in {CHECKSUMS}")
    try:
        data = (chunk / name).read_bytes()
    except FileNotFoundError:
        raise Damaged(f"{name} missing") from None
    except OSError as e:
        raise Damaged(f"{name} unreadable ({e.strerror})") from None
    if len(data) != expected.get("bytes"):
        raise Damaged(f"{name}: {len(data)} bytes, {expected.get('bytes')} written (truncated or changed)")
    if digest(data) != expected.get("sha256"):
        raise Damaged(f"{name}: SHA-256 does not match the one written (the file changed after writing)")
    return data


def read_parquet_checked(chunk: Path, name: str, record: dict, columns=None) -> pd.DataFrame:
    """One Parquet file of a chunk, read only after its checksum matched."""
    data = checked_bytes(chunk, name, record)
    try:
        return pd.read_parquet(io.BytesIO(data), columns=list(columns) if columns else None)
    except Exception as e:  # noqa: BLE001 - any reader error means the file cannot be used
        raise Damaged(f"{name} unreadable ({type(e).__name__}: {e})") from None


def verify_chunk(chunk: Path) -> pd.DataFrame:
    """Check one chunk completely; returns its manifest's :data:`MANIFEST_KEYS` columns, or raises
    :class:`Damaged` with the reason."""
    if not chunk.is_dir():
        raise Damaged("not a chunk directory")
    record = read_checksums(chunk)
    present = {f.name for f in chunk.iterdir()} - {CHECKSUMS}
    extra = sorted(present - set(record["files"]))
    if extra:
        raise Damaged(f"{extra[0]} is not listed in {CHECKSUMS} (added after writing)")
    for name in record["files"]:
        if name != MANIFEST:
            checked_bytes(chunk, name, record)
    if MANIFEST not in record["files"]:
        if record["runs"]:
            raise Damaged(f"no {MANIFEST} listed in {CHECKSUMS}, which lists runs")
        return pd.DataFrame({"run_id": pd.Series([], dtype=str)})
    data = checked_bytes(chunk, MANIFEST, record)
    try:                                    # only the columns verification needs: the digest covers the rest
        file = pq.ParquetFile(pa.BufferReader(data))
        manifest = file.read(columns=[c for c in MANIFEST_KEYS if c in file.schema_arrow.names]).to_pandas()
    except Exception as e:  # noqa: BLE001 - any reader error means the file cannot be used
        raise Damaged(f"{MANIFEST} unreadable ({type(e).__name__}: {e})") from None
    if "run_id" not in manifest or sorted(manifest["run_id"].astype(str)) != sorted(record["runs"]):
        raise Damaged(f"{MANIFEST} holds other run ids than {CHECKSUMS} lists")
    return manifest


def verify_chunks(chunks: list[Path]) -> list[Verdict]:
    """Verdicts for ``chunks`` in order: each checked whole, and no run id in two of them (the later
    one is damaged); a sound verdict lists its runs and the model versions that wrote them."""
    verdicts, owner = [], {}
    for chunk in chunks:
        try:
            manifest = verify_chunk(chunk)
        except Damaged as e:
            verdicts.append(Verdict(chunk.name, str(e)))
            continue
        runs = [str(r) for r in manifest["run_id"]]
        versions = (dict(zip(manifest["source_hash"].astype(str), manifest["code_version"].astype(str)))
                    if {"source_hash", "code_version"} <= set(manifest) else {})
        v = Verdict(chunk.name, runs=runs, versions=versions)
        twice = sorted({r for r in runs if r in owner})
        if twice:
            v.reason = f"run {twice[0]} (and {len(twice) - 1} more) already in chunk {owner[twice[0]]}"
        elif len(set(runs)) < len(runs):
            v.reason = "a run id appears twice in its manifest"
        else:
            owner.update(dict.fromkeys(runs, chunk.name))
        verdicts.append(v)
    return verdicts
