"""The policy: every rule of the rulebook (``shared/POLICY_RULES.md``) as a switch with parameters.

Each rule is a frozen record named by its rule id (``policy.E1``), whose docstring gives the rule,
the model's form of it and the seed clause it comes from. Every rule is off by default, so
``Policy()`` is the baseline with no policy at all. Seeds: 000 Nanyang 2009, 001 Chizhou 2015,
002 Xuchang 2012, 003 Henan 2017, 004 Lanzhou 2012.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from dataclasses import dataclass, field

from .errors import ConfigError
from .params import MAX_AREA_MU, MAX_FACTOR, MAX_INVESTMENT, MAX_PER_MU, MAX_UTILITY, build, param, validate

LEVELS = ("county", "city", "provincial", "national")
INDICATORS = ("output", "output_growth", "tax_per_mu", "intensity", "leading_share",
              "hightech_share", "employment", "pollution_per_output", "chain_completeness",
              "investment_attracted", "openness", "tfp", "circular_share", "debt_per_mu")


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

    Model: projects are served in order of investment tier. Projects of at least ``reserve_min`` may
    draw on a city reserve of ``reserve_share`` of the yearly quota; of at least ``city_key_min``, on
    the city's pool (``city_share`` of the rest, 市级重点项目由市…优先安排); of at least ``county_key_min``,
    on their park's slice (县(市、区)计划指标). Projects below ``county_key_min`` only 挖潜: reusable
    land, recovered inside parks or reclaimed (``reclaim_share`` × the yearly quota a year, outside it,
    000 §(八)). Source: 000 §(八), §(十七); 002 三(一)1, 三(四)1.
    """

    county_key_min: float = param(5000.0, 0, MAX_INVESTMENT, "万元")
    city_key_min: float = param(10000.0, 0, MAX_INVESTMENT, "万元")
    reserve_min: float = param(200000.0, 0, MAX_INVESTMENT, "万元")
    reserve_share: float = param(0.1, 0, 1, "share of yearly quota")
    # --- gaps (issue 12 §1.3): the city tier and 挖潜 of reclaimed land
    city_share: float = param(0.3, 0, 1, "share of quota after the reserve",
                              doc="the city's own pool for city key projects (000 §(十七)); no document gives "
                                  "it: 30 % is L5's cap on one batch, so the pool can serve one such batch")
    reclaim_share: float = param(0.1, 0, 5, "× yearly quota",
                                 doc="land reclaimed a year (000 §(八)) outside the quota; no document gives "
                                     "a figure: assumed as large as the L2 reserve")


@dataclass(frozen=True)
class L3(Rule):
    """L3: each park is guaranteed a minimum yearly land quota. Source: 002 三(四)1."""

    min_mu: float = param(300.0, 0, MAX_AREA_MU, "mu per park per year")


@dataclass(frozen=True)
class L4(Rule):
    """L4: new quota tilted to parks with better evaluation; laggards on intensity have quota cut (核减).

    Model: ``pool_share`` of the quota stays a common pool (L2's ``city_share`` instead when L2 is on);
    the park slices of the rest are weighted by ``1 + tilt * score percentile`` of last year's
    evaluation among the parks still open (needs V1); parks whose mean investment intensity is below
    their E1 standard lose ``cut_share`` of their share. Source: 000 §(二十八); 001 四(六); 003 六(一);
    004 §(十三).
    """

    tilt: float = param(2.0, 0, MAX_FACTOR, "weight per unit percentile")
    cut_share: float = param(0.5, 0, 1, "share of quota cut")
    # --- gaps (issue 12 §1.4): the common pool kept beside the tilted slices
    pool_share: float = param(0.3, 0, 1, "share of quota after reserve, L3 and listing",
                              doc="调剂 land kept city-wide (004 §(十三) 特殊用地在全市范围内调剂解决); no "
                                  "figure given: the same 30 % as L2's city pool")


