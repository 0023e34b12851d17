"""The policy: every rule of the rulebook (``shared/POLICY_RULES.md``) as a switch with parameters.

Each rule is a frozen record named by its rule id (``policy.E1``), whose docstring gives the rule,
the model's form of it and the seed clause it comes from. Every rule is off by default, so
``Policy()`` is the baseline with no policy at all. Seeds: 000 Nanyang 2009, 001 Chizhou 2015,
002 Xuchang 2012, 003 Henan 2017, 004 Lanzhou 2012.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from .errors import ConfigError
from .params import MAX_AREA_MU, MAX_FACTOR, MAX_INVESTMENT, MAX_PER_MU, MAX_UTILITY, build, param, validate

LEVELS = ("county", "city", "provincial", "national")
INDICATORS = ("output", "output_growth", "tax_per_mu", "intensity", "leading_share",
              "hightech_share", "employment", "pollution_per_output", "chain_completeness")


@dataclass(frozen=True)
class Rule:
    """A switchable rule; ``enabled`` turns its effect on."""

    enabled: bool = param(False)


# --- Land quota (用地指标) -------------------------------------------------------------------

@dataclass(frozen=True)
class L1(Rule):
    """L1 出城入园: manufacturing and service projects must locate in parks; outside ones get no quota.

    Model: the outside-park option leaves every project's choice set. Source: 000 §(十); 004 §(九), §(十七).
    """


@dataclass(frozen=True)
class L2(Rule):
    """L2 有限指标保重点、一般项目靠挖潜: key projects get quota first, general ones reuse existing land.

    Model: projects are served in order of investment tier; projects below ``county_key_min`` may only
    take reusable (recovered) land; projects of at least ``reserve_min`` may draw on a city reserve of
    ``reserve_share`` of the yearly quota. Source: 000 §(十七); 002 三(一)1, 三(四)1.
    """

    county_key_min: float = param(5000.0, 0, MAX_INVESTMENT, "万元")
    city_key_min: float = param(10000.0, 0, MAX_INVESTMENT, "万元")
    reserve_min: float = param(200000.0, 0, MAX_INVESTMENT, "万元")
    reserve_share: float = param(0.1, 0, 1, "share of yearly quota")


@dataclass(frozen=True)
class L3(Rule):
    """L3: each park is guaranteed a minimum yearly land quota. Source: 002 三(四)1."""

    min_mu: float = param(300.0, 0, MAX_AREA_MU, "mu per park per year")


@dataclass(frozen=True)
class L4(Rule):
    """L4: new quota tilted to parks with better evaluation; laggards on intensity have quota cut (核减).

    Model: the park share of quota is weighted by ``1 + tilt * score percentile`` of last year's
    evaluation (needs V1); parks whose mean investment intensity is below their E1 standard lose
    ``cut_share`` of their share. Source: 000 §(二十八); 001 四(六); 003 六(一); 004 §(十三).
    """

    tilt: float = param(2.0, 0, MAX_FACTOR, "weight per unit percentile")
    cut_share: float = param(0.5, 0, 1, "share of quota cut")


@dataclass(frozen=True)
class L5(Rule):
    """L5: one park's (batch) land application is capped at a share of the yearly plan. Source: 004 §(十三)."""

    max_share: float = param(0.3, 0, 1, "share of yearly quota")


@dataclass(frozen=True)
class L6(Rule):
    """L6: land is supplied in phases as the investor's funds arrive.

    Model: a project is granted ``1/phases`` of its land at entry and the rest when it starts
    producing; land of a project that fails before then is never supplied. Source: 004 §(十三).
    """

    phases: int = param(2, 1, 10, "phases")


@dataclass(frozen=True)
class L7(Rule):
    """L7: SMEs use multi-storey standard factories instead of separate land.

    Model: projects below ``sme_max_investment`` take ``floor_land_factor`` of the land they would
    need (the standard-factory footprint). Source: 000 §(十六); 001 四(六); 002 三(四)2.
    """

    sme_max_investment: float = param(3000.0, 0, MAX_INVESTMENT, "万元")
    floor_land_factor: float = param(0.35, 0, 1, "land share")


