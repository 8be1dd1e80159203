"""Autograde a whole class one student at a time, so one bad submission cannot stop the rest.

``nbgrader autograde <chapter>`` grades every student in one run, and some
broken submissions (a duplicated test cell, issue #1083 of nbgrader) abort
that run for everybody. ``autograde_class`` calls nbgrader once per student,
reports progress, and collects the failures instead of stopping at them.
"""

import time
from pathlib import Path

from nbgrader.api import Gradebook

from .course import nbgrader_api


def scores(api, chapter, student):
    """``{grade_id: (score, max_score)}`` of a graded submission."""
    with Gradebook(api.coursedir.db_url) as gradebook:
        notebook = gradebook.find_submission_notebook(chapter, chapter, student)
        return {grade.name: (grade.score, grade.max_score) for grade in notebook.grades}


def submitted_students(root, chapter):
    """Students with a submission of ``chapter`` in ``root/submitted/``, sorted."""
    folder = Path(root) / "submitted"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / chapter).is_dir())


def autograde_class(root, chapter, *, students=None, report=print):
    """Autograde each submission of ``chapter`` in the course directory ``root``.

    Returns ``{student: {grade_id: (score, max_score)}}``, with the error
    text in place of the scores for a submission nbgrader could not grade.
    ``report`` receives one progress line per student (``print`` by default;
    None for silence).
    """
    report = report or (lambda line: None)
    api = nbgrader_api(root)
    students = list(students) if students is not None else submitted_students(root, chapter)
    results = {}
    for i, student in enumerate(students, start=1):
        start = time.perf_counter()
        outcome = api.autograde(chapter, student, force=True, create=True)
        seconds = time.perf_counter() - start
        if outcome["success"]:
            cells = scores(api, chapter, student)
            total = sum(score for score, _ in cells.values())
            top = sum(top for _, top in cells.values())
            results[student] = cells
            report(f"[{i}/{len(students)}] {student}: {total:g}/{top:g} ({seconds:.1f} s)")
        else:
            error = (outcome.get("error") or outcome.get("log") or "autograde failed").strip()
            results[student] = error
            last = error.splitlines()[-1] if error else ""
            report(f"[{i}/{len(students)}] {student}: FAILED ({last})")
    return results
