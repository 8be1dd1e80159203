"""A student's hour in JupyterLab, in a real browser: headless Chromium driven by Playwright.

Students meet the course through JupyterLab, so this test does what one does,
in a copy of the course: ``make lab`` (which copies the release into
``my-work/``) starts JupyterLab; in the browser the student opens chapter 01,
runs every cell (Run All stops at the first failing test cell, so they carry
on with "Run Selected Cell and All Below" from the next cell, as students do),
sees the figures and, as the only errors, the unanswered exercises'
``NotImplementedError``; types the model answer of one exercise over its
``raise NotImplementedError()``, runs the answer and its test cell and reads
"Visible tests passed."; presses nbgrader's Validate button and reads the
verdict; saves; stops JupyterLab, runs ``make lab`` again and finds the answer
still there. Screenshots of the notebook are left in a temporary folder whose
path the test prints.

Every wait is for a state of the page (the kernel idle, no cell waiting to
run, a new execution count, a dialog), never a fixed sleep, with generous time
limits: the machine may be busy.

It needs Playwright (requirements-dev.txt, ``make setup-dev``) and Debian's
``chromium`` (tests/system-packages.sh installs it when ``make test`` runs as
root); Playwright's own browser download is not used. Where Chromium cannot be
had the test is skipped with the reason; under CI=true it fails instead.
``pytest -m browser`` runs it alone, ``-m "not browser"`` leaves it out.
"""

import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ROOT
from course_copy import scratch_copy, setup_env
from lab_server import LabServer

CHAPTER = "01-image-arrays"
NOTEBOOK = f"{CHAPTER}/{CHAPTER}.ipynb"
# The exercise the student answers: its answer cell's nbgrader grade_id and function name.
EXERCISE = "flip_upside_down"
STUB = "raise NotImplementedError()"

# As root Chromium needs --no-sandbox; the rest keep it from calling out to the network.
# Playwright adds --headless and a new empty --user-data-dir of its own.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1000}
# Time limits (ms) for states of the page; they only bound a wait that ends as soon as the state is reached.
STEP_TIMEOUT = 90_000         # a click's target, the kernel coming up
RUN_TIMEOUT = 300_000         # one run of cells (Run All, a cell and its test)
VALIDATE_TIMEOUT = 300_000    # nbgrader runs the whole notebook in a new kernel

# --- What the notebook holds (read from its file, not from the page) -----------------------------


def nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def graded_tests(notebook):
    """Indices of the autograded test cells."""
    return [i for i, c in enumerate(notebook["cells"])
            if c["cell_type"] == "code" and nbgrader(c).get("grade") and not nbgrader(c).get("solution")]


def exercise_cells(notebook, name):
    """``(answer index, test index)``: the answer cell defining ``name`` and the first test cell calling it."""
    cells = notebook["cells"]
    answers = [i for i, c in enumerate(cells) if nbgrader(c).get("solution") and c["cell_type"] == "code"
               and (nbgrader(c).get("grade_id") == name or re.search(rf"^def {name}\(", source(c), re.M))]
    assert len(answers) == 1, f"{NOTEBOOK} should have one answer cell for {name}, found {answers}"
    tests = [i for i in graded_tests(notebook) if i > answers[0] and re.search(rf"\b{name}\b", source(cells[i]))]
    assert tests, f"{NOTEBOOK} has no test cell for {name} after its answer cell"
    assert STUB in source(cells[answers[0]]), f"the answer cell of {name} has no `{STUB}` to replace"
    return answers[0], tests[0]


def model_answer(name):
    """The one line between BEGIN and END SOLUTION in the model answer of ``name``."""
    solutions = json.loads((ROOT / "solutions" / NOTEBOOK).read_text())
    cell = next(c for c in solutions["cells"] if nbgrader(c).get("grade_id") == name
                or re.search(rf"^def {name}\(", source(c), re.M))
    body = re.search(r"### BEGIN SOLUTION\n(.*?)\n\s*### END SOLUTION", source(cell), re.S).group(1)
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    assert len(lines) == 1, f"the test types a one-line answer; the model answer of {name} has {len(lines)} lines"
    return lines[0]


