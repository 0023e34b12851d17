"""Production: output with agglomeration, chain and infrastructure externalities, and its by-products.

For a producing firm i of sector s in park p:
``output_i = capacity_i · utilization_i · tfp_i · (1 + a·log(1 + n_ps − 1) + c·u_ps + b·infra_p)``
where ``tfp_i`` is this year's TFP (own draw × learning × spillovers, :mod:`.spillovers`), ``n_ps``
counts producing firms of s in p and ``u_ps`` is the IO-weighted presence of s's suppliers in p (these
in-park terms, shared inputs and the park's labour market, do not reach firms outside parks). Value
added, tax, jobs and energy follow from sector rates; pollution is energy weighted by pollution class,
cut by C6 for firms with a same-park partner. The profit rate adds the firm's persistent margin, a
yearly shock, half the externality gain, the TFP advantage over its sector's producers (selection:
low-TFP firms make losses and exit), minus the fixed-cost burden of running below capacity, and the
V6/C6 cost terms.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np

CLASS_FACTOR = np.array([0.0, 0.2, 0.6, 1.0])   # pollution per tce by pollution class 1..3
POLLUTION_SCALE = 0.01                          # pollution units per tce·factor
RAMP_COST = 0.15                                # profit-rate burden per unit of idle capacity


@dataclass
class ProductionInputs:
    """Arrays over the producing firms (F,) plus park (P,) and sector (S,) tables."""

    sector: np.ndarray
    park: np.ndarray            # -1 outside any park
    capacity: np.ndarray
    utilization: np.ndarray
    productivity: np.ndarray    # this year's TFP (model.produce: own draw × learning × spillovers)
    margin: np.ndarray
    shock: np.ndarray
    local_partner: np.ndarray   # C6: a by-product-linked sector produces in the same park
    cost_adjust: np.ndarray     # V6 surcharge (+) or discount (-), share of output
    infra: np.ndarray           # (P,)
    io: np.ndarray              # (S, S)
    va_rate: np.ndarray         # (S,)
    tax_rate: np.ndarray
    jobs_per_yi: np.ndarray
    energy_per_output: np.ndarray
    pollution_class: np.ndarray


@dataclass(frozen=True)
class ProductionParams:
    agglomeration: float
    chain: float
    infrastructure: float
    circular_saving: float      # C6 (0 when off)
    circular_cut: float         # C6 (0 when off)
    tfp_profit: float = 0.0     # profit rate per log point of TFP above the sector's mean log TFP


def upstream_presence(present: np.ndarray, io: np.ndarray) -> np.ndarray:
    """(P, S): IO-weighted share of each sector's supplier sectors present in each park."""
    need = io.sum(0)
    return present.astype(float) @ io / np.where(need > 0, need, 1.0)


def produce(x: ProductionInputs, k: ProductionParams) -> dict[str, np.ndarray]:
    """Vectorised production of all producing firms; returns per-firm output, VA, tax, … and profit."""
    n_park, n_sec = len(x.infra), x.io.shape[0]
    inside = x.park >= 0
    cell = np.where(inside, x.park, 0) * n_sec + x.sector
    counts = np.bincount(cell[inside], minlength=n_park * n_sec).reshape(n_park, n_sec)
    up = upstream_presence(counts > 0, x.io)
    same = np.where(inside, counts.ravel()[cell] - 1, 0)
    chain = np.where(inside, up.ravel()[cell], 0.0)
    infra = np.where(inside, x.infra[np.where(inside, x.park, 0)], 0.0)
    log_tfp = np.log(x.productivity)
    sector_mean = (np.bincount(x.sector, weights=log_tfp, minlength=n_sec)
                   / np.maximum(np.bincount(x.sector, minlength=n_sec), 1))
    return _finish(x, k, same, chain, infra, log_tfp - sector_mean[x.sector])


def produce_reference(x: ProductionInputs, k: ProductionParams) -> dict[str, np.ndarray]:
    """The same as :func:`produce`, firm by firm with plain loops and per-park counters."""
    n = len(x.sector)
    same, chain, infra, advantage = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    need = x.io.sum(0)
    log_sum, count = defaultdict(float), Counter(x.sector[i] for i in range(n))
    for i in range(n):
        log_sum[x.sector[i]] += np.log(x.productivity[i])
    firms_in = Counter((x.park[i], x.sector[i]) for i in range(n) if x.park[i] >= 0)
    sectors_in = defaultdict(set)
    for p, s in firms_in:
        sectors_in[p].add(s)
    for i in range(n):
        p, s = x.park[i], x.sector[i]
        advantage[i] = np.log(x.productivity[i]) - log_sum[s] / count[s]
        if p < 0:
            continue
        same[i] = firms_in[p, s] - 1
        chain[i] = sum(x.io[q, s] for q in sectors_in[p]) / need[s] if need[s] > 0 else 0.0
        infra[i] = x.infra[p]
    return _finish(x, k, same, chain, infra, advantage)


def _finish(x: ProductionInputs, k: ProductionParams, same, chain, infra, advantage) -> dict[str, np.ndarray]:
    gain = k.agglomeration * np.log1p(same) + k.chain * chain + k.infrastructure * infra
    output = x.capacity * x.utilization * x.productivity * (1.0 + gain)
    s = x.sector
    energy = output * x.energy_per_output[s]
    circular = k.circular_cut * x.local_partner
    pollution = energy * CLASS_FACTOR[x.pollution_class[s]] * POLLUTION_SCALE * (1.0 - circular)
    rate = (x.margin + x.shock + 0.5 * gain + k.tfp_profit * advantage - RAMP_COST * (1.0 - x.utilization)
            + k.circular_saving * x.local_partner - x.cost_adjust)
    return {"output": output, "value_added": output * x.va_rate[s], "tax": output * x.tax_rate[s],
            "employment": output / 1e4 * x.jobs_per_yi[s], "energy": energy, "pollution": pollution,
            "profit": rate * output}
