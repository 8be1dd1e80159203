"""Assertions for the test cells of the course notebooks.

Every check raises ``AssertionError`` with a message written for a student:
what was expected, what arrived, and the likely mistake behind the
difference (swapped axes, wrong dtype, flipped image...). Checks look at the
type, then dtype and shape, before they compare values, so an object that
claims to equal everything cannot pass. Their own frames are hidden from
tracebacks (``__tracebackhide__``), so a failing test shows the message,
not the checker's code. IPython itself always shows the last frame of a
traceback, hidden or not; imported in an IPython kernel (a notebook, or
nbgrader's Validate), this module therefore registers an exception handler
that drops its frames from an ``AssertionError``'s traceback and from the
tracebacks of the errors chained to it, so the student reads their own
lines and the message. Plain Python and pytest are unaffected.

Hidden tests pass ``reveal=False``: the message then says what is wrong
without printing the expected values, because nbgrader shows the messages
of hidden tests in the feedback.

``call`` runs a student's function the way a test should:

- the function gets copies of the test's arrays (also inside lists, tuples
  and dicts), so whatever it does to its arguments, the test's own inputs
  stay as they were and expected values computed from them are right;
  ``call_unchanged`` also fails if the function changed one of them (for the
  exercises that forbid it);
- the course's reference answers to the exercises of the function's chapter
  refuse to run meanwhile (``exercises.blocked``), so handing the exercise to
  ``sh.<name>`` fails with a message that says so;
- warnings are shown as notes on standard output, and anything printed to
  standard error goes to standard output too (in nbgrader, a test cell that
  writes to standard error scores 0);
- the untouched ``raise NotImplementedError()`` stub, and any other error of
  the student's code, become a message that names the likely cause.

When a submission is graded, the student's functions run in a sandbox and
reach the test as stand-ins that raise ``AnswerFailed`` (see
``grading/contained.py``); ``call`` explains those the same way.
"""

import contextlib
import itertools
import re
import sys
import types
import warnings

import numpy as np

from .exercises import REFERENCES, ReferenceBlocked, blocked

__all__ = [
    "AnswerFailed",
    "call",
    "call_unchanged",
    "check_answered",
    "check_type",
    "check_array",
    "check_array_equal",
    "check_allclose",
    "check_equal",
    "check_close",
    "check_same_labels",
    "check_unchanged",
    "check_probability",
    "check_axes_moved",
    "check_known_mistakes",
    "reusing",
]


class AnswerFailed(Exception):
    """A student's function failed where the grader ran it: it raised, ran out of time, or its process died.

    ``ename`` is the name of the error (``"IndexError"``, ``"Timeout"``,
    ``"ProcessDied"``...), ``evalue`` its message, ``traceback`` the student's
    own frames as text.
    """

    def __init__(self, ename, evalue, traceback=""):
        super().__init__(f"{ename}: {evalue}")
        self.ename = ename
        self.evalue = evalue
        self.traceback = traceback


# (error name, pattern in its message, what it usually means)
_ERROR_HINTS = [
    ("IndexError", r"axis 0 with size", "Axis 0 counts the rows: did you swap height and width, or (row, col) and (x, y)?"),
    ("IndexError", r"axis 1 with size", "Axis 1 counts the columns: did you swap height and width, or (row, col) and (x, y)?"),
    ("IndexError", r"too many indices", "The array has fewer axes than your index: a grayscale image takes image[row, col]."),
    ("IndexError", r"only integers, slices", "Array indices must be whole numbers: convert with int(...), or use // instead of /."),
    ("TypeError", r"'NoneType'", "A value is None: did one of your functions forget its `return`?"),
    ("TypeError", r"integer scalar arrays|only integer scalar|cannot be interpreted as an integer",
     "A size or an index must be a whole number: convert with int(...)."),
    ("RuntimeError", r"structure and input must have (the )?same dimensionality|structure",
     "SciPy's binary_erosion, binary_dilation and binary_opening take `structure` as their second positional "
     "argument: pass the number of repetitions by name, iterations=..."),
    ("ValueError", r"broadcast", "Two arrays have shapes that do not fit together: print their .shape and compare."),
    ("ValueError", r"truth value of an array", "`and`, `or`, `not` and `if` need one True or False, not an array: "
     "combine masks pixel by pixel with &, | and ~ (or np.logical_and, np.logical_or, np.logical_not)."),
    ("UFuncTypeError", r"[Cc]annot cast", "In-place arithmetic (+=, /=) keeps the array's dtype: compute into a new "
     "array, e.g. image.astype(np.float64) / ..."),
    ("ZeroDivisionError", r"", "A division by zero: what happens for a constant image or an empty mask?"),
    ("NameError", r"", "A name is not defined: run the notebook's first cell (the imports), and the cells your answer "
     "relies on, then this one again."),
    ("MemoryError", r"", "Your code asked for far more memory than an image needs: check the shape you pass to np.zeros "
     "and friends."),
    ("RecursionError", r"", "A function calls itself without end."),
]


