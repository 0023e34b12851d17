"""The simulated-method-of-moments loss: simulated moments (means over replications) against targets.

``L(θ) = Σ_k w_k · (d_k(m̄_k(θ)) / τ_k)²`` where ``m̄_k`` is the mean of moment k over the R
replications (common random numbers), ``d_k`` the distance to the observed value (or outside the
observed range; zero inside), ``τ_k`` the target's tolerance and ``w_k`` its weight. Scaling by the
tolerance makes moments in different units comparable; a tolerance is the distance we count as
one standard unit of misfit. A moment the run could not measure (NaN, e.g. no firm of that age)
costs :data:`MISSING_PENALTY` scaled units, so the search avoids regions where it is undefined.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .evaluate import Measure
from .targets import Target

MISSING_PENALTY = 25.0     # = (5 tolerances)² per unmeasurable moment


def measures(targets: Sequence[Target]) -> tuple[Measure, ...]:
    """What each run must measure for these targets."""
    return tuple(Measure(t.key, t.moment, t.year, t.arg) for t in targets)


def summarise(rows: list[dict], keys: Sequence[str]) -> tuple[dict, dict]:
    """Mean and sd over replications of each key (NaN replications ignored; all NaN gives NaN)."""
    mean, sd = {}, {}
    for k in keys:
        v = np.array([r.get(k, np.nan) for r in rows], float)
        ok = v[np.isfinite(v)]
        mean[k] = float(ok.mean()) if len(ok) else np.nan
        sd[k] = float(ok.std(ddof=1)) if len(ok) > 1 else np.nan
    return mean, sd


def contributions(simulated: dict, targets: Sequence[Target]) -> dict[str, float]:
    """Each target's term of the loss."""
    out = {}
    for t in targets:
        d = t.distance(simulated.get(t.key, np.nan))
        out[t.key] = t.weight * (MISSING_PENALTY if not np.isfinite(d) else (d / t.tolerance) ** 2)
    return out


def loss(simulated: dict, targets: Sequence[Target]) -> float:
    """The SMM loss of one parameter vector from its mean simulated moments."""
    return float(sum(contributions(simulated, targets).values()))


def target_table(simulated: dict, sd: dict, targets: Sequence[Target], unmeasured: Sequence[Target] = ()) -> pd.DataFrame:
    """Each target's observed value next to its simulated mean (± sd), loss term and pass/fail."""
    terms = contributions(simulated, targets)
    rows = [{"target": t.key, "moment": t.moment, "arg": "" if t.arg is None else str(t.arg),
             "year": t.year, "observed": t.observed, "simulated": simulated.get(t.key, np.nan),
             "sd": sd.get(t.key, np.nan), "tolerance": t.tolerance, "weight": t.weight,
             "loss_term": terms[t.key], "pass": t.passes(simulated.get(t.key, np.nan)), "measured": True,
             "kind": t.kind, "source": t.source, "proxy": t.proxy} for t in targets]
    rows += [{"target": t.key, "moment": t.moment, "arg": "" if t.arg is None else str(t.arg), "year": t.year,
              "observed": t.observed, "simulated": np.nan, "sd": np.nan, "tolerance": t.tolerance,
              "weight": t.weight, "loss_term": np.nan, "pass": False, "measured": False, "kind": t.kind,
              "source": t.source, "proxy": t.proxy} for t in unmeasured]
    return pd.DataFrame(rows)