def draws(text):
    return re.search(r"\bplt\.|\bshow_images?\(|\.imshow\(|\bsubplots\(", text) is not None


# --- Skips, and the environment make lab uses ------------------------------------------------------


def unavailable(reason):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the browser test, but {reason}")
    pytest.skip(reason)


def find_chromium():
    """Debian's chromium, or the skip (the failure under CI) that says why it is not there."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        unavailable(f"Playwright is not installed ({error}); `make setup-dev` installs it from requirements-dev.txt")
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if sys.platform != "linux":
        why = f"this is {platform.system()}; tests/system-packages.sh installs Debian's chromium on Linux only"
    elif os.geteuid() != 0:
        why = "tests/system-packages.sh installs it only when run as root (e.g. `sudo apt-get install chromium`)"
    elif shutil.which("apt-get") is None:
        why = "there is no apt-get here for tests/system-packages.sh to install it with"
    else:
        why = "tests/system-packages.sh (run by `make test`) could not install it; its output says why"
    unavailable(f"Chromium is not installed: {why}")


@pytest.fixture(scope="module")
def chromium():
    return find_chromium()


@pytest.fixture(scope="module")
def course_venv():
    """This run's environment, which ``make lab VENV=...`` must find up to date (it would rebuild it otherwise)."""
    venv = Path(sys.prefix)
    stamp = setup_env.read_stamp(str(venv))
    if not stamp or "python" not in stamp:
        unavailable(f"the test runs `make lab` with the environment `make setup` made (with its stamp); {venv} has none")
    wanted = {"python": stamp["python"], "version": stamp["version"], "pins": setup_env.pins_hash(str(ROOT))}
    reason = setup_env.rebuild_reason(str(venv), stamp, wanted)
    assert reason is None, f"make lab would make {venv} again ({reason}): run `make setup` first"
    return venv


# --- The page: what it shows, and waiting for its states -----------------------------------------

# Every cell of the one open notebook, in order (all cells are in the page: JupyterLab's default
# windowing mode only skips painting the ones out of view).
CELLS_JS = """() => {
  const panels = document.querySelectorAll('.jp-NotebookPanel');
  if (panels.length !== 1) return null;
  return [...panels[0].querySelectorAll('.jp-Notebook-cell')].map(cell => {
    const prompt = cell.querySelector('.jp-InputArea-prompt');
    const count = prompt ? /\\[(\\d+)\\]/.exec(prompt.textContent) : null;
    const outputs = [...cell.querySelectorAll('.jp-OutputArea-output')];
    const mime = type => outputs.filter(o => o.dataset.mimeType === type).map(o => o.textContent);
    return {
      code: cell.classList.contains('jp-CodeCell'),
      source: [...cell.querySelectorAll('.jp-InputArea-editor .cm-line')].map(l => l.textContent).join('\\n'),
      prompt: prompt ? prompt.textContent.trim() : '',
      count: count ? Number(count[1]) : null,
      stdout: mime('application/vnd.jupyter.stdout').join(''),
      errors: mime('application/vnd.jupyter.stderr').filter(t => t.includes('Traceback (most recent call last)')),
      images: cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="image/png"] img').length,
    };
  });
}"""

# The kernel has started and is idle, and the notebook shows all its cells.
KERNEL_READY_JS = """(cellCount) => {
  const panel = document.querySelector('.jp-NotebookPanel');
  if (!panel) return false;
  const kernel = panel.querySelector('[data-jp-item-name="kernelName"]');
  const status = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  return !!kernel && !/No Kernel/.test(kernel.textContent) && kernel.textContent.trim() !== ''
    && !!status && status.dataset.status === 'idle'
    && panel.querySelectorAll('.jp-Notebook-cell').length === cellCount;
}"""

