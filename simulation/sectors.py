"""The sector catalogue: per-sector economics and the inter-sector input-output matrix.

The numbers live in ``simulation/data/sectors.csv`` and ``io_coefficients.csv`` (see
``data/SOURCES.md``) rather than in code, so calibration can replace them without touching
the model. Everything is validated on load and every failure is a ``ConfigError`` naming the
file, row/column, offending value and what is allowed, because a silently wrong catalogue
would only show up as implausible simulation output much later.
"""

from __future__ import annotations

import csv
import functools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from parksim.simulation.errors import ConfigError

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_SECTORS_PATH = DATA_DIR / "sectors.csv"
DEFAULT_IO_PATH = DATA_DIR / "io_coefficients.csv"

STAGES = ("upstream", "midstream", "downstream")

COLUMNS = (
    "key", "name_zh", "name_en", "chain", "chain_zh", "stage", "is_service",
    "intensity_median", "intensity_sigma", "output_per_investment", "value_added_rate",
    "tax_rate", "jobs_per_yi", "energy_per_output", "pollution_class", "hightech_share",
    "demand_share",
)

# Float columns: (lower, upper, lower_inclusive, description of the allowed range).
_FLOAT_RULES: dict[str, tuple[float, float, bool, str]] = {
    "intensity_median": (0.0, math.inf, False, "a finite number > 0 (万元/mu)"),
    "intensity_sigma": (0.0, math.inf, True, "a finite number >= 0"),
    "output_per_investment": (0.0, math.inf, False, "a finite number > 0"),
    "value_added_rate": (0.0, 1.0, True, "a number in [0, 1]"),
    "tax_rate": (0.0, 1.0, True, "a number in [0, 1]"),
    "jobs_per_yi": (0.0, math.inf, True, "a finite number >= 0"),
    "energy_per_output": (0.0, math.inf, True, "a finite number >= 0"),
    "hightech_share": (0.0, 1.0, True, "a number in [0, 1]"),
    "demand_share": (0.0, 1.0, True, "a number in [0, 1]"),
}

DEMAND_SUM_TOL = 1e-9


@dataclass(frozen=True)
class SectorCatalogue:
    """Immutable per-sector arrays indexed 0..n-1 in ``keys`` order; shared by all model runs."""

    keys: tuple[str, ...]
    names_zh: tuple[str, ...]
    chain_keys: tuple[str, ...]
    chain: np.ndarray
    stage: np.ndarray
    is_service: np.ndarray
    intensity_median: np.ndarray
    intensity_sigma: np.ndarray
    output_per_investment: np.ndarray
    value_added_rate: np.ndarray
    tax_rate: np.ndarray
    jobs_per_yi: np.ndarray
    energy_per_output: np.ndarray
    hightech_share: np.ndarray
    demand_share: np.ndarray
    pollution_class: np.ndarray
    io: np.ndarray

    @property
    def n(self) -> int:
        """Number of sectors."""
        return len(self.keys)

    def index(self, key: str) -> int:
        """Position of sector ``key``; a typo in a scenario file should fail loudly, not KeyError."""
        try:
            return self.keys.index(key)
        except ValueError:
            raise ConfigError("sector key", key, ", ".join(self.keys)) from None

    def chain_members(self, chain: str | int) -> np.ndarray:
        """Boolean (n,) mask of the sectors in ``chain`` (its key or its index into ``chain_keys``)."""
        if isinstance(chain, str):
            if chain not in self.chain_keys:
                raise ConfigError("chain key", chain, ", ".join(self.chain_keys))
            idx = self.chain_keys.index(chain)
        else:
            idx = int(chain)
            if not 0 <= idx < len(self.chain_keys):
                raise ConfigError("chain index", chain, f"0..{len(self.chain_keys) - 1}")
        return self.chain == idx


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and data rows of a UTF-8 CSV (BOM tolerated, blank lines skipped)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [r for r in csv.reader(f) if any(cell.strip() for cell in r)]
    except OSError as exc:
        raise ConfigError(str(path), str(exc), "a readable CSV file") from None
    if not rows:
        raise ConfigError(path.name, "empty file", "a header row and at least one data row")
    return [h.strip() for h in rows[0]], [[c.strip() for c in r] for r in rows[1:]]


