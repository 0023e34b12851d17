"""Subsidies and special funds (财政支持、专项资金, S1-S3, S6) and the infrastructure they buy.

Who pays, and out of what, is the ledger's business (:mod:`parksim.simulation.finance`).
"""

from __future__ import annotations

import numpy as np

from .policy import Policy


def award_rate(policy: Policy, hightech: np.ndarray) -> np.ndarray:
    """S1 以奖代补 (004 §(十五)) rate of investment a project may claim, plus the S6 high-tech bonus (000 §(十四))."""
    if not policy.S1.enabled:
        return np.zeros(len(hightech))
    bonus = policy.S6.bonus_rate * hightech if policy.S6.enabled else np.zeros(len(hightech))
    return policy.S1.rate + bonus


def pay_awards(policy: Policy, claims: np.ndarray, major: np.ndarray, leading_industry: np.ndarray,
               hightech: np.ndarray, budget: float) -> np.ndarray:
    """Pay claims from the S1 budget in priority order; the rest lapse. Returns the amount paid.

    Priority: S2 major projects and leading firms first (000 §(十一)), then S3 the park's leading
    industries (001 六(二)), then S6 high-tech firms (000 §(十四)); ties keep arrival order.
    Total paid never exceeds ``budget``.
    """
    keys = [np.arange(len(claims))]
    for rid, flag in (("S6", hightech), ("S3", leading_industry), ("S2", major)):
        if policy[rid].enabled:
            keys.append(~flag)
    order = np.lexsort(keys)
    paid = np.zeros(len(claims))
    before = np.cumsum(claims[order]) - claims[order]
    paid[order] = np.clip(budget - before, 0.0, claims[order])
    return paid


def improve_infrastructure(level: np.ndarray, spending: np.ndarray, area: np.ndarray,
                           cost_per_mu: float, depreciation: float) -> np.ndarray:
    """Infrastructure level in [0, 1]: depreciates, and spending closes the gap to 1."""
    gain = spending / (cost_per_mu * np.maximum(area, 1.0))
    return np.clip(level * (1 - depreciation) + (1 - level) * np.minimum(gain, 1.0), 0.0, 1.0)
