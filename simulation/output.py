"""Phase 5 of the year (``ParkModel.produce``): every producing firm's output, tax, jobs, energy,
pollution and profit, with its efficiency class (V6) and by-product partner (C6) set first.

The phase gathers the arrays; the vectorised kernel is ``production.produce``.
"""

from __future__ import annotations

import numpy as np

from . import chains, efficiency, spillovers
from .factories import footprint as floor_footprint
from .production import ProductionInputs, ProductionParams
from .production import produce as produce_kernel
from .state import PRODUCING, rows_in


def produce(model) -> None:
    """TFP (own draw × learning by age since production began × spillovers), then production of all
    producing firms through the vectorised kernel."""
    f, sec, pol, w = model.firms, model.sectors, model.policy, model.world
    rows = rows_in(model.firms, PRODUCING)
    seasoned = rows[f.tax[rows] > 0]            # classed on last year's tax; new producers keep B
    land_used = f.land[seasoned] + floor_footprint(pol, f.floor_m2[seasoned])    # L7 tenants: their floor's land
    tax_per_mu = np.divide(f.tax[seasoned], land_used, out=np.zeros(len(seasoned)), where=land_used > 0)
    f.efficiency_class[seasoned] = efficiency.efficiency_class(pol, tax_per_mu, f.hightech[seasoned],
                                                               sec.energy_per_output[f.sector[seasoned]])
    f.has_local_partner[:] = chains.byproduct_partner(f.park, f.sector, f.state == PRODUCING, model.parks.n,
                                                      chains.byproduct_links(sec.keys))        # C6
    node_lon, node_lat = spillovers.node_positions(model.parks.lon, model.parks.lat,
                                                   [model.places[i] for i in model.place_ids])
    node = spillovers.firm_nodes(f.park[rows], f.place[rows], model.parks.n)
    f.tfp[rows], _ = spillovers.firm_tfp(f.productivity[rows], model.year - f.state_year[rows],
                                         f.capacity[rows] * f.utilization[rows], node, f.sector[rows],
                                         node_lon, node_lat, sec.io, spillovers.SpilloverParams.of(w))
    adjust = np.zeros(len(rows))
    if pol.V6.enabled:          # V6 差别化要素价格 (003 六(一)): land, power, water, credit by class
        adjust = efficiency.cost_adjust(pol, w, f.efficiency_class[rows], sec.energy_per_output[f.sector[rows]],
                                        f.land[rows], w.loan_share * f.investment[rows],
                                        f.capacity[rows] * f.utilization[rows] * f.tfp[rows])
    x = ProductionInputs(
        sector=f.sector[rows], park=f.park[rows], capacity=f.capacity[rows], utilization=f.utilization[rows],
        productivity=f.tfp[rows], margin=f.margin[rows],
        shock=model.rng.normal(0.0, w.shock_sigma, len(rows)), local_partner=f.has_local_partner[rows],
        cost_adjust=adjust, infra=model.parks.infrastructure, io=sec.io, va_rate=sec.value_added_rate,
        tax_rate=sec.tax_rate, jobs_per_yi=sec.jobs_per_yi, energy_per_output=sec.energy_per_output,
        pollution_class=sec.pollution_class)
    c6 = pol.C6.enabled
    res = produce_kernel(x, ProductionParams(w.agglomeration_elasticity, w.chain_elasticity,
                                             w.infrastructure_elasticity, pol.C6.cost_saving * c6,
                                             pol.C6.pollution_cut * c6, w.tfp_profit_share))
    idle = f.state != PRODUCING
    for name in ("output", "value_added", "tax", "employment", "energy", "pollution", "profit"):
        col = getattr(f, name)
        col[idle] = 0.0
        col[rows] = res[name]
    f.capital[rows] += res["profit"]
    losing = res["profit"] < 0
    f.loss_years[rows] = np.where(losing, f.loss_years[rows] + 1, 0)
    low = (f.tax[rows] / np.maximum(f.land[rows], 1e-9) < pol.X3.tax_per_mu_min) & (f.utilization[rows] >= 1.0)
    f.low_tax_years[rows] = np.where(low, f.low_tax_years[rows] + 1, 0)
