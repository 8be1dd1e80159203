"""python -m source_helpers.grading {release,outputs,try,autograde} [chapter ...]

release    regenerate notebooks/<chapter>/ from solutions/<chapter>/
outputs    run solutions/<chapter>/<chapter>.ipynb, keep the outputs nbval checks
try        grade the blank release and the solution in a scratch folder, print the scores
autograde  grade every submission in submitted/ one student at a time, with progress
"""

import sys
import tempfile
import time
import warnings

from .batch import autograde_class
from .course import check_chapters, course_root, generate_release
from .outputs import store_checked_outputs
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


def main(argv):
    if not argv or argv[0] not in ("release", "outputs", "try", "autograde"):
        print(__doc__)
        return 2
    try:
        root = course_root()
        command, names = argv[0], check_chapters(root, argv[1:])
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if command == "release":
        generate_release(root, names)
    elif command == "outputs":
        for name in names:
            start = time.perf_counter()
            store_checked_outputs(root / "solutions" / name / f"{name}.ipynb")
            print(f"{name}: outputs stored ({time.perf_counter() - start:.1f} s)")
    elif command == "autograde":
        failed = 0
        for name in names:
            results = autograde_class(root, name)
            failed += sum(isinstance(r, str) for r in results.values())
        return 1 if failed else 0
    else:
        return _try(root, names)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