def _explain(name, ename, evalue):
    """The message for a student's function that raised ``ename: evalue``."""
    if ename == "NotImplementedError":
        return (f"`{name}` is not written yet: replace `raise NotImplementedError()` in its answer cell with your "
                "code, run that cell, then run this test cell again.")
    if ename == "ReferenceBlocked":
        return f"`{name}` earns nothing this way: {evalue}"
    if ename in ("Timeout", "ProcessDied", "NotGraded", "ProtocolError"):
        return evalue
    text = f"`{name}` raised {ename}: {evalue}".rstrip()
    if not text.endswith((".", "?", "!")):
        text += "."
    for error_name, pattern, hint in _ERROR_HINTS:
        if error_name == ename and re.search(pattern, evalue):
            return f"{text} {hint}"
    return text


def _chapters_of(function, caller_globals):
    """Chapters of the exercises that ``function`` answers, by its own name and the names bound to it."""
    names = {getattr(function, "__name__", None)}
    names |= {key for key, value in caller_globals.items() if value is function}
    return {REFERENCES[n] for n in names if n in REFERENCES}


def _copied(value, memo):
    """``value`` with every NumPy array in it, also inside lists, tuples and dicts, replaced by a copy.

    Lists and dicts are always rebuilt (so the function cannot change the
    caller's containers either), tuples only when something in them was
    copied. Everything else, generators and proxy objects included, is
    passed as it is. ``memo`` maps ``id`` of an original to its copy, so an
    array passed twice arrives twice as one and the same copy.
    """
    if id(value) in memo:
        return memo[id(value)][1]
    if isinstance(value, np.ndarray):
        copy = np.array(value, copy=True, subok=True)
    elif type(value) is list:
        copy = []
        memo[id(value)] = (value, copy)
        copy.extend(_copied(item, memo) for item in value)
    elif type(value) is dict:
        copy = {}
        memo[id(value)] = (value, copy)
        copy.update((key, _copied(item, memo)) for key, item in value.items())
    elif type(value) is tuple or (isinstance(value, tuple) and hasattr(type(value), "_make")):
        items = [_copied(item, memo) for item in value]
        if all(a is b for a, b in zip(items, value)):
            return value
        copy = tuple(items) if type(value) is tuple else type(value)._make(items)
    else:
        return value
    memo[id(value)] = (value, copy)   # keeps the original alive while its id is a key
    return copy


def _array_pairs(original, copy, path=()):
    """``(path, original array, its copy)`` for every array in ``original``, as ``_copied`` laid them out."""
    if isinstance(original, np.ndarray):
        yield path, original, copy
    elif isinstance(original, (list, tuple)) and isinstance(copy, (list, tuple)) and copy is not original:
        for index, (item, item_copy) in enumerate(zip(original, copy)):
            yield from _array_pairs(item, item_copy, path + (index,))
    elif isinstance(original, dict) and isinstance(copy, dict) and copy is not original:
        for key, item in original.items():
            if key in copy:
                yield from _array_pairs(item, copy[key], path + (key,))


def _same_array(original, after):
    """Whether ``after`` still has the shape, dtype and values of ``original`` (NaN equal to NaN)."""
    if after.shape != original.shape or after.dtype != original.dtype:
        return False
    return np.array_equal(original, after, equal_nan=original.dtype.kind in "fc")


_ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]


def _argument_name(key, path):
    """How a student reads which argument changed: "its first argument", "its argument `separate`"..."""
    if isinstance(key, int):
        where = f"its {_ORDINALS[key]} argument" if key < len(_ORDINALS) else f"its argument number {key + 1}"
    else:
        where = f"its argument `{key}`"
    if path:
        where = "an array inside " + where + "".join(f"[{item!r}]" for item in path)
    return where


def _run(function, args, kwargs, caller_globals):
    """``function(*args, **kwargs)`` with the course's references blocked; its result, or ``_fail``."""
    __tracebackhide__ = True
    name = getattr(function, "__name__", None) or repr(function)
    if not callable(function):
        _fail(
            f"`{name}` should be a function, but it is {_with_article(type(function).__name__)}. "
            "Did you overwrite it with a value? Run its answer cell again."
        )
    chapters = _chapters_of(function, caller_globals)
    failure = cause = None
    with blocked(*chapters), warnings.catch_warnings(record=True) as caught, \
            contextlib.redirect_stderr(sys.stdout):
        warnings.simplefilter("always")
        try:
            result = function(*args, **kwargs)
        except AnswerFailed as error:
            failure = _explain(name, error.ename, error.evalue)
        except ReferenceBlocked as error:
            failure = _explain(name, "ReferenceBlocked", str(error))
        except NotImplementedError:
            failure = _explain(name, "NotImplementedError", "")
        except Exception as error:  # the student's code may raise anything
            failure, cause = _explain(name, type(error).__name__, str(error)), error
    for warning in caught[:5]:
        print(f"[{name} warned]\n{warning.category.__name__}: {warning.message}")
    if failure is not None:
        _fail(failure, cause)
    return result


