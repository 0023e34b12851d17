"""Mesa agents: the readable face of the model.

A :class:`Firm` or :class:`Park` is a view of one row of the model's column store, so the same state
is reachable agent by agent (for inspection, tests and the reference implementations) and column by
column (for the vectorised kernels). The :class:`Government` holds the budgets and applies the
government's rules through the rule-family modules. Firm agents are made on demand
(:class:`FirmAgents`): registering a Mesa agent per project costs more than the rest of a year's entry.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import mesa
import numpy as np
from mesa.agent import AgentSet

from .policy import LEVELS
from .state import EXITED, FIRM_STATES, PARK_STATUSES, live_rows


class _Column:
    """Attribute that reads and writes one column of the owner's table at the agent's row."""

    def __init__(self, table: str, column: str):
        self.table, self.name = table, column

    def __get__(self, agent, owner=None):
        if agent is None:
            return self
        return getattr(getattr(agent.model, self.table), self.name)[agent.row].item()

    def __set__(self, agent, value):
        getattr(getattr(agent.model, self.table), self.name)[agent.row] = value


def _firm(name: str) -> _Column:
    """A firm attribute stored in ``model.firms.<name>``."""
    return _Column("firms", name)


def _park(name: str) -> _Column:
    """A park attribute stored in ``model.parks.<name>``."""
    return _Column("parks", name)


class Firm(mesa.Agent):
    """An investment project and, once built, a producing firm (one row of ``model.firms``)."""

    sector = _firm("sector")
    park_index = _firm("park")
    state_code = _firm("state")
    investment = _firm("investment")          # 万元 of fixed investment planned
    intensity = _firm("intensity")            # 万元 per mu
    land = _firm("land")                      # mu granted
    land_pending = _firm("land_pending")      # mu still to be supplied in phases (L6)
    hightech = _firm("hightech")
    leading = _firm("leading")                # 龙头 firm
    entry_year = _firm("entry_year")
    capacity = _firm("capacity")              # 万元 of output a year at design capacity
    utilization = _firm("utilization")
    productivity = _firm("productivity")      # own TFP draw
    tfp = _firm("tfp")                        # this year's TFP: draw × learning × spillovers
    output = _firm("output")
    value_added = _firm("value_added")
    tax = _firm("tax")
    employment = _firm("employment")
    energy = _firm("energy")                  # tce a year
    pollution = _firm("pollution")
    profit = _firm("profit")
    capital = _firm("capital")
    efficiency_class = _firm("efficiency_class")  # V6: 0 A .. 3 D

    def __init__(self, model, row: int):
        super().__init__(model)
        self.row = row

    @property
    def state(self) -> str:
        """Build-out state name."""
        return FIRM_STATES[self.state_code]

    @property
    def age(self) -> int:
        """Years since the project entered."""
        return self.model.year - self.entry_year

    @property
    def park(self) -> Park | None:
        """The park the firm is in, or None outside any park."""
        p = self.park_index
        return None if p < 0 else self.model.park_agents[p]

    @property
    def suppliers(self) -> list[Firm]:
        """Firms that supply this one (live links)."""
        return [self.model.firm_agents[r] for r in self.model.links.suppliers_of(self.row)]

    @property
    def customers(self) -> list[Firm]:
        """Firms this one supplies (live links)."""
        return [self.model.firm_agents[r] for r in self.model.links.customers_of(self.row)]


class FirmAgents(Mapping):
    """``model.firm_agents``: the live firms as Mesa agents, keyed by firm row.

    Every live row (not exited) is a key; its :class:`Firm` is created and registered with Mesa the
    first time it is asked for and kept until the firm exits, so ``model.agents`` holds the parks, the
    government and the firms looked at so far. :meth:`agent_set` makes all of them, for Mesa's
    AgentSet operations on every firm. Making ~180k agents eagerly took longer than a province run's
    whole entry phase, and the kernels never use them.
    """

    def __init__(self, model):
        self.model = model
        self._made: dict[int, Firm] = {}

    def _live(self) -> np.ndarray:
        return self.model.firms.state != EXITED

    def __getitem__(self, row) -> Firm:
        row = int(row)
        agent = self._made.get(row)
        if agent is None:
            if row not in self:
                raise KeyError(row)
            agent = self._made[row] = Firm(self.model, row)
        return agent

    def __contains__(self, row) -> bool:
        f = self.model.firms
        return isinstance(row, int | np.integer) and 0 <= row < f.n and f.state[row] != EXITED

    def __iter__(self) -> Iterator[int]:
        return iter(np.flatnonzero(self._live()).tolist())

    def __len__(self) -> int:
        return int(self._live().sum())

    def forget(self, rows: np.ndarray) -> None:
        """Deregister the agents of firms ``rows`` that exit (those made so far)."""
        if self._made:
            for r in rows.tolist():
                agent = self._made.pop(r, None)
                if agent is not None:
                    agent.remove()

    def agent_set(self) -> AgentSet:
        """Every live firm as one Mesa AgentSet (creating the agents not made yet)."""
        return AgentSet([self[r] for r in self], random=self.model.random)


class Park(mesa.Agent):
    """An industrial park (one row of ``model.parks``)."""

    area = _park("area")                      # planned industrial area, mu
    reusable = _park("reusable")              # recovered land ready for reuse, mu
    infrastructure = _park("infrastructure")  # 0..1
    alive = _park("alive")
    urban = _park("urban")
    quota = _park("quota")                    # this year's land quota, mu
    land_income = _park("land_income")        # 万元, cumulative
    tax_returned = _park("tax_returned")      # 万元, cumulative (S4)
    funds = _park("funds")                    # 万元 received from special funds and rewards, cumulative
    score = _park("score")                    # latest evaluation score (V1)
    rank = _park("rank")                      # latest rank, 1 = best
    lon = _park("lon")                        # degrees; nan where the park's position is unknown
    lat = _park("lat")
    x = _park("x")                            # km east and north of the model's origin (places.project_km)
    y = _park("y")

    def __init__(self, model, row: int, name: str, city: str):
        super().__init__(model)
        self.row, self.name, self.city = row, name, city
        self.rank_history: list[int] = []
        self.status_history: list[str] = []

    @property
    def level(self) -> str:
        """County, city, provincial or national."""
        return LEVELS[self.model.parks.level[self.row]]

    @property
    def status(self) -> str:
        """Position on the sanction ladder (active, warned, …, revoked)."""
        return PARK_STATUSES[self.model.parks.status[self.row]]

    @property
    def leading_industries(self) -> tuple[str, ...]:
        """Declared leading industries (主导产业), as sector keys."""
        keys = self.model.sectors.keys
        return tuple(keys[s] for s in self.model.declared[self.row].nonzero()[0])

    @property
    def firms(self) -> list[Firm]:
        """Firms holding land in the park (not exited)."""
        rows = live_rows(self.model.firms)
        rows = rows[self.model.firms.park[rows] == self.row]
        return [self.model.firm_agents[r] for r in rows]

    def record_year(self) -> None:
        """Append this year's rank and status to the park's history."""
        self.rank_history.append(int(self.model.parks.rank[self.row]))
        self.status_history.append(self.status)


class Government(mesa.Agent):
    """The city or provincial government: quota, special funds, energy cap and the rules it applies."""

    def __init__(self, model, land_quota: float):
        super().__init__(model)
        self.land_quota = land_quota          # mu of new construction land a year
        self.fund_budget = model.policy.S1.budget if model.policy.S1.enabled else 0.0
        self.fund_paid_total = 0.0            # 万元 paid from the special fund since the start
        self.energy_cap = float("inf")        # tce a year (X5)
