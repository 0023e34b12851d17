"""``parksim validate-model``: run the calibrated model and write the validation report.

The report puts each calibration target next to its simulated value (mean ± sd over replications
on common seeds), lists the targets the scenario cannot measure, and adds the stylised facts of
:mod:`parksim.calibration.validation` (not used in calibration) with their sources and pass/fail.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from parksim.experiments.executors import make_executor
from parksim.experiments.runner import code_version, replication_seeds
from parksim.experiments.store import Store
from parksim.scenarios.loader import Scenario, load_scenario
from parksim.simulation.sectors import default_sectors

from . import report
from .evaluate import evaluate, tasks_for
from .smm import loss, measures, summarise, target_table
from .space import parameter
from .targets import TargetSet, load_targets, shown_path
from .validation import all_facts, collect, facts_table, pooled_hazard


@dataclass
class ValidationResult:
    targets: pd.DataFrame
    facts: pd.DataFrame
    loss: float
    path: Path


def validate_model(scenario: Scenario | str, *, calibrated: dict | None = None, targets: TargetSet | str | None = None,
                   replications: int = 8, out: str | Path, executor: str = "pool", workers: int | None = None,
                   scheduler: str | None = None, history: pd.DataFrame | None = None) -> ValidationResult:
    """Run ``scenario`` (with the ``calibrated`` world values set, if given) and write the HTML report to ``out``.

    Raises:
        ConfigError: bad scenario, targets or calibrated values (before anything runs).
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if not isinstance(targets, TargetSet):
        targets = load_targets(targets)
    calibrated = dict(calibrated or {})
    params = [parameter(p, where="calibrated parameters") for p in calibrated]
    x = [calibrated[p.path] for p in params]
    where = f"{scenario.path or scenario.name}: calibrated values → "
    world, policy = scenario.configure({p.path: p.cast(v) for p, v in zip(params, x)}, where=where)
    years = list(range(world.start_year, world.start_year + world.years + 1))
    measured = targets.measurable(years)
    unmeasured = [t for t in targets.targets if t not in measured]
    seeds = replication_seeds(scenario.seed, replications)
    with make_executor(executor, workers, scheduler) as ex:
        [outcome] = evaluate(tasks_for(scenario, params, [x] if params else np.zeros((1, 0)), seeds,
                                       measures(measured), where), ex)
        runs, twins = collect(world, policy, seeds, ex)
    mean, sd = summarise(outcome["rows"], [t.key for t in measured])
    table = target_table(mean, sd, measured, unmeasured)
    facts = facts_table(all_facts(runs, twins))
    total = loss(mean, measured)
    values = ", ".join(f"{p.name} = {p.cast(v):.4g}" for p, v in zip(params, x)) or "the scenario's own values"
    blocks = [
        (f"<p>Scenario <b>{html.escape(scenario.name)}</b> ({world.years} years from {world.start_year}); "
         f"calibrated world: {html.escape(values)}. {replications} replications on common seeds (root seed "
         f"{scenario.seed}); code {code_version()['version']}. Targets: {html.escape(shown_path(targets.path))}.</p>"),
        (f"<h2>Calibration targets</h2><p>SMM loss {total:.4g}; {int(table['pass'][table['measured']].sum())} of "
         f"{len(measured)} measured targets within tolerance (a range target passes inside its range). "
         f"Not measurable in this scenario: {', '.join(t.key for t in unmeasured) or 'none'}.</p>"),
        report.table(table[["target", "kind", "observed", "simulated", "sd", "tolerance", "pass", "measured",
                            "source", "proxy"]]),
        f"<h2>Stylised facts (not used in calibration)</h2><p>{int(facts['pass'].sum())} of {len(facts)} pass.</p>",
        report.table(facts[["name", "statement", "criterion", "statistic", "pass", "source"]]),
        report.hazard_chart(pooled_hazard([r["hazard"] for r in runs])),
        report.ccdf_chart(np.concatenate([r["sizes"] for r in runs])),
        report.gamma_chart(np.concatenate([r["gamma"] for r in runs])),
        report.coagglomeration_chart([r["coagglomeration"] for r in runs], default_sectors().io),
        report.twins_chart(twins),
    ]
    if history is not None and len(history):
        blocks.append(report.history_chart(history))
    path = report.write(out, report.page(f"Validation report: {scenario.name}", blocks))
    return ValidationResult(table, facts, total, path)


def history_of(calibration_dir: str | Path) -> pd.DataFrame:
    """The search history of a calibration directory."""
    return Store(calibration_dir).read("metrics")
