"""Fair grades: a typical mistake fails a visible test that names it, and the reference earns nothing.

- Every typical wrong answer in ``typical_mistakes.py`` fails the *visible*
  test of its exercise, with a message matching the entry's pattern; every
  model answer passes all visible tests.
- Every exercise has at least two typical mistakes on record.
- An answer that hands an exercise to the course's reference answer (called
  directly, through an alias bound at import, through ``importlib``, or
  assigned) fails its visible test with a message that says so, and scores
  0 for that exercise when the notebook is graded.
"""

import contextlib
import io
import re

import nbformat
import pytest

import source_helpers as sh
from source_helpers.exercises import REFERENCES
from source_helpers.grading.contained import TrustedSource, _bound_names
from source_helpers.grading.trial import (
    answer_with_solution,
    grade_submissions,
    nbgrader_meta,
    release_notebook,
    scratch_course,
    source_notebook,
)

from conftest import CHAPTERS, ROOT
from typical_mistakes import GRADED, MISTAKES


def _read(folder, chapter):
    return nbformat.read(ROOT / folder / chapter / f"{chapter}.ipynb", as_version=4)


def chapter_parts(chapter):
    """``(setup, {answer id: model code}, {test id: visible code})`` of a chapter."""
    trusted = TrustedSource(_read("solutions", chapter), chapter)
    answers = {}
    for cell in _read("solutions", chapter).cells:
        if nbgrader_meta(cell).get("solution"):
            answers[nbgrader_meta(cell)["grade_id"]] = "\n".join(
                line for line in cell.source.splitlines() if "### BEGIN SOLUTION" not in line
                and "### END SOLUTION" not in line)
    visible = {nbgrader_meta(c)["grade_id"]: c.source for c in _read("notebooks", chapter).cells
               if nbgrader_meta(c).get("grade")}
    return trusted.setup, answers, visible


def run_visible(chapter, overrides, only, *, hidden=False):
    """Run the visible test ``only`` with the model answers, some replaced by ``overrides``; its message or None.

    ``hidden=True`` runs the whole test, hidden part included, as grading does.
    """
    setup, answers, visible = chapter_parts(chapter)
    if hidden:
        visible = TrustedSource(_read("solutions", chapter), chapter).tests
    namespace = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(setup, namespace)
        for code in {**answers, **overrides}.values():
            exec(code, namespace)
        try:
            exec(visible[only], namespace)
        except AssertionError as error:
            return str(error)
    return None


CASES = [(chapter, exercise, entry[0], entry[1], entry[2], entry[3:] == (GRADED,))
         for (chapter, exercise), entries in MISTAKES.items() for entry in entries]


@pytest.mark.parametrize("chapter, exercise, label, code, pattern, graded", CASES,
                         ids=[f"{c[1]}: {c[2]}" for c in CASES])
def test_a_typical_mistake_fails_a_visible_test_that_names_it(chapter, exercise, label, code, pattern, graded):
    message = run_visible(chapter, {exercise: code}, f"test_{exercise}")
    if graded:
        assert message is None, f"{exercise}: the visible test gives away the answer by rejecting '{label}':\n{message}"
        message = run_visible(chapter, {exercise: code}, f"test_{exercise}", hidden=True)
        assert message is not None, f"{exercise}: the misjudgement '{label}' passes the graded test"
    else:
        assert message is not None, f"{exercise}: the mistake '{label}' passes every visible test"
    assert re.search(pattern, message, flags=re.S), f"{exercise}, '{label}': the message does not name it:\n{message}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_model_answers_pass_every_visible_test(chapter):
    _, _, visible = chapter_parts(chapter)
    for grade_id in visible:
        assert run_visible(chapter, {}, grade_id) is None, f"{chapter}/{grade_id} fails with the model answers"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_exercise_has_typical_mistakes_on_record(chapter):
    _, answers, visible = chapter_parts(chapter)
    for exercise in answers:
        if f"test_{exercise}" in visible:
            assert len(MISTAKES.get((chapter, exercise), [])) >= 2, (
                f"{chapter}/{exercise}: list at least two typical wrong answers in tests/typical_mistakes.py")


# -- handing the exercise to the reference -----------------------------------------------

def delegations(name):
    """Ways students hand exercise ``name`` to the course's reference answer ``sh.<name>``."""
    module = getattr(sh, name).__module__
    return {
        "direct": f"import source_helpers as sh\ndef {name}(*args, **kwargs):\n    return sh.{name}(*args, **kwargs)\n",
        "alias import": (f"from {module} import {name} as _found\n"
                         f"def {name}(*args, **kwargs):\n    return _found(*args, **kwargs)\n"),
        "importlib": ("import importlib\n"
                      f"def {name}(*args, **kwargs):\n"
                      f"    return getattr(importlib.import_module('source_helpers'), '{name}')(*args, **kwargs)\n"),
        "assigned": f"import source_helpers as sh\n{name} = sh.{name}\n",
        "lambda": f"import source_helpers as sh\n{name} = lambda *args, **kwargs: sh.{name}(*args, **kwargs)\n",
    }


