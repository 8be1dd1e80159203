"""A class of broken and hostile submissions to chapter 01, graded in one batch with the course's grader.

Every submission is generated here from the release and the model answers.
Each must get exactly the score it deserves, whatever else its code does:
cheats get nothing, correct answers lose nothing to a warning, a stray print,
a pasted cell, a copied file name or a crash after the work was done. After
the batch, the gradebook holds no changes to other students' grades, the
course tree is byte for byte what it was, and no connection reached the
grading machine. Under CI=true the sandbox must really be isolated.
"""

import csv
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from source_helpers.grading.batch import STATUS_CSV, grade_class
from source_helpers.grading.course import nbgrader_api
from source_helpers.grading.sandbox import containment
from source_helpers.grading.trial import answer_with_solution, nbgrader_meta, release_notebook, scratch_course, source_notebook

from conftest import ROOT

CHAPTER = "01-image-arrays"
POINTS = {"test_make_image": 2, "test_ring_pixel": 1, "test_display_range": 2, "test_crop": 2,
          "test_flip_upside_down": 1, "test_brightest_pixel": 2, "test_fraction_above": 1}
FULL = sum(POINTS.values())


def require_isolation():
    found = containment()
    if not found.isolated:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the grading sandbox isolated, but {found.reason}")
        pytest.skip(f"containment measures unavailable here: {found.reason}")


def answers(notebook, **sources):
    """``notebook`` with the answer cells named in ``sources`` replaced by that code."""
    notebook = nbformat.from_dict(notebook)
    for cell in notebook.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if nbgrader_meta(cell).get("solution") and grade_id in sources:
            cell.source = sources[grade_id]
    return notebook


def with_line(notebook, line):
    """``notebook`` with ``line`` as the first statement of every answer function (after its docstring).

    A judgement answer (a variable, no function) gets ``line`` at the top of its cell.
    """
    notebook = nbformat.from_dict(notebook)
    for cell in notebook.cells:
        if nbgrader_meta(cell).get("solution"):
            lines = cell.source.split("\n")
            at = next((i for i, text in enumerate(lines) if text.startswith("def ")), None)
            if at is None:
                lines.insert(0, line)
            else:
                at += 1
                if lines[at].strip().startswith('"""') and lines[at].strip().endswith('"""'):
                    at += 1
                lines.insert(at, f"    {line}")
            cell.source = "import sys\n" + "\n".join(lines)
    return notebook


# -- attacks ------------------------------------------------------------------------------

SEARCH = '''
import os

def _places(name):
    """Every path called `name` in the folders above this one and in likely places, as far as visible."""
    found = []
    here = os.getcwd()
    for up in range(8):
        candidate = os.path.normpath(os.path.join(here, *[".."] * up, name))
        if os.path.exists(candidate):
            found.append(candidate)
    for top in ["/work", "/tmp", "/root", "/home", "/srv", "/course"]:
        for folder, subfolders, files in os.walk(top):
            if name in files or name in subfolders:
                found.append(os.path.join(folder, name))
            if folder.count(os.sep) >= 5:
                subfolders[:] = []
    return sorted(set(found))
'''

SQLITE_ATTACK = SEARCH + '''
import sqlite3
HIT = []
for path in _places("gradebook.db"):
    try:
        connection = sqlite3.connect(path)
        connection.execute("UPDATE grade SET manual_score = 0")
        connection.execute("UPDATE grade SET auto_score = max_score")
        connection.commit()
        HIT.append(path)
    except Exception as error:
        print("could not write", path, error)
print("gradebooks changed:", HIT)

def fraction_above(image, threshold):
    raise NotImplementedError()
'''

READ_ATTACK = SEARCH + '''
import json
STOLEN = {}
for folder in _places("solutions"):
    path = os.path.join(folder, "01-image-arrays", "01-image-arrays.ipynb")
    if os.path.exists(path):
        for cell in json.load(open(path))["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("solution"):
                STOLEN[cell["metadata"]["nbgrader"]["grade_id"]] = "".join(cell["source"])
for folder in _places("submitted"):
    print("classmates:", sorted(os.listdir(folder)))
for code in STOLEN.values():
    exec(code)
print("model answers read:", sorted(STOLEN))
'''

