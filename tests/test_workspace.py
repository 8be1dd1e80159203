"""The student's working folder: a student's work is never lost, and course updates still reach them."""

import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from source_helpers.workspace import MANIFEST, REPLACED, SyncReport, format_report, main, sync_workspace

from conftest import CHAPTERS, ROOT
from course_copy import make_env, scratch_copy, setup_env


def notebook(text, *, ran=False):
    """A small notebook whose one code cell holds ``text`` (with an output when ``ran``)."""
    cell = {"cell_type": "code", "execution_count": 1 if ran else None, "id": "c1", "metadata": {},
            "outputs": [{"name": "stdout", "output_type": "stream", "text": ["ok\n"]}] if ran else [],
            "source": [text]}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)


@pytest.fixture
def course(tmp_path):
    """A release of two chapters (one with a data file and a sub-folder) and a path for my-work."""
    release = tmp_path / "notebooks"
    for name in ("01-a", "02-b"):
        (release / name).mkdir(parents=True)
        (release / name / f"{name}.ipynb").write_text(notebook(f"# {name} version 1"))
    (release / "02-b" / "cells.csv").write_text("x,y\n1,2\n")
    (release / "02-b" / "images").mkdir()
    (release / "02-b" / "images" / "cell.txt").write_text("pixels")
    (release / "02-b" / ".ipynb_checkpoints").mkdir()
    (release / "02-b" / ".ipynb_checkpoints" / "02-b-checkpoint.ipynb").write_text("{}")
    (release / "top-level.txt").write_text("not in a chapter")
    return release, tmp_path / "my-work"


def release_files(release):
    return sorted(p.relative_to(release).as_posix() for p in release.rglob("*")
                  if p.is_file() and not any(s.startswith(".") for s in p.relative_to(release).parts)
                  and len(p.relative_to(release).parts) > 1)