@dataclass(frozen=True)
class L8(Rule):
    """L8: land price discount for leading-industry, land-intensive projects: 15%-50% of the base price.

    Model: a project in its park's declared leading industry that meets its E1 standard pays between
    ``max_factor`` (at the standard) and ``min_factor`` (at twice the standard and above) of the base
    industrial land price. Source: 004 §(十三).
    """

    min_factor: float = param(0.15, 0, 1, "× base land price")
    max_factor: float = param(0.5, 0, 1, "× base land price")


@dataclass(frozen=True)
class L9(Rule):
    """L9: new parks and expansions keep industry : residential : public land = 1 : 1 : 1.

    Model: only ``industrial_share`` of any area added to a park is industrial land. Source: 001 四(五).
    """

    industrial_share: float = param(1 / 3, 0, 1, "share of added area")


@dataclass(frozen=True)
class L10(Rule):
    """L10 出城入园: existing industrial and logistics firms outside parks move into parks as whole firms.

    Model: each outside-park firm of a covered sector (industry and logistics) in a place whose city has
    an open park gets, with probability ``coverage``, one plan (一企一策) with a move year drawn within
    ``plan_years``; when due it moves, whole, to the best open park of its city with room (next year if
    none has room). Source: 004 §(十七) (采取"一企一策"…推动主城区各类工业企业、物流企业出城入园,实施整体搬迁).
    """

    plan_years: int = param(4, 1, 50, "years")
    coverage: float = param(1.0, 0, 1, "share of outside-park firms with a plan")


# --- Entry thresholds (入驻门槛) ----------------------------------------------------------------

@dataclass(frozen=True)
class E1(Rule):
    """E1: minimum investment intensity for entry, by park level. Source: 004 §(九) (250 / 150 万元/mu)."""

    national: float = param(250.0, 0, MAX_PER_MU, "万元/mu")
    provincial: float = param(150.0, 0, MAX_PER_MU, "万元/mu")
    city: float = param(150.0, 0, MAX_PER_MU, "万元/mu")
    county: float = param(150.0, 0, MAX_PER_MU, "万元/mu")

    def standard(self, level: str) -> float:
        """The threshold for a park level."""
        return getattr(self, level)


@dataclass(frozen=True)
class E2(Rule):
    """E2 五个原则: screen projects on five principles; admit those meeting ``min_principles``.

    Principles: fits national industrial policy (not pollution class III unless high-tech), major
    project (>= ``major_min``), leading (龙头) project, in the park's declared leading industry, meets
    the E1 intensity standard. Source: 002 四(四).
    """

    min_principles: int = param(3, 0, 5, "of 5")
    major_min: float = param(10000.0, 0, MAX_INVESTMENT, "万元")


@dataclass(frozen=True)
class E3(Rule):
    """E3: class-III (heavy-polluting) projects barred from parks inside urban planning areas.

    Elsewhere they need an ecological buffer: ``buffer_share`` extra land. Source: 000 §(十二), §(十九).
    """

    buffer_share: float = param(0.2, 0, 5, "extra land share")


@dataclass(frozen=True)
class E4(Rule):
    """E4: environmental entry: a project's emissions must fit the park's remaining emission quota.

    Each park's quota is ``quota_per_mu`` × area (pollution units); emission cuts free quota that
    goes first to the parks that cut most. Source: 003 六(一).
    """

    quota_per_mu: float = param(1.0, 0, 10_000.0, "pollution units per mu",
                                 doc="a firm emits at most a few units per mu: 10,000 is a quota no park can fill")


@dataclass(frozen=True)
class E5(Rule):
    """E5: a park may expand (扩区) only when its investment intensity meets its E1 standard.

    Source: 001 四(二); 003 十(二).
    """

    standard_factor: float = param(1.0, 0, MAX_FACTOR, "× E1 standard")


# --- Subsidies and funds (财政支持、专项资金) -------------------------------------------------

@dataclass(frozen=True)
class S1(Rule):
    """S1 以奖代补: a city special fund pays awards to projects once they produce.

    Model: ``rate`` of a project's investment, paid when it starts producing, from a yearly budget of
    ``budget`` growing by ``growth``; unpaid claims lapse. Source: 004 §(十五) (5000万元 a year).
    """

    budget: float = param(5000.0, 0, MAX_INVESTMENT, "万元/year")
    growth: float = param(0.1, -1, 1, "per year")
    rate: float = param(0.03, 0, 1, "share of investment")


