"""The designation package: what a park's level brings, and how a new zone is set up (issue 10 §6).

A park's standing is its level step (county 0, city 1, provincial 2, national 3; a revoked park has
none). Each privilege is a world parameter per level step, so designation, V5 upgrades, downgrades
and revocation all change it through one number, and nothing else in the model keeps a copy:

- land: a ``listed_quota_share`` of the yearly quota is listed park by park (计划单列, 004 §(十三))
  in proportion to :func:`quota_weight` (``land.allocate_quota``);
- tax: a share of the park's tax is retained for its infrastructure (:func:`retained_tax`;
  分成向开发区倾斜, 004 §(十四));
- infrastructure: a larger yearly base budget (:func:`base_budget`; central and provincial funds for
  zones, 004 §(六), §(十)) and a one-off grant per mu for each level step gained (:func:`grant`);
- approval speed: delegated powers (市级/县级经济管理权限, 004 §(十二); 003 九(二)) let granted
  projects start building sooner (:func:`start_chance`);
- brand: the level term of the location utility, ``world.beta_level`` (``location.utilities``).

A new zone converts its land and builds its first infrastructure before it serves firms: it stays
closed to entrants (not ``alive``) for ``setup_years`` and its set-up cost is booked when it is
created (:func:`setup_cost`). :class:`Designations` keeps the few per-park facts this needs and
logs every change of standing as an event with its cause.
"""

from __future__ import annotations

import numpy as np

from .policy import LEVELS
from .state import REVOKED

TALLIES = ("tax_retained", "designation_grants", "zone_setup_cost", "zones_opened")
"""Yearly tallies of the package (万元, except the count of zones opened)."""


def standing(level: np.ndarray, status: np.ndarray) -> np.ndarray:
    """Level step of each park (0 county … 3 national), -1 when revoked."""
    return np.where(status == REVOKED, -1, level).astype(float)


def level_steps(level: np.ndarray, status: np.ndarray) -> np.ndarray:
    """Level step of each park that the privileges scale with: revocation takes them away (0)."""
    return np.maximum(standing(level, status), 0.0)


def quota_weight(world, steps: np.ndarray) -> np.ndarray:
    """Weight of a park in the listed land quota: 1 + ``quota_level_step`` per level step."""
    return 1.0 + world.quota_level_step * steps


def retained_tax(world, steps: np.ndarray, tax: np.ndarray) -> np.ndarray:
    """万元 of the park's tax it keeps for its infrastructure this year."""
    return world.tax_retained_step * steps * tax


def base_budget(world, steps: np.ndarray) -> np.ndarray:
    """Yearly base infrastructure budget, 万元 per mu of area."""
    return world.base_infra_budget * (1.0 + world.budget_level_step * steps)


def start_chance(world, steps: np.ndarray) -> np.ndarray:
    """Yearly chance a granted project starts building, by the level step of its park."""
    return np.minimum(world.start_prob + world.start_level_step * steps, 1.0)


def grant(world, area: np.ndarray, gained: np.ndarray) -> np.ndarray:
    """万元 of one-off infrastructure grant for ``gained`` level steps above any already funded."""
    return world.designation_grant * area * np.maximum(gained, 0)


def setup_cost(world, area: np.ndarray, infrastructure: np.ndarray) -> np.ndarray:
    """万元 to set up a new zone: land conversion (征地拆迁) plus its first infrastructure (七通一平),
    priced like later infrastructure (``infra_cost`` per mu per unit)."""
    return area * (world.land_conversion_cost + world.infra_cost * infrastructure)


class Designations:
    """Per park: the standing last seen, the highest level step whose grant was paid, the year it
    opens to entrants, and grant money due to this year's infrastructure."""

    def __init__(self):
        self.standing = np.zeros(0)
        self.funded = np.zeros(0)
        self.opens = np.zeros(0, int)
        self.due = np.zeros(0)

    def add(self, steps: np.ndarray, opens: int) -> None:
        """Register new parks with their level steps (already funded: a zone's level is part of its
        set-up) and the year they open."""
        self.standing = np.append(self.standing, steps)
        self.funded = np.append(self.funded, steps)
        self.opens = np.append(self.opens, np.full(len(steps), opens, int))
        self.due = np.append(self.due, np.zeros(len(steps)))

    def open_due(self, model) -> None:
        """Zones whose set-up is over open to entrants this year."""
        ready = np.flatnonzero(self.opens == model.year)
        ready = ready[~model.parks.alive[ready]]
        model.parks.alive[ready] = True
        model.tally["zones_opened"] += len(ready)
        for p in ready:
            model.recorder.event("zone_opened", "", park=int(p))

    def review(self, model, scheduled: set[int]) -> None:
        """Log each change of standing since last year with its cause and what it brings; a rise
        above the highest funded step earns the one-off grant, paid in this year's finance.

        Causes: ``schedule`` for the parks in ``scheduled`` (rows designated by this year's
        schedule), else V5 for a rise (the only rule that upgrades), V7 for a fall in level (降) and V4
        or V5 for a revocation.
        """
        pk, w = model.parks, model.world
        now = standing(pk.level, pk.status)
        for p in np.flatnonzero(now != self.standing):
            was, new = self.standing[p], now[p]
            before, after = max(was, 0.0), max(new, 0.0)
            paid = float(grant(w, pk.area[p:p + 1], np.array([after - self.funded[p]]))[0])
            self.due[p] += paid
            self.funded[p] = max(self.funded[p], after)
            cause = "schedule" if p in scheduled else (
                "V4" if new < 0 and model.policy.V4.enabled and pk.slow_streak[p] >= model.policy.V4.years else
                "V7" if 0 <= new < was else "V5")                 # V7 降 is the only rule that lowers a level
            model.recorder.event(
                "designation", cause, park=int(p), value=paid,
                detail=f"{_name(was)} -> {_name(new)}: quota weight {quota_weight(w, before):g} -> "
                       f"{quota_weight(w, after):g}, tax retained {w.tax_retained_step * before:g} -> "
                       f"{w.tax_retained_step * after:g}, start chance {float(start_chance(w, before)):g} -> "
                       f"{float(start_chance(w, after)):g}, grant {paid:g}")
        self.standing = now

    def pay_grants(self) -> np.ndarray:
        """The grant money due this year (万元 per park), now paid."""
        due, self.due = self.due, np.zeros_like(self.due)
        return due


def _name(standing_: float) -> str:
    return "revoked" if standing_ < 0 else LEVELS[int(standing_)]