def call(function, *args, **kwargs):
    """Call a student's ``function(*args, **kwargs)`` on copies of its arrays; return its result, or explain why it failed.

    Every NumPy array among ``args`` and ``kwargs``, also inside lists,
    tuples and dicts (at any depth), reaches ``function`` as a copy of the
    same dtype; the lists and dicts themselves are new ones. Everything else
    (numbers, strings, ``np.random.Generator`` objects, which advance as the
    function draws from them, functions, any other object) is passed as it
    is. So whatever ``function`` does to its arguments, the caller's arrays
    stay as they were, and expected values computed from them, before or
    after the call, come from untouched inputs. A function that changes its
    input in place is judged on what it returns; to forbid the change, use
    ``call_unchanged``.

    Parameters
    ----------
    function : callable
        The student's function (or, when grading, the stand-in that runs it
        in the sandbox).
    *args, **kwargs
        Its arguments.

    Returns
    -------
    object
        What ``function`` returned.

    Raises
    ------
    AssertionError
        If ``function`` is not callable, still raises the ``NotImplementedError``
        of the blank answer cell, calls the reference answer of its own
        chapter, or raises any other error (the message names it and its
        likely cause).

    Examples
    --------
    >>> call(max, 3, 5)
    5
    >>> def double_in_place(x):
    ...     x *= 2
    ...     return x
    >>> image = np.array([1, 2, 3])
    >>> call(double_in_place, image)
    array([2, 4, 6])
    >>> image
    array([1, 2, 3])
    >>> def halve(x):
    ...     raise NotImplementedError()
    >>> call(halve, 4)
    Traceback (most recent call last):
    ...
    AssertionError: `halve` is not written yet: replace `raise NotImplementedError()` in its answer cell ...
    """
    __tracebackhide__ = True
    memo = {}
    return _run(function, _copied(args, memo), {key: _copied(value, memo) for key, value in kwargs.items()},
                sys._getframe(1).f_globals)


def call_unchanged(function, *args, **kwargs):
    """Like ``call``, and fail if ``function`` changed one of the arrays it was given.

    For the exercises whose task says "do not change the input". After the
    call, every copy handed to ``function`` is compared with the caller's
    array: shape, dtype and values (NaN equal to NaN). Only the state after
    the call counts: an array changed and restored before returning passes.

    Raises
    ------
    AssertionError
        For the same reasons as ``call``; or if ``function`` changed an
        array among its arguments: the message names the argument (its
        position, or its name for a keyword argument).

    Examples
    --------
    >>> def brighten(a, amount):
    ...     a += amount
    ...     return a
    >>> image = np.array([1, 2, 3], dtype=np.uint8)
    >>> call_unchanged(brighten, image, 10)
    Traceback (most recent call last):
    ...
    AssertionError: `brighten` changed its first argument in place (a `+=` or an assignment into it?); ...
    >>> image
    array([1, 2, 3], dtype=uint8)
    >>> call_unchanged(np.add, image, 10)
    array([11, 12, 13], dtype=uint8)
    """
    __tracebackhide__ = True
    memo = {}
    copied_args = _copied(args, memo)
    copied_kwargs = {key: _copied(value, memo) for key, value in kwargs.items()}
    result = _run(function, copied_args, copied_kwargs, sys._getframe(1).f_globals)
    name = getattr(function, "__name__", None) or repr(function)
    arguments = [(index, value, copied_args[index]) for index, value in enumerate(args)]
    arguments += [(key, value, copied_kwargs[key]) for key, value in kwargs.items()]
    for key, original, copy in arguments:
        for path, before, after in _array_pairs(original, copy):
            if not _same_array(before, after):
                detail = ""
                if after.shape != before.shape:
                    detail = f" (its shape went from {before.shape} to {after.shape})"
                elif after.dtype != before.dtype:
                    detail = f" (its dtype went from {before.dtype} to {after.dtype})"
                _fail(f"`{name}` changed {_argument_name(key, path)} in place{detail} (a `+=` or an assignment "
                      "into it?); the exercise asks you to leave its input as it was, since the caller still "
                      "needs it: work on a copy (`image = image.copy()`, with your argument's name) or build a "
                      "new array.")
    return result


