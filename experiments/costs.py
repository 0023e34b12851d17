"""Cost-effectiveness of a run (issue 11 §4): public money per job, per 万元 of tax and per supplier link
gained, the discounted net fiscal balance, each instrument's discounted cost, the debt at the end and the
peak debt service.

Pure functions: a yearly frame in (the series, or one park's or place's rows with the same columns),
numbers out. They read the finance accounts' columns (region totals in 万元 a year; ``fin_debt`` a stock).
A frame without them (a run or store from before the accounts) gives no cost metrics at all, so old stores
simply lack these columns, as they lack any metric added after them.

The horizon is the years after ``base_year`` (the same years the runner's totals count); gains are the
last year's level minus the base year's, and tax gained is summed over the horizon (money against money).
A ratio whose gain is not positive is NaN: if jobs fell or stayed level, no amount of money "bought" a job,
and a negative or infinite cost per job would read as a result.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# 社会折现率 (social discount rate) 8 %: 《建设项目经济评价方法与参数》第三版, 国家发展改革委、建设部 2006
# (发改投资〔2006〕1325号); it allows 6 % for long-lived public-benefit projects, the low end of a sensitivity.
DISCOUNT_RATE = 0.08

REQUIRED = ("fin_income", "fin_spending", "fin_instrument_cost", "fin_debt", "fin_debt_service")
# Each instrument's yearly cost column (万元/yr) and the metric of its discounted cost.
INSTRUMENTS = {"fin_land_discount": "pv_land_discount", "fin_subsidies": "pv_subsidies",
               "fin_tax_returned": "pv_tax_returned", "fin_infrastructure": "pv_infrastructure",
               "fin_designation": "pv_designation", "fin_instrument_cost": "pv_instrument_cost"}
RATIOS = ("cost_per_job", "cost_per_tax", "cost_per_link")
COST_METRICS = ("public_cost", "jobs_gained", "tax_gained", "links_gained", *RATIOS, "fiscal_balance_pv",
                *INSTRUMENTS.values(), "debt_end", "debt_service_peak")


# A-vs-B: what each extra unit gained by B over A cost (Δ public money / Δ gain, paired on seeds).
INCREMENTAL = {"extra_cost_per_job": ("public_cost", "jobs_gained"),
               "extra_cost_per_tax": ("public_cost", "tax_gained"),
               "extra_cost_per_link": ("public_cost", "links_gained")}


def has_accounts(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` carries the finance accounts the cost metrics read."""
    return all(c in frame for c in REQUIRED)


def discount_factors(years: np.ndarray, first_year: int, rate: float = DISCOUNT_RATE) -> np.ndarray:
    """``(1 + rate) ** -(year - first_year)``: the horizon's first year counts in full."""
    return (1.0 + rate) ** -(np.asarray(years, float) - first_year)


def present_value(flows: np.ndarray, years: np.ndarray, first_year: int, rate: float = DISCOUNT_RATE) -> float:
    """Sum of yearly ``flows`` discounted to ``first_year``."""
    return float(np.sum(np.asarray(flows, float) * discount_factors(years, first_year, rate)))


def per_unit_gained(cost: float, gained: float) -> float:
    """``cost / gained`` where something was gained; NaN where the gain is zero or negative (see module)."""
    return cost / gained if gained > 0 else np.nan


def supplier_links(series: pd.DataFrame) -> np.ndarray:
    """Live supplier links among producing firms each year, from the series' network density
    (unique directed links / n (n − 1), n = firms producing: :func:`parksim.simulation.metrics.network_statistics`)."""
    n = series["firms_producing"].to_numpy(float)
    return np.rint(series["network_density"].to_numpy(float) * n * (n - 1.0))


def cost_metrics(frame: pd.DataFrame, base_year: int, rate: float = DISCOUNT_RATE) -> dict[str, float]:
    """The cost-effectiveness metrics (:data:`COST_METRICS`) of one run's yearly frame; {} without accounts.

    Args:
        frame: one row a year with ``year``, ``employment``, ``tax``, the ``fin_*`` accounts and (for the
            cost per link) ``firms_producing`` and ``network_density``.
        base_year: the last year before the horizon (the runner's ``counted_from``); its row is the
            starting level (the first row if the frame starts later).
        rate: the discount rate of present values (flows discounted to the horizon's first year).
    """
    if not has_accounts(frame) or frame.empty:
        return {}
    f = frame.sort_values("year")
    years = f["year"].to_numpy()
    before = years <= base_year
    b = int(np.flatnonzero(before)[-1]) if before.any() else 0
    base, h = f.iloc[b], f.iloc[b + 1:]
    if h.empty:
        return {}
    first = int(h["year"].iloc[0])
    cost = float(h["fin_instrument_cost"].sum())
    jobs = float(h["employment"].iloc[-1] - base["employment"])
    tax = float((h["tax"] - base["tax"]).sum())
    out = {"public_cost": cost, "jobs_gained": jobs, "tax_gained": tax,
           "cost_per_job": per_unit_gained(cost, jobs), "cost_per_tax": per_unit_gained(cost, tax)}
    if "network_density" in f and "firms_producing" in f:
        links = supplier_links(f)
        gained = float(links[-1] - links[b])
        out.update(links_gained=gained, cost_per_link=per_unit_gained(cost, gained))
    pv = {k: present_value(h[k], h["year"], first, rate) for k in INSTRUMENTS if k in h}
    out["fiscal_balance_pv"] = present_value(h["fin_income"] - h["fin_spending"], h["year"], first, rate)
    out.update({INSTRUMENTS[k]: v for k, v in pv.items()})
    out.update(debt_end=float(h["fin_debt"].iloc[-1]), debt_service_peak=float(h["fin_debt_service"].max()))
    return out
