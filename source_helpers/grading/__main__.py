"""python -m source_helpers.grading COMMAND [chapter ...] [options]

release    regenerate notebooks/<chapter>/ from solutions/<chapter>/
outputs    run solutions/<chapter>/<chapter>.ipynb, keep the outputs nbval checks
try        grade the blank release and the solution in a scratch folder, print the scores
autograde  grade every submission in submitted/ (all chapters when none is named):
           --workers N   worker processes (default: number of cores)
           --force       grade again what was graded before and has not changed
           --students A,B  only these students
           --unsafe-no-containment  grade even where bubblewrap is missing, with the students'
                         code able to read the course, the gradebook and the network
           --scheduler tcp://host:8786  grade on the workers of a Dask cluster
feedback   write feedback/<student>/<chapter>/<chapter>.html for every graded submission
           (--students A,B for some); one failure does not stop the others
roster FILE.csv   add the class (columns id, first_name, last_name, email) to the gradebook
backup [FOLDER]   a consistent copy of the gradebook in FOLDER (default backups/), safe while grading
lms --format canvas|moodle [--out FILE]   grades as the CSV Canvas or Moodle imports, one row per
                  student, one column per chapter (default FILE: grades-canvas.csv, grades-moodle.csv)
"""

import argparse
import sys
from pathlib import Path
import tempfile
import time
import warnings

from .batch import UncontainedRefused, grade_class
from .course import check_chapters, course_root, generate_release
from .feedback import feedback_class
from .outputs import store_checked_outputs
from .lms import FORMATS, export_lms
from .term import backup_gradebook, import_roster
from .trial import try_chapter


def _try(root, names):
    failed = False
    for name in names:
        with tempfile.TemporaryDirectory(prefix=f"try-{name}-") as workdir:
            start = time.perf_counter()
            results = try_chapter(root, name, workdir)
            print(f"{name} ({time.perf_counter() - start:.1f} s)")
            for student, cells in results.items():
                if isinstance(cells, str):
                    print(f"  {student}: autograde failed\n{cells}")
                    failed = True
                    continue
                for grade_id, (score, max_score) in cells.items():
                    wrong = score != (0 if student == "blank" else max_score)
                    failed |= wrong
                    print(f"  {student:8} {grade_id:32} {score:g}/{max_score:g}{'  <-- unexpected' if wrong else ''}")
    return 1 if failed else 0


# nbgrader 0.9.6's gradebook warns on every autograde; the warnings say nothing to the user.
warnings.filterwarnings("ignore", module="nbgrader.api")
warnings.filterwarnings("ignore", message=".*not in session.*")


COMMANDS = ["release", "outputs", "try", "autograde", "feedback", "roster", "backup", "lms"]


def _term(root, args):
    """The roster, backup and lms commands: they take a path or a format, not chapters."""
    from .course import nbgrader_api

    db_url = nbgrader_api(root).coursedir.db_url
    if args.command == "lms":
        if args.format is None:
            raise ValueError(f"lms needs --format, one of {', '.join(FORMATS)}")
        if args.chapters:
            raise ValueError("lms takes no chapters: every chapter of the gradebook is a column")
        target = Path(args.out) if args.out else Path(root) / f"grades-{args.format}.csv"
        failed = export_lms(db_url, args.format, target)
        print(f"grades for {args.format} written to {target}")
        for name in failed:
            print(f"  left empty, not gradable (see make export): {name}")
    elif args.command == "roster":
        if len(args.chapters) != 1:
            raise ValueError("roster takes one file: python -m source_helpers.grading roster roster.csv")
        added, updated = import_roster(db_url, args.chapters[0])
        print(f"roster {args.chapters[0]}: {added} student(s) added, {updated} updated")
    else:
        target = backup_gradebook(db_url, args.chapters[0] if args.chapters else Path(root) / "backups")
        print(f"gradebook backed up to {target}")
    return 0


def _parser():
    parser = argparse.ArgumentParser(prog="python -m source_helpers.grading", description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("command", choices=COMMANDS)
    parser.add_argument("chapters", nargs="*")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--students", default=None)
    parser.add_argument("--unsafe-no-containment", action="store_true")
    parser.add_argument("--scheduler", default=None)
    parser.add_argument("--format", default=None, choices=FORMATS)
    parser.add_argument("--out", default=None)
    return parser


def main(argv):
    parser = _parser()
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 2
    args = parser.parse_intermixed_args(argv)
    if args.workers is not None and args.workers < 1:
        print(f"error: --workers must be at least 1; got {args.workers}", file=sys.stderr)
        return 2
    try:
        root = course_root()
        if args.command in ("roster", "backup", "lms"):
            return _term(root, args)
        names = check_chapters(root, args.chapters)
    except (FileNotFoundError, ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.command == "release":
        generate_release(root, names)
    elif args.command == "outputs":
        for name in names:
            start = time.perf_counter()
            store_checked_outputs(root / "solutions" / name / f"{name}.ipynb")
            print(f"{name}: outputs stored ({time.perf_counter() - start:.1f} s)")
    elif args.command == "autograde":
        students = [s for s in args.students.split(",") if s] if args.students else None
        try:
            outcomes = grade_class(root, args.chapters, students=students, workers=args.workers, force=args.force,
                                   progress=lambda line: print(line, flush=True),
                                   unsafe_uncontained=args.unsafe_no_containment, scheduler=args.scheduler)
        except KeyboardInterrupt:
            return 130
        except UncontainedRefused as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        except RuntimeError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        return 1 if any(o.status == "failed" for o in outcomes) else 0
    elif args.command == "feedback":
        students = [s for s in args.students.split(",") if s] if args.students else None
        results = feedback_class(root, args.chapters, students=students, progress=lambda line: print(line, flush=True))
        return 1 if any(results.values()) else 0
    else:
        return _try(root, names)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