# A run has ended: the kernel is idle, no cell waits to run ([*]), and the cell the run began with
# has an execution count above every count from before the run.
RUN_DONE_JS = """([first, before]) => {
  const panel = document.querySelector('.jp-NotebookPanel');
  const status = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  if (!status || status.dataset.status !== 'idle') return false;
  const prompts = [...panel.querySelectorAll('.jp-Notebook-cell .jp-InputArea-prompt')].map(p => p.textContent);
  if (prompts.some(text => text.includes('*'))) return false;
  const prompt = panel.querySelectorAll('.jp-Notebook-cell')[first].querySelector('.jp-InputArea-prompt');
  const count = /\\[(\\d+)\\]/.exec(prompt.textContent);
  return count !== null && Number(count[1]) > before;
}"""

# Scroll a cell to the top of the notebook until it stays there: cells out of view have a provisional
# height until painted, so one scroll can land off the cell while the ones above it grow.
SCROLLED_TO_JS = """(index) => {
  const cell = document.querySelectorAll('.jp-NotebookPanel .jp-Notebook-cell')[index];
  const top = cell.getBoundingClientRect().top;
  const scroller = cell.closest('.jp-WindowedPanel-outer') || cell.parentElement;
  const offset = top - scroller.getBoundingClientRect().top;
  if (Math.abs(offset) < 2 || scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 1) {
    if (window.__lastCellTop === top) return true;
    window.__lastCellTop = top;
    return false;
  }
  window.__lastCellTop = undefined;
  cell.scrollIntoView({block: 'start'});
  return false;
}"""

IMAGES_LOADED_JS = """() => [...document.querySelectorAll(
  '.jp-NotebookPanel .jp-OutputArea-output[data-mime-type="image/png"] img')].every(
  img => img.complete && img.naturalWidth > 0)"""


class Student:
    """The student's hands and eyes on one JupyterLab page."""

    def __init__(self, page, shots):
        self.page = page
        self.shots = shots

    def cells(self):
        cells = self.page.evaluate(CELLS_JS)
        assert cells is not None, "exactly one notebook should be open in JupyterLab"
        return cells

    def cell(self, index):
        return self.page.locator(".jp-NotebookPanel .jp-Notebook-cell").nth(index)

    def open(self, url, cell_count):
        self.page.goto(url)
        self.page.wait_for_function(KERNEL_READY_JS, arg=cell_count, timeout=STEP_TIMEOUT, polling=200)

    def menu(self, menu, command):
        """Open a menu of the menu bar and choose the item of a JupyterLab command."""
        self.page.get_by_role("menuitem", name=menu, exact=True).click()
        self.page.locator(f".lm-Menu li[data-command='{command}']").click()

    def select(self, index):
        """Click the cell's prompt area, which selects it without editing it."""
        cell = self.cell(index)
        cell.locator(".jp-InputPrompt").first.click()
        self.page.wait_for_function(
            "i => document.querySelectorAll('.jp-NotebookPanel .jp-Notebook-cell')[i].classList.contains('jp-mod-active')",
            arg=index, timeout=STEP_TIMEOUT)

    def run(self, action, first):
        """Do ``action`` (which runs cells from code cell ``first`` on) and wait until the run has ended."""
        before = max([c["count"] or 0 for c in self.cells()])
        action()
        self.page.wait_for_function(RUN_DONE_JS, arg=[first, before], timeout=RUN_TIMEOUT, polling=250)
        return before

    def screenshot(self, name, *, cell=None):
        if cell is not None:
            self.page.wait_for_function(SCROLLED_TO_JS, arg=cell, timeout=STEP_TIMEOUT, polling=200)
            self.page.wait_for_function(IMAGES_LOADED_JS, timeout=STEP_TIMEOUT)
        path = self.shots / name
        self.page.screenshot(path=path)
        return path


