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

from parksim.simulation import finance

# 社会折现率 (social discount rate) 8 %: 《建设项目经济评价方法与参数》第三版, 国家发展改革委、建设部 2006
# (发改投资〔2006〕1325号); it allows 6 % for long-lived public-benefit projects, the low end of a sensitivity.
DISCOUNT_RATE = 0.08

REQUIRED = ("fin_income", "fin_spending", "fin_instrument_cost", "fin_debt", "fin_debt_service")
# Each instrument's yearly cost column (万元/yr) and the metric of its discounted cost.
INSTRUMENTS = {"fin_land_discount": "pv_land_discount", "fin_subsidies": "pv_subsidies",
               "fin_tax_returned": "pv_tax_returned", "fin_infrastructure": "pv_infrastructure",
               "fin_designation": "pv_designation", "fin_instrument_cost": "pv_instrument_cost"}
RATIOS = ("cost_per_job", "cost_per_tax", "cost_per_link")
_RATIOS = {"cost_per_job": "jobs_gained", "cost_per_tax": "tax_gained", "cost_per_link": "links_gained"}
"""Each cost ratio and the gain it divides by."""
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
    general = h["fin_general_spending"] if "fin_general_spending" in h else 0.0   # absent in older stores
    out["fiscal_balance_pv"] = present_value(h["fin_income"] - h["fin_spending"] + general, h["year"], first, rate)
    out.update({INSTRUMENTS[k]: v for k, v in pv.items()})
    out.update(debt_end=float(h["fin_debt"].iloc[-1]), debt_service_peak=float(h["fin_debt_service"].max()))
    return out


# Instruments in the finance table (``RunOutputs.finance``), as the series' ``fin_instrument_cost`` counts them:
# S4 returns count where they arrive (the park), since the paying city's row holds the same money negated.
ACCOUNT_INSTRUMENTS = ("subsidies", "rewards", "designation", "land_discount")
# Spending the fiscal balance leaves out: the cities' general services are what the balance pays for, not a
# cost of the park economy (the region's ``fin_general_spending``).
NOT_COSTS = ("general_spending",)


def account_costs(accounts: pd.DataFrame, parks: pd.DataFrame, base_year: int, rate: float = DISCOUNT_RATE) -> pd.DataFrame:
    """Per public account (each park, each city) over the horizon: ``public_cost`` (the instruments booked
    on it), ``pv_instrument_cost``, ``fiscal_balance_pv`` (its own income − spending + transfers received,
    i.e. Δcash − Δdebt before borrowing and before a city's general spending), ``debt_end`` and
    ``debt_service_peak``; for parks also
    ``jobs_gained``, ``tax_gained``, ``links_gained`` (live supplier links to the park's firms, from the
    park panel; NaN for a panel without them; a park opened during the horizon starts from 0),
    ``cost_per_job``, ``cost_per_tax`` and ``cost_per_link`` (NaN where nothing was gained). Summed over accounts, public
    cost and fiscal balance equal the region's (:func:`cost_metrics`): transfers between accounts cancel.

    Args:
        accounts: the finance table (one row per year × account; :meth:`finance.Ledger.table`).
        parks: the park panel (``year``, ``park``, ``employment``, ``tax``).
        base_year, rate: as in :func:`cost_metrics`.
    """
    f = accounts[accounts["year"] > base_year]
    if f.empty:
        return pd.DataFrame()
    park_side = (f["account_kind"] == "park").to_numpy()
    instruments = f[list(ACCOUNT_INSTRUMENTS)].sum(axis=1) + np.where(park_side, f["tax_returned"], 0.0)
    spending = [k for k in finance.SPENDING if k in f and k not in NOT_COSTS]
    net = f[list(finance.INCOME)].sum(axis=1) - f[spending].sum(axis=1) + f[list(finance.INTERNAL)].sum(axis=1)
    discount = discount_factors(f["year"], int(f["year"].min()), rate)
    work = f[["account_kind", "account", "name", "year", "debt"]].assign(
        public_cost=instruments, pv_instrument_cost=instruments * discount, fiscal_balance_pv=net * discount,
        service=f["interest"] + f["repayment"])
    out = (work.sort_values("year").groupby(["account_kind", "account"], as_index=False)
           .agg(name=("name", "last"), public_cost=("public_cost", "sum"), pv_instrument_cost=("pv_instrument_cost", "sum"),
                fiscal_balance_pv=("fiscal_balance_pv", "sum"), debt_end=("debt", "last"),
                debt_service_peak=("service", "max")))
    has_links = "supply_links" in parks            # the park panel of stores written before it has none
    level = parks.pivot_table(index="park", columns="year", values=["employment", "tax"] + ["supply_links"] * has_links,
                              aggfunc="sum").fillna(0.0)
    years = sorted(parks["year"].unique())
    base = max([y for y in years if y <= base_year], default=years[0])
    horizon = [y for y in years if y > base]
    gains = pd.DataFrame({"jobs_gained": level["employment"][years[-1]] - level["employment"][base],
                          "tax_gained": level["tax"][horizon].sub(level["tax"][base], axis=0).sum(axis=1),
                          "links_gained": level["supply_links"][years[-1]] - level["supply_links"][base]
                          if has_links else np.nan})
    out = out.merge(gains.assign(account_kind="park").rename_axis("account").reset_index(),
                    on=["account_kind", "account"], how="left")
    cost = out["public_cost"].to_numpy()
    for ratio, gain in _RATIOS.items():
        g = out[gain].to_numpy()
        out[ratio] = np.divide(cost, g, out=np.full(len(out), np.nan), where=g > 0)
    return out


