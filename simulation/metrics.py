"""Agglomeration, specialisation and linkage metrics as pure numpy functions.

Arrays in, numbers/arrays out: no model objects, no pandas. Conventions: ``R`` regions
(parks), ``S`` sectors, ``N`` plants (firms), ``E`` links. Degenerate inputs (empty
regions, sectors or graphs) return the documented 0.0 or nan without raising warnings.
"""

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph


def _safe_divide(num, den, fill=0.0):
    """``num / den`` elementwise (broadcasting), ``fill`` where ``den == 0``."""
    num, den = np.asarray(num, float), np.asarray(den, float)
    return np.divide(num, den, out=np.full(np.broadcast_shapes(num.shape, den.shape), fill), where=den != 0)


def _row_shares(x):
    """Shares of each row's total in a (R, S) array; all-zero rows stay all zero."""
    x = np.asarray(x, float)
    return _safe_divide(x, x.sum(axis=1, keepdims=True))


def location_quotient(x):
    """Location quotient (Hoover 1936; Isard 1960, *Methods of Regional Analysis*).

    ``LQ_rs = (x_rs / x_r.) / (x_.s / x_..)``: a sector's share of a region's activity
    relative to its share of all activity; ``LQ > 1`` marks regional specialisation.

    Args:
        x: (R, S) non-negative activity (employment, output) by region and sector.

    Returns:
        (R, S) array of LQs; 0 where the region total or the sector total is 0.
    """
    x = np.asarray(x, float)
    return _safe_divide(x * x.sum(), x.sum(axis=1, keepdims=True) * x.sum(axis=0))


def herfindahl(x, axis=-1):
    """Herfindahl-Hirschman index (Herfindahl 1950; Hirschman 1945) of shares along ``axis``.

    ``HHI = sum_s (x_s / sum_s x_s)^2``, in ``[1/n, 1]`` for ``n`` entries; applied to a
    park's sector activity it measures how concentrated its industrial structure is.

    Args:
        x: non-negative array, e.g. (R, S) activity by park and sector.
        axis: axis holding the entries whose shares are squared.

    Returns:
        ``x`` reduced along ``axis`` (a float for 1-D input); 0 for an all-zero slice.
    """
    x = np.asarray(x, float)
    shares = _safe_divide(x, x.sum(axis=axis, keepdims=True))
    h = (shares**2).sum(axis=axis)
    return float(h) if h.ndim == 0 else h


def top_k_share(x, k):
    """Share of each region's total held by its ``k`` largest sectors (leading-industry share).

    ``CR_k(r) = sum of the k largest x_rs / x_r.`` -- the concentration ratio (Bain 1951)
    applied to a park's industrial structure.

    Args:
        x: (R, S) non-negative activity by region and sector.
        k: number of leading sectors (``k >= S`` gives 1 for any non-empty row).

    Returns:
        (R,) shares in ``[0, 1]``; 0 for all-zero rows.
    """
    x = np.asarray(x, float)
    top = np.sort(x, axis=1)[:, ::-1][:, : max(k, 0)]
    return _safe_divide(top.sum(axis=1), x.sum(axis=1))


def krugman_specialisation(x):
    """Krugman specialisation index of each region against all other regions pooled.

    ``K_r = sum_s |x_rs / x_r. - x_(-r)s / x_(-r).|`` where ``-r`` pools every region
    except ``r`` (Krugman 1991, *Geography and Trade*, ch. 3). Range ``[0, 2]``:
    0 = same sector mix as the rest, 2 = no sector in common.

    Args:
        x: (R, S) non-negative activity by region and sector.

    Returns:
        (R,) indices; nan where the region or the rest of the regions has no activity.
    """
    x = np.asarray(x, float)
    rest = x.sum(axis=0) - x
    k = np.abs(_row_shares(x) - _row_shares(rest)).sum(axis=1)
    defined = (x.sum(axis=1) > 0) & (rest.sum(axis=1) > 0)
    return np.where(defined, k, np.nan)


def krugman_dissimilarity(x):
    """Pairwise Krugman dissimilarity of regional sector mixes (Krugman 1991).

    ``D_rq = sum_s |s_rs - s_qs|`` with ``s_rs = x_rs / x_r.``. Range ``[0, 2]``.

    Args:
        x: (R, S) non-negative activity by region and sector.

    Returns:
        (R, R) symmetric array with zero diagonal; nan off-diagonal where either region
        has no activity.
    """
    x = np.asarray(x, float)
    s = _row_shares(x)
    d = np.abs(s[:, None, :] - s[None, :, :]).sum(axis=2)
    empty = x.sum(axis=1) == 0
    d[empty[:, None] | empty[None, :]] = np.nan
    np.fill_diagonal(d, 0.0)
    return d


