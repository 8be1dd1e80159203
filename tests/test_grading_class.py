"""Grading a class: parallel equals serial, a run can be resumed, a PostgreSQL gradebook, nbgrader's exchange.

- The same small class graded by one process and by two worker processes
  leaves identical gradebooks.
- A second run grades nothing that is unchanged; a changed submission, or
  ``force``, is graded again; a run cut short continues where it stopped.
- The class graded into a real PostgreSQL server (Debian's, started in a
  temporary folder) gets the same scores as with SQLite.
- The whole cycle of a JupyterHub course on one machine, through nbgrader's
  exchange: release, fetch, answer, submit (one late, one twice), collect,
  grade, feedback, fetch the feedback, export.
"""

import csv
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from source_helpers.grading.batch import grade_class
from source_helpers.grading.course import nbgrader_api
from source_helpers.grading.trial import answer_with_solution, nbgrader_meta, release_notebook, scratch_course, source_notebook

from conftest import ROOT
from postgres_server import PostgresServer

CHAPTER = "01-image-arrays"
FULL = 8
BIN = Path(sys.executable).parent


def with_answer(notebook, grade_id, source):
    notebook = nbformat.from_dict(notebook)
    for cell in notebook.cells:
        if nbgrader_meta(cell).get("grade_id") == grade_id:
            cell.source = source
    return notebook


def class_of(blank, solved):
    """``{student: notebook or text}``: a small class with right, partly right, blank and broken work."""
    return {
        "ada": solved,
        "ben": with_answer(solved, "crop", "def crop(image, top, left, height, width):\n    return image[top:top + height]\n"),
        "cleo": blank,
        "dev": with_answer(solved, "brightest_pixel", "def brightest_pixel(image):\n    return int(np.argmax(image))\n"),
        "eli": solved,
        "fay": '{"cells": [ broken',
    }


def new_course(folder, **config):
    scratch_course(ROOT, CHAPTER, folder)
    if config:
        with open(folder / "nbgrader_config.py", "a") as handle:
            for key, value in config.items():
                handle.write(f"\nc.{key} = {value!r}\n")
        (folder / "gradebook.db").unlink()
        assert nbgrader_api(folder).generate_assignment(CHAPTER, force=True)["success"]
    api = nbgrader_api(folder)
    blank = release_notebook(api, CHAPTER)
    return blank, answer_with_solution(blank, source_notebook(api, CHAPTER))


def submit(course, submissions):
    for student, notebook in submissions.items():
        target = course / "submitted" / student / CHAPTER / f"{CHAPTER}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(notebook, str):
            target.write_text(notebook)
        else:
            nbformat.write(notebook, target)


def gradebook_scores(course):
    """``{(student, grade id): (score, max score, needs manual grade)}`` of everything in the gradebook."""
    api = nbgrader_api(course)
    scores = {}
    with Gradebook(api.coursedir.db_url) as gradebook:
        for submission in gradebook.find_assignment(CHAPTER).submissions:
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    scores[(submission.student.id, grade.name)] = (grade.score, grade.max_score,
                                                                   grade.needs_manual_grade)
    return scores


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    course = tmp_path_factory.mktemp("serial")
    blank, solved = new_course(course)
    submit(course, class_of(blank, solved))
    outcomes = grade_class(course, [CHAPTER], workers=1, progress=None)
    return course, {o.student: o for o in outcomes}


def test_parallel_grading_records_what_serial_grading_records(serial, tmp_path):
    course, outcomes = serial
    blank, solved = new_course(tmp_path)
    submit(tmp_path, class_of(blank, solved))
    lines = []
    parallel = {o.student: o for o in grade_class(tmp_path, [CHAPTER], workers=2, progress=lines.append)}
    assert gradebook_scores(tmp_path) == gradebook_scores(course)
    assert {s: (o.status, o.score) for s, o in parallel.items()} == {s: (o.status, o.score) for s, o in outcomes.items()}
    assert outcomes["ada"].score == FULL and outcomes["cleo"].score == 0 and outcomes["ben"].score == FULL - 2
    assert outcomes["fay"].status == "failed"
    progress = [line for line in lines if re.match(r"\[\d+/6\] ", line)]
    assert len(progress) == 6 and all(CHAPTER in line and " failed | " in line and " left" in line for line in progress)
    assert any(re.search(r"fay: FAILED \(the notebook is not valid JSON \(NotJSONError\)", line) for line in progress)
    assert "1 failed" in progress[-1]


