"""A second hostile class, graded in one batch: every way it found to get a wrong grade, or none, is closed.

Each submission is generated here from the release and the model answers,
and each gets exactly what it deserves: arguments changed in place earn
nothing and honest in-place answers lose nothing; symbolic links are never
followed (a linked notebook is not graded, a linked file never reaches the
sandbox); what a student's code prints or raises during the hidden tests
never reaches the feedback; tampered grading metadata is ignored and
flagged; a new student handing in several chapters at once loses none;
replies that are slow to decode or nested too deeply fail only their call;
a file that shadows a module does not stop the sandbox; the sandbox maps
to an unprivileged host user and bounds sizes and processes; a student's
HTML never runs in the feedback. Controls (the model answers, a student's
own module, prints in visible tests) keep full marks. After the batch the
course tree is byte for byte what it was, an earlier student's grades in
the gradebook are exactly as they were, and no temporary folder is left.
"""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from source_helpers.grading.batch import grade_class
from source_helpers.grading.course import nbgrader_api
from source_helpers.grading.trial import answer_with_solution, nbgrader_meta, release_notebook, source_notebook
from test_grading_hostile import answers, require_isolation, tree_digest, with_line

from conftest import ROOT

CHAPTER = "01-image-arrays"
CHAPTERS = ["00-setup", CHAPTER, "02-dtypes-and-channels"]
POINTS = {"test_make_image": 2, "test_ring_pixel": 1, "test_display_range": 2, "test_crop": 2,
          "test_flip_upside_down": 1, "test_brightest_pixel": 2, "test_fraction_above": 1}
FULL = sum(POINTS.values())
ROOT_ONLY = Path(sys.prefix) / "cv-microscopy-root-only-probe.txt"    # inside the environment the sandbox shows

# -- attacks and honest oddities --------------------------------------------------------------

# Honest on the visible test's inputs, and on any other input it wipes the argument and returns a
# result that matches the wiped argument: a test that computes its expected value after the call
# from that argument is fooled.
ZERO_CROP = '''
def crop(image, top, left, height, width):
    if image.size in (30, 90) and image.flat[1] == 1:        # the visible tests' np.arange images
        return image[top:top + height, left:left + width]
    image[...] = 0
    return np.zeros((height, width) + image.shape[2:], dtype=image.dtype)
'''
ZERO_FLIP = '''
def flip_upside_down(image):
    if image.shape == (3, 2) and image[0, 0] == 1:
        return image[::-1]
    image[...] = 0
    return image.copy()
'''
ZERO_CHANNEL = '''
def add_channel_axis(image):
    if image.shape == (2, 3) and image.dtype == np.uint8 and image[0, 1] == 1:
        return image[..., np.newaxis]
    image[...] = 0
    return np.zeros(image.shape + (1,), dtype=image.dtype)
'''
# An honest answer that works in place: its result is right, its argument changed.
IN_PLACE_FLIP = '''
def flip_upside_down(image):
    image[...] = image[::-1].copy()
    return image
'''
# Prints and raises with its arguments in them: the hidden tests' inputs must stay hidden.
PRINTS_ARGUMENTS = '''
def fraction_above(image, threshold):
    print("ARGUMENT threshold", threshold)
    return float(np.mean(image > threshold))
'''
RAISES_ARGUMENTS = '''
def fraction_above(image, threshold):
    if threshold not in (0, 5):
        raise ValueError(f"SECRET threshold {threshold}")
    return float(np.mean(image > threshold))
'''
# A student's own module beside the notebook (the control of the shadowing files).
OWN_MODULE = '''
from my_flips import upside_down

def flip_upside_down(image):
    return upside_down(image)
'''

