"""Cost-effectiveness per park and per city of one run, from its finance table (issue 13, issue 11).

:func:`parksim.experiments.costs.account_costs` gives, for one replication, each public account's
public cost, jobs and tax gained, cost per job, discounted fiscal balance and end debt over the years the
rules act. :func:`park_costs` applies it to every replication of a run and averages by account; the
ratios are taken of the means (a replication in which a park gained no job would otherwise make its mean
cost per job undefined). Runs without a finance table (stores written before it was stored) give None,
and the dashboard says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from parksim.experiments.costs import account_costs

from . import i18n
from .data import RunData

SUMS = ("public_cost", "jobs_gained", "tax_gained", "fiscal_balance_pv", "debt_end")
"""Per-account figures averaged over replications; the ratios below are formed from their means."""
RATIOS = {"cost_per_job": ("public_cost", "jobs_gained"), "cost_per_tax": ("public_cost", "tax_gained")}
SHOWN = ("public_cost", "jobs_gained", "tax_gained", "cost_per_job", "fiscal_balance_pv", "debt_end")
"""The columns the dashboard shows, in order (each has a name and unit in :mod:`parksim.viz.i18n`)."""


def base_year(run: RunData) -> int:
    """The rules' base year, as the runner counts totals and costs: start year + burn-in (the first year
    of the series where the run does not say)."""
    start = run.world.get("start_year", int(run.series["year"].min()) if len(run.series) else 0)
    return int(start) + int(run.world.get("burn_in", 0) or 0)


def park_costs(run: RunData) -> pd.DataFrame | None:
    """One row per account (parks first, then cities): ``account_kind``, ``account``, ``name``, the mean
    of :data:`SUMS` over replications, :data:`RATIOS` of those means (NaN where nothing was gained) and
    ``replications``; None when the run has no finance table; empty when no year follows the base year."""
    finance = run.tables.get("finance")
    if finance is None or finance.empty:
        return None
    year0 = base_year(run)
    per_rep = [account_costs(f.drop(columns=["replication", "seed"], errors="ignore"),
                             run.parks[run.parks["replication"] == r], year0).assign(replication=r)
               for r, f in finance.groupby("replication")]
    table = pd.concat([t for t in per_rep if len(t)], ignore_index=True) if any(len(t) for t in per_rep) else None
    if table is None:
        return pd.DataFrame()
    out = (table.groupby(["account_kind", "account"], as_index=False)
           .agg(name=("name", "last"), replications=("replication", "nunique"),
                **{c: (c, "mean") for c in SUMS if c in table.columns}))
    for ratio, (cost, gain) in RATIOS.items():
        g = out[gain].to_numpy(dtype=float)
        out[ratio] = np.divide(out[cost].to_numpy(dtype=float), g, out=np.full(len(out), np.nan), where=g > 0)
    order = out["account_kind"].map({"park": 0}).fillna(1)
    return (out.assign(_order=order).sort_values(["_order", "public_cost"], ascending=[True, False])
            .drop(columns="_order").reset_index(drop=True))


def shown_costs(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The per-account table as people read it: plain column names with units (亿元, 万元/人, 人), kinds
    in words, numbers without scientific notation (``–`` where undefined)."""
    out = {i18n.t("col.account", lang): table["name"].astype(str),
           i18n.t("col.kind", lang): [i18n.t(f"kind.{k}", lang) for k in table["account_kind"]]}
    for column in SHOWN:
        factor, _ = i18n.metric_unit(column, lang)
        out[i18n.metric_label(column, lang)] = [i18n.number(v * factor) for v in table[column].astype(float)]
    return pd.DataFrame(out)