def snapshot(folder):
    """``{relative path: bytes}`` of every file under ``folder``."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_first_use_copies_every_file_of_every_chapter(course):
    release, work = course
    report = sync_workspace(release, work)
    assert report.created
    assert list(report.copied) == release_files(release) == [
        "01-a/01-a.ipynb", "02-b/02-b.ipynb", "02-b/cells.csv", "02-b/images/cell.txt"]
    for rel in report.copied:
        assert (work / rel).read_bytes() == (release / rel).read_bytes()
    assert not (work / "02-b" / ".ipynb_checkpoints").exists() and not (work / "top-level.txt").exists()
    manifest = json.loads((work / MANIFEST).read_text())
    assert set(manifest["files"]) == set(report.copied)
    import hashlib
    for rel, entry in manifest["files"].items():
        assert entry["release"] == hashlib.sha256((release / rel).read_bytes()).hexdigest()
    assert "your copy of the course" in (work / "README.md").read_text()
    assert "Copied the course into" in format_report(report) and "(2 chapters)" in format_report(report)


def test_a_second_sync_changes_nothing(course):
    release, work = course
    sync_workspace(release, work)
    before = snapshot(work)
    report = sync_workspace(release, work)
    assert report == SyncReport(work_dir=work)
    assert snapshot(work) == before
    assert format_report(report) == f"{work.as_posix()}/ is up to date with the course."


def test_an_update_is_offered_beside_a_changed_notebook_and_the_answer_is_kept(course):
    release, work = course
    sync_workspace(release, work)
    mine = work / "01-a" / "01-a.ipynb"
    mine.write_text(notebook("# 01-a version 1\nanswer = 42", ran=True))
    answer = mine.read_bytes()
    (release / "01-a" / "01-a.ipynb").write_text(notebook("# 01-a version 2"))

    report = sync_workspace(release, work)
    assert report.offered == (("01-a/01-a.ipynb", "01-a/01-a.updated.ipynb"),)
    assert mine.read_bytes() == answer
    assert (work / "01-a" / "01-a.updated.ipynb").read_bytes() == (release / "01-a" / "01-a.ipynb").read_bytes()
    text = format_report(report)
    assert "Course update" in text and "01-a.updated.ipynb" in text and "README.md" in text
    assert "Updates waiting for you" in (work / "README.md").read_text()
    assert "`01-a/01-a.updated.ipynb`" in (work / "README.md").read_text()

    # Offered once; reminded while the update is beside the notebook; quiet once the student removed it.
    report = sync_workspace(release, work)
    assert report.offered == () and report.waiting == (("01-a/01-a.ipynb", "01-a/01-a.updated.ipynb"),)
    (work / "01-a" / "01-a.updated.ipynb").unlink()
    report = sync_workspace(release, work)
    assert report == SyncReport(work_dir=work) and mine.read_bytes() == answer
    assert "Updates waiting" not in (work / "README.md").read_text()

    # The next change of the release is offered again.
    (release / "01-a" / "01-a.ipynb").write_text(notebook("# 01-a version 3"))
    assert sync_workspace(release, work).offered == (("01-a/01-a.ipynb", "01-a/01-a.updated.ipynb"),)
    assert mine.read_bytes() == answer


def test_an_untouched_copy_is_replaced_and_the_old_one_kept(course):
    release, work = course
    sync_workspace(release, work)
    old = (work / "02-b" / "cells.csv").read_bytes()
    (release / "02-b" / "cells.csv").write_text("x,y\n1,2\n3,4\n")
    report = sync_workspace(release, work)
    assert report.replaced == ("02-b/cells.csv",) and report.offered == ()
    assert (work / "02-b" / "cells.csv").read_bytes() == (release / "02-b" / "cells.csv").read_bytes()
    kept = list((work / REPLACED / "02-b").glob("cells.*.csv"))
    assert len(kept) == 1 and kept[0].read_bytes() == old
    assert "you had not changed them" in format_report(report)


def test_a_student_who_adopts_the_update_is_up_to_date(course):
    release, work = course
    sync_workspace(release, work)
    (work / "01-a" / "01-a.ipynb").write_text("my answers")
    (release / "01-a" / "01-a.ipynb").write_text(notebook("# 01-a version 2"))
    sync_workspace(release, work)
    os.replace(work / "01-a" / "01-a.updated.ipynb", work / "01-a" / "01-a.ipynb")
    assert sync_workspace(release, work) == SyncReport(work_dir=work)
    # Untouched since adopting it: the next update replaces it.
    (release / "01-a" / "01-a.ipynb").write_text(notebook("# 01-a version 3"))
    assert sync_workspace(release, work).replaced == ("01-a/01-a.ipynb",)


def test_a_new_chapter_reaches_a_student_who_has_started(course):
    release, work = course
    sync_workspace(release, work)
    (work / "01-a" / "01-a.ipynb").write_text("my answers")
    (work / "01-a" / "notes.txt").write_text("my notes")
    before = snapshot(work)
    (release / "03-c").mkdir()
    (release / "03-c" / "03-c.ipynb").write_text(notebook("# 03-c"))
    report = sync_workspace(release, work)
    assert report.copied == ("03-c/03-c.ipynb",) and not report.created
    after = snapshot(work)
    assert all(after[rel] == data for rel, data in before.items() if rel not in ("README.md", MANIFEST))
    assert "03-c/03-c.ipynb" in format_report(report)


def test_files_gone_from_the_release_and_the_students_own_files_stay(course):
    release, work = course
    sync_workspace(release, work)
    (work / "01-a" / "01-a.ipynb").write_text("my answers")
    (work / "01-a" / "scratch.py").write_text("print(1)")
    shutil.rmtree(release / "01-a")
    sync_workspace(release, work)
    assert (work / "01-a" / "01-a.ipynb").read_text() == "my answers"
    assert (work / "01-a" / "scratch.py").read_text() == "print(1)"


def test_a_deleted_notebook_comes_back_fresh(course):
    release, work = course
    sync_workspace(release, work)
    (work / "01-a" / "01-a.ipynb").unlink()
    assert sync_workspace(release, work).copied == ("01-a/01-a.ipynb",)
    assert (work / "01-a" / "01-a.ipynb").read_bytes() == (release / "01-a" / "01-a.ipynb").read_bytes()


def test_a_file_that_was_there_before_is_never_overwritten(course):
    release, work = course
    (work / "01-a").mkdir(parents=True)
    (work / "01-a" / "01-a.ipynb").write_text("mine, from before")
    report = sync_workspace(release, work)
    assert (work / "01-a" / "01-a.ipynb").read_text() == "mine, from before"
    assert ("01-a/01-a.ipynb", "01-a/01-a.updated.ipynb") in report.offered
    # The same release is not offered twice.
    assert sync_workspace(release, work).offered == ()


def test_an_update_never_overwrites_a_file_of_the_updated_name(course):
    release, work = course
    sync_workspace(release, work)
    (work / "01-a" / "01-a.ipynb").write_text("my answers")
    (work / "01-a" / "01-a.updated.ipynb").write_text("my own file of that name")
    (release / "01-a" / "01-a.ipynb").write_text(notebook("# 01-a version 2"))
    report = sync_workspace(release, work)
    assert report.offered == (("01-a/01-a.ipynb", "01-a/01-a.updated-2.ipynb"),)
    assert (work / "01-a" / "01-a.updated.ipynb").read_text() == "my own file of that name"


def test_an_older_update_is_replaced_only_if_untouched(course):
    release, work = course
    sync_workspace(release, work)
    (work / "01-a" / "01-a.ipynb").write_text("my answers")
    updated = work / "01-a" / "01-a.updated.ipynb"
    (release / "01-a" / "01-a.ipynb").write_text(notebook("# 01-a version 2"))
    sync_workspace(release, work)
    version_2 = updated.read_bytes()

    (release / "01-a" / "01-a.ipynb").write_text(notebook("# 01-a version 3"))
    assert sync_workspace(release, work).offered == (("01-a/01-a.ipynb", "01-a/01-a.updated.ipynb"),)
    assert updated.read_bytes() == (release / "01-a" / "01-a.ipynb").read_bytes()
    assert [p.read_bytes() for p in (work / REPLACED / "01-a").iterdir()] == [version_2]

    # The student starts moving answers into the update: the next one goes beside it.
    updated.write_text("version 3 + my answers")
    (release / "01-a" / "01-a.ipynb").write_text(notebook("# 01-a version 4"))
    assert sync_workspace(release, work).offered == (("01-a/01-a.ipynb", "01-a/01-a.updated-2.ipynb"),)
    assert updated.read_text() == "version 3 + my answers"


def test_answers_in_the_release_folder_count_as_the_students_own(course):
    # A student who answered in notebooks/ before my-work existed: the first copy carries the
    # answers, and a later reset of notebooks/ must not replace them.
    release, work = course
    answered = notebook("# 01-a version 1\nanswer = 42", ran=True)
    (release / "01-a" / "01-a.ipynb").write_text(answered)
    report = sync_workspace(release, work)
    assert any("already held run cells" in note and "01-a/01-a.ipynb" in note for note in report.notes)
    (release / "01-a" / "01-a.ipynb").write_text(notebook("# 01-a version 1"))
    report = sync_workspace(release, work)
    assert report.replaced == () and report.offered == (("01-a/01-a.ipynb", "01-a/01-a.updated.ipynb"),)
    assert (work / "01-a" / "01-a.ipynb").read_text() == answered


def test_an_unreadable_manifest_loses_nothing(course):
    release, work = course
    sync_workspace(release, work)
    (work / "01-a" / "01-a.ipynb").write_text("my answers")
    (work / MANIFEST).write_text("{ not json")
    report = sync_workspace(release, work)
    assert any(MANIFEST in note for note in report.notes)
    assert (work / "01-a" / "01-a.ipynb").read_text() == "my answers"
    assert report.offered == (("01-a/01-a.ipynb", "01-a/01-a.updated.ipynb"),)
    assert json.loads((work / MANIFEST).read_text())["files"]


def test_a_readme_the_student_edited_is_kept(course):
    release, work = course
    sync_workspace(release, work)
    (work / "README.md").write_text("my own notes")
    (work / "01-a" / "01-a.ipynb").write_text("my answers")
    (release / "01-a" / "01-a.ipynb").write_text(notebook("# 01-a version 2"))
    report = sync_workspace(release, work)
    assert (work / "README.md").read_text() == "my own notes"
    assert any("README.md" in note for note in report.notes)


@pytest.mark.parametrize("seed", range(6))
def test_random_histories_never_lose_work_and_always_deliver_updates(course, seed):
    """Students edit, delete and adopt; the course changes, adds and drops files; sync after each step.

    After every sync: each file the student wrote is still there, byte for byte, and each release
    file reached them (their copy is it, an update beside it is it, or they removed that update).
    """
    rng = random.Random(seed)
    release, work = course
    written = {}  # path in work -> bytes the student wrote there
    seen = {}  # rel -> every version of it that was in the student's folder after a sync
    declined = set()  # (rel, release bytes) whose update the student deleted

    def observe():
        now = snapshot(work)
        for rel in release_files(release):
            stem = Path(rel).with_suffix("").as_posix()
            seen.setdefault(rel, set()).update(d for p, d in now.items() if p == rel or p.startswith(f"{stem}.updated"))
        return now

    sync_workspace(release, work)
    observe()
    for step in range(40):
        rels = release_files(release)
        action = rng.choice(["edit", "edit", "release", "release", "new", "delete", "adopt", "decline"])
        rel = rng.choice(rels)
        if action == "edit" and (work / rel).exists():
            data = f"student {step}".encode()
            (work / rel).write_bytes(data)
            written[rel] = data
        elif action == "release":
            (release / rel).write_text(notebook(f"{rel} version {step}"))
        elif action == "new":
            (release / f"0{step}-new").mkdir()
            (release / f"0{step}-new" / "n.ipynb").write_text(notebook("new"))
        elif action == "delete" and (work / rel).exists():
            (work / rel).unlink()
            written.pop(rel, None)
        elif action in ("adopt", "decline"):
            for update in (work / rel).parent.glob(f"{Path(rel).stem}.updated*"):
                if update.relative_to(work).as_posix() in written:
                    continue
                if action == "adopt":
                    os.replace(update, work / rel)
                    written.pop(rel, None)
                else:
                    declined.add((rel, update.read_bytes()))
                    update.unlink()
                break
        sync_workspace(release, work)
        now = observe()
        for path, data in written.items():
            assert now.get(path) == data, f"step {step} ({action}): the student's {path} changed"
        for rel in release_files(release):
            new = (release / rel).read_bytes()
            assert new in seen[rel] or (rel, new) in declined, f"step {step} ({action}): {rel} did not reach the student"


@pytest.mark.parametrize(
    "release, work, error, message",
    [
        ("missing", "my-work", ValueError, "`release_dir` must be an existing folder; got '.*missing', which does not exist"),
        (123, "my-work", TypeError, "`release_dir` must be a path .* got int 123"),
        ("notebooks", "a-file", ValueError, "`work_dir` must be a folder; got '.*a-file', which is a file"),
        ("notebooks", "notebooks/my-work", ValueError, "must be separate folders"),
        ("notebooks", "notebooks", ValueError, "must be separate folders"),
        ("my-work/notebooks", "my-work", ValueError, "must be separate folders"),
    ],
)
def test_bad_folders_are_refused(tmp_path, release, work, error, message):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "my-work" / "notebooks").mkdir(parents=True)
    (tmp_path / "a-file").write_text("")
    release = tmp_path / release if isinstance(release, str) else release
    with pytest.raises(error, match=message):
        sync_workspace(release, tmp_path / work)


def test_command_line_prints_the_report_and_names_errors(course, capsys):
    release, work = course
    assert main(["--release", str(release), "--work", str(work)]) == 0
    assert "Copied the course into" in capsys.readouterr().out
    assert main(["--release", str(release / "nothing"), "--work", str(work)]) == 2
    assert "error: `release_dir` must be an existing folder" in capsys.readouterr().err


# --- The project's own commands on a copy of the course -------------------------------------------


@pytest.fixture
def make_in(tmp_path):
    """``make`` in a copy of the course, using this test run's environment as its .venv."""
    venv = Path(sys.prefix)
    copy = scratch_copy(tmp_path / "course")
    wanted = {"python": "", "version": "", "pins": setup_env.pins_hash(str(copy))}
    stamp = setup_env.read_stamp(str(venv))
    if not stamp or "python" not in stamp:
        pytest.skip(f"runs in the environment `make setup` made (with its stamp); {venv} has none")
    wanted.update(python=stamp["python"], version=stamp["version"])
    # Guard: make must find this environment up to date, so that it never rebuilds it.
    assert setup_env.rebuild_reason(str(venv), stamp, wanted) is None, "run `make setup` first"
    env = make_env()

    def make(*args, venv_override=True):
        command = ["make", "--no-print-directory", *args] + ([f"VENV={venv}"] if venv_override else [])
        result = subprocess.run(command, cwd=copy, capture_output=True, text=True, env=env)
        assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout + result.stderr

    return copy, make


