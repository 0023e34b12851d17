"""Land quota and land supply (用地指标, L1-L9) and the park-area changes that go with them (E5, L9).

The government splits its yearly construction-land quota (:func:`allocate_quota`); the
:class:`LandLedger` then serves projects one at a time in priority order, drawing first on a park's
reusable (recovered or reclaimed) land, then on quota: the park's own, the common pool (under L2
city key projects only: :class:`TieredLedger`), and for the largest projects the city reserve (L2).
Land granted never exceeds a park's area.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from .policy import Policy


def allocate_quota(policy: Policy, total: float, greenfield: np.ndarray, open_park: np.ndarray,
                   score_pct: np.ndarray, below_standard: np.ndarray, rewarded: np.ndarray,
                   level_weight: np.ndarray | None = None, listed_share: float = 0.0) -> tuple[np.ndarray, float, float]:
    """Split the yearly quota into per-park quotas, a common pool and a city reserve.

    L2 reserves ``reserve_share`` for ≥20亿 projects (002 三(四)1); L3 guarantees each open park
    ``min_mu`` (002 三(四)1); then ``listed_share`` of what is left is listed park by park (计划单列,
    004 §(十三)) in proportion to ``level_weight`` (the designation package). Of the rest a common pool
    stays with the city: under L2 ``city_share`` for city key projects (000 §(十七) 市级重点项目由市在省切块
    安排的计划指标中优先安排), else under L4 ``pool_share`` for projects from any park (004 §(十三)
    特殊用地在全市范围内调剂解决). The remainder is sliced park by park: under L4 by evaluation
    percentile, cut for parks below their intensity standard (000 §(二十八); 004 §(十三)); under L2
    alone by greenfield room (the county plans, 县(市、区)计划指标). V3 adds weight for rewarded
    parks (000 §(二十八) 在增量土地指标…上优先支持). Without L2 or L4 the rest is a first-come common
    pool. No park gets more than its greenfield room. Returns (park quota, pool, reserve), all in mu.
    """
    room = np.where(open_park, greenfield, 0.0)
    reserve = policy.L2.reserve_share * total if policy.L2.enabled else 0.0
    rest = total - reserve
    quota = np.zeros_like(room)
    if policy.L3.enabled:
        quota = np.minimum(room, policy.L3.min_mu)
        scale = min(1.0, rest / quota.sum()) if quota.sum() > 0 else 1.0
        quota *= scale
        rest -= quota.sum()
    if listed_share > 0 and level_weight is not None:
        weight = np.where(room > quota, level_weight, 0.0)
        if weight.sum() > 0:
            listed = np.minimum(listed_share * rest * weight / weight.sum(), room - quota)
            quota += listed
            rest -= listed.sum()
    bonus = 1.0 + (policy.V3.quota_bonus * rewarded if policy.V3.enabled else 0.0)
    sliced = (1.0 - policy.L2.city_share) * rest if policy.L2.enabled else \
        (1.0 - policy.L4.pool_share) * rest if policy.L4.enabled else 0.0
    if policy.L4.enabled:
        weight = (1.0 + policy.L4.tilt * score_pct) * (1.0 - policy.L4.cut_share * below_standard) * bonus
    else:
        weight = room * bonus
    weight = np.where(room > quota, weight, 0.0)
    if sliced > 0 and weight.sum() > 0:
        quota += np.minimum(sliced * weight / weight.sum(), room - quota)
        rest = total - reserve - quota.sum()
    elif policy.V3.enabled and rewarded.any():
        extra = np.minimum(policy.V3.quota_bonus * rest / max(open_park.sum(), 1) * rewarded, room - quota)
        quota += extra
        rest -= extra.sum()
    return quota, max(rest, 0.0), reserve


def live_percentile(rank: np.ndarray, live: np.ndarray) -> np.ndarray:
    """L4: last year's evaluation as a percentile among the ranked parks still open (1 best, 0 worst;
    0 for the others), so that withdrawn, merged or revoked parks do not stretch the scale."""
    ranked = (rank > 0) & live
    m = int(ranked.sum())
    pct = np.zeros(len(rank))
    order = np.argsort(np.argsort(rank[ranked], kind="stable"), kind="stable")     # 0 = best
    pct[ranked] = (m - 1 - order) / max(m - 1, 1)
    return pct


def reclaimed_land(policy: Policy, total: float, greenfield: np.ndarray, open_park: np.ndarray) -> np.ndarray:
    """L2 一般项目靠挖潜 (000 §(八)): land reclaimed this year (空心村、砖瓦窑、工矿废弃地整治、迁村并点),
    ``reclaim_share`` of the yearly quota, outside it, in the open parks by their greenfield room. It
    joins the parks' reusable stock, which general projects may take."""
    if not policy.L2.enabled:
        return np.zeros_like(greenfield)
    room = np.where(open_park, greenfield, 0.0)
    if room.sum() <= 0:
        return np.zeros_like(greenfield)
    return np.minimum(policy.L2.reclaim_share * total * room / room.sum(), room)
