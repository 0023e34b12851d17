"""Which rule turned arriving projects away, and where they went (issue 12, closing note).

Reads the investment table (``RunOutputs.investment`` or ``Store.read("investment")``): its region rows
of the adaptations carry ``refused_by``, the rule id that refused each project its first choice
(:data:`parksim.simulation.investment.REFUSALS`). Tables written before that column existed read as
refusals by an unknown rule ("?").
"""

from __future__ import annotations

import pandas as pd

PROJECT_KINDS = ("created", "diverted", "lost")
"""The accounts of arriving projects (relocations are moves of firms already there, not arrivals)."""
WHERE = ("densified", "next_park", "outside", "left")
"""Where a refused project went: built denser in the same park, another park, outside parks, the rest
of the country (lost)."""
UNKNOWN = "?"


def refusal_shares(investment: pd.DataFrame, by: tuple[str, ...] = (), since: int | None = None) -> pd.DataFrame:
    """For each group of ``by`` (e.g. scenario) and each refusing rule: the share of arriving projects
    it turned away (``refused``) and the shares that went each way of :data:`WHERE` (they sum to
    ``refused``), over the region rows of years ≥ ``since`` (all years if None), pooled over the
    group's runs (a ratio of sums). Rules that refused nothing have no row.

    Returns columns ``*by``, rule, arrived (projects), refused, densified, next_park, outside, left.
    """
    t = investment[investment["unit"] == "region"].assign(all_runs=0)
    if since is not None:
        t = t[t["year"] >= since]
    if "refused_by" not in t:
        t = t.assign(refused_by="")
    keys = list(by) or ["all_runs"]
    arrived = t[t["kind"].isin(PROJECT_KINDS)].groupby(keys)["count"].sum().rename("arrived").reset_index()
    went = t[t["kind"].isin(WHERE)].assign(rule=lambda d: d["refused_by"].fillna("").replace("", UNKNOWN))
    cells = went.pivot_table(index=keys + ["rule"], columns="kind", values="count", aggfunc="sum", fill_value=0)
    cells = cells.reindex(columns=list(WHERE), fill_value=0).reset_index().merge(arrived, on=keys)
    for kind in WHERE:
        cells[kind] = cells[kind] / cells["arrived"]
    cells["refused"] = cells[list(WHERE)].sum(axis=1)
    cells = cells.sort_values(keys + ["refused"], ascending=[True] * len(keys) + [False], ignore_index=True)
    return cells[[*by, "rule", "arrived", "refused", *WHERE]]
