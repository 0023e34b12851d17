"""Productivity that evolves: learning by age and knowledge spillovers that decay with distance.

A producing firm's TFP this year (issue 10 §5) is its own draw × learning by age × spillovers:

``tfp_i = productivity_i · (1 + λ·(1 − exp(−age_i/τ))) · (1 + θ·ln(1 + S_i / S_ref))``

``S_i = Σ_j m_j · exp(−d_ij / δ) · R[s_j, s_i]`` over the other producers j within ``cutoff`` km, where
``m_j`` is j's own output before externalities (capacity × utilisation × own draw × learning),
``d_ij`` the great-circle distance between their positions and ``R = own·I + io·(A + Aᵀ)`` (diagonal of
the IO part left out) the relatedness of the source's sector to the receiver's: the same sector
counts ``own``, a supplier or customer sector in proportion to its input-output coefficients.

A firm sits at its park's position, a firm outside parks at its place's; a firm with neither gives
and receives nothing. Firms at one position share a *node*, so the kernel works on (node, sector)
sums and a sparse node × node matrix of the pairs within the cut-off: linear in firms, and for a
fixed radius about linear in nodes. Never an all-pairs firm matrix.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from .places import EARTH_RADIUS_KM, haversine_km


@dataclass(frozen=True)
class SpilloverParams:
    """The world's learning and spillover parameters (``WorldConfig``, block "Productivity and spillovers")."""

    learning_gain: float        # λ: TFP gain of a fully experienced firm over its first year
    learning_years: float       # τ: years over which 63 % of the learning gain is made
    elasticity: float           # θ: TFP gain per log unit of related output nearby
    reference_output: float     # S_ref, 万元/year
    decay_km: float             # δ
    cutoff_km: float
    own_weight: float           # R's diagonal: same-sector sources
    io_weight: float            # R's off-diagonal: × (A + Aᵀ)

    @classmethod
    def of(cls, world) -> SpilloverParams:
        """The parameters of a ``WorldConfig``."""
        return cls(world.learning_gain, world.learning_years, world.spillover_elasticity,
                   world.spillover_reference_output, world.spillover_decay_km, world.spillover_cutoff_km,
                   world.spillover_own_weight, world.spillover_io_weight)


def learning(age, gain: float, years: float) -> np.ndarray:
    """Learning-by-doing factor ``1 + gain·(1 − exp(−age/years))`` of firms ``age`` years into production."""
    return 1.0 + gain * -np.expm1(-np.maximum(np.asarray(age, dtype=float), 0.0) / years)


def relatedness(io: np.ndarray, own_weight: float, io_weight: float) -> np.ndarray:
    """(S, S) weight R[q, s] of a source in sector q for a receiver in sector s: ``own_weight`` on the
    diagonal, ``io_weight · (A[q, s] + A[s, q])`` off it (supplier and customer ties alike)."""
    r = io_weight * (io + io.T)
    np.fill_diagonal(r, own_weight)
    return r


def spillover_factor(pool: np.ndarray, elasticity: float, reference_output: float) -> np.ndarray:
    """TFP multiplier ``1 + θ·ln(1 + S / S_ref)`` of a spillover pool S (万元/year of weighted output)."""
    return 1.0 + elasticity * np.log1p(pool / reference_output)


def node_positions(park_lon: np.ndarray, park_lat: np.ndarray, places) -> tuple[np.ndarray, np.ndarray]:
    """lon, lat of the nodes: the parks (rows 0..P−1), then ``places`` in row order (NaN where unknown)."""
    place_lon = [np.nan if p.lon is None else p.lon for p in places]
    place_lat = [np.nan if p.lat is None else p.lat for p in places]
    return np.concatenate([park_lon, place_lon]), np.concatenate([park_lat, place_lat])


def firm_nodes(park: np.ndarray, place: np.ndarray, n_parks: int) -> np.ndarray:
    """Node of each firm: its park (rows 0..P−1) if in one, else its place (row P + place), else −1."""
    return np.where(park >= 0, park, np.where(place >= 0, n_parks + place, -1))


