"""make setup (tools/setup_env.py): the versions it promises, a set-up that did not finish, another PYTHON=.

The slow test makes a real environment with the lowest supported Python in a copy of the course.
On CI (CI=true) that interpreter must be there; elsewhere the test says why it is skipped.
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from conftest import ROOT
from course_copy import make_env, scratch_copy, setup_env

LOWEST, TESTED = setup_env.supported_versions((ROOT / "pyproject.toml").read_text())


def test_the_supported_versions_are_read_from_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert SpecifierSet(project["requires-python"]) == SpecifierSet(">={0}.{1}".format(*LOWEST))
    assert TESTED[0] == LOWEST and TESTED == sorted(TESTED)


def test_readme_and_environment_yml_claim_the_supported_versions():
    readme = (ROOT / "README.md").read_text()
    span = "Python {0}.{1} to {2}.{3}".format(*LOWEST, *TESTED[-1])
    assert span in readme, f"README.md must say {span!r}, as pyproject.toml does"
    assert re.search(r"^\s+-\s+python={0}\.{1}\s*$".format(*LOWEST), (ROOT / "environment.yml").read_text(), re.M)


def test_every_installed_pin_supports_the_lowest_python():
    # A pin whose Requires-Python excludes an early 3.11 (soupsieve 3.0.4 needs 3.11.5) breaks
    # `make setup` on Debian 12's 3.11.2 with an unhelpful ResolutionImpossible.
    lowest = "{0}.{1}.0".format(*LOWEST)
    constraints = [Requirement(line) for line in (ROOT / "constraints.txt").read_text().splitlines()
                   if line.strip() and not line.startswith("#")]
    excluded = {}
    for requirement in constraints:
        try:
            requires = metadata.metadata(requirement.name).get("Requires-Python")
        except metadata.PackageNotFoundError:
            continue
        if requires and not SpecifierSet(requires).contains(lowest):
            excluded[str(requirement)] = requires
    assert not excluded, f"these pins need a newer Python than {lowest}: {excluded}"


@pytest.mark.parametrize(
    "version, kind, text",
    [
        ("3.10.13", "error", r"needs Python 3\.11 or newer; python3 is Python 3\.10\.13"),
        ("2.7.18", "error", r"make lab PYTHON=python3\.13"),
        ("3.11.2", None, None),
        ("3.13.0", None, None),
        ("3.14.1", "note", r"Python 3\.14\.1 is newer than the versions the course is tested with \(3\.11 to 3\.13\)"),
    ],
)
def test_check_version(version, kind, text):
    found, lines = setup_env.check_version(version, "python3", (3, 11), [(3, 11), (3, 12), (3, 13)])
    assert found == kind
    if text:
        assert re.search(text, "\n".join(lines))


@pytest.fixture
def fake_venv(tmp_path):
    """A folder that looks like a finished environment: bin/python runs, the stamp is complete."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("")
    os.symlink(sys.executable, venv / "bin" / "python")
    wanted = {"python": "/usr/bin/python3.11", "version": "3.11.2", "pins": "abc"}
    (venv / setup_env.STAMP).write_text(json.dumps(wanted))
    return venv, wanted


@pytest.mark.parametrize(
    "change, reason",
    [
        (None, None),
        ("no venv", "there is none yet"),
        ("no stamp", "the last set-up did not finish"),
        ("old stamp", "made by an older version"),
        ("no python", "its python no longer runs"),
        ("other python", r"made with another Python \(/usr/bin/python3.11, 3.11.2\)"),
        ("other version", "its Python changed from 3.11.2 to 3.11.9"),
        ("other pins", "pyproject.toml or constraints.txt changed"),
    ],
)
def test_rebuild_reason(fake_venv, change, reason):
    venv, wanted = fake_venv
    wanted = dict(wanted)
    if change == "no venv":
        shutil.rmtree(venv)
    elif change == "no stamp":
        (venv / setup_env.STAMP).unlink()
    elif change == "old stamp":
        (venv / setup_env.STAMP).write_text("")
    elif change == "no python":
        (venv / "bin" / "python").unlink()
    elif change == "other python":
        wanted["python"] = sys.executable
    elif change == "other version":
        wanted["version"] = "3.11.9"
    elif change == "other pins":
        wanted["pins"] = "def"
    found = setup_env.rebuild_reason(str(venv), setup_env.read_stamp(str(venv)), wanted)
    if reason is None:
        assert found is None
    else:
        assert re.search(reason, found)


def test_choose_python_prefers_the_given_then_the_stamps_then_its_own():
    assert setup_env.choose_python("python3.12", {"python": sys.executable}) == "python3.12"
    assert setup_env.choose_python("", {"python": sys.executable}) == sys.executable
    assert setup_env.choose_python("", {"python": "/nowhere/python3"}) == sys.executable
    assert setup_env.choose_python("", None) == sys.executable


def run_setup(*args, cwd=ROOT):
    return subprocess.run([sys.executable, str(ROOT / "tools" / "setup_env.py"), *args],
                          cwd=cwd, capture_output=True, text=True)


def test_an_unsupported_python_is_refused_before_anything_is_made(tmp_path):
    old = tmp_path / "python3.9"
    old.write_text("#!/bin/sh\necho /opt/python3.9/bin/python3.9\necho 3.9.6\n")
    old.chmod(0o755)
    result = run_setup("--python", str(old), "--venv", str(tmp_path / "venv"))
    assert result.returncode == 2
    assert "the course needs Python 3.11 or newer" in result.stderr and "is Python 3.9.6" in result.stderr
    assert "make lab PYTHON=python3." in result.stderr and "Nothing was installed" in result.stderr
    assert not (tmp_path / "venv").exists()