@dataclass(frozen=True)
class S2(Rule):
    """S2: attraction funds first to major projects; leading firms and >=5亿 projects get one-to-one service.

    Model: major projects are paid first from the S1 fund, and their build-out is
    ``service_speedup`` years shorter. Source: 000 §(十一); 002 三(一)3.
    """

    major_min: float = param(50000.0, 0, MAX_INVESTMENT, "万元")
    service_speedup: int = param(1, 0, 5, "years")


@dataclass(frozen=True)
class S3(Rule):
    """S3: industrial funds first to the park's leading industries (S1 claims ordered). Source: 001 六(二)."""


@dataclass(frozen=True)
class S4(Rule):
    """S4: incremental tax above the base year is returned to the park for ``years`` years for infrastructure.

    Source: 004 §(十四) (5 years, 100% of the increment over the 2011 base).
    """

    years: int = param(5, 0, 100, "years")
    share: float = param(1.0, 0, 1, "share of increment")
    # The seed returns the 环比 (year-on-year) increase; "fixed" is the increase over the first year.
    base: str = param("previous_year", choices=("previous_year", "fixed"), unit="base of the increment")

    def __post_init__(self):
        if self.base not in ("previous_year", "fixed"):
            raise ConfigError("policy.S4.base", self.base, "one of previous_year, fixed")


@dataclass(frozen=True)
class S5(Rule):
    """S5: a park's land-sale income is spent on its own infrastructure. Source: 004 §(十三)."""

    share: float = param(1.0, 0, 1, "share of land income")


@dataclass(frozen=True)
class S6(Rule):
    """S6: high-tech firms and R&D centres get priority and ``bonus_rate`` extra award. Source: 000 §(十四); 004 §(十五)."""

    bonus_rate: float = param(0.02, 0, 1, "share of investment")


@dataclass(frozen=True)
class S7(Rule):
    """S7 有序招商: incentive offers are cleaned up to the standard, and projects outside a park's leading
    industries are passed to a fitting park with benefit-sharing (异地流转的利益共享).

    Model: each park's own offer (:mod:`parksim.simulation.competition`) may not price land below
    ``min_price_factor`` × base (L8's schedule still applies), subsidise more than ``max_subsidy`` of
    investment or return more than ``max_rebate`` of a firm's tax. A project whose best park does not
    declare its sector is passed to the parks of its choice set that do; the passing park receives
    ``tax_share`` of the firm's tax for ``share_years`` years. Source: 001 四(三) (清理规范招商引资优惠
    政策,避免招商项目恶性竞争;按主导产业定位异地流转的利益共享机制); 004 §(七) (引导招商引资有序、良性竞争).
    """

    # No discretionary land discount beyond L8's schedule, an own subsidy no larger than S1's published
    # award rate, and no tax returned to firms (国发〔2014〕62号 bars local tax rebates to firms).
    min_price_factor: float = param(1.0, 0, 1, "× base land price")
    max_subsidy: float = param(0.03, 0, 1, "share of investment")
    max_rebate: float = param(0.0, 0, 1, "share of the firm's tax")
    # Benefit-sharing of a passed project: half its tax for five years (a stated assumption: the
    # enclave and 异地流转 agreements of the 2010s split tax 50:50 or 40:60 for a fixed term).
    tax_share: float = param(0.5, 0, 1, "share of the firm's tax to the passing park")
    share_years: int = param(5, 0, 100, "years")


@dataclass(frozen=True)
class S8(Rule):
    """S8: each park's financing platform (投融资平台) takes the park's V3 awards and S4 tax returns as
    capital and borrows against that capital and the park's unsold land to build infrastructure.

    Model: debt may reach ``leverage`` × (capital + unsold area × minimum land price); each year the
    platform draws ``draw_share`` of its remaining room for infrastructure, pays ``interest_rate`` on
    its debt and repays it evenly over ``maturity`` years. Source: 002 三(五)1-2 (awards and returns
    injected as the platform's capital; it finances the park's construction); 003 九(四).
    """

    # LGFVs' asset-liability ratio: about 60 % on average in 2014-2017 (城投 bond issuers' accounts).
    leverage: float = param(0.6, 0, 1, "debt / (capital + land assets)")
    # 城投债 yields were about 4-7 % in 2012-2017 (AA-rated urban-investment bond yields); a midpoint.
    interest_rate: float = param(0.06, 0, 0.3, "per year")
    # 城投债 mostly run 5-7 years with principal repaid in instalments over the life of the bond.
    maturity: int = param(5, 1, 50, "years")
    # A platform does not borrow all its room at once: a third a year (stated assumption).
    draw_share: float = param(0.3, 0, 1, "share of remaining debt room drawn a year")