@contextlib.contextmanager
def reusing(what, *earlier):
    """Add to any failure inside the block that ``what`` reuses the student's ``earlier`` functions.

    For an exercise that builds on earlier ones ("reuse your two
    functions"): if those are wrong, the later test fails too, and the
    message should send the student to the earlier exercise first.

    Examples
    --------
    >>> with reusing("pipeline", "step_one"):
    ...     raise AssertionError("pipeline(image) has the wrong shape.")
    Traceback (most recent call last):
    ...
    AssertionError: pipeline(image) has the wrong shape. pipeline reuses your step_one: if a test of step_one fails, fix that exercise first.
    """
    __tracebackhide__ = True
    try:
        yield
    except AssertionError as error:
        names = " and ".join(earlier)
        subject = "a test of " + (names if len(earlier) == 1 else f"one of {names}")
        _fail(f"{error} {what} reuses your {names}: if {subject} fails, fix that exercise first.")


def check_answered(value, name, *, example):
    """Assert that the judgement answer ``name`` holds a value, not the ``None`` of the blank answer cell.

    A judgement exercise is answered by assigning a variable (``ring_pixel =
    (row, col)``) instead of writing a function; its blank answer cell sets
    it to ``None`` before ``raise NotImplementedError()``.

    Examples
    --------
    >>> check_answered((3, 4), "ring_pixel", example="(row, col)")
    >>> check_answered(None, "ring_pixel", example="(row, col)")
    Traceback (most recent call last):
    ...
    AssertionError: `ring_pixel` is still None: replace `raise NotImplementedError()` in its answer cell with `ring_pixel = (row, col)`, run that cell, then this test cell again.
    """
    __tracebackhide__ = True
    if value is None:
        _fail(f"`{name}` is still None: replace `raise NotImplementedError()` in its answer cell with "
              f"`{name} = {example}`, run that cell, then this test cell again.")


def _fail(message, cause=None):
    """Raise the AssertionError a student reads; the checker's own code stays out of the traceback."""
    __tracebackhide__ = True
    raise AssertionError(message) from cause


def _with_article(word):
    return ("an " if word[:1].lower() in "aeio" or word in ("int", "ndarray") else "a ") + word


def _type_name(expected):
    if isinstance(expected, tuple):
        return " or ".join(_with_article(t.__name__) for t in expected)
    return _with_article(expected.__name__)


def check_type(value, expected, what):
    """Assert ``isinstance(value, expected)``; ``bool`` never counts as ``int``.

    Examples
    --------
    >>> check_type(3, int, "the count")
    >>> check_type(3.0, int, "the count")
    Traceback (most recent call last):
    ...
    AssertionError: the count should be an int, but it is a float (3.0). Convert it with int(...).
    """
    __tracebackhide__ = True
    wants_int = expected is int or (isinstance(expected, tuple) and int in expected)
    ok = isinstance(value, expected) and not (wants_int and isinstance(value, (bool, np.bool_)))
    if ok:
        return
    hint = ""
    if wants_int and isinstance(value, (float, np.integer, np.floating)):
        hint = " Convert it with int(...)."
    elif expected is float and isinstance(value, (int, np.integer, np.floating)):
        hint = " Convert it with float(...)."
    elif expected is tuple and isinstance(value, (list, np.ndarray)):
        hint = " Return a tuple, e.g. (row, col), not a list or an array."
    elif expected is np.ndarray and isinstance(value, (list, tuple)):
        hint = " Convert it with np.array(...)."
    elif value is None:
        hint = " Did you forget the `return` statement?"
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    _fail(
        f"{what} should be {_type_name(expected)}, but it is {_with_article(type(value).__name__)} ({shown}).{hint}"
    )


_KINDS = {
    "integer": (np.integer, "an integer type such as int64"),
    "floating": (np.floating, "a floating-point type such as float64"),
    "bool": (np.bool_, "bool"),
}


def _dtype_hint(actual, expected):
    if np.issubdtype(actual, np.floating) and not np.issubdtype(expected, np.floating):
        return (
            " np.zeros, np.ones and most arithmetic give float64 unless you pass dtype=..., "
            "or convert with .astype(...)."
        )
    if np.issubdtype(actual, np.integer) and np.issubdtype(expected, np.floating):
        return " Integer division and integer arrays stay integers: convert with .astype(np.float64)."
    if actual == bool:
        return " A comparison such as image > 0 gives booleans: convert with .astype(...)."
    return f" Convert with .astype(np.{np.dtype(expected).name}) or pass dtype= when you create it."


