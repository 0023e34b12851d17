"""Phase 9 of the year (``ParkModel.evaluate_parks``): the yearly review of parks. V1 scores and ranks,
V2-V5 rewards and sanctions, V7 plan adjustment and E4 emission reallocation (``sanctions.py``), C2/C5
targets counted (``evaluation.py``), and parks that have granted most of their area expand (E5, L9).
"""

from __future__ import annotations

import numpy as np

from . import entry, evaluation
from .sanctions import apply_consequences, expand_park, may_expand, reallocate_emissions
from .state import REVOKED, granted_by_park


def evaluate_parks(model) -> None:
    """V1 scores and ranks; V2-V5 rewards and sanctions; V7 plan adjustment; E5/L9 expansions."""
    pk, pol = model.parks, model.policy
    ind = model.indicators()
    model.last_indicators = ind
    if pol.V1.enabled:
        evaluated = pk.alive & (pk.status != REVOKED)
        score, rank = evaluation.score_parks(ind, pol.V1.weights, evaluated)
        pk.score[:] = score
        pk.rank[:] = rank
        apply_consequences(model, ind)
    evaluation.plan_targets(model)          # C2, C5 targets counted
    if pol.E4.enabled:
        reallocate_emissions(model, ind)
    expand_on_demand(model, ind)
    pk.last_output[:] = ind["output"]
    pk.last_pollution[:] = ind["pollution_per_output"] * ind["output"]
    for agent in model.park_agents:
        agent.record_year()


def expand_on_demand(model, ind: dict) -> None:
    """A park that has granted most of its area asks for more; E5 and L9 apply."""
    pk, pol, w = model.parks, model.policy, model.world
    granted = granted_by_park(model.firms, model.parks)
    standard = entry.intensity_standard(pol, pk.level)
    for p in np.flatnonzero(pk.alive & may_expand(pk.status) & (granted >= w.expansion_trigger * pk.area)):
        expand_park(model, int(p), w.expansion_share, ind["intensity"][p], standard[p], "expanded", "")