# ----------------------------------------------------------------------------- per account, over runs

ACCOUNT_SHOWN = ("public_cost", "jobs_gained", "tax_gained", "links_gained", "cost_per_job", "cost_per_tax",
                 "cost_per_link", "fiscal_balance_pv", "debt_end")
"""Columns of the per-account table of ``parksim compare`` and ``parksim report``."""
_ADDITIVE = ("public_cost", "jobs_gained", "tax_gained", "links_gained", "fiscal_balance_pv", "debt_end")
DEFAULT_TOP = 10
"""Parks shown by default in the per-account table (those with the largest public cost; cities: all)."""
SIDES = ("A", "B", "B − A")


def base_year(world: dict, first_year: int) -> int:
    """The horizon's base year of a run whose world (as a dict) is ``world``: its start year after the
    burn-in, as the runner counts (``first_year``, the first recorded year, where the world is unknown)."""
    return int(world.get("start_year", first_year)) + int(world.get("burn_in", 0)) if world else int(first_year)


def runs_account_costs(accounts: pd.DataFrame, parks: pd.DataFrame, base: int, key: str = "seed",
                       rate: float = DISCOUNT_RATE) -> pd.DataFrame:
    """:func:`account_costs` of every run in stacked tables (the store's ``finance`` and ``parks``, rows of
    one run sharing ``key``), stacked with ``key``; empty without accounts."""
    if accounts.empty or key not in accounts:
        return pd.DataFrame()
    frames = [account_costs(acc, parks[parks[key] == k], base, rate).assign(**{key: k})
              for k, acc in accounts.groupby(key, sort=True)]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def mean_account_costs(per_run: pd.DataFrame, key: str = "seed") -> pd.DataFrame:
    """Per account (``account_kind``, ``name``): ``runs`` and the mean over runs of the money and gains;
    the cost per job and per 万元 of tax are the mean public cost over the mean gain (NaN where the mean
    gain is not positive), as a ratio of means is stable where one run gains almost nothing."""
    if per_run.empty:
        return pd.DataFrame(columns=["account_kind", "name", "runs", *ACCOUNT_SHOWN])
    groups = per_run.groupby(["account_kind", "name"], sort=False)
    out = groups[list(_ADDITIVE)].mean()
    out.insert(0, "runs", groups[key].nunique())
    for ratio, gain in _RATIOS.items():
        out[ratio] = _ratio(out["public_cost"], out[gain])
    return out.reset_index()[["account_kind", "name", "runs", *ACCOUNT_SHOWN]]


def _ratio(cost: pd.Series, gain: pd.Series) -> np.ndarray:
    c, g = cost.to_numpy(float), gain.to_numpy(float)
    return np.divide(c, g, out=np.full(len(c), np.nan), where=g > 0)


def account_table(a: pd.DataFrame, b: pd.DataFrame | None = None, top: int = DEFAULT_TOP) -> pd.DataFrame:
    """The per-account table (from :func:`mean_account_costs`): the ``top`` parks by public cost (the larger
    of A's and B's) and every city, parks first. With ``b``, three rows an account (``side``: A, B, B − A);
    the B − A row's costs per job and per 万元 of tax are B's extra money per extra unit gained (NaN where B
    gains no more). Accounts are matched by kind and name; one missing on a side has NaN there."""
    if b is None:
        return _top(a, a["public_cost"], top).reset_index(drop=True)
    both = a.merge(b, on=["account_kind", "name"], how="outer", suffixes=("_a", "_b"), sort=False)
    chosen = _top(both, both[["public_cost_a", "public_cost_b"]].max(axis=1), top)
    rows = []
    for _, r in chosen.iterrows():
        values = {s: {c: r.get(f"{c}_{s.lower()}", np.nan) for c in ("runs", *ACCOUNT_SHOWN)} for s in SIDES[:2]}
        diff = {c: values["B"][c] - values["A"][c] for c in _ADDITIVE}
        for ratio, gain in _RATIOS.items():
            diff[ratio] = diff["public_cost"] / diff[gain] if diff[gain] > 0 else np.nan
        diff["runs"] = min(values["A"]["runs"], values["B"]["runs"])
        for side, v in zip(SIDES, (values["A"], values["B"], diff)):
            rows.append({"account_kind": r["account_kind"], "name": r["name"], "side": side, **v})
    return pd.DataFrame(rows, columns=["account_kind", "name", "side", "runs", *ACCOUNT_SHOWN])


def _top(frame: pd.DataFrame, cost: pd.Series, top: int) -> pd.DataFrame:
    """The ``top`` parks by ``cost`` then every city, each by ``cost`` descending."""
    order = frame.assign(_cost=cost.fillna(-np.inf)).sort_values("_cost", ascending=False, kind="stable")
    parks = order[order["account_kind"] == "park"].head(max(top, 0))
    return pd.concat([parks, order[order["account_kind"] == "city"]]).drop(columns="_cost")
