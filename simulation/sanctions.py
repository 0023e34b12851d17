"""Rewards and sanctions after the yearly evaluation (奖优汰劣、有升有退: V2-V5, V7).

Works on the model's park table after :func:`parksim.simulation.evaluation.score_parks` has ranked the parks.
"""

from __future__ import annotations

import numpy as np

from . import entry, finance, land
from .policy import LEVELS
from .production import CLASS_FACTOR, POLLUTION_SCALE
from .state import ACTIVE, AREA_CUT, EXITED, REVOKED, granted_by_park, park_sector_counts, park_sum

NATIONAL = LEVELS.index("national")


def apply_consequences(model, ind: dict[str, np.ndarray]) -> None:
    """Apply V3 rewards, V4 elimination, V5 graded sanctions and upgrades, and V7 plan adjustment."""
    pk, pol = model.parks, model.policy
    ranked = pk.rank > 0
    m = int(ranked.sum())
    pct = np.where(ranked, (m - pk.rank) / max(m - 1, 1), np.nan)   # 1 best, 0 worst
    pk.rewarded[:] = False
    if pol.V3.enabled:          # V3 (000 §(二十八); 001 六(二)): the best parks get quota, emission room, funds
        excellent = ranked & (pct >= 1 - pol.V3.top_share)
        if pol.V2.enabled:
            excellent &= has_mega_project(model, pol.V2.mega_min)
        pk.rewarded[:] = excellent
        for p in np.flatnonzero(excellent):
            model.recorder.event("park_rewarded", "V3", park=int(p), value=float(pol.V3.award))
    if pol.V4.enabled:
        _eliminate(model, ranked, pct, ind["output_growth"])
    if pol.V5.enabled:
        _graded_sanctions(model, ranked, pct, ind)
    if pol.V7.enabled and model.rules_year % pol.V7.period == 0:        # periods from the rules' start
        _adjust_plans(model, ranked, pct, ind)


def has_mega_project(model, mega_min: float) -> np.ndarray:
    """V2 (002 四(七)): parks holding at least one live project of ``mega_min`` or more."""
    f = model.firms
    m = (f.park >= 0) & (f.state != EXITED) & (f.investment >= mega_min)
    return np.bincount(f.park[m], minlength=model.parks.n) > 0


def _eliminate(model, ranked, pct, growth) -> None:
    """V4 (000 §(二十八)): bottom and slow ``years`` years running → status and preferences lost."""
    pk, rule = model.parks, model.policy.V4
    slow = growth < np.median(growth[ranked]) if ranked.any() else np.zeros(pk.n, bool)
    bad = ranked & (pct <= rule.bottom_share) & slow
    pk.slow_streak[:] = np.where(bad, pk.slow_streak + 1, 0)
    for p in np.flatnonzero(pk.slow_streak >= rule.years):
        pk.status[p] = REVOKED
        pk.quota[p] = 0.0
        model.tally["parks_revoked"] += 1
        model.recorder.event("park_revoked", "V4", park=int(p))


def _graded_sanctions(model, ranked, pct, ind) -> None:
    """V5 (003 十(四)): one step up the ladder per year in the bottom ``bottom_share`` or failing the
    clause's own tests (:func:`absolute_failings`), one step down per year otherwise. Parks in the top
    ``top_share`` for ``upgrade_years`` years and under no sanction are upgraded one level with
    ``expansion_share`` more area; a national park, already at the top, is not raised and gets no
    area (national zones' areas are set by the State Council's catalogue, not by the province)."""
    pk, pol, rule = model.parks, model.policy, model.policy.V5
    standard = entry.intensity_standard(pol, pk.level)
    quota = pk.emission_quota if pol.E4.enabled else np.full(pk.n, np.inf)      # no E4: no emission standard
    failing = absolute_failings(rule, ind, standard, quota)
    bottom = ranked & ((pct <= rule.bottom_share) | failing)
    granted = granted_by_park(model.firms, model.parks)
    for p in np.flatnonzero(ranked & (pk.status != REVOKED)):
        before = int(pk.status[p])
        after = min(before + 1, REVOKED) if bottom[p] else max(before - 1, ACTIVE)
        if after == before:
            continue
        pk.status[p] = after
        model.recorder.event("park_sanctioned" if after > before else "park_rectified", "V5",
                             park=int(p), value=float(after))
        if after == AREA_CUT and before < AREA_CUT:
            _cut_area(model, int(p), granted[p], rule.area_cut_share, "V5")
        if after == REVOKED:
            model.tally["parks_revoked"] += 1
    top = ranked & (pct >= 1 - rule.top_share) & may_expand(pk.status)      # 不支持其擴區、調區和升級
    pk.top_streak[:] = np.where(top, pk.top_streak + 1, 0)
    for p in np.flatnonzero(pk.top_streak >= rule.upgrade_years):
        pk.top_streak[p] = 0
        if pk.level[p] >= NATIONAL:
            continue
        pk.level[p] += 1
        pk.upgraded_year[p] = model.year
        model.tally["parks_upgraded"] += 1
        model.recorder.event("park_upgraded", "V5", park=int(p), value=float(pk.level[p]))
        expand_park(model, int(p), rule.expansion_share, ind["intensity"][p], standard[p], "park_expanded", "V5")


