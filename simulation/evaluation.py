"""Yearly park evaluation and ranking (V1, V2) and the scores behind rewards and sanctions (V3-V7).

:func:`park_indicators` aggregates firm columns into the V1 indicators per park with ``bincount``;
:func:`park_indicators_reference` does it with plain loops, firm by firm and then park by park.
:func:`score_parks` turns indicators into percentile scores and ranks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

from .investment import INITIAL
from .metrics import chain_completeness
from .policy import INDICATORS
from .state import EXITED, PRODUCING, REVOKED, leading_share

LOWER_IS_BETTER = ("pollution_per_output", "debt_per_mu")


@dataclass
class FirmColumns:
    """Per-firm arrays over the firms holding land in parks (park >= 0)."""

    park: np.ndarray
    sector: np.ndarray
    producing: np.ndarray
    output: np.ndarray
    tax: np.ndarray
    employment: np.ndarray
    pollution: np.ndarray
    investment: np.ndarray
    land: np.ndarray
    hightech: np.ndarray
    tfp: np.ndarray           # total factor productivity (spillovers.firm_tfp)
    fresh: np.ndarray         # entered this year: the investment the park attracted (招商引资)
    from_outside: np.ndarray  # a mobile project from outside the region (开放水平)
    linked: np.ndarray        # has a same-park supply partner (循环经济, C6)


def firm_columns(model) -> FirmColumns:
    """The columns of the model's live firms in parks."""
    f = model.firms
    m = np.flatnonzero((f.park >= 0) & (f.state != EXITED))      # rows once, not a mask per column
    return FirmColumns(park=f.park[m], sector=f.sector[m], producing=f.state[m] == PRODUCING,
                       output=f.output[m], tax=f.tax[m], employment=f.employment[m], pollution=f.pollution[m],
                       investment=f.investment[m], land=f.land[m], hightech=f.hightech[m], tfp=f.tfp[m],
                       fresh=f.entry_year[m] == model.year,
                       from_outside=(f.origin[m] < 0) & (f.source[m] != INITIAL),
                       linked=f.has_local_partner[m])


def _ratio(a, b):
    return np.divide(a, b, out=np.zeros_like(a, dtype=float), where=b > 0)


def park_indicators(f: FirmColumns, n_parks: int, declared: np.ndarray, last_output: np.ndarray,
                    chains: np.ndarray, io: np.ndarray, debt_per_mu: np.ndarray) -> dict[str, np.ndarray]:
    """V1 indicators per park (P,), vectorised; ``chains`` is a (C, S) membership mask.

    Chain completeness is that of the chain of the park's largest sector by output; TFP is the
    output-weighted mean of its producers'; ``debt_per_mu`` (its platform's debt per mu of area,
    finance.py) is passed through.
    """
    chain_of_sector = chains.argmax(0)
    n_sec = declared.shape[1]
    out = f.output * f.producing

    def by_park(w):
        return np.bincount(f.park, weights=w, minlength=n_parks)

    cell = np.bincount(f.park * n_sec + f.sector, weights=out, minlength=n_parks * n_sec).reshape(n_parks, n_sec)
    present = np.bincount(f.park * n_sec + f.sector, weights=f.producing.astype(float),
                          minlength=n_parks * n_sec).reshape(n_parks, n_sec) > 0
    output = cell.sum(1)
    main_chain = chain_of_sector[cell.argmax(1)]
    complete = np.zeros(n_parks)
    for c in np.unique(main_chain):                  # one call per chain, not per park
        mine = main_chain == c
        complete[mine] = chain_completeness(present[mine], chains[c], io)
    return {
        "output": output,
        "output_growth": _ratio(output - last_output, last_output),
        "tax_per_mu": _ratio(by_park(f.tax * f.producing), by_park(f.land * f.producing)),
        "intensity": _ratio(by_park(f.investment), by_park(f.land)),
        "leading_share": _ratio((cell * declared).sum(1), output),
        "hightech_share": _ratio(by_park(out * f.hightech), output),
        "employment": by_park(f.employment * f.producing),
        "pollution_per_output": _ratio(by_park(f.pollution * f.producing), output),
        "chain_completeness": np.nan_to_num(complete),
        "investment_attracted": by_park(f.investment * f.fresh),
        "openness": _ratio(by_park(f.investment * f.from_outside), by_park(f.investment)),
        "tfp": _ratio(by_park(out * f.tfp), output),
        "circular_share": _ratio(by_park(out * f.linked), output),
        "debt_per_mu": np.asarray(debt_per_mu, float),
    }


