"""Idle land and exit (闲置土地、腾笼换鸟, X1-X5): which firms lose land or leave, and why.

Each function returns a boolean mask over firm rows; the model applies the exits and returns the land
to the park's reusable stock.
"""

from __future__ import annotations

import numpy as np

from .policy import Policy
from .state import GRANTED, PRODUCING, STOPPED


def idle_takeback(policy: Policy, state, grant_year, state_year, year: int) -> np.ndarray:
    """X1 (000 §(十八)): land idle ``idle_years`` after the grant (never started, or stopped) is taken back."""
    if not policy.X1.enabled:
        return np.zeros(len(state), bool)
    unstarted = (state == GRANTED) & (year - grant_year >= policy.X1.idle_years)
    stopped = (state == STOPPED) & (year - state_year >= policy.X1.idle_years)
    return unstarted | stopped


def idle_fee(policy: Policy, state, grant_year, year: int) -> np.ndarray:
    """X2 (004 §(九)): unstarted ``fee_years`` after supply → pays the idle-land fee this year."""
    if not policy.X2.enabled:
        return np.zeros(len(state), bool)
    return (state == GRANTED) & (year - grant_year >= policy.X2.fee_years)


def deadline_takeback(policy: Policy, state, grant_year, year: int) -> np.ndarray:
    """X2 (004 §(九)): unstarted ``takeback_years`` after supply → land taken back."""
    if not policy.X2.enabled:
        return np.zeros(len(state), bool)
    return (state == GRANTED) & (year - grant_year >= policy.X2.takeback_years)


def capacity_shortfall(policy: Policy, state, state_year, year: int, output, capacity) -> np.ndarray:
    """X2 (004 §(九)): share of land to take back from producers below ``min_capacity`` at the deadline.

    The deadline is counted from the start of production (a project cannot reach capacity before it
    is built); the unused share of land (1 − output/capacity) is recovered once.
    """
    if not policy.X2.enabled:
        return np.zeros(len(state))
    due = (state == PRODUCING) & (year - state_year == policy.X2.capacity_years)
    ratio = np.divide(output, capacity, out=np.ones(len(state)), where=capacity > 0)
    return np.where(due & (ratio < policy.X2.min_capacity), 1.0 - np.clip(ratio, 0, 1), 0.0)


def low_efficiency_buyback(policy: Policy, state, low_tax_years) -> np.ndarray:
    """X3 腾笼换鸟 (000 §(十八); 003 六(三)): firms below the tax-per-mu floor for ``years`` years."""
    if not policy.X3.enabled:
        return np.zeros(len(state), bool)
    return (state == PRODUCING) & (low_tax_years >= policy.X3.years)


def stopped_resolved(policy: Policy, state, state_year, year: int, bankruptcy_years: int) -> np.ndarray:
    """Stopped firms and stalled projects that leave this year and free their land.

    X4 (003 六(三)): resolved within the year by lease-back, merger, restructuring or bankruptcy.
    Without X4 they stay locked for ``bankruptcy_years``.
    """
    stopped = state == STOPPED
    if policy.X4.enabled:
        return stopped
    return stopped & (year - state_year >= bankruptcy_years)


def polluter_exits(policy: Policy, producing, pollution_class, energy, output, cap: float) -> np.ndarray:
    """X5 (001 四(六)): above the energy cap, class-III firms exit, most energy-intensive first."""
    total = energy[producing].sum()
    if not policy.X5.enabled or total <= cap:
        return np.zeros(len(producing), bool)
    candidates = np.flatnonzero(producing & (pollution_class >= 3))
    per_output = energy[candidates] / np.maximum(output[candidates], 1e-9)
    ordered = candidates[np.argsort(-per_output, kind="stable")]
    excess = total - cap
    cut = np.cumsum(energy[ordered])
    n = int(np.searchsorted(cut, excess)) + 1
    mask = np.zeros(len(producing), bool)
    mask[ordered[:n]] = True
    return mask

