"""Set-up of the firm population (``ParkModel.__init__``): the firms already producing when the run
starts, in parks and outside them, with their supply links and a first year of production."""

from __future__ import annotations

import numpy as np

from . import placement
from .links import form_links
from .outside import outside_counts
from .state import PRODUCING


def create_initial_firms(model) -> None:
    """Firms already producing at the start: in parks, placed by area and declared industries, and
    outside parks in their places (``outside.outside_counts``; ``initial_firms`` is the total)."""
    n = model.world.initial_firms
    if n == 0:
        return
    places = [model.places[i] for i in model.place_ids]
    per_place = outside_counts(places, np.bincount(model.parks.place, minlength=len(places)) > 0, n,
                               model.world.outside_firm_share)
    n_in = n - int(per_place.sum())
    draws = model._draw_projects(n_in)
    weight = model.parks.area[:, None] * (1.0 + 2.0 * model.declared)       # (P, S)
    need = draws["investment"] / draws["intensity"]
    # Keep only firms that fit in 60 % of their park's area, in order.
    park, fits = placement.place(weight, draws["sector"], model.rng.random(n_in), need, model.parks.area * 0.6)
    age = model.rng.integers(1, 11, n_in)
    rows = model._add_firms({k: v[fits] for k, v in draws.items()}, park[fits], need[fits],
                            np.zeros(fits.sum()), np.full(fits.sum(), model.world.land_price_base),
                            entry_year=model.year - age[fits])
    n_out = int(per_place.sum())
    out = model._draw_projects(n_out)
    age = model.rng.integers(1, 11, n_out)
    out_rows = model._add_firms(out, np.full(n_out, -1), out["investment"] / out["intensity"], np.zeros(n_out),
                                np.full(n_out, model.world.outside_land_price), entry_year=model.year - age)
    model.firms.place[out_rows] = np.repeat(np.arange(len(places)), per_place)
    rows = np.concatenate([rows, out_rows])
    model.firms.state[rows] = PRODUCING
    model.firms.state_year[rows] = model.firms.entry_year[rows]
    model.firms.utilization[rows] = 1.0
    model.links.add(*form_links(rows, model.firms.sector, model.firms.park, rows, model.sectors.io,
                                model.world.links_per_firm, model.world.local_preference, model.rng))
    model.produce()