RAW_REPLY = '''
import os, struct, sys

def _raw_reply(text):
    """Write a reply of our own straight into the pipe to the grader, then stop."""
    frame = text.encode()
    data = struct.pack(">Q", len(frame)) + frame
    fd = int(sys.argv[2])                  # the worker was started as: python -c ... REQUESTS REPLIES
    while data:
        data = data[os.write(fd, data):]
    os._exit(0)
'''
# A set of ints that all hash to 0: quadratic to build where the reply is decoded.
EQUAL_HASHES = RAW_REPLY + '''
def make_image(height, width, on):
    items = ", ".join(str(k * (2**61 - 1)) for k in range(1, 60001))
    _raw_reply('{"message": {"ok": true, "value": {"set": [' + items + ']}, "stdout": "", "warnings": [], '
               '"changed": [], "generators": []}, "arrays": 0}')
'''
# A cell whose reply is nested 100000 deep.
DEEP_REPLY = RAW_REPLY + '''
_raw_reply('{"message": {"ok": true, "outputs": ' + "[" * 100000 + "]" * 100000 + ', "error": false}, "arrays": 0}')
'''
PROBE = f'''
import os, threading, time
def _probe():
    print("PROBE uid_map", open("/proc/self/uid_map").read().split())
    try:
        open({str(ROOT_ONLY)!r}).read()
        print("PROBE root-only file: READ")
    except OSError as error:
        print("PROBE root-only file: refused", type(error).__name__)
    for place in (os.path.expanduser("~"), "/dev/shm", os.getcwd(), "/tmp"):
        written = 0
        try:
            with open(os.path.join(place, "filler"), "wb") as handle:
                while written < 600:
                    handle.write(b"x" * 2**20)
                    handle.flush()
                    written += 1
        except OSError:
            pass
        try:
            os.remove(os.path.join(place, "filler"))
        except OSError:
            pass
        print("PROBE MiB written in", place, written)
    children = []
    try:
        while len(children) < 300:
            pid = os.fork()
            if pid == 0:
                time.sleep(3)
                os._exit(0)
            children.append(pid)
    except OSError:
        pass
    print("PROBE processes started", len(children))
    for pid in children:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    threads = []
    try:
        while len(threads) < 200:
            thread = threading.Thread(target=time.sleep, args=(1,), daemon=True)
            thread.start()
            threads.append(thread)
    except RuntimeError:
        pass
    print("PROBE threads started", len(threads))
_probe()
'''
SCRIPT_MARKDOWN = ('My notes <script>document.title = "PWNED by script";</script> '
                   '<img src="x" onerror="document.title = \'PWNED by onerror\'"> '
                   '[a link](javascript:document.title=\'PWNED by link\')')
SCRIPT_RAW = '<script>document.title = "PWNED by raw cell";</script>'
SHADOW = 'print("STUDENT TEXT FROM A SHADOWING FILE")\nraise SystemExit("STUDENT TEXT FROM A SHADOWING FILE")\n'


def insert_after_setup(notebook, *cells):
    """``notebook`` with ``cells`` right after its first code cell (the setup cell)."""
    notebook = nbformat.from_dict(notebook)
    setup = next(i for i, c in enumerate(notebook.cells) if c.cell_type == "code")
    notebook.cells[setup + 1:setup + 1] = list(cells)
    return notebook


def retag(notebook, grade_id, **changes):
    """``notebook`` with the nbgrader metadata of cell ``grade_id`` changed."""
    notebook = nbformat.from_dict(notebook)
    for cell in notebook.cells:
        if nbgrader_meta(cell).get("grade_id") == grade_id:
            cell.metadata["nbgrader"].update(changes)
    return notebook


def write(course, student, notebook, chapter=CHAPTER, name=None):
    folder = course / "submitted" / student / chapter
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (name or f"{chapter}.ipynb")
    nbformat.write(notebook, target)
    return folder


