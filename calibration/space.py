"""The free parameters (EMA-workbench *uncertainties*) of the world and their search bounds.

The list and default bounds come from the ``param(default, lo, hi, unit)`` metadata of
:class:`parksim.simulation.WorldConfig`, so a new world parameter becomes calibratable without editing
this module. Structural settings (horizon, park generator, sizes of the synthetic region) are
*constants* and are left out. Explicit bounds (from a targets file or the command line) are
checked against the declared range before anything runs.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from parksim.simulation import ConfigError, WorldConfig

# Constants of a scenario, not behavioural uncertainties: the horizon and the synthetic region.
CONSTANTS = frozenset({
    "years", "start_year", "n_parks", "n_cities", "national_share", "provincial_share", "city_share",
    "urban_share", "park_area_median", "initial_firms", "investment_min", "investment_max", "leading_min",
    "parks",
})
RELATIVE_SPAN = 0.5      # default bounds: default × (1 ± 0.5), inside the declared range
ZERO_SPAN = 0.05         # a parameter whose default is 0: ± 5% of its declared range


@dataclass(frozen=True)
class FreeParameter:
    """One calibrated or screened parameter: its path (``world.<name>``), bounds, type and unit."""

    path: str
    lo: float
    hi: float
    integer: bool
    unit: str
    default: float

    @property
    def name(self) -> str:
        return self.path.split(".", 1)[1]

    def cast(self, value: float):
        """The value as the model wants it (integers rounded)."""
        return round(value) if self.integer else float(value)


def _fields() -> dict[str, dataclasses.Field]:
    return {f.name: f for f in dataclasses.fields(WorldConfig)
            if f.name not in CONSTANTS and f.type in ("int", "float") and not f.metadata.get("choices")}


def default_bounds(f: dataclasses.Field) -> tuple[float, float] | None:
    """``default × (1 ± RELATIVE_SPAN)`` clipped to the declared range; None if no span results."""
    m, d = f.metadata, float(f.default)
    lo_decl = -math.inf if m.get("lo") is None else float(m["lo"])
    hi_decl = math.inf if m.get("hi") is None else float(m["hi"])
    if d == 0:
        if not (math.isfinite(lo_decl) and math.isfinite(hi_decl)):
            return None
        half = ZERO_SPAN * (hi_decl - lo_decl)
        lo, hi = -half, half
    else:
        lo, hi = sorted((d * (1 - RELATIVE_SPAN), d * (1 + RELATIVE_SPAN)))
    lo, hi = max(lo, lo_decl), min(hi, hi_decl)
    if f.type == "int":
        lo, hi = math.floor(lo), math.ceil(hi)
    lo, hi = round(lo, 10), round(hi, 10)
    return (lo, hi) if hi > lo else None


def free_parameters() -> dict[str, FreeParameter]:
    """Every world uncertainty with its default bounds, keyed by path (``world.margin_mean``)."""
    out = {}
    for name, f in _fields().items():
        bounds = default_bounds(f)
        if bounds is not None:
            out[f"world.{name}"] = FreeParameter(f"world.{name}", *bounds, f.type == "int",
                                                 f.metadata.get("unit", ""), float(f.default))
    return out


def parameter(path: str, bounds=None, where: str = "parameters") -> FreeParameter:
    """A free parameter by path with optional explicit ``(lo, hi)`` bounds, validated.

    Raises:
        ConfigError: unknown or constant parameter, malformed bounds, or bounds outside the
            parameter's declared range (naming ``where``, the value and what is allowed).
    """
    known = free_parameters()
    if path not in known:
        raise ConfigError(f"{where}: {path}", bounds, "a free world parameter: " + ", ".join(sorted(known)))
    p = known[path]
    if bounds is None:
        return p
    ok = (isinstance(bounds, (list, tuple)) and len(bounds) == 2
          and all(isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b) for b in bounds)
          and bounds[0] < bounds[1])
    if not ok:
        raise ConfigError(f"{where}: {path}", bounds, "[low, high] with finite numbers, low < high")
    f = _fields()[p.name]
    m = f.metadata
    lo_decl = -math.inf if m.get("lo") is None else m["lo"]
    hi_decl = math.inf if m.get("hi") is None else m["hi"]
    if bounds[0] < lo_decl or bounds[1] > hi_decl:
        raise ConfigError(f"{where}: {path}", list(bounds),
                          f"bounds inside the declared range [{lo_decl}, {hi_decl}] {p.unit}".rstrip())
    if p.integer and any(b != int(b) for b in bounds):
        raise ConfigError(f"{where}: {path}", list(bounds), "integer bounds (the parameter is an integer)")
    return dataclasses.replace(p, lo=float(bounds[0]), hi=float(bounds[1]))


def point(params: list[FreeParameter], x) -> dict:
    """A design point ``{path: value}`` for :meth:`parksim.scenarios.loader.Scenario.configure`."""
    return {p.path: p.cast(v) for p, v in zip(params, x)}
