"""Direction of effect for the parts of rules that had no same-seed test of their clause's intent (the
fidelity table, ODD §9): the rule on versus off, or a lever low versus high, on a tiny world. Each
assertion is strict, so it fails when the rule's effect is absent as well as when it is inverted."""

import numpy as np
import pytest
from conftest import run_model, small_world
from scipy.stats import spearmanr

from parksim.simulation import Policy
from parksim.simulation.state import EXITED, park_sector_counts

SEEDS = (1, 2, 3)
WORLD = small_world(years=5)
EVAL = Policy().set("V1", enabled=True)


@pytest.fixture(scope="module")
def runs():
    """``runs(name, policy, world)``: the models of ``SEEDS``, run once per name for the whole module."""
    cache = {}

    def get(name, policy, world=WORLD):
        if name not in cache:
            cache[name] = [run_model(world, policy, s) for s in SEEDS]
        return cache[name]
    return get


def mean(models, measure) -> float:
    return float(np.mean([measure(m) for m in models]))


def _rank_agreement(indicator):
    """Spearman correlation between the ranked parks' standing (1 = best) and ``indicator``."""
    def measure(m):
        ranked = m.parks.rank > 0
        return spearmanr(-m.parks.rank[ranked], m.last_indicators[indicator][ranked])[0]
    return measure


def test_V1_a_heavier_weight_ranks_parks_more_by_that_indicator(runs):
    """V1 (000 §(二十九); 004 §(二十二)): the ranking follows the weighted indicators, so moving weight
    from output to tax per mu makes the ranks agree more with tax per mu (lever high vs low)."""
    heavy = runs("V1 tax-heavy", Policy().set("V1", enabled=True, weights={"tax_per_mu": 0.8, "output": 0.2}))
    light = runs("V1 tax-light", Policy().set("V1", enabled=True, weights={"tax_per_mu": 0.2, "output": 0.8}))
    measure = _rank_agreement("tax_per_mu")
    assert mean(heavy, measure) > mean(light, measure)


def _entrants_in_declared_industry(m) -> float:
    """Share of the park entrants of the run whose sector their park declares."""
    f = m.firms
    rows = np.flatnonzero((f.entry_year > m.world.start_year) & (f.park >= 0))
    return float(m.declared[f.park[rows], f.sector[rows]].mean())


def test_S7_passing_projects_to_fitting_parks_raises_the_declared_industry_share_of_entrants(runs):
    """S7 按主导产业定位异地流转 (001 四(三)): projects whose first park does not declare their sector are
    passed to one that does, so more entrants settle in a declared industry of their park."""
    on = runs("S7", Policy().set("S7", enabled=True))
    off = runs("baseline", Policy())
    assert mean(on, _entrants_in_declared_industry) > mean(off, _entrants_in_declared_industry)
    assert min(m.recorder.outputs().series.projects_passed.sum() for m in on) > 0


def _largest_sector_declared(m) -> float:
    """Share of the live parks with firms whose largest sector (by live firms) is a declared one."""
    counts = park_sector_counts(m.firms, m.parks, m.sectors.n, m.firms.state != EXITED)
    live = m.parks.alive & (counts.sum(1) > 0)
    return float(m.declared[np.arange(m.parks.n), counts.argmax(1)][live].mean())


def test_V7_adjustment_re_declares_parks_largest_sectors(runs):
    """V7 调 (002 四(六)): at each plan adjustment parks re-declare their actual largest sectors, so more
    parks have their largest sector among their declared industries than without the adjustment."""
    on = runs("V7", EVAL.set("V7", enabled=True, period=2))
    off = runs("V1", EVAL)
    assert mean(on, _largest_sector_declared) > mean(off, _largest_sector_declared)


STALLING = small_world(years=5, start_prob=0.4, build_failure=0.15)


def test_X4_takeovers_put_stopped_firms_land_and_plant_back_to_use(runs):
    """X4 多兼并重组、少破产清算 (003 六(三)): stopped firms are taken over by healthy ones of their park and
    sector or resolved within the year, so more land is reused than when they linger to bankruptcy."""
    on = runs("X4 stalling", Policy().set("X4", enabled=True), STALLING)
    off = runs("baseline stalling", Policy(), STALLING)

    def reused(m):
        return float(m.recorder.outputs().series.land_reused.sum())

    def taken_over(m):
        return int((m.recorder.outputs().events.kind == "taken_over").sum())
    assert mean(on, reused) > mean(off, reused)
    assert min(map(taken_over, on)) > 0 == max(map(taken_over, off))