# --- Evaluation, reward and elimination (考核、奖优汰劣、有升有退) ---------------------------------

def _default_weights() -> dict:
    return {"output": 0.2, "output_growth": 0.1, "tax_per_mu": 0.2, "intensity": 0.15,
            "leading_share": 0.1, "hightech_share": 0.1, "employment": 0.05,
            "pollution_per_output": 0.05, "chain_completeness": 0.05}


@dataclass(frozen=True)
class V1(Rule):
    """V1: yearly evaluation and ranking of parks on weighted indicators.

    Each indicator is turned into a percentile across parks (pollution per output reversed) and the
    score is the weighted sum; weights must add up to 1. Source: 000 §(二十九); 004 §(二十二).
    """

    weights: dict = field(default_factory=_default_weights)


@dataclass(frozen=True)
class V2(Rule):
    """V2: parks without a single project of at least ``mega_min`` are not eligible for "excellent".

    Monthly bulletins and quarterly reviews fold into the yearly step. Source: 002 四(七).
    """

    mega_min: float = param(200000.0, 0, MAX_INVESTMENT, "万元")


@dataclass(frozen=True)
class V3(Rule):
    """V3: the best ``top_share`` of parks get priority in land quota, emission quota and funds.

    Model: ×(1 + ``quota_bonus``) quota weight and emission quota next year, plus ``award`` 万元 for
    infrastructure. Source: 000 §(二十八); 001 六(二).
    """

    top_share: float = param(0.2, 0, 1, "share of parks")
    quota_bonus: float = param(0.5, 0, MAX_FACTOR, "extra weight")
    award: float = param(2000.0, 0, MAX_INVESTMENT, "万元")


@dataclass(frozen=True)
class V4(Rule):
    """V4: a park in the bottom ``bottom_share`` and growing slowly ``years`` years running loses its status.

    Model: "slow" is output growth below the median; a revoked park gets no quota, entries or
    preferential treatment. Source: 000 §(二十八).
    """

    bottom_share: float = param(0.1, 0, 1, "share of parks")
    years: int = param(2, 1, 20, "consecutive years")


@dataclass(frozen=True)
class V5(Rule):
    """V5 有升有退: graded sanctions warning → notice → deadline → area cut → revocation; good parks upgraded.

    Each year in the bottom ``bottom_share`` moves a park one step up the ladder, a year outside it one
    step down; at "area cut" ``area_cut_share`` of its unbuilt area is removed. Parks in the top
    ``top_share`` for ``upgrade_years`` years go up one level and get ``expansion_share`` more area.
    Source: 003 十(四); 000 §(二十一).
    """

    bottom_share: float = param(0.1, 0, 1, "share of parks")
    area_cut_share: float = param(0.2, 0, 1, "share of unbuilt area")
    top_share: float = param(0.1, 0, 1, "share of parks")
    upgrade_years: int = param(3, 1, 20, "consecutive years")
    expansion_share: float = param(0.2, 0, 5, "share of area")


@dataclass(frozen=True)
class V6(Rule):
    """V6 亩均论英雄: firms classed A-D by tax per mu, with differentiated factor prices.

    Model: class D (tax per mu below ``class_c_min``) pays ``d_surcharge`` of output more for power,
    water and credit; class A (at least ``class_a_min``) gets ``a_discount``. Source: 003 六(一).
    """

    class_a_min: float = param(30.0, 0, MAX_PER_MU, "万元/mu tax")
    class_b_min: float = param(15.0, 0, MAX_PER_MU, "万元/mu tax")
    class_c_min: float = param(5.0, 0, MAX_PER_MU, "万元/mu tax")
    d_surcharge: float = param(0.04, 0, 1, "share of output")
    a_discount: float = param(0.01, 0, 1, "share of output")


