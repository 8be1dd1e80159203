"""The course directory: where it is, its chapters, nbgrader's API on it."""

import os
import sys
from pathlib import Path

from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config.loader import PyFileConfigLoader

CONFIG_FILE = "nbgrader_config.py"


def course_root(start=None):
    """The folder holding ``nbgrader_config.py``, searched upward from ``start`` (default: cwd)."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file() and (folder / "solutions").is_dir():
            return folder
    raise FileNotFoundError(
        f"No course directory (a folder with {CONFIG_FILE} and solutions/) at or above {here}."
    )


def chapters(root):
    """Names of the chapters, i.e. the folders of ``solutions/`` holding ``<name>.ipynb``, sorted."""
    source = Path(root) / "solutions"
    return sorted(p.name for p in source.iterdir() if (p / f"{p.name}.ipynb").is_file())


def check_chapters(root, names):
    """Return ``names`` (all chapters when empty), refusing unknown ones."""
    known = chapters(root)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown chapter(s) {', '.join(unknown)}; the chapters are: {', '.join(known)}.")
    return list(names) or known


def load_config(root):
    """nbgrader's configuration from ``root/nbgrader_config.py``."""
    return PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()


def nbgrader_api(root, *, release_directory=None, submitted_directory=None):
    """An ``NbGraderAPI`` on the course directory ``root`` with its own configuration.

    ``release_directory`` sends a generated release elsewhere than ``notebooks/``;
    ``submitted_directory`` reads submissions from another folder than ``submitted/``
    (the grader's snapshots of them).
    """
    # nbgrader runs the `alembic` script of this environment when it makes a gradebook.
    bin_dir = os.path.dirname(sys.executable)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    config = load_config(root)
    config.CourseDirectory.root = str(root)
    if release_directory is not None:
        config.CourseDirectory.release_directory = str(release_directory)
    if submitted_directory is not None:
        config.CourseDirectory.submitted_directory = str(submitted_directory)
    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir=coursedir, config=config)


def generate_release(root, names=()):
    """Regenerate ``notebooks/<chapter>/`` from ``solutions/<chapter>/`` for the given chapters."""
    api = nbgrader_api(root)
    for name in check_chapters(root, names):
        result = api.generate_assignment(name, force=True)
        if not result["success"]:
            raise RuntimeError(f"nbgrader could not generate the release of {name}:\n{result.get('error') or result.get('log')}")
