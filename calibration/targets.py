"""Calibration targets as data: read and validate ``calibration/targets.toml`` into typed records.

A target names a moment of :mod:`parksim.calibration.moments`, an observed value (or a range), a tolerance,
a weight and its source. Everything is checked before anything runs; errors name the file, the
key, the value and what is allowed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from parksim.scenarios.loader import read_toml
from parksim.simulation import ConfigError
from parksim.simulation.errors import check_keys

from .moments import MOMENTS, NEEDS_ARG, WHOLE_RUN
from .space import FreeParameter, parameter

DEFAULT_FILE = Path(__file__).with_name("targets.toml")
TOP_KEYS = ("description", "parameters", "targets")
TARGET_KEYS = ("moment", "arg", "year", "value", "low", "high", "tolerance", "weight", "kind", "source", "proxy")
KINDS = ("document", "literature")


@dataclass(frozen=True)
class Target:
    """One observed figure the model should reproduce."""

    key: str
    moment: str
    value: float | None
    low: float | None
    high: float | None
    tolerance: float
    weight: float
    kind: str
    source: str
    year: int | None = None
    arg: str | int | None = None
    proxy: str = ""

    @property
    def observed(self) -> str:
        """The observed value as text (a value, or a range)."""
        return f"{self.value:g}" if self.value is not None else f"{self.low:g}–{self.high:g}"

    def distance(self, simulated: float) -> float:
        """How far a simulated value lies from the value, or outside the range (0 inside)."""
        if not np.isfinite(simulated):
            return np.nan
        if self.value is not None:
            return abs(simulated - self.value)
        return max(self.low - simulated, 0.0, simulated - self.high)

    def passes(self, simulated: float) -> bool:
        """Within tolerance of the value; for a range, inside it (the tolerance only scales the loss)."""
        d = self.distance(simulated)
        return bool(np.isfinite(d) and (d <= self.tolerance if self.value is not None else d == 0))


@dataclass(frozen=True)
class TargetSet:
    """A targets file: its targets and the free parameters with their bounds."""

    path: Path
    description: str
    targets: tuple[Target, ...]
    parameters: tuple[FreeParameter, ...]

    def measurable(self, years: list[int]) -> tuple[Target, ...]:
        """Targets a run over ``years`` can measure (whole-run moments, or a simulated year)."""
        return tuple(t for t in self.targets if t.moment in WHOLE_RUN or t.year is None or t.year in years)


def _number(value, where: str, allowed: str, positive: bool = False) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or (positive and value <= 0):
        raise ConfigError(where, value, allowed)
    return float(value)


def _target(key: str, t, where: str) -> Target:
    if not isinstance(t, dict):
        raise ConfigError(where, t, "a table [targets.<key>]")
    check_keys(t, TARGET_KEYS, where, "a target key")
    moment = t.get("moment")
    if moment not in MOMENTS:
        raise ConfigError(f"{where}.moment", moment, "a moment: " + ", ".join(MOMENTS))
    if moment in NEEDS_ARG and "arg" not in t:
        raise ConfigError(f"{where}.arg", None, f"an argument for {moment} (a park level or an age)")
    has_value, has_range = "value" in t, "low" in t or "high" in t
    if has_value == has_range:
        raise ConfigError(f"{where}.value", t.get("value"), "either value, or low and high (not both)")
    value = low = high = None
    if has_value:
        value = _number(t["value"], f"{where}.value", "a finite number")
    else:
        low = _number(t.get("low"), f"{where}.low", "a finite number")
        high = _number(t.get("high"), f"{where}.high", "a finite number")
        if low >= high:
            raise ConfigError(f"{where}.high", high, f"a number > low ({low})")
    tol = _number(t.get("tolerance"), f"{where}.tolerance", "a finite number > 0 (in the moment's unit)", True)
    weight = _number(t.get("weight", 1.0), f"{where}.weight", "a finite number > 0", True)
    kind = t.get("kind")
    if kind not in KINDS:
        raise ConfigError(f"{where}.kind", kind, "one of " + ", ".join(KINDS))
    source = t.get("source")
    if not isinstance(source, str) or not source.strip():
        raise ConfigError(f"{where}.source", source, "a non-empty string (document + clause, or reference)")
    year = t.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200):
        raise ConfigError(f"{where}.year", year, "an integer calendar year in [1900, 2200]")
    proxy = t.get("proxy", "")
    if not isinstance(proxy, str):
        raise ConfigError(f"{where}.proxy", proxy, "a string")
    return Target(key, moment, value, low, high, tol, weight, kind, source, year, t.get("arg"), proxy)


def shown_path(path: str | Path) -> str:
    """A targets path as reports and fragments show it: relative to the project when inside it (no machine paths)."""
    root = Path(__file__).resolve().parents[1]
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def load_targets(path: str | Path | None = None) -> TargetSet:
    """Read and validate a targets file (default: the packaged ``calibration/targets.toml``).

    Raises:
        ConfigError: missing or malformed file, unknown key or moment, bad value or tolerance,
            unknown parameter or bounds outside its declared range.
    """
    path = Path(path) if path is not None else DEFAULT_FILE
    shown = str(path)
    data = read_toml(path, shown)
    for key in data:
        if key not in TOP_KEYS:
            raise ConfigError(f"{shown}: {key}", data[key], "a top-level key: " + ", ".join(TOP_KEYS))
    table = data.get("targets")
    if not isinstance(table, dict) or not table:
        raise ConfigError(f"{shown}: targets", table, "at least one [targets.<key>] table")
    targets = tuple(_target(k, v, f"{shown}: targets.{k}") for k, v in table.items())
    params = data.get("parameters", {})
    if not isinstance(params, dict):
        raise ConfigError(f"{shown}: parameters", params, 'a table of "world.<name>" = [low, high]')
    parameters = tuple(parameter(p, b, f"{shown}: parameters") for p, b in params.items())
    description = data.get("description", "")
    if not isinstance(description, str):
        raise ConfigError(f"{shown}: description", description, "a string")
    return TargetSet(path, description, targets, parameters)