@dataclass(frozen=True)
class V7(Rule):
    """V7 增、调、降、退: every ``period`` years park plans are adjusted province-wide.

    Model: parks with built share above ``grow_built_share`` and a top-half score gain
    ``grow_share`` area (增); parks below ``cut_built_share`` lose ``cut_share`` of unbuilt area (降);
    all re-declare leading industries to their actual largest sectors (调); an empty park is withdrawn
    (退). Source: 002 四(六).
    """

    period: int = param(3, 1, 20, "years")
    grow_built_share: float = param(0.8, 0, 1, "share")
    grow_share: float = param(0.15, 0, 5, "share of area")
    cut_built_share: float = param(0.3, 0, 1, "share")
    cut_share: float = param(0.3, 0, 1, "share of unbuilt area")


# --- Idle land and exit (闲置土地、腾笼换鸟) ----------------------------------------------------

@dataclass(frozen=True)
class X1(Rule):
    """X1: land idle ``idle_years`` or more after the grant is taken back. Source: 000 §(十八)."""

    idle_years: int = param(2, 1, 20, "years")


@dataclass(frozen=True)
class X2(Rule):
    """X2: build-out deadlines after land supply.

    Unstarted after ``fee_years`` → idle-land fee of ``fee_rate`` × land value a year; unstarted after
    ``takeback_years`` → land taken back; ``capacity_years`` after supply a producer below
    ``min_capacity`` of design capacity loses its unused land. Source: 004 §(九) (1 y / 25% / 2 y / 70%).
    """

    fee_years: int = param(1, 0, 20, "years")
    fee_rate: float = param(0.2, 0, 1, "× land value per year")
    takeback_years: int = param(2, 1, 20, "years")
    capacity_years: int = param(2, 1, 20, "years")
    min_capacity: float = param(0.7, 0, 1, "share of design capacity")


@dataclass(frozen=True)
class X3(Rule):
    """X3 腾笼换鸟: land of firms below ``tax_per_mu_min`` for ``years`` years is bought back.

    Source: 000 §(十八); 003 六(三).
    """

    tax_per_mu_min: float = param(5.0, 0, MAX_PER_MU, "万元/mu")
    years: int = param(3, 1, 20, "consecutive years")


@dataclass(frozen=True)
class X4(Rule):
    """X4: stopped firms and stalled projects are resolved within the year and their land reused.

    Without it a stopped firm's land stays locked for the world's ``bankruptcy_years``. Source: 003 六(三).
    """


@dataclass(frozen=True)
class X5(Rule):
    """X5: energy dual control: a total cap growing ``cap_growth`` a year; worst class-III polluters exit above it.

    Source: 001 四(六).
    """

    cap_growth: float = param(0.02, -1, 1, "per year")


# --- Industry structure and chains (主导产业、产业链、集群) -----------------------------------------

@dataclass(frozen=True)
class C1(Rule):
    """C1: parks declare at most ``max_national`` / ``max_other`` leading industries and promote them.

    Model: declared lists are trimmed to the cap and projects in a declared industry of a park get
    the world's ``beta_declared`` utility. Source: 004 §(八); 001 四(三); 002 三(一).
    """

    max_national: int = param(5, 1, 30, "industries")
    max_other: int = param(3, 1, 30, "industries")


@dataclass(frozen=True)
class C2(Rule):
    """C2: while a park's leading-industry share is below ``target``, it admits only leading-industry projects.

    Source: 004 §(八) (70%); 001 三 (60-63%); 003 四(一) (50%).
    """

    target: float = param(0.7, 0, 1, "share of park output")


@dataclass(frozen=True)
class C3(Rule):
    """C3 领军企业—产业链—产业集群: leading firms draw their upstream and downstream sectors.

    Model: each producing leading firm adds ``chain_pull`` × IO link to the utility of its park for
    linked sectors and brings ``induced_projects`` extra projects a year in linked sectors
    (以商招商). Source: 001 二, 四(三); 000 §(十); 003 七(一).
    """

    chain_pull: float = param(5.0, 0, MAX_UTILITY, "utility per IO coefficient")
    induced_projects: float = param(0.5, 0, 20, "projects per leading firm per year")