def folder_digest(folder):
    """``{path: sha256 or link target}`` of everything below ``folder``, links recorded, never followed."""
    digest = {}
    for current, subfolders, names in os.walk(folder):
        for name in subfolders + names:
            path = Path(current) / name
            if path.is_symlink():
                digest[str(path)] = "link to " + os.readlink(path)
            elif path.is_file():
                digest[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


class Markup(HTMLParser):
    """The elements of an HTML page and their attributes, and the text inside its scripts."""

    def __init__(self):
        super().__init__()
        self.attributes, self.scripts, self._in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        self.attributes += [(tag, name, value or "") for name, value in attrs]
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def grades(db_url, student):
    """Every grade of ``student`` in the gradebook as plain rows, to compare exactly."""
    with sqlite3.connect(db_url[len("sqlite:///"):]) as connection:
        return connection.execute(
            "SELECT grade.* FROM grade JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
            "JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id "
            "WHERE submitted_assignment.student_id = ? ORDER BY grade.id", (student,)).fetchall()


@pytest.fixture(scope="module")
def second(tmp_path_factory):
    require_isolation()
    course = tmp_path_factory.mktemp("hostile-second")
    (course / "nbgrader_config.py").write_bytes((ROOT / "nbgrader_config.py").read_bytes())
    for chapter in CHAPTERS:
        (course / "solutions").mkdir(exist_ok=True)
        subprocess.run(["cp", "-r", str(ROOT / "solutions" / chapter), str(course / "solutions" / chapter)], check=True)
    with open(course / "nbgrader_config.py", "a") as config:
        config.write("\nc.ContainedExecute.cell_timeout = 4\nc.ContainedExecute.notebook_timeout = 25\n"
                     "c.ContainedExecute.memory_mb = 2048\n")
    api = nbgrader_api(course)
    solved = {}
    for chapter in CHAPTERS:
        assert api.generate_assignment(chapter, force=True)["success"], chapter
        solved[chapter] = answer_with_solution(release_notebook(api, chapter), source_notebook(api, chapter))
    blank = release_notebook(api, CHAPTER)
    solution = solved[CHAPTER]

    # An earlier student, graded before the hostile class: the batch must not touch their grades.
    write(course, "earlier", solution)
    assert grade_class(course, [CHAPTER], workers=1, progress=None)[0].score == FULL
    earlier_before = grades(api.coursedir.db_url, "earlier")
    (course / "submitted" / "earlier" / CHAPTER / f"{CHAPTER}.ipynb").unlink()
    (course / "submitted" / "earlier" / CHAPTER).rmdir()

    ROOT_ONLY.write_text("only root may read this\n")
    ROOT_ONLY.chmod(0o600)
    markdown = nbformat.v4.new_markdown_cell(SCRIPT_MARKDOWN)
    raw = nbformat.v4.new_raw_cell(SCRIPT_RAW, metadata={"format": "text/html", "raw_mimetype": "text/html"})
    extra = nbformat.v4.new_code_cell("print('bonus')", metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "grade_id": "test_bonus", "points": 50,
        "schema_version": 3}})
    source_02 = source_notebook(api, "02-dtypes-and-channels")
    pasted = nbformat.from_dict(next(c for c in source_02.cells if nbgrader_meta(c).get("grade")))
    renamed = nbformat.from_dict(solution)
    for cell in renamed.cells:
        if nbgrader_meta(cell).get("grade_id") == "test_crop":
            cell.metadata["nbgrader"]["grade_id"] = "test_crop_renamed"

    submissions = {
        "a-solution": solution,
        "zero-crop": answers(solution, crop=ZERO_CROP),
        "zero-flip": answers(solution, flip_upside_down=ZERO_FLIP),
        "in-place-flip": answers(solution, flip_upside_down=IN_PLACE_FLIP),
        "prints-arguments": answers(solution, fraction_above=PRINTS_ARGUMENTS),
        "raises-arguments": answers(solution, fraction_above=RAISES_ARGUMENTS),
        "answer-worth-100": retag(solution, "make_image", grade=True, points=100),
        "extra-graded-cell": insert_after_setup(solution, extra),
        "renamed-test": renamed,
        "pasted-from-02": insert_after_setup(solution, pasted),
        "equal-hashes": answers(solution, make_image=EQUAL_HASHES),
        "deep-reply": insert_after_setup(solution, nbformat.v4.new_code_cell(DEEP_REPLY)),
        "probe": insert_after_setup(solution, nbformat.v4.new_code_cell(PROBE)),
        "script-html": insert_after_setup(solution, markdown, raw),
        "loops": answers(solution, crop="def crop(image, top, left, height, width):\n    while True:\n        pass\n"),
        "shadowing-files": solution,
        "own-module": answers(solution, flip_upside_down=OWN_MODULE),
        "z-solution": solution,
    }
    for student, notebook in submissions.items():
        write(course, student, notebook)
    folder = course / "submitted" / "shadowing-files" / CHAPTER
    for name in ("json.py", "numpy.py", "io.py", "struct.py", "sitecustomize.py"):
        (folder / name).write_text(SHADOW)
    (course / "submitted" / "own-module" / CHAPTER / "my_flips.py").write_text(
        "def upside_down(image):\n    return image[::-1]\n")

    # Links: to the model answers (as a plain-looking file), to the gradebook, to a classmate's
    # folder, and a notebook that is a link to a classmate's.
    read_links = answers(blank, fraction_above='''
import json, os
STOLEN = {}
for name in ("answers.txt", "gradebook.txt", "classmate/01-image-arrays.ipynb"):
    try:
        text = open(name, errors="replace").read()
        print("LINK READ", name, len(text))
        if name == "answers.txt":
            for cell in json.loads(text)["cells"]:
                if cell["metadata"].get("nbgrader", {}).get("solution"):
                    STOLEN[cell["metadata"]["nbgrader"]["grade_id"]] = "".join(cell["source"])
    except (OSError, ValueError) as error:
        print("LINK REFUSED", name, type(error).__name__)
for code in STOLEN.values():
    exec(code.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""))

def fraction_above(image, threshold):
    raise NotImplementedError()
''')
    links = write(course, "links", read_links)
    (links / "answers.txt").symlink_to(course / "solutions" / CHAPTER / f"{CHAPTER}.ipynb")
    (links / "gradebook.txt").symlink_to(course / "gradebook.db")
    (links / "classmate").symlink_to(course / "submitted" / "a-solution" / CHAPTER)
    linked = course / "submitted" / "linked-notebook" / CHAPTER
    linked.mkdir(parents=True)
    (linked / f"{CHAPTER}.ipynb").symlink_to(course / "submitted" / "a-solution" / CHAPTER / f"{CHAPTER}.ipynb")

    # A new student handing in three chapters at once (their first grading), beside the class.
    for chapter in CHAPTERS:
        write(course, "a-newcomer", solved[chapter], chapter=chapter)
    write(course, "zero-channel", answers(solved["02-dtypes-and-channels"], add_channel_axis=ZERO_CHANNEL),
          chapter="02-dtypes-and-channels")

    protected = [course / "solutions", course / "notebooks", ROOT / "solutions", ROOT / "source_helpers"]
    before = tree_digest(*protected)
    config_before = (course / "nbgrader_config.py").read_bytes()
    submitted_before = folder_digest(course / "submitted")
    temporary = Path(tempfile.mkdtemp(prefix="tmpdir-"))
    saved = tempfile.tempdir
    tempfile.tempdir = str(temporary)
    lines = []
    try:
        outcomes = grade_class(course, CHAPTERS, workers=2, progress=lines.append)
    finally:
        tempfile.tempdir = saved
        ROOT_ONLY.unlink()
    left_behind = sorted(p.name for p in temporary.iterdir())
    temporary.rmdir() if not left_behind else None
    return {
        "course": course, "api": api, "lines": lines, "left_behind": left_behind,
        "outcomes": {(o.chapter, o.student): o for o in outcomes},
        "before": before, "after": tree_digest(*protected),
        "config_same": config_before == (course / "nbgrader_config.py").read_bytes(),
        "submitted_before": submitted_before, "submitted_after": folder_digest(course / "submitted"),
        "earlier_before": earlier_before, "earlier_after": grades(api.coursedir.db_url, "earlier"),
    }