def _parse_float(text: str, where: str, allowed: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(where, text, allowed) from None
    if math.isnan(value):
        raise ConfigError(where, text, allowed)
    return value


def _readonly(arr: np.ndarray) -> np.ndarray:
    arr.flags.writeable = False
    return arr


def _load_sector_rows(path: Path) -> list[dict[str, str]]:
    """Rows of sectors.csv as dicts, after checking the header and the row shape."""
    header, rows = _read_csv(path)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ConfigError(f"{path.name} header", f"missing column(s) {', '.join(missing)}",
                          ", ".join(COLUMNS))
    extra = [c for c in header if c not in COLUMNS]
    if extra:
        raise ConfigError(f"{path.name} header", f"unknown column(s) {', '.join(extra)}",
                          ", ".join(COLUMNS))
    dup_cols = sorted({c for c in header if header.count(c) > 1})
    if dup_cols:
        raise ConfigError(f"{path.name} header", f"duplicate column(s) {', '.join(dup_cols)}",
                          "each column once")
    if not rows:
        raise ConfigError(path.name, "no data rows", "at least one sector row")
    out = []
    for lineno, r in enumerate(rows, start=2):
        if len(r) != len(header):
            raise ConfigError(f"{path.name} line {lineno}", f"{len(r)} fields",
                              f"{len(header)} fields, one per header column")
        out.append(dict(zip(header, r)))
    return out


def _load_io(path: Path, keys: tuple[str, ...], sectors_name: str) -> np.ndarray:
    """The direct-requirement matrix A[supplier, buyer], reordered to ``keys`` order."""
    header, rows = _read_csv(path)
    if not header or header[0] != "supplier":
        raise ConfigError(f"{path.name} header", header[0] if header else "",
                          "first column named 'supplier'")
    buyers = header[1:]
    suppliers = [r[0] if r else "" for r in rows]
    if len(buyers) != len(suppliers):
        raise ConfigError(path.name, f"{len(suppliers)} supplier rows x {len(buyers)} buyer columns",
                          "a square matrix (as many rows as buyer columns)")
    for label, names in (("buyer column", buyers), ("supplier row", suppliers)):
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise ConfigError(f"{path.name} {label}", name, "each sector key once")
            seen.add(name)
        unknown = [k for k in names if k not in keys]
        if unknown:
            raise ConfigError(f"{path.name} {label}", unknown[0],
                              f"sector keys from {sectors_name}: {', '.join(keys)}")
        absent = [k for k in keys if k not in seen]
        if absent:
            raise ConfigError(f"{path.name} {label}s", f"missing {absent[0]}",
                              f"every sector key from {sectors_name}")

    raw = np.empty((len(suppliers), len(buyers)))
    for i, r in enumerate(rows):
        if len(r) != len(header):
            raise ConfigError(f"{path.name} row {suppliers[i]!r}", f"{len(r)} fields",
                              f"{len(header)} fields, one per header column")
        for j, cell in enumerate(r[1:]):
            where = f"{path.name} row {suppliers[i]!r} column {buyers[j]}"
            v = _parse_float(cell, where, "a finite number >= 0")
            if not (0.0 <= v < math.inf):
                raise ConfigError(where, cell, "a finite number >= 0")
            raw[i, j] = v

    row_pos = [suppliers.index(k) for k in keys]
    col_pos = [buyers.index(k) for k in keys]
    io = raw[np.ix_(row_pos, col_pos)]
    sums = io.sum(axis=0)
    for j, k in enumerate(keys):
        # A column sum >= 1 means the sector uses up more inputs than it produces: no value added,
        # and the Leontief inverse (I - A)^-1 stops being well defined.
        if not sums[j] < 1.0:
            raise ConfigError(f"{path.name} column {k} sum", round(float(sums[j]), 6), "< 1")
    return io


def load_sectors(sectors_path: str | Path | None = None,
                 io_path: str | Path | None = None) -> SectorCatalogue:
    """Read and validate the catalogue; defaults are the packaged data files."""
    sectors_path = Path(sectors_path) if sectors_path is not None else DEFAULT_SECTORS_PATH
    io_path = Path(io_path) if io_path is not None else DEFAULT_IO_PATH
    fname = sectors_path.name
    rows = _load_sector_rows(sectors_path)

    keys: list[str] = []
    for lineno, r in enumerate(rows, start=2):
        k = r["key"]
        if not k:
            raise ConfigError(f"{fname} line {lineno} column key", k, "a non-empty sector key")
        if k in keys:
            raise ConfigError(f"{fname} line {lineno} column key", k, "unique sector keys (duplicate)")
        keys.append(k)

    def where(r: dict[str, str], col: str) -> str:
        return f"{fname} row {r['key']!r} column {col}"

    chain_keys: list[str] = []
    chain, stage, is_service, pollution = [], [], [], []
    floats: dict[str, list[float]] = {c: [] for c in _FLOAT_RULES}
    for r in rows:
        for col in ("name_zh", "chain"):
            if not r[col]:
                raise ConfigError(where(r, col), r[col], "a non-empty string")
        if r["chain"] not in chain_keys:
            chain_keys.append(r["chain"])
        chain.append(chain_keys.index(r["chain"]))
        if r["stage"] not in STAGES:
            raise ConfigError(where(r, "stage"), r["stage"], ", ".join(STAGES))
        stage.append(STAGES.index(r["stage"]))
        if r["is_service"] not in ("0", "1"):
            raise ConfigError(where(r, "is_service"), r["is_service"], "0 or 1")
        is_service.append(r["is_service"] == "1")
        if r["pollution_class"] not in ("1", "2", "3"):
            raise ConfigError(where(r, "pollution_class"), r["pollution_class"], "1, 2 or 3")
        pollution.append(int(r["pollution_class"]))
        for col, (lo, hi, lo_incl, allowed) in _FLOAT_RULES.items():
            v = _parse_float(r[col], where(r, col), allowed)
            ok = (v >= lo if lo_incl else v > lo) and (v <= hi if hi < math.inf else v < math.inf)
            if not ok:
                raise ConfigError(where(r, col), r[col], allowed)
            floats[col].append(v)

    demand = np.array(floats["demand_share"])
    if abs(demand.sum() - 1.0) > DEMAND_SUM_TOL:
        raise ConfigError(f"{fname} column demand_share sum", float(demand.sum()),
                          f"1 within {DEMAND_SUM_TOL:g}")

    keys_t = tuple(keys)
    io = _load_io(io_path, keys_t, fname)
    arrays = {c: _readonly(np.array(v, dtype=float)) for c, v in floats.items()}
    return SectorCatalogue(
        keys=keys_t,
        names_zh=tuple(r["name_zh"] for r in rows),
        chain_keys=tuple(chain_keys),
        chain=_readonly(np.array(chain, dtype=int)),
        stage=_readonly(np.array(stage, dtype=int)),
        is_service=_readonly(np.array(is_service, dtype=bool)),
        pollution_class=_readonly(np.array(pollution, dtype=int)),
        io=_readonly(io),
        **arrays,
    )


@functools.cache
def default_sectors() -> SectorCatalogue:
    """The packaged catalogue, parsed once per process (its arrays are read-only, so sharing is safe)."""
    return load_sectors()
