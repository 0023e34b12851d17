"""Invariants, determinism and outputs of whole runs."""

import numpy as np
import pandas as pd
import pytest
from conftest import (
    EVERYTHING_ON,
    assert_land_accounts,
    assert_money_accounts,
    assert_population_accounts,
    mean_over_seeds,
    run_model,
    small_world,
)

from parksim.simulation import Policy, simulate
from parksim.simulation.firm_exit import exit_firms
from parksim.simulation.state import BUILDING, EXITED, GRANTED, PRODUCING, STOPPED


@pytest.mark.parametrize("seed", [11, 12, 13])
@pytest.mark.parametrize("policy", [Policy(), EVERYTHING_ON], ids=["baseline", "all_rules"])
def test_land_and_money_accounts(seed, policy):
    """Granted ≤ area per park; built + construction + idle = granted; awards ≤ budget; flows add up."""
    m = run_model(small_world(years=8, new_parks_per_year=0.5), policy, seed)
    assert_land_accounts(m)
    assert_money_accounts(m)


@pytest.mark.parametrize("policy", [Policy(), EVERYTHING_ON], ids=["baseline", "all_rules"])
def test_entries_and_exits_match_population_change(policy):
    """Firms alive at the end = firms at the start + entries − exits."""
    assert_population_accounts(run_model(small_world(years=8), policy, 5))


def test_same_seed_same_outputs_different_seed_different():
    """Determinism: identical outputs for one seed; a different seed differs."""
    world = small_world(years=6)
    a, b, c = (simulate(world, EVERYTHING_ON, seed=s) for s in (3, 3, 4))
    for name in ("series", "parks", "events"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert not a.series.equals(c.series)


def test_finished_runs_are_not_kept_alive_by_mesa():
    """simulate releases its model from Mesa's class-level id counter (thousands of runs per worker)."""
    import mesa
    before = len(mesa.Agent._ids)
    simulate(small_world(years=2), Policy(), seed=1)
    assert len(mesa.Agent._ids) == before


def test_numpy_integer_seed_gives_the_same_run_as_int():
    """A seed read back from Parquet (np.int64) reproduces the run of the same Python int."""
    world = small_world(years=4)
    a, b = (simulate(world, EVERYTHING_ON, seed=s) for s in (7, np.int64(7)))
    pd.testing.assert_frame_equal(a.series, b.series)


def test_states_follow_build_out_order():
    """No firm produces before being built: producing firms entered at least build_years ago."""
    world = small_world(years=8, build_years=2)
    m = run_model(world, Policy(), 2)
    f = m.firms
    new = (f.entry_year > world.start_year) & (f.state == PRODUCING)
    assert (m.year - f.entry_year[new] >= 2).all()
    assert set(np.unique(f.state)) <= {GRANTED, BUILDING, PRODUCING, STOPPED, EXITED}


def test_outputs_have_documented_tables():
    """simulate returns yearly series, a park panel, snapshots and events with rule ids."""
    world = small_world(years=5)
    out = simulate(world, EVERYTHING_ON, seed=1, snapshot_years=(2012, 2015))
    assert len(out.series) == world.years + 1
    assert len(out.parks) == (world.years + 1) * out.parks.park.nunique()
    assert set(out.firms.year.unique()) == {2012, 2015}
    assert {"entry", "year", "rule"} <= set(out.events.kind) | set(out.events.columns)
    for column in ("eg_gamma_mean", "chain_completeness", "local_sourcing", "network_density", "tax_per_mu",
                   "investment_intensity", "land_idle", "parks_revoked_total", "subsidies_paid"):
        assert column in out.series


def test_supply_network_is_a_digraph_of_live_firms():
    """The supply network comes out as a networkx DiGraph whose nodes are live firms."""
    m = run_model(small_world(years=4), Policy(), 1)
    g = m.supply_network()
    assert g.number_of_edges() > 0
    assert all(m.firms.state[n] != EXITED for n in g.nodes)
    assert all(m.firms.sector[u] != -1 for u, _ in g.edges)


def test_model_requires_a_seed():
    """An unseeded model is refused: runs must be reproducible."""
    from parksim.simulation import ParkModel
    with pytest.raises(ValueError, match="rng"):
        ParkModel(small_world(), Policy())


def test_agents_are_views_of_the_column_store():
    """A Firm and its Park read the model's arrays: state, age, park, level, industries, suppliers."""
    m = run_model(small_world(years=3), Policy(), 1)
    row = int(np.flatnonzero((m.firms.state == PRODUCING) & (m.firms.park >= 0))[0])
    firm = m.firm_agents[row]
    assert firm.state == "producing" and firm.sector == m.firms.sector[row]
    assert firm.age == m.year - m.firms.entry_year[row]
    park = firm.park
    assert park.row == m.firms.park[row] and park.level in ("county", "city", "provincial", "national")
    assert firm in park.firms
    assert all(s.model is m for s in firm.suppliers)
    firm.utilization = 0.5
    assert m.firms.utilization[row] == 0.5


def test_firm_agents_are_made_on_demand_and_leave_mesa_when_the_firm_exits():
    """Firm agents are Mesa agents of the live rows, made when asked for; an exit deregisters them."""
    from parksim.simulation.agents import Firm
    m = run_model(small_world(years=2), Policy(), 1)
    live = np.flatnonzero(m.firms.state != EXITED)
    assert list(m.firm_agents) == live.tolist() and EXITED not in m.firms.state[list(m.firm_agents)]
    firm = m.firm_agents[live[0]]
    assert firm in m.agents and m.firm_agents[live[0]] is firm
    everyone = m.firm_agents.agent_set()
    assert len(everyone) == len(live) and len(m.agents_by_type[Firm]) == len(live)
    exit_firms(m, np.arange(m.firms.n) == live[0], "bankrupt", "")
    assert firm not in m.agents and live[0] not in m.firm_agents
    with pytest.raises(KeyError):
        m.firm_agents[live[0]]


def test_more_equity_at_entry_means_fewer_exits():
    """equity_share is the buffer a loss-making firm burns before it stops: more of it, fewer exits."""
    exits = {e: mean_over_seeds(small_world(equity_share=e), Policy(),
                                lambda m: sum(r["exits"] for r in m.recorder.series))
             for e in (0.0, 0.5)}
    assert exits[0.5] < 0.8 * exits[0.0]
