"""Print, for the five document scenarios, the share of arriving projects each rule turned away and
where they went (issue 12's closing note): seeds 0-1, counted over the years the document's rules act
(after its start year) up to its last target year; the burn-in before it runs without the rules.

    python benchmarks/refusals_by_rule.py
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from parksim.experiments.refusals import refusal_shares
from parksim.scenarios.loader import load_scenario
from parksim.scenarios.targets import read_targets
from parksim.simulation.run import simulate

DOCUMENTS = ("nanyang_2009", "xuchang_2012", "lanzhou_2012", "chizhou_2015", "henan_2017")
SEEDS = (0, 1)


def document_table(name: str) -> pd.DataFrame:
    """The refusal shares of one document scenario over SEEDS, from its start year on."""
    s = load_scenario(name)
    last = max(read_targets()[t].year for t in s.targets)
    world = dataclasses.replace(s.world, years=last - s.world.start_year)
    tables = [simulate(world, s.policy, seed=seed).investment for seed in SEEDS]
    return refusal_shares(pd.concat(tables), since=s.document_start + 1).assign(scenario=name)


def main() -> None:
    out = pd.concat([document_table(name) for name in DOCUMENTS], ignore_index=True)
    cols = ["scenario", "rule", "arrived", "refused", "densified", "next_park", "outside", "left"]
    with pd.option_context("display.width", 200, "display.max_rows", 200, "display.float_format", "{:.3f}".format):
        print(out[cols].to_string(index=False))


if __name__ == "__main__":
    main()
