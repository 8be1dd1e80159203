"""Changing a chapter mid-term through nbgrader's exchange: the update reaches a student, their work stays as it is.

The instructor releases, a student fetches and starts answering, the
instructor changes the chapter's source and releases it again (which needs
``--force``). Fetching again into the same folder is refused by nbgrader;
``--replace`` only adds files the student does not have; the update arrives
whole in a folder of its own (``--Exchange.assignment_dir=updates``), as the
instructor guide says, and the student's edited notebook is unchanged byte for
byte throughout. The git route (``make lab``, ``my-work/``) is tested in
tests/test_workspace.py.
"""

import os
import subprocess

import nbformat

from source_helpers.grading.course import nbgrader_api
from test_grading_class import BIN, CHAPTER, new_course

COURSE_ID = "cv-microscopy"


def nbgrader(*args, cwd, exchange, user=None):
    """Run nbgrader; returns the finished process (success is for the caller to check)."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    command = [str(BIN / "nbgrader"), *args, f"--Exchange.root={exchange}", f"--CourseDirectory.course_id={COURSE_ID}"]
    if user:
        command += [f"--CourseDirectory.student_id={user}", f"--Exchange.cache={cwd / '.nbgrader-cache'}"]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def ok(result):
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"
    return result


def test_a_chapter_changed_mid_term_reaches_a_student_without_touching_their_work(tmp_path):
    course, exchange, home = tmp_path / "course", tmp_path / "exchange", tmp_path / "home" / "ada"
    new_course(course)
    exchange.mkdir(mode=0o777)
    os.chmod(exchange, 0o777)
    home.mkdir(parents=True)
    ok(nbgrader("release_assignment", CHAPTER, cwd=course, exchange=exchange))
    ok(nbgrader("fetch_assignment", CHAPTER, cwd=home, exchange=exchange, user="ada"))
    mine = home / CHAPTER / f"{CHAPTER}.ipynb"
    edited = nbformat.read(mine, as_version=4)
    edited.cells.append(nbformat.v4.new_code_cell("# my notes on cropping\nx = 1"))
    nbformat.write(edited, mine)
    before = mine.read_bytes()

    # The instructor fixes the chapter: a new note in the source, the release made again.
    source = course / "solutions" / CHAPTER / f"{CHAPTER}.ipynb"
    notebook = nbformat.read(source, as_version=4)
    notebook.cells.insert(1, nbformat.v4.new_markdown_cell("**Erratum:** the crop's height comes first."))
    nbformat.write(notebook, source)
    (course / "solutions" / CHAPTER / "erratum.txt").write_text("height, then width\n")
    assert nbgrader_api(course).generate_assignment(CHAPTER, force=True)["success"]
    again = nbgrader("release_assignment", CHAPTER, cwd=course, exchange=exchange)
    assert again.returncode != 0 and "add --force to overwrite" in again.stdout + again.stderr
    ok(nbgrader("release_assignment", CHAPTER, "--force", cwd=course, exchange=exchange))
    released = exchange / COURSE_ID / "outbound" / CHAPTER / f"{CHAPTER}.ipynb"
    assert "Erratum" in released.read_text()

    # Fetching again into the same folder is refused, and changes nothing.
    refused = nbgrader("fetch_assignment", CHAPTER, cwd=home, exchange=exchange, user="ada")
    assert refused.returncode != 0 and "already have a copy" in refused.stdout + refused.stderr
    assert mine.read_bytes() == before
    # --replace brings only what the student does not have: the new file, never a new notebook over theirs.
    ok(nbgrader("fetch_assignment", CHAPTER, "--replace", cwd=home, exchange=exchange, user="ada"))
    assert (home / CHAPTER / "erratum.txt").read_text() == "height, then width\n"
    assert mine.read_bytes() == before
    # The whole update, in a folder of its own.
    ok(nbgrader("fetch_assignment", CHAPTER, "--Exchange.assignment_dir=updates", cwd=home, exchange=exchange,
                user="ada"))
    update = home / "updates" / CHAPTER / f"{CHAPTER}.ipynb"
    assert update.read_bytes() == released.read_bytes()
    assert mine.read_bytes() == before, "fetching the update changed the student's notebook"
    # The student still submits from their own folder, with their own work.
    ok(nbgrader("submit", CHAPTER, cwd=home, exchange=exchange, user="ada"))
    inbound = list((exchange / COURSE_ID / "inbound").glob(f"ada+{CHAPTER}+*/{CHAPTER}.ipynb"))
    assert len(inbound) == 1 and inbound[0].read_bytes() == before
