"""Parks opened during a run, yearly (``planning.create_new_parks``) or by a scheduled intervention
(``schedule.py``): where a city's new park lies, and what opening a zone costs and sets going.

Its own module so that both callers can import it without importing each other.
"""

from __future__ import annotations

import numpy as np

from . import designation, finance
from .world import ParkSpec


def city_site(model, city: str) -> tuple[str, float | None, float | None]:
    """Where a new park of ``city`` (a city label) opens when no position is given: at the centroid
    of the city's parks, in the place most of them lie in (the first such park's on a tie)."""
    rows = np.flatnonzero(model.parks.city == model.cities[city]) if city in model.cities else np.zeros(0, int)
    if not len(rows):
        return "", None, None
    place = model.place_ids[np.bincount(model.parks.place[rows]).argmax()]
    located = rows[np.isfinite(model.parks.lon[rows])]
    if not len(located):
        return place, None, None
    return place, float(model.parks.lon[located].mean()), float(model.parks.lat[located].mean())


def open_new_parks(model, specs: tuple[ParkSpec, ...]) -> int:
    """Parks created during the run (yearly or by schedule); returns the first new row.

    A new zone converts its land and builds its first infrastructure (its cost is the event's
    value) and takes no firms for ``setup_years`` (not alive until then)."""
    first = len(model.park_agents)
    model.add_parks(specs)
    rows = np.arange(first, len(model.park_agents))
    opens = model.year + model.world.setup_years
    model.parks.alive[rows] = model.world.setup_years == 0
    model.designation.add(designation.level_steps(model.parks.level[rows], model.parks.status[rows]), opens)
    cost = designation.setup_cost(model.world, model.parks.area[rows], model.parks.infrastructure[rows])
    model.tally["zone_setup_cost"] += float(cost.sum())
    finance.open_zones(model, rows, cost)
    for r, s, c in zip(rows, specs, cost):
        model.recorder.event("park_created", "", park=int(r), value=float(c), detail=f"{s.name}, opens {opens}")
    return first
