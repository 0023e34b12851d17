"""Optional parts of ParkSim and the pip extras that install them.

The model, the runner and the calibration need only the core dependencies. The dashboard and the
reports need ``parksim[dashboard]`` (Dash, kaleido, waitress), the Dask executor ``parksim[distributed]``.
:func:`require` checks for an extra before the feature starts, so a missing one is a one-line
message naming the extra to install (exit 2 from the CLI), not an ImportError deep in a traceback.
This module imports nothing of ParkSim, so every layer may use it.
"""

from __future__ import annotations

import importlib.util

# The modules that each extra provides, as imported.
EXTRAS = {"dashboard": ("dash", "kaleido", "waitress"), "distributed": ("distributed",)}


class MissingExtra(ImportError):
    """A feature was asked for whose optional dependencies are not installed."""


def require(extra: str, feature: str) -> None:
    """Raise :class:`MissingExtra` unless every module of ``extra`` can be imported.

    Args:
        extra: a key of :data:`EXTRAS`.
        feature: what needs it, as the user asked for it (e.g. ``"parksim dashboard"``).
    """
    missing = [m for m in EXTRAS[extra] if _missing(m)]
    if missing:
        raise MissingExtra(f"{feature} needs the optional dependencies of the [{extra}] extra "
                           f"(not installed: {', '.join(missing)}); install them with: "
                           f"pip install 'parksim[{extra}]'", name=missing[0])


def _missing(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except ValueError:                  # in sys.modules without a spec: it is there
        return False