def park_indicators_reference(f: FirmColumns, n_parks: int, declared: np.ndarray,
                              last_output: np.ndarray, chains: np.ndarray,
                              io: np.ndarray, debt_per_mu: np.ndarray) -> dict[str, np.ndarray]:
    """The same as :func:`park_indicators`, with one plain pass over the firms and one over the parks."""
    n_sec = declared.shape[1]
    sums = {k: np.zeros(n_parks) for k in ("output", "tax", "land_p", "inv", "land", "lead", "ht", "emp", "pol",
                                           "new", "ext", "tfp", "lnk")}
    by_sector = np.zeros((n_parks, n_sec))
    present = np.zeros((n_parks, n_sec), bool)
    for i in range(len(f.park)):
        p, s = f.park[i], f.sector[i]
        sums["inv"][p] += f.investment[i]
        sums["land"][p] += f.land[i]
        sums["new"][p] += f.investment[i] if f.fresh[i] else 0.0
        sums["ext"][p] += f.investment[i] if f.from_outside[i] else 0.0
        if f.producing[i]:
            sums["output"][p] += f.output[i]
            sums["tax"][p] += f.tax[i]
            sums["land_p"][p] += f.land[i]
            sums["emp"][p] += f.employment[i]
            sums["pol"][p] += f.pollution[i]
            sums["ht"][p] += f.output[i] if f.hightech[i] else 0.0
            sums["lead"][p] += f.output[i] if declared[p, s] else 0.0
            sums["tfp"][p] += f.output[i] * f.tfp[i]
            sums["lnk"][p] += f.output[i] if f.linked[i] else 0.0
            by_sector[p, s] += f.output[i]
            present[p, s] = True
    res = {k: np.zeros(n_parks) for k in INDICATORS}
    for p in range(n_parks):
        output, last = sums["output"][p], last_output[p]
        res["output"][p] = output
        res["output_growth"][p] = (output - last) / last if last > 0 else 0.0
        res["tax_per_mu"][p] = sums["tax"][p] / sums["land_p"][p] if sums["land_p"][p] > 0 else 0.0
        res["intensity"][p] = sums["inv"][p] / sums["land"][p] if sums["land"][p] > 0 else 0.0
        res["leading_share"][p] = sums["lead"][p] / output if output > 0 else 0.0
        res["hightech_share"][p] = sums["ht"][p] / output if output > 0 else 0.0
        res["employment"][p] = sums["emp"][p]
        res["pollution_per_output"][p] = sums["pol"][p] / output if output > 0 else 0.0
        main = int(np.argmax(chains[:, int(np.argmax(by_sector[p]))]))
        value = chain_completeness(present[p], chains[main], io)
        res["chain_completeness"][p] = 0.0 if np.isnan(value) else value
        res["investment_attracted"][p] = sums["new"][p]
        res["openness"][p] = sums["ext"][p] / sums["inv"][p] if sums["inv"][p] > 0 else 0.0
        res["tfp"][p] = sums["tfp"][p] / output if output > 0 else 0.0
        res["circular_share"][p] = sums["lnk"][p] / output if output > 0 else 0.0
        res["debt_per_mu"][p] = debt_per_mu[p]
    return res


