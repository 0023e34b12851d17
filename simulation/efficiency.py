"""亩均论英雄 (V6, 003 六(一)): firms classed A-D and the factor prices each class pays.

The clause (探索開展企業分類綜合評價,建立以畝均稅收、研發創新和節能環保等為主要指標的評價體系,根據評價結果
配套實施差別化的資源要素配置政策) names three criteria and differentiated prices for the factors a
local government controls. The model classes a firm by tax per mu, moves an R&D-intensive firm up and
an energy-intensive one down, and prices four factors by class: land (the yearly land-use tax,
城镇土地使用税), power, water and credit. Class B and C pay the list price; A gets a discount and D a
surcharge. The result is a cost share of output that :func:`parksim.simulation.production.produce`
subtracts from the profit rate.
"""

from __future__ import annotations

import numpy as np

from .policy import Policy

A, B, C, D = range(4)


def efficiency_class(policy: Policy, tax_per_mu, rd_intensive, energy_per_output) -> np.ndarray:
    """Class 0 (A) … 3 (D): tax per mu sets it; an R&D-intensive firm (high-tech) rises
    ``rd_classes``, one above ``energy_max`` tce per 万元 of output falls ``energy_classes``."""
    v = policy.V6
    base = np.select([tax_per_mu >= v.class_a_min, tax_per_mu >= v.class_b_min,
                      tax_per_mu >= v.class_c_min], [A, B, C], D)
    shifted = base - v.rd_classes * np.asarray(rd_intensive, bool) \
        + v.energy_classes * (np.asarray(energy_per_output) > v.energy_max)
    return np.clip(shifted, A, D).astype(np.int8)


def factor_markups(policy: Policy, cls) -> dict[str, np.ndarray]:
    """Per firm, the relative change of each factor's price for its class (+ surcharge, − discount);
    land is in 万元 per mu a year, credit in points of the loan rate, power and water relative."""
    v = policy.V6
    a, d = cls == A, cls == D
    return {"land": v.land_d_surcharge * d - v.land_a_discount * a,
            "power": v.power_d_surcharge * d - v.power_a_discount * a,
            "water": v.water_d_surcharge * d - v.water_a_discount * a,
            "credit": v.credit_d_surcharge * d - v.credit_a_discount * a}


def cost_adjust(policy: Policy, world, cls, energy_per_output, land, borrowed, expected_output) -> np.ndarray:
    """Extra cost of the differentiated prices as a share of output (negative: a saving).

    power = energy_per_output · ``world.energy_price`` · markup (per 万元 of output); water =
    ``world.water_cost_share`` · markup; land and credit are yearly amounts (land · fee, borrowed ·
    points) divided by the firm's expected output (capacity · utilization · TFP).
    """
    m = factor_markups(policy, cls)
    per_output = energy_per_output * world.energy_price * m["power"] + world.water_cost_share * m["water"]
    amounts = land * m["land"] + borrowed * m["credit"]
    return per_output + np.divide(amounts, expected_output, out=np.zeros(len(amounts)), where=expected_output > 0)
