"""The pieces of the grader that read what students hand in, and the refusals it makes before grading."""

import os
import struct
import time

import nbformat
import pytest
from nbgrader.api import Gradebook

from source_helpers.grading import batch, sandbox, wire
from source_helpers.grading.batch import UncontainedRefused, _real_cause, grade_class, register_students
from source_helpers.grading.contained import split_test_cell
from source_helpers.grading.course import nbgrader_api
from source_helpers.grading.preprocessors import harmless_markdown
from source_helpers.grading.submission import inspect_submission, snapshot_submission
from source_helpers.grading.trial import release_notebook, scratch_course

from conftest import ROOT

CHAPTER = "00-setup"


def notebook_file(path):
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "x = 1", metadata={"nbgrader": {"grade_id": "x"}})]), path)


# -- reading a submission -----------------------------------------------------------------

def test_links_and_special_files_are_flagged_and_never_copied(tmp_path):
    folder = tmp_path / "submitted" / "ada" / CHAPTER
    (folder / "sub").mkdir(parents=True)
    notebook_file(folder / f"{CHAPTER}.ipynb")
    (folder / "data.csv").write_text("1,2\n")
    (folder / "sub" / "more.txt").write_text("more")
    secret = tmp_path / "secret.txt"
    secret.write_text("the model answers")
    (folder / "plain-looking.txt").symlink_to(secret)
    (folder / "sub" / "deeper.txt").symlink_to(secret)
    (folder / "folder-link").symlink_to(tmp_path)
    os.mkfifo(folder / "pipe")
    submission = inspect_submission(folder, CHAPTER)
    assert submission.problem is None
    assert sorted(map(str, submission.files)) == [f"{CHAPTER}.ipynb", "data.csv", "sub/more.txt"]
    flags = " | ".join(submission.flags)
    for name in ("plain-looking.txt", "sub/deeper.txt", "folder-link", "pipe"):
        assert name in flags, flags
    target = snapshot_submission(submission, tmp_path / "snapshot")
    copied = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    assert copied == [f"{CHAPTER}.ipynb", "data.csv", "sub/more.txt"]
    assert not any(p.is_symlink() for p in target.rglob("*"))


def test_a_linked_notebook_is_never_read(tmp_path):
    classmate = tmp_path / "classmate.ipynb"
    notebook_file(classmate)
    folder = tmp_path / "submitted" / "ada" / CHAPTER
    folder.mkdir(parents=True)
    (folder / f"{CHAPTER}.ipynb").symlink_to(classmate)
    submission = inspect_submission(folder, CHAPTER)
    assert submission.notebook is None and "symbolic link" in submission.problem


def test_a_notebook_under_another_name_is_graded_and_the_folder_left_alone(tmp_path):
    folder = tmp_path / "submitted" / "ada" / CHAPTER
    folder.mkdir(parents=True)
    notebook_file(folder / f"{CHAPTER}-Copy1.ipynb")
    submission = inspect_submission(folder, CHAPTER)
    assert submission.problem is None and "Copy1" in submission.flags[0]
    target = snapshot_submission(submission, tmp_path / "snapshot")
    assert (target / f"{CHAPTER}.ipynb").is_file() and not (folder / f"{CHAPTER}.ipynb").exists()


def test_a_submission_too_large_is_cut_and_flagged(tmp_path):
    folder = tmp_path / "submitted" / "ada" / CHAPTER
    folder.mkdir(parents=True)
    notebook_file(folder / f"{CHAPTER}.ipynb")
    (folder / "big.bin").write_bytes(b"x" * (2 * 2**20))
    submission = inspect_submission(folder, CHAPTER)
    target = snapshot_submission(submission, tmp_path / "snapshot", limit_mb=1)
    assert not (target / "big.bin").exists() and any("big.bin" in f for f in submission.flags)


# -- messages and markup ---------------------------------------------------------------------

def test_the_real_cause_is_found_behind_nbgraders_pointer():
    log = ("[AutogradeApp | ERROR] There was an error processing assignment: /c/submitted/ada/01\n"
           "Traceback (most recent call last):\n  File \"x.py\", line 1\n"
           "KeyError: 'grade_id'\n"
           "[AutogradeApp | ERROR] Please see the the above traceback for details on the specific errors on the "
           "above failures.\n")
    assert _real_cause(log) == "KeyError: 'grade_id'"


