"""Grade a class: every submission of one chapter or all, in parallel, restartable, with a report.

``grade_class`` is what ``make autograde`` runs. For each chapter it

1. registers the chapter in the gradebook if nbgrader does not know it yet
   (nbgrader needs the assignment's cells before it can grade anything);
2. finds each student's notebook in ``submitted/<student>/<chapter>/``, also
   when it was saved under another name (``...-Copy1.ipynb``, a single
   notebook with any name): it is copied to the expected name, never moved
   or overwritten, and the submission is flagged;
3. autogrades the submissions in worker processes (default: one per core),
   each through nbgrader's own ``autograde``, so scores land in the
   gradebook exactly as a serial run puts them there, and formgrader,
   feedback and ``nbgrader export`` work unchanged;
4. prints one progress line per submission (chapter, student, score,
   failures so far, time left) and, at the end, a summary table; writes
   ``grading-status.csv`` (status, score and flags per student and chapter).

A submission whose notebook and chapter source are unchanged since it was
last graded is skipped unless ``force`` is set, so an interrupted run
continues where it stopped. The record of what was graded is
``autograded/grading-status.json``; the export plugin (``export.py``) adds
its status and flags to ``nbgrader export``.
"""

import concurrent.futures
import csv
import hashlib
import json
import multiprocessing
import os
import shutil
import sqlite3
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from .course import check_chapters, nbgrader_api
from .preprocessors import REPORT_NAME

__all__ = ["Outcome", "grade_class", "autograde_class", "find_notebook", "ensure_registered",
           "STATUS_FILE", "STATUS_CSV"]

STATUS_FILE = "grading-status.json"     # in autograded/
STATUS_CSV = "grading-status.csv"       # in the course root
_RETRIES = 3


@dataclass
class Outcome:
    """What grading one submission gave.

    ``status`` is ``graded`` (all cells graded, nothing to look at),
    ``flagged`` (graded, but something needs a person's eye: see ``flags``),
    ``failed`` (nbgrader could not grade it: see ``error``), or ``skipped``
    (graded before and unchanged).
    """

    chapter: str
    student: str
    status: str
    score: float = 0.0
    max_score: float = 0.0
    flags: list = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    cells: dict = field(default_factory=dict)
    fingerprint: str = ""


# -- finding the notebook ------------------------------------------------------------

def find_notebook(folder, chapter):
    """``(path, flags)`` of the notebook to grade in a submission folder; ``(None, [reason])`` if none.

    The expected name is ``<chapter>.ipynb``. Otherwise, a notebook saved
    under another name is taken (the newest of those whose cells carry the
    chapter's grade ids, or the only notebook there is) and copied to the
    expected name; the student's file is left as it was.
    """
    folder = Path(folder)
    expected = folder / f"{chapter}.ipynb"
    if expected.is_file():
        return expected, []
    candidates = sorted((p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts),
                        key=lambda p: p.stat().st_mtime, reverse=True)
    if not candidates:
        found = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        return None, [f"no notebook found in submitted/{folder.parent.name}/{chapter}/"
                      + (f" (it holds: {', '.join(found[:5])})" if found else " (the folder is empty)")]
    chosen = None
    for path in candidates:
        try:
            text = path.read_text(errors="replace")
        except OSError:
            continue
        if '"grade_id"' in text:
            chosen = path
            break
    chosen = chosen or candidates[0]
    shutil.copyfile(chosen, expected)
    others = f" (of {len(candidates)} notebooks there)" if len(candidates) > 1 else ""
    return expected, [f"graded {chosen.relative_to(folder)} as {expected.name}{others}"]


def _notebook_problem(path):
    """Why nbgrader cannot read ``path``, or None."""
    try:
        nbformat.read(str(path), as_version=4)
    except nbformat.reader.NotJSONError:
        return "the notebook is not valid JSON (NotJSONError): it was damaged, perhaps by editing it as text"
    except Exception as error:  # any reader or validation error names the cause
        return f"the notebook cannot be read ({type(error).__name__}: {str(error)[:200]})"
    return None


