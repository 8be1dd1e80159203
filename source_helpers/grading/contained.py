"""Grade one notebook with the student's code contained and the checks out of its reach.

nbgrader normally runs the whole submission, tests included, in one kernel:
whatever the student's code does there (patch the checks, return an object
that equals everything, print to the display hook, read the expected value
from the checker's frame) decides the grade. ``NotebookGrader`` splits the
notebook in two instead:

- every cell that is not a test cell runs in the student's ``Sandbox``,
  in notebook order, and keeps its outputs;
- every test cell runs here, in the grader's own process, from the
  instructor's source notebook. The names the answer cells define
  (``make_image``, ...) are bound to ``StudentFunction`` stand-ins, which
  call the student's function in the sandbox and bring back plain data
  (``wire.py``); the expected values are computed here and never sent.

A test cell therefore sees only its own code, the imports of the chapter's
first code cell (the *setup cell*) and the answers; it must not rely on
variables of teaching cells (``tests/test_chapter_conventions.py`` checks).

Time is kept per cell and per notebook. When the sandbox dies (``os._exit``,
a crash) or is killed at a deadline, the grader starts a new one, replays
the cells that had run, and goes on: points already earned stay, and the
cell that failed says why. ``ContainedExecute`` plugs this into nbgrader's
autograde in place of its ``Execute`` preprocessor.
"""

import ast
import builtins
import contextlib
import io
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
import numpy as np

from source_helpers.checks import AnswerFailed

from . import wire
from .sandbox import Limits, Sandbox, SandboxBroken, SandboxDied, SandboxTimeout, prepare_package_root

__all__ = ["TrustedSource", "NotebookGrader", "StudentFunction", "GradingReport"]

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
NOTE_LIMIT = 2000
HIDDEN_QUIET = ("[what your functions printed or warned during the hidden tests is not shown: "
                "it could contain their inputs]\n")


def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _bound_names(source):
    """Top-level names an answer cell binds (functions, classes, assignments)."""
    lines = [line for line in source.splitlines() if line.strip() not in SOLUTION_MARKERS]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Name):
                        names.add(sub.id)
    return names


def split_test_cell(source):
    """``[(code, hidden), ...]``: a test cell's code cut at its hidden-test markers, in order.

    Each part must compile on its own (the markers stand at the top level);
    where one does not, the whole cell is one hidden part, so nothing the
    student's code prints is shown by mistake.
    """
    parts, current, hidden = [], [], False
    for line in source.splitlines(keepends=True):
        marker = line.strip()
        if marker in HIDDEN_MARKERS:
            parts.append(("".join(current), hidden))
            current, hidden = [], marker == HIDDEN_MARKERS[0]
        else:
            current.append(line)
    parts.append(("".join(current), hidden))
    parts = [(code, hidden) for code, hidden in parts if code.strip()]
    try:
        for code, _ in parts:
            compile(code, "<test part>", "exec")
    except SyntaxError:
        return [(source, True)]
    return parts or [(source, False)]


def referenced_names(source):
    """Every identifier a piece of code mentions."""
    return {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}


class TrustedSource:
    """What the grader takes from the instructor's source notebook, never from the submission.

    Attributes
    ----------
    setup : str
        The first code cell (the chapter's imports), run here before any test.
    answer_names : set of str
        Names the answer (solution) cells define; tests reach the student's
        versions of these and nothing else of the student's.
    tests : dict
        ``{grade_id: source}`` of every autograded test cell, hidden tests included.
    teaching : set of str
        The code of the other cells (setup and teaching cells), stripped of surrounding
        blank space: such a cell still runs in the sandbox, but its outputs are the
        course's, not the student's, and are left out of the graded notebook.
    chapter : str
    """

    def __init__(self, notebook, chapter):
        self.chapter = chapter
        code = [c for c in notebook.cells if c.cell_type == "code"]
        if not code:
            raise ValueError(f"the source notebook of {chapter} has no code cell")
        self.setup = code[0].source
        self.answer_names = set()
        self.tests = {}
        self.teaching = set()
        for cell in code:
            meta = _meta(cell)
            if meta.get("solution"):
                self.answer_names |= _bound_names(cell.source)
            elif meta.get("grade") and meta.get("grade_id"):
                self.tests[meta["grade_id"]] = cell.source
            else:
                self.teaching.add(cell.source.strip())

    @classmethod
    def from_file(cls, path, chapter):
        return cls(nbformat.read(str(path), as_version=4), chapter)


