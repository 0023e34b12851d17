"""Scaling of the kernels that were quadratic in parks: from the province (160 parks) to the nation (2,543 zones).

Prints, for R = 160 and 2,543 regions and S = 29 sectors, the time of the mean Krugman dissimilarity
by the sorted kernel and by its pairwise (R, R, S) reference; then the wall time and peak memory of
building a national model (all zones of the 2018 catalogue, up to its first year) with the kernels
("after") and with the reference implementations they replaced ("before"), each in a fresh process
so that its peak resident memory is its own. Run ``python benchmarks/bench_kernels_scaling.py``
(about a minute; ``--firms`` sets the initial firms). Prints its figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time

import numpy as np
from bench_model import POLICY, timed

from parksim.scenarios.catalogue import parks_from_catalogue, read_catalogue
from parksim.simulation import ParkModel, WorldConfig, metrics, placement
from parksim.simulation.sectors import default_sectors

# Demand per zone as in scenarios/henan_2017.toml (150 zones: 6,000 firms, 1,600 projects, 160,000 mu a year).
FIRMS_PER_ZONE, PROJECTS_PER_FIRM, QUOTA_PER_FIRM = 40, 1600 / 6000, 160000 / 6000


def national_world(firms: int) -> WorldConfig:
    """Every zone of the 2018 catalogue, province by province, with demand scaled from Henan."""
    specs = tuple(p for prov in sorted(read_catalogue()["province"].unique())
                  for p in parks_from_catalogue(prov).parks)
    return WorldConfig(years=20, start_year=2018, parks=specs, initial_firms=firms,
                       projects_per_year=firms * PROJECTS_PER_FIRM, land_quota=firms * QUOTA_PER_FIRM)


def krugman(regions: int, sectors: int, rng: np.random.Generator) -> None:
    """Time the sorted mean Krugman dissimilarity against the pairwise reference."""
    x = rng.lognormal(0.0, 1.5, (regions, sectors)) * (rng.random((regions, sectors)) < 0.4)
    x[:, 0] += 1.0                                  # no empty region
    fast = timed(lambda: metrics.mean_krugman_dissimilarity(x))
    slow = timed(lambda: metrics.mean_krugman_dissimilarity_reference(x), repeat=1)
    print(f"krugman_dissimilarity R={regions} S={sectors}: new {fast * 1e3:.2f} ms, "
          f"old {slow * 1e3:.1f} ms ({slow / fast:,.0f}x)")


def build(which: str, firms: int) -> None:
    """Child process: build the national model with the kernels (after) or the references (before)."""
    if which == "before":
        placement.place = placement.place_reference
        metrics.mean_krugman_dissimilarity = metrics.mean_krugman_dissimilarity_reference
    world = national_world(firms)
    t = time.perf_counter()
    model = ParkModel(world, POLICY, rng=2024)
    wall = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"national build ({which}): zones={model.parks.n} firms={model.firms.n} "
          f"wall_s={wall:.1f} peak_MiB={peak:,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=FIRMS_PER_ZONE * 2543, help="initial firms of the national model")
    parser.add_argument("--child", choices=("before", "after"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        build(args.child, args.firms)
        return
    # Children first: Linux carries the parent's peak resident memory over to a child it starts.
    for which in ("after", "before"):
        out = subprocess.run([sys.executable, __file__, "--child", which, "--firms", str(args.firms)],
                             capture_output=True, text=True, check=True)
        print(out.stdout.strip())
    rng = np.random.default_rng(0)
    for regions in (160, 2543):
        krugman(regions, default_sectors().n, rng)


if __name__ == "__main__":
    main()
