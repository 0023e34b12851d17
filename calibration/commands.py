"""``parksim calibrate``, ``parksim sensitivity`` and ``parksim validate-model``: argparse setup and handlers.

Everything the user gives is checked before anything runs (exit 2 with a message naming the
file or flag, the value and what is allowed); results are written atomically.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_SCENARIO = "chizhou_2015"


def _run_options() -> argparse.ArgumentParser:
    from parksim.options import executor_options
    p = argparse.ArgumentParser(add_help=False, parents=[executor_options()])
    p.add_argument("--replications", type=int, metavar="N", help="runs per parameter vector, on common seeds")
    return p


def register(sub, common: argparse.ArgumentParser) -> None:
    """Add the three subcommands to the ``parksim`` parser."""
    execution = _run_options()
    c = sub.add_parser("calibrate", parents=[common, execution], help="calibrate world parameters to targets (SMM + DE)",
                       description="Simulated method of moments: differential evolution over the free parameters "
                       "of the targets file, each evaluation the mean moments of --replications runs. History and "
                       "result go to RUNS/calibration/<name>/; with --resume a killed calibration continues "
                       "(vectors already in the history are not run again). Writes a scenario fragment at the end.")
    c.add_argument("targets", nargs="?", help="targets TOML (default: the packaged calibration/targets.toml)")
    c.add_argument("--scenario", default=DEFAULT_SCENARIO, help=f"scenario to calibrate (default {DEFAULT_SCENARIO})")
    c.add_argument("--budget", type=int, default=2000, metavar="N",
                   help="objective evaluations (parameter vectors), default 2000")
    c.add_argument("--seed", type=int, default=0, metavar="S", help="optimiser seed (default 0)")
    c.add_argument("--popsize", type=int, default=10, metavar="K", help="DE population = K × parameters (default 10)")
    c.add_argument("--param", action="append", default=[], metavar="PATH=LOW:HIGH",
                   help="calibrate this parameter within these bounds (repeatable; replaces the file's [parameters])")
    c.add_argument("--name", help="calibration name (default: the scenario's)")
    c.add_argument("--out", metavar="DIR", help="calibration directory (default RUNS/calibration/<name>)")
    c.add_argument("--resume", action="store_true", help="continue a calibration whose directory exists")
    c.add_argument("--overwrite", action="store_true", help="discard an existing calibration directory")
    c.add_argument("--fragment", metavar="PATH", help="where to write the scenario fragment "
                   "(default <out>/calibrated_<name>.toml; use scenarios/calibrated_<name>.toml to extend it by name)")
    c.add_argument("--fragment-extends", metavar="NAME", help="`extends` of the fragment (default: the root of the "
                   "scenario's chain, e.g. baseline; 'none' for none)")
    c.set_defaults(handler=cmd_calibrate)

    s = sub.add_parser("sensitivity", parents=[common, execution], help="Morris screening, then Sobol indices (SALib)",
                       description="Morris screening over every free world parameter (bounds from the parameter "
                       "metadata), then first- and total-order Sobol indices with confidence intervals over the most "
                       "influential ones, for the headline outputs. Tables (CSV), samples (Parquet) and an HTML page "
                       "with Plotly charts go to RUNS/sensitivity/<scenario>/.")
    s.add_argument("--scenario", default=DEFAULT_SCENARIO, help=f"scenario (default {DEFAULT_SCENARIO})")
    s.add_argument("--param", action="append", default=[], metavar="PATH[=LOW:HIGH]",
                   help="screen only these parameters (repeatable; default: all free parameters)")
    s.add_argument("--trajectories", type=int, default=10, metavar="R", help="Morris trajectories (default 10)")
    s.add_argument("--sobol-n", type=int, default=64, metavar="N", help="Saltelli base sample, a power of 2 (default 64)")
    s.add_argument("--top", type=int, default=5, metavar="K", help="parameters kept for Sobol (default 5)")
    s.add_argument("--seed", type=int, default=0, metavar="S", help="sampling seed (default 0)")
    s.add_argument("--out", metavar="DIR", help="output directory (default RUNS/sensitivity/<scenario>)")
    s.set_defaults(handler=cmd_sensitivity)

    v = sub.add_parser("validate-model", parents=[common, execution], help="validation report of the calibrated model",
                       description="Run the calibrated model and write an HTML report: each calibration target next "
                       "to its simulated value, and stylised facts not used in calibration with source and pass/fail.")
    v.add_argument("scenario", nargs="?", help="scenario (default: the calibration's scenario, else "
                   f"{DEFAULT_SCENARIO}); a scenario extending a calibrated fragment needs no --calibration")
    v.add_argument("--calibration", metavar="DIR", help="a calibration directory: its best parameters are applied")
    v.add_argument("--targets", metavar="FILE", help="targets TOML (default: the calibration's, else the packaged one)")
    v.add_argument("--out", metavar="FILE", help="report path (default <calibration>/validation.html or "
                   "RUNS/validation/<scenario>.html)")
    v.set_defaults(handler=cmd_validate_model)


def _executor(args, directories: tuple[str, ...] = ("runs", "out")) -> str:
    """The executor asked for, after checking the executor flags and the output directories."""
    from parksim.options import check_directories, executor_kind
    kind = executor_kind(args, ("workers", "replications"))
    check_directories(args, directories)
    return kind


def _params(specs: list[str], need_bounds: bool):
    """``PATH=LOW:HIGH`` (or ``PATH`` with default bounds) → validated FreeParameters."""
    from parksim.options import BadInput

    from .space import parameter
    out = []
    for spec in specs:
        path, _, bounds = spec.partition("=")
        if not bounds:
            if need_bounds:
                raise BadInput(f"--param: got {spec!r}; allowed: PATH=LOW:HIGH, e.g. world.margin_mean=-0.1:0.1")
            out.append(parameter(path, where="--param"))
            continue
        try:
            lo, hi = (float(b) for b in bounds.split(":"))
        except ValueError:
            raise BadInput(f"--param {path}: got bounds {bounds!r}; allowed: LOW:HIGH (two numbers)") from None
        out.append(parameter(path, [lo, hi], where="--param"))
    return out


def _at_least(args, name: str, low: int) -> None:
    from parksim.options import BadInput
    if getattr(args, name) < low:
        raise BadInput(f"--{name.replace('_', '-')}: got {getattr(args, name)}; allowed: an integer >= {low}")


def cmd_calibrate(args) -> int:
    from parksim.options import BadInput
    from parksim.scenarios.loader import load_scenario

    from .fragments import default_extends, write_fragment
    from .search import calibrate
    from .targets import load_targets
    kind = _executor(args)
    for name, low in (("budget", 1), ("popsize", 1)):
        _at_least(args, name, low)
    if args.seed < 0:
        raise BadInput(f"--seed: got {args.seed}; allowed: an integer >= 0")
    scenario = load_scenario(args.scenario)
    targets = load_targets(args.targets)
    params = _params(args.param, need_bounds=True) or None
    name = args.name or scenario.name
    out = Path(args.out) if args.out is not None else Path(args.runs) / "calibration" / name
    if (out / "experiment.json").exists() and not (args.resume or args.overwrite):
        raise BadInput(f"{out}: a calibration exists there; allowed: --resume to continue it, --overwrite to discard it, "
                       "or --out/--name for another")
    extends = (default_extends(args.scenario) if args.fragment_extends is None
               else None if args.fragment_extends == "none" else args.fragment_extends)
    if extends is not None:
        load_scenario(extends)                          # a bad name fails now, not after the search
    fragment = Path(args.fragment) if args.fragment else out / f"calibrated_{name}.toml"
    result = calibrate(scenario, targets, out=out, budget=args.budget, replications=args.replications or 2,
                       seed=args.seed, popsize=args.popsize, params=params, executor=kind, workers=args.workers,
                       scheduler=args.scheduler, overwrite=args.overwrite, progress=not args.quiet)
    path = write_fragment(result.record, fragment, extends)
    print(f"{scenario.name}: loss {result.loss:.4g} after {result.evaluations} evaluations "
          f"({result.record['new_evaluations']} run now) in {result.seconds:.0f} s ({kind})")
    for p, v in result.params.items():
        print(f"  {p} = {v:.6g}")
    from parksim.experiments.compare import format_table
    print(format_table(result.table[["target", "observed", "simulated", "sd", "tolerance", "pass", "measured"]]))
    print(f"history and result: {out}\nfragment: {path}")
    return 0


def cmd_sensitivity(args) -> int:
    from parksim.scenarios.loader import load_scenario

    from .sensitivity import screen_then_sobol
    from .space import free_parameters
    kind = _executor(args)
    for name, low in (("trajectories", 2), ("sobol_n", 2), ("top", 1)):
        _at_least(args, name, low)
    if args.sobol_n & (args.sobol_n - 1):
        from parksim.options import BadInput
        raise BadInput(f"--sobol-n: got {args.sobol_n}; allowed: a power of 2 (Sobol sequence)")
    scenario = load_scenario(args.scenario)
    params = _params(args.param, need_bounds=False) or list(free_parameters().values())
    out = Path(args.out) if args.out is not None else Path(args.runs) / "sensitivity" / scenario.name
    r = screen_then_sobol(scenario, params, out=out, trajectories=args.trajectories, sobol_n=args.sobol_n,
                          top=args.top, replications=args.replications or 2, seed=args.seed, executor=kind,
                          workers=args.workers, scheduler=args.scheduler)
    from .sensitivity import influence
    print("Morris: overall influence (largest μ*/max μ* over the outputs)")
    for p, v in influence(r.morris).head(10).items():
        print(f"  {p:40s} {v:.3f}")
    print("Sobol (total order ST ± 95% CI) over " + ", ".join(r.chosen))
    for _, row in r.sobol.iterrows():
        print(f"  {row['output']:26s} {row['parameter']:34s} S1 {row['S1']:+.3f}  ST {row['ST']:.3f} ± {row['ST_conf']:.3f}")
    print(f"tables and charts: {out}")
    return 0


def cmd_validate_model(args) -> int:
    from .search import load_result
    from .validate import history_of, validate_model
    kind = _executor(args, ("runs",))                   # --out is a file here
    if args.out is not None:
        from parksim.options import check_file
        check_file("--out", args.out)
    result = load_result(args.calibration) if args.calibration else None
    scenario = args.scenario or (result["scenario"] if result else DEFAULT_SCENARIO)
    targets = args.targets or (result["targets_file"] if result else None)
    if args.out is not None:
        out = Path(args.out)
    elif args.calibration:
        out = Path(args.calibration) / "validation.html"
    else:
        out = Path(args.runs) / "validation" / f"{Path(scenario).stem}.html"
    r = validate_model(scenario, calibrated=result["params"] if result else None, targets=targets,
                       replications=args.replications or 8, out=out, executor=kind, workers=args.workers,
                       scheduler=args.scheduler, history=history_of(args.calibration) if args.calibration else None)
    measured = r.targets[r.targets["measured"]]
    print(f"targets: {int(measured['pass'].sum())} of {len(measured)} within tolerance (loss {r.loss:.4g}); "
          f"not measurable: {', '.join(r.targets.loc[~r.targets['measured'], 'target']) or 'none'}")
    for _, f in r.facts.iterrows():
        print(f"  {'pass' if f['pass'] else 'FAIL'}  {f['name']}: {f['statistic']}")
    print(f"report: {r.path}", file=sys.stdout)
    return 0
