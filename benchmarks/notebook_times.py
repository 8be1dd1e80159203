"""How long each chapter takes to run and to grade.

For every chapter (or those named on the command line): the median wall
time of executing the solution notebook from a fresh kernel, and of
autograding one submission (the filled-in release) in a scratch course.
Run from the repository root:

    .venv/bin/python benchmarks/notebook_times.py [--repeat 3] [chapter ...]
"""

import argparse
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from source_helpers.grading.course import check_chapters, course_root
from source_helpers.grading.trial import (
    answer_with_solution,
    grade_submissions,
    release_notebook,
    scratch_course,
    source_notebook,
)


def execute_seconds(path):
    notebook = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - start


def autograde_seconds(root, chapter, repeat):
    with tempfile.TemporaryDirectory() as workdir:
        api = scratch_course(root, chapter, workdir)
        solved = answer_with_solution(release_notebook(api, chapter), source_notebook(api, chapter))
        times = []
        for i in range(repeat):
            start = time.perf_counter()
            grade_submissions(api, chapter, {f"student{i}": solved})
            times.append(time.perf_counter() - start)
        return times


# nbgrader 0.9.6's gradebook warns on every autograde; the warnings say nothing to the user.
warnings.filterwarnings("ignore", module="nbgrader.api")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root = course_root()
    print(f"{'chapter':24} {'execute (median s)':>19} {'autograde (median s)':>21}")
    for chapter in check_chapters(root, args.chapters):
        path = Path(root) / "solutions" / chapter / f"{chapter}.ipynb"
        execute = statistics.median(execute_seconds(path) for _ in range(args.repeat))
        grade = statistics.median(autograde_seconds(root, chapter, args.repeat))
        print(f"{chapter:24} {execute:19.2f} {grade:21.2f}")


if __name__ == "__main__":
    main()
