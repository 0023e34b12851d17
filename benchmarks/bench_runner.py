"""Runner throughput: runs per second on serial, local process pool and Dask LocalCluster.

City scale: the baseline scenario (20 parks, 16 years), 200 runs (one design point × 200
replications) into a temporary store, timed from the start of ``execute`` to the last chunk written
(executor start-up included). The pool's parallel efficiency is its speed-up over serial divided by
its number of workers. Results of the three executors are checked to be identical.

    python benchmarks/bench_runner.py [--runs 200] [--workers N] [--scenario baseline]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from parksim.experiments import Store, execute, make_executor, plan
from parksim.experiments.executors import available_cpus


def bench(kind: str, p, root: Path, workers: int) -> tuple[float, pd.DataFrame]:
    store = Store(root / kind)
    started = time.perf_counter()
    report = execute(p, store, make_executor(kind, workers=workers), progress=False, chunk_runs=50)
    seconds = time.perf_counter() - started
    assert report.failed == 0 and report.ok == len(p.tasks), report.failures[:3]
    return seconds, store.read("metrics").sort_values("run_id").reset_index(drop=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--workers", type=int, default=available_cpus())
    ap.add_argument("--scenario", default="baseline")
    args = ap.parse_args()
    p = plan(args.scenario, replications=args.runs)
    w = p.scenario.world
    print(f"{args.runs} runs of {p.scenario.name}: {w.n_parks if not w.parks else len(w.parks)} parks, "
          f"{w.years} years; {args.workers} workers on {available_cpus()} CPUs")
    times, tables = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("serial", "pool", "dask"):
            times[kind], tables[kind] = bench(kind, p, Path(tmp), 1 if kind == "serial" else args.workers)
            print(f"  {kind:7s} {times[kind]:7.1f} s  {args.runs / times[kind]:6.2f} runs/s")
    for kind in ("pool", "dask"):
        pd.testing.assert_frame_equal(tables["serial"], tables[kind])
    for kind in ("pool", "dask"):
        speedup = times["serial"] / times[kind]
        print(f"  {kind} speed-up {speedup:.2f}x, parallel efficiency {speedup / args.workers:.0%} "
              f"on {args.workers} workers")
    print("  results identical on serial, pool and dask")


if __name__ == "__main__":
    main()
