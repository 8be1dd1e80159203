"""nbgrader preprocessors of the course: contained execution and a tidy submission.

``nbgrader_config.py`` puts them into nbgrader's autograde pipeline, so plain
``nbgrader autograde`` and ``make autograde`` grade the same way:

- ``NormalizeSubmission`` (first of the sanitizing steps) repairs what a
  student's editing can break before nbgrader looks at it: a test or answer
  cell pasted twice (nbgrader would fail the whole submission, issue #1083)
  keeps its first copy; every cell the chapter knows gets its grading
  metadata back from the instructor's source (an answer cell marked as a
  test worth 100 points is an answer cell again); grading metadata the
  chapter does not have (an extra graded cell, a renamed id, a cell pasted
  from another chapter) is removed, so the cell counts as an ordinary one;
  all of it is flagged. What a student wrote in markdown and raw cells is
  made harmless HTML, since feedback and formgrader render it for others.
- ``ContainedExecute`` (in place of nbgrader's ``Execute``) grades with
  ``contained.NotebookGrader``: student cells in a sandbox, test cells in
  the grader's process. It writes ``grading-report.json`` beside the graded
  notebook and, when something needs a person's eye, a note at the top of
  the notebook that formgrader and the feedback show.
"""

import atexit
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import nbformat
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Integer

from source_helpers.data import DATA_DIR

from .contained import TrustedSource, grade_notebook
from .sandbox import Limits, containment, prepare_package_root

__all__ = ["NormalizeSubmission", "ContainedExecute", "REPORT_NAME", "PACKAGES_ENV", "UNSAFE_ENV",
           "source_notebook_path", "harmless_markdown"]

REPORT_NAME = "grading-report.json"
# Set by the class grader: the folder where the students' helper packages are built (it removes it).
PACKAGES_ENV = "CV_MICROSCOPY_GRADING_DIR"
# Set by the class grader when the instructor chose to grade without containment.
UNSAFE_ENV = "CV_MICROSCOPY_UNSAFE_NO_CONTAINMENT"
_FLAGS_KEY = "cv_microscopy_grading"
_package_roots = {}
_GRADING_KEYS = ("grade", "solution", "locked", "task", "points")


def source_notebook_path(config, chapter, notebook_id):
    """The instructor's notebook ``notebook_id`` of ``chapter``, as configured."""
    coursedir = CourseDirectory(config=config)
    folder = Path(coursedir.format_path(coursedir.source_directory, ".", chapter))
    return folder / f"{notebook_id}.ipynb"


def _package_root(chapter):
    """The student's helper package for ``chapter``, built once per process.

    Under the class grader it lives in the grader's own temporary folder (worker
    processes end without running ``atexit``); otherwise it is removed at exit.
    """
    parent = os.environ.get(PACKAGES_ENV)
    key = (chapter, parent)
    if key not in _package_roots or not _package_roots[key].is_dir():
        if parent and Path(parent).is_dir():
            folder = Path(tempfile.mkdtemp(prefix=f"sandbox-{chapter}-", dir=parent))
            _package_roots[key] = prepare_package_root(chapter, folder)
        else:
            _package_roots[key] = prepare_package_root(chapter)
            atexit.register(shutil.rmtree, _package_roots[key], True)
    return _package_roots[key]


_SCHEMES = re.compile(r"(?i)\b(java\s*script|vb\s*script|data|file)\s*:")


def harmless_markdown(text):
    """Markdown that renders as text only: no HTML element, no script link.

    Every ``<`` becomes ``&lt;`` (so no tag, comment or autolink can open)
    and the URL schemes that run code or read files are broken. Headings,
    lists, emphasis, code, maths and ordinary links still render.

    Examples
    --------
    >>> harmless_markdown('**bold** <img src=x onerror="alert(1)">')
    '**bold** &lt;img src=x onerror="alert(1)">'
    >>> harmless_markdown("[click](javascript:alert(1))")
    '[click](javascript-blocked:alert(1))'
    """
    text = str(text).replace("<", "&lt;")
    return _SCHEMES.sub(lambda match: f"{match.group(1)}-blocked:", text)


def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


