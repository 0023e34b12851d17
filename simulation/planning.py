"""Phase 1 of the year (``ParkModel.plan_year``): what the government plans before projects arrive.

Scheduled interventions apply, zones open and parks change standing (designation package), the land
quota is split (L2-L5, V3, listed by level), the fund budget (S1) and energy cap (X5) are set, new parks
appear (world; none under C7), and parks set their offers to investors (S7, competition.py).
"""

from __future__ import annotations

import numpy as np

from . import burn_in, chains, designation, entry, land, new_parks
from . import schedule as interventions
from .competition import set_offers
from .factories import build_year as build_factories
from .sanctions import committed_emission
from .state import BUILDING, GRANTED, granted_by_park, open_parks, park_intensity, park_sum
from .world import ParkSpec, wish_lists


def plan_year(model) -> None:
    """Interventions, zones opening, changes of standing (designation package), quota split (L2-L5,
    V3, listed by level), fund budget (S1), energy cap (X5), new parks (world; none under C7), offers (S7)."""
    model.rules_year = model.year - model.rules_from
    if model.rules_year == 1 and model.world.burn_in:
        burn_in.start(model)
    interventions.apply(model)
    model.designation.open_due(model)
    model.designation.review(model, interventions.designated_rows(model))
    gov, pol, pk = model.government, model.policy, model.parks
    if pol.S1.enabled:
        gov.fund_budget = pol.S1.budget * (1 + pol.S1.growth) ** (model.rules_year - 1)
    if pol.X5.enabled:
        gov.energy_cap = model.energy_baseline * (1 + pol.X5.cap_growth) ** model.rules_year
    if not pol.C7.enabled and model.world.new_parks_per_year > 0:
        create_new_parks(model, model.rng.poisson(model.world.new_parks_per_year))
    chains.merge_parks(model, chains.merge_plan(pol, pk.place, pk.city, pk.area, pk.blocks, open_parks(pk)))  # C7
    granted = granted_by_park(model.firms, pk)
    greenfield = np.maximum(pk.area - granted - pk.reusable, 0.0)
    reclaimed = land.reclaimed_land(pol, gov.land_quota, greenfield, open_parks(pk))      # L2 挖潜
    pk.reusable[:] += reclaimed
    greenfield -= reclaimed
    pct = land.live_percentile(pk.rank, open_parks(pk))
    below = park_intensity(model.firms, pk) < entry.intensity_standard(pol, pk.level)
    weight = designation.quota_weight(model.world, designation.level_steps(pk.level, pk.status))
    quota, pool, reserve = land.allocate_quota(pol, gov.land_quota, greenfield, open_parks(pk),
                                               pct, below, pk.rewarded, weight, model.world.listed_quota_share)
    pk.quota[:] = quota
    extra, spill = land.off_quota_land(pol, gov.land_quota, quota, greenfield, open_parks(pk))     # L11
    model.tally["land_off_quota"] += float(extra.sum() + spill)
    f = model.firms
    pending = (f.state == GRANTED) | (f.state == BUILDING)      # E4: granted, not producing, still use room
    room = pk.emission_quota - park_sum(f, pk, f.pollution + committed_emission(f.investment, f.sector,
                                                                                model.sectors) * pending, live_only=True)
    model.ledger = land.TieredLedger(pol, gov.land_quota, quota + extra, pool + spill,
                                     reserve, greenfield, pk.reusable, room)
    build_factories(model)                  # L7 standard factories built, rent paid
    set_offers(model)                      # offers to investors within budgets and S7's cap (§7.19)


def create_new_parks(model, count: int) -> None:
    """``count`` county parks of half the median area in random cities. Their wish lists are drawn as
    generated parks' are (``world.wish_lists``: [``leading_wish_min``, ``leading_wish_max``] industries),
    so C1's cap cuts them as it cuts the others."""
    cities = list(model.cities)
    specs = []
    for _ in range(count):
        city = cities[model.rng.integers(len(cities))]
        head = model.rng.choice(model.sectors.n, 3, replace=False, p=model.sectors.demand_share)   # as generate_parks'
        wish = wish_lists(model.world, [head], model.sectors.demand_share, model.rng)[0]              # C1, 004 §(八)
        place, lon, lat = new_parks.city_site(model, city)
        specs.append(ParkSpec(name=f"new_{model.year}_{len(model.park_agents)}", level="county",
                              area_mu=float(model.world.park_area_median * 0.5), city=city,
                              leading=tuple(model.sectors.keys[s] for s in wish),
                              place=place, lon=lon, lat=lat,
                              infrastructure=interventions.NEW_PARK_INFRASTRUCTURE))
    new_parks.open_new_parks(model, tuple(specs))
