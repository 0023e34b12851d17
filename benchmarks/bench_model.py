"""Province-scale benchmark: wall and CPU time (total and per phase of the year), firm-years per second,
peak memory, kernel speed-ups.

Then the CPU per replication of a small document world (nanyang_2009) as the runner does it, the
figure behind issue 13's 20-replication target.

Run with ``make bench`` (or ``python benchmarks/bench_model.py``). Prints its figures; asserts nothing.
CPU time is printed beside wall time because on a shared machine wall time mostly measures the others.
"""

from __future__ import annotations

import resource
import time
from collections import defaultdict

import numpy as np

from parksim.simulation import ParkModel, Policy, WorldConfig, choice, evaluation, location, production
from parksim.simulation.state import PRODUCING

PROVINCE = WorldConfig(years=20, n_parks=160, n_cities=18, initial_firms=30000, projects_per_year=5500,
                       park_area_median=12000.0, land_quota=300000.0)
POLICY = Policy.from_dict({rid: {"enabled": True} for rid in
                           ("L1", "L3", "L4", "L6", "L8", "E1", "E2", "S1", "S4", "S5", "V1", "V3", "V4",
                            "V6", "X1", "X2", "X4", "C1", "C3", "C6")})


PHASES = ("plan_year", "admit_projects", "build_out", "relocate_firms", "form_links", "produce", "pay_awards",
          "resolve_exits", "finance_parks", "evaluate_parks")


def clock_phases(model) -> dict[str, list[float]]:
    """Wrap the model's phase methods and its recorder so each call adds its [wall, CPU] seconds."""
    spent = defaultdict(lambda: [0.0, 0.0])

    def clocked(name, fn):
        def call(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            out = fn(*args, **kwargs)
            spent[name][0] += time.perf_counter() - wall
            spent[name][1] += time.process_time() - cpu
            return out
        return call

    for name in PHASES:
        setattr(model, name, clocked(name, getattr(model, name)))
    model.recorder.record = clocked("record", model.recorder.record)
    return spent


def timed(fn, repeat=3):
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    t0, c0 = time.perf_counter(), time.process_time()
    model = ParkModel(PROVINCE, POLICY, rng=2024)
    init = (time.perf_counter() - t0, time.process_time() - c0)
    spent = clock_phases(model)
    firm_years = 0
    for _ in range(PROVINCE.years):
        model.step()
        firm_years += int((model.firms.state == PRODUCING).sum())
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    s = model.recorder.outputs().series
    print(f"province run: {PROVINCE.n_parks} parks, {PROVINCE.years} years, "
          f"{int(s.firms_producing.iloc[-1])} producing firms at the end")
    print(f"wall time {wall:.1f} s (CPU {cpu:.1f} s), {firm_years / wall:,.0f} firm-years/s, peak memory {peak:,.0f} MiB")
    print("  set-up  " + f"wall {init[0]:5.2f} s  CPU {init[1]:5.2f} s")
    for name in (*PHASES, "record"):
        print(f"  {name:<16}wall {spent[name][0]:5.2f} s  CPU {spent[name][1]:5.2f} s")

    rng = np.random.default_rng(0)
    # Kernels on inputs of the size they see in the run, references on a slice (they are O(n) loops).
    proj = model._draw_projects(2000)
    x = choice.choice_inputs(model, proj, np.full(2000, -1))
    coef = choice.coefficients(model)
    small = location.ChoiceInputs(**{**x.__dict__, **{k: v[:200] for k, v in x.__dict__.items()
                                                      if k in ("sector", "intensity", "subsidy", "big", "target", "tax_yield")}})
    fast = timed(lambda: location.utilities(small, coef))
    slow = timed(lambda: location.utilities_reference(small, coef), repeat=1)
    print(f"location kernel: {slow / fast:,.0f}x faster than reference (200 projects x {len(x.price)} parks)")

    f = model.firms
    rows = np.flatnonzero(f.state == PRODUCING)[:3000]
    px = production.ProductionInputs(
        sector=f.sector[rows], park=f.park[rows], capacity=f.capacity[rows], utilization=f.utilization[rows],
        productivity=f.productivity[rows], margin=f.margin[rows], shock=rng.normal(0, 0.05, len(rows)),
        local_partner=f.has_local_partner[rows], cost_adjust=np.zeros(len(rows)), infra=model.parks.infrastructure,
        io=model.sectors.io, va_rate=model.sectors.value_added_rate, tax_rate=model.sectors.tax_rate,
        jobs_per_yi=model.sectors.jobs_per_yi, energy_per_output=model.sectors.energy_per_output,
        pollution_class=model.sectors.pollution_class)
    k = production.ProductionParams(0.04, 0.1, 0.05, 0.02, 0.25)
    fast = timed(lambda: production.produce(px, k))
    slow = timed(lambda: production.produce_reference(px, k), repeat=1)
    print(f"production kernel: {slow / fast:,.0f}x faster than reference ({len(rows)} firms)")

    m = (f.park >= 0) & (f.state != 4)
    args = (evaluation.firm_columns(model), model.parks.n, model.declared, model.parks.last_output, model.chain_masks,
            model.sectors.io, np.zeros(model.parks.n))
    fast = timed(lambda: evaluation.park_indicators(*args))
    slow = timed(lambda: evaluation.park_indicators_reference(*args), repeat=1)
    print(f"evaluation kernel: {slow / fast:,.0f}x faster than reference ({int(m.sum())} firms, {model.parks.n} parks)")


def small_world(name: str = "nanyang_2009", replications: int = 3) -> None:
    """CPU per replication of a document world as the runner does it (``execute_task``: the run and its
    outputs), the mean of ``replications`` after one warm-up (issue 13: 20 replications of a city run
    within 10 s on 2 cores needs <= 0.8 s each)."""
    from parksim.experiments.runner import RunConfig, RunTask, execute_task, replication_seeds
    from parksim.scenarios.loader import load_scenario

    sc = load_scenario(name)
    config = RunConfig(sc.world, sc.policy)
    seeds = replication_seeds(sc.seed, replications)
    execute_task(RunTask("p0-r0", 0, 0, seeds[0], {}, config))
    cpu = time.process_time()
    for s in seeds:
        execute_task(RunTask("p0-r0", 0, 0, s, {}, config))
    print(f"{name}: CPU per replication {(time.process_time() - cpu) / replications:.2f} s "
          f"(mean of {replications} after a warm-up, execute_task)")


if __name__ == "__main__":
    main()
    small_world()
