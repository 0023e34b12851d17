"""Column stores for firm and park state: the arrays the vectorised kernels work on.

Each Mesa agent is a view of one row (see :mod:`parksim.simulation.agents`); the kernels read and write
whole columns at once. Tables grow by doubling so appending a year's entrants is cheap.
"""

from __future__ import annotations

import numpy as np

# Firm build-out states (rulebook: land granted → under construction → producing → idle/stopped → exited).
GRANTED, BUILDING, PRODUCING, STOPPED, EXITED = range(5)
FIRM_STATES = ("granted", "construction", "producing", "stopped", "exited")

# Park status ladder (V5 有升有退); REVOKED is final.
ACTIVE, WARNED, NOTICE, DEADLINE, AREA_CUT, REVOKED = range(6)
PARK_STATUSES = ("active", "warned", "notice", "deadline", "area_cut", "revoked")


class Table:
    """A growable struct of arrays; ``COLUMNS`` maps a column name to its dtype."""

    COLUMNS: dict[str, str] = {}
    FILL: dict[str, int] = {}     # value of a column that ``append`` is not given (default 0)

    def __init__(self, capacity: int = 1024):
        self.n = 0
        self._cap = max(int(capacity), 16)
        self._data = {name: np.zeros(self._cap, dtype) for name, dtype in self.COLUMNS.items()}

    def __init_subclass__(cls, **kwargs):
        """A read-only property per column, the live rows of its array: a year reads columns tens of
        thousands of times, and a property is several times cheaper than a ``__getattr__`` fallback."""
        super().__init_subclass__(**kwargs)
        for name in cls.COLUMNS:
            setattr(cls, name, property(lambda self, name=name: self._data[name][: self.n],
                                        doc=f"the ``{name}`` column of the live rows"))

    def append(self, count: int, **values) -> np.ndarray:
        """Add ``count`` rows, set the given columns (others zero), and return the new row indices."""
        if self.n + count > self._cap:
            while self.n + count > self._cap:
                self._cap *= 2
            for name, arr in self._data.items():
                grown = np.zeros(self._cap, arr.dtype)
                grown[: self.n] = arr[: self.n]
                self._data[name] = grown
        rows = np.arange(self.n, self.n + count)
        self.n += count
        for name, value in {**self.FILL, **values}.items():
            self._data[name][rows] = value
        return rows


class FirmTable(Table):
    """State of every firm ever created (exited firms keep their row, state EXITED)."""

    COLUMNS = {
        "sector": "i2", "park": "i4", "state": "i1", "entry_year": "i4", "state_year": "i4",
        "grant_year": "i4", "investment": "f8", "intensity": "f8", "land": "f8", "land_pending": "f8",
        "land_price": "f8", "hightech": "?", "leading": "?", "build_left": "i2", "capacity": "f8",
        "utilization": "f8", "productivity": "f8", "margin": "f8", "output": "f8",
        "value_added": "f8", "tax": "f8", "employment": "f8", "energy": "f8", "pollution": "f8",
        "profit": "f8", "capital": "f8", "loss_years": "i2", "low_tax_years": "i2",
        "subsidy": "f8", "efficiency_class": "i1", "has_local_partner": "?",
        "place": "i4", "tfp": "f8",
        # Investment sources (investment.py): origin place row (-1 = from outside the region) and
        # source 0 initial, 1 mobile, 2 start-up, 3 expansion.
        "origin": "i4", "source": "i1",
        # Relocation and the growth decomposition (relocation.py, observe.growth_decomposition):
        # the year of a firm's L10 move plan (0: none yet, -1: not covered), and where it stood and
        # what it produced when last recorded.
        "move_year": "i4", "last_output": "f8", "last_park": "i4", "last_place": "i4",
        # rules2, L7: floor rented in the park's standard factories (m²; such a firm holds no land)
        "floor_m2": "f8",
        # Competition (competition.py): the park's offer a firm entered under (own subsidy rate, zeroed
        # once paid; tax rebate share) and the park that passed it on under S7 (-1: none).
        "offer_subsidy": "f8", "offer_rebate": "f8", "tax_sharer": "i4",
    }
    FILL = {"origin": -1, "tax_sharer": -1}


