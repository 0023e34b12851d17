"""A firm's exit and the land it gives back: what every way of leaving (losses, X1-X5 take-backs,
X4 takeovers) does to the firm, its park's reusable stock, the links and the year's tally.

Used by the exit phase (``exits.py``) and by the X rules in ``idle_land.py``.
"""

from __future__ import annotations

import numpy as np

from .state import EXITED, set_state


def exit_firms(model, mask: np.ndarray, kind: str, rule: str) -> None:
    """Firms in ``mask`` exit; their land returns to their park's reusable stock."""
    rows = np.flatnonzero(mask & (model.firms.state != EXITED))
    if len(rows) == 0:
        return
    f = model.firms
    inside = rows[f.park[rows] >= 0]
    np.add.at(model.parks.reusable, f.park[inside], f.land[inside])
    key = "land_recovered" if rule.startswith("X") and rule != "X4" else "land_released"
    model.tally[key] += float(f.land[inside].sum())
    model.recorder.many(kind, rule, rows, f.park[rows], f.land[rows])
    model.firm_agents.forget(rows)
    f.land[rows] = 0.0
    f.land_pending[rows] = 0.0
    for name in ("output", "value_added", "tax", "employment", "energy", "pollution", "profit"):
        getattr(f, name)[rows] = 0.0
    set_state(f, rows, EXITED, model.year)
    gone = np.zeros(f.n, bool)
    gone[rows] = True
    model.links.drop_firms(gone)
    model.tally["exits"] += len(rows)


def recover_part(model, share: np.ndarray, rule: str) -> None:
    """Take back ``share`` of each park firm's land into its park's reusable stock (the firm stays)."""
    rows = np.flatnonzero((share > 0) & (model.firms.park >= 0))
    f = model.firms
    taken = f.land[rows] * share[rows]
    f.land[rows] -= taken
    np.add.at(model.parks.reusable, f.park[rows], taken)
    model.tally["land_recovered"] += float(taken.sum())
    model.recorder.many("land_taken_back", rule, rows, f.park[rows], taken)
