"""The package's face: __init__ re-exports what it lists, and defines nothing of its own."""

import ast
from pathlib import Path

import source_helpers


def test_every_listed_name_is_exported_once():
    missing = [name for name in source_helpers.__all__ if not hasattr(source_helpers, name)]
    assert not missing, f"__all__ lists names that are not there: {missing}"
    assert len(set(source_helpers.__all__)) == len(source_helpers.__all__), "__all__ repeats a name"


def test_init_defines_nothing():
    tree = ast.parse(Path(source_helpers.__file__).read_text())
    defined = [node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
    assert not defined, f"__init__.py defines {defined}; define them in a topic module and re-export them"


def test_computational_modules_do_not_import_matplotlib_or_nbgrader():
    folder = Path(source_helpers.__file__).parent
    for path in folder.glob("*.py"):
        if path.name == "display.py":
            continue
        text = path.read_text()
        for forbidden in ("import matplotlib", "from matplotlib", "import nbgrader", "from nbgrader"):
            assert forbidden not in text, f"{path.name} imports {forbidden.split()[-1]}; only display.py (matplotlib) and grading/ (nbgrader) may"
