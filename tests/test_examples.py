"""The example notebooks in examples/ run from top to bottom, as a reader would run them."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NOTEBOOKS = ("compare_scenarios.ipynb", "sweep_threshold_duckdb.ipynb")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_example_notebook_runs_without_error(tmp_path, name):
    """Every cell runs without an error in a fresh working directory, within the timeout."""
    nb = nbformat.read(EXAMPLES / name, as_version=4)
    # raises CellExecutionError on the first cell that fails, and a timeout error on a cell that hangs
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert all(o.output_type != "error" for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert (tmp_path / "runs").is_dir()


def test_example_notebooks_are_committed_without_outputs():
    """The notebooks in the repository carry no outputs, so diffs show only what changed in the code."""
    for name in NOTEBOOKS:
        nb = nbformat.read(EXAMPLES / name, as_version=4)
        nbformat.validate(nb)
        assert all(not c.outputs and c.execution_count is None for c in nb.cells if c.cell_type == "code"), name
