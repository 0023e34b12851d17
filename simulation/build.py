"""Phase 3 of the year (``ParkModel.build_out``): granted projects start, construction advances or
stalls (S2), new producers take the second land phase (L6), idle land pays its fee (X2)."""

from __future__ import annotations

import numpy as np

from . import designation, finance, idle_land
from .state import BUILDING, GRANTED, PRODUCING, STOPPED, set_state


def build_out(model) -> np.ndarray:
    """Start, build, stall; returns the rows that started producing this year."""
    f, w, pol, yr = model.firms, model.world, model.policy, model.year
    fee = idle_land.idle_fee(pol, f.state, f.grant_year, yr, idle_land.invested_share(f.state, f.build_left,
                                                                                      w.build_years))
    charge = pol.X2.fee_rate * f.land * f.land_price * fee
    f.capital[:] -= charge
    finance.credit_idle_fees(model, f.park, charge)
    producing = f.state == PRODUCING
    f.utilization[producing] = np.minimum(1.0, f.utilization[producing] + 1.0 / w.ramp_years)
    building = np.flatnonzero(f.state == BUILDING)
    stall = model.rng.random(len(building)) < w.build_failure
    set_state(f, building[stall], STOPPED, yr)
    going = building[~stall]
    f.build_left[going] -= 1
    started = going[f.build_left[going] <= 0]
    set_state(f, started, PRODUCING, yr)
    f.utilization[started] = 1.0 / w.ramp_years
    finance.second_phase(model, started)      # L6: the rest of a phased grant, priced
    granted = np.flatnonzero(f.state == GRANTED)
    steps = designation.level_steps(model.parks.level, model.parks.status)      # approval speed by level
    chance = designation.start_chance(w, np.where(f.park[granted] >= 0, steps[f.park[granted]], 0.0))
    begin = granted[model.rng.random(len(granted)) < chance]
    speedup = pol.S2.service_speedup * ((f.investment[begin] >= pol.S2.major_min) | f.leading[begin]) \
        if pol.S2.enabled else 0
    f.build_left[begin] = np.maximum(w.build_years - speedup, 1)
    set_state(f, begin, BUILDING, yr)
    return started
