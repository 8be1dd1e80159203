"""Rules every chapter follows so that grading is fair and contained (checked on the source notebooks).

- The first code cell is the *setup cell*: imports only. The grader runs it in
  its own process before the tests, so test cells may use what it imports.
- A test cell is self-contained: it uses only the setup cell's names, the
  names the answer cells define, builtins, and what it creates itself. It
  never reads a variable of a teaching cell, which runs only in the
  student's sandbox when a submission is graded.
- A test cell calls a student's function only through ``checks.call``, which
  explains failures and blocks the chapter's reference answers meanwhile.
- No cell hands students the reference answer to one of the chapter's own
  exercises: no ``sh.<exercise>`` of the same chapter, no import of it.
  (References of earlier chapters are fine.)
"""

import ast
import builtins

import nbformat
import pytest

from source_helpers.exercises import REFERENCES
from source_helpers.grading.contained import TrustedSource

from conftest import CHAPTERS, ROOT


def source_notebook(chapter):
    return nbformat.read(ROOT / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)


def meta(cell):
    return cell.metadata.get("nbgrader", {})


def without_markers(source):
    return "\n".join(line for line in source.splitlines() if "### BEGIN" not in line and "### END" not in line)


class _Scope(ast.NodeVisitor):
    """Names a piece of module code reads before (or without) binding them, ignoring function-local names."""

    def __init__(self):
        self.free = set()

    @staticmethod
    def bound_in(node):
        names = set()
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
                names.add(sub.id)
            elif isinstance(sub, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
                names.add(sub.name)
            elif isinstance(sub, ast.arg):
                names.add(sub.arg)
            elif isinstance(sub, (ast.Import, ast.ImportFrom)):
                names |= {(a.asname or a.name).split(".")[0] for a in sub.names}
            elif isinstance(sub, ast.ExceptHandler) and sub.name:
                names.add(sub.name)
        return names

    def free_names(self, tree):
        bound = self.bound_in(tree)
        return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - bound


def setup_names(chapter):
    source = TrustedSource(source_notebook(chapter), chapter)
    return _Scope.bound_in(ast.parse(source.setup))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_setup_cell_only_imports(chapter):
    source = TrustedSource(source_notebook(chapter), chapter)
    tree = ast.parse(source.setup)
    others = [type(node).__name__ for node in tree.body if not isinstance(node, (ast.Import, ast.ImportFrom))]
    assert not others, f"{chapter}: the first code cell (setup) must only import; it also has {others}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_test_cells_are_self_contained(chapter):
    source = TrustedSource(source_notebook(chapter), chapter)
    known = setup_names(chapter) | source.answer_names | set(dir(builtins))
    for grade_id, code in source.tests.items():
        free = _Scope().free_names(ast.parse(code)) - known
        assert not free, (f"{chapter}/{grade_id} reads {sorted(free)}, which neither the setup cell, an answer "
                          "cell nor the test cell itself defines; create the inputs in the test cell")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_test_cells_call_answers_through_checks_call(chapter):
    source = TrustedSource(source_notebook(chapter), chapter)
    for grade_id, code in source.tests.items():
        direct = [node.func.id for node in ast.walk(ast.parse(code))
                  if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                  and node.func.id in source.answer_names]
        assert not direct, f"{chapter}/{grade_id} calls {direct} directly; use checks.call({direct[0]}, ...)"


def own_references(chapter):
    return {name for name, home in REFERENCES.items() if home == chapter}


STUCK_SWITCH = "USE_COURSE_VERSIONS = False"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_stuck_students_switch_is_off_in_the_release_and_comes_after_the_exercises_it_replaces(chapter):
    release = nbformat.read(ROOT / "notebooks" / chapter / f"{chapter}.ipynb", as_version=4)
    code = [cell.source for cell in release.cells if cell.cell_type == "code"]
    for index, source in enumerate(code):
        if "USE_COURSE_VERSIONS" not in source:
            continue
        assert source.startswith(STUCK_SWITCH), f"{chapter}: the switch must start with `{STUCK_SWITCH}`"
        replaced = _switched_names(ast.parse(source).body) - {"USE_COURSE_VERSIONS"}
        defined_before = {name for earlier in code[:index] for name in _defined_names(earlier)}
        assert replaced <= defined_before, (
            f"{chapter}: the switch replaces {sorted(replaced - defined_before)} before the exercise defines it, "
            "so the student's answer cell would overwrite the course's version")


def _switched_names(statements):
    """Names a switch cell binds at its top level or inside its ``if``: functions and assigned names."""
    names = set()
    for statement in statements:
        if isinstance(statement, ast.If):
            names |= _switched_names(statement.body)
        elif isinstance(statement, ast.FunctionDef):
            names.add(statement.name)
        elif isinstance(statement, ast.Assign):
            names |= {target.id for target in statement.targets if isinstance(target, ast.Name)}
    return names


def _defined_names(source):
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_cell_hands_out_the_chapters_own_reference_answers(chapter):
    own = own_references(chapter)
    notebook = source_notebook(chapter)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or meta(cell).get("grade"):
            continue       # test cells run in the grader, where computing expected values with them is right
        if cell.source.startswith(STUCK_SWITCH):
            continue       # the switch for a stuck student hands them out on purpose, only when set to True
        tree = ast.parse(without_markers(cell.source))
        used = {node.attr for node in ast.walk(tree)
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "sh"}
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                    for alias in node.names}
        leaks = sorted((used | imported) & own)
        assert not leaks, (f"{chapter}, cell {index}: uses the reference answer(s) {leaks} of its own exercises; "
                           "use the student's function, or a library call")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_test_cells_are_plain_python(chapter):
    for grade_id, code in TrustedSource(source_notebook(chapter), chapter).tests.items():
        compile(code, grade_id, "exec")
