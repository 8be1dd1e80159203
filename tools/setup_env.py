"""Make the course's virtual environment, or check that it is up to date.

    python3 tools/setup_env.py [--python PYTHON] [--venv .venv]

`make setup` runs this, and so every make target that needs the environment.
It uses the standard library only and keeps to syntax any Python can read, so
that an interpreter too old for the course gets a clear message, given before
any environment is made.

The environment is up to date when its stamp file (.venv/.installed, written
last) records the interpreter it was made with and the hash of pyproject.toml
and constraints.txt as they are now. Otherwise it is made again from scratch:
after a set-up that did not finish, after a change of the pins, and when
--python (make's PYTHON=) names another interpreter. Without --python, the
interpreter recorded in the stamp is used again if it still runs, else the
one running this script. The supported versions are read from pyproject.toml:
requires-python is the lowest, the "Programming Language :: Python :: 3.N"
classifiers name the versions the course is tested with.
"""

from __future__ import print_function

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STAMP = ".installed"
PIN_FILES = ("pyproject.toml", "constraints.txt")
PROBE = "import sys; print(sys.executable); print('.'.join(str(n) for n in sys.version_info[:3]))"


def say(*lines):
    for line in lines:
        print("make setup: " + line if line else "", file=sys.stderr)
    sys.stderr.flush()


def supported_versions(pyproject_text):
    """``((major, minor) lowest, [(major, minor), ...] tested)`` from pyproject.toml's text."""
    match = re.search(r'^requires-python\s*=\s*">=\s*(\d+)\.(\d+)', pyproject_text, re.M)
    if not match:
        raise ValueError('pyproject.toml has no requires-python = ">=3.N"')
    tested = re.findall(r'"Programming Language :: Python :: (\d+)\.(\d+)"', pyproject_text)
    return (int(match.group(1)), int(match.group(2))), sorted((int(a), int(b)) for a, b in tested)


def version_tuple(text):
    return tuple(int(n) for n in text.split("."))


def pins_hash(root):
    """SHA-256 of the files that decide what is installed."""
    digest = hashlib.sha256()
    for name in PIN_FILES:
        with open(os.path.join(root, name), "rb") as handle:
            digest.update(name.encode("ascii") + b"\0" + handle.read() + b"\0")
    return digest.hexdigest()


def probe(command):
    """``(executable, "3.11.2")`` of an interpreter, or None when it does not run."""
    try:
        output = subprocess.check_output([command, "-c", PROBE], stderr=subprocess.STDOUT)
    except (OSError, subprocess.CalledProcessError):
        return None
    lines = output.decode("utf-8", "replace").strip().splitlines()
    if len(lines) < 2 or not re.match(r"^\d+\.\d+\.\d+$", lines[-1].strip()):
        return None
    return lines[-2].strip(), lines[-1].strip()