@pytest.mark.parametrize("text, gone", [
    ("<script>alert(1)</script>", "<script"),
    ('<img src=x onerror="alert(1)">', "<img"),
    ("<svg onload=alert(1)>", "<svg"),
    ("[x](JavaScript:alert(1))", "JavaScript:"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
    ("<a href='javascript:alert(1)'>x</a>", "<a"),
])
def test_student_markdown_cannot_carry_html(text, gone):
    assert gone not in harmless_markdown(text)


def test_student_markdown_keeps_its_text():
    text = "# My answer\n\n> a quote\n\n- the mask is **binary** when a < b, $x_1 > 0$"
    assert harmless_markdown(text) == text.replace("<", "&lt;")


def test_a_test_cell_is_cut_at_its_hidden_markers():
    source = "a = 1\nprint('Visible tests passed.')\n### BEGIN HIDDEN TESTS\nb = 2\n### END HIDDEN TESTS\nc = 3\n"
    assert split_test_cell(source) == [("a = 1\nprint('Visible tests passed.')\n", False), ("b = 2\n", True),
                                  ("c = 3\n", False)]
    nested = "with x:\n    a = 1\n### BEGIN HIDDEN TESTS\n    b = 2\n### END HIDDEN TESTS\n"
    assert split_test_cell(nested) == [(nested, True)], "parts that do not compile alone make the whole cell hidden"


def test_every_test_cell_of_the_course_cuts_into_parts_that_compile():
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and not meta.get("solution") and "### BEGIN HIDDEN TESTS" in cell.source:
                parts = split_test_cell(cell.source)
                assert [hidden for _, hidden in parts][:2] == [False, True], (path.name, meta["grade_id"])


# -- decoding replies -------------------------------------------------------------------------

def test_decoding_a_set_of_equal_hashes_stops_at_its_deadline():
    header = {"set": [k * (2**61 - 1) for k in range(1, 200_001)]}
    start = time.monotonic()
    with pytest.raises(wire.ProtocolError, match="too long"):
        wire.decode(header, [], timeout=0.5)
    assert time.monotonic() - start < 3


def test_decoding_a_dict_of_equal_hashes_stops_at_its_deadline():
    header = {"dict": [[k * (2**61 - 1), 0] for k in range(1, 200_001)]}
    with pytest.raises(wire.ProtocolError, match="too long"):
        wire.decode(header, [], timeout=0.5)


class Frames:
    def __init__(self, data):
        self.data = data

    def read(self, n):
        chunk, self.data = self.data[:n], self.data[n:]
        return chunk


def frame(text):
    data = text.encode()
    return struct.pack(">Q", len(data)) + data


def test_a_reply_nested_too_deeply_is_a_protocol_error_not_a_crash():
    deep = '{"message": ' + "[" * 200_000 + "]" * 200_000 + ', "arrays": 0}'
    with pytest.raises(wire.ProtocolError, match="nested"):
        wire.receive(Frames(frame(deep)))


def test_a_reply_header_too_long_is_refused_before_it_is_parsed():
    with pytest.raises(wire.ProtocolError, match="exceeds"):
        wire.receive(Frames(frame('{"message": "' + "x" * (wire.MAX_HEADER + 10) + '", "arrays": 0}')))


# -- before grading ------------------------------------------------------------------------------

def test_students_are_registered_before_the_workers_start(tmp_path):
    api = scratch_course(ROOT, CHAPTER, tmp_path)
    register_students(api.coursedir.db_url, ["bo", "ada", "ada"])
    register_students(api.coursedir.db_url, ["ada", "cy"])
    with Gradebook(api.coursedir.db_url) as gradebook:
        assert sorted(s.id for s in gradebook.students) == ["ada", "bo", "cy"]


def test_grading_uncontained_is_refused_unless_the_instructor_says_so(tmp_path, monkeypatch):
    api = scratch_course(ROOT, CHAPTER, tmp_path)
    folder = tmp_path / "submitted" / "ada" / CHAPTER
    folder.mkdir(parents=True)
    nbformat.write(release_notebook(api, CHAPTER), folder / f"{CHAPTER}.ipynb")
    monkeypatch.setattr(sandbox, "containment", lambda: sandbox.Containment(None, "bubblewrap (bwrap) is not installed"))
    with pytest.raises(UncontainedRefused) as refused:
        grade_class(tmp_path, [CHAPTER], workers=1, progress=None)
    message = str(refused.value)
    assert "apt-get install bubblewrap" in message and "UNSAFE_NO_CONTAINMENT=1" in message
    assert not (tmp_path / "autograded").exists(), "nothing may be graded before the refusal"
    with Gradebook(nbgrader_api(tmp_path).coursedir.db_url) as gradebook:
        assert gradebook.find_assignment(CHAPTER).num_submissions == 0
    assert batch.grade_class.__kwdefaults__["unsafe_uncontained"] is False