@dataclass(frozen=True)
class L5(Rule):
    """L5: one batch land application of a park is capped at ``max_share`` of the local yearly plan.

    Model (``land.batch_cap``): a batch is one project's grant; the local plan is the yearly quota
    shared among places (counties) by their open parks' area; land of a grant above the cap waits for
    the project's next phase (L6's, when it produces). Source: 004 §(十三) 园区批次用地可按不超过当地年度用地计划的30%申报.
    """

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
    """L7: parks build multi-storey standard factories and rent the floor to SMEs, who take no land.

    Model (``factories.py``): each open park whose vacant floor is below ``build_m2`` builds
    ``build_m2`` a year on land granted like a key project's (at ``floor_area_ratio``); a project below
    ``sme_max_investment`` in a park with floor vacant rents ``floor_per_mu`` m² per mu it would have
    needed instead of taking land, and pays ``rent`` a year to the park. Source: 002 三(四)2
    (力争新建150万平方米以上多层标准厂房); 001 四(六) (原则上不再单独供地); 000 §(十六).
    """

    sme_max_investment: float = param(3000.0, 0, MAX_INVESTMENT, "万元")
    build_m2: float = param(150000.0, 0, 1e8, "m² per park per year",
                            doc="002 三(四)2: 150万 m² in one year across Xuchang's ten or so 产业集聚区")
    floor_area_ratio: float = param(1.5, 0.1, 10, "m² floor per m² land",
                                    doc="3 storeys or more (3层及以上) at about half site cover")
    floor_per_mu: float = param(533.0, 0, 10_000.0, "m² floor per mu of own land",
                                doc="an own plant at plot ratio 0.8 (the usual 容积率 floor of the control indicators)")
    rent: float = param(0.01, 0, 10, "万元 per m² a year",
                        doc="assumed: about 8 元/m² a month, a county-town standard-factory rent")
    build_cost: float = param(0.15, 0, 10, "万元 per m² of floor built",
                              doc="assumed: about 1,500 元/m², a multi-storey steel-frame plant in a "
                                  "central-China county in the 2010s, paid by the park (finance.py)")


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


