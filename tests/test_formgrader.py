"""Manual review in formgrader, in a real browser: a cell whose tests could not run is listed as needing a grade.

A small class of chapter 01 is graded with a short time per cell: ada's work
is the model answer, bo's ``crop`` never returns, so the test cell calling it
is stopped at the time limit and marked for manual grading
(``grading/contained.py``). The test then starts JupyterLab in the course
folder, as the instructor guide says (``jupyter lab`` from the course root;
as root with ``--allow-root``), logs in at the address JupyterLab prints
(``/lab?token=...``), opens formgrader from JupyterLab's *Nbgrader* menu and,
in its tab, the *Manual Grading* page of the chapter's notebook, in headless
Chromium (Playwright and Debian's chromium, as
tests/test_browser.py; marked ``browser``), and reads the *Needs Manual
Grade?* column: ticked for bo, not for ada. The page's own data (formgrader's
HTTP API, ``/formgrader/api/submitted_notebooks/<chapter>/<chapter>``) is
checked too, on the same server.

A formgrader page opened first, with ``?token=`` in its address, stays at
"Loading, please wait...": nbgrader 0.9.6's handlers strip the trailing slash
of the server's base URL, so the login cookie set by that page has no Path and
the browser sends it only under the page's own folder
(``/formgrader/gradebook/<chapter>/``), not with the page's calls to
``/formgrader/api/...``, which are redirected to ``/login``. Logging in at
``/lab`` first sets the cookie for ``/``, as an instructor's browser has it.

It also checks the guide's word on root: as root, JupyterLab (hence
formgrader) refuses to start without ``--allow-root``, and ``make lab`` adds
it by itself.
"""

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from source_helpers.grading.batch import grade_class
from source_helpers.grading.course import nbgrader_api
from source_helpers.grading.trial import answer_with_solution, release_notebook, scratch_course, source_notebook
from lab_server import LAB_SETTINGS, free_port
from test_browser import CHROMIUM_FLAGS, STEP_TIMEOUT, VIEWPORT, chromium  # noqa: F401 (a fixture)

from conftest import ROOT

CHAPTER = "01-image-arrays"
BIN = Path(sys.executable).parent
LOOP = "def crop(image, top, left, height, width):\n    while True:\n        pass\n"


def with_answer(notebook, grade_id, text):
    notebook = nbformat.from_dict(notebook)
    for cell in notebook.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = text
    return notebook


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("formgrader") / "course"
    scratch_course(ROOT, CHAPTER, course)
    with open(course / "nbgrader_config.py", "a") as config:
        config.write("\nc.ContainedExecute.cell_timeout = 4\nc.ContainedExecute.notebook_timeout = 40\n")
    api = nbgrader_api(course)
    solved = answer_with_solution(release_notebook(api, CHAPTER), source_notebook(api, CHAPTER))
    for student, notebook in {"ada": solved, "bo": with_answer(solved, "crop", LOOP)}.items():
        folder = course / "submitted" / student / CHAPTER
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / f"{CHAPTER}.ipynb")
    outcomes = {o.student: o for o in grade_class(course, [CHAPTER], workers=1, progress=None)}
    assert outcomes["bo"].status == "flagged" and outcomes["ada"].status == "graded", outcomes
    return course


def jupyter_env(scratch):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    for variable, folder in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                             ("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTERLAB_SETTINGS_DIR", "lab-settings"),
                             ("JUPYTERLAB_WORKSPACES_DIR", "lab-workspaces"), ("IPYTHONDIR", "ipython")]:
        (scratch / folder).mkdir(parents=True, exist_ok=True)
        env[variable] = str(scratch / folder)
    return env


