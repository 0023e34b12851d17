"""The world a policy acts on: parks, demand for investment, firm behaviour and the horizon.

In EMA-workbench terms these are the *uncertainties* and *constants*; the *levers* live in
:mod:`parksim.simulation.policy`. Parks come either as explicit :class:`ParkSpec` records (from a scenario or
the 2018 catalogue) or are generated from ``n_parks`` with the model's generator, together with the
synthetic places they lie in (:mod:`parksim.simulation.places`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import ConfigError
from .params import MAX_AREA_MU, MAX_FACTOR, MAX_INVESTMENT, MAX_LAND_QUOTA, MAX_PER_MU, MAX_UTILITY, build, param, validate
from .places import SYNTHETIC, Place, check_hierarchy, generate_places, nearest, unproject_km
from .policy import LEVELS

PARTNER_KINDS = ("government", "firm")
"""C8 co-builders: another government (异地托管、政府与政府共建, 飞地) or a firm (政府与企业共建)."""

PARK_SPREAD_KM = 8.0
"""sd (km, each axis) of a generated park's position about its city's centre: a park lies within a
county or two of the city seat, as most of the catalogue's zones do."""


@dataclass(frozen=True)
class ParkSpec:
    """One park at the start of a run."""

    name: str
    level: str                       # county, city, provincial, national
    area_mu: float                   # planned industrial area, mu
    city: str = ""                   # parks of one city may be consolidated (C7)
    leading: tuple[str, ...] = ()    # declared leading industries (sector keys)
    urban: bool = False              # inside an urban planning area (E3)
    place: str = ""                  # id of the place (county or city) it lies in: adcode or syn:…
    lon: float | None = None         # position, degrees (None: unknown; the km plane is derived from it)
    lat: float | None = None
    infrastructure: float = 0.5      # 0..1
    # --- rules3: C8 co-built and enclave parks (cobuild.py, ODD §7.20) ---
    partner: str = ""                # co-builder: a city label of the region, or a name outside it
    partner_kind: str = "government"   # government or firm
    partner_tax_share: float | None = None     # share of the park's local tax to the partner (None: C8's)
    partner_output_share: float | None = None  # share of its output statistics credited to the partner

    def check(self, where: str, sector_keys: tuple[str, ...]) -> None:
        """Raise ConfigError on an unknown level, an area, position or infrastructure out of range
        (nan and inf included), a position with only one of lon/lat, or an unknown sector."""
        if self.level not in LEVELS:
            raise ConfigError(f"{where}.level", self.level, "one of " + ", ".join(LEVELS))
        for key, lo, hi, allowed in (("area_mu", 0, MAX_AREA_MU, f"a number > 0 and <= {MAX_AREA_MU:g} (mu)"),
                                     ("lon", -180, 180, "a longitude in [-180, 180] (degrees)"),
                                     ("lat", -90, 90, "a latitude in [-90, 90] (degrees)"),
                                     ("infrastructure", 0, 1, "a number in [0, 1]")):
            value = getattr(self, key)
            if key in ("lon", "lat") and value is None:
                continue
            if (isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi
                    or (key == "area_mu" and value == 0)):
                raise ConfigError(f"{where}.{key}", value, allowed)
        if (self.lon is None) != (self.lat is None):
            raise ConfigError(f"{where}.{'lat' if self.lat is None else 'lon'}", None, "lon and lat together, or neither")
        for key in self.leading:
            if key not in sector_keys:
                raise ConfigError(f"{where}.leading", key, "a sector key: " + ", ".join(sector_keys))
        self._check_partner(where)

    def _check_partner(self, where: str) -> None:
        """C8: a partner is a non-empty name other than the park's own city; shares in [0, 1]."""
        if not isinstance(self.partner, str):
            raise ConfigError(f"{where}.partner", self.partner, "a city label or partner name (a string)")
        if self.partner_kind not in PARTNER_KINDS:
            raise ConfigError(f"{where}.partner_kind", self.partner_kind, "one of " + ", ".join(PARTNER_KINDS))
        for key in ("partner_tax_share", "partner_output_share"):
            value = getattr(self, key)
            if value is None:
                continue
            if not self.partner:
                raise ConfigError(f"{where}.{key}", value, "only with a partner (set partner)")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ConfigError(f"{where}.{key}", value, "a share in [0, 1]")
        if self.partner and self.partner == (self.city or self.name):
            raise ConfigError(f"{where}.partner", self.partner, "a government or firm other than the park's own city")


