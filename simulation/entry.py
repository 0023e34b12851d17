"""Entry rules (入驻门槛, E1-E5 and the C2 structure gate): which parks may admit which projects."""

from __future__ import annotations

import numpy as np

from .policy import LEVELS, Policy

CLASS_III = 3


def intensity_standard(policy: Policy, level: np.ndarray) -> np.ndarray:
    """E1 intensity standard (万元/mu) for each park level code (004 §(九): 250 national, 150 others)."""
    return np.array([policy.E1.standard(name) for name in LEVELS])[level]


def _pairs(park_values: np.ndarray) -> np.ndarray:
    """A per-park array (P,) as a row over all pairs; per-pair (N, K) arrays (choice sets) as they are."""
    park_values = np.asarray(park_values)
    return park_values[None, :] if park_values.ndim == 1 else park_values


def review_score(policy: Policy, pollution_class, hightech, investment, leading, declared,
                 intensity, standard) -> np.ndarray:
    """E2 五个原则 (002 四(四)): the weighted review score of each (project, park) pair.

    The document lists the five principles as the questions of a consultation review, not as a count
    to reach. Two are conditions of any approval (national industrial policy; the intensity standard)
    and three are reasons to want the project (major, leading, in a leading industry); the default
    weights (3, 1, 1, 1, 3) and pass mark 7 encode "both conditions and at least one reason".
    ``declared`` is (N, P) and ``standard`` (P,) or (N, P); the others are per project (N,).
    """
    e2 = policy.E2
    fits_policy = (pollution_class < CLASS_III) | hightech
    per_project = (e2.w_policy * fits_policy + e2.w_major * (investment >= e2.major_min)
                   + e2.w_leading * leading)
    return (per_project[:, None] + e2.w_industry * declared
            + e2.w_intensity * (intensity[:, None] >= _pairs(standard)))


def eligible(policy: Policy, *, pollution_class, hightech, investment, leading, intensity,
             declared, standard, urban, open_park, leading_share) -> np.ndarray:
    """(N, P) mask of parks each project may enter.

    The park arrays (``standard``, ``urban``, ``open_park``, ``leading_share``) are per park (P,), or
    gathered per pair (N, P) when each project looks at its own choice set of parks. ``open_park``
    excludes revoked and withdrawn parks (V4, V5, V7); E1 compares intensity with the park's standard;
    E2 screens by principles; E3 bars class-III projects from urban parks (000 §(十二)); C2 as a gate
    admits only leading-industry projects while the park's leading share is below target (004 §(八)).
    E4 (emissions) and E5 (expansion) are capacity rules applied in the land ledger.
    """
    ok = np.broadcast_to(_pairs(open_park), declared.shape).copy()
    if policy.E1.enabled:
        ok &= intensity[:, None] >= _pairs(standard)
    if policy.E2.enabled:
        ok &= review_score(policy, pollution_class, hightech, investment, leading, declared,
                           intensity, standard) >= policy.E2.pass_mark
    if policy.E3.enabled:
        ok &= ~((pollution_class[:, None] >= CLASS_III) & _pairs(urban))
    if policy.C2.enabled and policy.C2.mode == "gate":
        ok &= declared | _pairs(leading_share >= policy.C2.target)
    return ok


def structure_pull(policy: Policy, declared: np.ndarray, leading_share: np.ndarray) -> np.ndarray | float:
    """C2 as a plan target (001 三; 003 四(一)): utility a park below its leading-share target adds to
    projects of its declared industries; ``declared`` (N, K) per pair, ``leading_share`` (K,) or (N, K)."""
    if not (policy.C2.enabled and policy.C2.mode == "target"):
        return 0.0
    return policy.C2.promotion * (declared & _pairs(leading_share < policy.C2.target))
