"""The environment: pins agree everywhere, are installed, the Lab extension works, CI runs the README command.

Two sets of pins: the course's in pyproject.toml (mirrored in environment.yml),
and the development packages' in requirements-dev.txt (tests and benchmarks
only). constraints.txt holds both at the same versions.
"""

import importlib.util
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from source_helpers.environment import INSTRUCTOR_EXTRAS, check_environment, pinned_versions

from conftest import ROOT


def _name(text):
    return text.strip().lower().replace("_", "-")


def pyproject_pins(*, extras=None):
    """The course's pins (``extras=None``: the dependencies and every extra but the instructors')."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    optional = project["optional-dependencies"]
    if extras is None:
        requirements = project["dependencies"] + [r for name, extra in optional.items()
                                                  if name not in INSTRUCTOR_EXTRAS for r in extra]
    else:
        requirements = [r for name in extras for r in optional[name]]
    pins = {}
    for requirement in requirements:
        name, _, version = requirement.partition("==")
        assert version, f"pyproject.toml requirement {requirement!r} is not pinned with =="
        pins[_name(name)] = version.strip()
    return pins


def environment_yml_pins():
    pins = {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        match = re.match(r"^\s+-\s+([A-Za-z0-9_.\-]+)\s*==?\s*([^\s=]+)\s*$", line)
        if match and _name(match.group(1)) != "python":
            pins[_name(match.group(1))] = match.group(2)
    return pins


def constraint_pins():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[_name(name)] = version.strip()
    return pins


DEV_REQUIREMENTS = ("requirements-dev.txt", "requirements-dev-no-deps.txt")


def dev_requirement_pins():
    pins = {}
    for file in DEV_REQUIREMENTS:
        for line in (ROOT / file).read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                name, _, version = line.partition("==")
                assert version, f"{file} line {line!r} is not pinned with =="
                pins[_name(name)] = version.strip()
    return pins


def test_imagecodecs_stays_out_of_the_test_environment():
    # with it, tifffile compresses through imagecodecs and `make data` no longer writes the committed bytes
    assert importlib.util.find_spec("imagecodecs") is None, (
        "imagecodecs is installed: a development package pulled it in; install that package with --no-deps "
        "(requirements-dev-no-deps.txt) and remove imagecodecs")
    assert "imagecodecs" not in dev_requirement_pins() and "imagecodecs" not in constraint_pins()


def test_environment_yml_names_the_pyproject_pins():
    assert environment_yml_pins() == pyproject_pins()


def test_constraints_agree_with_the_pins():
    constraints = constraint_pins()
    disagree = {n: (v, constraints.get(n)) for n, v in pyproject_pins().items() if constraints.get(n) != v}
    assert not disagree, f"constraints.txt disagrees with pyproject.toml (pin, constraint): {disagree}"


def test_dev_requirements_agree_with_the_constraints():
    constraints = constraint_pins()
    dev = dev_requirement_pins()
    assert {"stardist", "csbdeep", "numba", "llvmlite"} <= set(dev)
    disagree = {n: (v, constraints.get(n)) for n, v in dev.items() if constraints.get(n) != v}
    assert not disagree, f"constraints.txt disagrees with requirements-dev.txt (pin, constraint): {disagree}"


def test_the_instructors_extras_agree_with_the_dev_requirements_and_stay_out_of_the_students_check():
    cluster = pyproject_pins(extras=INSTRUCTOR_EXTRAS)
    assert "distributed" in cluster
    dev, constraints = dev_requirement_pins(), constraint_pins()
    assert {n: dev.get(n) for n in cluster} == cluster, "the cluster extra and requirements-dev.txt disagree"
    assert {n: constraints.get(n) for n in cluster} == cluster
    assert not set(cluster) & {name for name, *_ in check_environment()}, "chapter 00 would ask students for it"


def test_dev_requirements_stay_out_of_the_course_pins():
    # The students' environment (and its check in chapter 00) must not ask for them.
    both = set(dev_requirement_pins()) & (set(pyproject_pins()) | set(environment_yml_pins()))
    assert not both, f"pinned both as a course package and as a development package: {sorted(both)}"


def test_dev_requirements_are_installed_at_their_versions():
    installed = {}
    for name in dev_requirement_pins():
        try:
            installed[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed[name] = None
    wrong = {n: (v, installed[n]) for n, v in dev_requirement_pins().items() if installed[n] != v}
    assert not wrong, f"(pinned, installed) of development packages; run make setup-dev: {wrong}"


def test_installed_metadata_carries_the_same_pins():
    # pinned_versions() reads the installed package; a stale editable install shows here.
    assert pinned_versions() == pyproject_pins()


def test_every_pinned_package_is_installed_at_its_version():
    wrong = [(name, pinned, installed) for name, pinned, installed, ok in check_environment() if not ok]
    assert not wrong, f"(package, pinned, installed): {wrong}"
    assert len(check_environment()) == len(pyproject_pins())


def test_environment_check_reports_a_missing_package(monkeypatch):
    real_version = metadata.version

    def fake_version(name):
        if name == "nbval":
            raise metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(metadata, "version", fake_version)
    rows = {name: (installed, ok) for name, _, installed, ok in check_environment()}
    assert rows["nbval"] == (None, False)
    assert rows["numpy"][1] is True


def test_nbgrader_lab_extension_is_installed_and_enabled():
    jupyter = str(Path(sys.executable).with_name("jupyter"))
    listing = subprocess.run([jupyter, "labextension", "list"], capture_output=True, text=True, check=True)
    text = re.sub(r"\x1b\[[0-9;]*m", "", listing.stdout + listing.stderr)
    line = next((l for l in text.splitlines() if "@jupyter/nbgrader" in l), None)
    assert line is not None, f"@jupyter/nbgrader is not installed:\n{text}"
    assert "enabled" in line and "OK" in line, f"@jupyter/nbgrader is not enabled and OK: {line.strip()}"
    assert metadata.version("nbgrader") in line


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"Run every test[^\n]*\n+```(?:bash|sh)?\n([^\n]+)\n```", readme)
    assert match, "README.md must show the test command in a code block after 'Run every test'"
    command = match.group(1).strip()
    steps = [l.strip() for l in (ROOT / ".ci" / "run").read_text().splitlines() if l.strip() and not l.startswith("#")]
    assert steps[-1] == command, f".ci/run must end with the README's test command {command!r}; it ends with {steps[-1]!r}"


@pytest.mark.parametrize("path", ["gradebook.db", "gradebook.db-wal", "gradebook.db-shm", "grading-status.csv", "backups/x",
                                  "submitted/x", "autograded/x", "feedback/x", ".venv/x"])
def test_grading_byproducts_are_ignored_by_git(path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.fail("the tests run in a git checkout with git installed")
    result = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT)
    assert result.returncode == 0, f"{path} is not ignored by .gitignore"