# -- the gradebook -------------------------------------------------------------------

def _sqlite_path(db_url):
    return db_url[len("sqlite:///"):] if db_url.startswith("sqlite:///") else None


def ensure_registered(root, chapter):
    """Make sure the gradebook knows ``chapter``; register it from ``solutions/`` if not.

    The release is generated into a temporary folder, so ``notebooks/`` is
    not touched. Returns True when it had to register the chapter.
    """
    api = nbgrader_api(root)
    with Gradebook(api.coursedir.db_url) as gradebook:
        try:
            gradebook.find_assignment(chapter)
            return False
        except MissingEntry:
            pass
    with tempfile.TemporaryDirectory(prefix="register-") as release:
        api = nbgrader_api(root, release_directory=release)
        result = api.generate_assignment(chapter, force=True)
    if not result["success"]:
        raise RuntimeError(f"could not register {chapter} in the gradebook:\n"
                           + _real_cause(result.get("error") or result.get("log") or ""))
    return True


def _prepare_gradebook(db_url):
    """Let several grading processes share an SQLite gradebook (write-ahead log, patient locks)."""
    path = _sqlite_path(db_url)
    if path and Path(path).exists():
        with sqlite3.connect(path, timeout=60) as connection:
            connection.execute("PRAGMA journal_mode=WAL")


def _real_cause(log):
    """The line of nbgrader's log that names what went wrong (not 'see the above traceback')."""
    lines = [line.strip() for line in str(log).splitlines() if line.strip()]
    useful = [line for line in lines if ("Error" in line or "Exception" in line or "error" in line)
              and "Please see the above traceback" not in line and "Traceback" not in line]
    return (useful[-1] if useful else (lines[-1] if lines else "nbgrader gave no reason"))[:500]


# -- grading one submission (in a worker process) ---------------------------------------

_apis = {}


def _api(root):
    if root not in _apis:
        _apis[root] = nbgrader_api(root)
    return _apis[root]


def _scores(api, chapter, student):
    with Gradebook(api.coursedir.db_url) as gradebook:
        notebook = gradebook.find_submission_notebook(chapter, chapter, student)
        return {grade.name: (grade.score, grade.max_score) for grade in notebook.grades}


def _mark_for_review(api, chapter, student, cells):
    """Put the cells whose tests never really ran on formgrader's list of grades to check."""
    names = [name for name, info in cells.items() if info.get("review")]
    if not names:
        return
    with Gradebook(api.coursedir.db_url) as gradebook:
        notebook = gradebook.find_submission_notebook(chapter, chapter, student)
        for grade in notebook.grades:
            if grade.name in names:
                grade.needs_manual_grade = True
        gradebook.db.commit()


def grade_one(root, chapter, student, flags=()):
    """Autograde one submission through nbgrader; returns its ``Outcome`` (never raises)."""
    start = time.perf_counter()
    api = _api(str(root))
    flags = list(flags)
    for attempt in range(_RETRIES):
        result = api.autograde(chapter, student, force=True, create=True)
        text = (result.get("error") or "") + "\n" + (result.get("log") or "")
        if result["success"] or "database is locked" not in text:
            break
        time.sleep(0.5 * (attempt + 1))
    seconds = time.perf_counter() - start
    if not result["success"]:
        return Outcome(chapter, student, "failed", error=_real_cause(text), flags=flags, seconds=seconds)
    report_path = Path(api.coursedir.format_path(api.coursedir.autograded_directory, student, chapter)) / REPORT_NAME
    report = {}
    if report_path.is_file():
        try:
            report = json.loads(report_path.read_text())
        except ValueError:
            report = {}
    flags += [f for f in report.get("flags", []) if f not in flags]
    cells = _scores(api, chapter, student)
    try:
        _mark_for_review(api, chapter, student, report.get("cells", {}))
    except Exception as error:  # the grades are in; the review mark is a convenience
        flags.append(f"could not mark cells for review: {error}")
    return Outcome(chapter, student, "flagged" if flags else "graded",
                   score=sum(s for s, _ in cells.values()), max_score=sum(m for _, m in cells.values()),
                   flags=flags, seconds=seconds, cells={k: list(v) for k, v in cells.items()})