def mean_krugman_dissimilarity(x):
    """Mean of the pairwise Krugman dissimilarity over all pairs of regions, in O(S·R log R).

    ``mean_{r<q} D_rq`` with ``D`` as in :func:`krugman_dissimilarity`, without the (R, R, S)
    temporary: for each sector, with the shares sorted ``v_(1) <= … <= v_(R)``,
    ``sum_{r<q} |v_r - v_q| = sum_k (2k - R - 1) v_(k)`` (the sorted form of Gini's mean
    difference; Gini 1912, *Variabilità e mutabilità*).

    Args:
        x: (R, S) non-negative activity by region and sector.

    Returns:
        The mean (float); nan with fewer than two regions or if any region has no activity.
    """
    x = np.asarray(x, float)
    r = x.shape[0]
    if r < 2 or (x.sum(axis=1) == 0).any():
        return np.nan
    v = np.sort(_row_shares(x), axis=0)
    k = np.arange(1, r + 1)
    return max(float((2.0 * k - r - 1) @ v.sum(axis=1) / (r * (r - 1) / 2)), 0.0)   # rounding can dip below 0


def mean_krugman_dissimilarity_reference(x):
    """The same as :func:`mean_krugman_dissimilarity`, from the full (R, R) matrix of pairs."""
    d = krugman_dissimilarity(x)
    return float(d[np.triu_indices(len(d), 1)].mean()) if len(d) > 1 else np.nan


def plant_herfindahl(sizes, sector, n_sectors):
    """Plant-size Herfindahl of each sector (Ellison & Glaeser 1997, JPE 105(5), eq. 1).

    ``H_s = sum_{i in s} (z_i / Z_s)^2`` with ``z_i`` plant size and ``Z_s`` sector total.

    Args:
        sizes: (N,) non-negative plant sizes (e.g. employment).
        sector: (N,) int sector index of each plant, in ``[0, n_sectors)``.
        n_sectors: number of sectors ``S``.

    Returns:
        (S,) Herfindahls in ``(0, 1]``; 0 for sectors with no employment.
    """
    sizes = np.asarray(sizes, float)
    total = np.bincount(sector, weights=sizes, minlength=n_sectors)
    squares = np.bincount(sector, weights=sizes**2, minlength=n_sectors)
    return _safe_divide(squares, total**2)


def ellison_glaeser_gamma(emp, x, h):
    """Ellison-Glaeser agglomeration index (Ellison & Glaeser 1997, JPE 105(5), eq. 5).

    ``G_s = sum_r (s_rs - x_r)^2`` with ``s_rs = emp_rs / emp_.s``;
    ``gamma_s = (G_s / (1 - sum_r x_r^2) - H_s) / (1 - H_s)``.
    Under the "dartboard" (plants located independently with probabilities ``x``)
    ``E[gamma_s] = 0``; positive values mean excess concentration.

    Args:
        emp: (R, S) employment by region and sector.
        x: (R,) region shares of aggregate activity (sum to 1).
        h: (S,) plant Herfindahl of each sector (see :func:`plant_herfindahl`).

    Returns:
        (S,) gammas; nan for sectors with no employment or ``H_s == 1``, and for all
        sectors if ``sum_r x_r^2 == 1`` (a single region).
    """
    emp, x, h = (np.asarray(a, float) for a in (emp, x, h))
    total = emp.sum(axis=0)
    g = ((_safe_divide(emp, total) - x[:, None]) ** 2).sum(axis=0)
    gamma = _safe_divide(_safe_divide(g, 1.0 - (x**2).sum(), np.nan) - h, 1.0 - h, np.nan)
    return np.where(total > 0, gamma, np.nan)


def ellison_glaeser_kerr(emp, x):
    """Coagglomeration index of sector pairs (Ellison, Glaeser & Kerr 2010, AER 100(3), eq. 2).

    ``gamma^c_ij = sum_r (s_ri - x_r)(s_rj - x_r) / (1 - sum_r x_r^2)`` with
    ``s_ri = emp_ri / emp_.i``. Positive when two sectors over-represent the same regions.

    Args:
        emp: (R, S) employment by region and sector.
        x: (R,) region shares of aggregate activity (sum to 1).

    Returns:
        (S, S) symmetric array; nan on the diagonal and in rows/columns of sectors with
        no employment (everything nan if ``sum_r x_r^2 == 1``).
    """
    emp, x = np.asarray(emp, float), np.asarray(x, float)
    dev = _safe_divide(emp, emp.sum(axis=0), np.nan) - x[:, None]
    c = _safe_divide(dev.T @ dev, 1.0 - (x**2).sum(), np.nan)
    np.fill_diagonal(c, np.nan)
    return c


