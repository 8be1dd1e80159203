"""Due dates, extensions and the late-work policy of a term.

Two small files in the course root, both optional, are read whenever
``make autograde`` runs and written into the gradebook before anything is
graded (so formgrader, feedback and ``nbgrader export`` see them too):

- ``due-dates.csv``: a line per chapter, ``chapter,due``, the due time in ISO
  8601 with its offset from UTC (``01-image-arrays,2027-02-15T23:59:00+01:00``);
- ``extensions.csv``: a line per extension, ``student,chapter,days``
  (fractions allowed: ``0.5`` is twelve hours).

A submission is late when its time stamp (``timestamp.txt``, written by
``nbgrader collect``) is after the due time plus the student's extension.
What that costs is the instructor's choice, through nbgrader's own
late-submission plugin mechanism (``CourseLatePolicy``, selected in
``nbgrader_config.py``): no penalty, a share of the score per day started,
or zero after a cut-off.
"""

import csv
import datetime
import math
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Enum, Float

__all__ = ["DUE_DATES", "EXTENSIONS", "read_due_dates", "read_extensions", "apply_deadlines", "CourseLatePolicy",
           "describe_lateness"]

DUE_DATES = "due-dates.csv"
EXTENSIONS = "extensions.csv"


def _rows(path, columns):
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        found = [c.strip().lower() for c in reader.fieldnames or []]
        missing = [c for c in columns if c not in found]
        if missing:
            raise ValueError(f"`{Path(path).name}` needs a header with the columns {', '.join(columns)}; "
                             f"it has: {', '.join(found) or 'none'}")
        for number, row in enumerate(reader, start=2):
            row = {str(k).strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
            if any(row.values()):
                yield number, row


def _utc(text, where):
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{where}: `{text}` is not a time in ISO 8601, e.g. 2027-02-15T23:59:00+01:00") from None
    if moment.tzinfo is None:
        raise ValueError(f"{where}: `{text}` has no offset from UTC; write it as e.g. {text}+01:00 (or Z for UTC)")
    return moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def read_due_dates(path):
    """``{chapter: due time in UTC (naive datetime)}`` from a ``due-dates.csv``; errors name the line."""
    return {row["chapter"]: _utc(row["due"], f"`{Path(path).name}` line {number}")
            for number, row in _rows(path, ("chapter", "due"))}


def read_extensions(path):
    """``{(student, chapter): timedelta}`` from an ``extensions.csv``; errors name the line."""
    extensions = {}
    for number, row in _rows(path, ("student", "chapter", "days")):
        try:
            days = float(row["days"])
        except ValueError:
            days = math.nan
        if not math.isfinite(days) or days < 0:
            raise ValueError(f"`{Path(path).name}` line {number}: days must be a number of days, 0 or more; "
                             f"got {row['days']!r}")
        extensions[(row["student"], row["chapter"])] = datetime.timedelta(days=days)
    return extensions


def apply_deadlines(root, db_url, chapters):
    """Write the due dates and extensions of the course's files into the gradebook.

    A chapter the file does not list keeps the due date it has. Returns
    ``{(chapter, student or None): text}``, a fingerprint of the due date of
    each chapter and of each extension, so that a changed deadline makes the
    grader grade again.
    """
    root = Path(root)
    due = read_due_dates(root / DUE_DATES) if (root / DUE_DATES).is_file() else {}
    extensions = read_extensions(root / EXTENSIONS) if (root / EXTENSIONS).is_file() else {}
    from .course import chapters as course_chapters

    unknown = sorted(({c for c in due} | {c for _, c in extensions}) - set(course_chapters(root)))
    if unknown:
        raise ValueError(f"{DUE_DATES} or {EXTENSIONS} names chapters the course does not have: {', '.join(unknown)}")
    applied = {}
    with Gradebook(db_url) as gradebook:
        for chapter in chapters:
            try:
                assignment = gradebook.find_assignment(chapter)
            except MissingEntry:
                continue
            if chapter in due:       # a due date set another way (nbgrader db assignment add) is kept
                assignment = gradebook.update_or_create_assignment(chapter, duedate=due[chapter])
            applied[(chapter, None)] = str(assignment.duedate)
        for (student, chapter), extension in sorted(extensions.items()):
            # Written when the student has handed the chapter in (an extension alone is no submission).
            if (chapter, None) not in applied or not (root / "submitted" / student / chapter).is_dir():
                continue
            gradebook.update_or_create_student(student)
            gradebook.update_or_create_submission(chapter, student, extension=extension)
            applied[(chapter, student)] = str(extension)
    return applied


def describe_lateness(submission):
    """``no``, or ``late by 1 d 4 h`` (``late by 35 min``), for a gradebook submission."""
    seconds = submission.total_seconds_late or 0
    if seconds <= 0:
        return "no"
    minutes = int(math.ceil(seconds / 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = ([f"{days} d"] if days else []) + ([f"{hours} h"] if hours else []) + (
        [f"{minutes} min"] if minutes and not days else [])
    return "late by " + " ".join(parts or ["1 min"])


class CourseLatePolicy(LateSubmissionPlugin):
    """The course's late-work policy, through nbgrader's late-submission plugin mechanism.

    ``policy``:

    - ``none``: late work loses nothing (it is still marked late in the export);
    - ``per_day``: each day started after the due time (and extension) costs
      ``per_day_percent`` of the score, and after ``cutoff_days`` (if > 0)
      the score is 0;
    - ``zero_after``: no penalty up to ``cutoff_days`` days late, 0 after.
    """

    policy = Enum(("none", "per_day", "zero_after"), default_value="none",
                  help="What late work costs: none, per_day or zero_after.").tag(config=True)
    per_day_percent = Float(10.0, help="Percent of the score lost per day started (policy per_day).").tag(config=True)
    cutoff_days = Float(0.0, help="Days late after which the score is 0 (0: none, for per_day).").tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        days = (total_seconds_late or 0) / 86400
        if days <= 0 or not score or self.policy == "none":
            return None         # as nbgrader's own plugin: no penalty recorded
        beyond = self.cutoff_days > 0 and days > self.cutoff_days
        if self.policy == "zero_after":
            return float(score) if beyond else 0.0
        if beyond:
            return float(score)
        return min(float(score), float(score) * self.per_day_percent / 100 * math.ceil(days))
