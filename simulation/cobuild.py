"""Co-built and enclave parks (C8; 000 §(十一); 003 七(三), 二(一); 004 §(十二); ODD §7.20).

A park whose :class:`~parksim.simulation.world.ParkSpec` names a ``partner`` is built with it: 异地托管、
项目共建、税收共享 between two governments, 飞地经济 for a partner from outside the region, or
政府与企业共建 with a firm. With C8 on, every year

- the host city passes the agreed share of the local tax its co-built park's firms paid it this year
  to the partner, through the finance ledger: a ``tax_shared`` transfer to a partner government of
  the region (a city account), a ``partner_payout`` for a government outside the region or a firm
  (money that leaves the region's accounts);
- the agreed share of the park's output is credited to the partner in the statistics (``partner_output``
  of the park panel), the host keeps the rest (``output_credited``); output itself is not moved.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import ConfigError
from .finance import CITY, local_tax_share
from .state import EXITED

TALLIES = ("c8_tax_shared", "c8_output_shared")
"""Yearly series: 万元 of local tax passed to partners, 万元 of output credited to them."""
NONE, REGION, OUTSIDE, FIRM = range(4)
"""Partner kinds: no agreement; a government of the region (a city account); a government outside it;
a firm."""


@dataclass(frozen=True)
class Agreements:
    """Per park row: partner kind, partner city account (-1 if none in the region), tax and output shares,
    partner name. Parks created during the run have no agreement."""

    kind: np.ndarray
    city: np.ndarray
    tax_share: np.ndarray
    output_share: np.ndarray
    partner: tuple[str, ...]

    def padded(self, n: int) -> Agreements:
        """The agreements over ``n`` park rows (rows beyond the known ones: none)."""
        extra = n - len(self.kind)
        if extra <= 0:
            return self
        return Agreements(np.concatenate([self.kind, np.full(extra, NONE)]),
                          np.concatenate([self.city, np.full(extra, -1)]),
                          np.concatenate([self.tax_share, np.zeros(extra)]),
                          np.concatenate([self.output_share, np.zeros(extra)]),
                          self.partner + ("",) * extra)


def agreements(model) -> Agreements:
    """The agreements of the model's parks, from the world's park specs (matched by name).

    Raises:
        ConfigError: a partner that is the park's own city account.
    """
    rule = model.policy.C8
    specs = {s.name: (i, s) for i, s in enumerate(model.world.parks)}
    n = len(model.park_agents)
    kind, city = np.full(n, NONE), np.full(n, -1)
    tax, out = np.zeros(n), np.zeros(n)
    names = [""] * n
    for row, agent in enumerate(model.park_agents):
        i, spec = specs.get(agent.name, (-1, None))
        if spec is None or not spec.partner:
            continue
        names[row] = spec.partner
        if spec.partner_kind == "firm":
            kind[row] = FIRM
        elif spec.partner in model.cities:
            kind[row], city[row] = REGION, model.cities[spec.partner]
            if city[row] == model.parks.city[row]:
                raise ConfigError(f"world.parks[{i}].partner", spec.partner,
                                  "a government other than the park's own city")
        else:
            kind[row] = OUTSIDE
        tax[row] = rule.tax_share if spec.partner_tax_share is None else spec.partner_tax_share
        out[row] = rule.output_share if spec.partner_output_share is None else spec.partner_output_share
    return Agreements(kind, city, tax, out, tuple(names))


def shared_tax(tax_by_park: np.ndarray, local_share: float, a: Agreements) -> np.ndarray:
    """万元 each park's host city owes its partner this year: the agreed share of the local tax."""
    return tax_by_park * local_share * a.tax_share * (a.kind != NONE)


def share(model) -> None:
    """C8, after the year's taxes reached the cities: each host city pays its co-built parks' partners
    their share of the tax, and their share of the output is tallied."""
    if not model.policy.C8.enabled:
        return
    pk, f, led = model.parks, model.firms, model.finance
    a = model.cobuild.padded(pk.n)
    alive = (f.state != EXITED) & (f.park >= 0)
    tax = np.bincount(f.park[alive], weights=f.tax[alive], minlength=pk.n).astype(float)
    output = np.bincount(f.park[alive], weights=f.output[alive], minlength=pk.n).astype(float)
    owed = shared_tax(tax, local_tax_share(model.world, model.year), a)
    host = pk.city[: pk.n]
    region = np.flatnonzero((a.kind == REGION) & (owed > 0))
    led.transfer("tax_shared", (CITY, host[region]), (CITY, a.city[region]), owed[region])
    out = np.flatnonzero(np.isin(a.kind, (OUTSIDE, FIRM)) & (owed > 0))
    led.book("partner_payout", CITY, host[out], owed[out])
    model.tally["c8_tax_shared"] += float(owed.sum())
    model.tally["c8_output_shared"] += float((output * a.output_share * (a.kind != NONE)).sum())


def credited_output(model, output: np.ndarray) -> dict[str, np.ndarray]:
    """Park panel columns: the output credited to the host (``output_credited``) and to the partner
    (``partner_output``), and the partner's name. Without C8 the host is credited with all."""
    a = model.cobuild.padded(len(output))
    share = a.output_share * (a.kind != NONE) * model.policy.C8.enabled
    return {"partner": np.array(a.partner, dtype=object), "output_credited": output * (1.0 - share),
            "partner_output": output * share}
