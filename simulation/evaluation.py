"""Yearly park evaluation and ranking (V1, V2) and the scores behind rewards and sanctions (V3-V7).

:func:`park_indicators` aggregates firm columns into the V1 indicators per park with ``bincount``;
:func:`park_indicators_reference` does it park by park and firm by firm. :func:`score_parks` turns
indicators into percentile scores and ranks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

from .metrics import chain_completeness
from .policy import INDICATORS

LOWER_IS_BETTER = ("pollution_per_output",)


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


def _ratio(a, b):
    return np.divide(a, b, out=np.zeros_like(a, dtype=float), where=b > 0)


def park_indicators(f: FirmColumns, n_parks: int, declared: np.ndarray, last_output: np.ndarray,
                    chains: np.ndarray, io: np.ndarray) -> dict[str, np.ndarray]:
    """V1 indicators per park (P,), vectorised; ``chains`` is a (C, S) membership mask.

    Chain completeness is that of the chain of the park's largest sector by output.
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
    complete = np.array([chain_completeness(present[p], chains[main_chain[p]], io) for p in range(n_parks)])
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
    }


def park_indicators_reference(f: FirmColumns, n_parks: int, declared: np.ndarray,
                              last_output: np.ndarray, chains: np.ndarray,
                              io: np.ndarray) -> dict[str, np.ndarray]:
    """The same as :func:`park_indicators`, park by park with plain loops over firms."""
    res = {k: np.zeros(n_parks) for k in INDICATORS}
    for p in range(n_parks):
        output = tax = land_p = inv = land = lead = ht = emp = pol = 0.0
        present = np.zeros(declared.shape[1], bool)
        for i in range(len(f.park)):
            if f.park[i] != p:
                continue
            inv += f.investment[i]
            land += f.land[i]
            if f.producing[i]:
                output += f.output[i]
                tax += f.tax[i]
                land_p += f.land[i]
                emp += f.employment[i]
                pol += f.pollution[i]
                ht += f.output[i] if f.hightech[i] else 0.0
                lead += f.output[i] if declared[p, f.sector[i]] else 0.0
                present[f.sector[i]] = True
        res["output"][p] = output
        res["output_growth"][p] = (output - last_output[p]) / last_output[p] if last_output[p] > 0 else 0.0
        res["tax_per_mu"][p] = tax / land_p if land_p > 0 else 0.0
        res["intensity"][p] = inv / land if land > 0 else 0.0
        res["leading_share"][p] = lead / output if output > 0 else 0.0
        res["hightech_share"][p] = ht / output if output > 0 else 0.0
        res["employment"][p] = emp
        res["pollution_per_output"][p] = pol / output if output > 0 else 0.0
        by_sector = np.zeros(declared.shape[1])
        for i in range(len(f.park)):
            if f.park[i] == p and f.producing[i]:
                by_sector[f.sector[i]] += f.output[i]
        main = int(np.argmax(chains[:, int(np.argmax(by_sector))]))
        value = chain_completeness(present, chains[main], io)
        res["chain_completeness"][p] = 0.0 if np.isnan(value) else value
    return res


def score_parks(indicators: dict[str, np.ndarray], weights: dict[str, float],
                evaluated: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """V1: weighted sum of indicator percentiles among evaluated parks; rank 1 is best.

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
        total += w * (rankdata(values) - 1) / max(m - 1, 1)
    score[evaluated] = total
    rank[evaluated] = rankdata(-total, method="ordinal")
    return score, rank
