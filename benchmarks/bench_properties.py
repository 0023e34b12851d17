"""Randomised invariants at scale: thousands of random valid worlds and policies, counted.

Runs the strategy of ``tests/test_properties.py`` (every parameter from its declared range, rules on
or off at random, sometimes all at once) for ``--examples`` cases, derandomised unless ``--seed`` is
given, and prints how many ran and kept the land, money and population accounts, and each distinct
failure with one case that produces it. ``--failures FILE`` writes every failing case as JSON lines
(world, policy, seed) to reproduce it with ``ParkModel``.

Run with ``python benchmarks/bench_properties.py [--examples 1000]``. Prints its figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
import traceback
import warnings
from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import seed as hypothesis_seed

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_properties import CASES, PROFILE, run_checked  # noqa: E402


def where_it_failed(error: BaseException) -> str:
    """A failure's kind: exception type, first message line and the innermost frame of the model."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "parksim" in f.filename or "/tests/" in f.filename
              or "simulation" in f.filename]
    frame = frames[-1] if frames else traceback.extract_tb(error.__traceback__)[-1]
    message = (str(error).splitlines() or [""])[0][:160]
    return f"{type(error).__name__}: {message} at {Path(frame.filename).name}:{frame.lineno} ({frame.line})"


def explore(examples: int, seed: int | None) -> tuple[int, list[tuple[str, tuple]], Counter, float]:
    """Run ``examples`` cases; returns the number that passed, the failures, the numerical warnings
    (kind: number of cases that raised it) and the seconds taken."""
    passed, failures, warned = 0, [], Counter()

    @settings(PROFILE, max_examples=examples, derandomize=seed is None)
    @given(case=CASES)
    def one(case):
        nonlocal passed
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            try:
                run_checked(*case)
                passed += 1
            except Exception as error:            # a failure is counted and kept, never raised to hypothesis
                failures.append((where_it_failed(error), case))
        warned.update({f"{w.message} at {Path(w.filename).name}:{w.lineno}" for w in caught
                       if issubclass(w.category, RuntimeWarning)})

    if seed is not None:
        one = hypothesis_seed(seed)(one)
    start = time.perf_counter()
    one()
    return passed, failures, warned, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000, help="random cases to run (default 1000)")
    parser.add_argument("--seed", type=int, help="hypothesis seed (default: derandomised, the same cases every time)")
    parser.add_argument("--failures", metavar="FILE", help="write every failing case as JSON lines")
    args = parser.parse_args()
    passed, failures, warned, seconds = explore(args.examples, args.seed)
    total = passed + len(failures)
    print(f"{total} random worlds and policies in {seconds:.0f} s ({total / seconds:.1f} per second)")
    print(f"passed: {passed}   failed: {len(failures)}")
    kinds = Counter(kind for kind, _ in failures)
    for kind, count in kinds.most_common():
        world, policy, run_seed = next(case for k, case in failures if k == kind)
        print(f"\n{count} × {kind}\n  e.g. seed {run_seed}, rules on: {', '.join(policy.enabled_rules()) or 'none'}, "
              f"world: {json.dumps(_changed(world))}")
    for kind, count in warned.most_common():
        print(f"\nnumerical warning (not a failure) in {count} cases: {kind}")
    if args.failures and failures:
        with open(args.failures, "w", encoding="utf-8") as fh:
            for kind, (world, policy, run_seed) in failures:
                fh.write(json.dumps({"failure": kind, "seed": run_seed, "policy": policy.to_dict(),
                                     "world": dataclasses.asdict(world)}, default=str) + "\n")
        print(f"\nfailing cases: {args.failures}")


def _changed(record) -> dict:
    """The fields of a record that differ from their defaults."""
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)
            if f.name != "parks" and getattr(record, f.name) != f.default}


if __name__ == "__main__":
    main()