def chain_completeness(present, members, io):
    """IO-weighted completeness of one industrial chain in each region.

    ``C_r = sum_{i,j in chain} A_ij p_ri p_rj / sum_{i,j in chain} A_ij``: the share of the
    chain's internal input-output weight (Leontief coefficients ``A_ij``, ``i == j``
    included) whose supplier and customer sectors are both present in region ``r``.
    If the chain has no internal IO weight, the share of its sectors present is used.

    Args:
        present: (R, S) bool/0-1 sector presence by region, or (S,) for one region.
        members: (S,) bool mask of the chain's sectors.
        io: (S, S) technical coefficients, ``A[i, j]`` = input from ``i`` per unit output of ``j``.

    Returns:
        (R,) completeness in ``[0, 1]`` (a float for 1-D ``present``); nan for a chain
        with no member sectors.
    """
    members = np.asarray(members, bool)
    p = np.atleast_2d(np.asarray(present, float))[:, members]
    a = np.asarray(io, float)[np.ix_(members, members)]
    if a.sum() > 0:
        c = ((p @ a) * p).sum(axis=1) / a.sum()
    else:
        c = _safe_divide(p.sum(axis=1), members.sum(), np.nan)
    return float(c[0]) if np.ndim(present) == 1 else c


def local_sourcing_share(supplier_region, customer_region, weight=None):
    """Weighted share of supply links whose supplier and customer are in the same region.

    ``L = sum_e w_e [r_sup(e) == r_cus(e) >= 0] / sum_e w_e`` -- the intra-cluster
    input-sourcing share used to gauge localised linkages (cf. Marshall 1920;
    Ellison, Glaeser & Kerr 2010 on input-output sharing).

    Args:
        supplier_region: (E,) int region of each link's supplier; < 0 = outside any park.
        customer_region: (E,) int region of each link's customer; < 0 = outside any park.
        weight: (E,) non-negative link weights (e.g. trade value), or None for unit weights.

    Returns:
        Share in ``[0, 1]``; links with a region < 0 are never local but count in the
        denominator; nan if there are no links (or zero total weight).
    """
    sup, cus = np.asarray(supplier_region), np.asarray(customer_region)
    local = (sup == cus) & (sup >= 0)
    if weight is None:                               # unit weights: counts (exact, as the sums of ones were)
        return float(_safe_divide(np.count_nonzero(local), local.size, np.nan))
    w = np.asarray(weight, float)
    return float(_safe_divide(w[local].sum(), w.sum(), np.nan))


def linkage_density(n_links, sector_counts, io, min_coef=0.0):
    """Realised supplier-customer links over potential IO-compatible ordered firm pairs.

    ``potential = sum_{a,b: A_ab > min_coef} n_a n_b - sum_{a: A_aa > min_coef} n_a``
    (a firm cannot supply itself); ``density = n_links / potential``.

    Args:
        n_links: number of realised directed supply links.
        sector_counts: (S,) number of firms per sector.
        io: (S, S) technical coefficients, ``A[a, b]`` = input from ``a`` per unit output of ``b``.
        min_coef: coefficients must exceed this for a sector pair to be compatible.

    Returns:
        Density (float); nan if there are no potential pairs.
    """
    n = np.asarray(sector_counts, float)
    compatible = np.asarray(io, float) > min_coef
    potential = n @ compatible @ n - n @ np.diag(compatible)
    return float(_safe_divide(n_links, potential, np.nan))


def _unique(keys):
    """Sorted distinct non-negative int ``keys``; sort-based, as ``np.unique`` is ~50x slower here."""
    keys = np.sort(keys)
    return keys[np.diff(keys, prepend=-1) != 0]


def _sort_with(key, payload, bits):
    """``key`` sorted, with ``payload`` (ints below ``2**bits``) carried along in the same order.

    One sort of the packed ``key << bits | payload`` when it fits in int64: numpy sorts int64 with
    SIMD several times faster than it argsorts them; an argsort otherwise (graphs of over 2 million
    nodes, where the packed key would overflow).
    """
    if key.size == 0 or int(key.max()) < 2 ** (63 - bits):
        packed = np.sort(key << bits | payload)
        return packed >> bits, packed & ((1 << bits) - 1)
    order = np.argsort(key)
    return key[order], payload[order]