def off_quota_land(policy: Policy, total: float, quota: np.ndarray, greenfield: np.ndarray,
                   open_park: np.ndarray) -> tuple[np.ndarray, float]:
    """L11 (004 §(十三); 002 三(四)1): this year's land outside the yearly quota, parks first.

    ``supply_share`` × ``total`` mu of reclaimed and linkage (增减挂钩) land, not counted in the plan,
    is split among open parks in proportion to their greenfield room beyond their quota; what no park
    can hold goes to the common pool. Returns (extra mu per park, mu to the pool).
    """
    extra = np.zeros_like(quota)
    if not policy.L11.enabled:
        return extra, 0.0
    supply = policy.L11.supply_share * total
    room = np.where(open_park, np.maximum(greenfield - quota, 0.0), 0.0)
    if room.sum() > 0:
        extra = room * min(1.0, supply / room.sum())
    return extra, supply - float(extra.sum())


class LandLedger:
    """This year's land on offer, drawn down grant by grant.

    The per-park stocks are arrays (``quota``, ``greenfield``, ``reusable``, ``emission_room``,
    ``used``: new quota drawn, ``reused``: reusable land re-granted), except inside
    :meth:`on_scalars`, where the sequential allocation asks one park at a time ~10^5 times a year.
    """

    STOCKS = ("quota", "greenfield", "reusable", "emission_room", "used", "reused")

    def __init__(self, policy: Policy, total: float, quota: np.ndarray, pool: float, reserve: float,
                 greenfield: np.ndarray, reusable: np.ndarray, emission_room: np.ndarray):
        self.policy = policy
        self.plan = total                          # the yearly plan (L5 caps batches at a share of it)
        self.quota, self.pool, self.reserve = quota.copy(), pool, reserve
        self.greenfield, self.reusable = greenfield.copy(), reusable.copy()
        self.emission_room = emission_room.copy()
        self.used = np.zeros_like(quota)           # new quota drawn per park
        self.reused = np.zeros_like(quota)         # reusable land re-granted per park
        # The rule switches and thresholds grant() reads, looked up once: it runs ~10^5 times a year.
        self._e4, self._l2 = policy.E4.enabled, policy.L2.enabled
        self._county_key_min, self._reserve_min = policy.L2.county_key_min, policy.L2.reserve_min
        self._city_key_min = policy.L2.city_key_min

    @contextmanager
    def on_scalars(self):
        """The stocks as Python lists of floats while the block runs (one :meth:`room_of` and
        :meth:`grant` after another: a numpy scalar costs several times more per access than a
        float), arrays again after it. :meth:`room` needs the arrays."""
        for name in self.STOCKS:
            setattr(self, name, getattr(self, name).tolist())
        try:
            yield self
        finally:
            for name in self.STOCKS:
                setattr(self, name, np.array(getattr(self, name), float))

    def room(self, parks) -> np.ndarray:
        """Most land each of ``parks`` (indices, a mask or a slice) could still grant one project:
        O(len(parks)), so a project choosing among a sampled set need not look at every park."""
        quota = self.quota[parks] + self.pool + self.reserve
        return self.reusable[parks] + np.minimum(self.greenfield[parks], quota)

    def room_of(self, park: int) -> float:
        """:meth:`room` of one park, or the pool for a site outside parks (``park`` -1). Here and in
        :meth:`grant` ``min(a, b)`` is spelt ``b if b < a else a`` (the same value, no call)."""
        if park < 0:
            return self.pool
        quota, green = self.quota[park] + self.pool + self.reserve, self.greenfield[park]
        return self.reusable[park] + (quota if quota < green else green)

    def grant(self, park: int, need: float, investment: float, emission: float) -> bool:
        """Grant ``need`` mu in ``park`` (-1 = outside any park) if the rules and stocks allow."""
        if park < 0:
            if self.pool >= need:
                self.pool -= need
                return True
            return False
        if self._e4 and emission > self.emission_room[park]:
            return False
        reusable = self.reusable[park]
        from_reuse = reusable if reusable < need else need
        new = need - from_reuse
        if new > 0:
            if self._l2 and investment < self._county_key_min:
                return False           # general projects rely on reused land (一般项目靠挖潜)
            if new > self.greenfield[park]:
                return False
            quota = self.quota[park]
            own = quota if quota < new else new
            reserve_ok = self._l2 and investment >= self._reserve_min
            short = new - own
            if short > self.pool + (self.reserve if reserve_ok else 0.0):
                return False
            from_pool = self.pool if self.pool < short else short
            self.pool -= from_pool
            self.reserve -= short - from_pool
            self.quota[park] -= own
            self.greenfield[park] -= new
            self.used[park] += new
        self.reusable[park] -= from_reuse
        self.reused[park] += from_reuse
        self.emission_room[park] -= emission
        return True