def _unit_xyz(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lon, lat = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def spillover_pool(node: np.ndarray, sector: np.ndarray, mass: np.ndarray, node_lon: np.ndarray,
                   node_lat: np.ndarray, related: np.ndarray, decay_km: float, cutoff_km: float) -> np.ndarray:
    """S_i of every firm, through (node, sector) sums and sparse node pairs. A firm whose node is −1 or
    has no position (NaN) neither gives nor receives: its S is 0.

    Positions go on the unit sphere, so the k-d tree's chord distance maps exactly to the great-circle
    distance (the same as :func:`places.haversine_km`, at any scale, where a plane projection about one
    origin would stretch distances far from it). Each firm's own contribution (distance 0) is removed.
    """
    n_sec = related.shape[0]
    pool = np.zeros(len(node))
    known = np.isfinite(node_lon) & np.isfinite(node_lat)
    ok = (node >= 0) & known[np.maximum(node, 0)]
    if not ok.any():
        return pool
    present = np.bincount(node[ok], minlength=len(known)) > 0          # np.unique's result without its sort
    used, local = np.flatnonzero(present), (np.cumsum(present) - 1)[node[ok]]
    mass_ok, sec_ok = mass[ok], sector[ok]
    at_node = np.bincount(local * n_sec + sec_ok, weights=mass_ok, minlength=len(used) * n_sec)
    weighted = at_node.reshape(len(used), n_sec) @ related            # (U, S): related mass at each node
    received = _node_weights(node_lon[used], node_lat[used], decay_km, cutoff_km) @ weighted      # (U, S)
    own = mass_ok * related[sec_ok, sec_ok]
    pool[ok] = np.maximum(received[local, sec_ok] - own, 0.0)
    return pool


def _node_weights(lon: np.ndarray, lat: np.ndarray, decay_km: float, cutoff_km: float) -> sparse.csr_matrix:
    """(U, U) sparse weights exp(−d/decay) of the node pairs within ``cutoff_km``. The nodes that hold firms
    rarely change from one year to the next, so the last matrix is kept and made again only when they do."""
    key = (lon.tobytes(), lat.tobytes(), decay_km, cutoff_km)
    held, w = _WEIGHTS["held"]
    if held == key:
        return w
    tree = cKDTree(_unit_xyz(lon, lat))
    chord = 2.0 * np.sin(min(cutoff_km / (2.0 * EARTH_RADIUS_KM), np.pi / 2))
    pairs = tree.sparse_distance_matrix(tree, chord * (1 + 1e-12), output_type="ndarray")
    dist = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(pairs["v"] / 2.0, 1.0))
    keep = dist <= cutoff_km
    w = sparse.csr_matrix((np.exp(-dist[keep] / decay_km), (pairs["i"][keep], pairs["j"][keep])),
                          shape=(len(lon), len(lon)))
    _WEIGHTS["held"] = (key, w)
    return w


_WEIGHTS = {"held": (None, None)}


def spillover_pool_reference(node: np.ndarray, sector: np.ndarray, mass: np.ndarray, node_lon: np.ndarray,
                             node_lat: np.ndarray, related: np.ndarray, decay_km: float,
                             cutoff_km: float) -> np.ndarray:
    """The same as :func:`spillover_pool`, agent by agent: a dict of positions, counters of output by
    (position, sector), and for each firm a distance check against every position."""
    positions = {int(n): (node_lon[n], node_lat[n]) for n in node
                 if n >= 0 and np.isfinite(node_lon[n]) and np.isfinite(node_lat[n])}
    out_at = Counter()
    sectors_at = defaultdict(set)
    for i in range(len(node)):
        if node[i] in positions:
            out_at[int(node[i]), int(sector[i])] += mass[i]
            sectors_at[int(node[i])].add(int(sector[i]))
    names = list(positions)
    lons = np.array([positions[n][0] for n in names])
    lats = np.array([positions[n][1] for n in names])
    pool = np.zeros(len(node))
    for i in range(len(node)):
        if node[i] not in positions:
            continue
        s = sector[i]
        dist = haversine_km(node_lon[node[i]], node_lat[node[i]], lons, lats)
        total = 0.0
        for n, d in zip(names, dist):
            if d <= cutoff_km:
                w = np.exp(-d / decay_km)
                for q in sectors_at[n]:
                    total += w * out_at[n, q] * related[q, s]
        pool[i] = max(total - mass[i] * related[s, s], 0.0)
    return pool


def firm_tfp(productivity: np.ndarray, age: np.ndarray, capacity_used: np.ndarray, node: np.ndarray,
             sector: np.ndarray, node_lon: np.ndarray, node_lat: np.ndarray, io: np.ndarray,
             k: SpilloverParams) -> tuple[np.ndarray, np.ndarray]:
    """(tfp, S) of producing firms: own draw × learning × spillover factor, and the spillover pool.

    ``capacity_used`` is capacity × utilisation, so a source's mass is its output before externalities.
    """
    own = productivity * learning(age, k.learning_gain, k.learning_years)
    pool = spillover_pool(node, sector, capacity_used * own, node_lon, node_lat,
                          relatedness(io, k.own_weight, k.io_weight), k.decay_km, k.cutoff_km)
    return own * spillover_factor(pool, k.elasticity, k.reference_output), pool
