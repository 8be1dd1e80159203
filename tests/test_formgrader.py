"""Manual review in formgrader, in a real browser: a cell whose tests could not run is listed as needing a grade.

A small class of chapter 01 is graded with a short time per cell: ada's work
is the model answer, bo's ``crop`` never returns, so the test cell calling it
is stopped at the time limit and marked for manual grading
(``grading/contained.py``). The test then starts JupyterLab in the course
folder, as the instructor guide says (``jupyter lab`` from the course root;
as root with ``--allow-root``), opens formgrader's *Manual Grading* page of
the chapter's notebook in headless Chromium (Playwright, as
tests/test_browser.py), and reads the *Needs Manual Grade?* column: ticked for
bo, not for ada. The page's own data (formgrader's HTTP API,
``/formgrader/api/submitted_notebooks/<chapter>/<chapter>``) is checked too.

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
from lab_server import free_port

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


def test_formgrader_lists_the_submission_whose_tests_could_not_run_as_needing_a_manual_grade(graded, tmp_path):
    # The list formgrader's "Manage Submissions" page is built from: its own HTTP API, on a running server.
    server = Formgrader(graded, tmp_path)
    try:
        listed = json.loads(server.get(f"/formgrader/api/submitted_notebooks/{CHAPTER}/{CHAPTER}"))
    finally:
        server.stop()
    assert {s["student"]: s["needs_manual_grade"] for s in listed} == {"ada": False, "bo": True}, listed


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