@dataclass(frozen=True)
class WorldConfig:
    """Everything about the world that is not policy. Units: money 万元, land mu, one step = one year."""

    years: int = param(20, 1, 200, "years")
    start_year: int = param(2010, 1900, 2200, "calendar year")
    # Generated parks (used when ``parks`` is empty).
    n_parks: int = param(20, 1, 5000, "parks")
    n_cities: int = param(5, 1, 5000, "cities")
    national_share: float = param(0.1, 0, 1, "share of generated parks")
    provincial_share: float = param(0.5, 0, 1, "share of generated parks")
    city_share: float = param(0.2, 0, 1, "share of generated parks")
    urban_share: float = param(0.3, 0, 1, "share of generated parks")
    park_area_median: float = param(8000.0, 1, MAX_AREA_MU, "mu")
    # Generated places: a synthetic province around a stated centre (default: the middle of Henan, an
    # inland manufacturing province), its cities in a square of side region_km (the 200 km of the
    # earlier plane: 5 cities of ≈ 8,000 km² each), their counties in a square of side city_km
    # around each city (≈ 10,000 km², an eastern prefecture; China has ≈ 8.6 county-level units per
    # prefecture, 2,851 / 333 in 2016).
    region_lon: float = param(113.6, -180, 180, "degrees east: centre of the synthetic province")
    region_lat: float = param(33.9, -89, 89, "degrees north: centre of the synthetic province")
    region_km: float = param(200.0, 1, 5000, "km: side of the square the synthetic cities lie in")
    city_km: float = param(100.0, 1, 1000, "km: side of the square a synthetic city's counties lie in")
    counties_per_city: int = param(8, 1, 100, "counties per synthetic city")
    # Outside-park economy and relocation (outside.py, relocation.py; ODD §2.2, §7.15).
    # Chizhou's parks make 68 % of the city's above-scale industrial value added (001 三), so about a
    # third of industry lies outside parks; with one size distribution for both, a third of the firms.
    outside_firm_share: float = param(0.32, 0, 1, "share of initial_firms outside parks (001: 1 − 0.68)")
    # A firm renews its plant about every 20 years (machinery is depreciated over 10-20 years); denied
    # land, funds and power outside parks (L1, 004 §(十七)), it renews in a park.
    l1_move_prob: float = param(0.05, 0, 1, "yearly chance an outside-park firm moves in under L1")
    # Firms review their location rarely: about one in twenty a year (the same plant-renewal cycle).
    relocation_review_share: float = param(0.05, 0, 1, "share of park firms comparing parks each year")
    # A revoked park loses its preferences and services (V4, 000 §(二十八)); its firms leave as their
    # leases and plans allow, a fifth a year (half gone in about three years).
    revoked_move_prob: float = param(0.2, 0, 1, "yearly chance a firm leaves a revoked or area-cut park")
    # Dismantling, transport and re-installation of plant: 10 % of the fixed investment (relocation
    # compensation in Chinese 搬迁 schemes is typically 5-20 % of asset value); priced in utility like land.
    move_cost_share: float = param(0.1, 0, 1, "share of investment a move costs")
    # The year of a move the plant runs part of the year: half of its capacity, then ramps up again.
    move_restart_utilization: float = param(0.5, 0, 1, "utilization in the year of a move")
    # Demand for investment: three sources (investment.py, ODD §7.1). Mobile projects look at the
    # region from outside; start-ups and expansions are born in a place of the region.
    initial_firms: int = param(1500, 0, 10_000_000, "firms")
    projects_per_year: float = param(400.0, 0, 1e7, "mobile projects/year looking at the region")
    project_growth: float = param(0.03, -0.5, 1, "per year")
    investment_scale: float = param(6000.0, 1, MAX_INVESTMENT, "万元 (Lomax scale)")
    investment_tail: float = param(1.3, 1.01, 10, "Pareto tail exponent of the survival function")
    investment_min: float = param(500.0, 0, MAX_INVESTMENT, "万元")
    investment_max: float = param(3_000_000.0, 1, MAX_INVESTMENT, "万元")
    leading_min: float = param(100000.0, 0, MAX_INVESTMENT, "万元: a project this large is a leading (龙头) firm")
    # Start-ups per related producing firm: the bottom of the 1-3 % yearly spin-off hazard of incumbents
    # in Klepper's industry studies, because the mobile stream already carries most of the entry.
    startup_rate: float = param(0.01, 0, 1, "start-ups a year per related producing firm of the place")
    # Incumbents that add a plant: about one profitable producer in 50 a year, half its first size
    # (a stated assumption; no Chinese plant-level expansion rate is in the seeds).
    expansion_rate: float = param(0.02, 0, 1, "yearly chance a profitable producer expands")
    expansion_size: float = param(0.5, 0.01, 10, "expansion investment, share of the firm's investment")
    # Location choice (multinomial logit over a sampled set of parks, places outside parks and the
    # rest of the country).
    beta_price: float = param(0.05, 0, MAX_UTILITY, "utility per 万元/mu of land price")
    beta_subsidy: float = param(0.3, 0, MAX_UTILITY, "utility per % of investment subsidised")
    beta_agglomeration: float = param(0.6, 0, MAX_UTILITY, "utility per log(1 + same-sector firms)")
    beta_chain: float = param(1.5, 0, MAX_UTILITY, "utility per unit of upstream presence")
    beta_infrastructure: float = param(1.0, 0, MAX_UTILITY, "utility per unit infrastructure")
    beta_level: float = param(0.3, 0, MAX_UTILITY, "utility per level step")
    beta_declared: float = param(0.8, 0, MAX_UTILITY, "utility of a declared leading industry (C1)")
    outside_utility: float = param(0.5, -MAX_UTILITY, MAX_UTILITY, "utility of a site outside parks in a place")
    outside_land_price: float = param(10.0, 0, MAX_PER_MU, "万元/mu")
    # The rest of the country, against the region's average park (investment.admit adds ln(open parks)):
    # set so that about one in eight of the default province's mobile projects settles elsewhere (a stated
    # assumption: no data say how many projects that look at a province leave).
    rest_utility: float = param(1.0, -MAX_UTILITY, MAX_UTILITY, "utility of the rest of the country, less ln(open parks)")
    # Local projects stay near home (Figueiredo, Guimarães & Woodward 2002, J. Urban Econ. 52: founders
    # locate near home and accept markedly higher costs to do so): −0.5 per 100 km; +2 at home makes a
    # home option e² ≈ 7× as likely as an otherwise equal one next door (own network, no set-up).
    beta_distance: float = param(0.5, 0, MAX_UTILITY, "utility per 100 km from a local project's origin")
    home_bonus: float = param(2.0, 0, MAX_UTILITY, "utility of the origin place (an expansion: its own park)")
    # For a local project the rest of the country lies beyond the province: 400 km is about the distance
    # from a province's centre to its neighbours' main cities (Zhengzhou: Jinan 370, Xi'an 440, Wuhan 470 km).
    rest_distance_km: float = param(400.0, 0, 5000, "km from a local project's origin to the rest of the country")
    # Adaptation of a project refused by E1 alone: it may build up to 1.5× denser (a second storey on
    # part of the plant), at a utility cost per unit of ln(standard / own intensity).
    max_densify: float = param(1.5, 1, 10, "largest standard / own intensity a refused project accepts")
    beta_densify: float = param(2.0, 0, MAX_UTILITY, "utility per ln(standard / own intensity)")
    # Parks each project compares when there are more (McFadden 1978 sampling of alternatives).
    choice_set_size: int = param(64, 2, 100_000, "parks in a project's sampled choice set")
    land_price_base: float = param(20.0, 0, MAX_PER_MU, "万元/mu: minimum industrial land price")
    level_price_step: float = param(5.0, 0, MAX_PER_MU, "万元/mu more per level step")
    land_quota: float = param(40000.0, 0, MAX_LAND_QUOTA, "mu/year of new construction land")
    # Build-out.
    start_prob: float = param(0.7, 0, 1, "yearly chance an unstarted project starts building")
    build_years: int = param(2, 1, 10, "years of construction")
    build_failure: float = param(0.05, 0, 1, "yearly chance construction stalls")
    ramp_years: int = param(3, 1, 10, "years to reach design capacity")
    # Production and exit.
    productivity_sigma: float = param(0.3, 0, 3, "sd of log productivity")
    margin_mean: float = param(0.0, -1, 1, "mean profit margin")
    margin_sigma: float = param(0.1, 0, 1, "sd of the firm's persistent margin")
    shock_sigma: float = param(0.08, 0, 1, "sd of yearly margin shocks")
    agglomeration_elasticity: float = param(0.04, 0, 1, "output per log(1 + same-sector firms)")
    chain_elasticity: float = param(0.1, 0, 1, "output per unit of local upstream presence")
    infrastructure_elasticity: float = param(0.05, 0, 1, "output per unit infrastructure")
    equity_share: float = param(0.1, 0, 2, "owner's equity buffer at entry, share of investment")
    loss_years: int = param(2, 1, 20, "loss years before a firm stops")
    bankruptcy_years: int = param(3, 0, 20, "years a stopped firm's land stays locked (without X4)")
    # Productivity and spillovers (spillovers.py, ODD §7.16): tfp = own draw × learning × spillovers.
    learning_gain: float = param(0.2, 0, 2, "TFP gain of a fully experienced firm over its first year")
    # ↑ learning by doing in new plants (Bahk & Gort 1993, JPE 101:561) is of the order of tens of %.
    learning_years: float = param(4.0, 0.1, 50, "years: e-folding time of learning")
    # ↑ Bahk & Gort 1993: new plants' learning is mostly over within 5-6 years (4 y: 71 % by year 5).
    spillover_elasticity: float = param(0.02, 0, 1, "TFP gain per log unit of related output nearby")
    # ↑ doubling activity raises productivity 3-8 % (Rosenthal & Strange 2004, Handbook UE 4); with the
    #   in-park agglomeration term (0.04) the total stays in that range.
    spillover_reference_output: float = param(10000.0, 1, MAX_INVESTMENT, "万元/year: S_ref")
    # ↑ about the output of one to two median firms: spillovers count once related output nearby is that large.
    spillover_decay_km: float = param(15.0, 0.1, 5000, "km: e-folding distance of spillovers")
    # ↑ Rosenthal & Strange 2008 (JUE 64:373): effect within 5 miles 2-4 × that at 5-25 miles.
    spillover_cutoff_km: float = param(50.0, 0, 5000, "km: no spillovers beyond")
    # ↑ Rosenthal & Strange 2003 (REStat 85:377), 2008: little effect left beyond 25-50 miles (weight e^-3.3 here).
    spillover_own_weight: float = param(1.0, 0, MAX_FACTOR, "weight of a same-sector source")
    spillover_io_weight: float = param(1.0, 0, MAX_FACTOR, "weight per unit of IO coefficient A_qs + A_sq")
    # ↑ own-industry spillovers dominate (Rosenthal & Strange 2003); IO-linked ones matter in proportion
    #   to the link (Ellison, Glaeser & Kerr 2010, AER 100:1195): a top link (0.45) counts half a same-sector source.
    tfp_profit_share: float = param(0.25, 0, 2, "profit rate per log point of TFP above the sector mean")
    # ↑ relative to the sector's producers, as in competitive selection (Hopenhayn 1992; Melitz 2003). A firm
    #   one sd (0.3) below its sector loses 7.5 points of margin, about margin_sigma: TFP and the persistent
    #   margin weigh alike in who makes losses (0.5 would make TFP decide alone, and V6 no longer matter).
    # Supply links.
    links_per_firm: int = param(3, 0, 50, "supplier links formed when a firm starts producing")
    local_preference: float = param(0.7, 0, 1, "chance a link is sought in the own park first")
    # Park finances.
    base_infra_budget: float = param(0.3, 0, MAX_PER_MU, "万元 per mu of area a year")
    infra_cost: float = param(60.0, 1e-9, MAX_PER_MU, "万元 per mu per unit of infrastructure")
    infra_depreciation: float = param(0.03, 0, 1, "per year")
    expansion_trigger: float = param(0.85, 0, 1, "granted share of area at which a park asks to expand")
    expansion_share: float = param(0.2, 0, 5, "share of area asked for")
    new_parks_per_year: float = param(0.0, 0, 100, "parks created a year (stopped by C7)")
    # Designation package (simulation/designation.py): what a level brings, per level step above county
    # (city 1, provincial 2, national 3); a revoked park keeps none of it. The documents name the
    # privileges but give no numbers: the defaults are stated assumptions, see docs/ODD.md §7.17.
    # 计划单列: the land plan lists parks separately (004 §(十三)); a third of the quota so listed.
    listed_quota_share: float = param(0.3, 0, 1, "share of the yearly land quota listed park by park")
    # A national park's listed share 2.5× a county park's (assumption).
    quota_level_step: float = param(0.5, 0, 10, "extra weight in the listed quota per level step")
    # 分成向开发区倾斜 (004 §(十四)): a national park keeps 6 % of its tax (assumption).
    tax_retained_step: float = param(0.02, 0, 0.3, "share of a park's tax kept for its infrastructure per level step")
    # Central and provincial zone funds (004 §(六), §(十)): a national park's base budget 2.5× a county's.
    budget_level_step: float = param(0.5, 0, 10, "extra base infrastructure budget per level step, share of base_infra_budget")
    # A one-off grant: 9 万元/mu for county → national, 15 % of infra_cost (assumption).
    designation_grant: float = param(3.0, 0, MAX_PER_MU, "万元 per mu of area per level step gained, once")
    # Delegated approvals (市级/县级经济管理权限, 004 §(十二); 003 九(二)): national 0.85 vs county 0.7 a year.
    start_level_step: float = param(0.05, 0, 1, "extra yearly chance a granted project starts building per level step")
    # Land conversion and first infrastructure (七通一平, 004 §(六)) of a first block: one to three years.
    setup_years: int = param(2, 0, 10, "years a new zone is closed to entrants")
    # 征地拆迁 compensation in central China, of the order of the minimum industrial land price (assumption).
    land_conversion_cost: float = param(8.0, 0, MAX_PER_MU, "万元 per mu to convert a new zone's land")
    # Local-government finance (finance.py, ODD §7.18). Money in 万元; land_conversion_cost above is the
    # 征地拆迁 cost of every mu first granted in a park too.
    # 七通一平 of industrial land: of the order of 10 万元/mu in county and prefecture parks (assumption).
    site_preparation_cost: float = param(10.0, 0, MAX_PER_MU, "万元 per mu prepared for industry")
    # Composition of an industrial firm's tax: VAT about 60 %, corporate income tax about 25 %, the rest
    # local taxes (urban maintenance, land use, property, stamp), roughly the national tax mix of the 2010s.
    vat_share_of_tax: float = param(0.6, 0, 1, "share of a firm's tax that is VAT")
    cit_share_of_tax: float = param(0.25, 0, 1, "share of a firm's tax that is corporate income tax")
    # VAT was shared 75:25 central:local until 营改增 made it 50:50 (国发〔2016〕26号, from May 2016).
    vat_local_share: float = param(0.25, 0, 1, "local share of VAT before the reform year")
    vat_local_share_after: float = param(0.5, 0, 1, "local share of VAT from the reform year on")
    vat_reform_year: int = param(2016, 1900, 2200, "calendar year of 营改增")
    # Corporate income tax shared 60:40 central:local since 2003 (国发〔2001〕37号).
    cit_local_share: float = param(0.4, 0, 1, "local share of corporate income tax")
    # The other (local) taxes stay with the city.
    other_local_share: float = param(1.0, 0, 1, "local share of the other taxes")
    # L9 (1:1:1) sets aside two thirds of an expansion: half of it (a third of the whole) is sold as
    # commercial and residential land; residential land in central-China prefecture cities sold for about
    # 100-300 万元/mu in 2012-2017 (assumption at the low end: parks lie at the edge of town).
    commercial_land_price: float = param(100.0, 0, MAX_PER_MU, "万元/mu of commercial and residential land")
    commercial_set_aside_share: float = param(0.5, 0, 1, "share of the L9 set-aside sold as commercial/residential land")
    # Rules from a year (store part; simulation/burn_in.py, ODD §3): the first burn_in years run with every
    # rule off (but the set-up rules C1, C4, C5, C7); the policy acts from start_year + burn_in + 1. A scenario's
    # top-level burn_in sets it; the documents use 5 years, a project's time to full output (build 2 + ramp 3).
    burn_in: int = param(0, 0, 200, "years run with the rules off before the policy acts")
    # --- rules3: factor prices of the V6 classes (efficiency.py, ODD §7.6) ---
    # Energy bought by industry, priced as a blend: power ≈ 0.65 元/kWh × 8,140 kWh/tce ≈ 0.53 万元/tce,
    # coal ≈ 0.08 万元/tce; with about 40 % of industrial energy bought as power ≈ 0.25 万元/tce.
    energy_price: float = param(0.25, 0, 100, "万元 per tce")
    # Industrial water bills are about 0.3-1 % of revenue outside the water-intensive sectors (assumption).
    water_cost_share: float = param(0.005, 0, 1, "share of output")
    # Industrial firms' liabilities ≈ 56 % of assets (above-scale industry, NBS 2017): half of a project borrowed.
    loan_share: float = param(0.5, 0, 1, "share of investment borrowed")
    # Competition for investors (competition.py, ODD §7.19): each park's yearly offer (land price factor,
    # own subsidy, tax rebate, 招商 effort) and the adaptive rule that moves it. A park that lost share of
    # the investment settling in the region's parks closes offer_step of the gap to its most successful
    # rival's offer (or to the bound when no rival did better); one that gained withdraws offer_retreat of
    # its offer. Step 0 keeps every offer at none: the model without competition.
    offer_step: float = param(0.3, 0, 1, "share of the gap closed a year by a park that lost share")
    # ↑ a park revises its package about once a year and closes a third of the gap (assumption).
    offer_retreat: float = param(0.1, 0, 1, "share of the offer withdrawn a year by a park that gained share")
    # ↑ offers are sticky downwards: a package once announced is withdrawn slowly (assumption).
    offer_max_subsidy: float = param(0.1, 0, 1, "share of investment: the largest own subsidy a park offers")
    # ↑ reported local packages reach about a tenth of fixed investment (assumption, no seed figure).
    offer_max_rebate: float = param(0.5, 0, 1, "share of a firm's tax: the largest rebate a park offers")
    # ↑ a local government can return at most its own share: 50 % of VAT since 2016, 40 % of income tax.
    offer_rebate_years: int = param(5, 0, 50, "years a rebate runs from production start")
    # ↑ as the S4 return to parks (004 §(十四)): five years.
    offer_max_effort: float = param(500.0, 0, MAX_INVESTMENT, "万元/year: the largest 招商 effort of a park")
    effort_reference: float = param(100.0, 1e-9, MAX_INVESTMENT, "万元/year: effort at which ln(1 + e/ref) = ln 2")
    # ↑ a small attraction office with its fairs and trips costs of the order of a million yuan a year.
    beta_effort: float = param(0.3, 0, MAX_UTILITY, "utility per ln(1 + effort / effort_reference)")
    # ↑ the largest effort adds 0.3 · ln 6 ≈ 0.54, less than a level step and a half (assumption).
    offer_budget_share: float = param(0.5, 0, 1, "share of a park's spendable money its offer may cost a year")
    rival_km: float = param(100.0, 0, 5000, "km: parks this close, or in the same city, are rivals")
    # ↑ about the size of a prefecture: a park's rivals are its city's parks and those next door.
    # --- cityfin: city governments' own budgets (finance.finance_cities, ODD §7.18) ---
    # Local general budgets are spent, not saved: local general-budget expenditure ≈ own revenue + transfers
    # from above (2016: about 8.7 万亿元 own revenue + 5.9 万亿元 transfers and tax returns + bonds and carry-overs
    # ≈ 16.0 万亿元 spent; 财政部, 2016 年全国一般公共预算收支决算). Of that spending about a tenth goes to
    # economic affairs that fund firms and parks (资源勘探信息等, 商业服务业等, part of 城乡社区); the rest pays the
    # general services outside the parks ("三保": salaries, running costs, basic welfare, which come first).
    city_spending_share: float = param(0.9, 0, 1, "share of a city's yearly income spent on general services")
    # Money carried over is spent within about two years: balances carried over two years or more are taken
    # back into the general budget and spent (国发〔2015〕35号, 盘活财政存量资金): half of it a year.
    city_carryover_draw: float = param(0.5, 0, 1, "share of the cash a city carries into a year spent on general services")
    # --- rules5: C1 wish lists of generated parks (world.generate_parks, ODD §2.3) ---
    # The 2018 catalogue lists 1-4 主导产业 per zone after the central screening (3 for 74 %; 114 zones list
    # 4 despite the limit of 3): what parks wish for before a cap is more. A generated park wishes for a
    # uniform number in [min, max]: up to one above the national cap (C1, 5), so that C1 cuts parks of
    # every level; at least 2 (a single industry is C5's "one leading industry", a rule of its own).
    leading_wish_min: int = param(2, 1, 30, "industries a generated park wishes to declare, at least")
    leading_wish_max: int = param(6, 1, 30, "industries a generated park wishes to declare, at most")
    # A world run at a stated scale (issue 12 §3, scenarios/scale.py REAL): the share of the real parks'
    # economy it models (firms and projects of real size, fewer of them); the targets read money figures
    # (per park, cluster, total) and counts of projects scaled back by 1 / scale, counts of parks as they are.
    scale: float = param(1.0, 1e-6, 1, "share of the real economy the world models (1: real scale)")
    parks: tuple = field(default=())
    places: tuple = field(default=())     # places (simulation.places.Place) of the parks and of [[places]]
    schedule: tuple = field(default=())   # interventions during the run (simulation.schedule records)

    def __post_init__(self):
        validate(self, "world")
        if self.national_share + self.provincial_share + self.city_share > 1 + 1e-9:
            raise ConfigError("world.national_share + provincial_share + city_share",
                              self.national_share + self.provincial_share + self.city_share, "<= 1")
        if self.burn_in > self.years:
            raise ConfigError("world.burn_in", self.burn_in, f"<= years ({self.years}): the rules' base year within the run")
        if self.investment_min > self.investment_max:
            raise ConfigError("world.investment_min", self.investment_min, f"<= investment_max ({self.investment_max})")
        if self.leading_wish_min > self.leading_wish_max:
            raise ConfigError("world.leading_wish_min", self.leading_wish_min, f"<= leading_wish_max ({self.leading_wish_max})")
        check_hierarchy(self.places)

    @classmethod
    def from_dict(cls, values: dict, prefix: str = "world") -> WorldConfig:
        """Build from a mapping, rejecting unknown keys; ``parks`` is a list of park tables."""
        values = dict(values)
        for key in ("schedule", "places"):
            if key in values:
                raise ConfigError(f"{prefix}.{key}", values[key], f"a top-level [[{key}]] array, not a world key")
        parks = values.pop("parks", ())
        world = build(cls, values, prefix)
        specs = []
        for i, p in enumerate(parks):
            if not isinstance(p, dict):
                raise ConfigError(f"{prefix}.parks[{i}]", p, "a table with name, level, area_mu")
            unknown = set(p) - set(ParkSpec.__dataclass_fields__)
            if unknown:
                raise ConfigError(f"{prefix}.parks[{i}].{sorted(unknown)[0]}", p[sorted(unknown)[0]],
                                  "a park field: " + ", ".join(ParkSpec.__dataclass_fields__))
            for key in ("name", "level", "area_mu"):
                if key not in p:
                    raise ConfigError(f"{prefix}.parks[{i}].{key}", None, "a required park field")
            specs.append(ParkSpec(**{**p, "leading": tuple(p.get("leading", ()))}))
        return world.with_parks(tuple(specs)) if specs else world

    def with_parks(self, parks: tuple[ParkSpec, ...]) -> WorldConfig:
        """A copy with explicit parks."""
        from dataclasses import replace
        return replace(self, parks=tuple(parks))

    def with_places(self, places: tuple[Place, ...]) -> WorldConfig:
        """A copy with these places (checked: unique ids, parents one level up, sizes in range)."""
        from dataclasses import replace
        return replace(self, places=tuple(places))

    def with_schedule(self, schedule: tuple) -> WorldConfig:
        """A copy with these interventions (:mod:`parksim.simulation.schedule` records)."""
        from dataclasses import replace
        return replace(self, schedule=tuple(schedule))