def _grade_task(task):
    root, chapter, student, flags, problem = task
    try:
        outcome = grade_one(root, chapter, student, flags)
    except Exception as error:  # a worker must report, never die
        outcome = Outcome(chapter, student, "failed", error=f"{type(error).__name__}: {error}", flags=list(flags))
    if problem:
        outcome.status, outcome.error, outcome.flags = "failed", problem, [problem]
    return outcome


# -- the class ------------------------------------------------------------------------

def _fingerprint(notebook, source):
    digest = hashlib.sha256()
    for path in (notebook, source):
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


class _Status:
    """``autograded/grading-status.json``: the last outcome of every submission, written after each one."""

    def __init__(self, root):
        self.path = Path(root) / "autograded" / STATUS_FILE
        try:
            self.entries = json.loads(self.path.read_text())
        except (OSError, ValueError):
            self.entries = {}

    def get(self, chapter, student):
        return self.entries.get(f"{chapter}/{student}")

    def put(self, outcome):
        self.entries[f"{outcome.chapter}/{outcome.student}"] = asdict(outcome)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.entries, indent=1, sort_keys=True))
        os.replace(temporary, self.path)


def _students(root, chapter):
    folder = Path(root) / "submitted"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / chapter).is_dir())


def _graded_in_gradebook(api, chapter):
    try:
        with Gradebook(api.coursedir.db_url) as gradebook:
            return {s.student.id for s in gradebook.find_assignment(chapter).submissions}
    except MissingEntry:
        return set()


def _clock(seconds):
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def grade_class(root, chapters=(), *, students=None, workers=None, force=False, progress=print):
    """Grade every submission of ``chapters`` (all when empty); returns the list of ``Outcome``.

    Parameters
    ----------
    root : path
        The course directory.
    chapters : sequence of str
    students : sequence of str, optional
        Only these students (default: every folder in ``submitted/``).
    workers : int, optional
        Worker processes (default: the number of cores; 1 grades in this process).
    force : bool
        Grade again what was graded before and has not changed.
    progress : callable or None
        Receives each line of progress and of the summary (``print`` by default).
    """
    root = Path(root).resolve()
    say = progress or (lambda line: None)
    workers = workers or os.cpu_count() or 1
    names = check_chapters(root, list(chapters))
    status = _Status(root)
    api = nbgrader_api(root)
    tasks, outcomes = [], []
    for chapter in names:
        chapter_students = list(students) if students is not None else _students(root, chapter)
        if not chapter_students:
            continue
        if ensure_registered(root, chapter):
            say(f"{chapter}: registered in the gradebook from solutions/{chapter}/")
        _prepare_gradebook(api.coursedir.db_url)
        source = root / "solutions" / chapter / f"{chapter}.ipynb"
        graded_before = _graded_in_gradebook(api, chapter)
        for student in chapter_students:
            folder = root / "submitted" / student / chapter
            notebook, flags = find_notebook(folder, chapter)
            problem = _notebook_problem(notebook) if notebook else flags[0]
            if problem:
                # nbgrader still records the submission, as a plain `nbgrader autograde` would (a missing
                # notebook gets 0 on every cell); the outcome says why it was not graded.
                tasks.append(((str(root), chapter, student, [problem], problem), ""))
                continue
            fingerprint = _fingerprint(notebook, source)
            before = status.get(chapter, student)
            if (not force and before and before.get("fingerprint") == fingerprint
                    and before.get("status") in ("graded", "flagged") and student in graded_before):
                outcomes.append(Outcome(**{**before, "status": "skipped"}))
                continue
            tasks.append(((str(root), chapter, student, flags, None), fingerprint))
    total = len(tasks)
    skipped = sum(o.status == "skipped" for o in outcomes)
    if skipped:
        say(f"{skipped} submission(s) graded before and unchanged: skipped (force=True grades them again)")
    from .sandbox import containment

    say(f"containment: {containment().describe()}")
    say(f"grading {total} submission(s) with {min(workers, max(total, 1))} worker process(es)")
    start = time.perf_counter()
    failures = [0]

    def finished(outcome, fingerprint, done):
        outcome.fingerprint = fingerprint
        status.put(outcome)
        outcomes.append(outcome)
        if outcome.status == "failed":
            failures[0] += 1
        elapsed = time.perf_counter() - start
        left = elapsed / done * (total - done)
        result = (f"FAILED ({outcome.error})" if outcome.status == "failed"
                  else f"{outcome.score:g}/{outcome.max_score:g}" + ("  flagged: " + "; ".join(outcome.flags)
                                                                       if outcome.flags else ""))
        say(f"[{done}/{total}] {outcome.chapter} {outcome.student}: {result} ({outcome.seconds:.1f} s) "
            f"| {failures[0]} failed | {_clock(left)} left")

    try:
        if workers <= 1 or total <= 1:
            for done, (task, fingerprint) in enumerate(tasks, start=1):
                finished(_grade_task(task), fingerprint, done)
        else:
            context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
            with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                futures = {pool.submit(_grade_task, task): fingerprint for task, fingerprint in tasks}
                try:
                    for done, future in enumerate(concurrent.futures.as_completed(futures), start=1):
                        finished(future.result(), futures[future], done)
                except KeyboardInterrupt:
                    for future in futures:
                        future.cancel()
                    raise
    except KeyboardInterrupt:
        say(f"interrupted after {sum(o.status != 'skipped' for o in outcomes)} submission(s); "
            "run the same command again to continue where it stopped")
        raise
    _write_csv(root, status)
    for line in summary(outcomes, time.perf_counter() - start):
        say(line)
    return outcomes


