"""Reading results back: sweep summaries, paired comparisons and document targets.

Everything here reads the store's tables, never live models. Comparisons pair runs on their seed:
scenarios (or design points) run with the same root seed share replication seeds (common random
numbers), so the difference B − A of one replication removes most of the run-to-run noise. The
95% confidence interval of a mean uses Student's t with n − 1 degrees of freedom.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from parksim.scenarios.targets import read_targets
from parksim.simulation import ConfigError

from .costs import DEFAULT_TOP, INCREMENTAL, account_table, base_year, mean_account_costs, runs_account_costs
from .headline import HEADLINE
from .store import Store


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[int, float, float, float, float]:
    """n, mean, sample sd, and the ``level`` confidence interval of the mean (t distribution)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    n = len(v)
    if n == 0:
        return 0, np.nan, np.nan, np.nan, np.nan
    mean = float(v.mean())
    if n == 1:
        return 1, mean, np.nan, np.nan, np.nan
    sd = float(v.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n))
    return n, mean, sd, mean - half, mean + half


def ok_metrics(store: Store) -> pd.DataFrame:
    """The metrics rows of the store's successful runs (one per run id).

    Raises:
        StoreMismatch: the runs come from more than one model version.
    """
    m = store.read("metrics")
    if m.empty:
        return m
    man = store.read("manifest", ["run_id", "status", "source_hash"])
    store.check_one_version(man[man["status"] == "ok"])
    ok = set(man.loc[man["status"] == "ok", "run_id"])
    return m[m["run_id"].isin(ok)].drop_duplicates("run_id")


