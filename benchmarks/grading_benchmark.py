"""Grade a simulated class with plain serial ``nbgrader autograde`` and with the course's command.

    .venv/bin/python benchmarks/grading_benchmark.py [--students 60] [--workers 2] [--chapters ...]
                                                     [--kernel] [--skip-serial] [--dask]

Both runs grade the same submissions, in two copies of a scratch course
(with the course's nbgrader_config.py, so both use the contained grader):

- serial: ``nbgrader autograde <chapter>`` for each chapter, one process;
- course: ``python -m source_helpers.grading autograde`` with ``--workers``
  processes (default: the number of cores).

The class mixes correct, partly correct, blank and broken submissions (a
malformed file, a pasted test cell, a syntax error). The script prints wall
times, their ratio, the time per submission, and whether the two gradebooks
hold the same scores. ``--kernel`` adds a third run: serial nbgrader with its
own kernel-based ``Execute`` (the configuration before the contained grader),
for the cost of containment per submission. ``--dask`` adds the course command
sent to a Dask ``LocalCluster`` of ``--workers`` worker processes (one thread
each) on this machine: the engine's overhead against the process pool. Where two gradebooks differ, the
script lists the differing submissions by kind with an example's two totals
(nbgrader's own pipeline scores a submission with a pasted test cell 0).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from source_helpers.grading.course import chapters as all_chapters  # noqa: E402
from source_helpers.grading.course import nbgrader_api  # noqa: E402
from source_helpers.grading.trial import answer_with_solution, nbgrader_meta  # noqa: E402

BIN = Path(sys.executable).parent
KERNEL_CONFIG = """
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearOutput, DeduplicateIds, Execute,
                                    IgnorePattern, LimitOutput, OverwriteCells, OverwriteKernelspec, SaveAutoGrades)
c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata]
c.Autograde.autograde_preprocessors = [Execute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
                                       AssignLatePenalties, CheckCellMetadata]
