"""Which helper is the course's reference answer to which graded exercise.

Most graded exercises have a reference implementation in this package,
under the exercise's own name (``sh.find_watershed`` answers chapter 04's
``find_watershed``), so that later chapters can build on a correct version.
The decorator ``reference(chapter)`` records that link::

    @reference("04-watershed")
    def find_watershed(binary, min_distance=10, *, footprint=None):
        ...

Handing an exercise to its own reference earns nothing, and the course
says so at once:

- While a student's answer runs inside ``checks.call``, the references of
  that chapter's exercises are *blocked*: calling one raises
  ``ReferenceBlocked`` with a message that names it. References of earlier
  chapters stay usable, as the text of later chapters invites.
- When a submission is graded, the student's code runs in a separate
  process whose copy of this package has the chapter's references removed
  altogether (``grading.sandbox`` builds it with ``REFERENCES``), so no
  trick inside the student's process can bring them back.
"""

import contextlib
import functools

__all__ = ["REFERENCES", "EQUIVALENTS", "ReferenceBlocked", "reference", "blocked", "chapter_of", "blocked_message"]

#: ``{exercise name: chapter}`` for every registered reference.
REFERENCES = {}

#: ``{helper name: (chapter, exercise)}`` for helpers that compute an exercise under another name.
EQUIVALENTS = {}

# Chapters whose references refuse to run right now (see ``blocked``).
_blocked_chapters = set()


class ReferenceBlocked(RuntimeError):
    """A student's answer called the course's reference answer to its own chapter's exercise."""


def blocked_message(name, same_as=None):
    """What a student reads when their answer called the reference ``sh.<name>``."""
    what = (f"the course's reference answer to this chapter's exercise `{name}`" if same_as is None
            else f"a course helper that computes this chapter's exercise `{same_as}`")
    return (
        f"your answer calls `sh.{name}`, {what}. Write it yourself: NumPy, SciPy, scikit-image and the "
        "helpers of earlier chapters are all allowed."
    )


def reference(chapter, *, same_as=None):
    """Register the decorated function as the reference answer to the exercise of its name in ``chapter``.

    Parameters
    ----------
    chapter : str
        The chapter's folder name, e.g. ``"04-watershed"``.
    same_as : str, optional
        For a helper that is not named after an exercise but computes what
        exercise ``same_as`` asks (``label_overlaps`` holds ``iou_matrix``):
        it is blocked and removed like the exercise's own reference.

    Examples
    --------
    >>> @reference("99-example")
    ... def halve(x):
    ...     return x / 2
    >>> halve(3)
    1.5
    >>> with blocked("99-example"):
    ...     halve(3)
    Traceback (most recent call last):
    ...
    source_helpers.exercises.ReferenceBlocked: your answer calls `sh.halve`, ...
    >>> del REFERENCES["halve"]
    """
    if not (isinstance(chapter, str) and chapter[:2].isdigit() and chapter[2:3] == "-"):
        raise ValueError(f"`chapter` must be a chapter folder name such as '04-watershed'; got {chapter!r}.")

    def register(function):
        name = function.__name__
        if same_as is not None:
            EQUIVALENTS[name] = (chapter, same_as)
        else:
            if REFERENCES.get(name, chapter) != chapter:
                raise ValueError(f"`{name}` is already the reference of an exercise in {REFERENCES[name]}.")
            REFERENCES[name] = chapter

        @functools.wraps(function)
        def guarded(*args, **kwargs):
            if chapter in _blocked_chapters:
                raise ReferenceBlocked(blocked_message(name, same_as))
            return function(*args, **kwargs)

        return guarded

    return register


def chapter_of(name):
    """The chapter whose exercise ``name`` is, or None when no reference has that name."""
    return REFERENCES.get(name)


@contextlib.contextmanager
def blocked(*chapters):
    """Block the references of ``chapters`` for the duration of the ``with`` block."""
    added = [c for c in chapters if c is not None and c not in _blocked_chapters]
    _blocked_chapters.update(added)
    try:
        yield
    finally:
        _blocked_chapters.difference_update(added)