class Formgrader:
    """``jupyter lab`` started in the course folder, headless, on a free port with a token."""

    def __init__(self, course, scratch):
        # nbgrader compares the course root (the working folder, symbolic links resolved) with the server's root.
        course = Path(course).resolve()
        self.course, self.scratch = course, scratch
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.log = scratch / "lab.log"
        command = [str(BIN / "jupyter"), "lab", "--no-browser", f"--port={self.port}", "--ServerApp.ip=127.0.0.1",
                   "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
                   f"--ServerApp.root_dir={course}"]
        if os.geteuid() == 0:
            command.append("--allow-root")
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, cwd=course, env=jupyter_env(scratch), stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"JupyterLab stopped:\n{self.log.read_text()[-4000:]}"
            try:
                self.get("/api/status")
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.25)
        self.stop()
        raise AssertionError(f"JupyterLab did not answer within 180 s:\n{self.log.read_text()[-4000:]}")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def get(self, path):
        request = urllib.request.Request(self.url + path, headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()

    def stop(self):
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(60)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture(scope="module")
def formgrader(graded, tmp_path_factory):
    """One server for the module's formgrader tests: its API and its page read the same gradebook."""
    scratch = tmp_path_factory.mktemp("formgrader-server")
    for name, settings in LAB_SETTINGS.items():
        (scratch / "lab-settings" / name).parent.mkdir(parents=True, exist_ok=True)
        (scratch / "lab-settings" / name).write_text(json.dumps(settings))
    server = Formgrader(graded, scratch)
    yield server
    server.stop()


def test_formgrader_lists_the_submission_whose_tests_could_not_run_as_needing_a_manual_grade(formgrader):
    # The list formgrader's "Manual Grading" page is built from: its own HTTP API, on a running server.
    listed = json.loads(formgrader.get(f"/formgrader/api/submitted_notebooks/{CHAPTER}/{CHAPTER}"))
    assert {s["student"]: s["needs_manual_grade"] for s in listed} == {"ada": False, "bo": True}, listed


# Each row of formgrader's Manual Grading table of a notebook (#main-table is its <tbody>), as the page shows it.
MANUAL_GRADING_ROWS_JS = """() => [...document.querySelectorAll('#main-table > tr')].map(row => ({
  name: row.querySelector('td.name a.name-shown').innerText.trim(),
  needsManualGrade: row.querySelector('td.needs-manual-grade span.glyphicon-ok') !== null,
}))"""


@pytest.mark.browser
def test_formgrader_in_chromium_ticks_needs_manual_grade_for_the_interrupted_submission_only(formgrader, chromium,
                                                                                             tmp_path, capsys):
    from playwright.sync_api import sync_playwright

    problems = []
    shot = tmp_path / "formgrader-manual-grading.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(STEP_TIMEOUT)
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            # As the guide says: JupyterLab at the address it prints (/lab?token=..., which logs the browser
            # in), then formgrader from its menu, in a JupyterLab tab. A formgrader address opened first with
            # ?token= would stay at "Loading, please wait..." (see the module's docstring).
            page.goto(f"{formgrader.url}/lab?token={formgrader.token}")
            page.get_by_role("menuitem", name="Nbgrader", exact=True).click()
            page.locator(".lm-Menu li[data-command='nbgrader:open-formgrader']").click()
            tab = page.frame_locator("#formgrader iframe")
            tab.get_by_role("link", name="Manual Grading", exact=True).first.click()
            tab.locator("#main-table a", has_text=CHAPTER).first.click()
            tab.locator(f"#main-table a[href$='/formgrader/gradebook/{CHAPTER}/{CHAPTER}']").click()
            content = page.locator("#formgrader iframe").element_handle().content_frame()
            content.wait_for_function(
                "path => location.pathname.endsWith(path) && window.models !== undefined && window.models.loaded",
                arg=f"/formgrader/gradebook/{CHAPTER}/{CHAPTER}", timeout=STEP_TIMEOUT, polling=200)
            tab.get_by_role("button", name="Show All Names").click()
            tab.locator("#main-table td.name a.name-shown").first.wait_for(state="visible")
            header = tab.locator("table thead").first.inner_text()
            rows = content.evaluate(MANUAL_GRADING_ROWS_JS)
            page.screenshot(path=str(shot))
        finally:
            browser.close()
    with capsys.disabled():
        print(f"\nformgrader screenshot: {shot}")
    assert "Needs Manual Grade?" in header, header
    shown = {row["name"]: row["needsManualGrade"] for row in rows}
    assert shown == {"ada": False, "bo": True}, rows
    assert not problems, problems


def test_make_lab_adds_allow_root_exactly_when_jupyterlab_needs_it(tmp_path):
    as_root = os.geteuid() == 0
    if as_root:
        refused = subprocess.run([str(BIN / "jupyter"), "lab", "--no-browser", f"--port={free_port()}",
                                  "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={tmp_path}"],
                                 cwd=tmp_path, env=jupyter_env(tmp_path), capture_output=True, text=True, timeout=120)
        assert refused.returncode != 0 and "--allow-root" in refused.stdout + refused.stderr
    dry = subprocess.run(["make", "--no-print-directory", "-n", "lab", f"VENV={sys.prefix}"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    lab_line = [line for line in dry.stdout.splitlines() if "jupyter lab" in line]
    assert lab_line, dry.stdout
    assert lab_line[0].rstrip().endswith("--allow-root") == as_root, lab_line[0]