# --- The student's session ------------------------------------------------------------------------


def run_every_cell(student, release):
    """Run All, then "Run Selected Cell and All Below" from the first code cell that has not run yet.

    A run stops at a cell whose error (an unanswered exercise) aborts the cells queued after it; the
    next pass starts at the first cell that did not run, so every cell runs once whatever the order in
    which the page reports them. check_first_run then checks that the only errors are the exercises'.
    """
    code = [i for i, c in enumerate(release["cells"]) if c["cell_type"] == "code"]
    start = student.run(lambda: student.menu("Run", "runmenu:run-all"), code[0])
    for _ in range(2 * len(code)):
        cells = student.cells()
        waiting = [i for i in code if (cells[i]["count"] or 0) <= start]
        if not waiting:
            return cells
        student.select(waiting[0])
        student.run(lambda: student.menu("Run", "notebook:run-all-below"), waiting[0])
    raise AssertionError("running every cell took more passes than twice the notebook's code cells")


def check_first_run(cells, release):
    """Every code cell ran, figures show, and the only errors are the blank answers'; returns the figure count."""
    code = [i for i, c in enumerate(release["cells"]) if c["cell_type"] == "code"]
    never_ran = [i for i in code if cells[i]["count"] is None]
    assert not never_ran, f"cells {never_ran} never ran"
    # Figures: every teaching cell that draws shows at least one picture, unless it stopped at an
    # unanswered exercise (a cell after an exercise may use the student's function).
    teaching = [i for i in code if not nbgrader(release["cells"][i])]
    drawing = [i for i in teaching if draws(source(release["cells"][i]))]
    assert drawing, "chapter 01 should draw figures"
    blank = [i for i in drawing if cells[i]["images"] == 0 and not cells[i]["errors"]]
    assert not blank, f"these cells draw but show no figure: {[source(release['cells'][i])[:80] for i in blank]}"
    # Errors: only where an exercise is unanswered. Every test cell fails, saying its answer is not written
    # (or, for a judgement answer, still None); other cells fail only with the stub's NotImplementedError.
    with_errors = {i for i in code if cells[i]["errors"]}
    tests = set(graded_tests(release))
    assert tests - with_errors == set(), f"test cells that did not fail on the blank answers: {tests - with_errors}"
    for i in sorted(with_errors):
        error = cells[i]["errors"][0]
        unanswered = "NotImplementedError" in error and ("is not written yet" in error or i not in tests)
        assert unanswered or (i in tests and "is still None" in error), (
            f"cell {i} failed for another reason than an unanswered exercise:\n{error}")
        if i in tests:
            assert_no_checker_frames(error, f"the failing visible test in cell {i}")
    return sum(cells[i]["images"] for i in code)


def assert_no_checker_frames(error, where):
    """A failing test shows its message and the student's lines, not the frames of source_helpers/checks.py."""
    assert "AssertionError: " in error, f"{where} shows no message:\n{error}"
    checker = [line for line in error.splitlines() if "checks.py" in line or "_fail" in line or "skipping hidden" in line]
    assert not checker, f"{where} shows the checker's own frames {checker}:\n{error}"


def type_answer(student, answer, line):
    """Click the line ``raise NotImplementedError()`` of the answer cell and type ``line`` over it."""
    stub = student.cell(answer).locator(".cm-line", has_text=STUB)
    stub.click()
    student.page.keyboard.press("End")
    student.page.keyboard.press("Shift+Home")
    student.page.keyboard.type(line, delay=15)


