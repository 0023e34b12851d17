"""Industry structure and chains (主导产业、产业链、集群, C1-C7): declared leading industries,
the leading-firm pull, induced projects, circular-economy partners and park consolidation (at
set-up, :func:`consolidate`, and year by year, :func:`merge_plan` and :func:`merge_parks`)."""

from __future__ import annotations

import csv
import functools
from pathlib import Path

import numpy as np

from .policy import Policy
from .world import ParkSpec


def declared_cap(policy: Policy, level: int) -> int | None:
    """How many leading industries a park may declare: C5 one (002 三(一)); C1 5 national, 3 others (004 §(八))."""
    if policy.C5.enabled:
        return 1
    if policy.C1.enabled:
        return policy.C1.max_national if level == 3 else policy.C1.max_other
    return None


def declare(policy: Policy, wishes: list[list[int]], levels: np.ndarray, n_sectors: int,
            order: np.ndarray, taken: np.ndarray | None = None) -> np.ndarray:
    """(P, S) declared leading industries from each park's ordered wish list.

    Parks declare in ``order`` (largest first); C4 错位发展 (000 §(十)) skips a sector already
    declared by ``max_parks_per_sector`` parks (``taken``: counts by parks declared before, e.g. when
    one park re-declares); the count is capped by :func:`declared_cap`.
    """
    declared = np.zeros((len(wishes), n_sectors), bool)
    taken = np.zeros(n_sectors, int) if taken is None else taken.astype(int)
    for p in order:
        cap = declared_cap(policy, int(levels[p]))
        limit = len(wishes[p]) if cap is None else cap
        for s in wishes[p]:
            if declared[p].sum() >= limit:
                break
            if policy.C4.enabled and taken[s] >= policy.C4.max_parks_per_sector:
                continue
            declared[p, s] = True
            taken[s] += 1
    return declared


def leading_pull(leading_counts: np.ndarray, io: np.ndarray) -> np.ndarray:
    """(P, S) C3: IO links (both directions) of each sector to the park's producing leading firms."""
    return leading_counts @ (io + io.T)


