"""Competition for investors and S7's cap: figures for the race to the bottom (ODD §7.19).

Runs the default synthetic province (20 parks, 20 years) with S7 off and on, same seeds, once with
the default world (the cities' cash backs the offers: budgets do not bind) and once with offers held
to a twentieth of the money (``offer_budget_share`` 0.025), and prints the offers at the end, what
parks paid on them, investment kept and lost, and the public accounts (finance ledger). Run with
``python benchmarks/bench_competition.py``; asserts nothing.
"""

from __future__ import annotations

import numpy as np

from parksim.simulation import ParkModel, Policy, WorldConfig

SEEDS = (1, 2, 3)
POLICY = Policy.from_dict({rid: {"enabled": True} for rid in ("L8", "S1", "S4", "S5", "S8")})   # S8: platforms borrow
WORLDS = {"default budgets": WorldConfig(), "tight budgets": WorldConfig(offer_budget_share=0.025)}
FIGURES = ("offer_factor_mean", "offer_subsidy_mean", "offer_rebate_mean", "offer_effort_mean", "fin_cash",
           "fin_debt")
TOTALS = ("offer_subsidies", "offer_rebates", "attraction_effort", "offer_claims_unpaid", "projects_passed",
          "tax_shared", "invest_created_wan", "invest_lost_wan", "entries", "projects_lost", "land_income",
          "subsidies_paid", "tax", "fin_income", "fin_spending", "fin_instrument_cost", "fin_debt_service")


def run(world: WorldConfig, policy: Policy, seed: int) -> dict[str, float]:
    model = ParkModel(world, policy, rng=seed)
    for _ in range(world.years):
        model.step()
    s = model.recorder.outputs().series
    out = {k: float(s[k].iloc[-1]) for k in FIGURES}
    out.update({k: float(s[k].sum()) for k in TOTALS})
    model.release()
    return out


def main() -> None:
    for label, world in WORLDS.items():
        rows = {}
        for name, policy in (("S7 off", POLICY), ("S7 on", POLICY.set("S7", enabled=True))):
            runs = [run(world, policy, seed) for seed in SEEDS]
            rows[name] = {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}
        print(f"\n{label}: mean of seeds {SEEDS}, {world.years} years (offers, cash, debt: last year; the rest: totals)")
        print(f"{'':24s}{'S7 off':>16s}{'S7 on':>16s}{'on/off':>9s}")
        for key in rows["S7 off"]:
            off, on = rows["S7 off"][key], rows["S7 on"][key]
            ratio = f"{on / off:9.2f}" if off else f"{'':9s}"
            print(f"{key:24s}{off:16,.3f}{on:16,.3f}{ratio}")


if __name__ == "__main__":
    main()
