"""Phase 7 of the year (``ParkModel.resolve_exits``): losses stop firms, stopped ones leave (X4), and
idle, inefficient or polluting firms' land is taken back (X1-X3, X5; rules in ``idle_land.py``)."""

from __future__ import annotations

import numpy as np

from . import idle_land
from .firm_exit import exit_firms, recover_part
from .state import PRODUCING, STOPPED, set_state


def resolve_exits(model) -> None:
    """Losses stop firms; stopped ones leave; idle and inefficient land is taken back."""
    f, pol, yr, w = model.firms, model.policy, model.year, model.world
    stop = (f.state == PRODUCING) & (f.loss_years >= w.loss_years) & (f.capital < 0)
    set_state(f, np.flatnonzero(stop), STOPPED, yr)
    exit_firms(model, idle_land.idle_takeback(pol, f.state, f.grant_year, f.state_year, yr), "land_taken_back", "X1")
    idle_land.return_by_agreement(model)
    exit_firms(model, idle_land.deadline_takeback(pol, f.state, f.grant_year, yr), "land_taken_back", "X2")
    share = idle_land.capacity_shortfall(pol, f.state, f.state_year, yr, f.output, f.capacity)
    recover_part(model, share, "X2")
    idle_land.buy_back(model, idle_land.low_efficiency_buyback(pol, f.state, f.low_tax_years))   # park firms only
    exit_firms(model, idle_land.polluter_exits(pol, (f.state == PRODUCING) & (f.park >= 0),
                                               model.sectors.pollution_class[f.sector], f.energy, f.output,
                                               model.government.energy_cap), "polluter_closed", "X5")
    resolved = idle_land.stopped_resolved(pol, f.state, f.state_year, yr, w.bankruptcy_years)
    idle_land.take_over(model, resolved)                 # X4: takeovers first, liquidation last
    exit_firms(model, resolved, "stopped_resolved" if pol.X4.enabled else "bankrupt", "X4" if pol.X4.enabled else "")
