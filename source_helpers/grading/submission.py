"""What a student handed in, read without ever following a link.

A submission folder (``submitted/<student>/<chapter>/``) belongs to the
student, and anything in it may be hostile: a symbolic link to
``solutions/``, to the gradebook or to a classmate's folder, a notebook that
is itself a link to a classmate's, a named pipe that blocks whoever reads it.
nbgrader copies a submission's files with ``shutil.copy``, which follows
links, so the grader never lets nbgrader read the folder itself:

- ``inspect_submission`` looks at the folder with ``lstat`` only and says
  which notebook would be graded, what to flag, and what makes the
  submission ungradable;
- ``snapshot_submission`` copies the regular files (no links, no special
  files, within a size budget) into a folder of the grader's, with the
  chosen notebook under the expected name; nbgrader grades that copy.

Nothing here writes into the student's folder.
"""

import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

__all__ = ["Submission", "inspect_submission", "snapshot_submission", "SIZE_LIMIT_MB"]

SIZE_LIMIT_MB = 100          # files of one submission copied for grading, in MiB
_SKIPPED_FOLDERS = {".ipynb_checkpoints", "__pycache__"}


@dataclass
class Submission:
    """The result of ``inspect_submission``.

    ``notebook`` is the path (inside the folder) of the notebook to grade, or
    None; ``flags`` what a person should look at; ``problem`` why it cannot be
    graded, or None; ``files`` the regular files to copy, relative paths.
    """

    folder: Path
    chapter: str
    notebook: Path = None
    flags: list = field(default_factory=list)
    problem: str = None
    files: list = field(default_factory=list)


def _link_flag(path, relative):
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    return f"a symbolic link was left out, links are never followed: {relative} -> {target}"


def _walk(folder, submission):
    """Regular files below ``folder`` (relative paths), flagging links and special files; never follows links."""
    files = []
    for current, subfolders, names in os.walk(folder, followlinks=False):
        here = Path(current)
        kept = []
        for name in sorted(subfolders):
            path = here / name
            if path.is_symlink():
                submission.flags.append(_link_flag(path, path.relative_to(folder)))
            elif name not in _SKIPPED_FOLDERS:
                kept.append(name)
        subfolders[:] = kept
        for name in sorted(names):
            path = here / name
            mode = path.lstat().st_mode
            relative = path.relative_to(folder)
            if stat.S_ISLNK(mode):
                submission.flags.append(_link_flag(path, relative))
            elif not stat.S_ISREG(mode):
                submission.flags.append(f"{relative} is not a regular file (a pipe or device?) and was left out")
            else:
                files.append(relative)
    return files


def _notebook_problem(path):
    """Why nbgrader cannot read the notebook at ``path``, or None."""
    try:
        nbformat.read(str(path), as_version=4)
    except nbformat.reader.NotJSONError:
        return "the notebook is not valid JSON (NotJSONError): it was damaged, perhaps by editing it as text"
    except Exception as error:  # any reader or validation error names the cause
        return f"the notebook cannot be read ({type(error).__name__}: {str(error)[:200]})"
    return None


def inspect_submission(folder, chapter, *, read=True):
    """Look at a submission folder without following links; returns a ``Submission``.

    The expected notebook is ``<chapter>.ipynb``. A notebook saved under
    another name is taken instead (the newest of those whose cells carry the
    chapter's grade ids, or the only one) and flagged. A notebook that is a
    symbolic link is never read: the submission cannot be graded. With
    ``read=False`` the notebook is not opened (whether it is valid JSON is
    not checked).
    """
    folder = Path(folder)
    submission = Submission(folder, chapter)
    where = f"submitted/{folder.parent.name}/{chapter}/"
    if folder.is_symlink() or not folder.is_dir():
        submission.problem = (f"{where} is a symbolic link; links are never followed" if folder.is_symlink()
                              else f"{where} is not a folder")
        submission.flags.append(submission.problem)
        return submission
    expected = folder / f"{chapter}.ipynb"
    if expected.is_symlink():
        submission.problem = (f"the notebook {expected.name} is a symbolic link ({os.readlink(expected)}), "
                              "not a file of the student's own; it was not graded")
        submission.flags.append(submission.problem)
        return submission
    submission.files = _walk(folder, submission)
    notebooks = [p for p in submission.files if p.suffix == ".ipynb"]
    if Path(expected.name) in notebooks:
        submission.notebook = expected
    elif notebooks:
        candidates = sorted(notebooks, key=lambda p: (folder / p).lstat().st_mtime, reverse=True)
        chosen = next((p for p in candidates if _mentions_grade_ids(folder / p)), candidates[0])
        submission.notebook = folder / chosen
        others = f" (of {len(notebooks)} notebooks there)" if len(notebooks) > 1 else ""
        submission.flags.append(f"graded {chosen} as {expected.name}{others}")
    else:
        found = sorted(p.name for p in folder.iterdir())
        submission.problem = (f"no notebook found in {where}"
                              + (f" (it holds: {', '.join(found[:5])})" if found else " (the folder is empty)"))
        submission.flags.append(submission.problem)
        return submission
    problem = _notebook_problem(submission.notebook) if read else None
    if problem:
        submission.problem = problem
        submission.flags.append(problem)
    return submission


def _mentions_grade_ids(path):
    try:
        with open(path, errors="replace") as handle:
            return '"grade_id"' in handle.read(5 * 2**20)
    except OSError:
        return False


def snapshot_submission(submission, target, *, limit_mb=SIZE_LIMIT_MB):
    """Copy the submission's regular files into ``target`` (emptied first); the notebook as ``<chapter>.ipynb``.

    Files beyond ``limit_mb`` in all are left out and flagged. Returns ``target``.
    """
    target = Path(target)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    budget = limit_mb * 2**20
    expected = f"{submission.chapter}.ipynb"
    chosen = submission.notebook.relative_to(submission.folder) if submission.notebook else None
    for relative in submission.files:
        source = submission.folder / relative
        if relative.suffix == ".ipynb" and relative != chosen:
            continue
        destination = target / (expected if relative == chosen else relative)
        size = source.lstat().st_size
        if size > budget:
            submission.flags.append(f"{relative} was left out: the files of a submission may hold {limit_mb} MiB")
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        # O_NOFOLLOW: a file swapped for a link after it was looked at is not read either.
        descriptor = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as reader, open(destination, "wb") as writer:
            shutil.copyfileobj(reader, writer)
        shutil.copystat(source, destination, follow_symlinks=False)
        budget -= size
    return target
