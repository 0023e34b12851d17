"""Rules from a year: the world runs ``WorldConfig.burn_in`` years with the rules off, then the policy acts.

A document's world is set up from base-year figures, but its firms and projects need a few years to
settle (build and ramp-up) before the document's rules should start acting. The model therefore
knows the rules' base year, ``rules_from = start_year + burn_in``: up to and including it the phases
act on :func:`dormant` (every rule off but :data:`SETUP_RULES`); at the start of the next year's plan
phase :func:`start` puts the run's policy in force and takes again the baselines the rules measure
against (S4's base-year tax, X5's energy baseline). ``ParkModel.rules_year`` counts the rules' years
(1 in their first year): S1's budget growth, S4's window and V7's period run on it. With
``burn_in = 0`` the base year is the set-up year and nothing changes.
"""

from __future__ import annotations

import dataclasses

from . import idle_land
from .policy import Policy
from .state import park_sum

SETUP_RULES = ("C1", "C4", "C5", "C7")
"""Rules that shape the world when it is set up (C1/C5 cap the declared industries, C4 limits the parks
declaring one industry, C7 merges zones): a switch turned on later would never reach them, so they
keep their setting through the burn-in (with their utility terms and C7's stop on new parks)."""


def dormant(policy: Policy) -> Policy:
    """``policy`` with every rule switched off except :data:`SETUP_RULES`; parameters kept."""
    held = {rid: dataclasses.replace(policy[rid], enabled=False)
            for rid in policy.enabled_rules() if rid not in SETUP_RULES}
    if policy.C7.enabled:        # C7 merges zones at set-up; its yearly merges wait for the rules
        held["C7"] = dataclasses.replace(policy.C7, merges_per_year=0)
    return dataclasses.replace(policy, **held)


def take_baselines(model) -> None:
    """The values rules measure against, from the state now (the base year's): S4's base-year tax
    per park (004 §(十四)) and X5's energy baseline (001 四(六))."""
    model.energy_baseline = idle_land.energy_base(model.firms.energy, model.firms.park)     # X5: parks' use
    model.parks.base_tax[:] = park_sum(model.firms, model.parks, model.firms.tax)
    model.parks.last_tax[:] = model.parks.base_tax             # S4 环比: the increment counts from here


def start(model) -> None:
    """The rules start acting (first plan phase after the burn-in): the run's policy comes into force
    and the baselines are those of the base year just recorded."""
    model.policy = model.rules_policy
    take_baselines(model)
    model.recorder.event("rules_start", "", detail=f"rules act from {model.year} (base year {model.rules_from})")


def set_rule(model, rid: str, **values) -> None:
    """A scheduled lever on rule ``rid``: during the burn-in it changes the policy the rules will start
    with (a rule switched on then waits for the start); afterwards, the policy in force."""
    if model.rules_year >= 1:
        model.policy = model.rules_policy = model.policy.set(rid, **values)
    else:
        model.rules_policy = model.rules_policy.set(rid, **values)
        model.policy = dormant(model.rules_policy)
