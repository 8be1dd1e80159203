"""Due dates, extensions and the late-work policy: from two small files to the penalty and the export's `late` column."""

import csv
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from source_helpers.grading.batch import grade_class
from source_helpers.grading.deadlines import CourseLatePolicy, read_due_dates, read_extensions
from source_helpers.grading.trial import answer_with_solution, release_notebook, scratch_course, source_notebook

from conftest import ROOT

CHAPTER = "00-setup"
BIN = Path(sys.executable).parent
HANDED_IN = {          # student: time stamp nbgrader collect would write (UTC)
    "on-time": "2027-01-10 11:00:00 UTC",
    "a-day-late": "2027-01-11 13:00:00 UTC",        # 25 hours late: two days started
    "very-late": "2027-01-20 12:00:00 UTC",         # 10 days late, past the cut-off
    "extended": "2027-01-12 10:00:00 UTC",          # 46 hours late, but with 2 days of extension
}


def course_with_deadlines(folder, policy):
    api = scratch_course(ROOT, CHAPTER, folder)
    with open(folder / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.CourseLatePolicy.policy = {policy!r}\nc.CourseLatePolicy.per_day_percent = 10.0\n"
                     "c.CourseLatePolicy.cutoff_days = 7.0\n")
    (folder / "due-dates.csv").write_text(f"chapter,due\n{CHAPTER},2027-01-10T13:00:00+01:00\n")
    (folder / "extensions.csv").write_text(f"student,chapter,days\nextended,{CHAPTER},2\nnever-came,{CHAPTER},3\n")
    solved = answer_with_solution(release_notebook(api, CHAPTER), source_notebook(api, CHAPTER))
    for student, stamp in HANDED_IN.items():
        target = folder / "submitted" / student / CHAPTER
        target.mkdir(parents=True)
        nbformat.write(solved, target / f"{CHAPTER}.ipynb")
        (target / "timestamp.txt").write_text(stamp)
    return api


def export(folder):
    run = subprocess.run([str(BIN / "nbgrader"), "export"], cwd=folder, capture_output=True, text=True,
                         env={"PATH": f"{BIN}:/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr
    with open(folder / "grades.csv", newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def test_a_penalty_per_day_started_and_zero_after_the_cut_off(tmp_path):
    course_with_deadlines(tmp_path, "per_day")
    grade_class(tmp_path, [CHAPTER], workers=1, progress=None)
    rows = export(tmp_path)
    assert rows["on-time"]["late"] == "no" and float(rows["on-time"]["score"]) == 1.0
    assert rows["a-day-late"]["late"] == "late by 1 d 1 h"
    assert float(rows["a-day-late"]["late_submission_penalty"]) == pytest.approx(0.2)   # 2 days started x 10 %
    assert float(rows["a-day-late"]["score"]) == pytest.approx(0.8)
    assert rows["very-late"]["late"].startswith("late by 10 d") and float(rows["very-late"]["score"]) == 0.0
    assert rows["extended"]["late"] == "no" and float(rows["extended"]["score"]) == 1.0
    assert "never-came" not in rows, "an extension alone is not a submission"
    assert rows["on-time"]["duedate"].startswith("2027-01-10 12:00:00")        # 13:00 at +01:00, stored in UTC


def test_no_penalty_still_marks_late_work_and_a_changed_due_date_regrades(tmp_path):
    course_with_deadlines(tmp_path, "none")
    grade_class(tmp_path, [CHAPTER], workers=1, progress=None)
    rows = export(tmp_path)
    assert rows["a-day-late"]["late"] == "late by 1 d 1 h" and float(rows["a-day-late"]["score"]) == 1.0
    again = grade_class(tmp_path, [CHAPTER], workers=1, progress=None)
    assert {o.status for o in again} == {"skipped"}, "nothing changed, nothing is graded again"
    (tmp_path / "due-dates.csv").write_text(f"chapter,due\n{CHAPTER},2027-01-30T00:00:00Z\n")
    regraded = grade_class(tmp_path, [CHAPTER], workers=1, progress=None)
    assert {o.status for o in regraded} == {"graded"}, "a new due date must be applied without FORCE=1"
    assert {row["late"] for row in export(tmp_path).values()} == {"no"}


@pytest.mark.parametrize("text, message", [
    ("chapter,when\n00-setup,2027-01-10\n", "columns chapter, due"),
    ("chapter,due\n00-setup,10/01/2027\n", "line 2: `10/01/2027` is not a time in ISO 8601"),
    ("chapter,due\n00-setup,2027-01-10T12:00\n", "no offset from UTC"),
])
def test_a_bad_due_date_file_names_the_line_and_the_fix(tmp_path, text, message):
    (tmp_path / "due-dates.csv").write_text(text)
    with pytest.raises(ValueError, match=message):
        read_due_dates(tmp_path / "due-dates.csv")


def test_a_bad_extension_names_the_line(tmp_path):
    (tmp_path / "extensions.csv").write_text("student,chapter,days\nada,00-setup,two\n")
    with pytest.raises(ValueError, match="line 2: days must be a number"):
        read_extensions(tmp_path / "extensions.csv")


def test_a_due_date_for_an_unknown_chapter_stops_grading_before_it_starts(tmp_path):
    course_with_deadlines(tmp_path, "none")
    (tmp_path / "due-dates.csv").write_text("chapter,due\n00-stup,2027-01-10T12:00:00Z\n")
    with pytest.raises(ValueError, match="00-stup"):
        grade_class(tmp_path, [CHAPTER], workers=1, progress=None)
    assert not (tmp_path / "autograded").exists()


@pytest.mark.parametrize("policy, days, expected", [
    ("none", 3, None), ("per_day", 0.01, 0.1), ("per_day", 1.5, 0.2), ("per_day", 30, 1.0),
    ("zero_after", 3, None), ("zero_after", 8, 1.0),
])
def test_the_policy_as_nbgrader_calls_it(policy, days, expected):
    plugin = CourseLatePolicy(policy=policy, per_day_percent=10.0, cutoff_days=7.0 if policy == "zero_after" else 0.0)
    penalty = plugin.late_submission_penalty("ada", 1.0, days * 86400)
    if expected is None:
        assert not penalty
    else:
        assert penalty == pytest.approx(expected)