class TieredLedger(LandLedger):
    """The :class:`LandLedger` with L2's city tier: only city key projects (at least ``city_key_min``)
    draw on the city's common pool (000 §(十七) 市级重点项目由市在省切块安排的计划指标中优先安排); county
    key projects take their park's quota (and the reserve, if large enough), general ones 挖潜."""

    def grant(self, park: int, need: float, investment: float, emission: float) -> bool:
        if park < 0 or not self._l2 or investment >= self._city_key_min:
            return LandLedger.grant(self, park, need, investment, emission)
        pool, self.pool = self.pool, 0.0
        try:
            return LandLedger.grant(self, park, need, investment, emission)
        finally:
            self.pool += pool


def batch_cap(policy: Policy, total: float, area: np.ndarray, place: np.ndarray, open_park: np.ndarray) -> np.ndarray:
    """L5 (004 §(十三) 园区批次用地可按不超过当地年度用地计划的30%申报): the most land one batch
    application of each park may carry, ``max_share`` × the yearly plan of the park's place (当地: its
    county). A place's plan is the yearly quota ``total`` shared in proportion to its open parks' area
    (the land the county plans to convert; the parks' own slices are part of it, 计划单列). A batch is
    one project's grant. Inf when off.
    """
    if not policy.L5.enabled:
        return np.full(len(area), np.inf)
    weight = np.where(open_park, area, 0.0)
    local = np.bincount(place, weights=weight, minlength=int(place.max(initial=-1)) + 1)[place]
    return policy.L5.max_share * total * local / max(weight.sum(), 1e-12)


def land_need(policy: Policy, investment: np.ndarray, intensity: np.ndarray,
              pollution_class: np.ndarray) -> np.ndarray:
    """Mu a project asks for: investment / intensity, more for class-III buffers (E3). (L7 tenants of
    standard factories take none: ``factories.renting``.)"""
    need = investment / intensity
    if policy.E3.enabled:
        need = np.where(pollution_class >= 3, need * (1.0 + policy.E3.buffer_share), need)
    return need


def first_phase(policy: Policy, need: np.ndarray) -> np.ndarray:
    """L6 (004 §(十三)): the share of land supplied at entry; the rest follows when the firm produces."""
    return need / policy.L6.phases if policy.L6.enabled else need


def added_industrial_area(policy: Policy, added: float) -> float:
    """L9 (001 四(五)): only a third (``industrial_share``) of an expansion is industrial land."""
    return added * policy.L9.industrial_share if policy.L9.enabled else added


def may_expand(policy: Policy, intensity: float, standard: float) -> bool:
    """E5 (001 四(二); 003 十(二)): expansion only when the park's intensity meets the standard."""
    return not policy.E5.enabled or intensity >= policy.E5.standard_factor * standard


def cut_unbuilt(area: float, granted: float, reusable: float, share: float) -> tuple[float, float]:
    """Remove ``share`` of a park's ungranted area (greenfield first, then reusable land).

    Returns the new (area, reusable)."""
    unbuilt = area - granted
    cut = share * unbuilt
    green = unbuilt - reusable
    from_reuse = max(0.0, cut - green)
    return area - cut, reusable - from_reuse
