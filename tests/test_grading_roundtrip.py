"""The grading round trip through nbgrader's Python API, in scratch course directories.

For every chapter: the blank release scores 0 on every graded cell, the
release filled in with the model answers scores full marks on every graded
cell, even when every answer warns; the totals match README.md's table, and
feedback is produced. Hostile and broken submissions: test_grading_hostile.py.
"""

import re

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
