"""Fair grades the other way round: every correct answer on record passes, in whatever style it is written.

Each answer in ``correct_answers.py`` passes the visible test of its
exercise, and, graded as part of a whole notebook, earns full marks.
"""

import nbformat
import pytest

from source_helpers.grading.trial import (
    answer_with_solution,
    grade_submissions,
    nbgrader_meta,
    release_notebook,
    scratch_course,
    source_notebook,
)

from conftest import CHAPTERS, ROOT
from correct_answers import ANSWERS
from test_typical_mistakes import chapter_parts, run_visible

CASES = [(chapter, exercise, label, code) for (chapter, exercise), answers in ANSWERS.items()
         for label, code in answers]


@pytest.mark.parametrize("chapter, exercise, label, code", CASES, ids=[f"{c[1]}: {c[2]}" for c in CASES])
def test_a_correct_answer_passes_its_visible_test(chapter, exercise, label, code):
    message = run_visible(chapter, {exercise: code}, f"test_{exercise}")
    assert message is None, f"{exercise}, correct answer '{label}' fails its visible test:\n{message}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_exercise_has_other_correct_answers_on_record(chapter):
    _, answers, visible = chapter_parts(chapter)
    for exercise in answers:
        if f"test_{exercise}" in visible:
            assert ANSWERS.get((chapter, exercise)), (
                f"{chapter}/{exercise}: list correct answers in other styles in tests/correct_answers.py")


@pytest.mark.parametrize("chapter", sorted({chapter for chapter, _ in ANSWERS if chapter in CHAPTERS}))
def test_correct_answers_earn_full_marks_when_graded(chapter, tmp_path):
    api = scratch_course(ROOT, chapter, tmp_path)
    release = release_notebook(api, chapter)
    solved = answer_with_solution(release, source_notebook(api, chapter))
    mine = {exercise: answers for (home, exercise), answers in ANSWERS.items() if home == chapter}
    submissions = {}
    for round_ in range(max(len(a) for a in mine.values())):
        notebook = nbformat.from_dict(solved)
        for cell in notebook.cells:
            grade_id = nbgrader_meta(cell).get("grade_id")
            if nbgrader_meta(cell).get("solution") and grade_id in mine:
                cell.source = mine[grade_id][round_ % len(mine[grade_id])][1]
        submissions[f"style-{round_}"] = notebook
    for student, cells in grade_submissions(api, chapter, submissions).items():
        assert isinstance(cells, dict), f"{student}: {cells}"
        lost = {cell: f"{score}/{top}" for cell, (score, top) in cells.items() if score != top}
        assert not lost, f"{chapter}, {student}: correct answers lost points in {lost}"