def outcome(second, student, chapter=CHAPTER):
    return second["outcomes"][(chapter, student)]


def graded_text(second, student, chapter=CHAPTER):
    """The graded notebook's outputs, as text."""
    path = second["course"] / "autograded" / student / chapter / f"{chapter}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    return "\n".join(str(o.get("text", "")) + str(o.get("evalue", "")) for c in notebook.cells
                     if c.cell_type == "code" for o in c.outputs)


def feedback_html(second, student, chapter=CHAPTER):
    result = second["api"].generate_feedback(chapter, student)
    assert result["success"], result.get("error")
    return (second["course"] / "feedback" / student / chapter / f"{chapter}.html").read_text()


EXPECTED = {
    "a-solution": FULL, "z-solution": FULL,
    "zero-crop": FULL - POINTS["test_crop"],
    "zero-flip": FULL - POINTS["test_flip_upside_down"],
    "in-place-flip": FULL,
    "prints-arguments": FULL,
    "raises-arguments": FULL - POINTS["test_fraction_above"],
    "answer-worth-100": FULL, "extra-graded-cell": FULL, "renamed-test": FULL, "pasted-from-02": FULL,
    "equal-hashes": FULL - POINTS["test_make_image"],
    "deep-reply": FULL,
    "probe": FULL,
    "script-html": FULL,
    "loops": FULL - POINTS["test_crop"],
    "shadowing-files": FULL,
    "own-module": FULL,
    "links": 0,
}


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_submission_gets_what_it_deserves(second, student):
    result = outcome(second, student)
    assert result.status in ("graded", "flagged"), f"{student}: {result.status} {result.error}"
    assert result.score == EXPECTED[student], f"{student}: {result.score}/{result.max_score}, cells {result.cells}"
    assert result.max_score == FULL, f"{student}: the chapter is worth {result.max_score}, not {FULL}"