class ParkTable(Table):
    """State of every park (merged or withdrawn parks keep their row with ``alive`` false)."""

    COLUMNS = {
        "level": "i1", "area": "f8", "reusable": "f8", "infrastructure": "f8", "status": "i1",
        "alive": "?", "city": "i4", "place": "i4", "urban": "?", "lon": "f8", "lat": "f8",
        "x": "f8", "y": "f8", "blocks": "i2",
        "quota": "f8", "land_income": "f8", "tax_returned": "f8",
        "funds": "f8", "base_tax": "f8", "score": "f8", "rank": "i4",
        "top_streak": "i2", "slow_streak": "i2", "rewarded": "?", "upgraded_year": "i4",
        "emission_quota": "f8", "last_output": "f8", "last_pollution": "f8",
        "expansions": "i2",
        # Local-government finance (finance.py, ODD §7.18): the park's account (management committee with
        # its platform company, S8) — cash and debt stocks (万元), the platform's injected capital, its
        # borrowing limit and this year's debt service, the share of last year's award claims paid, mu
        # of its area already converted and prepared (征地, 七通一平), and last year's tax (S4 环比 base).
        "cash": "f8", "debt": "f8", "capital": "f8", "debt_limit": "f8", "debt_service": "f8",
        "award_coverage": "f8", "converted": "f8", "last_tax": "f8",
        # gaps (issue 12 §1.2, E4): energy use of the park's producers last year, for 003 六(一)'s
        # 能源消费存量削减量 (the cut that earns freed emission quota)
        "last_energy": "f8",
        # rules2, L7 standard factories (factories.py): floor stock (m²), land under it (mu), rent received (万元)
        "factory_m2": "f8", "factory_land": "f8", "factory_rent": "f8",
        # Competition for investors (competition.py, ODD §7.19): this year's offer (land price factor,
        # own subsidy rate, tax rebate share, 招商 effort 万元/yr), last year's share of the region's park
        # investment, and money paid on offers and tax received under S7's sharing (万元, cumulative).
        "offer_factor": "f8", "offer_subsidy": "f8", "offer_rebate": "f8", "offer_effort": "f8",
        "invest_share": "f8", "offer_spent": "f8", "tax_shared_in": "f8",
    }
    FILL = {"award_coverage": 1, "offer_factor": 1.0}


def set_state(firms: FirmTable, rows: np.ndarray, state: int, year: int) -> None:
    """Move firms to a build-out state, noting the year (ages and deadlines count from it)."""
    firms.state[rows] = state
    firms.state_year[rows] = year


# Queries over the tables (were ParkModel methods): the phases and observers share them.

def rows_in(firms: FirmTable, state: int) -> np.ndarray:
    """Firm rows in a build-out state."""
    return np.flatnonzero(firms.state == state)


def live_rows(firms: FirmTable) -> np.ndarray:
    """Firm rows that have not exited."""
    return np.flatnonzero(firms.state != EXITED)


def park_sum(firms: FirmTable, parks: ParkTable, values: np.ndarray, live_only: bool = False) -> np.ndarray:
    """Sum a firm column by park (firms outside parks excluded)."""
    rows = np.flatnonzero((firms.park >= 0) & (firms.state != EXITED) if live_only else firms.park >= 0)
    # bincount of no firms at all returns integers whatever the weights: keep sums float.
    return np.bincount(firms.park[rows], weights=values[rows], minlength=parks.n).astype(float, copy=False)


def granted_by_park(firms: FirmTable, parks: ParkTable) -> np.ndarray:
    """Mu granted to live firms, and under the park's standard factories (L7), per park."""
    return park_sum(firms, parks, firms.land, live_only=True) + parks.factory_land


def park_intensity(firms: FirmTable, parks: ParkTable) -> np.ndarray:
    """Investment per mu of granted land, per park (0 for empty parks)."""
    land_ = granted_by_park(firms, parks)
    inv = park_sum(firms, parks, firms.investment * (firms.land > 0), live_only=True)
    return np.divide(inv, land_, out=np.zeros_like(inv), where=land_ > 0)


def open_parks(parks: ParkTable) -> np.ndarray:
    """Parks that may take new firms: alive and not revoked (V4, V5)."""
    return parks.alive & (parks.status != REVOKED)


def park_sector_counts(firms: FirmTable, parks: ParkTable, n_sec: int, state_mask: np.ndarray) -> np.ndarray:
    """(P, S) firm counts by park and sector for firms in ``state_mask``."""
    rows = np.flatnonzero(state_mask & (firms.park >= 0))
    return np.bincount(firms.park[rows] * n_sec + firms.sector[rows], minlength=parks.n * n_sec).reshape(parks.n, n_sec)


def leading_share(firms: FirmTable, parks: ParkTable, declared: np.ndarray) -> np.ndarray:
    """Share of each park's output in its declared leading industries (``declared``: (P, S) booleans)."""
    n_sec = declared.shape[1]
    rows = np.flatnonzero((firms.state == PRODUCING) & (firms.park >= 0))     # index once, not per column
    cell = np.bincount(firms.park[rows] * n_sec + firms.sector[rows], weights=firms.output[rows],
                       minlength=parks.n * n_sec).reshape(parks.n, n_sec)
    total = cell.sum(1)
    return np.divide((cell * declared).sum(1), total, out=np.zeros(parks.n), where=total > 0)