def set_markdown(path, cell_index, text):
    notebook = json.loads(path.read_text())
    notebook["cells"][cell_index]["source"] = text
    path.write_text(json.dumps(notebook, indent=1) + "\n")


def test_no_project_command_touches_a_students_answers_and_updates_reach_them(make_in):
    copy, make = make_in
    work = copy / "my-work"
    output = make("lab", "LAB_FLAGS=--version")
    assert "Copied the course into my-work/" in output
    assert sorted(p.name for p in work.iterdir() if p.is_dir() and not p.name.startswith(".")) == CHAPTERS

    # The student answers the first exercise of chapter 01.
    mine = work / "01-image-arrays" / "01-image-arrays.ipynb"
    notebook = json.loads(mine.read_text())
    cell = next(c for c in notebook["cells"] if "raise NotImplementedError()" in "".join(c["source"])
                and c["metadata"].get("nbgrader", {}).get("solution"))
    cell["source"] = "".join(cell["source"]).replace("raise NotImplementedError()", "return 'my answer 8c1f'")
    mine.write_text(json.dumps(notebook, indent=1))
    answer = mine.read_bytes()
    untouched = (work / "02-dtypes-and-channels" / "02-dtypes-and-channels.ipynb").read_bytes()

    # The course changes chapters 01 and 02; the instructor regenerates the release.
    set_markdown(copy / "solutions" / "01-image-arrays" / "01-image-arrays.ipynb", 0, "# 01 · Updated title 5e2d")
    set_markdown(copy / "solutions" / "02-dtypes-and-channels" / "02-dtypes-and-channels.ipynb", 0, "# 02 · Updated 77a0")
    make("release", "CHAPTERS=01-image-arrays 02-dtypes-and-channels")
    assert "Updated title 5e2d" in (copy / "notebooks" / "01-image-arrays" / "01-image-arrays.ipynb").read_text()
    assert mine.read_bytes() == answer, "make release changed my-work/"

    output = make("lab", "LAB_FLAGS=--version")
    assert mine.read_bytes() == answer
    update = work / "01-image-arrays" / "01-image-arrays.updated.ipynb"
    assert update.read_bytes() == (copy / "notebooks" / "01-image-arrays" / "01-image-arrays.ipynb").read_bytes()
    assert "Course update" in output and "01-image-arrays.updated.ipynb" in output
    assert "Updated 77a0" in (work / "02-dtypes-and-channels" / "02-dtypes-and-channels.ipynb").read_text()
    assert untouched in [p.read_bytes() for p in (work / REPLACED / "02-dtypes-and-channels").iterdir()]

    # make clean (on the copy's own .venv, not this run's) leaves my-work/ alone.
    before = snapshot(work)
    make("clean", venv_override=False)
    assert snapshot(work) == before


