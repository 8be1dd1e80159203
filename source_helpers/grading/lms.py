"""Grades from the gradebook as the CSV files Canvas and Moodle import: one row per student, one column per chapter.

Both layouts come from the same gradebook ``make export`` reads, with the
roster's fields (``make roster``: id, first and last name, email):

- ``canvas``: Canvas's gradebook import layout, the columns ``Student``
  (``Last, First``), ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``,
  then one column per chapter, and a second row ``Points Possible`` with each
  chapter's maximum. ``ID`` is Canvas's own number, which the gradebook does
  not know, so it is left empty; Canvas then matches a row by ``SIS User ID``
  (the student's nbgrader id) or ``SIS Login ID`` (their email).
- ``moodle``: for Moodle's *Import > CSV file*: ``ID number`` (the nbgrader
  id), ``First name``, ``Last name``, ``Email address``, then one column per
  chapter; Moodle asks which column identifies the user (map ``Email
  address`` to *Email address*, or ``ID number`` to *ID number*) and which
  grade item each chapter column fills.

A grade is nbgrader's score after the late penalty (``score`` in
``grades.csv``). A cell is **empty** where there is no grade: the student
submitted nothing, or the submission could not be graded (status
``failed``). Both platforms leave a grade unchanged for an empty cell, so
an import never overwrites a grade entered by hand there with a 0; the
failed submissions are listed by ``export_lms`` so they are looked at.
"""

import csv
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from .status import read_status

__all__ = ["FORMATS", "lms_table", "export_lms"]

FORMATS = ("canvas", "moodle")
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = ["ID number", "First name", "Last name", "Email address"]


def _number(value):
    """A score as the platforms read it: ``7`` rather than ``7.0``, at most two decimals."""
    value = round(float(value), 2)
    return str(int(value)) if value == int(value) else f"{value:g}"


def lms_table(db_url, lms_format):
    """The rows of the CSV for ``lms_format``, header first, and the submissions that failed.

    Parameters
    ----------
    db_url : str
        The gradebook's database URL (``c.CourseDirectory.db_url``).
    lms_format : {"canvas", "moodle"}
        The layout.

    Returns
    -------
    rows : list of list of str
        The header, for Canvas the ``Points Possible`` row, then one row per student of the
        gradebook, sorted by id; chapters in the order of their names.
    failed : list of str
        ``chapter/student`` of each submission left empty because it could not be graded.

    Raises
    ------
    ValueError
        If ``lms_format`` is not one of ``FORMATS``.
    """
    if lms_format not in FORMATS:
        raise ValueError(f"`lms_format` must be one of {', '.join(FORMATS)}; got {lms_format!r}")
    try:
        status = read_status(db_url)
    except Exception:  # a gradebook the class grader never wrote to
        status = {}
    failed = []
    with Gradebook(db_url) as gradebook:
        assignments = sorted(gradebook.assignments, key=lambda a: a.name)
        students = sorted(gradebook.students, key=lambda s: s.id)
        names = [a.name for a in assignments]
        if lms_format == "canvas":
            rows = [CANVAS_COLUMNS + names,
                    ["Points Possible", "", "", "", ""] + [_number(a.max_score) for a in assignments]]
        else:
            rows = [MOODLE_COLUMNS + names]
        for student in students:
            first, last, email = student.first_name or "", student.last_name or "", student.email or ""
            if lms_format == "canvas":
                shown = ", ".join(part for part in (last, first) if part) or student.id
                row = [shown, "", student.id, email, ""]
            else:
                row = [student.id, first, last, email]
            for assignment in assignments:
                if status.get(f"{assignment.name}/{student.id}", {}).get("status") == "failed":
                    failed.append(f"{assignment.name}/{student.id}")
                    row.append("")
                    continue
                try:
                    submission = gradebook.find_submission(assignment.name, student.id)
                except MissingEntry:
                    row.append("")
                    continue
                penalty = submission.late_submission_penalty or 0.0
                row.append(_number(max(0.0, submission.score - penalty)))
            rows.append(row)
    return rows, failed


def export_lms(db_url, lms_format, path):
    """Write the grades for ``lms_format`` as CSV (UTF-8, comma-separated) to ``path``.

    Returns the ``failed`` list of ``lms_table``. See ``lms_table`` for the parameters and errors.
    """
    rows, failed = lms_table(db_url, lms_format)
    path = Path(path)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return failed