def score_parks(indicators: dict[str, np.ndarray], weights: dict[str, float],
                evaluated: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """V1 (000 §(二十九); 004 §(二十二)): weighted sum of indicator percentiles among evaluated parks; rank 1 is best.

    Parks not evaluated get score nan and rank 0. Ties share the average percentile.
    """
    n = len(evaluated)
    score = np.full(n, np.nan)
    rank = np.zeros(n, np.int32)
    m = int(evaluated.sum())
    if m == 0:
        return score, rank
    total = np.zeros(m)
    for name, w in weights.items():
        values = indicators[name][evaluated]
        values = -values if name in LOWER_IS_BETTER else values
        total += w * (average_ranks(values) - 1) / max(m - 1, 1)
    score[evaluated] = total
    rank[evaluated] = ordinal_ranks(-total)
    return score, rank


def ordinal_ranks(values: np.ndarray) -> np.ndarray:
    """``scipy.stats.rankdata(values, method="ordinal")`` (ties by position), NaN to scipy as below."""
    if values.size == 0 or np.isnan(values).any():
        return rankdata(values, method="ordinal")
    ranks = np.empty(values.size, np.int64)
    ranks[np.argsort(values, kind="stable")] = np.arange(1, values.size + 1)
    return ranks


def average_ranks(values: np.ndarray) -> np.ndarray:
    """``scipy.stats.rankdata(values)`` (ties share the average rank) of a 1-D float array, with the same
    arithmetic, without scipy's per-call overhead (the evaluation ranks ~10 indicators a year); arrays
    holding NaN go to scipy."""
    if values.size == 0 or np.isnan(values).any():
        return rankdata(values)
    order = np.argsort(values, kind="stable")
    y = values[order]
    new = np.ones(y.size, bool)
    np.not_equal(y[:-1], y[1:], out=new[1:])
    first = np.flatnonzero(new)
    counts = np.empty_like(first)
    counts[:-1], counts[-1] = first[1:] - first[:-1], y.size - first[-1]
    ranks = np.empty(y.size)
    ranks[order] = np.repeat((first + 1).astype(float) + (counts.astype(float) - 1) / 2, counts)
    return ranks


def four_ones(declared: np.ndarray, sector_output: np.ndarray, leading_firm: np.ndarray, mega_entry: np.ndarray,
              cluster_min: float) -> np.ndarray:
    """C5 四个一 (002 三(一)): (P, 4) which of this year's four targets each park meets.

    明确一个主导产业: the park's largest sector by output is a declared leading industry; 培育一个龙头企业:
    a producing leading firm in a declared industry (``leading_firm`` (P,)); 投资一个20亿元以上项目: a
    project of at least C5 ``mega_min`` entered this year (``mega_entry`` (P,)); 打造一个…产业集群: a
    declared industry's output reaches ``cluster_min``. ``sector_output`` is (P, S) output by sector.
    """
    producing = sector_output.sum(1) > 0
    clear = producing & declared[np.arange(len(declared)), sector_output.argmax(1)]
    cluster = (sector_output * declared).max(1, initial=0.0) >= cluster_min
    return np.column_stack([clear, leading_firm, mega_entry, cluster])


def plan_targets(model) -> None:
    """The plan targets the evaluation counts each year: parks at their C2 leading-share target
    (001 三; 003 四(一)) and parks meeting all four C5 "four ones" (002 三(一)); tallies only."""
    pol, pk, f = model.policy, model.parks, model.firms
    live = pk.alive & (pk.status != REVOKED)
    if pol.C2.enabled:
        model.tally["parks_at_structure_target"] += float((live & (leading_share(f, pk, model.declared) >= pol.C2.target)).sum())
    if pol.C5.enabled:
        n_sec = model.sectors.n
        m = (f.state == PRODUCING) & (f.park >= 0)
        cell = np.bincount(f.park[m] * n_sec + f.sector[m], weights=f.output[m],
                           minlength=pk.n * n_sec).reshape(pk.n, n_sec)
        lead = m & f.leading
        lead_ok = np.bincount(f.park[lead], weights=model.declared[f.park[lead], f.sector[lead]], minlength=pk.n) > 0
        new = (f.park >= 0) & (f.entry_year == model.year) & (f.investment >= pol.C5.mega_min)
        mega = np.bincount(f.park[new], minlength=pk.n) > 0
        met = four_ones(model.declared, cell, lead_ok, mega, pol.C5.cluster_min) & live[:, None]
        model.tally["four_ones_met"] += float(met.all(1).sum())