def absolute_failings(rule, ind: dict[str, np.ndarray], standard: np.ndarray,
                      emission_quota: np.ndarray) -> np.ndarray:
    """V5 (003 十(四)): parks the clause sanctions whatever their rank, as far as the model sees them.

    资源要素利用率低: investment intensity below ``low_use_factor`` × the park's E1 standard;
    长期效益不好: tax per mu of producing land below ``min_tax_per_mu``; 环保不达标: pollution above
    ``pollution_factor`` × the park's emission quota (E4; ``inf`` without it). A park is judged on intensity once it has
    granted land and on the other two once it produces. 安全生产隐患 and 管理不善 are not modelled.
    """
    has_land = ind["intensity"] > 0
    producing = ind["output"] > 0
    pollution = ind["pollution_per_output"] * ind["output"]
    low_use = has_land & (ind["intensity"] < rule.low_use_factor * standard)
    poor = producing & (ind["tax_per_mu"] < rule.min_tax_per_mu)
    dirty = producing & (pollution > rule.pollution_factor * emission_quota)
    return low_use | poor | dirty


def may_expand(status: np.ndarray) -> np.ndarray:
    """V5 (003 十(四) 不支持其擴區、調區和升級): only parks under no sanction (and not revoked) expand."""
    return np.asarray(status) == ACTIVE


def _cut_area(model, p: int, granted: float, share: float, rule: str) -> None:
    """Cut ``share`` of park ``p``'s unbuilt area; ``granted`` is its land granted to live firms."""
    pk = model.parks
    before = pk.area[p]
    pk.area[p], pk.reusable[p] = land.cut_unbuilt(pk.area[p], granted, pk.reusable[p], share)
    model.tally["area_cut"] += before - pk.area[p]
    model.recorder.event("park_area_cut", rule, park=p, value=float(before - pk.area[p]))


def _adjust_plans(model, ranked, pct, ind) -> None:
    """V7 增、调、降、退 (002 四(六)): grow, re-declare, downgrade (降级: one level down, and the unbuilt
    area cut) or withdraw park plans."""
    pk, rule = model.parks, model.policy.V7
    granted = granted_by_park(model.firms, model.parks)
    built = np.divide(granted, pk.area, out=np.zeros(pk.n), where=pk.area > 0)
    standard = entry.intensity_standard(model.policy, pk.level)
    counts = park_sector_counts(model.firms, model.parks, model.sectors.n, model.firms.state != EXITED)
    for p in np.flatnonzero(pk.alive & (pk.status != REVOKED)):
        if counts[p].sum() == 0 and model.rules_year >= rule.period:
            pk.alive[p] = False                                               # 退
            model.recorder.event("park_withdrawn", "V7", park=int(p))
            continue
        if built[p] >= rule.grow_built_share and ranked[p] and pct[p] >= 0.5:   # 增
            expand_park(model, int(p), rule.grow_share, ind["intensity"][p], standard[p], "park_expanded", "V7")
        elif built[p] < rule.cut_built_share:                                  # 降
            if pk.level[p] > 0:
                pk.level[p] -= 1
                model.recorder.event("park_downgraded", "V7", park=int(p), value=float(pk.level[p]))
            _cut_area(model, int(p), granted[p], rule.cut_share, "V7")
        top = np.argsort(-counts[p], kind="stable")[: max(int(model.declared[p].sum()), 1)]  # 调
        model.declared[p] = False
        model.declared[p, top[counts[p, top] > 0]] = True


def reallocate_emissions(model, ind) -> None:
    """E4 (003 六(一) 將區域減排騰出的排污指標優先分配給能源消費存量削減量大的產業集聚區): each park keeps its
    base quota (``quota_per_mu`` × area, × the V3 bonus); the emissions the parks cut this year are
    the region's freed quota, shared among the parks by their cut in energy use (:func:`share_freed`)."""
    pk, pol = model.parks, model.policy
    now = ind["pollution_per_output"] * ind["output"]
    energy = park_sum(model.firms, model.parks, model.firms.energy, live_only=True)
    freed = float((np.maximum(pk.last_pollution - now, 0.0) * (pk.last_pollution > 0)).sum())
    energy_cut = np.maximum(pk.last_energy - energy, 0.0) * (pk.last_energy > 0)
    base = pol.E4.quota_per_mu * pk.area
    bonus = (1 + pol.V3.quota_bonus * pk.rewarded) if pol.V3.enabled else 1.0
    pk.emission_quota[:] = base * bonus + share_freed(freed, energy_cut)
    pk.last_energy[:] = energy


def share_freed(freed: float, energy_cut: np.ndarray) -> np.ndarray:
    """E4: the freed emission quota per park, in proportion to each park's cut in energy use
    (优先分配给能源消费存量削减量大的); nothing is handed out in a year no park cut its energy use."""
    total = energy_cut.sum()
    return freed * energy_cut / total if total > 0 else np.zeros_like(energy_cut)


def committed_emission(investment: np.ndarray, sector: np.ndarray, sectors) -> np.ndarray:
    """E4: emissions at design capacity of projects granted land but not yet producing, the same
    estimate a project's emissions are screened with when it enters (``investment.admit``)."""
    cls = sectors.pollution_class[sector]
    return (investment * sectors.output_per_investment[sector] * sectors.energy_per_output[sector]
            * CLASS_FACTOR[cls] * POLLUTION_SCALE)


def expand_park(model, p: int, share: float, intensity: float, standard: float, kind: str, rule: str) -> bool:
    """Add ``share`` of the area to park ``p`` if it is under no V5 sanction and E5 allows; L9 keeps
    only the industrial part."""
    if not may_expand(model.parks.status[p]):
        return False
    if not land.may_expand(model.policy, intensity, standard):
        model.tally["expansions_refused"] += 1
        return False
    asked = share * model.parks.area[p]
    added = land.added_industrial_area(model.policy, asked)
    model.parks.area[p] += added
    finance.sell_set_aside(model, p, asked - added)
    model.parks.expansions[p] += 1
    model.tally["area_added"] += added
    model.recorder.event(kind, rule, park=p, value=float(added))
    return True