def check_array(value, what, *, shape=None, dtype=None, ndim=None):
    """Assert that ``value`` is a NumPy array with the given ndim, shape and dtype.

    ``dtype`` may be a NumPy dtype, or one of the kinds ``"integer"``,
    ``"floating"`` and ``"bool"``.

    Examples
    --------
    >>> check_array(np.zeros((3, 4)), "the image", shape=(3, 4), dtype=np.float64)
    >>> check_array(np.zeros((4, 3)), "the image", shape=(3, 4))
    Traceback (most recent call last):
    ...
    AssertionError: the image has shape (4, 3), but shape (3, 4) was expected. Rows and columns are swapped: an image's shape is (height, width) = (rows, columns).
    """
    __tracebackhide__ = True
    check_type(value, np.ndarray, what)
    if shape is not None:
        shape = tuple(shape)
        ndim = len(shape)
    if ndim is not None and value.ndim != ndim:
        hint = ""
        if value.ndim == ndim + 1 and value.shape[-1] == 1:
            hint = " It has an extra channel axis of length 1 at the end: remove it with [..., 0]."
        elif value.ndim + 1 == ndim and shape is not None and shape[-1] == 1:
            hint = " The channel axis of length 1 is missing: add it with [..., None]."
        _fail(
            f"{what} has {value.ndim} dimensions (shape {value.shape}), but {ndim} were expected.{hint}"
        )
    if shape is not None and value.shape != shape:
        hint = ""
        if value.shape == shape[::-1] or (
            len(shape) == 3 and value.shape == (shape[1], shape[0], shape[2])
        ):
            hint = " Rows and columns are swapped: an image's shape is (height, width) = (rows, columns)."
        elif len(shape) == 3 and value.shape == (shape[2], shape[0], shape[1]):
            hint = " The channel axis is first (C, H, W) where it should be last (H, W, C)."
        elif len(shape) == 3 and value.shape == (shape[1], shape[2], shape[0]):
            hint = " The channel axis is last (H, W, C) where it should be first (C, H, W)."
        elif 0 in value.shape and 0 not in shape:
            hint = (" An axis has length 0: a slice whose end is not after its start, such as a[3:2], is empty;"
                    " the end of a slice is start + size.")
        elif all(a - b in (-1, 1, 0) for a, b in zip(value.shape, shape)):
            hint = " Off by one? Slices stop before their end index: a[start:start + n] has n elements."
        _fail(f"{what} has shape {value.shape}, but shape {shape} was expected.{hint}")
    if dtype is not None:
        if isinstance(dtype, str) and dtype in _KINDS:
            kind, text = _KINDS[dtype]
            if not np.issubdtype(value.dtype, kind):
                _fail(f"{what} has dtype {value.dtype}, but {text} was expected.")
        elif value.dtype != np.dtype(dtype):
            _fail(
                f"{what} has dtype {value.dtype}, but {np.dtype(dtype).name} was expected."
                + _dtype_hint(value.dtype, np.dtype(dtype))
            )


def _first_difference(actual, expected, reveal):
    wrong = np.argwhere(actual != expected) if actual.dtype != float else np.argwhere(
        ~np.isclose(actual, expected, equal_nan=True)
    )
    count = len(wrong)
    where = tuple(int(i) for i in wrong[0])
    text = f"{count} of {expected.size} values differ"
    if reveal:
        text += f"; the first at index {where}: got {actual[where]!r}, expected {expected[where]!r}"
    return text + "."


def _layout_hint(actual, expected):
    """Name the usual layout mistake that would explain the difference, if any."""
    if actual.ndim < 2:
        return ""
    candidates = [
        (np.flip(expected, axis=0), " It is the expected result flipped upside down: check which axis you reversed."),
        (np.flip(expected, axis=1), " It is the expected result flipped left to right: rows are axis 0, columns axis 1."),
    ]
    if actual.shape == expected.shape[::-1] or expected.ndim == 2:
        candidates.append((expected.T, " It is the expected result transposed: did you mix up (row, col) and (x, y)?"))
    for candidate, hint in candidates:
        if candidate.shape == actual.shape and np.array_equal(candidate, actual):
            return hint
    return ""


def check_array_equal(actual, expected, what, *, reveal=True, check_dtype=False):
    """Assert that ``actual`` is an array equal to ``expected``, value by value.

    The shape must match exactly; the dtype only when ``check_dtype``.

    Examples
    --------
    >>> check_array_equal(np.array([[1, 2]]), np.array([[1, 2]]), "the crop")
    >>> check_array_equal(np.array([[1, 3]]), np.array([[1, 2]]), "the crop")
    Traceback (most recent call last):
    ...
    AssertionError: the crop has the right shape but wrong values: 1 of 2 values differ; the first at index (0, 1): got np.int64(3), expected np.int64(2).
    """
    __tracebackhide__ = True
    expected = np.asarray(expected)
    check_array(actual, what, shape=expected.shape, dtype=expected.dtype if check_dtype else None)
    if np.array_equal(actual, expected, equal_nan=actual.dtype.kind == "f"):
        return
    _fail(
        f"{what} has the right shape but wrong values: {_first_difference(actual, expected, reveal)}"
        + _layout_hint(actual, expected)
    )


