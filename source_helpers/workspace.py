"""The student's own working folder: a copy of the release that course updates never overwrite.

Students answer in ``my-work/``, not in ``notebooks/``: ``notebooks/`` is the
release that git tracks and ``make release`` regenerates, so answers kept
there would be reset by a release and would conflict with a ``git pull``.
``make lab`` calls ``python -m source_helpers.workspace`` before it opens
JupyterLab on ``my-work/``; the call copies the release into the folder
with these rules:

- A file of the release that is not in the folder is copied in: everything
  on first use, a new chapter later, a notebook the student deleted to start
  a chapter over.
- A file the student has changed is never overwritten or deleted. When the
  release of it changes, the new version is put beside it, as
  ``<name>.updated.ipynb``, and a notice says so.
- A file the student never changed (byte for byte the copy they were given)
  is replaced by its new version. The old copy is kept in ``.replaced/``, so
  that even a copy made from a release folder that held answers is not lost.
- Files that are not in the release (the student's own) are never touched.

What each student was given is recorded in ``.release.json`` in the folder:
the SHA-256 of the release version each file was copied from, and of the
update last offered beside it. ``README.md`` in the folder tells the student
what happened and how to move their answers to an update.

To start JupyterLab the way ``make lab`` does (a browser test, say): call
``sync_workspace(root / "notebooks", work)``, then run
``jupyter lab --ServerApp.root_dir=<work>`` from the course folder ``root``
(nbgrader's Validate button reads ``nbgrader_config.py`` from there).
"""

import argparse
import dataclasses
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from ._validation import check_folder

__all__ = ["MANIFEST", "REPLACED", "SyncReport", "sync_workspace", "format_report", "main"]

#: File in the working folder recording what was copied from which release.
MANIFEST = ".release.json"
#: Folder in the working folder keeping the untouched copies replaced by an update.
REPLACED = ".replaced"
README = "README.md"
_FORMAT = 1