NETWORK_ATTACK = '''
import socket
import subprocess
import sys

def flip_upside_down(image):
    for host in {HOSTS}:
        try:
            socket.create_connection((host, {PORT}), timeout=2).close()
            return image[::-1]
        except OSError:
            pass
    raise ConnectionError("no network")
'''

NOOP_CHECKS = '''
from source_helpers import checks
for _name in dir(checks):
    if _name.startswith("check_") or _name == "call":
        setattr(checks, _name, lambda *args, **kwargs: None)
np.array_equal = lambda *args, **kwargs: True
np.allclose = lambda *args, **kwargs: True

def make_image(height, width, on):
    raise NotImplementedError()
'''

EQ_SUBCLASS = '''
class Liar(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)
    def __ne__(self, other):
        return np.zeros(self.shape, dtype=bool)

np.array_equal = lambda *args, **kwargs: True

def make_image(height, width, on):
    return np.zeros((height, width), dtype=np.int64).view(Liar)
'''

DISPLAYHOOK = '''
import sys

def {name}(*args):
    sys.displayhook(2)
    sys.displayhook("ok")
    raise ValueError("nothing here")
'''

FRAME_READER = '''
import sys

class Sneaky(float):
    def __float__(self):
        frame = sys._getframe(1)
        while frame is not None:
            for key in ("expected", "e", "p"):
                if key in frame.f_locals:
                    try:
                        return float(frame.f_locals[key])
                    except Exception:
                        pass
            frame = frame.f_back
        return 0.0
    def __sub__(self, other):
        return 0.0
    __rsub__ = __sub__
    def __eq__(self, other):
        return True
    __hash__ = float.__hash__

def fraction_above(image, threshold):
    return Sneaky(0.25)
'''

LOOP = "def {name}(*args):\n    while True:\n        pass\n"


class Listener:
    """A TCP server on the grading machine that records every connection a student's code makes."""

    def __init__(self):
        self.server = socket.create_server(("0.0.0.0", 0))
        self.port = self.server.getsockname()[1]
        self.accepted = []
        self.server.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                connection, address = self.server.accept()
            except OSError:
                continue
            self.accepted.append(address)
            connection.close()

    def close(self):
        self.running = False
        self.thread.join(timeout=2)
        self.server.close()