def summarise(store: Store, metrics: tuple[str, ...] = HEADLINE) -> pd.DataFrame:
    """Per design point and metric: factor values, n, mean, sd and 95% CI (long format)."""
    m = ok_metrics(store)
    if m.empty:
        return pd.DataFrame()
    factors = store.experiment().get("factors", []) if store.exists() else []
    rows = []
    for point, group in m.groupby("point", sort=True):
        fixed = {f: group[f].iloc[0] for f in factors if f in group}
        for metric in metrics:
            if metric not in group:
                continue
            n, mean, sd, lo, hi = mean_ci(group[metric].to_numpy())
            rows.append({"point": int(point), **fixed, "metric": metric, "n": n, "mean": mean, "sd": sd,
                         "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows)


def compare(a: Store, b: Store, *, point_a: int = 0, point_b: int = 0,
            metrics: tuple[str, ...] = HEADLINE) -> pd.DataFrame:
    """Paired differences B − A per metric over replications that share a seed.

    Returns one row per metric: n pairs, mean of A and of B, mean difference, its sd and 95% CI,
    the relative change (diff / mean A) and whether the CI excludes zero.

    Raises:
        ConfigError: a store or point without results, or no common seeds (different root seeds).
    """
    ma, mb = ok_metrics(a), ok_metrics(b)
    for store, m, point, label in ((a, ma, point_a, "A"), (b, mb, point_b, "B")):
        if m.empty or not (m["point"] == point).any():
            raise ConfigError(f"compare {label}", f"{store.path} point {point}",
                              "a store with successful runs at that design point")
    ma, mb = ma[ma["point"] == point_a], mb[mb["point"] == point_b]
    table = paired_differences(ma, mb, metrics)
    if table.empty:
        raise ConfigError("compare", f"{a.path} vs {b.path}",
                          "runs with common seeds: run both with the same root seed (--seed) for paired differences")
    return table


def incremental_rows(pairs: pd.DataFrame) -> list[dict]:
    """Rows of B's extra public money per extra unit gained over A (:data:`costs.INCREMENTAL`), from pairs
    that share a seed: R = mean Δcost / mean Δgain, the ratio of the mean paired differences (a mean of
    per-pair ratios would blow up where a pair gains almost nothing). 95% CI by the delta method: the
    t interval of the mean of Δcost − R·Δgain, divided by mean Δgain. NaN where B gains nothing on
    average (no extra unit to put a price on)."""
    rows = []
    for name, (cost, gain) in INCREMENTAL.items():
        if not all(f"{c}_{s}" in pairs for c in (cost, gain) for s in "ab"):
            continue
        dc = pairs[f"{cost}_b"].to_numpy(float) - pairs[f"{cost}_a"].to_numpy(float)
        dg = pairs[f"{gain}_b"].to_numpy(float) - pairs[f"{gain}_a"].to_numpy(float)
        ok = np.isfinite(dc) & np.isfinite(dg)
        dc, dg = dc[ok], dg[ok]
        gained = float(dg.mean()) if len(dg) else 0.0
        ratio = float(dc.mean()) / gained if gained > 0 else np.nan
        n, _, sd, lo, hi = mean_ci(dc - ratio * dg) if gained > 0 else (len(dg), np.nan, np.nan, np.nan, np.nan)
        scale = gained if gained > 0 else np.inf          # undefined: the NaNs stay NaN
        lo, hi = ratio + lo / scale, ratio + hi / scale
        rows.append({"metric": name, "n": n, "mean_a": np.nan, "mean_b": np.nan, "diff": ratio, "sd_diff": sd / scale,
                     "ci_low": lo, "ci_high": hi, "rel_change": np.nan,
                     "significant": bool(np.isfinite(lo) and (lo > 0 or hi < 0))})
    return rows


def paired_differences(a: pd.DataFrame, b: pd.DataFrame, metrics: tuple[str, ...] = HEADLINE,
                       by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Paired differences B − A of in-memory tables: rows of A and B with the same seed (and ``by``) pair up.

    One row per metric (and per value of ``by``, e.g. ``("year",)`` for yearly series): n pairs, mean
    of A and of B, mean difference, its sd and 95% CI, relative change and whether the CI excludes
    zero; then, where the metrics carry the cost accounts, B's extra public money per extra job, yuan of
    tax and link (:func:`incremental_rows`). Empty when no seed is shared. Used by :func:`compare` on
    stores and by the dashboard on runs held in memory, so both pair the same way.
    """
    pairs = a.merge(b, on=["seed", *by], suffixes=("_a", "_b"))
    if pairs.empty:
        return pd.DataFrame()
    rows = []
    groups = pairs.groupby(list(by), sort=True) if by else [((), pairs)]
    for key, group in groups:
        fixed = dict(zip(by, key if isinstance(key, tuple) else (key,)))
        for metric in metrics:
            if f"{metric}_a" not in group or f"{metric}_b" not in group:
                continue
            va = group[f"{metric}_a"].to_numpy(dtype=float)
            vb = group[f"{metric}_b"].to_numpy(dtype=float)
            n, diff, sd, lo, hi = mean_ci(vb - va)
            mean_a = float(np.nanmean(va)) if np.isfinite(va).any() else np.nan
            rows.append({**fixed, "metric": metric, "n": n, "mean_a": mean_a,
                         "mean_b": float(np.nanmean(vb)) if np.isfinite(vb).any() else np.nan,
                         "diff": diff, "sd_diff": sd, "ci_low": lo, "ci_high": hi,
                         "rel_change": diff / mean_a if mean_a not in (0.0,) and np.isfinite(mean_a) else np.nan,
                         "significant": bool(np.isfinite(lo) and (lo > 0 or hi < 0))})
    if not by:
        rows += incremental_rows(pairs)
    return pd.DataFrame(rows)


def store_account_costs(store: Store, point: int = 0) -> pd.DataFrame:
    """Per run and public account (park, city) of one design point: :func:`costs.account_costs` over the
    store's ``finance`` and ``parks`` tables, keyed by ``seed``; empty for a store without accounts (written
    before the finance table was stored)."""
    accounts = store.read("finance")
    if accounts.empty:
        return pd.DataFrame()
    m = ok_metrics(store)
    runs = m.loc[m["point"] == point, ["run_id", "seed"]]
    accounts = accounts.merge(runs, on="run_id")
    parks = store.read("parks", ["run_id", "year", "park", "employment", "tax"]).merge(runs, on="run_id")
    world = (store.point(point) or {}).get("world") or {}
    first = int(accounts["year"].min()) if len(accounts) else 0
    return runs_account_costs(accounts, parks, base_year(world, first))


def compare_accounts(a: Store, b: Store | None = None, *, point_a: int = 0, point_b: int = 0,
                     top: int = DEFAULT_TOP) -> pd.DataFrame:
    """The per-park (``top`` by public cost) and per-city table of one store, or of A and B with B − A
    (:func:`costs.account_table`; means over replications); empty where a store has no accounts."""
    means = [mean_account_costs(store_account_costs(s, p)) for s, p in ((a, point_a), (b, point_b)) if s is not None]
    if any(m.empty for m in means):
        return pd.DataFrame()
    return account_table(*means, top=top)


def target_shares(store: Store) -> pd.DataFrame:
    """Per design point and target: share of replications reaching it, and the mean measured value."""
    m = ok_metrics(store)
    ids = store.experiment().get("targets", []) if store.exists() else []
    targets = read_targets()
    rows = []
    if m.empty:
        return pd.DataFrame()
    for point, group in m.groupby("point", sort=True):
        for tid in ids:
            t = targets[tid]
            col = f"target.{tid}"
            values = group[col].to_numpy(dtype=float) if col in group else np.full(len(group), np.nan)
            evaluated = bool(t.metric) and np.isfinite(values).any()
            met = np.array([t.met(v) for v in values])
            rows.append({"point": int(point), "target": tid, "year": t.year, "description": t.description,
                         "source": t.source, "op": t.op, "value": t.value, "n": len(values),
                         "evaluated": evaluated,
                         "share_met": float(met.mean()) if evaluated else np.nan,
                         "mean_measured": float(np.nanmean(values)) if evaluated else np.nan})
    return pd.DataFrame(rows)


def format_table(frame: pd.DataFrame, columns: list[str] | None = None, max_rows: int = 200) -> str:
    """A plain-text table with numbers in 4 significant digits (for the terminal)."""
    if frame.empty:
        return "(no rows)"
    f = frame[columns] if columns else frame
    return f.head(max_rows).to_string(index=False, float_format=lambda x: f"{x:.4g}")
