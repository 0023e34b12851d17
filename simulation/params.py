"""Typed, range-checked parameter records shared by the policy and the world configuration.

A parameter is declared with :func:`param`, which records its allowed range and unit in the
field metadata; :func:`validate` checks a whole record and raises :class:`ConfigError` naming the
parameter path, the value given and what is allowed, so bad input fails before anything runs.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from .errors import ConfigError

# Upper bounds of parameters whose range would otherwise be open. Each lies well above anything real,
# so no plausible scenario is refused, but a typo or a stray exponent (``park_area_median = 1e300``) is,
# before it overflows an area × price or a sum of utilities into inf or nan.
MAX_AREA_MU = 1_000_000.0
"""mu (≈ 667 km²): about three times the largest zone of the 2018 catalogue (23,252 ha = 348,784 mu)."""
MAX_INVESTMENT = 1e8
"""万元 (1 万亿元): about five times the largest single industrial projects (≈ 2,000 亿元), and more
than a province's yearly special funds; bounds every project size, award and budget."""
MAX_PER_MU = 100_000.0
"""万元 per mu (10 亿元/mu): over a hundred times the strictest investment-intensity standards
(≈ 250-600 万元/mu) and above the dearest urban land; bounds land prices, intensities and tax per mu."""
MAX_LAND_QUOTA = 10_000_000.0
"""mu a year: above China's whole yearly plan of new construction land (≈ 6-7 million mu)."""
MAX_UTILITY = 100.0
"""logit utility units: against unit-scale Gumbel taste shocks a term of 100 already makes a choice
certain, so larger coefficients or bonuses change nothing."""
MAX_FACTOR = 100.0
"""a weight or multiplier (× a standard, extra quota weight per unit): 100 already gives everything
to the favoured parks."""


def param(default: Any, lo: float | None = None, hi: float | None = None, unit: str = "",
          choices: tuple | None = None, doc: str = ""):
    """A dataclass field with an allowed range ``[lo, hi]`` (or a set of choices) and a unit."""
    meta = {"lo": lo, "hi": hi, "unit": unit, "choices": choices, "doc": doc}
    if isinstance(default, (dict, list, tuple)):
        frozen = default
        return dataclasses.field(default_factory=lambda: type(frozen)(frozen), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def allowed_text(f: dataclasses.Field) -> str:
    """Human-readable statement of what a field allows (used in error messages and the dashboard)."""
    m = f.metadata
    if m.get("choices"):
        return "one of " + ", ".join(map(str, m["choices"]))
    kind = _kind(f)
    lo, hi = m.get("lo"), m.get("hi")
    rng = ("" if lo is None and hi is None else
           f" in [{'-inf' if lo is None else f'{lo:g}'}, {'inf' if hi is None else f'{hi:g}'}]")
    unit = f" {m['unit']}" if m.get("unit") else ""
    return f"{kind}{rng}{unit}"


def _kind(f: dataclasses.Field) -> str:
    t = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    return {"bool": "true/false", "int": "an integer", "float": "a number"}.get(t, t)


def check_value(f: dataclasses.Field, value: Any, where: str) -> None:
    """Raise ConfigError unless ``value`` is of the field's type and inside its range."""
    kind = f.type if isinstance(f.type, str) else f.type.__name__
    m = f.metadata
    if kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "float":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    elif kind == "str":
        ok = isinstance(value, str)
    else:
        return  # composite fields are checked by their owner
    if not ok:
        raise ConfigError(where, value, allowed_text(f))
    if m.get("choices") and value not in m["choices"]:
        raise ConfigError(where, value, allowed_text(f))
    lo, hi = m.get("lo"), m.get("hi")
    if kind not in ("bool", "str") and ((lo is not None and value < lo) or (hi is not None and value > hi)):
        raise ConfigError(where, value, allowed_text(f))


def validate(record: Any, prefix: str) -> None:
    """Check every scalar field of a dataclass record against its declared type and range."""
    for f in dataclasses.fields(record):
        check_value(f, getattr(record, f.name), f"{prefix}.{f.name}")


def build(cls: type, values: dict, prefix: str):
    """Construct ``cls`` from a mapping, rejecting unknown keys and checking every value."""
    if not isinstance(values, dict):
        raise ConfigError(prefix, values, "a table of parameters")
    names = {f.name: f for f in dataclasses.fields(cls) if f.init}
    for key in values:
        if key not in names:
            raise ConfigError(f"{prefix}.{key}", values[key],
                              f"a known parameter of {prefix}: {', '.join(sorted(names))}")
    for key, value in values.items():
        check_value(names[key], value, f"{prefix}.{key}")
    record = cls(**{k: (float(v) if names[k].type == "float" and isinstance(v, int) else v)
                    for k, v in values.items()})
    validate(record, prefix)
    return record
