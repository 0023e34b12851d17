"""Calibration speed: wall time of a real calibration of 6 parameters with 2,000 objective evaluations.

What is timed: ``calibration.search.calibrate`` on a city-scale scenario (default chizhou_2015: 20
parks, 16 years) with the six free parameters of ``calibration/targets.toml``, a budget of 2,000
objective evaluations, on the local process pool, from a fresh directory (no history to reuse).
One *objective evaluation* is one parameter vector scored on R replications, i.e. R model runs
(R = --replications); each DE generation's population goes to the pool as one batch, each task
being one vector with its R runs. The figures printed: model runs/s, evaluations/s, wall time,
and the wall time projected for 2,000 evaluations at R = 1, 2 and 4 from the measured runs/s.

    python benchmarks/bench_calibration.py [--replications 2] [--budget 2000] [--workers N]
    python benchmarks/bench_calibration.py --quick        # 120 evaluations, R = 1 (about a minute)

The calibration directory (default runs/calibration/<scenario>) is the one `parksim calibrate`
uses, so `parksim calibrate --scenario <scenario> --replications R --resume` afterwards replays
the search from its history without running the model again and writes the fragment.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from parksim.calibration.search import calibrate
from parksim.experiments.executors import available_cpus
from parksim.scenarios.loader import load_scenario
from parksim.simulation import simulate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="chizhou_2015")
    ap.add_argument("--budget", type=int, default=2000)
    ap.add_argument("--replications", type=int, default=2)
    ap.add_argument("--workers", type=int, default=available_cpus())
    ap.add_argument("--out", help="calibration directory (default runs/calibration/<scenario>)")
    ap.add_argument("--quick", action="store_true", help="120 evaluations with 1 replication")
    args = ap.parse_args()
    if args.quick:
        args.budget, args.replications = 120, 1
    s = load_scenario(args.scenario)
    out = Path(args.out) if args.out else Path("runs/calibration") / (s.name + ("_quick" if args.quick else ""))
    started = time.perf_counter()
    for seed in range(3):
        simulate(s.world, s.policy, seed=seed)
    serial = (time.perf_counter() - started) / 3
    print(f"{s.name}: {len(s.world.parks) or s.world.n_parks} parks, {s.world.years} years; serial run {serial:.3f} s")
    r = calibrate(s, out=out, budget=args.budget, replications=args.replications, executor="pool",
                  workers=args.workers, overwrite=True, progress=False)
    runs = r.record["new_evaluations"] * args.replications
    rate = runs / r.seconds
    print(f"calibration: {len(r.params)} parameters, {r.evaluations} evaluations ({r.record['new_evaluations']} distinct) "
          f"× {args.replications} replications = {runs} model runs in {r.seconds:.0f} s "
          f"({r.seconds / 60:.1f} min) on a pool of {args.workers}")
    print(f"  {rate:.2f} model runs/s ({rate * serial:.2f}× serial), {r.evaluations / r.seconds:.2f} evaluations/s; "
          f"final loss {r.loss:.4g}")
    for reps in (1, 2, 4):
        minutes = 2000 * reps / rate / 60
        print(f"  projected: 2,000 evaluations × {reps} replication(s) = {2000 * reps} runs: {minutes:.1f} min "
              f"({'within' if minutes <= 30 else 'over'} 30 min)")
    print(f"history and result: {out}")


if __name__ == "__main__":
    main()
