"""python -m source_helpers.grading {release,outputs,try} [chapter ...]

release   regenerate notebooks/<chapter>/ from solutions/<chapter>/
outputs   run solutions/<chapter>/<chapter>.ipynb, keep the outputs nbval checks
try       grade the blank release and the solution in a scratch folder, print the scores
"""

import sys
import tempfile
import time

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


def main(argv):
    if not argv or argv[0] not in ("release", "outputs", "try"):
        print(__doc__)
        return 2
    root = course_root()
    command, names = argv[0], check_chapters(root, argv[1:])
    if command == "release":
        generate_release(root, names)
    elif command == "outputs":
        for name in names:
            start = time.perf_counter()
            store_checked_outputs(root / "solutions" / name / f"{name}.ipynb")
            print(f"{name}: outputs stored ({time.perf_counter() - start:.1f} s)")
    else:
        return _try(root, names)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
