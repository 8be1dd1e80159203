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

from nbgrader.api import Gradebook, MissingEntry

from .course import check_chapters, nbgrader_api
from .deadlines import apply_deadlines
from .status import read_status, write_status
from .preprocessors import PACKAGES_ENV, REPORT_NAME, UNSAFE_ENV
from .submission import inspect_submission, snapshot_submission

__all__ = ["Outcome", "grade_class", "autograde_class", "ensure_registered", "register_students",
           "UncontainedRefused", "STATUS_FILE", "STATUS_CSV"]

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
    # nbgrader 0.9.6 writes "Please see the the above traceback" (sic); any such pointer says nothing.
    useful = [line for line in lines if ("Error" in line or "Exception" in line or "error" in line)
              and "above traceback" not in line and not line.startswith("Traceback")]
    return (useful[-1] if useful else (lines[-1] if lines else "nbgrader gave no reason"))[:500]


def register_students(db_url, students):
    """Create the gradebook's entries of ``students`` before any worker starts.

    Workers that create the same new student at once (one student, several
    chapters) would otherwise race, and all but one lose the submission to a
    UNIQUE constraint.
    """
    with Gradebook(db_url) as gradebook:
        known = {student.id for student in gradebook.students}
        for student in sorted(set(students) - known):
            gradebook.update_or_create_student(student)


# -- grading one submission (in a worker process) ---------------------------------------

_apis = {}


def _api(root, submitted=None):
    """nbgrader's API on the course, reading submissions from ``submitted`` (a folder of the grader's)."""
    key = (root, submitted)
    if key not in _apis:
        _apis[key] = nbgrader_api(root, submitted_directory=submitted)
    return _apis[key]


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


def grade_one(root, chapter, student, flags=(), *, workdir=None):
    """Autograde one submission through nbgrader; returns its ``Outcome`` (never raises).

    nbgrader grades a snapshot of the submission in ``workdir`` (a temporary
    folder when None): its regular files only, no link followed, the notebook
    under its expected name. The student's folder is only read.
    """
    start = time.perf_counter()
    flags = list(flags)
    submission = inspect_submission(Path(root) / "submitted" / student / chapter, chapter)
    flags += [f for f in submission.flags if f not in flags]
    own = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="cv-grading-") if own else workdir)
    submitted = workdir / f"submitted-{os.getpid()}"
    try:
        if submission.notebook is not None:
            snapshot_submission(submission, submitted / student / chapter)
            flags += [f for f in submission.flags if f not in flags]
        else:
            (submitted / student / chapter).mkdir(parents=True, exist_ok=True)
        api = _api(str(root), str(submitted))
        for attempt in range(_RETRIES):
            result = api.autograde(chapter, student, force=True, create=True)
            text = (result.get("error") or "") + "\n" + (result.get("log") or "")
            if result["success"] or "database is locked" not in text:
                break
            time.sleep(0.5 * (attempt + 1))
    finally:
        shutil.rmtree(submitted / student, ignore_errors=True)
        if own:
            shutil.rmtree(workdir, ignore_errors=True)
    seconds = time.perf_counter() - start
    if submission.problem or not result["success"]:
        # nbgrader still records the submission, as a plain `nbgrader autograde` would (a missing
        # notebook gets 0 on every cell); the outcome says why it was not graded.
        return Outcome(chapter, student, "failed", error=submission.problem or _real_cause(text), flags=flags,
                       seconds=seconds)
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
    """Grade one submission, ``task = (root, chapter, student, workdir[, unsafe_uncontained])``; never raises."""
    root, chapter, student, workdir = task[:4]
    if len(task) > 4:       # on a cluster's worker, the instructor's choice travels with the task
        if task[4]:
            os.environ[UNSAFE_ENV] = "1"
        else:
            os.environ.pop(UNSAFE_ENV, None)
    try:
        return grade_one(root, chapter, student, workdir=workdir)
    except Exception as error:  # a worker must report, never die
        return Outcome(chapter, student, "failed", error=f"{type(error).__name__}: {error}")


# -- the class ------------------------------------------------------------------------

def _fingerprint(notebook, source, terms=""):
    digest = hashlib.sha256()
    for path in (notebook, source):
        digest.update(Path(path).read_bytes())
    digest.update(terms.encode())
    return digest.hexdigest()


class _Status:
    """The last outcome of every submission, written after each one.

    It lives in the gradebook's database (``status.py``), so every grader of
    the course sees it, with a copy in ``autograded/grading-status.json``.
    """

    def __init__(self, root, db_url):
        self.path = Path(root) / "autograded" / STATUS_FILE
        self.db_url = db_url
        self.entries = read_status(db_url)
        if not self.entries:        # a course graded before the status moved into the gradebook
            try:
                self.entries = json.loads(self.path.read_text())
            except (OSError, ValueError):
                self.entries = {}

    def get(self, chapter, student):
        return self.entries.get(f"{chapter}/{student}")

    def put(self, outcome):
        entry = asdict(outcome)
        self.entries[f"{outcome.chapter}/{outcome.student}"] = entry
        write_status(self.db_url, entry)
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


class UncontainedRefused(RuntimeError):
    """Grading was refused: the student's code could not be contained on this machine."""