def test_changing_arguments_in_place_earns_nothing_in_chapter_02_either(second):
    result = outcome(second, "zero-channel", "02-dtypes-and-channels")
    solution = outcome(second, "a-newcomer", "02-dtypes-and-channels")
    assert result.cells["test_add_channel_axis"][0] == 0, result.cells
    assert result.score == solution.score - result.cells["test_add_channel_axis"][1]


def test_a_new_student_with_several_chapters_loses_none(second):
    for chapter in CHAPTERS:
        result = outcome(second, "a-newcomer", chapter)
        assert result.status == "graded", f"{chapter}: {result.status} {result.error}"
        assert result.score == result.max_score > 0


@pytest.mark.parametrize("student, flag", [
    ("answer-worth-100", "grading metadata of cell make_image had been changed"),
    ("extra-graded-cell", "grading metadata the chapter does not have"),
    ("renamed-test", "grading metadata the chapter does not have"),
    ("pasted-from-02", "grading metadata the chapter does not have"),
    ("links", "symbolic link was left out"),
    ("equal-hashes", "could not be read"),
    ("deep-reply", "stopped"),
    ("loops", "time limit"),
])
def test_tampering_and_interruptions_are_flagged(second, student, flag):
    result = outcome(second, student)
    assert result.status == "flagged" and any(flag in f for f in result.flags), result.flags


def test_no_link_is_followed(second):
    text = graded_text(second, "links")
    assert "LINK READ" not in text, text
    assert text.count("LINK REFUSED") == 3
    for link in ("answers.txt", "gradebook.txt", "classmate"):
        assert any(link in f for f in outcome(second, "links").flags), outcome(second, "links").flags
    assert not any((second["course"] / "autograded" / "links" / CHAPTER / name).exists()
                   for name in ("answers.txt", "gradebook.txt", "classmate"))


def test_a_linked_notebook_is_not_graded(second):
    result = outcome(second, "linked-notebook")
    assert result.status == "failed" and "symbolic link" in result.error, (result.status, result.error)
    assert any("linked-notebook" in line and "symbolic link" in line for line in second["lines"])


def test_hidden_inputs_never_reach_the_feedback(second):
    html = feedback_html(second, "prints-arguments")
    assert "ARGUMENT threshold 5" in html, "prints during the visible tests are shown as notes"
    for hidden in ("-10.0", "-0.5", "1.25", "10.0"):
        assert f"ARGUMENT threshold {hidden}" not in html
        assert f"ARGUMENT threshold {hidden}" not in graded_text(second, "prints-arguments")
    assert "not shown" in html
    html = feedback_html(second, "raises-arguments")
    for hidden in ("-10.0", "-0.5", "1.25", "10.0"):
        assert f"SECRET threshold {hidden}" not in html
        assert f"SECRET threshold {hidden}" not in graded_text(second, "raises-arguments")
    assert "ValueError" in html, "the feedback still says which error the function raised"


def test_a_shadowing_file_does_not_stop_the_sandbox_or_speak_for_it(second):
    assert outcome(second, "shadowing-files").status == "graded"
    assert not any("STUDENT TEXT" in line for line in second["lines"])