def read_stamp(venv):
    """The stamp's record, {} for a stamp of an older set-up, None when there is none."""
    path = os.path.join(venv, STAMP)
    if not os.path.isfile(path):
        return None
    try:
        with open(path) as handle:
            record = json.load(handle)
    except (IOError, OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def same_file(a, b):
    return os.path.realpath(a) == os.path.realpath(b)


def venv_python(venv):
    return os.path.join(venv, "bin", "python")


def rebuild_reason(venv, stamp, wanted):
    """Why the environment must be made again, or None when it is up to date."""
    if not os.path.isdir(venv):
        return "there is none yet"
    if stamp is None:
        return "the last set-up did not finish"
    if not stamp:
        return "it was made by an older version of this set-up"
    if not os.path.exists(venv_python(venv)):
        return "its python no longer runs"
    if not same_file(stamp.get("python", ""), wanted["python"]):
        return "it was made with another Python ({0}, {1})".format(stamp.get("python"), stamp.get("version"))
    if stamp.get("version") != wanted["version"]:
        return "its Python changed from {0} to {1}".format(stamp.get("version"), wanted["version"])
    if stamp.get("pins") != wanted["pins"]:
        return "pyproject.toml or constraints.txt changed"
    return None


def choose_python(given, stamp):
    """The interpreter command to use: the one given, the stamp's if it still runs, or this one."""
    if given:
        return given
    if stamp and stamp.get("python") and probe(stamp["python"]) is not None:
        return stamp["python"]
    return sys.executable


def check_version(version, name, lowest, tested):
    """An error text when ``version`` is below ``lowest``, a note when above the tested ones, or None."""
    have = version_tuple(version)[:2]
    span = "{0}.{1} to {2}.{3}".format(*(tested[0] + tested[-1])) if tested else "{0}.{1} or newer".format(*lowest)
    if have < lowest:
        return "error", [
            "the course needs Python {0}.{1} or newer; {2} is Python {3}.".format(lowest[0], lowest[1], name, version),
            "Install a newer Python (the course is tested with {0}) and name it when you run make, e.g.".format(span),
            "    make lab PYTHON=python{0}.{1}".format(*(tested[-1] if tested else lowest)),
            "Nothing was installed.",
        ]
    if tested and have > tested[-1]:
        return "note", [
            "note: Python {0} is newer than the versions the course is tested with ({1}).".format(version, span),
            "If the set-up fails, use one of those, e.g. make lab PYTHON=python{0}.{1}".format(*tested[-1]),
        ]
    return None, []


def looks_like_a_venv(venv):
    return os.path.isfile(os.path.join(venv, "pyvenv.cfg")) or not os.listdir(venv)


def build(venv, python, wanted, root):
    """Make ``venv`` from scratch with ``python``, install the pins, write the stamp last."""
    if os.path.isdir(venv):
        shutil.rmtree(venv)
    if subprocess.call([python, "-m", "venv", venv]) != 0:
        say("could not create {0} with {1} (see above).".format(venv, python))
        return 1
    install = [venv_python(venv), "-m", "pip", "install", "--disable-pip-version-check",
               "-c", "constraints.txt", "-e", ".[course]"]
    if subprocess.call(install, cwd=root) != 0:
        say("", "installing the course's packages failed: pip says why above.",
            "The environment is unfinished; the next make makes it again from scratch.")
        return 1
    temporary = os.path.join(venv, STAMP + ".tmp")
    with open(temporary, "w") as handle:
        json.dump(wanted, handle, indent=1, sort_keys=True)
        handle.write("\n")
    os.rename(temporary, os.path.join(venv, STAMP))
    return 0


def main(argv):
    parser = argparse.ArgumentParser(description="Make the course's virtual environment if it is not up to date.")
    parser.add_argument("--python", default="", help="interpreter to make it with (make's PYTHON=)")
    parser.add_argument("--venv", default=".venv", help="where (default: .venv)")
    parser.add_argument("--root", default=ROOT, help="the course folder (default: this script's parent)")
    args = parser.parse_args(argv)
    root = os.path.abspath(args.root)
    venv = os.path.abspath(os.path.join(root, args.venv))
    with open(os.path.join(root, "pyproject.toml")) as handle:
        lowest, tested = supported_versions(handle.read())

    stamp = read_stamp(venv)
    command = choose_python(args.python, stamp)
    found = probe(command)
    if found is None:
        say("cannot run PYTHON={0}: no such command, or it is not a Python.".format(command),
            "Name an installed Python {0}.{1} or newer, e.g. make lab PYTHON=python3.12".format(*lowest))
        return 2
    executable, version = found
    name = executable
    if args.python:
        name = "PYTHON={0}".format(args.python) + ("" if args.python == executable else " ({0})".format(executable))
    kind, lines = check_version(version, name, lowest, tested)
    if kind == "error":
        say(*lines)
        return 2

    wanted = {"python": executable, "version": version, "pins": pins_hash(root)}
    reason = rebuild_reason(venv, stamp, wanted)
    if reason is None:
        return 0
    if os.path.abspath(executable).startswith(venv + os.sep):
        say("{0} is inside the environment it would make again ({1}).".format(executable, reason),
            "Name the Python to make it with, e.g. make lab PYTHON=python{0}.{1}".format(*lowest))
        return 2
    if os.path.isdir(venv) and not looks_like_a_venv(venv):
        say("{0} is not a virtual environment (no pyvenv.cfg); it is left alone.".format(venv),
            "Move it away, or name another folder with VENV=.")
        return 2
    say(*lines)
    say("making {0} with Python {1} ({2}): {3}.".format(os.path.relpath(venv), version, executable, reason))
    start = time.time()
    status = build(venv, executable, wanted, root)
    if status == 0:
        say("{0} is ready ({1:.0f} s).".format(os.path.relpath(venv), time.time() - start))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