class GradingReport:
    """What happened while grading one notebook: flags for a person to look at, and times."""

    def __init__(self):
        self.flags = []
        self.restarts = 0
        self.seconds = 0.0
        self.cells = {}

    def flag(self, text):
        if text not in self.flags:
            self.flags.append(text)

    def as_dict(self):
        return {"flags": list(self.flags), "restarts": self.restarts, "seconds": round(self.seconds, 3),
                "cells": dict(self.cells)}


def _stream(text, name="stdout"):
    return nbformat.v4.new_output("stream", name=name, text=text)


def _error(ename, evalue):
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def _note(title, text):
    text = text if len(text) <= NOTE_LIMIT else text[:NOTE_LIMIT] + "\n[... cut]"
    return f"[{title}]\n{text.rstrip()}\n"


class StudentFunction:
    """Stands, in the grader's process, for a function the student defined.

    Calling it calls the student's function in the sandbox with copies of
    the arguments and returns a value rebuilt from plain data. What the
    function printed (on either stream) and the warnings it raised are
    printed here as notes on standard output. Errors, deadlines and a dead
    sandbox arrive as ``checks.AnswerFailed``.
    """

    def __init__(self, grader, name):
        self._grader = grader
        self.__name__ = self.__qualname__ = name

    def __repr__(self):
        return f"<your function {self.__name__}>"

    def __call__(self, *args, **kwargs):
        return self._grader.call(self.__name__, args, kwargs)


