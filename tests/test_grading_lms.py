"""Grades for Canvas and Moodle (``make lms``): one row per student of the roster, one column per chapter."""

import csv
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from source_helpers.grading.batch import grade_class
from source_helpers.grading.lms import lms_table
from source_helpers.grading.trial import answer_with_solution, release_notebook, scratch_course, source_notebook

from conftest import ROOT

CHAPTERS = ["00-setup", "01-image-arrays"]
BIN = Path(sys.executable).parent


def grading(*args, cwd):
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "PYTHONPATH": str(ROOT)}     # this checkout's package, not an installed one
    return subprocess.run([sys.executable, "-m", "source_helpers.grading", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    """ada solved both chapters, bo handed in 00-setup blank, cy nothing, dee a broken 01-image-arrays."""
    root = tmp_path_factory.mktemp("lms")
    for chapter in CHAPTERS:
        api = scratch_course(ROOT, chapter, root)
    work = {
        ("ada", "00-setup"): answer_with_solution(release_notebook(api, "00-setup"), source_notebook(api, "00-setup")),
        ("ada", "01-image-arrays"): answer_with_solution(release_notebook(api, "01-image-arrays"),
                                                         source_notebook(api, "01-image-arrays")),
        ("bo", "00-setup"): release_notebook(api, "00-setup"),
        ("dee", "01-image-arrays"): '{"cells": [ broken',
    }
    for (student, chapter), notebook in work.items():
        folder = root / "submitted" / student / chapter
        folder.mkdir(parents=True)
        if isinstance(notebook, str):
            (folder / f"{chapter}.ipynb").write_text(notebook)
        else:
            nbformat.write(notebook, folder / f"{chapter}.ipynb")
    grade_class(root, CHAPTERS, workers=1, progress=None)
    roster = root / "roster.csv"
    roster.write_text("id,first_name,last_name,email\nada,Ada,Lovelace,ada@example.org\n"
                      "bo,Bo,\"Ek, Jr\",bo@example.org\ncy,Cy,Young,cy@example.org\ndee,Dee,Dee,\n")
    run = grading("roster", str(roster), cwd=root)
    assert run.returncode == 0, run.stderr
    return root


def read(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_canvas_gets_its_gradebook_import_layout(graded_course):
    run = grading("lms", "--format", "canvas", cwd=graded_course)
    assert run.returncode == 0, run.stderr
    assert "left empty, not gradable (see make export): 01-image-arrays/dee" in run.stdout
    assert read(graded_course / "grades-canvas.csv") == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "00-setup", "01-image-arrays"],
        ["Points Possible", "", "", "", "", "1", "11"],
        ["Lovelace, Ada", "", "ada", "ada@example.org", "", "1", "11"],
        ["Ek, Jr, Bo", "", "bo", "bo@example.org", "", "0", ""],
        ["Young, Cy", "", "cy", "cy@example.org", "", "", ""],
        ["Dee, Dee", "", "dee", "", "", "", ""],
    ]


def test_moodle_gets_an_identifier_column_and_one_column_per_chapter(graded_course, tmp_path):
    out = tmp_path / "for-moodle.csv"
    run = grading("lms", "--format", "moodle", "--out", str(out), cwd=graded_course)
    assert run.returncode == 0, run.stderr
    assert read(out) == [
        ["ID number", "First name", "Last name", "Email address", "00-setup", "01-image-arrays"],
        ["ada", "Ada", "Lovelace", "ada@example.org", "1", "11"],
        ["bo", "Bo", "Ek, Jr", "bo@example.org", "0", ""],
        ["cy", "Cy", "Young", "cy@example.org", "", ""],
        ["dee", "Dee", "Dee", "", "", ""],
    ]


def test_an_unknown_format_is_refused_naming_the_argument(graded_course):
    with pytest.raises(ValueError, match="lms_format"):
        lms_table(f"sqlite:///{graded_course / 'gradebook.db'}", "blackboard")
    run = grading("lms", "--format", "blackboard", cwd=graded_course)
    assert run.returncode == 2 and "--format" in run.stderr
    run = grading("lms", cwd=graded_course)
    assert run.returncode == 2 and "--format" in run.stderr
