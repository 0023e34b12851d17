"""Dashboard and report latency at workshop size.

A workshop run is one document scenario at city scale (20 parks, 16 years) with N replications
started from the dashboard's job manager, timed from submit to the finished result (executor start-up
and the supplier-network trace of the first replication included); then the time to build every
chart of the run, and the size and build time of the static report of a comparison.

    python benchmarks/bench_dashboard.py [--replications 20] [--scenario nanyang_2009] [--workers N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from parksim.experiments.executors import available_cpus
from parksim.experiments.runner import RunConfig
from parksim.scenarios.loader import load_scenario
from parksim.viz import figures
from parksim.viz.export import chart
from parksim.viz.jobs import JobManager
from parksim.viz.report import write_report


def workshop_run(manager: JobManager, scenario, replications: int):
    started = time.perf_counter()
    job = manager.submit("bench", scenario.name, scenario.name, RunConfig(scenario.world, scenario.policy),
                         scenario.seed, replications)
    while manager.get("bench", job.id).status == "running":
        time.sleep(0.02)
    assert job.status == "done", job.error
    return time.perf_counter() - started, job.result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--scenario", default="nanyang_2009")
    ap.add_argument("--workers", type=int, default=available_cpus())
    args = ap.parse_args()
    scenario, baseline = load_scenario(args.scenario), load_scenario("baseline")
    for kind, workers in (("serial", 1), ("pool", args.workers)):
        seconds, run = workshop_run(JobManager(kind, workers), scenario, args.replications)
        print(f"workshop run, {kind} ({workers} workers): {args.replications} replications of {scenario.name} "
              f"in {seconds:.1f} s ({args.replications / seconds:.2f} runs/s)")
    started = time.perf_counter()
    for spec in figures.FANS:
        chart(f"fan:{spec.id}", [run])
    chart("map", [run])
    chart("network", [run])
    print(f"all charts of the run ({len(figures.FANS)} fans, map, network): {time.perf_counter() - started:.2f} s")
    _, base = workshop_run(JobManager("pool", args.workers), baseline, args.replications)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        path = write_report([base, run], Path(tmp) / "report.html")
        print(f"comparison report {baseline.name} vs {scenario.name}: {path.stat().st_size / 1e6:.1f} MB "
              f"in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