def induced_projects(policy: Policy, lead_park: np.ndarray, lead_sector: np.ndarray, io: np.ndarray,
                     rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """C3 以商招商 (001 四(三)): extra projects brought by leading firms, in sectors linked to theirs.

    Returns (target park, sector) of each induced project.
    """
    if not policy.C3.enabled or len(lead_park) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    counts = rng.poisson(policy.C3.induced_projects, len(lead_park))
    parks = np.repeat(lead_park, counts)
    sources = np.repeat(lead_sector, counts)
    links = (io + io.T)[sources]
    cum = np.cumsum(links, 1) / links.sum(1, keepdims=True)
    sectors = (rng.random(len(sources))[:, None] > cum).sum(1).clip(0, io.shape[0] - 1)
    return parks.astype(np.int64), sectors.astype(np.int64)


BYPRODUCT_LINKS_PATH = Path(__file__).parent / "data" / "byproduct_links.csv"


@functools.lru_cache(maxsize=8)
def byproduct_links(keys: tuple[str, ...], path: Path = BYPRODUCT_LINKS_PATH) -> np.ndarray:
    """(S, S) symmetric mask of sector pairs with a by-product link (``data/byproduct_links.csv``: one
    row per source → user pair with the by-product and its reasoning). Pairs naming a sector the
    catalogue does not have are left out (a custom catalogue keeps only its own pairs)."""
    index = {k: i for i, k in enumerate(keys)}
    links = np.zeros((len(keys), len(keys)), bool)
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["source"] in index and row["user"] in index:
                links[index[row["source"]], index[row["user"]]] = True
    return links | links.T


def byproduct_partner(park: np.ndarray, sector: np.ndarray, producing: np.ndarray, n_parks: int,
                      links: np.ndarray) -> np.ndarray:
    """C6 (000 §(二十) 副产品和废弃物的资源化利用; 004 §(八); 003 六(二)): producing park firms with a
    producing firm of a by-product-linked sector in the same park (either direction). O(F + P·S²)."""
    n_sec = links.shape[0]
    m = producing & (park >= 0)
    present = np.bincount(park[m] * n_sec + sector[m], minlength=n_parks * n_sec).reshape(n_parks, n_sec) > 0
    partner = (present.astype(np.int32) @ links.astype(np.int32)) > 0          # (P, S): a linked sector is present
    return m & partner[np.maximum(park, 0), sector]


def consolidate(policy: Policy, specs: tuple[ParkSpec, ...]) -> tuple[tuple[ParkSpec, ...], list[tuple[str, str]]]:
    """C7 (001 四(二); 003 二(一)): merge small parks into the largest park of their city.

    "One zone, several parks": the absorbing park keeps at most ``max_blocks`` blocks. Returns the
    surviving specs and the (merged, into) name pairs.
    """
    if not policy.C7.enabled:
        return specs, []
    by_city: dict[str, list[ParkSpec]] = {}
    for s in specs:
        by_city.setdefault(s.city or s.name, []).append(s)
    kept, merges = [], []
    for parks in by_city.values():
        parks = sorted(parks, key=lambda s: -s.area_mu)
        head, area, blocks = parks[0], parks[0].area_mu, 1
        for s in parks[1:]:
            if s.area_mu < policy.C7.small_mu and blocks < policy.C7.max_blocks:
                area += s.area_mu
                blocks += 1
                merges.append((s.name, head.name))
            else:
                kept.append(s)
        kept.append(ParkSpec(**{**head.__dict__, "area_mu": area}))
    order = {s.name: i for i, s in enumerate(specs)}
    return tuple(sorted(kept, key=lambda s: order[s.name])), merges


def merge_plan(policy: Policy, place: np.ndarray, city: np.ndarray, area: np.ndarray, blocks: np.ndarray,
               open_park: np.ndarray) -> list[tuple[int, int]]:
    """C7 during the run: this year's (merged, into) park rows, the smallest parks first.

    003 二(一): 原則上每個縣設立1家產業集聚區或開發區…逐步清理、整合、撤銷小而散的各類園區; 001 四(二):
    原则上不再新设开发区…"一区多园". First one zone per county (place): every other open park of a
    county merges into the county's largest; then parks below ``small_mu`` merge into their city's
    largest. A zone takes at most ``merges_per_year`` parks a year (逐步) and holds at most
    ``max_blocks`` blocks. O(P log P).
    """
    if not policy.C7.enabled:
        return []
    rule = policy.C7
    area, blocks, gone = area.astype(float), blocks.astype(int), ~open_park
    taken = np.zeros(len(area), int)
    pairs: list[tuple[int, int]] = []
    for group, only_small in ((place, False), (city, True)):
        rows = np.flatnonzero(~gone)
        heads: dict[int, int] = {}
        for p in rows[np.lexsort((-area[rows], group[rows]))]:      # by group, largest first
            head = heads.setdefault(int(group[p]), int(p))
            if head == p or (only_small and area[p] >= rule.small_mu) or taken[head] >= rule.merges_per_year \
                    or blocks[head] + blocks[p] > rule.max_blocks:
                continue
            pairs.append((int(p), head))
            area[head] += area[p]
            blocks[head] += blocks[p]
            taken[head] += 1
            gone[p] = True
    return pairs


def merge_parks(model, pairs: list[tuple[int, int]]) -> None:
    """Carry out C7 merges: the merged park's firms, area, unbuilt and reusable land, emission quota
    and last year's figures join the absorbing zone (as a block); the merged row stays, not alive.
    Firms keep their place: a block stays where it is."""
    pk, f = model.parks, model.firms
    for merged, into in pairs:
        rows = np.flatnonzero(f.park == merged)
        f.park[rows] = into
        for col in ("area", "reusable", "emission_quota", "last_output", "last_pollution", "base_tax", "blocks"):
            getattr(pk, col)[into] += getattr(pk, col)[merged]
            getattr(pk, col)[merged] = 0
        pk.alive[merged] = False
        model.recorder.event("park_merged", "C7", park=merged, value=float(len(rows)),
                             detail=f"{model.park_agents[merged].name} -> {model.park_agents[into].name}")
