"""NotebookGrader: student cells in the sandbox, test cells in the grader, answers as plain data."""

import os

import nbformat
import numpy as np
import pytest

from source_helpers.grading.contained import TrustedSource, grade_notebook
from source_helpers.grading.sandbox import Limits, SandboxBroken, containment, prepare_package_root

CHAPTER = "99-example"
SETUP = "import numpy as np\nfrom source_helpers import checks\n"

TESTS = {
    "test_double": (
        "data = np.arange(4)\n"
        "checks.check_array_equal(checks.call_unchanged(double, data), [0, 2, 4, 6], 'double(data)')\n"
        "print('Visible tests passed.')\n"),
    "test_draw": (
        "rng = np.random.default_rng(7)\n"
        "mine = checks.call(draw, rng)\n"
        "reference = np.random.default_rng(7)\n"
        "checks.check_allclose(mine, reference.random(3), 'draw(rng)')\n"
        "checks.check_close(rng.random(), reference.random(), 'the next number of rng after draw(rng)')\n"),
    "test_choice": "checks.check_equal(choice, 12, 'choice')\n",
}


def notebook(answers, *, extra_cells=()):
    """A chapter notebook: setup, then (answer, test) pairs; ``answers`` maps answer id to its code."""
    cells = [nbformat.v4.new_code_cell(SETUP)]
    for grade_id, test in TESTS.items():
        answer_id = grade_id[len("test_"):]
        answer = nbformat.v4.new_code_cell(answers.get(answer_id, "raise NotImplementedError()"))
        answer.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": answer_id, "locked": False}
        check = nbformat.v4.new_code_cell(test)
        check.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": grade_id, "points": 1,
                                      "locked": True}
        cells += [answer, check]
    cells[1:1] = list(extra_cells)
    return nbformat.v4.new_notebook(cells=cells)


SOLUTION = {
    "double": "def double(values):\n    return values * 2\n",
    "draw": "def draw(rng):\n    return rng.random(3)\n",
    "choice": "choice = 12\n",
}


@pytest.fixture(scope="module")
def source():
    return TrustedSource(notebook(SOLUTION), CHAPTER)


@pytest.fixture(scope="module")
def package_root(tmp_path_factory):
    found = containment()
    if not found.isolated and os.environ.get("CI") == "true":
        pytest.fail(f"CI needs the grading sandbox isolated, but {found.reason}")
    return prepare_package_root(CHAPTER, tmp_path_factory.mktemp("package"))


def grade(source, package_root, answers, **options):
    submission = notebook(answers, extra_cells=options.pop("extra_cells", ()))
    options.setdefault("cell_timeout", 10)
    report = grade_notebook(submission, source, package_root=package_root, **options)
    errors = {c.metadata["nbgrader"]["grade_id"]: [o for o in c.outputs if o.output_type == "error"]
              for c in submission.cells if c.metadata.get("nbgrader", {}).get("grade")}
    return submission, report, errors


def test_the_source_names_setup_answers_and_tests(source):
    assert source.setup == SETUP
    assert source.answer_names == {"double", "draw", "choice"}
    assert set(source.tests) == set(TESTS)


def test_correct_answers_pass_every_test(source, package_root):
    submission, report, errors = grade(source, package_root, SOLUTION)
    assert all(not e for e in errors.values()), errors
    assert report.flags == []
    first_test = next(c for c in submission.cells if c.metadata.get("nbgrader", {}).get("grade"))
    assert "Visible tests passed." in first_test.outputs[0]["text"]


def test_a_function_that_changes_its_input_is_caught(source, package_root):
    _, _, errors = grade(source, package_root, {**SOLUTION, "double": (
        "def double(values):\n    values *= 2\n    return values\n")})
    assert "`double` changed its first argument in place" in errors["test_double"][0]["evalue"]


def test_the_generator_advances_as_in_the_students_kernel(source, package_root):
    _, _, errors = grade(source, package_root, {**SOLUTION, "draw": (
        "def draw(rng):\n    values = rng.random(3)\n    rng.random()\n    return values\n")})
    assert "the next number of rng" in errors["test_draw"][0]["evalue"]
    assert not errors["test_double"]


def test_a_missing_answer_is_named(source, package_root):
    _, _, errors = grade(source, package_root, {k: v for k, v in SOLUTION.items() if k != "choice"})
    assert errors["test_choice"][0]["evalue"] == "`choice` is not defined: write it in its answer cell and run that cell."


def test_the_students_names_do_not_reach_the_tests(source, package_root):
    sabotage = nbformat.v4.new_code_cell("np = None\nchecks = None\n")
    _, _, errors = grade(source, package_root, SOLUTION, extra_cells=[sabotage])
    assert all(not e for e in errors.values()), errors


def test_points_earned_before_a_crash_stay(source, package_root):
    submission, report, errors = grade(source, package_root, {
        **SOLUTION, "draw": "def draw(rng):\n    import os\n    os._exit(1)\n"})
    assert not errors["test_double"] and not errors["test_choice"]
    assert "stopped" in errors["test_draw"][0]["evalue"]
    assert report.restarts == 1 and any("stopped during a call to draw" in f for f in report.flags)


def test_a_cell_that_loops_is_stopped_and_the_rest_graded(source, package_root):
    loop = nbformat.v4.new_code_cell("while True:\n    pass\n")
    submission, report, errors = grade(source, package_root, SOLUTION, extra_cells=[loop], cell_timeout=2)
    assert submission.cells[1].outputs[-1]["ename"] == "CellTimeoutError"
    assert all(not e for e in errors.values()), errors
    assert any("stopped at the time limit" in f for f in report.flags)


def test_a_value_that_cannot_cross_fails_its_check_by_type(source, package_root):
    _, _, errors = grade(source, package_root, {**SOLUTION, "choice": (
        "class Twelve:\n    def __eq__(self, other):\n        return True\nchoice = Twelve()\n")})
    assert "should be an int, but it is a Twelve" in errors["test_choice"][0]["evalue"]


def test_a_sandbox_that_cannot_start_is_a_grading_failure_not_a_zero(source, package_root):
    with pytest.raises(SandboxBroken, match="the grading sandbox does not start on this machine"):
        grade(source, package_root, SOLUTION, limits=Limits(memory_mb=16))