def _triangles(u, v, n, bits):
    """Triangles through each node of a simple undirected graph with edges ``(u, v)``, ``u < v``,
    once each and sorted by ``(v, u)`` (as :func:`network_statistics` makes them); ``n < 2**bits``.

    Edges are oriented so that each triangle is found once: at its first node in the orientation's
    order, as a pair of out-neighbours joined by an edge; the pairs are enumerated with array
    arithmetic and their joining edge is looked up by binary search in the sorted edge keys
    (``v << bits | u``). The order is by node, from the higher to the lower (each edge grouped under
    its ``v`` as given, no sort) unless that makes over 1.5 times the pairs of the order by degree
    (Chiba & Nishizeki 1985), which keeps hubs from making pairs by the million: firms link to older
    suppliers, so a firm's lower neighbours are its few suppliers and the two orders enumerate about
    as many pairs. Every ordering is a sort of packed int64 keys, never an argsort.
    """
    mask = (1 << bits) - 1
    below = np.bincount(v, minlength=n)
    deg = np.bincount(u, minlength=n) + below
    rank = deg * n + np.arange(n)                    # any order by degree: the counts do not depend on it
    lo = np.where(rank[u] < rank[v], u, v)
    out = np.bincount(lo, minlength=n)
    if (below * (below - 1)).sum() <= 1.5 * (out * (out - 1)).sum():
        lo, hi, out = v, u, below
    else:
        oriented = np.sort(lo << bits | (u + v - lo))       # edges by their low-rank end
        lo, hi = oriented >> bits, oriented & mask
    later = np.cumsum(out)[lo] - np.arange(lo.size) - 1                         # edges after each in its row
    i = np.repeat(np.arange(lo.size), later)
    j = i + 1 + np.arange(i.size) - np.repeat(np.cumsum(later) - later, later)
    a, b = hi[i], hi[j]
    # sorted needles (with their pair's first corner): a cache-friendly binary search
    query, low = _sort_with(np.maximum(a, b) << bits | np.minimum(a, b), lo[i], bits)
    keys = v << bits | u
    found = keys[np.minimum(np.searchsorted(keys, query), max(keys.size - 1, 0))] == query
    corners = np.concatenate([low[found], query[found] >> bits, query[found] & mask])
    return np.bincount(corners, minlength=n), deg


def network_statistics(src, dst, n_nodes, is_leading):
    """Summary statistics of the directed firm supply network.

    - ``largest_component_share``: nodes in the largest weakly connected component / n.
    - ``density``: unique directed edges / (n (n - 1)); self-loops and duplicates ignored.
    - ``clustering``: mean local clustering ``2 T_i / (k_i (k_i - 1))`` of the undirected
      simple graph (Watts & Strogatz 1998), 0 for nodes of degree < 2; equals
      ``networkx.average_clustering(G.to_undirected())``.
    - ``leading_link_share``: share of unique directed edges with at least one end a
      leading firm; nan if there are no edges.

    Args:
        src: (E,) int supplier node of each edge, in ``[0, n_nodes)``.
        dst: (E,) int customer node of each edge.
        n_nodes: number of nodes ``n``.
        is_leading: (n,) bool, True for leading (龙头) firms.

    Returns:
        Dict of the four floats above; 0.0 (nan for ``leading_link_share``) when n == 0.
    """
    if n_nodes == 0:
        return dict(largest_component_share=0.0, density=0.0, clustering=0.0,
                    leading_link_share=np.nan)
    src, dst = np.asarray(src, np.int64), np.asarray(dst, np.int64)
    keep = src != dst
    s, t = src[keep], dst[keep]
    bits = max(n_nodes - 1, 1).bit_length()          # pair keys v << bits | u: shifts, not divisions
    # One sort for both graphs: each directed edge once, keyed by its undirected pair, then its direction.
    directed = _unique((np.maximum(s, t) << bits | np.minimum(s, t)) << 1 | (s > t))
    pair = directed >> 1
    edge = pair[np.diff(pair, prepend=-1) != 0]      # each undirected edge once, sorted by (v, u)
    v, u = edge >> bits, edge & ((1 << bits) - 1)

    index = np.int32 if max(u.size, n_nodes) < 2**31 else np.int64     # csgraph copies int64 indices to int32
    indptr = np.zeros(n_nodes + 1, index)
    np.cumsum(np.bincount(v, minlength=n_nodes), out=indptr[1:])
    graph = sparse.csr_array((np.ones(u.size), u.astype(index), indptr), shape=(n_nodes, n_nodes))
    _, labels = csgraph.connected_components(graph, directed=False)
    triangles, deg = _triangles(u, v, n_nodes, bits)
    local = _safe_divide(2.0 * triangles, deg * (deg - 1.0))
    leading = np.asarray(is_leading, bool)
    ends = pair >> bits, pair & ((1 << bits) - 1)    # of each directed edge, in either order
    return dict(
        largest_component_share=float(np.bincount(labels).max() / n_nodes),
        density=float(_safe_divide(directed.size, n_nodes * (n_nodes - 1.0))),
        clustering=float(local.mean()),
        leading_link_share=float(_safe_divide((leading[ends[0]] | leading[ends[1]]).sum(), directed.size, np.nan)),
    )
