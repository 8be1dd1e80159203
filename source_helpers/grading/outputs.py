"""Run a solution notebook and store only the outputs that nbval compares.

Solution notebooks are committed without outputs, except the cells tagged
``nbval-check-output``: those print the numbers a chapter teaches, and
``pytest --nbval-lax`` fails when a fresh run prints something else.
"""

from pathlib import Path

import nbformat
from nbclient import NotebookClient

CHECK_TAG = "nbval-check-output"


def is_checked(cell):
    """True for a code cell whose output nbval compares."""
    return cell.cell_type == "code" and CHECK_TAG in cell.metadata.get("tags", [])


def store_checked_outputs(path, *, timeout=120):
    """Execute the notebook at ``path`` in its folder and keep only the checked cells' outputs."""
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    strip_unchecked_outputs(notebook)
    nbformat.write(notebook, path)


def strip_unchecked_outputs(notebook):
    """Remove outputs and execution counts from every cell nbval does not check."""
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if not is_checked(cell):
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    notebook.metadata.pop("widgets", None)
    return notebook
