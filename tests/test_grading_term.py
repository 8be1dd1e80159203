"""A term's bookkeeping: the roster in the export, and gradebook backups that are safe while grading runs."""

import csv
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from source_helpers.grading.batch import grade_class
from source_helpers.grading.course import nbgrader_api
from source_helpers.grading.term import backup_gradebook, import_roster
from source_helpers.grading.trial import release_notebook, scratch_course
from test_grading_class import postgres  # noqa: F401

from conftest import ROOT

CHAPTER = "00-setup"
BIN = Path(sys.executable).parent


def grading(*args, cwd):
    env = {"PATH": f"{BIN}:/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "source_helpers.grading", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_the_export_lists_every_student_of_the_roster(tmp_path):
    api = scratch_course(ROOT, CHAPTER, tmp_path)
    folder = tmp_path / "submitted" / "ada" / CHAPTER
    folder.mkdir(parents=True)
    nbformat.write(release_notebook(api, CHAPTER), folder / f"{CHAPTER}.ipynb")
    grade_class(tmp_path, [CHAPTER], workers=1, progress=None)
    roster = tmp_path / "roster.csv"
    roster.write_text("id,first_name,last_name,email\nada,Ada,Lovelace,ada@example.org\n"
                      "bo,Bo,Ek,bo@example.org\ncy,Cy,Young,\n")
    run = grading("roster", str(roster), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "2 student(s) added, 1 updated" in run.stdout
    export = subprocess.run([str(BIN / "nbgrader"), "export"], cwd=tmp_path, capture_output=True, text=True,
                            env={"PATH": f"{BIN}:/usr/bin:/bin"})
    assert export.returncode == 0, export.stderr
    with open(tmp_path / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert sorted(rows) == ["ada", "bo", "cy"]
    assert rows["ada"]["status"] == "graded" and rows["ada"]["last_name"] == "Lovelace"
    assert rows["bo"]["status"] == "not submitted" and rows["bo"]["email"] == "bo@example.org"
    assert rows["cy"]["status"] == "not submitted"


@pytest.mark.parametrize("text, message", [
    ("name,email\nada,a@x\n", "column `id`"),
    ("id,email\nada,a@x\n,b@x\n", "line 3 has no student id"),
])
def test_a_bad_roster_is_refused_whole_with_what_is_wrong(tmp_path, text, message):
    api = scratch_course(ROOT, CHAPTER, tmp_path)
    roster = tmp_path / "roster.csv"
    roster.write_text(text)
    with pytest.raises(ValueError, match=message):
        import_roster(api.coursedir.db_url, roster)
    with Gradebook(api.coursedir.db_url) as gradebook:
        assert gradebook.students == [], "a refused roster imported some students"


def manual_score(path):
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT manual_score FROM grade WHERE manual_score IS NOT NULL").fetchall()


def test_an_sqlite_backup_keeps_what_is_still_in_the_write_ahead_log(tmp_path):
    api = scratch_course(ROOT, CHAPTER, tmp_path)
    folder = tmp_path / "submitted" / "ada" / CHAPTER
    folder.mkdir(parents=True)
    nbformat.write(release_notebook(api, CHAPTER), folder / f"{CHAPTER}.ipynb")
    grade_class(tmp_path, [CHAPTER], workers=1, progress=None)
    database = tmp_path / "gradebook.db"
    # A grader is at work: the gradebook is in WAL mode and a manual score sits in the log, not yet in the file.
    writer = sqlite3.connect(database)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("UPDATE grade SET manual_score = 0.5")
    writer.commit()
    try:
        copied = tmp_path / "copied.db"
        shutil.copyfile(database, copied)
        assert manual_score(copied) == [], "the plain copy should miss the score (the hazard this guards against)"
        run = grading("backup", str(tmp_path / "backups"), cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        backup = Path(run.stdout.strip().split(" to ")[-1])
        assert backup.parent == tmp_path / "backups" and backup.suffix == ".db"
        assert manual_score(backup) == [(0.5,)]
    finally:
        writer.close()


def test_a_postgresql_gradebook_is_backed_up_with_pg_dump(postgres, tmp_path):
    url = postgres.create_database("backup_gradebook")
    with Gradebook(url) as gradebook:
        gradebook.update_or_create_student("ada", last_name="Lovelace")
    target = backup_gradebook(url, tmp_path)
    assert target.suffix == ".pgdump" and target.stat().st_size > 0
    listing = subprocess.run([str(Path(postgres.bin) / "pg_restore"), "--list", str(target)], capture_output=True,
                             text=True)
    assert listing.returncode == 0 and "TABLE public student" in listing.stdout, listing.stderr


def test_only_known_gradebooks_are_backed_up(tmp_path):
    with pytest.raises(ValueError, match="db_url"):
        backup_gradebook("mysql://x/y", tmp_path)
    with pytest.raises(FileNotFoundError, match="no gradebook"):
        backup_gradebook(f"sqlite:///{tmp_path / 'missing.db'}", tmp_path)


def test_a_second_graders_export_on_the_same_postgresql_gradebook_shows_status_and_flags(postgres, tmp_path):
    url = postgres.create_database("shared_status")
    first, second = tmp_path / "first", tmp_path / "second"
    for folder in (first, second):
        scratch_course(ROOT, CHAPTER, folder)
        with open(folder / "nbgrader_config.py", "a") as config:
            config.write(f"\nc.CourseDirectory.db_url = {url!r}\n")
    api = nbgrader_api(first)
    assert api.generate_assignment(CHAPTER, force=True)["success"]
    for student, text in {"ada": None, "bo": '{"cells": [ broken'}.items():
        folder = first / "submitted" / student / CHAPTER
        folder.mkdir(parents=True)
        if text is None:
            nbformat.write(release_notebook(api, CHAPTER), folder / f"{CHAPTER}.ipynb")
        else:
            (folder / f"{CHAPTER}.ipynb").write_text(text)
    grade_class(first, [CHAPTER], workers=1, progress=None)
    export = subprocess.run([str(BIN / "nbgrader"), "export"], cwd=second, capture_output=True, text=True,
                            env={"PATH": f"{BIN}:/usr/bin:/bin"})
    assert export.returncode == 0, export.stderr
    assert not (second / "autograded").exists(), "the second grader has no local status file"
    with open(second / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert rows["bo"]["status"] == "failed" and "NotJSONError" in rows["bo"]["flags"], rows["bo"]
    assert rows["ada"]["status"] == "graded"


def test_nbgraders_own_commands_need_the_environment_on_path_as_the_guide_says(tmp_path):
    # A new gradebook makes nbgrader run the environment's `alembic`, found only on PATH.
    bare = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    refused, opened = tmp_path / "refused", tmp_path / "opened"
    for folder in (refused, opened):
        folder.mkdir()
    without = subprocess.run([str(BIN / "nbgrader"), "db", "student", "list"], cwd=refused, env=bare,
                             capture_output=True, text=True, timeout=300)
    assert without.returncode != 0 and "alembic" in without.stdout + without.stderr, without.stderr[-2000:]
    with_path = subprocess.run([str(BIN / "nbgrader"), "db", "student", "list"], cwd=opened,
                               env={**bare, "PATH": f"{BIN}:{bare['PATH']}"}, capture_output=True, text=True,
                               timeout=300)
    assert with_path.returncode == 0, with_path.stderr[-2000:]
    assert "There are 0 students" in with_path.stdout + with_path.stderr
