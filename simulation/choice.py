"""What a location decision sees this year: the arrays (``ChoiceInputs``) and the utility weights
(``Coefficients``) that the logit kernels in ``location.py`` take, read off the model's state, world and
policy. Shared by admission (``investment.py``), relocation (``relocation.py``) and the benchmarks.
"""

from __future__ import annotations

import numpy as np

from . import chains, entry, subsidy
from .location import ChoiceInputs, Coefficients
from .production import upstream_presence
from .state import EXITED, PRODUCING, park_sector_counts


def choice_inputs(model, proj: dict, target: np.ndarray) -> ChoiceInputs:
    """The arrays a location decision looks at this year."""
    f, pk, pol, sec = model.firms, model.parks, model.policy, model.sectors
    live = f.state != EXITED
    same = park_sector_counts(f, pk, sec.n, live)
    producing = park_sector_counts(f, pk, sec.n, f.state == PRODUCING)
    lead = park_sector_counts(f, pk, sec.n, (f.state == PRODUCING) & f.leading)
    totals = same.sum(1, keepdims=True)
    big = (proj["investment"] >= pol.C5.mega_min) | proj["leading"]
    has_mega = np.bincount(f.park[live & (f.park >= 0) & (f.investment >= pol.C5.mega_min)],
                           minlength=pk.n) > 0
    rate = subsidy.award_rate(pol, proj["hightech"]) * model.finance.coverage    # what is actually paid
    return ChoiceInputs(
        same=same.astype(float), upstream=upstream_presence(producing > 0, sec.io),
        lead_pull=chains.leading_pull(lead.astype(float), sec.io),
        share=np.divide(same, totals, out=np.zeros(same.shape), where=totals > 0),
        declared=model.declared, price=model.world.land_price_base + model.world.level_price_step * pk.level,
        standard=entry.intensity_standard(pol, pk.level), infra=pk.infrastructure,
        level=pk.level.astype(float), no_mega=~has_mega, sector=proj["sector"],
        intensity=proj["intensity"], subsidy=rate, big=big, target=target,
        offer_factor=pk.offer_factor, offer_subsidy=pk.offer_subsidy, offer_rebate=pk.offer_rebate,
        offer_effort=pk.offer_effort, tax_yield=(sec.output_per_investment * sec.tax_rate)[proj["sector"]])


def coefficients(model) -> Coefficients:
    """Utility weights from the world, with rule terms switched by the policy."""
    w, pol = model.world, model.policy
    return Coefficients(
        price=w.beta_price, subsidy=w.beta_subsidy, agglomeration=w.beta_agglomeration, chain=w.beta_chain,
        infrastructure=w.beta_infrastructure, level=w.beta_level,
        declared=w.beta_declared * pol.C1.enabled, chain_pull=pol.C3.chain_pull * pol.C3.enabled,
        same_type=pol.C4.strength * pol.C4.enabled, mega_bonus=pol.C5.mega_bonus * pol.C5.enabled,
        induced_bonus=pol.C3.induced_bonus * pol.C3.enabled,
        discount_min=pol.L8.min_factor if pol.L8.enabled else 1.0,
        discount_max=pol.L8.max_factor if pol.L8.enabled else 1.0,
        effort=w.beta_effort, effort_reference=w.effort_reference, rebate_years=w.offer_rebate_years)
