"""The ``parksim`` command: run, sweep, compare, targets, validate, verify, dashboard, report, calibrate,
sensitivity, validate-model.

Exit status: 0 on success, 2 on bad input (message on stderr, nothing run or written), 1 when
runs failed (they are recorded in the store's manifest; ``--retry-failed`` runs them again) or,
for ``verify``, when the store is damaged; 130 when interrupted with Ctrl-C / SIGINT and 143
(128 + 15) on SIGTERM. On either signal the runs that already finished are written to the store and
the worker processes stopped before exiting; run the same command again to resume. If the command
itself is killed (``kill -9``, out of memory), its worker processes notice and exit within a second.
A command that needs an extra which is not installed (``parksim[dashboard]``, ``parksim[distributed]``)
says which, with exit status 2. Library modules log through :mod:`logging` under ``parksim.*``; the CLI
shows those messages on stderr (warnings only with ``-q``).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from importlib.metadata import version
from pathlib import Path

from parksim.extras import MissingExtra
from parksim.options import (
    EXIT_BAD_INPUT,
    EXIT_FAILED_RUNS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    BadInput,
    Terminated,
    check_directories,
    check_file,
    executor_kind,
    executor_options,
)

SHOWN = ("output", "output_in_parks", "tax_per_mu", "investment_intensity", "land_idle", "firms_producing",
         "share_producing_in_parks", "top3_share", "eg_gamma_mean", "parks_active", "total_entries")
SWEEP_SHOWN = ("output", "tax_per_mu", "land_idle", "parks_active", "total_entries")


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--runs", default="runs", metavar="DIR",
                        help="root of the result stores (default: ./runs); each experiment goes to DIR/<scenario name>")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress bar")

    execution = argparse.ArgumentParser(add_help=False, parents=[executor_options()])
    execution.add_argument("--replications", type=int, metavar="N", help="runs per design point (default: the file's)")
    execution.add_argument("--seed", type=int, metavar="S", help="root seed (default: the file's)")
    execution.add_argument("--retry-failed", action="store_true", help="run again the runs recorded as failed")
    execution.add_argument("--chunk-runs", type=int, default=50, metavar="N", help="runs per Parquet chunk (default 50)")

    store_opts = argparse.ArgumentParser(add_help=False)
    store_opts.add_argument("--out", metavar="DIR", help="store directory (default: RUNS/<scenario name>)")
    store_opts.add_argument("--overwrite", action="store_true",
                            help="discard an existing store that holds a different experiment")
    store_opts.add_argument("--new-store", action="store_true",
                            help="discard whatever the store holds (e.g. runs of another model version) and start afresh")
    store_opts.add_argument("--keep-events", action="store_true", help="store raw events (default: counts per year, kind, rule)")

    p = argparse.ArgumentParser(prog="parksim", description="ParkSim: agent-based simulation of Chinese industrial-park "
                                "policy. Scenarios are TOML files in scenarios/ (or any path).")
    p.add_argument("--version", action="version", version=f"%(prog)s {version('parksim')}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    r = sub.add_parser("run", parents=[common, execution, store_opts], help="run a scenario's replications",
                       description="Run a scenario (its base point) for its replications into RUNS/<name>. "
                       "Running the same command again resumes: finished runs are kept, the rest run.")
    r.add_argument("scenario", help="scenario name (e.g. nanyang_2009) or path to a TOML file")
    r.set_defaults(handler=cmd_run)

    s = sub.add_parser("sweep", parents=[common, execution, store_opts], help="run a scenario's [sweep] design",
                       description="Run every point of a scenario's [sweep] design × replications into RUNS/<name>, "
                       "then write summary.csv. Resumes like run.")
    s.add_argument("scenario", help="scenario name or path with a [sweep] table")
    s.set_defaults(handler=cmd_sweep)

    c = sub.add_parser("compare", parents=[common, execution], help="paired differences B − A",
                       description="Compare two scenarios (or stores) on common-seed replications: mean of B − A "
                       "and its 95% CI per headline metric. Scenarios not run yet are run first (or resumed).")
    c.add_argument("a", help="scenario name/path, or a store directory")
    c.add_argument("b", help="scenario name/path, or a store directory")
    c.add_argument("--point-a", type=int, default=0, metavar="K", help="design point of A (default 0)")
    c.add_argument("--point-b", type=int, default=0, metavar="K", help="design point of B (default 0)")
    c.add_argument("--csv", metavar="PATH", help="where to write the table (default: RUNS/compare_<A>_vs_<B>.csv)")
    c.add_argument("--top", type=int, default=10, metavar="N",
                   help="parks with the largest public cost in the per-account table (default 10; every city is shown)")
    c.set_defaults(handler=cmd_compare)

    t = sub.add_parser("targets", parents=[common, execution], help="share of replications reaching the document targets",
                       description="Evaluate the scenario's document targets (scenarios/data/targets.csv) as the "
                       "share of replications reaching each. Runs (or resumes) the scenario first.")
    t.add_argument("scenario", help="scenario name/path, or a store directory")
    t.add_argument("--csv", metavar="PATH", help="where to write the table (default: <store>/targets.csv)")
    t.set_defaults(handler=cmd_targets)

    v = sub.add_parser("validate", help="check scenario files without running anything",
                       description="Load and validate scenario files (extends chain, every key, every design point). "
                       "Nothing runs and nothing is written.")
    v.add_argument("files", nargs="+", help="scenario names or paths")
    v.set_defaults(handler=cmd_validate)

    y = sub.add_parser("verify", help="check a result store's files without running or changing anything",
                       description="Check every file of a store against the checksums written with it, that "
                       "each run id is in one chunk only and that all runs come from one model version; print "
                       "a verdict per chunk. Exit 0 when the store is sound, 1 when it is damaged (resume the "
                       "experiment to quarantine the damaged chunks and run their runs again), 2 when STORE "
                       "is not a store. Nothing is run, moved or written.")
    y.add_argument("store", metavar="STORE", help="store directory (e.g. runs/baseline)")
    y.set_defaults(handler=cmd_verify)

    from parksim.viz.commands import register as register_viz
    register_viz(sub, common)

    from parksim.calibration.commands import register as register_calibration
    register_calibration(sub, common)
    return p


# ----------------------------------------------------------------------------- helpers

def _is_store(ref: str) -> bool:
    return (Path(ref) / "experiment.json").is_file()


def _prepare(ref: str, args, sweep: bool):
    """Plan (validate) a scenario and choose its store; nothing is written."""
    from parksim.experiments.runner import plan
    from parksim.experiments.store import Store
    p = plan(ref, sweep=sweep, replications=args.replications, seed=args.seed,
             keep_events=getattr(args, "keep_events", False))
    out = getattr(args, "out", None)
    return p, Store(out) if out is not None else Store(Path(args.runs) / p.scenario.name)


def _execute(p, store, args) -> int:
    """Run a plan into its store; returns how many runs of the store are failed."""
    from parksim.experiments.executors import make_executor
    from parksim.experiments.runner import execute
    kind = executor_kind(args)
    report = execute(p, store, make_executor(kind, args.workers, args.scheduler), progress=not args.quiet,
                     chunk_runs=args.chunk_runs, retry_failed=args.retry_failed,
                     overwrite=getattr(args, "overwrite", False), new_store=getattr(args, "new_store", False))
    if report.ran:
        print(f"{p.scenario.name}: {report.ok} runs ok, {report.failed} failed in {report.seconds:.1f} s "
              f"({kind}); {report.skipped} already in the store", file=sys.stderr)
    else:
        print(f"{p.scenario.name}: all {report.total} runs already in {store.path}", file=sys.stderr)
    man = store.read("manifest", ["run_id", "status", "error"])
    wanted = set(p.run_ids())
    failed = man[(man["status"] == "failed") & man["run_id"].isin(wanted)] if len(man) else man
    for _, row in failed.head(10).iterrows():
        print(f"failed: {row['run_id']}: {row['error']}", file=sys.stderr)
    if len(failed):
        print(f"{len(failed)} runs failed (tracebacks in the manifest); run again with --retry-failed to retry them",
              file=sys.stderr)
    return len(failed)


def _guard_out_of_runs(args) -> None:
    """Check the flags of a command that runs the model before anything is planned or written."""
    executor_kind(args, ("workers", "chunk_runs"))
    check_directories(args, ("runs", "out"))
    if getattr(args, "csv", None) is not None:
        check_file("--csv", args.csv)


# ----------------------------------------------------------------------------- commands

def cmd_run(args, sweep: bool = False) -> int:
    from parksim.experiments.compare import format_table, summarise
    _guard_out_of_runs(args)
    p, store = _prepare(args.scenario, args, sweep)
    failed = _execute(p, store, args)
    summary = summarise(store)
    if not summary.empty:
        if sweep:
            print(f"{len(p.design)} design points × {p.scenario.replications} replications; "
                  f"summary: {store.path / 'summary.csv'}")
            factors = [c for c in summary.columns if c not in ("point", "metric", "n", "mean", "sd", "ci_low", "ci_high")]
            wide = (summary[summary["metric"].isin(SWEEP_SHOWN)]
                    .pivot_table(index=["point", *factors], columns="metric", values="mean").reset_index())
            print("mean over replications per design point (CIs in summary.csv):")
            print(format_table(wide[["point", *factors, *[m for m in SWEEP_SHOWN if m in wide]]], max_rows=40))
        else:
            print(format_table(summary[summary["metric"].isin(SHOWN)].drop(columns=["point"])))
    print(f"results: {store.path}  (query with DuckDB: read_parquet('{store.path}/chunks/*/metrics.parquet'))")
    return EXIT_FAILED_RUNS if failed else EXIT_OK


def cmd_sweep(args) -> int:
    return cmd_run(args, sweep=True)


def cmd_compare(args) -> int:
    from parksim.experiments.compare import compare, compare_accounts, format_table
    from parksim.experiments.costs import ACCOUNT_SHOWN
    from parksim.experiments.store import Store
    _guard_out_of_runs(args)
    if args.top < 0:
        raise BadInput(f"--top: got {args.top}; allowed: an integer >= 0 (parks in the per-account table)")
    sides = []
    for ref in (args.a, args.b):                      # validate both before running either
        sides.append(("store", Store(ref), None) if _is_store(ref) else ("scenario",) + _prepare(ref, args, False))
    failed = 0
    stores = []
    for side in sides:
        if side[0] == "scenario":
            _, p, store = side
            failed += _execute(p, store, args)
            stores.append(store)
        else:
            stores.append(side[1])
    table = compare(stores[0], stores[1], point_a=args.point_a, point_b=args.point_b)
    name_a, name_b = (s.experiment().get("scenario", s.path.name) for s in stores)
    print(f"B − A: {name_b} (point {args.point_b}) minus {name_a} (point {args.point_a}), "
          f"paired on {int(table['n'].max()) if len(table) else 0} common seeds; 95% CI")
    print(format_table(table, ["metric", "n", "mean_a", "mean_b", "diff", "ci_low", "ci_high", "rel_change", "significant"]))
    csv = Path(args.csv) if args.csv else Path(args.runs) / f"compare_{name_a}_vs_{name_b}.csv"
    csv.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(csv, index=False)
    print(f"table: {csv}")
    accounts = compare_accounts(stores[0], stores[1], point_a=args.point_a, point_b=args.point_b, top=args.top)
    if accounts.empty:
        print("per-account costs: none (a store written before the finance table was stored)")
    else:
        print(f"\nPer park (top {args.top} by public cost) and per city, means over replications; 万元, jobs; "
              "B − A rows: B's extra money per extra job / 万元 of tax")
        print(format_table(accounts, ["account_kind", "name", "side", "runs", *ACCOUNT_SHOWN], max_rows=len(accounts)))
        path = csv.with_name(f"{csv.stem}_accounts.csv")
        accounts.to_csv(path, index=False)
        print(f"table: {path}")
    return EXIT_FAILED_RUNS if failed else EXIT_OK


def cmd_targets(args) -> int:
    from parksim.experiments.compare import format_table, target_shares
    from parksim.experiments.store import Store
    _guard_out_of_runs(args)
    failed = 0
    if _is_store(args.scenario):
        store = Store(args.scenario)
    else:
        p, store = _prepare(args.scenario, args, False)
        if not p.scenario.targets:
            raise BadInput(f"{p.scenario.path}: targets: got []; allowed: a list of target ids for `parksim targets`")
        failed = _execute(p, store, args)
    table = target_shares(store)
    if table.empty:
        raise BadInput(f"{store.path}: no successful runs with targets to evaluate")
    table["share_met"] = table["share_met"].map(lambda x: "not evaluated" if x != x else f"{x:.0%}")
    print(format_table(table, ["point", "target", "year", "op", "value", "share_met", "mean_measured", "description"]))
    csv = Path(args.csv) if args.csv else store.path / "targets.csv"
    table.to_csv(csv, index=False)
    print(f"table: {csv}")
    return EXIT_FAILED_RUNS if failed else EXIT_OK


def cmd_validate(args) -> int:
    from parksim.experiments.capacity import human
    from parksim.experiments.runner import plan
    from parksim.simulation import ConfigError
    bad = 0
    for ref in args.files:
        try:
            p = plan(ref, sweep=False)
            s = p.scenario
            swept = plan(s, sweep=True) if s.sweep is not None else p
            swept.check()                              # every design point in full, however many
            size = len(swept.design)
        except ConfigError as e:
            print(f"parksim: error: {e}", file=sys.stderr)
            bad += 1
            continue
        parks = (f"{len(s.world.parks)} parks" if s.world.parks else f"{s.world.n_parks} generated parks")
        chain = " <- ".join(Path(f).stem for f in reversed(s.files))
        print(f"ok: {s.name} ({chain}): {parks}, {s.world.years} years from {s.world.start_year}; "
              f"rules on: {', '.join(s.policy.enabled_rules()) or 'none'}; {s.replications} replications, "
              f"root seed {s.seed}; {size} design point{'s' if size != 1 else ''}; {len(s.targets)} targets"
              + (f"; {len(s.world.schedule)} scheduled interventions" if s.world.schedule else ""))
        est = swept.estimate
        print(f"  estimated per run: at most {est.firms.max():,.0f} firms, peak memory {human(est.peak_bytes.max())}, "
              f"{est.seconds.max():.1g} s; {est.seconds.sum() * s.replications / 3600:.2g} CPU hours in all")
        if s.catalogue is not None:
            print("  " + s.catalogue.report().replace("\n", "\n  "))
    return EXIT_BAD_INPUT if bad else EXIT_OK


def cmd_verify(args) -> int:
    from parksim.experiments.store import Store
    store = Store(args.store)
    if not store.exists():
        raise BadInput(f"STORE: got {args.store!r}; allowed: a store directory (holding experiment.json)")
    verdicts = store.verify()
    for v in verdicts:
        what = f"chunk {v.name} ({len(v.runs)} runs)" if v.kind == "chunk" and v.ok else \
            (f"chunk {v.name}" if v.kind == "chunk" else v.name)
        print(f"{'ok' if v.ok else 'DAMAGED'}: {what}{'' if v.ok else ': ' + v.reason}")
    bad = [v for v in verdicts if not v.ok]
    n_chunks = sum(v.kind == "chunk" for v in verdicts)
    print(f"{store.path}: {n_chunks} chunks, " + (f"{len(bad)} problem{'s' * (len(bad) != 1)}: resuming the "
          "experiment quarantines damaged chunks and runs their runs again; runs of two model versions need "
          "--new-store" if bad else "sound"))
    return EXIT_FAILED_RUNS if bad else EXIT_OK


class _Messages(logging.Formatter):
    """Progress (INFO) as the bare message; warnings and errors prefixed like the CLI's own errors."""

    def format(self, record: logging.LogRecord) -> str:
        message = super().format(record)
        return message if record.levelno < logging.WARNING else f"parksim: {record.levelname.lower()}: {message}"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``parksim`` console script."""
    args = _parser().parse_args(argv)
    from parksim.experiments.store import StoreError
    from parksim.simulation import ConfigError
    # the library's log records (logger "parksim.*") go to stderr for the length of the command
    logger, handler = logging.getLogger("parksim"), logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Messages("%(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING if getattr(args, "quiet", False) else logging.INFO)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return args.handler(args)
    except (ConfigError, StoreError, BadInput, MissingExtra) as e:
        print(f"parksim: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:              # output piped into a reader that closed early (`parksim verify S | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE             # what a shell reports for a reader that stopped
    except KeyboardInterrupt as e:
        print(f"parksim: {'terminated' if isinstance(e, Terminated) else 'interrupted'}; finished runs are "
              "in the store, run the same command again to resume", file=sys.stderr)
        return EXIT_TERMINATED if isinstance(e, Terminated) else EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)
        logger.removeHandler(handler)
        logger.setLevel(level)


def _terminate(signum, frame):
    raise Terminated


if __name__ == "__main__":
    sys.exit(main())
