"""Spillover kernel: speed-up over the per-agent reference, and scaling in firms and in nodes.

Run with ``python benchmarks/bench_spillovers.py``. Prints its figures; asserts nothing. Worlds are
random: nodes (parks and places) uniform over a 22° × 20° box of eastern and central China (about the
density of the 2,543 catalogue zones plus the ~2,900 county-level places), firms spread over them,
sectors and output as in the model's catalogue.
"""

from __future__ import annotations

import time

import numpy as np

from parksim.simulation import WorldConfig, spillovers
from parksim.simulation.sectors import default_sectors

SEC = default_sectors()
K = spillovers.SpilloverParams.of(WorldConfig())
RELATED = spillovers.relatedness(SEC.io, K.own_weight, K.io_weight)


NATIONAL_NODES = 5_443


def world(n_firms: int, n_nodes: int, seed: int = 0, spread: float = 1.0):
    """Random nodes over China (the box's sides × ``spread``) and firms on them: the kernel's arguments."""
    rng = np.random.default_rng(seed)
    lon = 111 + spread * rng.uniform(-11, 11, n_nodes)
    lat = 32 + spread * rng.uniform(-10, 10, n_nodes)
    node = rng.integers(0, n_nodes, n_firms)
    sector = rng.choice(SEC.n, n_firms, p=SEC.demand_share)
    mass = rng.lognormal(8.5, 1.2, n_firms)
    return node, sector, mass, lon, lat, RELATED, K.decay_km, K.cutoff_km


def timed(fn, args, repeat=3) -> tuple[float, np.ndarray]:
    """Best CPU time of ``repeat`` calls ``fn(*args)`` (CPU, not wall: the machine is shared), and the result."""
    best = np.inf
    for _ in range(repeat):
        t = time.process_time()
        result = fn(*args)
        best = min(best, time.process_time() - t)
    return best, result


def main() -> None:
    print(f"spillovers: decay {K.decay_km:g} km, cut-off {K.cutoff_km:g} km, {SEC.n} sectors")
    for n_firms, n_nodes in ((1_000, 300), (4_000, 1_000), (8_000, 2_000)):
        args = world(n_firms, n_nodes)
        fast, a = timed(spillovers.spillover_pool, args)
        slow, b = timed(spillovers.spillover_pool_reference, args, repeat=1)
        err = np.max(np.abs(a - b) / np.maximum(np.abs(b), 1.0))
        print(f"kernel vs reference: {n_firms:>6,} firms, {n_nodes:>5,} nodes: reference {slow:6.2f} s, "
              f"kernel {fast * 1e3:6.1f} ms, speed-up {slow / fast:6,.0f}x, max relative diff {err:.1e}")
    print(f"scaling in firms ({NATIONAL_NODES:,} nodes):")
    times = {}
    for n_firms in (10_000, 100_000, 1_000_000):
        times[n_firms] = timed(spillovers.spillover_pool, world(n_firms, NATIONAL_NODES))[0]
        print(f"  {n_firms:>9,} firms: {times[n_firms] * 1e3:7.1f} ms")
    print(f"  marginal cost {(times[1_000_000] - times[100_000]) / 900_000 * 1e9:.0f} ns per firm "
          f"(10x firms -> {times[1_000_000] / times[100_000]:.1f}x time from 100k to 1M)")
    print("scaling in nodes (100,000 firms, node density fixed: the box grows with the nodes):")
    for n_nodes in (1_360, NATIONAL_NODES, 21_772):
        t, _ = timed(spillovers.spillover_pool, world(100_000, n_nodes, spread=np.sqrt(n_nodes / NATIONAL_NODES)))
        print(f"  {n_nodes:>9,} nodes: {t * 1e3:7.1f} ms")


if __name__ == "__main__":
    main()