def summary(outcomes, seconds):
    """Lines of the table printed at the end of a run."""
    lines = ["", f"{'chapter':26} {'submissions':>11} {'graded':>7} {'flagged':>8} {'failed':>7} "
             f"{'skipped':>8} {'mean score':>11}"]
    for chapter in sorted({o.chapter for o in outcomes}):
        mine = [o for o in outcomes if o.chapter == chapter]
        scored = [o for o in mine if o.status in ("graded", "flagged", "skipped") and o.max_score]
        mean = (f"{sum(o.score for o in scored) / len(scored):.2f}/{scored[0].max_score:g}" if scored else "-")
        counts = [sum(o.status == s for o in mine) for s in ("graded", "flagged", "failed", "skipped")]
        lines.append(f"{chapter:26} {len(mine):11d} {counts[0]:7d} {counts[1]:8d} {counts[2]:7d} {counts[3]:8d} "
                     f"{mean:>11}")
    graded = [o for o in outcomes if o.status != "skipped"]
    lines.append(f"{len(graded)} graded in {_clock(seconds)}"
                 + (f" ({seconds / len(graded):.2f} s per submission)" if graded else "")
                 + f"; per-student status in {STATUS_CSV}")
    needing = [o for o in outcomes if o.status in ("flagged", "failed")]
    if needing:
        lines.append("to look at:")
        lines += [f"  {o.chapter} {o.student}: {o.status}: {o.error or '; '.join(o.flags)}" for o in needing]
    return lines


def _write_csv(root, status):
    with open(Path(root) / STATUS_CSV, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["chapter", "student", "status", "score", "max_score", "flags", "error", "seconds"])
        for key in sorted(status.entries):
            entry = status.entries[key]
            writer.writerow([entry["chapter"], entry["student"], entry["status"], entry["score"],
                             entry["max_score"], "; ".join(entry.get("flags", [])), entry.get("error", ""),
                             entry.get("seconds", 0)])


def autograde_class(root, chapter, *, students=None, report=print, workers=1, force=True):
    """Grade one chapter; ``{student: {grade_id: (score, max_score)}}``, or the error text for a failure."""
    outcomes = grade_class(root, [chapter], students=students, workers=workers, force=force, progress=report)
    return {o.student: (o.error or "failed") if o.status == "failed"
            else {k: tuple(v) for k, v in o.cells.items()} for o in outcomes}