class NotebookGrader:
    """Grade one submitted notebook (see the module docstring).

    Parameters
    ----------
    source : TrustedSource
    package_root : path
        The student's helper package for this chapter (``prepare_package_root``).
    scratch : path
        Folder with a copy of the submission's files, writable by the student's code.
    data_dir : path or None
    limits : Limits
    cell_timeout : float
        Seconds a cell may take: a student cell, or all the calls of one test cell.
    notebook_timeout : float
        Seconds for the whole notebook, replays included.
    max_restarts : int
        How often a dead or killed sandbox is started again before the rest is left ungraded.
    """

    def __init__(self, source, package_root, scratch, *, data_dir=None, limits=None, cell_timeout=30,
                 notebook_timeout=300, max_restarts=3):
        self.source = source
        self.sandbox = Sandbox(source.chapter, scratch, package_root, data_dir=data_dir, limits=limits)
        self.cell_timeout = float(cell_timeout)
        self.notebook_timeout = float(notebook_timeout)
        self.max_restarts = max_restarts
        self.report = GradingReport()
        self._ran = []              # student cell sources that ran, for a replay
        self._started = False
        self._deadline = None
        self._cell_deadline = None
        self._given_up = None
        self._hidden = False        # inside the hidden part of a test cell
        self._quieted = False       # output of the student's code was held back there
        self._interrupted = False   # a test of this cell could not run to its end (time, a dead process)

    # -- time ------------------------------------------------------------------

    def _remaining(self):
        now = time.monotonic()
        return max(0.0, min(self._deadline, self._cell_deadline or self._deadline) - now)

    # -- the sandbox -----------------------------------------------------------

    def _ensure_sandbox(self):
        """A live sandbox in which every student cell run so far has run; or an AnswerFailed."""
        if self._given_up:
            self._interrupted = True
            raise AnswerFailed("NotGraded", self._given_up)
        if self.sandbox.alive:
            return
        if self._started:
            if self.report.restarts >= self.max_restarts:
                self._give_up(f"the process running your code stopped {self.report.restarts + 1} times; "
                              "the rest of the notebook was not graded")
            self.report.restarts += 1
        self._started = True
        self.sandbox.start()
        for source in self._ran:
            timeout = min(self.cell_timeout, self._deadline - time.monotonic())
            try:
                self.sandbox.request({"op": "run", "source": source}, timeout=max(timeout, 0.0))
            except (SandboxDied, SandboxTimeout):
                self._give_up("after a restart, replaying your earlier cells failed; "
                              "the rest of the notebook was not graded")

    def _check_sandbox_starts(self):
        """Start the sandbox with no student code in it; if even that fails, grading cannot go on."""
        self._started = True
        self.sandbox.start()
        try:
            self.sandbox.request({"op": "run", "source": ""}, timeout=min(120.0, self.notebook_timeout))
        except (SandboxDied, SandboxTimeout) as error:
            output = getattr(error, "output", "")
            raise SandboxBroken("the grading sandbox does not start on this machine"
                                + (f": {error}" if str(error) else " in time")
                                + (f"; it wrote: {output}" if output else "")) from None

    def _give_up(self, reason):
        self._given_up = reason
        self._interrupted = True
        self.report.flag(reason)
        self.sandbox.close()
        raise AnswerFailed("NotGraded", reason)

    def _request(self, message, arrays=()):
        timeout = self._remaining()
        if timeout <= 0:
            raise SandboxTimeout()
        return self.sandbox.request(message, arrays, timeout=timeout)

    # -- calls from test cells ------------------------------------------------

    def call(self, name, args, kwargs):
        header_args, arrays = wire.encode(tuple(args))
        header_kwargs, more = wire.encode(dict(kwargs))
        if _has_opaque(header_args) or _has_opaque(header_kwargs):
            raise RuntimeError(f"a test passes {name} an argument that cannot be sent to the student's process")
        header_kwargs = _shift_arrays(header_kwargs, len(arrays))
        self._ensure_sandbox()
        try:
            reply, reply_arrays = self._request(
                {"op": "call", "name": name, "args": header_args, "kwargs": header_kwargs}, arrays + more)
        except SandboxTimeout:
            self._interrupted = True
            self.report.flag(f"a call to {name} was stopped at the time limit")
            raise AnswerFailed("Timeout", _timeout_text(name, self)) from None
        except SandboxDied as died:
            self._interrupted = True
            self.report.flag(f"the process running your code stopped during a call to {name}: {died}")
            raise AnswerFailed("ProcessDied", f"the process running `{name}` stopped: {died}") from None
        stdout = reply.get("stdout") or ""
        if self._hidden:
            # The hidden tests' inputs stay hidden: nothing the student's code says about them is shown.
            self._quieted |= bool(isinstance(stdout, str) and stdout.strip()) or bool(reply.get("warnings"))
        else:
            if isinstance(stdout, str) and stdout.strip():
                print(_note(f"{name} printed", stdout), end="")
            for text in (reply.get("warnings") or [])[:5]:
                print(_note(f"{name} warned", str(text)), end="")
        if not reply["ok"]:
            ename = str(reply.get("ename", "Error"))[:80]
            if self._hidden and ename != "NotImplementedError":   # any other name a student's class could take
                raise AnswerFailed(ename, "(its message is not shown: it was raised in the hidden tests, "
                                          "whose inputs stay hidden; try your function on other inputs)")
            raise AnswerFailed(ename, str(reply.get("evalue", ""))[:2000], str(reply.get("traceback", ""))[:4000])
        try:
            value = wire.decode(reply.get("value"), reply_arrays, timeout=min(wire.DECODE_SECONDS, self._remaining()))
            self._copy_back(args, kwargs, reply, reply_arrays)
        except wire.ProtocolError as error:
            # The whole reply was read, so the process can go on: only this call fails.
            self.report.flag(f"the value returned by {name} could not be read: {error}")
            raise AnswerFailed("ProtocolError", f"the value returned by `{name}` could not be read: {error}") from None
        return value

    @staticmethod
    def _copy_back(args, kwargs, reply, arrays):
        """Write arrays the student's function changed in place back into the caller's arrays.

        Random generators passed to it advance as they did in the student's process.
        """
        def argument(key):
            if type(key) is int and 0 <= key < len(args):
                return args[key]
            return kwargs.get(key) if type(key) is str else None

        for entry in _pairs(reply.get("changed")):
            target, index = argument(entry[0]), entry[1]
            if type(index) is not int or not 0 <= index < len(arrays) or not isinstance(target, np.ndarray):
                continue
            changed = arrays[index]
            if changed.shape == target.shape and target.flags.writeable:
                np.copyto(target, changed, casting="unsafe")
        for key, header in _pairs(reply.get("generators")):
            target = argument(key)
            if isinstance(target, np.random.Generator):
                state = wire.decode(header, [])
                if isinstance(state, np.random.Generator):
                    target.bit_generator.state = state.bit_generator.state

    def _bind_answers(self, namespace, source):
        """Bind the student's answers that the test cell can reach."""
        names = sorted(self.source.answer_names)
        if not names:
            return
        mentioned = referenced_names(source)
        try:
            self._ensure_sandbox()
            reply, _ = self._request({"op": "describe", "names": names})
        except AnswerFailed:
            kinds = {}
        except (SandboxTimeout, SandboxDied):
            kinds = {}
        else:
            kinds = reply.get("kinds") if isinstance(reply.get("kinds"), dict) else {}
        for name in names:
            kind = kinds.get(name, "missing")
            if kind == "function":
                namespace[name] = StudentFunction(self, name)
            elif kind == "value" and name in mentioned:
                try:
                    reply, arrays = self._request({"op": "get", "name": name})
                    namespace[name] = wire.decode(reply.get("value"), arrays,
                                                  timeout=min(wire.DECODE_SECONDS, self._remaining()))
                except (SandboxTimeout, SandboxDied, wire.ProtocolError):
                    namespace.pop(name, None)
            else:
                namespace.pop(name, None)

    # -- cells ------------------------------------------------------------------

    def _run_student_cell(self, cell, index):
        grade_id = _meta(cell).get("grade_id")
        where = f"the answer cell {grade_id}" if grade_id else f"cell {index + 1}"
        self._cell_deadline = time.monotonic() + self.cell_timeout
        try:
            self._ensure_sandbox()
            reply, _ = self._request({"op": "run", "source": cell.source})
        except AnswerFailed as failed:
            return [_error("NotGraded", failed.evalue)]
        except SandboxTimeout:
            self.report.flag(f"{where} was stopped at the time limit")
            return [_error("CellTimeoutError", f"this cell did not finish within {self.cell_timeout:g} s "
                           "(or the notebook's time ran out): an endless loop?")]
        except SandboxDied as died:
            self.report.flag(f"the process running your code stopped in {where}: {died}")
            return [_error("ProcessDied", f"the process running this cell stopped: {died}")]
        finally:
            self._cell_deadline = None
        self._ran.append(cell.source)
        outputs = []
        for output in reply.get("outputs") or []:
            if not isinstance(output, dict):
                continue
            if output.get("output_type") == "stream":
                outputs.append(_stream(str(output.get("text", ""))[:wire.REPR_LENGTH * 200]))
            elif output.get("output_type") == "error":
                traceback_lines = [str(line) for line in output.get("traceback") or []][:20]
                outputs.append(nbformat.v4.new_output(
                    "error", ename=str(output.get("ename", "Error"))[:80],
                    evalue=str(output.get("evalue", ""))[:2000], traceback=traceback_lines))
        return outputs

    def _run_test_cell(self, grade_id, namespace):
        source = self.source.tests[grade_id]
        self._cell_deadline = time.monotonic() + self.cell_timeout
        buffer = io.StringIO()
        error = None
        started = time.monotonic()
        self._quieted = self._interrupted = False
        try:
            with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
                self._bind_answers(namespace, source)
                for code, hidden in split_test_cell(source):
                    self._hidden = hidden
                    exec(compile(code, f"<test {grade_id}>", "exec"), namespace)
        except AnswerFailed as failed:
            error = _error(failed.ename, failed.evalue)
        except NameError as missing:
            name = getattr(missing, "name", None)
            if name in self.source.answer_names:
                error = _error("NameError", f"`{name}` is not defined: write it in its answer cell and run that cell.")
            else:
                error = _error("NameError", str(missing))
        except Exception as failure:
            error = _error(type(failure).__name__, str(failure))
        finally:
            self._cell_deadline = None
            self._hidden = False
        text = buffer.getvalue() + (HIDDEN_QUIET if self._quieted else "")
        outputs = [_stream(text)] if text else []
        if error is not None:
            outputs.append(error)
        # A cell whose tests could not run to their end goes on formgrader's list of grades to check.
        review = error is not None and self._interrupted
        self.report.cells[grade_id] = {"passed": error is None, "seconds": round(time.monotonic() - started, 3),
                                       "review": review}
        return outputs

    def grade(self, notebook):
        """Run ``notebook`` (a sanitized submission, modified in place) and fill in every cell's outputs."""
        start = time.monotonic()
        self._deadline = start + self.notebook_timeout
        namespace = {"__name__": "__main__", "__builtins__": builtins}
        try:
            self._check_sandbox_starts()
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(self.source.setup, "<setup>", "exec"), namespace)
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "code":
                    continue
                grade_id = _meta(cell).get("grade_id")
                if grade_id in self.source.tests:
                    cell.source = self.source.tests[grade_id]
                    cell.outputs = self._run_test_cell(grade_id, namespace)
                else:
                    outputs = self._run_student_cell(cell, index)
                    cell.outputs = [] if cell.source.strip() in self.source.teaching else outputs
                cell.execution_count = None
        finally:
            self.sandbox.close()
            self.report.seconds = time.monotonic() - start
        return self.report


