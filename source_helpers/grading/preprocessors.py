"""nbgrader preprocessors of the course: contained execution and a tidy submission.

``nbgrader_config.py`` puts them into nbgrader's autograde pipeline, so plain
``nbgrader autograde`` and ``make autograde`` grade the same way:

- ``NormalizeSubmission`` (first of the sanitizing steps) repairs what a
  student's editing can break before nbgrader looks at it: a test or answer
  cell pasted twice (nbgrader would fail the whole submission, issue #1083)
  keeps its first copy, and test cells get their grading metadata back
  from the instructor's source.
- ``ContainedExecute`` (in place of nbgrader's ``Execute``) grades with
  ``contained.NotebookGrader``: student cells in a sandbox, test cells in
  the grader's process. It writes ``grading-report.json`` beside the graded
  notebook and, when something needs a person's eye, a note at the top of
  the notebook that formgrader and the feedback show.
"""

import atexit
import json
import shutil
from pathlib import Path

import nbformat
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Integer

from source_helpers.data import DATA_DIR

from .contained import TrustedSource, grade_notebook
from .sandbox import Limits, containment, prepare_package_root

__all__ = ["NormalizeSubmission", "ContainedExecute", "REPORT_NAME", "source_notebook_path"]

REPORT_NAME = "grading-report.json"
_FLAGS_KEY = "cv_microscopy_grading"
_package_roots = {}


def source_notebook_path(config, chapter, notebook_id):
    """The instructor's notebook ``notebook_id`` of ``chapter``, as configured."""
    coursedir = CourseDirectory(config=config)
    folder = Path(coursedir.format_path(coursedir.source_directory, ".", chapter))
    return folder / f"{notebook_id}.ipynb"


def _package_root(chapter):
    """The student's helper package for ``chapter``, built once per process."""
    if chapter not in _package_roots:
        _package_roots[chapter] = prepare_package_root(chapter)
        atexit.register(shutil.rmtree, _package_roots[chapter], True)
    return _package_roots[chapter]


def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


class NormalizeSubmission(NbGraderPreprocessor):
    """Drop pasted copies of test cells, keep one of each answer cell, restore test cells' metadata."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        source = nbformat.read(str(source_notebook_path(self.config, info["assignment"], info["notebook"])),
                               as_version=4)
        tests = {_meta(c)["grade_id"]: c for c in source.cells
                 if _meta(c).get("grade") and not _meta(c).get("solution") and _meta(c).get("grade_id")}
        flags = []
        seen = set()
        kept = []
        for cell in nb.cells:
            grade_id = _meta(cell).get("grade_id")
            if grade_id is not None and grade_id in seen:
                if grade_id in tests:
                    flags.append(f"a copy of test cell {grade_id} was removed")
                    continue
                flags.append(f"a copy of cell {grade_id} was kept as an ordinary cell")
                cell.metadata.pop("nbgrader", None)
            elif grade_id in tests:
                cell.metadata["nbgrader"] = dict(tests[grade_id].metadata["nbgrader"])
                cell.metadata["nbgrader"].pop("checksum", None)
                cell.cell_type = "code"
                cell.setdefault("outputs", [])
                cell.setdefault("execution_count", None)
            if grade_id is not None:
                seen.add(grade_id)
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
    require_isolation = Bool(
        False, help="Refuse to grade when bubblewrap cannot isolate the student's code.").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        chapter, notebook_id = info["assignment"], info["notebook"]
        found = containment()
        if self.require_isolation and not found.isolated:
            raise RuntimeError("grading needs isolation, but " + found.reason)
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
            note = "**Grading notes** (for the instructor's review):\n\n" + "\n".join(f"- {f}" for f in flags)
            nb.cells.insert(0, nbformat.v4.new_markdown_cell(note))
        if folder.is_dir():
            (folder / REPORT_NAME).write_text(json.dumps(result, indent=1))
        resources["nbgrader"]["grading_report"] = result
        return nb, resources
