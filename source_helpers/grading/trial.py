"""Grade a chapter in a scratch course directory, as if students had submitted it.

``try_chapter`` generates the release of one chapter from the solutions,
then autogrades two submissions: the untouched release (``blank``, which
must score 0) and the release with every answer cell filled in from the
solution (``solution``, which must score full marks). Tests and instructors
can grade any other notebook the same way with ``grade_submissions``.
"""

import shutil
from pathlib import Path

import nbformat

from .batch import autograde_class
from .course import CONFIG_FILE, nbgrader_api

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def nbgrader_meta(cell):
    """The cell's nbgrader metadata (empty dict for an ordinary cell)."""
    return cell.metadata.get("nbgrader", {})


def answer_with_solution(release, source):
    """A copy of the release notebook whose answer cells hold the solution code (markers removed)."""
    solutions = {
        nbgrader_meta(c)["grade_id"]: c.source
        for c in source.cells if nbgrader_meta(c).get("solution")
    }
    filled = nbformat.from_dict(release)
    for cell in filled.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if nbgrader_meta(cell).get("solution") and grade_id in solutions:
            lines = solutions[grade_id].splitlines()
            cell.source = "\n".join(line for line in lines if line.strip() not in SOLUTION_MARKERS)
    return filled


def scratch_course(root, chapter, workdir):
    """Copy the configuration and one chapter's source into ``workdir``, generate its release there.

    Returns the ``NbGraderAPI`` of the scratch course.
    """
    root, workdir = Path(root), Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / CONFIG_FILE, workdir / CONFIG_FILE)
    shutil.copytree(root / "solutions" / chapter, workdir / "solutions" / chapter, dirs_exist_ok=True)
    api = nbgrader_api(workdir)
    result = api.generate_assignment(chapter, force=True)
    if not result["success"]:
        raise RuntimeError(f"generate_assignment failed for {chapter}:\n{result.get('error') or result.get('log')}")
    return api


def release_notebook(api, chapter):
    """The generated student notebook of ``chapter`` in the course of ``api``."""
    path = Path(api.coursedir.root) / "notebooks" / chapter / f"{chapter}.ipynb"
    return nbformat.read(path, as_version=4)


def source_notebook(api, chapter):
    """The instructor's notebook of ``chapter`` in the course of ``api``."""
    path = Path(api.coursedir.root) / "solutions" / chapter / f"{chapter}.ipynb"
    return nbformat.read(path, as_version=4)


def grade_submissions(api, chapter, submissions, *, workers=None, unsafe_uncontained=False):
    """Write each ``{student: notebook}`` into ``submitted/`` and autograde it.

    ``notebook`` is a notebook node, or a string written as the file's text
    (to submit a malformed file). Students are graded one at a time, so one
    failing submission never stops the others. Returns
    ``{student: scores or error text}`` as ``batch.autograde_class`` does.
    ``unsafe_uncontained`` grades even where the code cannot be contained
    (see ``batch.grade_class``).
    """
    for student, notebook in submissions.items():
        folder = Path(api.coursedir.root) / "submitted" / student / chapter
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{chapter}.ipynb"
        if isinstance(notebook, str):
            target.write_text(notebook)
        else:
            nbformat.write(notebook, target)
    return autograde_class(api.coursedir.root, chapter, students=list(submissions), report=None, workers=workers,
                           unsafe_uncontained=unsafe_uncontained)


def try_chapter(root, chapter, workdir):
    """Grade the blank release and the filled-in solution of ``chapter``.

    Returns ``{"blank": scores, "solution": scores}``. Both are the course's own
    notebooks, so they are graded where bubblewrap is missing too (uncontained).
    """
    api = scratch_course(root, chapter, workdir)
    release = release_notebook(api, chapter)
    submissions = {
        "blank": release,
        "solution": answer_with_solution(release, source_notebook(api, chapter)),
    }
    return grade_submissions(api, chapter, submissions, unsafe_uncontained=True)
