"""The README's instructor steps, run verbatim in a fresh copy of the course, do what the README says.

The copy holds the repository's files and shares this checkout's environment
(a link to .venv, which `make setup` made), so no set-up is repeated; the
gradebook, the submissions and everything grading makes exist only in the copy.
"""

import csv
import re
import subprocess

import pytest

from conftest import ROOT
from course_copy import make_env, scratch_copy, setup_env


def readme_block(heading_text):
    """The first ```bash block after the paragraph that starts with ``heading_text``."""
    text = (ROOT / "README.md").read_text()
    start = text.index(heading_text)
    match = re.search(r"```bash\n(.*?)```", text[start:], flags=re.S)
    assert match, f"no bash block after '{heading_text}' in README.md"
    return match.group(1)


@pytest.fixture(scope="module")
def instructor_run(tmp_path_factory):
    stamp = setup_env.read_stamp(str(ROOT / ".venv"))
    if not stamp or not (ROOT / ".venv" / "bin" / "python").exists():
        pytest.skip("needs the course environment that `make setup` made in .venv (its stamp is missing)")
    course = scratch_copy(tmp_path_factory.mktemp("fresh-course"))
    (course / ".venv").symlink_to(ROOT / ".venv")       # the same environment, no second set-up
    steps = readme_block("Grade a class on one machine:")
    result = subprocess.run(["bash", "-e", "-c", steps], cwd=course, capture_output=True, text=True, timeout=900,
                            env=make_env())
    return course, steps, result


def test_the_steps_run_without_error(instructor_run):
    course, steps, result = instructor_run
    assert result.returncode == 0, f"the README's steps failed:\n{steps}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


def test_the_progress_names_the_chapter_and_the_student(instructor_run):
    _, _, result = instructor_run
    assert re.search(r"\[1/1\] 01-image-arrays ada: 0/\d+ \(.* s\) \| 0 failed \| .* left", result.stdout), result.stdout
    assert "registered in the gradebook" in result.stdout


def test_feedback_and_grades_are_where_the_readme_says(instructor_run):
    course, _, _ = instructor_run
    assert (course / "feedback" / "ada" / "01-image-arrays" / "01-image-arrays.html").is_file()
    with open(course / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["student_id"], float(r["score"]), r["status"]) for r in rows] == [("ada", 0.0, "graded")]
    assert (course / "grading-status.csv").is_file()


def test_the_course_files_are_untouched(instructor_run):
    course, _, _ = instructor_run
    changed = subprocess.run(["git", "diff", "--no-index", "--stat", str(ROOT / "notebooks"), str(course / "notebooks")],
                             capture_output=True, text=True)
    assert changed.stdout == "", f"grading changed the release:\n{changed.stdout}"