def exercises_defining(chapter, names):
    """``{answer cell id: the names of ``names`` it defines}``: one exercise may ask for several functions."""
    _, answers, _ = chapter_parts(chapter)
    found = {grade_id: sorted(_bound_names(code) & set(names)) for grade_id, code in answers.items()}
    return {grade_id: defined for grade_id, defined in found.items() if defined}


# Answers that hand the exercise to a course helper computing the same thing under another name.
HELPER_DELEGATIONS = {
    ("07-iou", "iou_matrix"): "import source_helpers as sh\n"
                              "def iou_matrix(true_labels, pred_labels):\n"
                              "    return sh.label_overlaps(true_labels, pred_labels).to_dense()\n",
    ("07-iou", "match_instances"): "import source_helpers as sh\n"
                                   "def match_instances(true_labels, pred_labels, threshold=0.5):\n"
                                   "    return sh.match_labels(true_labels, pred_labels, threshold).pairs()\n",
    ("07-iou", "f1_at"): "import source_helpers as sh\n"
                         "def f1_at(true_labels, pred_labels, threshold=0.5):\n"
                         "    return sh.matching_scores(true_labels, pred_labels, threshold).f1\n",
    ("08-timelapse", "link_frames"): "import source_helpers as sh\n"
                                     "def link_frames(prev_labels, next_labels, threshold=0.5):\n"
                                     "    tracks, _ = sh.track_cells(np.stack([prev_labels, next_labels]), threshold=threshold)\n"
                                     "    first = {int(t): int(l) for t, l in zip(tracks[0].ravel(), prev_labels.ravel()) if t}\n"
                                     "    second = {int(t): int(l) for t, l in zip(tracks[1].ravel(), next_labels.ravel()) if t}\n"
                                     "    return sorted((first[t], second[t]) for t in first.keys() & second.keys())\n",
}


@pytest.mark.parametrize("chapter, name", sorted(HELPER_DELEGATIONS))
def test_handing_the_exercise_to_an_equivalent_helper_fails_visibly(chapter, name):
    message = run_visible(chapter, {name: HELPER_DELEGATIONS[(chapter, name)]}, f"test_{name}")
    assert message is not None and "earns nothing" in message and "a course helper that computes" in message, message


DELEGATED = [(chapter, name, style) for name, chapter in sorted(REFERENCES.items()) if chapter in CHAPTERS
             for style in delegations(name)]


@pytest.mark.parametrize("chapter, name, style", DELEGATED, ids=[f"{d[1]}-{d[2]}" for d in DELEGATED])
def test_handing_the_exercise_to_its_reference_fails_visibly(chapter, name, style):
    _, answers, _ = chapter_parts(chapter)
    (exercise,) = exercises_defining(chapter, [name])
    # The model answer, then the delegation: the other functions of the same answer cell stay right.
    code = answers[exercise] + "\n" + delegations(name)[style]
    message = run_visible(chapter, {exercise: code}, f"test_{exercise}")
    assert message is not None and "earns nothing" in message and f"sh.{name}" in message, message


@pytest.mark.parametrize("chapter", sorted({chapter for chapter in REFERENCES.values() if chapter in CHAPTERS}))
def test_handing_exercises_to_their_references_scores_zero(chapter, tmp_path):
    api = scratch_course(ROOT, chapter, tmp_path)
    release = release_notebook(api, chapter)
    solved = answer_with_solution(release, source_notebook(api, chapter))
    own = exercises_defining(chapter, [name for name, home in REFERENCES.items() if home == chapter])
    submissions = {}
    for style in ("direct", "alias import", "importlib", "assigned"):
        notebook = nbformat.from_dict(solved)
        for cell in notebook.cells:
            grade_id = nbgrader_meta(cell).get("grade_id")
            if nbgrader_meta(cell).get("solution") and grade_id in own:
                cell.source = "\n".join(delegations(name)[style] for name in own[grade_id])
        submissions[style.replace(" ", "-")] = notebook
    helpers = {name: code for (home, name), code in HELPER_DELEGATIONS.items() if home == chapter}
    if helpers:
        notebook = nbformat.from_dict(solved)
        for cell in notebook.cells:
            if nbgrader_meta(cell).get("solution") and nbgrader_meta(cell).get("grade_id") in helpers:
                cell.source = helpers[nbgrader_meta(cell)["grade_id"]]
        submissions["helpers"] = notebook
    results = grade_submissions(api, chapter, submissions)
    for student, cells in results.items():
        assert isinstance(cells, dict), f"{student}: {cells}"
        delegated = helpers if student == "helpers" else own
        earned = {cell: score for cell, (score, _) in cells.items() if cell[len("test_"):] in delegated and score}
        assert not earned, f"{chapter}, {student}: the reference earned points in {earned}"
