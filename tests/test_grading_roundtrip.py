"""The grading round trip through nbgrader's Python API, in scratch course directories.

For every chapter: the blank release scores 0 on every graded cell, the
release filled in with the model answers scores full marks on every graded
cell, the totals match README.md's table, and feedback is produced. Then a
class of awkward submissions to chapter 01 is graded without stopping the
batch, and the grades export to CSV.
"""

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from source_helpers.grading.course import nbgrader_api
from source_helpers.grading.trial import (
    answer_with_solution,
    grade_submissions,
    nbgrader_meta,
    release_notebook,
    scratch_course,
    source_notebook,
)

from conftest import CHAPTERS, ROOT


def readme_table():
    """``{chapter: (exercises, points)}`` from the chapter table of README.md."""
    rows = {}
    for line in (ROOT / "README.md").read_text().splitlines():
        match = re.match(r"\|\s*`?(\d\d-[a-z0-9-]+)`?\s*\|[^|]*\|\s*(\d+)\s*\|\s*(\d+)\s*\|", line)
        if match:
            rows[match.group(1)] = (int(match.group(2)), int(match.group(3)))
    return rows


def test_readme_table_lists_every_chapter():
    assert sorted(readme_table()) == CHAPTERS


def warning_answers(notebook):
    """The notebook with every answer cell's function warning each time it is called."""
    notebook = nbformat.from_dict(notebook)
    for cell in notebook.cells:
        if nbgrader_meta(cell).get("solution"):
            first, _, rest = cell.source.partition("\n")
            cell.source = "\n".join([
                "import warnings", first,
                "    warnings.warn('a harmless library warning', RuntimeWarning)", rest])
    return notebook


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_blank_scores_zero_and_solution_full_marks(chapter, tmp_path):
    api = scratch_course(ROOT, chapter, tmp_path)
    release = release_notebook(api, chapter)
    solution = answer_with_solution(release, source_notebook(api, chapter))
    results = grade_submissions(api, chapter, {
        "blank": release, "solution": solution, "warns": warning_answers(solution)})
    for student, result in results.items():
        assert isinstance(result, dict), f"autograding {student} failed:\n{result}"
    blank, solution = results["blank"], results["solution"]
    assert blank and blank.keys() == solution.keys()
    passing_stubs = [cell for cell, (score, _) in blank.items() if score != 0]
    assert not passing_stubs, f"{chapter}: test cells that give points to the blank stub: {passing_stubs}"
    lost = {cell: f"{score}/{top}" for cell, (score, top) in solution.items() if score != top or top <= 0}
    assert not lost, f"{chapter}: the model answers lose points in {lost}"
    assert results["warns"] == solution, f"{chapter}: a correct answer that warns loses points"

    exercises, points = readme_table()[chapter]
    total = sum(top for _, top in solution.values())
    assert total == points, f"{chapter}: the notebook is worth {total} points, README.md says {points}"
    answers = [c for c in release.cells if nbgrader_meta(c).get("solution")]
    assert len(answers) == exercises, f"{chapter}: {len(answers)} exercises, README.md says {exercises}"

    feedback = api.generate_feedback(chapter, "solution")
    assert feedback["success"], feedback.get("error")
    html = tmp_path / "feedback" / "solution" / chapter / f"{chapter}.html"
    assert html.is_file() and "Visible tests passed." in html.read_text()


# A class of awkward submissions to chapter 01 ---------------------------------

CHAPTER = "01-image-arrays"


def with_answer(notebook, grade_id, source):
    notebook = nbformat.from_dict(notebook)
    for cell in notebook.cells:
        if nbgrader_meta(cell).get("grade_id") == grade_id:
            cell.source = source
    return notebook


def test_a_class_of_awkward_submissions(tmp_path):
    api = scratch_course(ROOT, CHAPTER, tmp_path)
    # Grade looping answers with a short timeout so the test stays quick.
    with open(tmp_path / "nbgrader_config.py", "a") as config:
        config.write("\nc.Execute.timeout = 8\n")
    api = nbgrader_api(tmp_path)
    release = release_notebook(api, CHAPTER)
    solved = answer_with_solution(release, source_notebook(api, CHAPTER))
    full = {nbgrader_meta(c)["grade_id"]: nbgrader_meta(c)["points"] for c in release.cells if nbgrader_meta(c).get("grade")}

    warns = nbformat.from_dict(solved)
    for cell in warns.cells:
        if nbgrader_meta(cell).get("solution"):
            cell.source = "import warnings\n" + cell.source.replace(
                '"""\n', '"""\n    warnings.warn("a harmless warning", UserWarning)\n', 1)

    edited = nbformat.from_dict(release)
    for cell in edited.cells:
        if nbgrader_meta(cell).get("grade"):
            cell.source = "print('Visible tests passed.')"

    deleted = nbformat.from_dict(release)
    deleted.cells = [c for c in deleted.cells if not nbgrader_meta(c).get("grade")]

    cheat = with_answer(solved, "make_image", (
        "class Anything:\n"
        "    shape = None\n"
        "    def __eq__(self, other):\n"
        "        return True\n"
        "def make_image(height, width, on):\n"
        "    return Anything()\n"))

    loops = with_answer(solved, "crop", "def crop(image, top, left, height, width):\n    while True:\n        pass\n")

    duplicated = nbformat.from_dict(solved)
    first_test = next(i for i, c in enumerate(duplicated.cells) if nbgrader_meta(c).get("grade"))
    duplicated.cells.insert(first_test, nbformat.from_dict(duplicated.cells[first_test]))
    duplicated.cells[first_test]["id"] = "pasted-copy"

    submissions = {
        "duplicated": duplicated,
        "warns": warns,
        "edited": edited,
        "deleted": deleted,
        "cheat": cheat,
        "loops": loops,
        "malformed": '{"cells": [ this is not json',
        "solution": solved,
    }
    results = grade_submissions(api, CHAPTER, submissions)

    assert results["warns"] == {cell: (top, top) for cell, top in full.items()}, "a warning cost a correct answer points"
    assert all(score == 0 for score, _ in results["edited"].values()), "an edited test cell gave points"
    assert set(results["deleted"]) == set(full) and all(score == 0 for score, _ in results["deleted"].values())
    assert results["cheat"]["test_make_image"][0] == 0, "an object that equals everything passed"
    assert results["cheat"]["test_crop"] == (full["test_crop"], full["test_crop"])
    assert results["loops"]["test_crop"][0] == 0, "a looping answer was not stopped"
    assert results["loops"]["test_make_image"] == (full["test_make_image"], full["test_make_image"])
    assert isinstance(results["malformed"], str), "a malformed notebook was graded"
    assert isinstance(results["duplicated"], str), "a notebook with a duplicated test cell was graded"
    assert results["solution"] == {cell: (top, top) for cell, top in full.items()}, "a broken notebook disturbed the next one"

    # The grades of the class export to CSV.
    export = subprocess.run([str(Path(sys.executable).with_name("nbgrader")), "export"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert export.returncode == 0, export.stderr
    csv = (tmp_path / "grades.csv").read_text().splitlines()
    header = csv[0].split(",")
    rows = {r.split(",")[header.index("student_id")]: r.split(",") for r in csv[1:]}
    assert float(rows["solution"][header.index("score")]) == sum(full.values())
    assert float(rows["edited"][header.index("score")]) == 0
