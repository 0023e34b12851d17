"""Dashboard and report latency at workshop size.

A workshop run is one document scenario at city scale with N replications started from the dashboard's
job manager on its warm worker pool. Printed: the machine's load (the figures depend on it: other
processes take the cores); where the time of one replication goes (the model run, wall and CPU, with and
without its observer tracing the supplier network, as the first replication of a run does; writing the run
to the store), measured serially in this process; the server's start: until the app is built (the page can
be served) and until its worker pool is warm (:meth:`JobManager.warm_up`, in the background); the first
run after the pool is warm, from submit to the finished result, with the CPU seconds its pool workers and
this server process spent (on an idle machine the run takes about workers' CPU / workers) and the time to
the first charts (the first streamed replication); the same for a run submitted right after the server's
start, while the pool still warms (first charts timed from the server's start and from submit); cancel
(until the run shows cancelled, and until the pool is free again, measured by a 1-replication run started
right after); the first visit to the time-series tab and a switch back to it, through the app's own
callback (the second must build nothing); the time to build every chart of a run; and the size and build
time of the static report of a comparison.

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
from parksim.viz.app import create_app
from parksim.viz.data import Observer
from parksim.viz.export import chart
from parksim.viz.jobs import JobManager
from parksim.viz.report import write_report
from parksim.viz.saved import SavedRuns
from parksim.viz.worker import worker_pids

TICKS = os.sysconf("SC_CLK_TCK")


def pool_cpu(manager: JobManager) -> dict[int, float]:
    """CPU seconds (user + system) each pool worker has used so far, by process id (Linux /proc)."""
    out = {}
    for pid in worker_pids(manager._warm):
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            out[pid] = (int(fields[11]) + int(fields[12])) / TICKS
        except OSError:
            continue
    return out


def workshop_run(manager: JobManager, scenario, replications: int, session: str = "bench"):
    """(seconds to the finished result, seconds to the first streamed replication, the result, CPU seconds
    this server process spent meanwhile, CPU seconds the pool workers spent on it)."""
    cpu, workers = time.process_time(), pool_cpu(manager)
    started = time.perf_counter()
    job = manager.submit(session, scenario.name, scenario.name, RunConfig(scenario.world, scenario.policy),
                         scenario.seed, replications)
    first = None
    while manager.get(session, job.id).status == "running":
        if first is None and manager.results(session, live=True).get(job.id) is not None:
            first = time.perf_counter() - started
        time.sleep(0.02)
    assert job.status == "done", job.error
    spent = sum(c - workers.get(pid, 0.0) for pid, c in pool_cpu(manager).items())
    return time.perf_counter() - started, first, job.result, time.process_time() - cpu, spent


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
    task = RunTask("p00000-r0000", 0, 0, seed, {}, config)
    started, cpu = time.perf_counter(), time.process_time()
    outcome = execute_task(task)
    run, run_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    execute_task(task, on_year=Observer(network=True, places=True))
    traced, traced_cpu = time.perf_counter() - started, time.process_time() - cpu
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        SavedRuns(tmp).save("0be0c0000000", "run1", scenario, scenario.policy, 1, scenario.name, [outcome])
        save = time.perf_counter() - started
    print(f"one replication of {scenario.name}, serial: model run {run:.2f} s ({run_cpu:.2f} s CPU); the first "
          f"replication, tracing its network as it runs: {traced:.2f} s ({traced_cpu:.2f} s CPU, the trace "
          f"{traced_cpu - run_cpu:+.2f} s); writing to the store {save:.2f} s (after the run shows done)")


def server_start(tmp: str, workers: int) -> tuple[JobManager, float, float]:
    """A pool manager and the app built on it as ``parksim dashboard`` does, on a fresh fork server: (manager,
    seconds until the app is built, so the page can be served, seconds until its pool is warm), both from the
    start. Its runs are not written to the store (that is timed in :func:`breakdown`; here it would take CPU
    from the next run)."""
    from multiprocessing import forkserver
    forkserver._forkserver._stop()      # a process keeps one fork server, started by its first pool (private API)
    started = time.perf_counter()
    manager = JobManager("pool", workers, saver=lambda *args: None)
    create_app(tmp, manager=manager)
    return manager, time.perf_counter() - started, started


def tab_switch(app, session: str, run_id: str) -> tuple[float, float, int]:
    """(seconds the server takes to answer the first visit to the time-series tab, and a switch back to it,
    the HTTP status of the second: 204 = nothing rebuilt), through the app's own draw callback."""
    key = next(k for k in app.callback_map if "fans-drawn.data" in k)
    spec = app.callback_map[key]
    values = {"run-select": run_id, "projector": [], "tabs": "series", "runs-version": 1, "session": session}
    client = app.server.test_client()
    times, drawn, status = [], None, 0
    for _ in range(2):
        body = {"output": key, "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]}
                                           for o in key.strip(".").split("...")],
                "inputs": [{**i, "value": values[i["id"]]} for i in spec["inputs"]],
                "state": [{**st, "value": drawn if st["id"] == "fans-drawn" else values[st["id"]]}
                          for st in spec["state"]],
                "changedPropIds": ["tabs.value"]}
        started = time.perf_counter()
        reply = client.post("/_dash-update-component", json=body)
        times.append(time.perf_counter() - started)
        status = reply.status_code
        if status == 200:
            drawn = reply.get_json()["response"]["fans-drawn"]["data"]
    return times[0], times[1], status


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--scenario", default="nanyang_2009")
    ap.add_argument("--workers", type=int, default=available_cpus())
    args = ap.parse_args()
    scenario, baseline = load_scenario(args.scenario), load_scenario("baseline")
    print(time.strftime("%H:%M:%S UTC", time.gmtime()) + " load average (1, 5, 15 min): "
          + ", ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {available_cpus()} CPUs")
    breakdown(scenario)
    with tempfile.TemporaryDirectory() as tmp:             # a run submitted while the pool still warms
        early, built, started = server_start(tmp, args.workers)
        try:
            seconds, first, _, _, _ = workshop_run(early, scenario, args.replications)
            print(f"run submitted right after the server's start (app built in {built:.1f} s, the pool still "
                  f"warming): first charts {built + first:.1f} s after the start ({first:.1f} s after submit); "
                  f"{args.replications} replications done in {seconds:.1f} s")
        finally:
            early.close()
    with tempfile.TemporaryDirectory() as tmp:
        manager, built, started = server_start(tmp, args.workers)
    try:
        manager.warm.wait()
        print(f"server start: app built in {built:.1f} s (the page is served from then), pool of {args.workers} "
              f"workers warm {time.perf_counter() - started:.1f} s after the start")
        seconds, first, run, cpu, workers = workshop_run(manager, scenario, args.replications)
        print(f"first run on the warm pool ({args.workers} workers): {args.replications} replications of "
              f"{scenario.name} in {seconds:.1f} s; first charts after {first:.1f} s; pool workers' CPU "
              f"{workers:.1f} s (idle machine: about {workers / args.workers:.1f} s); server process CPU {cpu:.1f} s")
        shown, freed, after = cancel_times(manager, scenario)
        print(f"cancel: shown as cancelled after {shown * 1000:.0f} ms, pool free after {freed:.2f} s; a next "
              f"1-replication run done {after:.1f} s after the cancel")
        started = time.perf_counter()
        for spec in figures.FANS:
            chart(f"fan:{spec.id}", [run])
        chart("map", [run])
        chart("network", [run])
        print(f"all charts of the run ({len(figures.FANS)} fans, map, network): {time.perf_counter() - started:.2f} s")
        seconds, first, base, cpu, workers = workshop_run(manager, baseline, args.replications)
        print(f"workshop run, warm pool: {args.replications} replications of {baseline.name} (20 synthetic parks) in "
              f"{seconds:.1f} s; first charts after {first:.1f} s; pool workers' CPU {workers:.1f} s (idle machine: "
              f"about {workers / args.workers:.1f} s)")
        with tempfile.TemporaryDirectory() as tmp:
            app = create_app(tmp, manager=manager)
            run_id = manager.jobs("bench")[-1].id
            first_visit, switch, status = tab_switch(app, "bench", run_id)
        print(f"time-series tab: first visit {first_visit:.2f} s (builds {len(figures.FANS)} charts); switching back "
              f"{switch * 1000:.0f} ms, HTTP {status} ({'nothing rebuilt' if status == 204 else 'REBUILT'})")
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