def validate(student, release, answered_test):
    """Press Validate (it saves first), check the verdict: every other exercise's test cell fails for its stub."""
    # nbgrader's toolbar button: a jp-button with the class validate-button.
    student.page.locator(".jp-NotebookPanel-toolbar .validate-button").first.click()
    dialog = student.page.locator(".jp-Dialog").filter(has=student.page.locator("#validation-message"))
    dialog.wait_for(timeout=VALIDATE_TIMEOUT)
    message = dialog.locator("#validation-message")
    verdict = message.evaluate("""m => ({classes: [...m.classList], text: m.innerText,
        pre: [...m.querySelectorAll('pre')].map(p => p.innerText)})""")
    student.screenshot("2-validate-verdict.png")
    # The dialog lists each failed cell as two blocks: its source, then its error.
    failed, errors = verdict["pre"][0::2], verdict["pre"][1::2]
    others = [i for i in graded_tests(release) if i != answered_test]
    assert "validation-failed" in verdict["classes"], verdict["text"][:3000]
    assert sorted(map(normal, failed)) == sorted(normal(source(release["cells"][i])) for i in others), (
        verdict["text"][:3000])
    assert all("NotImplementedError" in error for error in errors), verdict["text"][:3000]
    for error in errors:
        assert_no_checker_frames(error, "Validate's report of a failing test")
    dialog.locator(".jp-mod-accept").click()
    dialog.wait_for(state="detached")


def normal(text):
    """``text`` with every run of white space made one space."""
    return " ".join(text.split())


def save(student, path):
    """Ctrl+S; returns when the server has answered the save (the file is written) and the tab shows it saved."""
    before = path.stat().st_mtime_ns
    with student.page.expect_response(lambda r: r.request.method == "PUT" and "/api/contents/" in r.url,
                                      timeout=STEP_TIMEOUT) as saving:
        student.page.keyboard.press("Control+s")
    assert saving.value.ok, f"saving failed: {saving.value.status} {saving.value.text()[:500]}"
    assert path.stat().st_mtime_ns != before, f"Ctrl+S did not write {path}"
    student.page.wait_for_function("() => !document.querySelector('.lm-TabBar-tab.jp-mod-dirty')")


@pytest.mark.browser
def test_a_student_runs_answers_validates_and_keeps_chapter_01_in_jupyterlab(chromium, course_venv, tmp_path, capsys):
    from playwright.sync_api import sync_playwright

    shots = Path(tempfile.mkdtemp(prefix="course-browser-test-"))
    course = tmp_path / "course"
    course.mkdir()
    scratch_copy(course)
    release = json.loads((course / "notebooks" / NOTEBOOK).read_text())
    answer, test = exercise_cells(release, EXERCISE)
    line = model_answer(EXERCISE)
    stub_line = next(s for s in source(release["cells"][answer]).splitlines() if STUB in s)
    answered = source(release["cells"][answer]).replace(stub_line, stub_line[:stub_line.index(STUB)] + line)
    mine = course / "my-work" / NOTEBOOK
    server = LabServer(course, course_venv, tmp_path / "jupyter")
    times = {}
    clock = time.monotonic()

    def lap(name):
        nonlocal clock
        times[name] = time.monotonic() - clock
        clock = time.monotonic()

    try:
        output = server.start()
        assert "Copied the course into my-work/" in output, output
        assert mine.read_bytes() == (course / "notebooks" / NOTEBOOK).read_bytes()
        lap("make lab")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(STEP_TIMEOUT)
            student = Student(page, shots)
            try:
                # Open chapter 01 and run every cell.
                student.open(server.notebook_url(NOTEBOOK), len(release["cells"]))
                cells = run_every_cell(student, release)
                figures = check_first_run(cells, release)
                first_figure = next(i for i, c in enumerate(cells) if c["images"])
                student.screenshot("1-figures-after-running-every-cell.png", cell=first_figure)
                lap("run every cell")

                # Answer one exercise, run the answer and its test cell.
                type_answer(student, answer, line)
                assert student.cells()[answer]["source"] == answered, "the typed answer reads differently"
                student.run(lambda: page.keyboard.press("Control+Enter"), answer)
                student.select(test)
                student.run(lambda: page.keyboard.press("Control+Enter"), test)
                after = student.cells()
                assert not after[answer]["errors"], after[answer]["errors"]
                assert not after[test]["errors"], f"the test cell still fails:\n{after[test]['errors']}"
                assert "Visible tests passed." in after[test]["stdout"], after[test]
                lap("answer and test")

                # Validate: the answered exercise passes, every other one fails for its stub.
                validate(student, release, test)
                lap("validate")

                # Save, and find the answer and its passing test on disk.
                student.select(answer)
                save(student, mine)
                on_disk = json.loads(mine.read_text())
                assert source(on_disk["cells"][answer]) == answered
                assert on_disk["cells"][answer]["id"] == release["cells"][answer]["id"]
                test_output = "".join("".join(o.get("text", "")) for o in on_disk["cells"][test]["outputs"])
                assert "Visible tests passed." in test_output
                saved = mine.read_bytes()
                lap("save")

                # Close JupyterLab, run make lab again: the answer is still there, on disk and on the page.
                server.stop()
                output = server.start()
                assert mine.read_bytes() == saved, f"make lab changed the student's notebook:\n{output}"
                assert not list(mine.parent.glob("*.updated.ipynb")), output
                student.open(server.notebook_url(NOTEBOOK), len(release["cells"]))
                # From the exercise's instruction (the cell above the answer) down to the test's output.
                path = student.screenshot("3-answer-after-restarting-jupyterlab.png", cell=max(answer - 1, 0))
                reopened = student.cells()
                assert reopened[answer]["source"] == answered
                assert "Visible tests passed." in reopened[test]["stdout"]
                lap("restart")
            except BaseException:
                failure = shots / "failure.png"
                try:
                    page.screenshot(path=failure)
                except Exception:  # noqa: BLE001 (the page itself may be what failed)
                    pass
                with capsys.disabled():
                    print(f"\nbrowser test failed; page at the failure: {failure}; server log: {server.log_path}")
                raise
            finally:
                browser.close()
    finally:
        server.kill_leftovers()

    with capsys.disabled():
        steps = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in times.items())
        print(f"\nbrowser test: {figures} figures; {steps}; total {sum(times.values()):.0f} s")
        print(f"screenshots of the student's notebook in {shots} (last: {path.name})")