def grade_class(root, chapters=(), *, students=None, workers=None, force=False, progress=print,
                unsafe_uncontained=False, scheduler=None):
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
    unsafe_uncontained : bool
        Grade even where bubblewrap cannot contain the students' code, which then
        runs with the grader's view of the files and the network. Without it,
        such a machine raises ``UncontainedRefused`` before anything is graded.
    scheduler : str, optional
        The address of a Dask scheduler (``tcp://host:8786``): the submissions
        are graded on its workers (``cluster.py``) instead of local processes.

    Raises
    ------
    UncontainedRefused
        If the students' code cannot be contained and ``unsafe_uncontained`` is not set.
    cluster.ClusterProblem
        If the cluster at ``scheduler`` cannot grade the course (checked before grading).
    """
    from .sandbox import containment

    root = Path(root).resolve()
    say = progress or (lambda line: None)
    workers = workers or os.cpu_count() or 1
    names = check_chapters(root, list(chapters))
    found = containment()
    if not found.isolated and not unsafe_uncontained and scheduler is None:
        raise UncontainedRefused(
            "grading refused: the students' code cannot be contained on this machine: " + found.reason + ". "
            "Install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap; Fedora: sudo dnf install "
            "bubblewrap) and run again. To grade anyway, with the students' code able to read the course "
            "(solutions/ included), the gradebook and the network, say so: make autograde "
            "UNSAFE_NO_CONTAINMENT=1 (--unsafe-no-containment).")
    api = nbgrader_api(root)
    tasks, outcomes = [], []
    students_of = {chapter: list(students) if students is not None else _students(root, chapter) for chapter in names}
    students_of = {chapter: found for chapter, found in students_of.items() if found}
    for chapter in students_of:
        if ensure_registered(root, chapter):
            say(f"{chapter}: registered in the gradebook from solutions/{chapter}/")
    deadlines = apply_deadlines(root, api.coursedir.db_url, list(students_of))
    # After registering: nbgrader makes the gradebook's tables before the status gets its own.
    status = _Status(root, api.coursedir.db_url)
    for chapter, chapter_students in students_of.items():
        _prepare_gradebook(api.coursedir.db_url)
        source = root / "solutions" / chapter / f"{chapter}.ipynb"
        graded_before = _graded_in_gradebook(api, chapter)
        for student in chapter_students:
            submission = inspect_submission(root / "submitted" / student / chapter, chapter, read=False)
            # A changed notebook, source, due date or extension is graded again without force.
            terms = f"{deadlines.get((chapter, None))}|{deadlines.get((chapter, student))}"
            fingerprint = "" if submission.notebook is None else _fingerprint(submission.notebook, source, terms)
            before = status.get(chapter, student)
            if (fingerprint and not force and before and before.get("fingerprint") == fingerprint
                    and before.get("status") in ("graded", "flagged") and student in graded_before):
                outcomes.append(Outcome(**{**before, "status": "skipped"}))
                continue
            tasks.append(((str(root), chapter, student), fingerprint))
    register_students(api.coursedir.db_url, {task[2] for task, _ in tasks})
    total = len(tasks)
    skipped = sum(o.status == "skipped" for o in outcomes)
    if skipped:
        say(f"{skipped} submission(s) graded before and unchanged: skipped (force=True grades them again)")
    if scheduler is None:
        say(("containment: " if found.isolated else "WARNING: containment: ") + found.describe())
        say(f"grading {total} submission(s) with {min(workers, max(total, 1))} worker process(es)")
    else:
        say(f"grading {total} submission(s) on the Dask cluster at {scheduler}")
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

    # Snapshots of the submissions and the students' helper packages live here, and go with it.
    saved_packages = os.environ.get(PACKAGES_ENV)
    with tempfile.TemporaryDirectory(prefix="cv-grading-") as workdir:
        os.environ[PACKAGES_ENV] = workdir
        if unsafe_uncontained:
            os.environ[UNSAFE_ENV] = "1"
        try:
            if scheduler is not None:
                from .cluster import grade_on_cluster

                grade_on_cluster(scheduler, tasks, finished, root=root, db_url=api.coursedir.db_url,
                                 unsafe_uncontained=unsafe_uncontained, say=say)
            elif workers <= 1 or total <= 1:
                for done, (task, fingerprint) in enumerate(tasks, start=1):
                    finished(_grade_task((*task, workdir)), fingerprint, done)
            else:
                context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
                with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                    futures = {pool.submit(_grade_task, (*task, workdir)): fingerprint for task, fingerprint in tasks}
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
        finally:
            os.environ.pop(UNSAFE_ENV, None)
            if saved_packages is None:
                os.environ.pop(PACKAGES_ENV, None)
            else:
                os.environ[PACKAGES_ENV] = saved_packages
    _write_csv(root, status)
    for line in summary(outcomes, time.perf_counter() - start):
        say(line)
    if scheduler is None:
        say(("student code ran " if found.isolated else "WARNING: student code ran ") + found.describe())
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


def autograde_class(root, chapter, *, students=None, report=print, workers=1, force=True, unsafe_uncontained=False):
    """Grade one chapter; ``{student: {grade_id: (score, max_score)}}``, or the error text for a failure."""
    outcomes = grade_class(root, [chapter], students=students, workers=workers, force=force, progress=report,
                           unsafe_uncontained=unsafe_uncontained)
    return {o.student: (o.error or "failed") if o.status == "failed"
            else {k: tuple(v) for k, v in o.cells.items()} for o in outcomes}
