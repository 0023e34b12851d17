"""Per-rule refusal accounting: the rule that turned each project away is booked where it refused, and
experiments.refusals gives each rule's share of arriving projects and where they went."""

import numpy as np
import pandas as pd
from conftest import run_model, small_world

from parksim.experiments.refusals import refusal_shares
from parksim.simulation import Policy
from parksim.simulation.investment import ADAPTATIONS, MOBILE, REFUSALS, InvestmentLedger


def _hand_table(with_column=True):
    """Two runs of one scenario: 10 + 10 projects arrive (created, diverted, lost), refused as below."""
    rows = []
    for run in (0, 1):
        rows += [(run, 2012, "region", "region", "created", 6, ""), (run, 2012, "region", "region", "diverted", 1, ""),
                 (run, 2012, "region", "region", "lost", 3, ""), (run, 2012, "region", "region", "arrivals", 12, ""),
                 (run, 2012, "region", "region", "relocated", 2, ""),
                 (run, 2012, "region", "region", "left", 3, "E1"), (run, 2012, "region", "region", "densified", 1, "E1"),
                 (run, 2012, "region", "region", "next_park", 1, "C2"), (run, 2012, "park", "p0", "lost", 3, "")]
    t = pd.DataFrame(rows, columns=["run", "year", "unit", "id", "kind", "count", "refused_by"])
    t["scenario"] = "doc"
    return t if with_column else t.drop(columns="refused_by")


def test_refusal_shares_hand_case():
    """E1 turned away 8 of 20 projects (2 densified, 6 left), C2 2 of 20 (to another park); relocations
    and park rows are not arrivals; the shares of where they went sum to the refused share."""
    out = refusal_shares(_hand_table(), by=("scenario",)).set_index("rule")
    assert list(out.index) == ["E1", "C2"]
    assert (out["arrived"] == 20).all()
    assert np.allclose(out.loc["E1", ["refused", "densified", "next_park", "outside", "left"]], [0.4, 0.1, 0, 0, 0.3])
    assert np.allclose(out.loc["C2", ["refused", "next_park"]], [0.1, 0.1])


def test_refusal_shares_of_a_table_without_the_column():
    """An investment table stored before refused_by existed reads as refusals by an unknown rule."""
    out = refusal_shares(_hand_table(with_column=False))
    assert list(out["rule"]) == ["?"] and np.isclose(out["refused"].iloc[0], 0.5)


def test_refusal_shares_since_a_year():
    """Years before ``since`` are left out (the burn-in before the document's start year)."""
    assert refusal_shares(_hand_table(), since=2013).empty


def test_ledger_table_splits_adaptations_by_rule():
    """The region's adaptation rows are split by refused_by; their counts still sum to the adaptations."""
    led = InvestmentLedger()
    led.begin_year(2011)
    amount = np.ones(4)
    led.arrive(amount)
    e1, s7 = REFUSALS.index("E1"), REFUSALS.index("S7")
    led.book_projects(amount, source=[MOBILE] * 4, origin=[-1] * 4, to_park=[0, 0, 1, -1], to_place=[0, 0, 1, -1],
                      adaptation=[0, 1, 2, 4], refused_park=[-1, 0, 0, 0], left=np.array([False, False, False, True]),
                      firm=[1, 2, 3, -1], refused_by=[0, e1, s7, e1])
    t = led.table(["p0", "p1"], ["q0", "q1"])
    region = t[(t.unit == "region") & t.kind.isin(ADAPTATIONS)]
    assert sorted(zip(region.kind, region.refused_by)) == [("densified", "E1"), ("left", "E1"), ("next_park", "S7")]
    assert (t.loc[~t.kind.isin(ADAPTATIONS), "refused_by"] == "").all()


def test_every_refused_project_names_a_rule_and_no_other_does():
    """With entry and land rules on, each project that adapted has a refusing rule, one that took its
    first choice has none, and projects that built denser in the park they chose first were refused by E1."""
    policy = Policy().set("E1", enabled=True).set("E3", enabled=True).set("L2", enabled=True).set("E4", enabled=True)
    b = run_model(small_world(years=5), policy, 1).investment.bookings()
    b = b[b.account != 2]                                          # relocations are not refused
    assert ((b.refused_by > 0) == (b.adaptation > 0)).all()
    at_first = (b.adaptation == 1) & (b.refused_park == b.to_park)
    assert at_first.any() and (b.loc[at_first, "refused_by"] == REFUSALS.index("E1")).all()
    named = set(np.array(REFUSALS)[b.refused_by.unique()])
    assert {"E1", "L2"} <= named


def test_a_densified_project_that_nothing_refused_is_E1s():
    """A project whose first choice was to leave but that settled in a park by building denser counts as
    E1's (E1's standard, met by building denser, made the park its best option); first choices keep none."""
    from parksim.simulation.investment import _adapted_why
    e1, l2 = REFUSALS.index("E1"), REFUSALS.index("L2")
    got = _adapted_why(np.array([0, 1, 1, 2, 4]), np.array([0, 0, l2, l2, 0]))
    assert got.tolist() == [0, e1, l2, l2, 0]
