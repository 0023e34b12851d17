"""Planning large designs: time of ``plan()`` for 10³, 10⁴ and 10⁵ Latin hypercube points, of a resume, and of
the store's points table (each point's resolved world and policy, written once when the store is created).

The design is a Latin hypercube over three factors (a lever, an integer world parameter and a
float world parameter) on the baseline scenario with 2 replications. ``plan`` checks every value
against its declared range a column at a time and configures the first ``FULL_CHECK_POINTS``
points in full. "resume" is what a second ``execute`` does before running anything: plan again,
read the store's finished runs and find the first task left (the store holds every run but the
last point's). Nothing is simulated.

    python benchmarks/bench_plan.py [--sizes 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import tempfile
import time

import pandas as pd

from parksim.experiments import Store
from parksim.experiments.design import latin_hypercube
from parksim.experiments.runner import FULL_CHECK_POINTS, plan
from parksim.scenarios.loader import load_scenario

BOUNDS = {"policy.E1.national": (50.0, 400.0), "world.initial_firms": (500, 3000),
          "world.projects_per_year": (100.0, 800.0)}


def timed(fn, *args):
    started = time.perf_counter()
    value = fn(*args)
    return value, time.perf_counter() - started


def fake_store(p, root) -> Store:
    """A store whose manifest holds every run of the plan but the last design point's."""
    store = Store(root)
    store.open(p.record())
    ids = list(p.run_ids())[:-len(p.seeds)]
    store.write_chunk({"manifest": pd.DataFrame({"run_id": ids, "status": "ok"})})
    return store


def plan_design(scenario, design):
    return plan(scenario, design=design)


def resume(scenario, design, store: Store):
    """Plan again and find the first task left, as ``execute`` does before running anything."""
    return next(plan(scenario, design=design).iter_tasks(store.done()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    args = ap.parse_args()
    scenario = load_scenario("baseline", replications=2)
    print(f"baseline × {scenario.replications} replications; the first {FULL_CHECK_POINTS} points configured in full")
    print(f"{'points':>8} {'runs':>8} {'plan s':>8} {'resume s':>9} {'points table s':>15}")
    for n in args.sizes:
        design = latin_hypercube(BOUNDS, n, seed=1, integer=["world.initial_firms"])
        p, seconds = timed(plan_design, scenario, design)
        with tempfile.TemporaryDirectory() as root:
            first, resume_seconds = timed(resume, scenario, design, fake_store(p, root))
        assert first.point == n - 1
        points, points_seconds = timed(p.points)     # once, when the store is created (not on resume)
        assert len(points) == n
        print(f"{n:>8} {p.size:>8} {seconds:>8.2f} {resume_seconds:>9.2f} {points_seconds:>15.2f}")


if __name__ == "__main__":
    main()
