"""``nbgrader export`` for the course: nbgrader's grades, plus each submission's grading status and flags.

nbgrader's own CSV cannot tell a blank submission from one that could not be
graded (malformed, missing, a crash): both are a 0. This plugin writes the
same columns and three more, the first two read from the gradebook's own
database (``status.py``; ``autograded/grading-status.json`` for a course
graded before), so every grader's export shows them:

- ``status``: ``graded``, ``flagged`` (graded, but look at the flags),
  ``failed`` (not graded: the reason is in ``flags``), or ``not submitted``;
- ``flags``: what a person should look at, separated by ``;``;
- ``late``: ``no``, ``late by 1 d 4 h`` (after the due time and the student's
  extension, see ``deadlines.py``), or empty when nothing was submitted.

``nbgrader_config.py`` selects it with ``c.ExportApp.plugin_class``.
"""

import csv
import json
from pathlib import Path

from nbgrader.api import MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.plugins import ExportPlugin

from .batch import STATUS_FILE
from .deadlines import describe_lateness
from .status import read_status

__all__ = ["CourseCsvExport"]

COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email", "raw_score",
           "late_submission_penalty", "score", "max_score", "status", "flags", "late"]


class CourseCsvExport(ExportPlugin):
    """Grades as CSV with a status and flags column per submission."""

    def _status(self):
        """The grading status of every submission: from the gradebook's database, else the local file."""
        coursedir = CourseDirectory(config=self.config)
        try:
            found = read_status(coursedir.db_url)
        except Exception:  # a database the grader never wrote to: fall back to the file
            found = {}
        if found:
            return found
        path = Path(coursedir.root) / coursedir.autograded_directory / STATUS_FILE
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            return {}

    def export(self, gradebook):
        destination = self.to or "grades.csv"
        wanted_students = {str(s) for s in self.student}
        wanted_assignments = {str(a) for a in self.assignment}
        status = self._status()
        with open(destination, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            for assignment in gradebook.assignments:
                if wanted_assignments and assignment.name not in wanted_assignments:
                    continue
                for student in gradebook.students:
                    if wanted_students and student.id not in wanted_students:
                        continue
                    writer.writerow(self._row(gradebook, assignment, student, status))
        self.log.info("Exported grades with status and flags to %s", destination)

    @staticmethod
    def _row(gradebook, assignment, student, status):
        entry = status.get(f"{assignment.name}/{student.id}", {})
        try:
            submission = gradebook.find_submission(assignment.name, student.id)
        except MissingEntry:
            submission = None
        if submission is None:
            timestamp, raw, penalty, score = "", 0.0, 0.0, 0.0
        else:
            timestamp, raw = submission.timestamp, submission.score
            penalty = submission.late_submission_penalty
            score = max(0.0, raw - penalty)
        state = entry.get("status") or ("not submitted" if submission is None else "graded")
        flags = list(entry.get("flags", []))
        if entry.get("error") and entry["error"] not in flags:
            flags.insert(0, entry["error"])
        late = "" if submission is None or state == "not submitted" else describe_lateness(submission)
        values = [assignment.name, assignment.duedate, timestamp, student.id, student.last_name,
                  student.first_name, student.email, raw, penalty, score, assignment.max_score, state,
                  "; ".join(flags), late]
        return ["" if v is None else str(v) for v in values]