def host_addresses():
    addresses = {"127.0.0.1"}
    try:
        addresses |= {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    except OSError:
        pass
    return sorted(addresses)


def tree_digest(*folders):
    digest = {}
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


def write(course, student, notebook, name=None):
    folder = course / "submitted" / student / CHAPTER
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (name or f"{CHAPTER}.ipynb")
    if isinstance(notebook, str):
        target.write_text(notebook)
    else:
        nbformat.write(notebook, target)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    require_isolation()
    course = tmp_path_factory.mktemp("hostile")
    scratch_course(ROOT, CHAPTER, course)
    with open(course / "nbgrader_config.py", "a") as config:
        config.write("\nc.ContainedExecute.cell_timeout = 4\nc.ContainedExecute.notebook_timeout = 25\n"
                     "c.ContainedExecute.memory_mb = 2048\n")
    api = nbgrader_api(course)
    blank = release_notebook(api, CHAPTER)
    solved = answer_with_solution(blank, source_notebook(api, CHAPTER))
    listener = Listener()

    submissions = {
        "a-solution": solved,
        "gradebook-writer": answers(blank, fraction_above=SQLITE_ATTACK),
        "solution-reader": answers(blank, fraction_above=READ_ATTACK),
        "network": answers(blank, flip_upside_down=NETWORK_ATTACK.replace("{HOSTS}", repr(host_addresses()))
                           .replace("{PORT}", str(listener.port))),
        "noop-checks": answers(blank, make_image=NOOP_CHECKS),
        "eq-subclass": answers(blank, make_image=EQ_SUBCLASS),
        "displayhook": answers(blank, **{n: DISPLAYHOOK.replace("{name}", n) for n in
                                         ["make_image", "crop", "flip_upside_down", "brightest_pixel", "fraction_above"]}),
        "frame-reader": answers(blank, fraction_above=FRAME_READER),
        "memory-hog": answers(solved, crop="def crop(image, top, left, height, width):\n"
                                            "    hog = np.ones(4 * 10**9)    # 32 GB\n"
                                            "    return image[top:top + height, left:left + width]\n"),
        "exits": answers(solved, fraction_above="def fraction_above(image, threshold):\n"
                                                "    return float(np.mean(image > threshold))\n\n"
                                                "import os\nos._exit(0)\n"),
        # zeroes the arrays it is given and returns zeros: the tests' expected values must not follow
        "input-zeroer": answers(solved, crop="def crop(image, top, left, height, width):\n"
                                             "    part = image[top:top + height, left:left + width].copy()\n"
                                             "    if image.shape == (5, 6):\n        return part\n"
                                             "    image[...] = 0\n    return np.zeros_like(part)\n"),
        # a right answer that reverses the caller's array in place (the task allows it)
        "flips-in-place": answers(solved, flip_upside_down="def flip_upside_down(image):\n"
                                                           "    image[...] = image[::-1].copy()\n"
                                                           "    return image\n"),
        "stderr-debug": with_line(solved, 'print("debugging", file=sys.stderr)'),
        "warns": with_line(solved, 'import warnings; warnings.warn("a harmless warning", UserWarning)'),
        "five-loops": answers(blank, **{n: LOOP.replace("{name}", n) for n in
                                        ["make_image", "crop", "flip_upside_down", "brightest_pixel", "fraction_above"]}),
        "edited-test": nbformat.from_dict(blank),
        "deleted-test": nbformat.from_dict(blank),
        "z-solution": solved,
    }
    for cell in submissions["edited-test"].cells:
        if nbgrader_meta(cell).get("grade"):
            cell.source = "print('Visible tests passed.')"
    submissions["deleted-test"].cells = [c for c in submissions["deleted-test"].cells
                                         if not nbgrader_meta(c).get("grade")]
    duplicated = nbformat.from_dict(solved)
    first_test = next(i for i, c in enumerate(duplicated.cells) if nbgrader_meta(c).get("grade"))
    duplicated.cells.insert(first_test, nbformat.from_dict(duplicated.cells[first_test]))
    duplicated.cells[first_test]["id"] = "pasted-copy"
    submissions["duplicated-test"] = duplicated

    for student, notebook in submissions.items():
        write(course, student, notebook)
    write(course, "copy1-name", solved, name=f"{CHAPTER}-Copy1.ipynb")
    write(course, "malformed", '{"cells": [ this is not json')
    (course / "submitted" / "no-notebook" / CHAPTER).mkdir(parents=True)
    (course / "submitted" / "no-notebook" / CHAPTER / "answers.txt").write_text("I wrote it on paper")

    protected = [course / "solutions", course / "notebooks", course / "nbgrader_config.py", ROOT / "solutions",
                 ROOT / "source_helpers"]
    before = tree_digest(*[p for p in protected if p.is_dir()])
    before_config = (course / "nbgrader_config.py").read_bytes()
    submitted_before = tree_digest(course / "submitted")
    lines = []
    outcomes = grade_class(course, [CHAPTER], workers=2, progress=lines.append)
    listener.close()
    return {
        "course": course, "outcomes": {o.student: o for o in outcomes}, "lines": lines, "listener": listener,
        "before": before, "after": tree_digest(*[p for p in protected if p.is_dir()]),
        "config_same": before_config == (course / "nbgrader_config.py").read_bytes(),
        "submitted_before": submitted_before, "submitted_after": tree_digest(course / "submitted"),
    }


EXPECTED = {
    "a-solution": FULL, "z-solution": FULL,
    "gradebook-writer": 0, "solution-reader": 0, "network": 0,
    "noop-checks": 0, "eq-subclass": 0, "displayhook": 0, "frame-reader": 0,
    "memory-hog": FULL - POINTS["test_crop"],
    "exits": FULL - POINTS["test_fraction_above"],
    "input-zeroer": FULL - POINTS["test_crop"], "flips-in-place": FULL,
    "stderr-debug": FULL, "warns": FULL, "five-loops": 0,
    "edited-test": 0, "deleted-test": 0,
    "duplicated-test": FULL, "copy1-name": FULL,
}


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_submission_gets_what_it_deserves(graded, student):
    outcome = graded["outcomes"][student]
    assert outcome.status in ("graded", "flagged"), f"{student}: {outcome.status} {outcome.error}"
    assert outcome.score == EXPECTED[student], f"{student}: {outcome.score}/{outcome.max_score}, cells {outcome.cells}"
    assert outcome.max_score == FULL


@pytest.mark.parametrize("student, cause", [("malformed", "NotJSONError"), ("no-notebook", "no notebook found")])
def test_what_cannot_be_graded_is_flagged_with_its_cause(graded, student, cause):
    outcome = graded["outcomes"][student]
    assert outcome.status == "failed" and cause in outcome.error
    assert any(cause in line for line in graded["lines"]), "the progress lines do not show the cause"
    rows = (graded["course"] / STATUS_CSV).read_text()
    assert f"{CHAPTER},{student},failed" in rows


@pytest.mark.parametrize("student, flag", [("copy1-name", "Copy1"), ("duplicated-test", "copy of test cell"),
                                          ("exits", "stopped"), ("five-loops", "time limit")])
def test_repaired_or_interrupted_submissions_are_flagged(graded, student, flag):
    outcome = graded["outcomes"][student]
    assert outcome.status == "flagged" and any(flag in f for f in outcome.flags), outcome.flags


def test_other_students_grades_are_untouched(graded):
    api = nbgrader_api(graded["course"])
    with Gradebook(api.coursedir.db_url) as gradebook:
        for submission in gradebook.find_assignment(CHAPTER).submissions:
            student = submission.student.id
            if student not in EXPECTED:
                continue
            manual = [g.manual_score for n in submission.notebooks for g in n.grades if g.manual_score is not None]
            assert not manual, f"{student} has manual scores nobody gave: {manual}"
            assert submission.score == EXPECTED[student], f"{student}: the gradebook says {submission.score}"


def test_course_tree_and_submissions_are_unchanged(graded):
    assert graded["before"] == graded["after"], "grading changed files of the course"
    assert graded["config_same"]
    added = set(graded["submitted_after"]) - set(graded["submitted_before"])
    assert not added, f"grading wrote into students' folders: {sorted(added)}"
    changed = [p for p, h in graded["submitted_before"].items() if graded["submitted_after"].get(p) != h]
    assert not changed, f"grading changed students' files: {changed}"


def test_no_connection_reached_the_grading_machine(graded):
    assert graded["listener"].accepted == []


def test_nothing_of_the_course_was_readable(graded):
    course = graded["course"]
    notebook = course / "autograded" / "solution-reader" / CHAPTER / f"{CHAPTER}.ipynb"
    text = notebook.read_text()
    assert "model answers read: []" in text
    assert "classmates: [" not in text
    feedback = api_feedback(course, "solution-reader")
    for classmate in ("a-solution", "z-solution", "gradebook-writer"):
        assert classmate not in feedback


def api_feedback(course, student):
    api = nbgrader_api(course)
    result = api.generate_feedback(CHAPTER, student)
    assert result["success"], result.get("error")
    return (course / "feedback" / student / CHAPTER / f"{CHAPTER}.html").read_text()


def test_feedback_shows_messages_but_not_hidden_tests(graded):
    html = api_feedback(graded["course"], "eq-subclass")
    assert "BEGIN HIDDEN TESTS" not in html and "default_rng(101)" not in html
    assert "make_image(3, 4, [(0, 1), (2, 3)])" in html          # the visible test and its message


def test_export_tells_failed_from_blank(graded):
    course = graded["course"]
    export = subprocess.run([str(Path(sys.executable).with_name("nbgrader")), "export"], cwd=course,
                            capture_output=True, text=True)
    assert export.returncode == 0, export.stderr
    with open(course / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert float(rows["a-solution"]["score"]) == FULL and rows["a-solution"]["status"] == "graded"
    assert float(rows["edited-test"]["score"]) == 0 and rows["edited-test"]["status"] == "graded"
    assert rows["malformed"]["status"] == "failed" and "NotJSONError" in rows["malformed"]["flags"]
    assert rows["copy1-name"]["status"] == "flagged" and "Copy1" in rows["copy1-name"]["flags"]


def test_time_per_notebook_is_bounded(graded):
    loops = graded["outcomes"]["five-loops"]
    assert loops.seconds < 25 + 20, f"five looping answers took {loops.seconds:.0f} s"


def test_the_report_names_the_measures_in_force(graded):
    assert any(line.startswith("containment: isolated") for line in graded["lines"])
    report = json.loads((graded["course"] / "autograded" / "a-solution" / CHAPTER / "grading-report.json").read_text())
    assert report["isolated"] is True