c.IgnorePattern.pattern = r"Warning:"
"""


def make_course(folder, chapters):
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    for chapter in chapters:
        shutil.copytree(ROOT / "solutions" / chapter, folder / "solutions" / chapter)
    api = nbgrader_api(folder)
    for chapter in chapters:
        assert api.generate_assignment(chapter, force=True)["success"], chapter
    return folder


def kind_of(number):
    """What submission ``student<number>`` hands in (see ``submissions``)."""
    if number % 4 < 3:
        return ("correct", "partly correct", "blank")[number % 4]
    return ("malformed file", "pasted test cell", "syntax error")[number % 3]


def submissions(course, chapter, students):
    """``{student: notebook or text}``: a quarter each correct, partly correct, blank, broken."""
    release = nbformat.read(course / "notebooks" / chapter / f"{chapter}.ipynb", as_version=4)
    source = nbformat.read(course / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
    solved = answer_with_solution(release, source)
    answers = [i for i, c in enumerate(solved.cells) if nbgrader_meta(c).get("solution")]
    result = {}
    for number in range(students):
        student = f"student{number:03d}"
        kind = kind_of(number)
        if kind == "correct":
            result[student] = solved
        elif kind == "partly correct":
            partly = nbformat.from_dict(solved)
            partly.cells[answers[number % len(answers)]] = nbformat.from_dict(release.cells[answers[number % len(answers)]])
            result[student] = partly
        elif kind == "blank":
            result[student] = release
        elif kind == "malformed file":
            result[student] = '{"cells": [ broken'
        elif kind == "pasted test cell":
            pasted = nbformat.from_dict(solved)
            first = next(i for i, c in enumerate(pasted.cells) if nbgrader_meta(c).get("grade"))
            pasted.cells.insert(first, nbformat.from_dict(pasted.cells[first]))
            pasted.cells[first]["id"] = "pasted"
            result[student] = pasted
        else:
            typo = nbformat.from_dict(solved)
            typo.cells[answers[0]].source = typo.cells[answers[0]].source.replace("def ", "def def ", 1)
            result[student] = typo
    return result


def write_class(course, chapters, students):
    count = 0
    for chapter in chapters:
        for student, notebook in submissions(course, chapter, students).items():
            target = course / "submitted" / student / chapter / f"{chapter}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(notebook, str):
                target.write_text(notebook)
            else:
                nbformat.write(notebook, target)
            count += 1
    return count


def scores(course):
    api = nbgrader_api(course)
    found = {}
    with Gradebook(api.coursedir.db_url) as gradebook:
        for assignment in gradebook.assignments:
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        found[(assignment.name, submission.student.id, grade.name)] = grade.score
    return found


def run(command, cwd):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode not in (0, 1):
        print(result.stdout[-2000:], result.stderr[-2000:])
        raise SystemExit(f"{command[0]} failed")
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--chapters", nargs="*", default=None)
    parser.add_argument("--kernel", action="store_true", help="also time nbgrader's own kernel-based grading")
    parser.add_argument("--skip-serial", action="store_true")
    parser.add_argument("--dask", action="store_true", help="also grade on a Dask LocalCluster")
    args = parser.parse_args()
    chapters = args.chapters or all_chapters(ROOT)
    with tempfile.TemporaryDirectory(prefix="grading-benchmark-") as scratch:
        scratch = Path(scratch)
        base = make_course(scratch / "base", chapters)
        count = write_class(base, chapters, args.students)
        print(f"{args.students} students x {len(chapters)} chapters = {count} submissions "
              f"(correct, partly correct, blank, broken), {os.cpu_count()} cores", flush=True)
        rows = []
        runs = [("course command", ["python", "-m", "source_helpers.grading", "autograde",
                                    "--workers", str(args.workers), *chapters])]
        if not args.skip_serial:
            runs.insert(0, ("serial nbgrader autograde", None))
        if args.kernel:
            runs.append(("serial nbgrader, kernel Execute", "kernel"))
        cluster = None
        if args.dask:
            import dask
            from distributed import LocalCluster

            with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}):
                cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=50)
            runs.append(("course command on Dask", ["python", "-m", "source_helpers.grading", "autograde",
                                                    "--scheduler", cluster.scheduler_address, *chapters]))
        results = {}
        for name, command in runs:
            course = scratch / name.replace(" ", "-").replace(",", "")
            shutil.copytree(base, course)
            if command == "kernel":
                with open(course / "nbgrader_config.py", "a") as config:
                    config.write(KERNEL_CONFIG)
            if command is None or command == "kernel":
                seconds = sum(run([str(BIN / "nbgrader"), "autograde", chapter], course) for chapter in chapters)
            else:
                command[0] = sys.executable
                seconds = run(command, course)
            results[name] = scores(course)
            rows.append((name, seconds))
            print(f"{name}: {seconds:.1f} s", flush=True)
        if cluster is not None:
            cluster.close()
        print(f"\n{'run':34} {'wall time':>10} {'per submission':>15} {'vs serial':>10}")
        serial = rows[0][1]
        for name, seconds in rows:
            print(f"{name:34} {seconds:9.1f}s {seconds / count:14.2f}s {serial / seconds:9.2f}x")
        names = list(results)
        if len(names) > 1:
            reference = results[names[0]]
            for name in names[1:]:
                same = results[name] == reference
                differ = sorted(k for k in set(reference) | set(results[name]) if reference.get(k) != results[name].get(k))
                print(f"gradebooks of '{names[0]}' and '{name}': {'identical' if same else 'DIFFERENT'}"
                      f" ({len(reference)} grades{'' if same else f', {len(differ)} differ'})")
                by_kind = {}
                for chapter, student, _ in differ:
                    by_kind.setdefault(kind_of(int(student.removeprefix("student"))), set()).add((chapter, student))
                for kind, where in sorted(by_kind.items()):
                    chapter, student = min(where)
                    here, there = (sum(score for (c, s, _), score in run.items() if (c, s) == (chapter, student))
                                   for run in (reference, results[name]))
                    print(f"  {len(where)} submissions of the kind '{kind}', e.g. {student} in {chapter}:"
                          f" scored {here:g} in the first run and {there:g} in the second")


if __name__ == "__main__":
    main()
