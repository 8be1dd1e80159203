"""A copy of the course to run the project's own commands on (make setup, lab, release, clean)."""

import os
import shutil
import subprocess
import sys

from conftest import ROOT

# tools/setup_env.py, the script behind make setup, is not a package module.
sys.path.insert(0, str(ROOT / "tools"))
import setup_env  # noqa: E402

# Make passes its command-line variables (make test PYTHON=...) to the tests' environment; a make
# run by a test must not inherit them, nor the outer make's flags or this run's virtual environment.
MAKE_VARIABLES = {"PYTHON", "VENV", "BIN", "WORK", "CHAPTERS", "STUDENTS", "UNSAFE_NO_CONTAINMENT", "SCHEDULER", "LAB_FLAGS", "SETUP_RUNNER",
                  "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "VIRTUAL_ENV"}


def scratch_copy(destination):
    """Copy the files git tracks (and new ones it does not ignore) into ``destination``."""
    listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, listing):
        if (ROOT / rel).is_file():
            (destination / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, destination / rel)
    return destination


def make_env():
    """The environment for a ``make`` in a copy: as a student's shell, without this run's .venv on PATH."""
    env = {k: v for k, v in os.environ.items() if k not in MAKE_VARIABLES}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(sys.prefix))
    return env
