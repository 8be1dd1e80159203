"""Feedback for a class: one HTML file per graded submission, one failure never stopping the rest.

``make feedback`` runs ``feedback_class``. For every chapter (all when none
is named) and every student with a graded notebook in ``autograded/``, it
asks nbgrader for ``feedback/<student>/<chapter>/<chapter>.html``, prints one
line each, and at the end lists the submissions whose feedback could not be
written, with nbgrader's reason.
"""

from pathlib import Path

from .course import check_chapters, nbgrader_api

__all__ = ["feedback_class"]


def _graded(root, chapter):
    folder = Path(root) / "autograded"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / chapter / f"{chapter}.ipynb").is_file())


def feedback_class(root, chapters=(), *, students=None, progress=print):
    """Write the feedback of every graded submission; returns ``{(chapter, student): error or ""}``."""
    from .batch import _real_cause

    say = progress or (lambda line: None)
    api = nbgrader_api(root)
    results = {}
    for chapter in check_chapters(root, list(chapters)):
        graded = _graded(root, chapter)
        for student in (s for s in graded if students is None or s in students):
            try:
                result = api.generate_feedback(chapter, student, force=True)
            except Exception as error:  # one submission's failure must not stop the others
                result = {"success": False, "error": f"{type(error).__name__}: {error}"}
            error = "" if result.get("success") else _real_cause(result.get("error") or result.get("log") or "")
            results[(chapter, student)] = error
            say(f"{chapter} {student}: " + (f"FAILED ({error})" if error else f"feedback/{student}/{chapter}/"))
    failed = [(key, error) for key, error in results.items() if error]
    say(f"feedback written for {len(results) - len(failed)} of {len(results)} graded submission(s)")
    for (chapter, student), error in failed:
        say(f"  no feedback for {chapter} {student}: {error}")
    return results