def test_a_second_run_grades_only_what_changed(serial, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(serial[0], course)
    again = {o.student: o.status for o in grade_class(course, [CHAPTER], workers=2, progress=None)}
    assert again == {"ada": "skipped", "ben": "skipped", "cleo": "skipped", "dev": "skipped", "eli": "skipped",
                     "fay": "failed"}
    blank = release_notebook(nbgrader_api(course), CHAPTER)
    solved = answer_with_solution(blank, source_notebook(nbgrader_api(course), CHAPTER))
    submit(course, {"cleo": solved})                   # cleo hands in a new version
    again = {o.student: (o.status, o.score) for o in grade_class(course, [CHAPTER], workers=2, progress=None)}
    assert again["cleo"] == ("graded", FULL) and again["ada"][0] == "skipped"
    forced = {o.student: o.status for o in grade_class(course, [CHAPTER], workers=2, force=True, progress=None)}
    assert forced["ada"] == "graded" and forced["cleo"] == "graded"


def test_a_run_cut_short_continues_where_it_stopped(tmp_path):
    blank, solved = new_course(tmp_path)
    submit(tmp_path, class_of(blank, solved))
    first = grade_class(tmp_path, [CHAPTER], students=["ada", "ben"], workers=1, progress=None)
    assert [o.status for o in first] == ["graded", "flagged"] or {o.student for o in first} == {"ada", "ben"}
    rest = {o.student: o.status for o in grade_class(tmp_path, [CHAPTER], workers=2, progress=None)}
    assert rest["ada"] == rest["ben"] == "skipped"
    assert {s for s, status in rest.items() if status in ("graded", "flagged")} == {"cleo", "dev", "eli"}


def require(server):
    if server is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must test the PostgreSQL gradebook, but {server.problem}")
    pytest.skip(server.problem)


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer()
    if server.start() is None:
        require(server)
    yield server
    server.stop()


def test_a_postgresql_gradebook_gets_the_same_scores(serial, postgres, tmp_path):
    url = postgres.create_database("gradebook")
    blank, solved = new_course(tmp_path, **{"CourseDirectory.db_url": url})
    submit(tmp_path, class_of(blank, solved))
    outcomes = {o.student: o for o in grade_class(tmp_path, [CHAPTER], workers=2, progress=None)}
    assert not (tmp_path / "gradebook.db").exists(), "the SQLite gradebook was used instead of PostgreSQL"
    assert gradebook_scores(tmp_path) == gradebook_scores(serial[0])
    assert outcomes["fay"].status == "failed"


# -- the exchange -----------------------------------------------------------------------------

def nbgrader(*args, cwd, user=None, exchange):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    command = [str(BIN / "nbgrader"), *args, f"--Exchange.root={exchange}", "--CourseDirectory.course_id=cv-microscopy"]
    if user:           # on JupyterHub each student is a user of their own; here one account plays all three
        command += [f"--CourseDirectory.student_id={user}", f"--Exchange.cache={Path(cwd) / '.nbgrader-cache'}"]
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def test_the_whole_cycle_through_nbgraders_exchange(tmp_path):
    course, exchange, homes = tmp_path / "course", tmp_path / "exchange", tmp_path / "home"
    blank, solved = new_course(course)
    exchange.mkdir(mode=0o777)
    os.chmod(exchange, 0o777)
    nbgrader("release_assignment", CHAPTER, cwd=course, exchange=exchange)
    assert (exchange / "cv-microscopy" / "outbound" / CHAPTER / f"{CHAPTER}.ipynb").is_file()

    def signed(notebook, student):     # real notebooks differ; nbgrader finds feedback by the notebook's hash
        notebook = nbformat.from_dict(notebook)
        notebook.cells.append(nbformat.v4.new_markdown_cell(f"Handed in by {student}."))
        return notebook

    answers = {"ada": signed(solved, "ada"), "bo": signed(blank, "bo"), "cy": signed(solved, "cy")}
    for student in answers:
        (homes / student).mkdir(parents=True)
        nbgrader("fetch_assignment", CHAPTER, cwd=homes / student, user=student, exchange=exchange)
        fetched = homes / student / CHAPTER / f"{CHAPTER}.ipynb"
        assert nbformat.read(fetched, as_version=4).cells == nbformat.read(
            course / "notebooks" / CHAPTER / f"{CHAPTER}.ipynb", as_version=4).cells

    for student in ("ada", "bo"):
        nbformat.write(answers[student], homes / student / CHAPTER / f"{CHAPTER}.ipynb")
        nbgrader("submit", CHAPTER, cwd=homes / student, user=student, exchange=exchange)
    time.sleep(1.1)
    nbformat.write(signed(solved, "bo"), homes / "bo" / CHAPTER / f"{CHAPTER}.ipynb")   # bo again, now solved
    nbgrader("submit", CHAPTER, cwd=homes / "bo", user="bo", exchange=exchange)
    due = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    nbgrader("db", "assignment", "add", CHAPTER, f"--duedate={due} UTC", cwd=course, exchange=exchange)
    time.sleep(1.1)
    nbformat.write(answers["cy"], homes / "cy" / CHAPTER / f"{CHAPTER}.ipynb")
    nbgrader("submit", CHAPTER, cwd=homes / "cy", user="cy", exchange=exchange)      # after the due date

    nbgrader("collect", CHAPTER, "--update", cwd=course, exchange=exchange)
    assert sorted(p.name for p in (course / "submitted").iterdir()) == ["ada", "bo", "cy"]

    outcomes = {o.student: o for o in grade_class(course, [CHAPTER], workers=2, progress=None)}
    assert {s: o.score for s, o in outcomes.items()} == {"ada": FULL, "bo": FULL, "cy": FULL}
    with Gradebook(nbgrader_api(course).coursedir.db_url) as gradebook:
        late = {s.student.id: s.total_seconds_late for s in gradebook.find_assignment(CHAPTER).submissions}
    assert late["cy"] > 0 and late["ada"] == 0 and late["bo"] == 0

    nbgrader("generate_feedback", CHAPTER, cwd=course, exchange=exchange)
    nbgrader("release_feedback", CHAPTER, cwd=course, exchange=exchange)
    for student in answers:
        nbgrader("fetch_feedback", CHAPTER, cwd=homes / student, user=student, exchange=exchange)
        pages = list((homes / student / CHAPTER / "feedback").rglob(f"{CHAPTER}.html"))
        assert len(pages) == 1 and "Visible tests passed." in pages[0].read_text()
        assert "BEGIN HIDDEN TESTS" not in pages[0].read_text()

    nbgrader("export", cwd=course, exchange=exchange)
    with open(course / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert {s: float(r["score"]) for s, r in rows.items()} == {"ada": FULL, "bo": FULL, "cy": FULL}
    assert all(r["status"] == "graded" for r in rows.values())