@dataclass(frozen=True)
class C4(Rule):
    """C4: same-type firms guided into the same park; parks avoid homogeneous competition (错位发展).

    Model: ``strength`` × the park's share of the sector adds to utility; when declaring, a park skips
    sectors already declared by ``max_parks_per_sector`` parks. Source: 000 §(十); 004 §(九); 001 一.
    """

    strength: float = param(2.0, 0, MAX_UTILITY, "utility")
    max_parks_per_sector: int = param(3, 1, 10000, "parks")


@dataclass(frozen=True)
class C5(Rule):
    """C5 四个一: each park one leading industry, one leading firm, one >=20亿 project, one cluster a year.

    Model: each park declares one leading industry; parks without a mega project get ``mega_bonus``
    utility for mega and leading projects. Source: 002 三(一).
    """

    mega_min: float = param(200000.0, 0, MAX_INVESTMENT, "万元")
    mega_bonus: float = param(1.5, 0, MAX_UTILITY, "utility")


@dataclass(frozen=True)
class C6(Rule):
    """C6: circular economy: firms linked to a same-park partner reuse by-products.

    Model: such firms save ``cost_saving`` of output and emit ``pollution_cut`` less. Source: 000 §(二十); 004 §(八); 003 六(二).
    """

    cost_saving: float = param(0.02, 0, 1, "share of output")
    pollution_cut: float = param(0.25, 0, 1, "share")


@dataclass(frozen=True)
class C7(Rule):
    """C7: consolidation: no new zones; small parks of a city merge into its largest, at most ``max_blocks``.

    Model: at the start, parks below ``small_mu`` merge into the largest park of their city while it
    has fewer than ``max_blocks`` blocks, and the world's new-park creation stops. Source: 001 四(二); 003 二(一).
    """

    max_blocks: int = param(3, 1, 100, "blocks")
    small_mu: float = param(3000.0, 0, MAX_AREA_MU, "mu")


RULE_IDS = ("L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8", "L9", "L10", "E1", "E2", "E3", "E4", "E5",
            "S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "V1", "V2", "V3", "V4", "V5", "V6", "V7",
            "X1", "X2", "X3", "X4", "X5", "C1", "C2", "C3", "C4", "C5", "C6", "C7")
RULES: dict[str, type[Rule]] = {rid: globals()[rid] for rid in RULE_IDS}
NEEDS_EVALUATION = ("L4", "V2", "V3", "V4", "V5", "V7")