def check_allclose(actual, expected, what, *, atol=1e-6, reveal=True):
    """Assert that ``actual`` is an array within ``atol`` of ``expected`` everywhere."""
    __tracebackhide__ = True
    expected = np.asarray(expected, dtype=float)
    check_array(actual, what, shape=expected.shape)
    if not (np.issubdtype(actual.dtype, np.number) or actual.dtype == bool):
        _fail(f"{what} should hold numbers; got dtype {actual.dtype}.")
    if np.allclose(actual, expected, atol=atol, rtol=0, equal_nan=True):
        return
    actual_float = actual.astype(float)
    wrong = ~np.isclose(actual_float, expected, atol=atol, rtol=0, equal_nan=True)
    # The largest error, or the first NaN where a number was expected.
    diff = np.where(wrong, np.nan_to_num(np.abs(actual_float - expected), nan=np.inf), -1.0)
    where = tuple(int(i) for i in np.unravel_index(np.argmax(diff), diff.shape))
    text = f"{what} is not close to the expected values: {int(wrong.sum())} of {expected.size} values are off by more than {atol}"
    if np.isnan(actual_float).any() and not np.isnan(expected).any():
        text += " (some are NaN: a division by zero, e.g. on a constant image?)"
    if reveal:
        text += f"; the largest error is at index {where}: got {actual[where]:.6g}, expected {expected[where]:.6g}"
    _fail(text + "." + _layout_hint(actual, expected))


def check_equal(actual, expected, what, *, reveal=True):
    """Assert ``actual == expected`` for plain values, checking the type first.

    Examples
    --------
    >>> check_equal((7, 3), (7, 3), "corner(image)")
    >>> check_equal((3, 7), (7, 3), "corner(image)")
    Traceback (most recent call last):
    ...
    AssertionError: corner(image) is (3, 7), but (7, 3) was expected. The order is reversed: (row, col), not (x, y)?
    """
    __tracebackhide__ = True
    check_type(actual, type(expected), what)
    if isinstance(expected, tuple):
        if len(actual) != len(expected):
            _fail(f"{what} has {len(actual)} elements, but {len(expected)} were expected.")
        for i, (a, e) in enumerate(zip(actual, expected)):
            check_type(a, type(e), f"element {i} of {what}")
    if actual == expected:
        return
    if not reveal:
        _fail(f"{what} is not the expected value.")
    hint = ""
    if isinstance(expected, tuple) and len(expected) == 2 and tuple(actual) == expected[::-1]:
        hint = " The order is reversed: (row, col), not (x, y)?"
    elif isinstance(expected, int) and isinstance(actual, int) and abs(actual - expected) == 1:
        hint = " Off by one: did you count the background, or miss the last one?"
    _fail(f"{what} is {actual!r}, but {expected!r} was expected.{hint}")


def check_close(actual, expected, what, *, atol=1e-9, reveal=True):
    """Assert that the number ``actual`` is within ``atol`` of ``expected``.

    Examples
    --------
    >>> check_close(0.1 + 0.2, 0.3, "the sum")
    """
    __tracebackhide__ = True
    check_type(actual, (float, int, np.floating, np.integer), what)
    if abs(float(actual) - expected) <= atol:
        return
    if not reveal:
        _fail(f"{what} is not close to the expected value (tolerance {atol}).")
    _fail(f"{what} is {float(actual)!r}, but {expected!r} was expected (tolerance {atol}).")


def check_same_labels(actual, expected, what, *, reveal=True):
    """Assert that two label images split the pixels into the same objects.

    The label ids themselves may differ (object 1 in one can be object 3 in
    the other); the background (0) must be the same pixels in both.

    Examples
    --------
    >>> check_same_labels(np.array([[2, 0, 1]]), np.array([[1, 0, 2]]), "labels")
    """
    __tracebackhide__ = True
    expected = np.asarray(expected)
    check_array(actual, what, shape=expected.shape, dtype="integer")
    if not np.array_equal(actual == 0, expected == 0):
        n = int(((actual == 0) != (expected == 0)).sum())
        _fail(
            f"{what} marks {n} pixels as background (0) or foreground differently from the expected result. "
            "Objects must cover exactly the foreground: did you pass mask= to the watershed?"
        )
    pairs = np.unique(np.stack([actual[expected > 0], expected[expected > 0]]), axis=1)
    n_actual = len(np.unique(actual[actual > 0]))
    n_expected = len(np.unique(expected[expected > 0]))
    if pairs.shape[1] == n_actual == n_expected:
        return
    found = f" ({n_actual} objects found" + (f", {n_expected} expected)" if reveal else ")")
    if n_actual < n_expected:
        hint = " Some objects were merged into one: were there too few markers?"
    elif n_actual > n_expected:
        hint = " Some objects were split into several: were there too many markers?"
    else:
        hint = " Object borders are in different places."
    _fail(f"{what} does not split the image into the expected objects{found}.{hint}")


