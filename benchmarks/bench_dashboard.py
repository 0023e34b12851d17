"""Dashboard and report latency at workshop size.

A workshop run is one document scenario at city scale with N replications started from the dashboard's
job manager on its warm worker pool. Printed: the machine's load (the figures depend on it); where the
time of one replication goes (the model run, its network trace, writing the run to the store), measured
serially in this process; the run from submit to the finished result, cold (the pool starts) and warm
(the pool is already up, as for every run after the first); the time to the first charts (the first
streamed replication); cancel (until the run shows cancelled, and until the pool is free again,
measured by a 1-replication run started right after); the time to build every chart of a run; and the
size and build time of the static report of a comparison.

    python benchmarks/bench_dashboard.py [--replications 20] [--scenario nanyang_2009] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from parksim.experiments.executors import available_cpus
from parksim.experiments.runner import RunConfig, RunTask, execute_task, replication_seeds
from parksim.scenarios.loader import load_scenario
from parksim.viz import figures
from parksim.viz.data import network_trace
from parksim.viz.export import chart
from parksim.viz.jobs import JobManager
from parksim.viz.report import write_report
from parksim.viz.saved import SavedRuns


def workshop_run(manager: JobManager, scenario, replications: int, session: str = "bench"):
    """(seconds to the finished result, seconds to the first streamed replication, the result, CPU seconds
    this server process spent meanwhile: what competes with the workers for the cores)."""
    cpu = time.process_time()
    started = time.perf_counter()
    job = manager.submit(session, scenario.name, scenario.name, RunConfig(scenario.world, scenario.policy),
                         scenario.seed, replications)
    first = None
    while manager.get(session, job.id).status == "running":
        if first is None and manager.results(session, live=True).get(job.id) is not None:
            first = time.perf_counter() - started
        time.sleep(0.02)
    assert job.status == "done", job.error
    return time.perf_counter() - started, first, job.result, time.process_time() - cpu


def cancel_times(manager: JobManager, scenario) -> tuple[float, float, float]:
    """(seconds from cancel to the run showing cancelled, to its thread ending with the pool free (the
    workers abandoned its runs), to a 1-replication run started right after it being done)."""
    config = RunConfig(scenario.world, scenario.policy)
    job = manager.submit("cancel", scenario.name, scenario.name, config, scenario.seed, 200)
    while job.done < 2:
        time.sleep(0.02)
    started = time.perf_counter()
    manager.cancel("cancel", job.id)
    shown = time.perf_counter() - started
    while job.thread.is_alive():
        time.sleep(0.02)
    freed = time.perf_counter() - started
    after = manager.submit("cancel", "one", scenario.name, config, scenario.seed, 1)
    while after.status == "running":
        time.sleep(0.02)
    return shown, freed, time.perf_counter() - started


def breakdown(scenario) -> None:
    """Where one replication's time goes, serially in this process."""
    config = RunConfig(scenario.world, scenario.policy, scenario.targets)
    seed = replication_seeds(scenario.seed, 1)[0]
    started = time.perf_counter()
    outcome = execute_task(RunTask("p00000-r0000", 0, 0, seed, {}, config))
    run = time.perf_counter() - started
    started = time.perf_counter()
    network_trace(config, seed)
    trace = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        SavedRuns(tmp).save("0be0c0000000", "run1", scenario, scenario.policy, 1, scenario.name, [outcome])
        save = time.perf_counter() - started
    print(f"one replication of {scenario.name}, serial: model run {run:.2f} s, network trace {trace:.2f} s "
          f"(in a worker beside the replications), writing to the store {save:.2f} s (after the run shows done)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--scenario", default="nanyang_2009")
    ap.add_argument("--workers", type=int, default=available_cpus())
    args = ap.parse_args()
    scenario, baseline = load_scenario(args.scenario), load_scenario("baseline")
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {available_cpus()} CPUs")
    breakdown(scenario)
    manager = JobManager("pool", args.workers)
    try:
        for kind in ("cold", "warm"):
            seconds, first, run, cpu = workshop_run(manager, scenario, args.replications)
            print(f"workshop run, {kind} pool ({args.workers} workers): {args.replications} replications of "
                  f"{scenario.name} in {seconds:.1f} s ({args.replications / seconds:.2f} runs/s); "
                  f"first charts after {first:.1f} s; server process CPU {cpu:.1f} s")
        shown, freed, after = cancel_times(manager, scenario)
        print(f"cancel: shown as cancelled after {shown * 1000:.0f} ms, pool free after {freed:.2f} s; a next "
              f"1-replication run done {after:.1f} s after the cancel")
        started = time.perf_counter()
        for spec in figures.FANS:
            chart(f"fan:{spec.id}", [run])
        chart("map", [run])
        chart("network", [run])
        print(f"all charts of the run ({len(figures.FANS)} fans, map, network): {time.perf_counter() - started:.2f} s "
              "(built once per run; switching tabs rebuilds nothing)")
        base = workshop_run(manager, baseline, args.replications)[2]
    finally:
        manager.close()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        path = write_report([base, run], Path(tmp) / "report.html")
        print(f"comparison report {baseline.name} vs {scenario.name}: {path.stat().st_size / 1e6:.1f} MB "
              f"in {time.perf_counter() - started:.1f} s")
    print("load average at the end: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