def test_a_missing_python_is_named(tmp_path):
    result = run_setup("--python", "no-such-python3", "--venv", str(tmp_path / "venv"))
    assert result.returncode == 2 and "cannot run PYTHON=no-such-python3" in result.stderr
    assert not (tmp_path / "venv").exists()


def test_a_folder_that_is_not_a_venv_is_never_deleted(tmp_path):
    folder = tmp_path / "venv"
    folder.mkdir()
    (folder / "precious.txt").write_text("keep me")
    result = run_setup("--python", sys.executable, "--venv", str(folder))
    assert result.returncode == 2 and "is not a virtual environment" in result.stderr
    assert (folder / "precious.txt").read_text() == "keep me"


def test_an_environment_is_not_remade_with_its_own_python(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    result = run_setup("--python", str(venv / "bin" / "python"), "--venv", str(venv))
    assert result.returncode == 2 and "is inside the environment it would make again" in result.stderr
    assert (venv / "pyvenv.cfg").exists()


# --- A real set-up with the lowest supported Python, in a copy of the course --------------------


def lowest_python():
    """The lowest ``3.11.x`` interpreter found here: $COURSE_LOWEST_PYTHON, python3.11, pyenv's."""
    minor = "{0}.{1}".format(*LOWEST)
    candidates = [os.environ.get("COURSE_LOWEST_PYTHON", ""), shutil.which(f"python{minor}") or "",
                  f"/usr/bin/python{minor}", f"/usr/local/bin/python{minor}",
                  *glob.glob(os.path.expanduser(f"~/.pyenv/versions/{minor}.*/bin/python{minor}"))]
    found = {}
    for candidate in filter(None, candidates):
        probed = setup_env.probe(candidate)
        if probed and setup_env.version_tuple(probed[1])[:2] == LOWEST:
            found.setdefault(setup_env.version_tuple(probed[1]), probed[0])
    if not found:
        return None, candidates
    return found[min(found)], candidates


TINY_CHECK = """
import bs4, jupyterlab, matplotlib, nbgrader, numpy, scipy, skimage
import source_helpers as sh
wrong = [row for row in sh.check_environment() if not row[3]]
assert not wrong, wrong
assert sh.count_components(sh.three_disk_canvas().image) == 2
# soupsieve, the pin that once needed Python 3.11.5, through BeautifulSoup's CSS selectors:
assert len(bs4.BeautifulSoup('<p class="a">x</p><p>y</p>', "html.parser").select("p.a")) == 1
import sys; print("ok", sys.version.split()[0])
"""


def test_setup_with_the_lowest_python_recovers_from_a_failed_one(tmp_path):
    python, looked_at = lowest_python()
    if python is None:
        message = f"no Python {LOWEST[0]}.{LOWEST[1]} here (looked at {[c for c in looked_at if c]}); set COURSE_LOWEST_PYTHON"
        if os.environ.get("CI") == "true":
            pytest.fail("CI must test a set-up with the lowest supported Python: " + message)
        pytest.skip(message)
    course = scratch_copy(tmp_path / "course")
    env = make_env()

    def make(*args):
        return subprocess.run(["make", "--no-print-directory", "setup", *args], cwd=course,
                              capture_output=True, text=True, env=env)

    constraints = (course / "constraints.txt").read_text()
    numpy_pin = re.search(r"^numpy==.*$", constraints, re.M).group(0)

    # 1. A set-up that fails: pip's reason is shown, and no stamp says it finished.
    (course / "constraints.txt").write_text(constraints.replace(numpy_pin, "numpy==0.0.1"))
    failed = make(f"PYTHON={python}")
    assert failed.returncode != 0
    assert "numpy==0.0.1" in failed.stdout + failed.stderr, "pip's explanation is hidden"
    assert "pip says why above" in failed.stderr
    assert (course / ".venv").is_dir() and not (course / ".venv" / setup_env.STAMP).exists()
    (course / ".venv" / "left-over").write_text("from the failed set-up")

    # 2. The next make notices and starts from scratch.
    (course / "constraints.txt").write_text(constraints)
    done = make(f"PYTHON={python}")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "the last set-up did not finish" in done.stderr
    assert not (course / ".venv" / "left-over").exists()
    stamp = json.loads((course / ".venv" / setup_env.STAMP).read_text())
    assert setup_env.same_file(stamp["python"], python)
    assert stamp["version"] == setup_env.probe(python)[1]
    assert stamp["pins"] == setup_env.pins_hash(str(course))

    # 3. The stack imports and works.
    check = subprocess.run([str(course / ".venv" / "bin" / "python"), "-c", TINY_CHECK],
                           capture_output=True, text=True, cwd=course)
    assert check.returncode == 0 and check.stdout.startswith("ok 3.11"), check.stdout + check.stderr

    # 4. Without PYTHON=, the environment is kept as it is: nothing printed, nothing remade.
    (course / ".venv" / "marker").write_text("")
    again = make()
    assert again.returncode == 0 and again.stdout + again.stderr == ""
    assert (course / ".venv" / "marker").exists()

    # 5. Another PYTHON= remakes it (made to fail fast here by the bad pin).
    other = str(Path(sys.executable))
    (course / "constraints.txt").write_text(constraints.replace(numpy_pin, "numpy==0.0.1"))
    remade = make(f"PYTHON={other}")
    expected = ("pyproject.toml or constraints.txt changed" if setup_env.same_file(other, python)
                else "it was made with another Python")
    assert remade.returncode != 0 and expected in remade.stderr
    assert not (course / ".venv" / "marker").exists() and not (course / ".venv" / setup_env.STAMP).exists()
