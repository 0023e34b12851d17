"""Entry rules (入驻门槛, E1-E5 and the C2 structure gate): which parks may admit which projects."""

from __future__ import annotations

import numpy as np

from .policy import LEVELS, Policy

CLASS_III = 3


def intensity_standard(policy: Policy, level: np.ndarray) -> np.ndarray:
    """E1 intensity standard (万元/mu) for each park level code (004 §(九): 250 national, 150 others)."""
    return np.array([policy.E1.standard(name) for name in LEVELS])[level]


def principles_met(policy: Policy, pollution_class, hightech, investment, leading, declared,
                   intensity, standard) -> np.ndarray:
    """E2 五个原则 (002 四(四)): count of the five principles each (project, park) pair meets.

    ``declared`` and ``standard`` are (N, P) / (P,); the others are per project (N,).
    """
    fits_policy = (pollution_class < CLASS_III) | hightech
    major = investment >= policy.E2.major_min
    per_project = fits_policy.astype(int) + major + leading
    return per_project[:, None] + declared + (intensity[:, None] >= standard[None, :])


def eligible(policy: Policy, *, pollution_class, hightech, investment, leading, intensity,
             declared, standard, urban, open_park, leading_share) -> np.ndarray:
    """(N, P) mask of parks each project may enter.

    ``open_park`` excludes revoked and withdrawn parks (V4, V5, V7); E1 compares intensity with the
    park's standard; E2 screens by principles; E3 bars class-III projects from urban parks
    (000 §(十二)); C2 admits only leading-industry projects while the park's leading share is below
    target (004 §(八)). E4 (emissions) and E5 (expansion) are capacity rules applied in the land ledger.
    """
    ok = np.broadcast_to(open_park[None, :], declared.shape).copy()
    if policy.E1.enabled:
        ok &= intensity[:, None] >= standard[None, :]
    if policy.E2.enabled:
        met = principles_met(policy, pollution_class, hightech, investment, leading, declared,
                             intensity, standard)
        ok &= met >= policy.E2.min_principles
    if policy.E3.enabled:
        ok &= ~((pollution_class[:, None] >= CLASS_III) & urban[None, :])
    if policy.C2.enabled:
        ok &= declared | (leading_share >= policy.C2.target)[None, :]
    return ok