@dataclass(frozen=True)
class L11(Rule):
    """L11 计划外用地: land outside the yearly quota is a second land source, going first to parks.

    Land reclaimed from barren hills and slopes (荒山荒坡未利用土地) does not count against the yearly
    plan, and land freed by 城乡建设用地增减挂钩 goes mainly to the parks. Model: each year
    ``supply_share`` × the yearly quota of off-quota land is split among open parks in proportion to
    their greenfield room left after their quota; what the parks cannot hold joins the common pool.
    Source: 004 §(十三) (鼓励园区开发荒山荒坡未利用土地,对取得的新增用地,不占用年度土地计划指标);
    002 三(四)1 (城乡建设用地增减挂钩指标重点用于产业集聚区建设).
    """

    supply_share: float = param(0.1, 0, MAX_FACTOR, "× yearly quota",
                                doc="assumed: linkage and reclaimed land are of the order of a tenth of the "
                                    "yearly construction-land plan; neither seed gives an amount")


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
    """E2 五个原则: a consultation review (咨询评审…联审联批) of each project on five principles.

    Principles: fits national industrial policy (not pollution class III unless high-tech), major
    project (>= ``major_min``), leading (龙头) project, in the park's declared leading industry, meets
    the E1 intensity standard. Model: a weighted score with a pass mark. The defaults make the two
    principles that are legal conditions of any approval (industrial policy; the intensity standard of
    the land-use control indicators, without which 不得办理核准, 000 §(十六)) each necessary, and the three
    that say why a park wants the project (major, leading, leading industry) alternatives, one enough:
    3 + 3 + 1 = 7 = ``pass_mark``. Source: 002 四(四).
    """

    major_min: float = param(10000.0, 0, MAX_INVESTMENT, "万元")
    w_policy: float = param(3.0, 0, MAX_FACTOR, "points", doc="a condition: 3 = the weight of all three merits")
    w_major: float = param(1.0, 0, MAX_FACTOR, "points", doc="a merit")
    w_leading: float = param(1.0, 0, MAX_FACTOR, "points", doc="a merit")
    w_industry: float = param(1.0, 0, MAX_FACTOR, "points", doc="a merit")
    w_intensity: float = param(3.0, 0, MAX_FACTOR, "points", doc="a condition: 3 = the weight of all three merits")
    pass_mark: float = param(7.0, 0, 5 * MAX_FACTOR, "points", doc="both conditions and one merit")


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
    """V1 weights over the dimensions the documents name (000 §(二十九): 经济实力、产业结构、人才、科技创新、
    开放水平、集约程度、环境保护、社会贡献、管理效能; 004 §(二十二): 经济规模、发展速度、招商引资、固定资产投资、
    循环经济、科技进步、带动就业 …): size 0.15 and growth 0.1; investment attracted 0.1 (招商引资 and
    固定资产投资, two of Lanzhou's ten aspects); land use 0.25 (tax per mu 0.15, intensity 0.1: 集约 is the
    rule family's aim and 003 六(一)'s 亩均 criterion); structure 0.1 (leading share, chain); innovation
    0.1 (high-tech share, TFP); openness 0.05; environment 0.075 (pollution per output, circular
    economy); jobs 0.05 (社会贡献、带动就业); platform debt per mu 0.025 (管理效能, the debt risk of
    003 九(四)). Talent and the qualitative aspects (规划执行, management) have no model counterpart."""
    return {"output": 0.15, "output_growth": 0.1, "investment_attracted": 0.1, "tax_per_mu": 0.15,
            "intensity": 0.1, "leading_share": 0.05, "chain_completeness": 0.05, "hightech_share": 0.05,
            "tfp": 0.05, "openness": 0.05, "pollution_per_output": 0.05, "circular_share": 0.025,
            "employment": 0.05, "debt_per_mu": 0.025}


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

    Each year in the bottom ``bottom_share``, or failing one of the clause's tests (intensity below
    ``low_use_factor`` × E1 standard, tax per mu below ``min_tax_per_mu``, pollution above
    ``pollution_factor`` × emission quota), moves a park one step up the ladder, a year without either
    one step down; at "area cut" ``area_cut_share`` of its unbuilt area is removed. A park under any
    sanction neither expands nor is upgraded (不支持其擴區、調區和升級). Parks in the top ``top_share`` for
    ``upgrade_years`` years go up one level and get ``expansion_share`` more area; national parks are
    not raised and get no area. Source: 003 十(四); 000 §(二十一).
    """

    bottom_share: float = param(0.1, 0, 1, "share of parks")
    area_cut_share: float = param(0.2, 0, 1, "share of unbuilt area")
    top_share: float = param(0.1, 0, 1, "share of parks")
    upgrade_years: int = param(3, 1, 20, "consecutive years")
    expansion_share: float = param(0.2, 0, 5, "share of area")
    # --- gaps (issue 12 §1.8): the clause's own failings, which trigger sanctions whatever the rank
    low_use_factor: float = param(0.5, 0, MAX_FACTOR, "× E1 standard",
                                  doc="资源要素利用率低: half the entry standard is a park whose land is clearly "
                                      "under-used, not one at the margin of E1")
    min_tax_per_mu: float = param(5.0, 0, MAX_PER_MU, "万元/mu tax",
                                  doc="长期效益不好: the park's average firm is in V6 class D (below class_c_min, 5万/mu)")
    pollution_factor: float = param(1.0, 0, MAX_FACTOR, "× emission quota",
                                    doc="环保不达标: emissions above the park's E4 emission quota")


@dataclass(frozen=True)
class V6(Rule):
    """V6 亩均论英雄: firms classed A-D on tax per mu, R&D and energy, with differentiated prices for
    land, power, water and credit (``efficiency.py``).

    Model: the tax-per-mu class moves up ``rd_classes`` for an R&D-intensive (high-tech) firm and down
    ``energy_classes`` above ``energy_max`` tce per 万元 of output; class D pays the surcharges and
    class A gets the discounts, B and C the list prices. Source: 003 六(一) (以畝均稅收、研發創新和節能環保
    等為主要指標的評價體系 … 差別化的資源要素配置政策).
    """

    class_a_min: float = param(30.0, 0, MAX_PER_MU, "万元/mu tax")
    class_b_min: float = param(15.0, 0, MAX_PER_MU, "万元/mu tax")
    class_c_min: float = param(5.0, 0, MAX_PER_MU, "万元/mu tax")
    # Zhejiang's 亩均效益 scoring (the model of 003 六(一)) gives tax and value added per mu about 60 % and
    # R&D and energy about 30 %: enough to move a firm one class, not two.
    rd_classes: int = param(1, 0, 3, "classes up for an R&D-intensive firm")
    energy_classes: int = param(1, 0, 3, "classes down above energy_max")
    # About twice the industrial mean (0.26 tce/万元, sectors.csv): the energy-intensive sectors fall a class.
    energy_max: float = param(0.5, 0, 100, "tce per 万元 output")
    # 城镇土地使用税 on industrial land ≈ 6-9 元/m² ≈ 0.5 万元/mu a year: A is relieved of it, D pays it twice.
    land_a_discount: float = param(0.5, 0, MAX_PER_MU, "万元 per mu a year")
    land_d_surcharge: float = param(0.5, 0, MAX_PER_MU, "万元 per mu a year")
    # 差别电价: D-class firms +0.1-0.3 元/kWh on ≈ 0.65 元/kWh (Zhejiang 2018), A small relief (assumption).
    power_a_discount: float = param(0.05, 0, 1, "share of the energy price")
    power_d_surcharge: float = param(0.3, 0, 10, "share of the energy price")
    # 差别水价: D-class surcharges of the order of half the industrial water price (assumption).
    water_a_discount: float = param(0.0, 0, 1, "share of the water price")
    water_d_surcharge: float = param(0.5, 0, 10, "share of the water price")
    # Credit: banks reprice D-class loans about a point over a ≈ 5 % rate, A class half a point under (assumption).
    credit_a_discount: float = param(0.005, 0, 0.3, "points of the loan rate")
    credit_d_surcharge: float = param(0.01, 0, 0.3, "points of the loan rate")


@dataclass(frozen=True)
class V7(Rule):
    """V7 增、调、降、退: every ``period`` years park plans are adjusted province-wide.

    Model: parks with built share above ``grow_built_share`` and a top-half score gain
    ``grow_share`` area (增); parks below ``cut_built_share`` go one level down (降级; county parks,
    already lowest, stay) and lose ``cut_share`` of unbuilt area (降);
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

    Unstarted ``agreement_years`` after supply with a margin below ``agreement_margin`` (无力建设) →
    land taken back by agreement, the land price refunded; unstarted, or invested less than
    ``min_invested_share``, after ``fee_years`` → idle-land fee of ``fee_rate`` × land value a year;
    unstarted after ``takeback_years`` → land taken back; ``capacity_years`` after supply a producer
    below ``min_capacity`` of design capacity loses its unused land. Source: 004 §(九) (1 y / 25% / 2 y / 70%).
    """

    fee_years: int = param(1, 0, 20, "years")
    fee_rate: float = param(0.2, 0, 1, "× land value per year")
    takeback_years: int = param(2, 1, 20, "years")
    capacity_years: int = param(2, 1, 20, "years")
    min_capacity: float = param(0.7, 0, 1, "share of design capacity")
    # --- gaps (issue 12 §2): the 25 %-invested test and take-back by agreement
    min_invested_share: float = param(0.25, 0, 1, "share of total investment",
                                      doc="004 §(九) 实际投资不足总投资的25%: a project building for less than this "
                                          "share of its construction time also pays the idle fee")
    agreement_years: int = param(1, 0, 20, "years",
                                 doc="004 §(九) 若一年内无力建设的,可协议收回用地")
    agreement_margin: float = param(-0.1, -1, 1, "profit margin",
                                    doc="无力建设 read as a project that would not earn its costs: margin below "
                                        "−0.1, one s.d. under the world's mean, the weakest sixth")


@dataclass(frozen=True)
class X3(Rule):
    """X3 腾笼换鸟: park land of firms below ``tax_per_mu_min`` for ``years`` years is bought back.

    The park pays the price the firm paid for the land; a firm making a profit moves, whole, to another
    park of its city that admits it, the others exit. Firms outside parks are not covered (the clause
    is about 产业集聚区 land). Source: 000 §(十八); 003 六(三).
    """

    tax_per_mu_min: float = param(5.0, 0, MAX_PER_MU, "万元/mu")
    years: int = param(3, 1, 20, "consecutive years")


@dataclass(frozen=True)
class X4(Rule):
    """X4: stopped firms and stalled projects are resolved within the year and their land reused.

    Takeover first (多兼并重组、少破产清算): the most profitable healthy producer of the same park and
    sector takes the stopped firm's land and plant; without one it is liquidated and its land returns
    to the park. Without X4 a stopped firm's land stays locked for the world's ``bankruptcy_years``.
    Source: 003 六(三).
    """


@dataclass(frozen=True)
class X5(Rule):
    """X5: energy dual control of the parks: a cap on park firms' total energy use, growing ``cap_growth``
    a year from its base-year level; above it the worst class-III park polluters exit.

    Source: 001 四(六) (开发区能源消费总量和能耗的"双控"; 园区…重点污染项目退出机制).
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
    """C2: leading industries make up ``target`` of a park's output, as an entry gate or a plan target.

    ``mode = "gate"`` (004 §(八): 主导产业的产值应占园区总产值的70%以上, a condition on what a park
    admits): while a park's leading share is below ``target`` it admits only leading-industry projects.
    ``mode = "target"`` (001 三: 前三位的主导产业…比重达60%; 003 四(一): 比重超過50%, goals the
    evaluation checks): no project is refused; a park below target courts leading-industry projects
    with ``promotion`` utility, and the evaluation counts the parks at target each year
    (``parks_at_structure_target``). Source: 004 §(八); 001 三; 003 四(一).
    """

    target: float = param(0.7, 0, 1, "share of park output")
    mode: str = param("gate", choices=("gate", "target"), doc="gate: 004 §(八); target: 001 三, 003 四(一)")
    promotion: float = param(0.8, 0, MAX_UTILITY, "utility",
                             doc="assumed: a park chasing its target courts leading-industry projects as hard as "
                                 "declaring the industry does (world beta_declared 0.8)")