def test_make_lab_opens_jupyterlab_on_the_students_folder():
    result = subprocess.run(["make", "-n", "lab", "PYTHON="], cwd=ROOT, capture_output=True, text=True, check=True)
    lines = result.stdout.splitlines()
    sync = next(i for i, l in enumerate(lines) if "-m source_helpers.workspace --release notebooks --work my-work" in l)
    lab = next(i for i, l in enumerate(lines) if "jupyter lab" in l)
    assert sync < lab and "--ServerApp.root_dir=my-work" in lines[lab]


def test_make_clean_never_names_the_students_folder():
    result = subprocess.run(["make", "-n", "clean"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "rm -rf" in result.stdout and "my-work" not in result.stdout


def test_the_students_folder_is_ignored_by_git():
    result = subprocess.run(["git", "check-ignore", "-q", "my-work/01-image-arrays/01-image-arrays.ipynb"], cwd=ROOT)
    assert result.returncode == 0, "my-work/ is not ignored by .gitignore"


def test_the_readme_tells_students_where_they_work():
    readme = (ROOT / "README.md").read_text()
    quick_start = readme[readme.index("## Quick start"):readme.index("## Chapters")]
    assert "my-work/" in quick_start and "notebooks/" in quick_start
    assert re.search(r"make release.*git pull|git pull.*make release", quick_start, flags=re.S)
    assert "--ServerApp.root_dir=notebooks" not in readme, "the README still opens JupyterLab on notebooks/"