def _pairs(value):
    """The two-element lists of a reply's field, ignoring anything malformed."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, list) and len(item) == 2]


def _has_opaque(header):
    if isinstance(header, list):
        return any(_has_opaque(h) for h in header)
    if isinstance(header, dict):
        return "opaque" in header or any(_has_opaque(h) for h in header.values())
    return False


def _shift_arrays(header, offset):
    """Renumber the array references of ``header`` by ``offset`` (two headers share one array list)."""
    if offset == 0:
        return header
    if isinstance(header, list):
        return [_shift_arrays(h, offset) for h in header]
    if isinstance(header, dict):
        if set(header) == {"array"}:
            return {"array": header["array"] + offset}
        return {k: _shift_arrays(v, offset) for k, v in header.items()}
    return header


def _timeout_text(name, grader):
    if grader._deadline is not None and time.monotonic() >= grader._deadline:
        return (f"`{name}` was stopped: the notebook used up its grading time "
                f"({grader.notebook_timeout:g} s). An endless loop?")
    return f"`{name}` did not finish within the time limit of {grader.cell_timeout:g} s per test cell: an endless loop?"


def copy_submission_files(folder, scratch, *, limit_mb=100):
    """Copy the files of a submission folder (not its notebooks) into ``scratch``, up to ``limit_mb``."""
    folder, scratch = Path(folder), Path(scratch)
    budget = limit_mb * 2**20
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file() or path.suffix == ".ipynb":
            continue
        size = path.stat().st_size
        if size > budget:
            continue
        target = scratch / path.relative_to(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        budget -= size


def grade_notebook(notebook, source, *, package_root, files_from=None, data_dir=None, limits=None,
                   cell_timeout=30, notebook_timeout=300, max_restarts=3):
    """Grade ``notebook`` in a fresh scratch folder; returns its ``GradingReport``."""
    with tempfile.TemporaryDirectory(prefix="grading-") as scratch:
        if files_from is not None:
            copy_submission_files(files_from, scratch)
        grader = NotebookGrader(source, package_root, scratch, data_dir=data_dir, limits=limits,
                                cell_timeout=cell_timeout, notebook_timeout=notebook_timeout,
                                max_restarts=max_restarts)
        return grader.grade(notebook)