# --- Where the browser is missing -------------------------------------------------------------------


@pytest.fixture
def no_chromium(monkeypatch):
    """A machine where ``shutil.which`` finds no chromium (and, unless changed, apt-get and root are there)."""
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/apt-get" if name == "apt-get" else None)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.delenv("CI", raising=False)
    return monkeypatch


@pytest.mark.parametrize("machine, reason", [
    ({"platform": "darwin"}, "on Linux only"),
    ({"geteuid": 1000}, "only when run as root"),
    ({"apt-get": False}, "no apt-get here"),
    ({}, "could not install it; its output says why"),
])
def test_a_missing_chromium_skips_the_browser_test_and_says_why(no_chromium, machine, reason):
    if "platform" in machine:
        no_chromium.setattr(sys, "platform", machine["platform"])
    if "geteuid" in machine:
        no_chromium.setattr(os, "geteuid", lambda: machine["geteuid"])
    if machine.get("apt-get") is False:
        no_chromium.setattr(shutil, "which", lambda name: None)
    with pytest.raises(pytest.skip.Exception, match=f"Chromium is not installed: .*{re.escape(reason)}"):
        find_chromium()


def test_a_missing_chromium_fails_under_ci(no_chromium):
    no_chromium.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the browser test, but Chromium is not installed"):
        find_chromium()


def test_make_test_installs_chromium_and_playwright():
    assert re.search(r"command -v chromium\b.*missing=\"\$missing chromium\"",
                     (ROOT / "tests" / "system-packages.sh").read_text())
    dev = (ROOT / "requirements-dev.txt").read_text()
    assert re.search(r"^playwright==", dev, re.M) and re.search(r"^greenlet==", dev, re.M)
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: setup-dev\n\t@sh tests/system-packages.sh\n", makefile, re.M)