@dataclass(frozen=True)
class C3(Rule):
    """C3 领军企业—产业链—产业集群: leading firms draw their upstream and downstream sectors.

    Model: each producing leading firm adds ``chain_pull`` × IO link to the utility of its park for
    linked sectors and brings ``induced_projects`` projects a year in linked sectors (以商招商), drawn
    from the year's mobile projects (not on top of them), which weigh its park ``induced_bonus`` higher.
    Source: 001 二, 四(三); 000 §(十); 003 七(一).
    """

    chain_pull: float = param(5.0, 0, MAX_UTILITY, "utility per IO coefficient")
    induced_projects: float = param(0.5, 0, 20, "projects per leading firm per year")
    # --- gaps (issue 12 §1.7): the pull of an induced project to the park of the firm that brought it
    induced_bonus: float = param(2.0, 0, MAX_UTILITY, "utility",
                                 doc="以商招商: the leading firm's introduction makes its park the investor's "
                                     "default; +2 is e² ≈ 7× the odds of an otherwise equal park, about the "
                                     "C5 mega_bonus (1.5) and below the C4 strength (2) at a full sector share")


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
    utility for mega and leading projects; each year the evaluation counts the parks that meet all
    four targets (``four_ones_met``: the largest sector is the declared one, a producing leading firm
    in it, a project of ``mega_min`` entered this year, a declared industry with output of
    ``cluster_min``). Source: 002 三(一) (明确一个主导产业,培育一个龙头企业,投资一个20亿元以上项目,
    打造一个特色优势产业集群).
    """

    mega_min: float = param(200000.0, 0, MAX_INVESTMENT, "万元")
    mega_bonus: float = param(1.5, 0, MAX_UTILITY, "utility")
    cluster_min: float = param(500000.0, 0, MAX_INVESTMENT, "万元 output a year",
                               doc="002 三(一)2: the clusters Xuchang names are of 50亿元 (6 of them) and 100亿元")


@dataclass(frozen=True)
class C6(Rule):
    """C6: circular economy: by-products and waste of one firm are used by another in the same park.

    Model: a producing park firm whose park also holds a producer of a sector it shares a by-product
    link with (``simulation/data/byproduct_links.csv``, either direction: slag → cement, smelter gas →
    sulphuric acid, scrap → steel, …) saves ``cost_saving`` of output and emits ``pollution_cut``
    less. Source: 000 §(二十); 004 §(八); 003 六(二).
    """

    cost_saving: float = param(0.02, 0, 1, "share of output")
    pollution_cut: float = param(0.25, 0, 1, "share")


@dataclass(frozen=True)
class C7(Rule):
    """C7: consolidation: no new zones; one zone per county; small scattered parks merged; ≤ ``max_blocks``.

    Model: at the start, parks below ``small_mu`` merge into the largest park of their city while it
    has fewer than ``max_blocks`` blocks; the world's new-park creation stops; and every year each
    county's other open parks, then each city's parks below ``small_mu``, merge into the largest one
    (``merges_per_year`` per zone: 逐步清理、整合). Source: 001 四(二) (原则上不再新设开发区…"一区多园");
    003 二(一) (原則上每個縣設立1家…區塊數一般不超過3塊…逐步清理、整合、撤銷小而散的各類園區).
    """

    max_blocks: int = param(3, 1, 100, "blocks")
    small_mu: float = param(3000.0, 0, MAX_AREA_MU, "mu",
                            doc="assumed: the seeds do not size 'small and scattered'; a third of the median zone")
    merges_per_year: int = param(1, 0, 100, "parks per zone per year",
                                 doc="assumed: 逐步 (step by step): one integration a year per zone")


# --- rules3: C8 co-built and enclave parks (cobuild.py) ---

@dataclass(frozen=True)
class C8(Rule):
    """C8 co-built and enclave parks (异地托管、项目共建、税收共享; 飞地经济; 政府与企业共建 … 收益分成):
    a park built with a partner, another government or a firm, shares its tax and output in agreed shares.

    Model: a park whose spec names a ``partner`` passes each year ``tax_share`` (or its own
    ``partner_tax_share``) of the local tax its firms pay its city to the partner: a transfer to a
    government of the region, a payment out of the region to an outside government or a firm; and
    ``output_share`` of its output is credited to the partner in the statistics (003 二(一): 地区生产总值、
    财政收入等经济统计数据可按属地原则进行分成). Source: 000 §(十一); 003 七(三), 二(一); 004 §(十二).
    """

    # Jiangsu's 南北共建园区 split the local retained tax and the statistics 50:50 in their first years
    # (苏宿、江阴-靖江 agreements); the documents name no share, so half is the assumption.
    tax_share: float = param(0.5, 0, 1, "share of the park's local tax")
    output_share: float = param(0.5, 0, 1, "share of the park's output")


RULE_IDS = ("L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8", "L9", "L10", "L11", "E1", "E2", "E3", "E4", "E5",
            "S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "V1", "V2", "V3", "V4", "V5", "V6", "V7",
            "X1", "X2", "X3", "X4", "X5", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8")
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
    L11: L11 = field(default_factory=L11)
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
    C8: C8 = field(default_factory=C8)

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
        """A copy with rule ``rid`` changed (``enabled=True`` and/or parameters). Only that rule and the
        cross-rule checks are validated again: the other rules were when this policy was built, and
        checking all of them made a model year spend more on validation than on the rules' arithmetic."""
        current = dataclasses.asdict(getattr(self, rid))
        current.update(values)
        changed = copy.copy(self)
        object.__setattr__(changed, rid, _build_rule(rid, current, f"policy.{rid}"))
        _check_pairs(changed)
        return changed

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
