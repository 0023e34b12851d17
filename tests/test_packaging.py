"""Packaging: one ``parksim`` import namespace, no bare top-level modules, imports that point one way."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = {"simulation": 0, "scenarios": 1, "experiments": 2, "calibration": 3, "viz": 3, "parksim": 4}


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts if parts[0] == "parksim" else ["parksim", *parts])


def import_graph() -> nx.DiGraph:
    """Module → module it imports (at any depth of the file, lazy imports included), within parksim."""
    g = nx.DiGraph()
    paths = [p for folder in FOLDERS for p in (ROOT / folder).rglob("*.py")]
    modules = {_module_name(p) for p in paths}
    for path in paths:
        name = _module_name(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        g.add_node(name)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                # `from pkg import module` imports the module; `from pkg import name` the package
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            for t in targets:
                if t == "parksim" or t.startswith("parksim."):
                    g.add_edge(name, t)
    return g


def test_user_folder_named_experiments_does_not_shadow_ours(tmp_path):
    """A researcher's own experiments/ and simulation/ folders leave parksim.experiments ours."""
    for name in ("experiments", "simulation"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("raise ImportError('the user folder was imported')\n")
    code = ("import parksim.experiments, parksim.simulation, experiments; "
            "print(parksim.experiments.__file__); print(parksim.simulation.__file__)")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    # `import experiments` must reach the user's folder (it raises), proving the folder is on the path
    assert "the user folder was imported" in out.stderr
    code = "import parksim.experiments, parksim.simulation; print(parksim.experiments.__file__, parksim.simulation.__file__)"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    for file in out.stdout.split():
        assert not Path(file).is_relative_to(tmp_path)


def test_no_bare_top_level_modules_installed():
    """Only ``parksim`` is importable from the distribution; ``simulation``, ``experiments``… are not."""
    code = ("import importlib.util, os, sys; sys.path = [p for p in sys.path if p not in ('', os.getcwd())]; "
            "print([m for m in ('simulation', 'scenarios', 'experiments', 'calibration', 'viz') "
            "if importlib.util.find_spec(m)])")
    out = subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    """A normal (non-editable) wheel of the project, built once for the tests that read it."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True)
    return zipfile.ZipFile(next(out.glob("parksim-*.whl")))


def test_wheel_holds_only_the_parksim_namespace_with_its_data(wheel):
    """A normal (non-editable) build puts every folder under parksim/, with the data files."""
    names = wheel.namelist()
    tops = {n.split("/")[0] for n in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"parksim"}
    for needed in ("parksim/simulation/data/sectors.csv", "parksim/scenarios/baseline.toml",
                   "parksim/scenarios/data/china_development_zones_2018.csv", "parksim/calibration/targets.toml",
                   "parksim/viz/assets/style.css", "parksim/experiments/runner.py"):
        assert needed in names


def test_wheel_metadata_has_the_licence_and_keeps_dashboard_and_dask_in_extras(wheel):
    """The wheel says Apache-2.0 and ships LICENSE; dash, kaleido and dask are required only by their extras."""
    names = wheel.namelist()
    meta = wheel.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode("utf-8")
    assert "License-Expression: Apache-2.0" in meta
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    core = [line for line in re.findall(r"^Requires-Dist: (.+)$", meta, re.M) if "extra ==" not in line]
    optional = re.findall(r"^Requires-Dist: ([A-Za-z0-9_.-]+).*extra == \"(\w+)\"", meta, re.M)
    assert core and not [r for r in core if re.match(r"(dash|kaleido|waitress|dask|distributed)\b", r)]
    assert {("dash", "dashboard"), ("kaleido", "dashboard"), ("waitress", "dashboard"), ("dask", "distributed")} <= set(optional)


def test_no_import_circles():
    """No module imports (directly or through others) a module that imports it back."""
    g = import_graph()
    # a package's __init__ re-exports its modules; an edge module → its own package is not a circle
    cycles = [c for c in nx.simple_cycles(g) if not all(a.startswith(b) or b.startswith(a) for a, b in zip(c, c[1:] + c[:1]))]
    assert cycles == []


def test_imports_point_one_way():
    """simulation ← scenarios ← experiments ← calibration, viz ← the parksim CLI: never back up the flow."""
    rank = {f"parksim.{k}" if k != "parksim" else "parksim": v for k, v in FOLDERS.items()}
    rank["parksim.options"] = FOLDERS["calibration"]     # the subcommands' shared options, below every command
    rank["parksim.extras"] = FOLDERS["simulation"]       # the optional-dependency check imports nothing of parksim

    def layer(module: str) -> int:
        parts = module.split(".")
        return rank.get(".".join(parts[:2]), rank["parksim"])

    upward = [(a, b) for a, b in import_graph().edges if layer(b) > layer(a)]
    assert upward == []


def test_citation_and_changelog_carry_the_version_in_pyproject():
    """CITATION.cff's version and the changelog's newest entry are the version pyproject.toml declares."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(r'^version: "?([^"\n]+)"?$', cff, re.M).group(1) == declared
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(r"^## \[([^\]]+)\]", changelog, re.M).group(1) == declared


def test_version_option_prints_the_version_in_pyproject():
    """``parksim --version`` prints the installed version, which is the one pyproject.toml declares."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    out = subprocess.run([sys.executable, "-m", "parksim", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"parksim {declared}"


@pytest.mark.parametrize(("module", "argv", "extra"), [
    ("dash", ["dashboard"], "dashboard"),
    ("kaleido", ["dashboard"], "dashboard"),
    ("dash", ["report", "baseline"], "dashboard"),
    ("distributed", ["run", "baseline", "--executor", "dask", "--replications", "1"], "distributed"),
    ("distributed", ["sweep", "sweep_entry_threshold", "--scheduler", "tcp://127.0.0.1:1"], "distributed"),
])
def test_missing_extra_names_it_with_exit_2_and_writes_nothing(tmp_path, module, argv, extra):
    """Without an extra's module, the command says which extra to install (exit 2), no traceback, nothing written."""
    code = (f"import sys; sys.modules[{module!r}] = None; from parksim.cli import main; "
            f"sys.exit(main({[*argv, '--runs', str(tmp_path / 'runs')]!r}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out.stderr
    assert f"pip install 'parksim[{extra}]'" in out.stderr and module in out.stderr
    assert "Traceback" not in out.stderr
    assert list(tmp_path.iterdir()) == []
