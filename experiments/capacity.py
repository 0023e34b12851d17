"""What a run and a design will cost, estimated before anything runs, and refusal of what cannot fit.

One run's size is driven by its parks P, years Y, initial firms N and arriving projects: in year t
(0-based) about ``projects_per_year · (1 + project_growth)^t`` arrive, A in all, at most
``projects_per_year · (1 + project_growth)^(Y-1)`` in one year. Every firm ever created keeps its
row, so the firm count is at most F = N + A. The largest temporary arrays are the initial
placement (N × P) and the yearly location choice (projects of a year × P); the firm table, its
Mesa agents and the event log grow with firm-years F · Y.

Estimates work on scalars or numpy arrays (one value per design point) alike.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from parksim.simulation import ConfigError, WorldConfig

# Calibration (2026-12, this project's 2-core machine, baseline policy unless named): peak RSS above an
# interpreter that has run once, and seconds, of simulate() on
#   years  parks  initial  projects/yr  ->  peak MB  s     (estimate before SAFETY: MB, s)
#     10     20     1500       400           10.3   0.78  (12.4, 1.6)
#     10     20    50000       400           22.9   0.76  (31.7, 1.9)
#     10    200    50000       400          169.1   4.72  (170.1, 4.9)
#     10     20     1500     10000           20.1   4.54  (31.7, 4.0)
#     10    200     1500     10000          113.0  11.2   (115.1, 11.8)
#     30     20     1500      2000           45.7   5.69  (43.1, 6.5)
#     16    150     6000      1600           65.5   7.7   (43.2, 4.9)   henan_2017, its rules on
#     16     20     1500       400           14.0   2.45  (13.4, 2.5)   baseline
# (growth 0.03 throughout); the constants are a non-negative least-squares fit to these rows.
# Timings were taken while other jobs shared the machine: take them as a scale, not a promise.
RUN_BASE_BYTES = 11.5e6                 # model set-up, sector tables, recorder
PER_FIRM_YEAR_BYTES = 10.3              # firm table rows, agents and events, per firm and year
PER_INITIAL_FIRM_PARK_BYTES = 15.8      # placement of the initial firms (N × P float arrays)
PER_PROJECT_PARK_BYTES = 35.4           # location choice of the busiest year (projects × P utility arrays)
INTERPRETER_BYTES = 190e6               # a worker process with numpy, pandas, Mesa and ParkSim imported
SAFETY = 1.5                            # the fit underestimates henan_2017 (rules on) by a third
SECONDS_PER_YEAR = 0.145
SECONDS_PER_PROJECT = 1.5e-5
SECONDS_PER_INITIAL_FIRM_PARK = 3.0e-7
SECONDS_PER_PROJECT_PARK = 3.7e-7
# Store: Parquet bytes per run (measured with 5-run chunks, so an upper bound for the default 50; park-year and
# account-year figures re-measured 2026-12 on baseline and chizhou_2015, 5 runs, with the finance table):
STORE_RUN_BYTES = 8_000                 # manifest, metrics and event counts of one run
STORE_YEAR_BYTES = 900                  # one row of the yearly series
STORE_PARK_YEAR_BYTES = 500             # a row of the park panel (≤ 330) and the park's and its place's
                                        # rows of the investment ledger (≤ 80) and growth table (≤ 85)
STORE_ACCOUNT_YEAR_BYTES = 115          # a row of the finance table (one per year × park or city account):
                                        # 84 B (baseline) - 113 B (chizhou_2015), 2026-12
ACCOUNTS_PER_PARK = 2                   # a park's account and at most one city account per park

MAX_FIRMS = 50_000_000                  # ~60 GB of firm state at 16 years; beyond any machine we know
MEMORY_ENV = "PARKSIM_MEMORY_LIMIT"     # e.g. "8G", "512M" or bytes: overrides the machine's available memory


@dataclass(frozen=True)
class RunEstimate:
    """Expected size of one run (scalars, or arrays with one value per design point)."""

    parks: np.ndarray
    firms: np.ndarray               # firm rows at the end: initial firms + arriving projects (an upper bound)
    peak_bytes: np.ndarray          # peak memory of a worker process running it
    seconds: np.ndarray


def estimate(years, parks, initial_firms, projects_per_year, project_growth) -> RunEstimate:
    """Estimate one run from its size parameters (numbers or arrays that broadcast together)."""
    years, parks, n = (np.asarray(v, float) for v in (years, parks, initial_firms))
    rate, growth = np.asarray(projects_per_year, float), np.asarray(project_growth, float)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        factor = 1.0 + growth
        summed = np.where(np.abs(growth) < 1e-12, years, (factor ** years - 1.0) / np.where(growth == 0, 1, growth))
        arrivals = rate * summed
        busiest = rate * np.maximum(1.0, factor ** (years - 1.0))
        firms = n + arrivals
        run = (RUN_BASE_BYTES + PER_FIRM_YEAR_BYTES * firms * years + PER_INITIAL_FIRM_PARK_BYTES * n * parks
               + PER_PROJECT_PARK_BYTES * busiest * parks)
        seconds = (SECONDS_PER_YEAR * years + SECONDS_PER_PROJECT * arrivals
                   + SECONDS_PER_INITIAL_FIRM_PARK * n * parks + SECONDS_PER_PROJECT_PARK * arrivals * parks)
    return RunEstimate(parks, firms, INTERPRETER_BYTES + SAFETY * run, seconds)


def estimate_world(world: WorldConfig) -> RunEstimate:
    """:func:`estimate` for one world."""
    return estimate(world.years, _parks(world, world.n_parks), world.initial_firms, world.projects_per_year,
                    world.project_growth)


def estimate_design(world: WorldConfig, design: pd.DataFrame) -> RunEstimate:
    """:func:`estimate` for every point of a design over ``world`` (a factor column overrides its parameter)."""
    def column(name):
        path = f"world.{name}"
        base = getattr(world, name)
        if path not in design:
            return np.full(len(design), float(base))
        return pd.to_numeric(design[path], errors="coerce").fillna(base).to_numpy(float)
    return estimate(column("years"), _parks(world, column("n_parks")), column("initial_firms"),
                    column("projects_per_year"), column("project_growth"))


def _parks(world: WorldConfig, generated):
    """Parks of the world: its explicit list, else the generated ones; plus those created over the years."""
    base = len(world.parks) if world.parks else generated
    return np.asarray(base, float) + np.ceil(world.new_parks_per_year * world.years)


def store_bytes(est: RunEstimate, years, replications: int) -> float:
    """Parquet bytes of a design's store: every point's runs."""
    rows = np.asarray(years, float) + 1.0
    per_park_year = STORE_PARK_YEAR_BYTES + ACCOUNTS_PER_PARK * STORE_ACCOUNT_YEAR_BYTES
    per_run = STORE_RUN_BYTES + rows * (STORE_YEAR_BYTES + per_park_year * est.parks)
    return float(np.sum(np.broadcast_to(per_run, est.parks.shape)) * replications)


def memory_limit() -> tuple[float, str]:
    """Bytes one run may use, and where that figure comes from (the environment override, or the machine)."""
    text = os.environ.get(MEMORY_ENV)
    if text:
        return parse_bytes(text, MEMORY_ENV), f"{MEMORY_ENV}={text}"
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024, "the machine's available memory (MemAvailable)"
    except OSError:
        pass
    try:
        import psutil
        return float(psutil.virtual_memory().available), "the machine's available memory"
    except ImportError:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")), "the machine's physical memory"


def parse_bytes(text: str, where: str) -> float:
    """``"8G"``, ``"512M"``, ``"64k"`` or a plain number of bytes."""
    units = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
    body = text.strip().upper().removesuffix("B").removesuffix("I")
    unit = body[-1:] if body[-1:] in units else ""
    try:
        value = float(body[:-1] if unit else body) * units[unit]
    except ValueError:
        value = float("nan")
    if not np.isfinite(value) or value <= 0:
        raise ConfigError(where, text, "a positive size in bytes, optionally with K, M, G or T (e.g. 8G)")
    return value


def human(n: float) -> str:
    """Bytes as ``1.5 GB`` (powers of 1024)."""
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if abs(n) < 1024 or unit == "PB":
            return f"{n:.3g} {unit}"
        n /= 1024
    return f"{n:.3g} PB"


def check_design(world: WorldConfig, design: pd.DataFrame, where: str) -> RunEstimate:
    """Refuse (ConfigError) the first design point whose run exceeds :data:`MAX_FIRMS` or the memory limit."""
    est = estimate_design(world, design)
    limit, source = memory_limit()
    for values, cap, what, shown, allowed in (
            (est.firms, MAX_FIRMS, "estimated firms", "{:.3g}", f"at most {MAX_FIRMS:,} firms (capacity.MAX_FIRMS)"),
            (est.peak_bytes, limit, "estimated peak memory of one run", None, f"at most {human(limit)}, {source}")):
        bad = np.flatnonzero(~(values <= cap))                 # NaN (an overflow) counts as too large
        if len(bad):
            i = int(bad[0])
            size = shown.format(values[i]) if shown else human(values[i])
            raise ConfigError(f"{where}{_point(design, i)}", f"{what} {size} ({_sizes(world, design, i)})", allowed)
    return est


def check_store(est: RunEstimate, years, replications: int, path: Path) -> float:
    """Refuse (ConfigError) a design whose store would not fit on the disk holding ``path``; returns the bytes.

    The store's present Parquet files count as free space (a resume rewrites nothing).
    """
    need = store_bytes(est, years, replications)
    existing = path
    while not existing.exists():
        existing = existing.parent
    free = shutil.disk_usage(existing).free + sum(f.stat().st_size for f in path.rglob("*.parquet"))
    if need > free:
        raise ConfigError(f"{path}: store", f"estimated {human(need)} for {len(est.parks)} design points × "
                          f"{replications} replications", f"at most the {human(free)} free on its disk")
    return need


def _point(design: pd.DataFrame, i: int) -> str:
    return f"design point {int(design['point'].iloc[i])}" if len(design) > 1 or design.shape[1] > 1 else "world"


def _sizes(world: WorldConfig, design: pd.DataFrame, i: int) -> str:
    """The size parameters of design point ``i``, as the run would see them."""
    names = ("n_parks", "initial_firms", "projects_per_year", "project_growth", "years")
    values = {n: design[f"world.{n}"].iloc[i] if f"world.{n}" in design else getattr(world, n) for n in names}
    if world.parks:
        values["n_parks"] = f"{len(world.parks)} listed"
    return ", ".join(f"{k} = {v}" for k, v in values.items())
