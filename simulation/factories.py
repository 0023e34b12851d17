"""Multi-storey standard factories (L7 标准厂房): a park-built stock of floor space that small firms rent.

State: each park's floor stock ``parks.factory_m2`` and the land under it ``parks.factory_land``
(mu, counted as used land of the park); each renting firm's ``firms.floor_m2`` (it holds no land of
its own). Floor in use is derived each year from live renters, so a renter that exits frees its floor.
Source: 002 三(四)2 (优先保障3层及以上标准厂房用地…力争新建150万平方米以上多层标准厂房,满足中小企业…需要);
001 四(六) (对适合多层标准厂房生产的建设项目,原则上不再单独供地); 000 §(十六).
"""

from __future__ import annotations

import numpy as np

from .finance import PARK
from .policy import Policy
from .state import EXITED, granted_by_park, open_parks, park_sum

M2_PER_MU = 10_000 / 15
"""Square metres in one mu (a unit conversion, not a parameter)."""


def footprint(policy: Policy, floor_m2):
    """Mu of land under ``floor_m2`` of standard factories at the rule's plot ratio."""
    return np.asarray(floor_m2) / (policy.L7.floor_area_ratio * M2_PER_MU)


def floor_need(policy: Policy, land_need):
    """Floor space (m²) a small firm rents in place of ``land_need`` mu of its own plant."""
    return np.asarray(land_need) * policy.L7.floor_per_mu


def vacant(model) -> np.ndarray:
    """Floor of each park's standard factories not rented by a live firm (m², ≥ 0)."""
    used = park_sum(model.firms, model.parks, model.firms.floor_m2, live_only=True)
    return np.maximum(model.parks.factory_m2 - used, 0.0)


def renting(policy: Policy, investment: np.ndarray, land_need: np.ndarray, vacant_floor: np.ndarray) -> np.ndarray:
    """(N, K) which small projects rent floor in each option park: below ``sme_max_investment`` and the
    park has the floor vacant at the start of the year (``vacant_floor`` gathered per option)."""
    if not policy.L7.enabled:
        return np.zeros(land_need.shape, bool)
    return (investment[:, None] < policy.L7.sme_max_investment) & (vacant_floor >= floor_need(policy, land_need))


def build_year(model) -> None:
    """Step 1: each open park whose vacant floor is below a year's construction builds ``build_m2``
    more, on land granted like a key project's (quota, pool, L5; L2 treats it as a city key project:
    standard-factory land is prioritised); then tenants pay ``rent`` per m² a year to their park."""
    pol, pk, f = model.policy, model.parks, model.firms
    if not pol.L7.enabled:
        return
    mu = float(footprint(pol, pol.L7.build_m2))
    short = np.flatnonzero(open_parks(model.parks) & (vacant(model) < pol.L7.build_m2))
    for p in short:
        if model.ledger.room_of(int(p)) >= mu and model.ledger.grant(int(p), mu, pol.L2.city_key_min, 0.0):
            pk.factory_m2[p] += pol.L7.build_m2
            pk.factory_land[p] += mu
            model.finance.book("factories", PARK, [int(p)], pol.L7.build_m2 * pol.L7.build_cost)
            model.tally["factory_built_m2"] += pol.L7.build_m2
    tenants = np.flatnonzero((f.floor_m2 > 0) & (f.state != EXITED) & (f.park >= 0))
    rent = pol.L7.rent * f.floor_m2[tenants]
    f.capital[tenants] -= rent
    np.add.at(pk.factory_rent, f.park[tenants], rent)
    model.finance.book("factory_rent", PARK, f.park[tenants], rent)
    model.tally["factory_rent"] += float(rent.sum())


def move_in(model, rows: np.ndarray, floor_m2: np.ndarray) -> None:
    """New tenants take their floor; where a park's tenants outgrow its stock this year, the park
    builds the shortfall at once on its ungranted area, as far as that goes (else they crowd in)."""
    pol, pk = model.policy, model.parks
    model.firms.floor_m2[rows] = floor_m2
    short = -np.minimum(pk.factory_m2 - park_sum(model.firms, model.parks, model.firms.floor_m2, live_only=True), 0.0)
    free = np.maximum(pk.area - granted_by_park(model.firms, model.parks), 0.0)
    extra = np.minimum(short, free * pol.L7.floor_area_ratio * M2_PER_MU)
    pk.factory_m2[:] += extra
    pk.factory_land[:] += footprint(pol, extra)
    model.tally["factory_built_m2"] += float(extra.sum())


def offer(model, investment: np.ndarray, need: np.ndarray, parks: np.ndarray) -> np.ndarray:
    """Admission: (N, K) floor each project would rent in each option park (0: it takes land); the
    park columns of ``need`` (N, ≥K) are set to 0 mu where it rents."""
    if not model.policy.L7.enabled:          # nobody rents: skip the (N, K) work of the admission phase
        return np.zeros(parks.shape)
    k = parks.shape[1]
    rents = renting(model.policy, investment, need[:, :k], vacant(model)[np.maximum(parks, 0)]) & (parks >= 0)
    floor = np.where(rents, floor_need(model.policy, need[:, :k]), 0.0)
    need[:, :k] = np.where(rents, 0.0, need[:, :k])
    return floor


def settle(model, first_row: int, chosen: np.ndarray, stayed: np.ndarray, floor: np.ndarray) -> None:
    """The new firms (rows from ``first_row``, one per project in ``stayed``) that chose a park
    column where they rent move into its standard factories."""
    k = floor.shape[1]
    if not model.policy.L7.enabled or k == 0:
        return
    col = chosen[stayed]
    rented = np.where(col < k, floor[stayed, np.minimum(col, k - 1)], 0.0)
    move_in(model, np.arange(first_row, model.firms.n), rented)