def check_unchanged(before, after, what):
    """Assert that a function left its input array untouched.

    ``before`` is a copy taken before the call, ``after`` the input itself.
    A function called through ``call`` only ever sees copies, so this check
    cannot see what it did: test cells use ``call_unchanged`` instead.
    """
    __tracebackhide__ = True
    if not np.array_equal(before, after):
        _fail(
            f"{what} changed its input array. Work on a copy (image.copy()) instead of writing into the argument."
        )


def check_probability(hits, p, what, *, sigmas=5, reveal=True):
    """Assert that the fraction of True in ``hits`` is close to ``p``, as independent draws would be.

    The tolerance is ``sigmas`` standard deviations of the fraction of
    successes in ``hits.size`` independent trials, ``sqrt(p (1 - p) / n)``, so
    a correct random answer with a fixed seed passes and a wrong probability
    fails once ``hits`` is large. A fraction near ``1 - p`` or near a tenth
    less than ``p`` gets a hint about the usual mistakes.

    Examples
    --------
    >>> check_probability(np.arange(1000) % 10 == 0, 0.1, "the noise")
    >>> check_probability(np.arange(1000) % 10 != 0, 0.1, "the noise")
    Traceback (most recent call last):
    ...
    AssertionError: the noise switched on a fraction 0.9 of 1000 pixels, but about 0.1 was expected (+- 0.0474). That is 1 - p: did you keep the pixels where the random number is above p instead of below?
    """
    __tracebackhide__ = True
    check_array(hits, what)
    n = hits.size
    fraction = float(np.count_nonzero(hits)) / n
    tolerance = sigmas * np.sqrt(p * (1 - p) / n)
    if abs(fraction - p) <= tolerance + 1e-12:
        return
    hint = ""
    if 0 < p < 1 and abs(fraction - (1 - p)) <= tolerance + 1e-12:
        hint = " That is 1 - p: did you keep the pixels where the random number is above p instead of below?"
    elif 0 < p < 1 and abs(fraction - (1 - 1 / (1 + p))) <= tolerance + 1e-12:
        hint = " That is 1 - 1/(1 + p): the (c * random).astype(int) form does not have probability c - 1."
    if reveal:
        _fail(
            f"{what} switched on a fraction {fraction:.4g} of {n} pixels, but about {p:.4g} was expected "
            f"(+- {tolerance:.3g}).{hint}"
        )
    _fail(
        f"{what} switched on a fraction {fraction:.4g} of {n} pixels, too far from the probability asked for.{hint}"
    )


def check_axes_moved(actual, original, axes, what, *, reveal=True):
    """Assert that ``actual`` is ``np.transpose(original, axes)``: same values and dtype, axes reordered.

    For channel moves such as ``(H, W, C)`` to ``(C, H, W)`` (``axes=(2, 0, 1)``).
    The usual wrong moves get named: ``reshape`` instead of a transpose (the
    right shape with scrambled pixels) and another order of the axes (e.g.
    ``.T``, which reverses all of them).

    Examples
    --------
    >>> image = np.arange(24).reshape(2, 3, 4)
    >>> check_axes_moved(np.moveaxis(image, -1, 0), image, (2, 0, 1), "hwc_to_chw(image)")
    >>> check_axes_moved(image.reshape(4, 2, 3), image, (2, 0, 1), "hwc_to_chw(image)")
    Traceback (most recent call last):
    ...
    AssertionError: hwc_to_chw(image) has the right shape but the values are scrambled: it equals image.reshape(4, 2, 3). reshape keeps the numbers in memory order and only regroups them, so pixels and channels get mixed up. Move axes with np.moveaxis or .transpose instead.
    """
    __tracebackhide__ = True
    original = np.asarray(original)
    axes = tuple(int(a) for a in axes)
    expected = np.transpose(original, axes)
    check_type(actual, np.ndarray, what)
    others = [p for p in itertools.permutations(range(original.ndim)) if p != axes]
    if actual.shape != expected.shape:
        hint = ""
        for perm in others:
            if original.transpose(perm).shape == actual.shape:
                hint = (f" That is the shape of np.transpose(image, {perm}), but the axes must end up in the "
                        f"order {axes}." + (" (.T reverses all axes.)" if perm == tuple(reversed(range(original.ndim)))
                                             else ""))
                break
        _fail(f"{what} has shape {actual.shape}, but shape {expected.shape} was expected.{hint}")
    if actual.dtype != original.dtype:
        _fail(
            f"{what} has dtype {actual.dtype}, but the input's dtype {original.dtype} was expected: moving "
            "axes does not change any value. If you fill a new array, create it with dtype=image.dtype."
        )
    if np.array_equal(actual, expected):
        return
    if np.array_equal(actual, original.reshape(expected.shape)):
        _fail(
            f"{what} has the right shape but the values are scrambled: it equals image.reshape"
            f"{expected.shape}. reshape keeps the numbers in memory order and only regroups them, so "
            "pixels and channels get mixed up. Move axes with np.moveaxis or .transpose instead."
        )
    for perm in others:
        candidate = original.transpose(perm)
        if candidate.shape == actual.shape and np.array_equal(candidate, actual):
            _fail(
                f"{what} has the right shape but equals np.transpose(image, {perm}); the axes must end up "
                f"in the order {axes}. Rows and columns swapped? (.T reverses all axes.)"
            )
    _fail(f"{what} has the right shape but wrong values: {_first_difference(actual, expected, reveal)}")