def wish_lists(world: WorldConfig, heads: list[np.ndarray], demand_share: np.ndarray,
               rng: np.random.Generator) -> list[np.ndarray]:
    """C1: each generated park's wish list of leading industries, of a length drawn uniformly in
    [``leading_wish_min``, ``leading_wish_max``]: its ``heads`` (the first wishes) cut to that length or
    extended by sectors drawn ∝ demand share without repeats."""
    count = rng.integers(world.leading_wish_min, world.leading_wish_max + 1, len(heads))
    out = []
    for head, k in zip(heads, count):
        p = demand_share.copy()
        p[head] = 0.0
        extra = min(max(k - len(head), 0), int((p > 0).sum()))
        out.append(np.concatenate([head[:k], rng.choice(len(p), extra, replace=False, p=p / p.sum())
                                   if extra else np.zeros(0, head.dtype)]))
    return out


def generate_parks(world: WorldConfig, sector_keys: tuple[str, ...], demand_share: np.ndarray,
                   rng: np.random.Generator) -> tuple[tuple[Place, ...], tuple[ParkSpec, ...]]:
    """Synthetic places and parks: levels by the world's shares, lognormal areas (whole mu, at least 1),
    city centres uniform in the province's square, parks normal about their city's centre
    (:data:`PARK_SPREAD_KM`), each in the nearest county of its city.

    The counties are drawn last, from a generator spawned off ``rng``: spawning leaves ``rng``'s
    stream as it was, so every other draw of the run is what it was before places existed.
    """
    n = world.n_parks
    shares = [1 - world.national_share - world.provincial_share - world.city_share,
              world.city_share, world.provincial_share, world.national_share]
    levels = rng.choice(len(LEVELS), size=n, p=np.clip(shares, 0, None) / sum(np.clip(shares, 0, None)))
    level_scale = np.array([0.5, 0.7, 1.0, 2.0])[levels]
    areas = world.park_area_median * level_scale * rng.lognormal(0.0, 0.5, n)
    city_of = rng.integers(0, world.n_cities, n)
    centres = rng.uniform(-world.region_km / 2, world.region_km / 2, (world.n_cities, 2))
    xy = centres[city_of] + rng.normal(0, PARK_SPREAD_KM, (n, 2))
    urban = rng.random(n) < world.urban_share
    infra = rng.uniform(0.3, 0.7, n)
    origin = (world.region_lon, world.region_lat)
    leading = [rng.choice(len(sector_keys), size=3 if levels[i] < 3 else 5, replace=False, p=demand_share)
               for i in range(n)]
    places = generate_places(world.n_cities, world.counties_per_city, origin, centres, world.city_km, rng.spawn(1)[0])
    leading = wish_lists(world, leading, demand_share, rng.spawn(1)[0])       # after the places' generator
    lon, lat = unproject_km(xy[:, 0], xy[:, 1], origin)
    counties = {c: tuple(p for p in places if p.parent == f"{SYNTHETIC}C{c:02d}") for c in range(world.n_cities)}
    specs = tuple(ParkSpec(name=f"park_{i:03d}", level=LEVELS[levels[i]], area_mu=float(max(round(areas[i]), 1)),
                           city=f"city_{city_of[i]:02d}", leading=tuple(sector_keys[j] for j in leading[i]),
                           urban=bool(urban[i]), place=nearest(counties[city_of[i]], lon[i], lat[i]).id,
                           lon=float(lon[i]), lat=float(lat[i]), infrastructure=float(infra[i]))
                  for i in range(n))
    return places, specs
