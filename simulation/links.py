"""The supply network: supplier → customer links between firms, formed along input-output links.

Links are stored as edge arrays (supplier row, customer row, alive) because the yearly metrics and
the production kernel read them as arrays; :meth:`SupplyLinks.to_networkx` gives the same network as
a ``networkx.DiGraph`` for users and for the tests that check the array metrics against networkx.
"""

from __future__ import annotations

import networkx as nx
import numpy as np


class SupplyLinks:
    """Growable edge list over firm rows; a link dies when either end exits."""

    def __init__(self):
        self.src = np.zeros(0, np.int64)
        self.dst = np.zeros(0, np.int64)
        self.alive = np.zeros(0, bool)

    def add(self, src: np.ndarray, dst: np.ndarray) -> None:
        """Append links supplier ``src[i]`` → customer ``dst[i]``."""
        self.src = np.concatenate([self.src, src])
        self.dst = np.concatenate([self.dst, dst])
        self.alive = np.concatenate([self.alive, np.ones(len(src), bool)])

    def drop_firms(self, exited: np.ndarray) -> None:
        """Kill every link touching a firm whose row is flagged in the boolean mask ``exited``."""
        self.alive &= ~(exited[self.src] | exited[self.dst])

    def live(self) -> tuple[np.ndarray, np.ndarray]:
        """Supplier and customer rows of the live links."""
        return self.src[self.alive], self.dst[self.alive]

    def suppliers_of(self, row: int) -> np.ndarray:
        return self.src[self.alive & (self.dst == row)]

    def customers_of(self, row: int) -> np.ndarray:
        return self.dst[self.alive & (self.src == row)]

    def to_networkx(self, node_attrs: dict[str, np.ndarray], rows: np.ndarray) -> nx.DiGraph:
        """The live network among ``rows`` as a DiGraph, nodes carrying ``node_attrs[name][row]``."""
        g = nx.DiGraph()
        g.add_nodes_from((int(r), {k: v[r].item() for k, v in node_attrs.items()}) for r in rows)
        src, dst = self.live()
        keep = np.isin(src, rows) & np.isin(dst, rows)
        g.add_edges_from(zip(src[keep].tolist(), dst[keep].tolist()))
        return g


def form_links(new_rows: np.ndarray, sector: np.ndarray, park: np.ndarray, producing: np.ndarray,
               io: np.ndarray, links_per_firm: int, local_preference: float,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Suppliers for firms that just started producing (vectorised over all of them).

    For each new firm ``links_per_firm`` supplier sectors are drawn in proportion to the firm's input
    coefficients ``io[:, s]``; with probability ``local_preference`` the supplier is drawn among
    producing firms of that sector in the firm's own park (if any), otherwise among all producing
    firms of that sector. Returns (supplier rows, customer rows), self-links removed.
    """
    if len(new_rows) == 0 or links_per_firm == 0 or len(producing) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    customers = np.repeat(new_rows, links_per_firm)
    cust_sector = sector[customers]
    weights = io[:, cust_sector].T                              # (L, S) input requirements
    totals = weights.sum(1)
    has_inputs = totals > 0
    cum = np.cumsum(weights, 1) / np.where(has_inputs, totals, 1)[:, None]
    sup_sector = (rng.random(len(customers))[:, None] > cum).sum(1).clip(0, io.shape[0] - 1)
    want_local = rng.random(len(customers)) < local_preference
    u = rng.random(len(customers))
    n_sec = io.shape[0]
    # Groups of producing firms keyed by (park, sector) and by sector alone, as sorted runs.
    chosen = np.full(len(customers), -1, np.int64)
    local_key = (park[producing].astype(np.int64) + 1) * n_sec + sector[producing]
    want_key = (park[customers].astype(np.int64) + 1) * n_sec + sup_sector
    pick_local = want_local & (park[customers] >= 0)
    chosen = np.where(pick_local, _draw_from_groups(producing, local_key, want_key, u), chosen)
    need = chosen < 0
    global_pick = _draw_from_groups(producing, sector[producing].astype(np.int64), sup_sector, u)
    chosen = np.where(need, global_pick, chosen)
    ok = has_inputs & (chosen >= 0) & (chosen != customers)
    return chosen[ok], customers[ok]


def _draw_from_groups(members: np.ndarray, member_key: np.ndarray, want_key: np.ndarray,
                      u: np.ndarray) -> np.ndarray:
    """For each wanted key, a member with that key chosen by uniform ``u`` (-1 where there is none)."""
    n = len(member_key)
    order = np.sort(member_key * n + np.arange(n)) % n          # a stable argsort, as one (much faster) sort
    keys = member_key[order]
    start = np.searchsorted(keys, want_key, "left")
    stop = np.searchsorted(keys, want_key, "right")
    count = stop - start
    idx = start + np.minimum((u * count).astype(np.int64), np.maximum(count - 1, 0))
    return np.where(count > 0, members[order][np.minimum(idx, len(keys) - 1)], -1)