class NormalizeSubmission(NbGraderPreprocessor):
    """Grade the submission by the chapter's own cells: repair pasted and tampered cells, flag them."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        source = nbformat.read(str(source_notebook_path(self.config, info["assignment"], info["notebook"])),
                               as_version=4)
        known = {_meta(c)["grade_id"]: c for c in source.cells if _meta(c).get("grade_id")}
        tests = {grade_id for grade_id, c in known.items() if _meta(c).get("grade") and not _meta(c).get("solution")}
        course_text = {c.source for c in source.cells if c.cell_type in ("markdown", "raw")}
        flags = []
        seen = set()
        kept = []
        for cell in nb.cells:
            raw = cell.get("metadata", {}).get("nbgrader")
            meta = raw if isinstance(raw, dict) else {}
            grade_id = meta.get("grade_id")
            if not isinstance(grade_id, str) or grade_id not in known:
                if raw is not None and (meta is not raw or grade_id is not None
                                        or any(meta.get(key) for key in _GRADING_KEYS)):
                    flags.append(f"a cell carried grading metadata the chapter does not have (id {str(grade_id)[:40]!r}: "
                                 "added, renamed or pasted from another chapter); it was graded as an ordinary cell")
                cell.metadata.pop("nbgrader", None)
            elif grade_id in seen:
                if grade_id in tests:
                    flags.append(f"a copy of test cell {grade_id} was removed")
                    continue
                flags.append(f"a copy of cell {grade_id} was kept as an ordinary cell")
                cell.metadata.pop("nbgrader", None)
            else:
                seen.add(grade_id)
                original = dict(known[grade_id].metadata["nbgrader"])
                original.pop("checksum", None)
                changed = [key for key in _GRADING_KEYS if meta.get(key) != original.get(key)]
                if changed or cell.cell_type != known[grade_id].cell_type:
                    flags.append(f"the grading metadata of cell {grade_id} had been changed ({', '.join(changed) or 'cell type'}); "
                                 "the chapter's own was put back")
                if "checksum" in meta and grade_id not in tests:
                    original["checksum"] = meta["checksum"]
                cell.metadata["nbgrader"] = original
                if cell.cell_type != known[grade_id].cell_type:
                    cell.cell_type = known[grade_id].cell_type
                    if cell.cell_type == "code":
                        cell.setdefault("outputs", [])
                        cell.setdefault("execution_count", None)
                    else:
                        cell.pop("outputs", None)
                        cell.pop("execution_count", None)
            if cell.cell_type in ("markdown", "raw") and cell.source not in course_text:
                cell.source = harmless_markdown(cell.source)
                if cell.cell_type == "raw":
                    cell.metadata.pop("format", None)
                    cell.metadata.pop("raw_mimetype", None)
            kept.append(cell)
        nb.cells = kept
        nb.metadata[_FLAGS_KEY] = {"flags": flags}
        return nb, resources


class ContainedExecute(NbGraderPreprocessor):
    """Execute a submission with the student's code in a sandbox and the tests out of its reach."""

    cell_timeout = Integer(30, help="Seconds one cell may take (all the calls of a test cell together).").tag(config=True)
    notebook_timeout = Integer(300, help="Seconds for a whole notebook.").tag(config=True)
    memory_mb = Integer(4096, help="Memory (address space) of the student's process, in MiB.").tag(config=True)
    cpu_seconds = Integer(600, help="CPU seconds of the student's process per notebook.").tag(config=True)
    max_restarts = Integer(3, help="Restarts of a dead or killed sandbox per notebook.").tag(config=True)
    unsafe_no_containment = Bool(
        False, help="Grade even where bubblewrap cannot contain the student's code, which then runs with the "
                    "grader's view of the files (solutions/ and the gradebook included) and the network."
    ).tag(config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        chapter, notebook_id = info["assignment"], info["notebook"]
        found = containment()
        if not found.isolated and not (self.unsafe_no_containment or os.environ.get(UNSAFE_ENV) == "1"):
            raise RuntimeError(
                "grading refused: the student's code cannot be contained here (" + found.reason + "). Install "
                "bubblewrap (Debian/Ubuntu: apt-get install bubblewrap), or grade without containment, giving the "
                "student's code the course and the network: c.ContainedExecute.unsafe_no_containment = True")
        source = TrustedSource.from_file(source_notebook_path(self.config, chapter, notebook_id), chapter)
        folder = Path(resources.get("metadata", {}).get("path") or ".")
        limits = Limits(memory_mb=self.memory_mb, cpu_seconds=self.cpu_seconds)
        earlier = nb.metadata.pop(_FLAGS_KEY, {}) or {}
        report = grade_notebook(
            nb, source, package_root=_package_root(chapter), files_from=folder, data_dir=DATA_DIR,
            limits=limits, cell_timeout=self.cell_timeout, notebook_timeout=self.notebook_timeout,
            max_restarts=self.max_restarts)
        flags = [str(f) for f in earlier.get("flags", [])][:20] + report.flags
        result = report.as_dict()
        result["flags"] = flags
        result["isolated"] = found.isolated
        if flags:
            # Flags quote file names and links of the student's: they are shown as text, never as HTML.
            note = ("**Grading notes** (for the instructor's review):\n\n"
                    + "\n".join(f"- {harmless_markdown(f)}" for f in flags))
            nb.cells.insert(0, nbformat.v4.new_markdown_cell(note))
        if folder.is_dir():
            (folder / REPORT_NAME).write_text(json.dumps(result, indent=1))
        resources["nbgrader"]["grading_report"] = result
        return nb, resources