def _same(actual, wrong):
    if isinstance(wrong, np.ndarray) or isinstance(actual, np.ndarray):
        return (isinstance(actual, np.ndarray) and np.shape(actual) == np.shape(wrong)
                and np.array_equal(actual, wrong, equal_nan=np.asarray(wrong).dtype.kind == "f"))
    numbers = (int, float, np.integer, np.floating)
    if isinstance(actual, numbers) and isinstance(wrong, numbers) and not isinstance(actual, (bool, np.bool_)):
        return abs(float(actual) - float(wrong)) <= 1e-9 * max(1.0, abs(float(wrong)))
    return type(actual) is type(wrong) and actual == wrong


def _same_partition(actual, wrong):
    """Two label images that split the pixels into the same objects (ids may differ)."""
    if not (isinstance(actual, np.ndarray) and actual.shape == np.shape(wrong)):
        return False
    wrong = np.asarray(wrong)
    if not np.array_equal(actual == 0, wrong == 0):
        return False
    pairs = np.unique(np.stack([actual.ravel(), wrong.ravel()]), axis=1)
    return len(np.unique(pairs[0])) == len(np.unique(pairs[1])) == pairs.shape[1]


def check_known_mistakes(actual, mistakes, what, *, labels=False, expected=None):
    """Fail with the explanation of the first known mistake that produces exactly ``actual``.

    ``mistakes`` lists ``(wrong_result, explanation)`` pairs: what a typical
    wrong answer returns on the same input, and what went wrong. Use it
    before the plain comparison, so a student who made a known mistake reads
    its name instead of "values differ". Arrays match by shape and values
    (with ``labels=True``: label images match when they split the pixels
    into the same objects, whatever the ids), numbers within a relative
    1e-9, other values by type and ``==``. A mistake whose result equals
    ``expected`` (when given) is skipped: on that input it is no mistake.

    Examples
    --------
    >>> image = np.array([[1, 2], [3, 4]])
    >>> check_known_mistakes(image[::-1], [(image[:, ::-1], "the columns were reversed")], "flip(image)")
    >>> check_known_mistakes(image[:, ::-1], [(image[:, ::-1], "the columns were reversed")], "flip(image)")
    Traceback (most recent call last):
    ...
    AssertionError: flip(image): the columns were reversed.
    """
    __tracebackhide__ = True
    same = _same_partition if labels else _same
    for wrong, explanation in mistakes:
        if expected is not None and same(np.asarray(wrong) if isinstance(expected, np.ndarray) else wrong, expected):
            continue
        if same(actual, wrong):
            _fail(f"{what}: {explanation.rstrip('.')}.")


# --- Tracebacks in IPython ---------------------------------------------------------------------------

def _without_checker_frames(tb):
    """The traceback ``tb`` without the frames of this module's code."""
    kept = []
    while tb is not None:
        if tb.tb_frame.f_code.co_filename != __file__:
            kept.append(tb)
        tb = tb.tb_next
    trimmed = None
    for entry in reversed(kept):
        trimmed = types.TracebackType(trimmed, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return trimmed


def _show_without_checker(shell, etype, value, tb, tb_offset=None):
    """IPython's custom exception handler: show an AssertionError as usual, minus the checker's frames."""
    seen, error = set(), value
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if error.__traceback__ is not None:
            error.__traceback__ = _without_checker_frames(error.__traceback__)
        error = error.__cause__ if error.__cause__ is not None else (
            None if error.__suppress_context__ else error.__context__)
    shell.showtraceback((etype, value, _without_checker_frames(tb)), tb_offset=tb_offset)
    return None


def _install_ipython_handler():
    """Register ``_show_without_checker`` in the running IPython shell, if any and if its slot is free."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    if tuple(getattr(shell, "custom_exceptions", ())) not in ((), (AssertionError,)):
        return False  # another handler is installed: leave it alone
    shell.set_custom_exc((AssertionError,), _show_without_checker)
    return True


_install_ipython_handler()