@dataclass(frozen=True)
class Policy:
    """One value per rule id; build with :meth:`from_dict` or change with :meth:`set`."""

    L1: L1 = field(default_factory=L1)
    L2: L2 = field(default_factory=L2)
    L3: L3 = field(default_factory=L3)
    L4: L4 = field(default_factory=L4)
    L5: L5 = field(default_factory=L5)
    L6: L6 = field(default_factory=L6)
    L7: L7 = field(default_factory=L7)
    L8: L8 = field(default_factory=L8)
    L9: L9 = field(default_factory=L9)
    L10: L10 = field(default_factory=L10)
    E1: E1 = field(default_factory=E1)
    E2: E2 = field(default_factory=E2)
    E3: E3 = field(default_factory=E3)
    E4: E4 = field(default_factory=E4)
    E5: E5 = field(default_factory=E5)
    S1: S1 = field(default_factory=S1)
    S2: S2 = field(default_factory=S2)
    S3: S3 = field(default_factory=S3)
    S4: S4 = field(default_factory=S4)
    S5: S5 = field(default_factory=S5)
    S6: S6 = field(default_factory=S6)
    S7: S7 = field(default_factory=S7)
    S8: S8 = field(default_factory=S8)
    V1: V1 = field(default_factory=V1)
    V2: V2 = field(default_factory=V2)
    V3: V3 = field(default_factory=V3)
    V4: V4 = field(default_factory=V4)
    V5: V5 = field(default_factory=V5)
    V6: V6 = field(default_factory=V6)
    V7: V7 = field(default_factory=V7)
    X1: X1 = field(default_factory=X1)
    X2: X2 = field(default_factory=X2)
    X3: X3 = field(default_factory=X3)
    X4: X4 = field(default_factory=X4)
    X5: X5 = field(default_factory=X5)
    C1: C1 = field(default_factory=C1)
    C2: C2 = field(default_factory=C2)
    C3: C3 = field(default_factory=C3)
    C4: C4 = field(default_factory=C4)
    C5: C5 = field(default_factory=C5)
    C6: C6 = field(default_factory=C6)
    C7: C7 = field(default_factory=C7)

    def __post_init__(self):
        for rid in RULE_IDS:
            validate(getattr(self, rid), f"policy.{rid}")
        _check_weights(self.V1.weights)
        _check_pairs(self)

    @classmethod
    def from_dict(cls, rules: dict, prefix: str = "policy") -> Policy:
        """Build from ``{rule_id: {param: value}}``; unknown ids or parameters are errors."""
        if not isinstance(rules, dict):
            raise ConfigError(prefix, rules, "a table keyed by rule id")
        built = {}
        for rid, values in rules.items():
            if rid not in RULES:
                raise ConfigError(f"{prefix}.{rid}", values, "a rule id: " + ", ".join(RULE_IDS))
            built[rid] = _build_rule(rid, values, f"{prefix}.{rid}")
        return cls(**built)

    def set(self, rid: str, **values) -> Policy:
        """A copy with rule ``rid`` changed (``enabled=True`` and/or parameters)."""
        current = dataclasses.asdict(getattr(self, rid))
        current.update(values)
        return dataclasses.replace(self, **{rid: _build_rule(rid, current, f"policy.{rid}")})

    def __getitem__(self, rid: str) -> Rule:
        return getattr(self, rid)

    def enabled_rules(self) -> tuple[str, ...]:
        """Rule ids that are switched on."""
        return tuple(rid for rid in RULE_IDS if self[rid].enabled)

    def to_dict(self) -> dict:
        """Plain nested mapping ``{rule_id: {param: value}}`` (for manifests and reports)."""
        return {rid: dataclasses.asdict(self[rid]) for rid in RULE_IDS}


def _build_rule(rid: str, values, where: str) -> Rule:
    """One rule record from its parameter table (V1's indicator weights checked separately)."""
    if rid != "V1" or not isinstance(values, dict):
        return build(RULES[rid], values, where)
    values = dict(values)
    weights = values.pop("weights", None)
    record = build(V1, values, where)
    if weights is None:
        return record
    _check_weights(weights, f"{where}.weights")
    return dataclasses.replace(record, weights=dict(weights))


def _check_weights(weights, where: str = "policy.V1.weights") -> None:
    if not isinstance(weights, dict) or not weights:
        raise ConfigError(where, weights, "a table of indicator weights")
    for key, w in weights.items():
        if key not in INDICATORS:
            raise ConfigError(f"{where}.{key}", w, "an indicator: " + ", ".join(INDICATORS))
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not (math.isfinite(w) and w >= 0):
            raise ConfigError(f"{where}.{key}", w, "a finite number >= 0")
    total = sum(weights.values())
    if abs(total - 1.0) > 1e-6:
        raise ConfigError(where, weights, f"weights adding up to 1 (they add up to {total:g})")


def _check_pairs(p: Policy) -> None:
    """Cross-parameter checks: orderings and rules that consume the evaluation."""
    if p.L8.min_factor > p.L8.max_factor:
        raise ConfigError("policy.L8.min_factor", p.L8.min_factor, f"<= max_factor ({p.L8.max_factor})")
    if not p.V6.class_c_min <= p.V6.class_b_min <= p.V6.class_a_min:
        raise ConfigError("policy.V6", (p.V6.class_c_min, p.V6.class_b_min, p.V6.class_a_min),
                          "class_c_min <= class_b_min <= class_a_min")
    if not p.L2.county_key_min <= p.L2.city_key_min <= p.L2.reserve_min:
        raise ConfigError("policy.L2", (p.L2.county_key_min, p.L2.city_key_min, p.L2.reserve_min),
                          "county_key_min <= city_key_min <= reserve_min")
    for rid in NEEDS_EVALUATION:
        if p[rid].enabled and not p.V1.enabled:
            raise ConfigError(f"policy.{rid}.enabled", True, f"true only with V1 (evaluation) on: {rid} uses the ranking")