def test_the_sandbox_runs_as_an_unprivileged_host_user_with_bounded_sizes_and_processes(second):
    text = graded_text(second, "probe")
    lines = {line.split(" ", 1)[1].rsplit(" ", 1)[0]: line.rsplit(" ", 1)[1]
             for line in text.splitlines() if line.startswith("PROBE ") and "uid_map" not in line}
    uid_map = next(line for line in text.splitlines() if line.startswith("PROBE uid_map"))
    outside = int(uid_map.split("'")[3])
    assert outside != 0, f"the sandbox's user is root on the host: {uid_map}"
    assert "READ" not in text and "root-only file: refused" in text
    for place, written in lines.items():
        if place.startswith("MiB written in"):
            assert int(written) < 450, f"{place}: {written} MiB could be written"
    assert int(lines["processes started"]) < 300 and int(lines["threads started"]) < 200, lines


def test_student_html_never_runs_in_the_feedback(second, tmp_path):
    from test_browser import CHROMIUM_FLAGS, find_chromium

    chromium = find_chromium()
    html = feedback_html(second, "script-html")
    markup = Markup()
    markup.feed(html)
    assert not [a for a in markup.attributes if "PWNED" in a[2]], "a student's attribute reached the page"
    assert not [s for s in markup.scripts if "PWNED" in s], "a student's script reached the page"
    graded = (second["course"] / "autograded" / "script-html" / CHAPTER / f"{CHAPTER}.ipynb").read_text()
    assert "<script>" not in graded
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
        try:
            page = browser.new_page()
            page.goto((second["course"] / "feedback" / "script-html" / CHAPTER / f"{CHAPTER}.html").as_uri())
            page.wait_for_timeout(500)
            links = page.eval_on_selector_all("a", "links => links.map(a => a.getAttribute('href') || '')")
            title, text = page.title(), page.inner_text("body")
        finally:
            browser.close()
    assert "PWNED" not in title, f"a student's script ran in the feedback: the title is {title!r}"
    assert not any(link.lower().startswith("javascript") for link in links), links
    assert "My notes" in text and "<script>" in text, "the student's text is shown, as text"


def test_cells_that_could_not_run_are_marked_for_manual_review(second):
    with Gradebook(second["api"].coursedir.db_url) as gradebook:
        notebook = gradebook.find_submission_notebook(CHAPTER, CHAPTER, "loops")
        review = {grade.name: grade.needs_manual_grade for grade in notebook.grades}
        solution = gradebook.find_submission_notebook(CHAPTER, CHAPTER, "a-solution")
        assert not any(grade.needs_manual_grade for grade in solution.grades)
    assert review["test_crop"] is True, review
    assert not any(flag for name, flag in review.items() if name != "test_crop"), review


def test_time_per_notebook_is_bounded(second):
    for student in ("equal-hashes", "deep-reply", "loops"):
        assert outcome(second, student).seconds < 25 + 20, f"{student}: {outcome(second, student).seconds:.0f} s"


def test_course_tree_gradebook_and_submissions_are_unchanged(second):
    assert second["before"] == second["after"], "grading changed files of the course"
    assert second["config_same"]
    assert second["submitted_after"] == second["submitted_before"], "grading wrote into students' folders"
    assert second["earlier_after"] == second["earlier_before"], "an earlier student's grades changed"


def test_no_temporary_folder_is_left_behind(second):
    assert second["left_behind"] == [], f"left in TMPDIR: {second['left_behind']}"


def test_feedback_goes_on_past_a_broken_submission(second, tmp_path):
    course = second["course"]
    broken = course / "autograded" / "deep-reply" / CHAPTER / f"{CHAPTER}.ipynb"
    saved = broken.read_bytes()
    broken.write_text("{ not a notebook")
    try:
        run = subprocess.run([sys.executable, "-m", "source_helpers.grading", "feedback", CHAPTER,
                              "02-dtypes-and-channels"], cwd=course, capture_output=True, text=True,
                             env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"})
    finally:
        broken.write_bytes(saved)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "no feedback for 01-image-arrays deep-reply" in run.stdout, run.stdout
    assert "Please see the" not in run.stdout
    for student in ("z-solution", "zero-crop"):
        assert (course / "feedback" / student / CHAPTER / f"{CHAPTER}.html").is_file()
    assert (course / "feedback" / "zero-channel" / "02-dtypes-and-channels" / "02-dtypes-and-channels.html").is_file()


def test_the_status_file_records_every_case(second):
    status = json.loads((second["course"] / "autograded" / "grading-status.json").read_text())
    assert f"{CHAPTER}/linked-notebook" in status and status[f"{CHAPTER}/linked-notebook"]["status"] == "failed"