@dataclasses.dataclass(frozen=True)
class SyncReport:
    """What ``sync_workspace`` did. Paths are relative to the working folder, with ``/``.

    Attributes
    ----------
    work_dir : Path
        The working folder.
    created : bool
        The folder was made by this call (the student's first ``make lab``).
    copied : tuple of str
        Files of the release copied in because they were missing.
    replaced : tuple of str
        Files the student never changed, replaced by their new version
        (the old copy is in ``.replaced/``).
    offered : tuple of (str, str)
        ``(student's file, update beside it)`` for each update offered by this call.
    waiting : tuple of (str, str)
        Updates offered by an earlier call that are still beside the student's file.
    notes : tuple of str
        Anything else the student should know (a manifest or README that could not be used).
    """

    work_dir: Path
    created: bool = False
    copied: tuple = ()
    replaced: tuple = ()
    offered: tuple = ()
    waiting: tuple = ()
    notes: tuple = ()


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _release_files(release_dir):
    """``(relative path, path)`` of every file in the chapter folders, hidden ones left out."""
    files = []
    for chapter in sorted(p for p in release_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for path in sorted(chapter.rglob("*")):
            rel = path.relative_to(release_dir)
            if path.is_file() and not any(part.startswith(".") for part in rel.parts):
                files.append((rel.as_posix(), path))
    return files


def _looks_released(path):
    """False for a notebook with outputs or execution counts: a release never has them, answers do."""
    if path.suffix != ".ipynb":
        return True
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return False
    return not any(
        cell.get("outputs") or cell.get("execution_count") is not None
        for cell in cells
        if isinstance(cell, dict) and cell.get("cell_type") == "code"
    )


def _read_manifest(work_dir):
    path = work_dir / MANIFEST
    if not path.exists():
        return {"files": {}}, None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
            raise ValueError("no 'files' table")
    except (OSError, ValueError) as error:
        note = (f"{MANIFEST} could not be read ({error}); a new one is started. Your files are kept; "
                "a release file that differs from yours is offered beside it.")
        return {"files": {}}, note
    return manifest, None


def _write_atomically(path, data):
    """Write ``data`` (bytes) to ``path`` through a temporary file, so no half file is ever left."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _copy(source, dest):
    dest.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(dest, Path(source).read_bytes())


def _keep_replaced(work_dir, rel, path):
    """Move ``path`` into ``.replaced/``, named by its hash, before it is replaced."""
    digest = _sha256(path)
    rel = Path(rel)
    target = work_dir / REPLACED / rel.parent / f"{rel.stem}.{digest[:12]}{rel.suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and _sha256(target) == digest:
        path.unlink()
    else:
        os.replace(path, target)


def _update_name(rel, number):
    rel = Path(rel)
    tag = "updated" if number == 1 else f"updated-{number}"
    return (rel.parent / f"{rel.stem}.{tag}{rel.suffix}").as_posix()


def _offer(work_dir, rel, source, digest, entry):
    """Put the new release of ``rel`` beside the student's file; return where it went.

    An earlier update beside it that the student never changed is replaced
    (and kept in ``.replaced/``); any other file is left alone and the next
    free name is used.
    """
    number = 1
    while True:
        name = _update_name(rel, number)
        path = work_dir / name
        if not path.exists():
            break
        have = _sha256(path)
        if have == digest:
            return name
        if have == entry.get("offered"):
            _keep_replaced(work_dir, name, path)
            break
        number += 1
    _copy(source, path)
    return name


def sync_workspace(release_dir, work_dir):
    """Bring the course release into a student's working folder without touching their work.

    Parameters
    ----------
    release_dir : str or Path
        The release, ``notebooks/``: one folder per chapter. Every file of each
        chapter folder is synced; hidden files and files at the top are not.
    work_dir : str or Path
        The student's folder, ``my-work/``. Made when missing.

    Returns
    -------
    report : SyncReport
        What was copied, replaced and offered; ``format_report`` words it.

    Raises
    ------
    TypeError
        If a folder is not given as a path.
    ValueError
        If ``release_dir`` is not an existing folder, ``work_dir`` is a file,
        or one folder lies inside the other.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> tmp = tempfile.TemporaryDirectory()
    >>> release, work = Path(tmp.name, "notebooks"), Path(tmp.name, "my-work")
    >>> (release / "01-intro").mkdir(parents=True)
    >>> _ = (release / "01-intro" / "01-intro.ipynb").write_text("version 1")
    >>> sync_workspace(release, work).copied
    ('01-intro/01-intro.ipynb',)

    The student answers; then the course changes the notebook.

    >>> _ = (work / "01-intro" / "01-intro.ipynb").write_text("version 1 + my answers")
    >>> _ = (release / "01-intro" / "01-intro.ipynb").write_text("version 2")
    >>> sync_workspace(release, work).offered
    (('01-intro/01-intro.ipynb', '01-intro/01-intro.updated.ipynb'),)
    >>> (work / "01-intro" / "01-intro.ipynb").read_text()
    'version 1 + my answers'
    >>> tmp.cleanup()
    """
    release_dir = check_folder(release_dir, "release_dir")
    work_dir = check_folder(work_dir, "work_dir", must_exist=False)
    release_abs, work_abs = release_dir.resolve(), work_dir.resolve()
    if release_abs == work_abs or release_abs in work_abs.parents or work_abs in release_abs.parents:
        raise ValueError(
            f"`work_dir` ({str(work_dir)!r}) and `release_dir` ({str(release_dir)!r}) must be separate "
            "folders, neither inside the other: the student's work must not live in the release."
        )
    created = not work_dir.exists()
    work_dir.mkdir(parents=True, exist_ok=True)
    manifest, note = _read_manifest(work_dir)
    notes = [note] if note else []
    files = manifest["files"]
    copied, replaced, offered, waiting, answered = [], [], [], [], []

    for rel, source in _release_files(release_dir):
        new = _sha256(source)
        entry = files.get(rel) if isinstance(files.get(rel), dict) else {}
        dest = work_dir / rel
        if dest.is_dir():
            notes.append(f"{rel} is a folder in {work_dir}, so the release file of that name was not copied.")
            continue
        if not dest.exists():
            _copy(source, dest)
            if _looks_released(source):
                files[rel] = {"release": new}
            else:
                # Answers in the release folder (worked there before my-work existed): the copy
                # counts as the student's own, never as an untouched one to replace.
                files[rel] = {"release": None}
                answered.append(rel)
            copied.append(rel)
            continue
        have = _sha256(dest)
        if have == new:
            # Up to date, or the student moved to this version themselves.
            files[rel] = {"release": new}
        elif entry.get("release") == new:
            pass  # the student's changed copy of the current release
        elif entry and have == entry.get("release"):
            _keep_replaced(work_dir, rel, dest)
            _copy(source, dest)
            files[rel] = {"release": new}
            replaced.append(rel)
        elif entry.get("offered") == new and entry.get("offered_as"):
            if (work_dir / entry["offered_as"]).exists():
                waiting.append((rel, entry["offered_as"]))
        else:
            # Changed by the student (or not ours: no record), and the release moved on.
            name = _offer(work_dir, rel, source, new, entry)
            files[rel] = {**entry, "release": entry.get("release"), "offered": new, "offered_as": name}
            offered.append((rel, name))

    if answered:
        notes.append(
            f"{', '.join(answered)} already held run cells in {release_dir} (answers from before {work_dir} "
            f"existed?). Your copies in {work_dir} keep them; from now on work there. Once you have checked "
            f"them, `git checkout -- {release_dir}` restores the course's version of {release_dir}."
        )
    readme_note = _write_readme(work_dir, manifest, pending=offered + waiting)
    if readme_note:
        notes.append(readme_note)
    manifest["format"] = _FORMAT
    _write_atomically(work_dir / MANIFEST, (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())
    return SyncReport(
        work_dir=work_dir,
        created=created,
        copied=tuple(copied),
        replaced=tuple(replaced),
        offered=tuple(offered),
        waiting=tuple(waiting),
        notes=tuple(notes),
    )


_README_TEXT = """\
# my-work: your copy of the course

This folder is yours: `make lab` copied the course's notebooks here and opens JupyterLab on it. Work
and save here. git does not track it, and `make release`, `git pull` and `make clean` never change
or delete anything in it.

## When the course is updated

Every `make lab` compares the course's notebooks (`notebooks/`) with what you were given
(recorded in `.release.json`):

- A new chapter is copied in.
- A notebook you have never changed is replaced by its new version; the old copy is kept in
  `.replaced/`.
- A notebook you have changed stays exactly as it is. The new version is put beside it, with
  `.updated` in its name, e.g. `01-image-arrays/01-image-arrays.updated.ipynb`.

To move your answers to an update: open both notebooks, copy each of your answer cells into the
same place in the `.updated` notebook, and run its test cells. Then rename your old notebook (or
delete it) and rename the `.updated` one to the chapter's name, so that you hand in the new version.
If you prefer to keep working in your copy, just delete the `.updated` file.

To start a chapter over, rename or delete your notebook and run `make lab` again: a fresh copy
comes in.
"""


def _readme_text(pending):
    text = _README_TEXT
    if pending:
        lines = "\n".join(f"- `{update}`: new version of your `{rel}`" for rel, update in pending)
        text += f"\n## Updates waiting for you\n\n{lines}\n"
    return text


def _write_readme(work_dir, manifest, pending):
    """(Re)write README.md unless the student changed it since it was last written."""
    path = work_dir / README
    if path.exists() and _sha256(path) != manifest.get("readme"):
        return f"{README} in {work_dir} was changed by you, so it is not updated."
    data = _readme_text(pending).encode()
    if not path.exists() or path.read_bytes() != data:
        _write_atomically(path, data)
    manifest["readme"] = hashlib.sha256(data).hexdigest()
    return None


def format_report(report):
    """The report of ``sync_workspace`` as the text ``make lab`` prints.

    Examples
    --------
    >>> print(format_report(SyncReport(work_dir=Path("my-work"))))
    my-work/ is up to date with the course.
    """
    work = report.work_dir.as_posix().rstrip("/")
    lines = []
    if report.created:
        chapters = sorted({rel.split("/")[0] for rel in report.copied})
        lines.append(
            f"Copied the course into {work}/ ({len(chapters)} chapters). This folder is yours: work and save "
            f"there. make release, git pull and make clean never change it; {work}/{README} says how "
            "course updates reach you."
        )
    elif report.copied:
        lines.append(f"Copied into {work}/ from the course (new, or missing in your folder):")
        lines += [f"  {rel}" for rel in report.copied]
    if report.replaced:
        lines.append(f"Updated to the course's new version (you had not changed them; the old copies are in {work}/{REPLACED}/):")
        lines += [f"  {rel}" for rel in report.replaced]
    if report.offered:
        lines.append("")
        lines.append("*** Course update: new versions of notebooks you have worked on ***")
        lines += [f"  {work}/{rel}: yours is unchanged; the new version is beside it as {Path(update).name}"
                  for rel, update in report.offered]
        lines.append(f"  To move your answers over, read {work}/{README}.")
        lines.append("")
    if report.waiting:
        lines.append("Updates still waiting beside your notebooks:")
        lines += [f"  {work}/{update}" for _, update in report.waiting]
    lines += [f"Note: {note}" for note in report.notes]
    if not lines:
        lines.append(f"{work}/ is up to date with the course.")
    return "\n".join(lines)


def main(argv=None):
    """``python -m source_helpers.workspace [--release notebooks] [--work my-work]``; prints the report."""
    parser = argparse.ArgumentParser(
        prog="python -m source_helpers.workspace",
        description="Copy the course release into the student's working folder; never overwrite their work.",
    )
    parser.add_argument("--release", default="notebooks", help="the release folder (default: notebooks)")
    parser.add_argument("--work", default="my-work", help="the student's folder (default: my-work)")
    args = parser.parse_args(argv)
    try:
        report = sync_workspace(args.release, args.work)
    except (TypeError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(format_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
