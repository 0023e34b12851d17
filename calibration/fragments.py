"""Calibrated parameter sets as scenario fragments that other scenarios can ``extends``.

A fragment is a scenario file holding only the calibrated ``[world]`` values (and, optionally,
``extends`` of the root of the calibrated scenario's chain, so it keeps that file's seed and
replications). A scenario that says ``extends = "calibrated_<name>"`` gets the calibrated world and
adds its own policy. The comment header records the loss, date, targets file, settings and code
version of the calibration it came from.
"""

from __future__ import annotations

import os
from pathlib import Path

from parksim.scenarios.loader import SCENARIO_DIR, load_scenario

from .targets import shown_path


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return repr(float(v))


def fragment_text(result: dict, name: str, extends: str | None = None) -> str:
    """The TOML text of a fragment from a calibration result (``result.json``)."""
    table = [r for r in result["targets_table"] if r["measured"]]
    lines = [
        f"# Calibrated world parameters: `parksim calibrate` on scenario {result['scenario']}",
        f"# ({result['finished'][:19]} UTC, code {result['code_version']['version']}, "
        f"source {result['code_version']['source_hash']}).",
        f"# Targets: {shown_path(result['targets_file'])}; SMM loss {result['loss']:.4g} over {len(table)} measured targets;",
        (f"# differential evolution: {result['evaluations']} evaluations × {result['replications']} replications "
         f"(popsize {result['popsize']}, seed {result['seed']}), {result['generations']} generations."),
        "# Calibrated with that scenario's policy held fixed. Simulated vs observed:",
        *(f"#   {r['target']}: simulated {'none' if r['simulated'] is None else format(r['simulated'], '.4g')}, "
          f"observed {r['observed']} "
          f"({'pass' if r['pass'] else 'fail'})" for r in table),
        *(f"#   {k}: not measurable in this scenario" for k in result.get("not_measurable", [])),
        "",
        f'name = "{name}"',
        f'description = "World parameters calibrated on {result["scenario"]} (SMM loss {result["loss"]:.4g})."',
    ]
    if extends:
        lines.append(f'extends = "{extends}"')
    lines += ["", "[world]"]
    lines += [f"{path.split('.', 1)[1]} = {_toml_value(v)}" for path, v in result["params"].items()]
    return "\n".join(lines) + "\n"


def default_extends(scenario_name: str) -> str | None:
    """The root of the calibrated scenario's extends chain, if it is a shipped file other than itself."""
    s = load_scenario(scenario_name)
    root = Path(s.files[0])
    return root.stem if len(s.files) > 1 and root.parent == SCENARIO_DIR.resolve() else None


def write_fragment(result: dict, path: str | Path, extends: str | None = None) -> Path:
    """Write the fragment atomically, after checking that it loads as a scenario."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp.toml")          # same folder: ``extends`` resolves alike
    tmp.write_text(fragment_text(result, path.stem, extends), encoding="utf-8")
    try:
        load_scenario(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
    return path
