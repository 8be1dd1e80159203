"""Unit tests of source_helpers.checks: every check passes right answers and explains wrong ones."""

import re
import sys
import warnings

import numpy as np
import pytest

import source_helpers as sh
from source_helpers import checks


def test_call_returns_the_result_and_shows_warnings_as_notes(capsys):
    def noisy(x):
        warnings.warn("harmless", UserWarning)
        return x * 2

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert checks.call(noisy, 4) == 8
    out, err = capsys.readouterr()
    assert "[noisy warned]" in out and "UserWarning: harmless" in out and err == ""


def test_call_sends_standard_error_to_standard_output(capsys):
    def chatty(x):
        print("debugging", file=sys.stderr)
        return x

    assert checks.call(chatty, 1) == 1
    out, err = capsys.readouterr()
    assert "debugging" in out and err == ""


def test_call_explains_an_unwritten_stub():
    def make_image(height, width, on):
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="`make_image` is not written yet"):
        checks.call(make_image, 1, 1, [])


@pytest.mark.parametrize("error, hint", [
    (IndexError("index 3 is out of bounds for axis 0 with size 3"), "Axis 0 counts the rows"),
    (IndexError("index 4 is out of bounds for axis 1 with size 4"), "Axis 1 counts the columns"),
    (RuntimeError("structure and input must have same dimensionality"), "pass the number of repetitions by name"),
    (TypeError("'NoneType' object is not subscriptable"), "forget its `return`"),
    (ZeroDivisionError("division by zero"), "constant image"),
    (KeyError("x"), "raised KeyError"),
])
def test_call_names_the_likely_cause_of_an_error(error, hint):
    def broken(x):
        raise error

    with pytest.raises(AssertionError, match=re.escape(hint)) as caught:
        checks.call(broken, [1])
    assert caught.value.__cause__ is error, "the student's own traceback must stay attached"


def test_call_explains_failures_reported_by_the_grader():
    def stand_in(*args):
        raise checks.AnswerFailed("IndexError", "index 3 is out of bounds for axis 0 with size 3")

    with pytest.raises(AssertionError, match="`stand_in` raised IndexError.*Axis 0 counts the rows"):
        checks.call(stand_in)

    def stopped(*args):
        raise checks.AnswerFailed("Timeout", "`stopped` did not finish within the time limit")

    with pytest.raises(AssertionError, match="^`stopped` did not finish within the time limit$"):
        checks.call(stopped)


def test_call_blocks_the_reference_of_the_chapter_of_the_exercise():
    # count_objects is chapter 03's exercise; sh.count_objects its reference.
    def count_objects(labels):
        return sh.count_objects(labels)

    with pytest.raises(AssertionError, match=r"earns nothing.*`sh.count_objects`.*Write it yourself"):
        checks.call(count_objects, np.array([[0, 1]]))

    def count_objects(labels):          # the chapter's other references are blocked too
        return sh.count_components(labels > 0)

    with pytest.raises(AssertionError, match="`sh.count_components`"):
        checks.call(count_objects, np.array([[0, 1]]))
    # References of earlier chapters stay usable, and nothing stays blocked afterwards.
    assert checks.call(lambda image: sh.rgb_to_gray(image).shape, np.zeros((2, 2, 3), np.uint8)) == (2, 2)
    assert sh.count_objects(np.array([[0, 1]])) == 1


def test_call_finds_the_exercise_by_the_name_the_test_uses():
    namespace = {"checks": checks, "sh": sh, "np": np}
    exec("count_objects = lambda labels: sh.count_objects(labels)", namespace)
    with pytest.raises(AssertionError, match="earns nothing"):
        exec("checks.call(count_objects, np.array([[0, 1]]))", namespace)


def test_call_rejects_a_value_in_place_of_a_function():
    with pytest.raises(AssertionError, match="should be a function"):
        checks.call(42)


@pytest.mark.parametrize(
    "value, expected, hint",
    [
        (3.0, int, "Convert it with int"),
        (np.int64(3), int, "Convert it with int"),
        (True, int, "should be an int"),
        ([1, 2], tuple, "Return a tuple"),
        (None, np.ndarray, "forget the `return`"),
    ],
)
def test_check_type_explains(value, expected, hint):
    with pytest.raises(AssertionError, match=hint):
        checks.check_type(value, expected, "the answer")


def test_check_type_accepts_numpy_float_as_float():
    checks.check_type(np.float64(0.5), float, "the fraction")


class EqualsEverything:
    shape = (2, 2)
    dtype = np.int64

    def __eq__(self, other):
        return True


def test_checks_are_not_fooled_by_an_object_that_equals_everything():
    with pytest.raises(AssertionError, match="should be an ndarray"):
        checks.check_array_equal(EqualsEverything(), np.zeros((2, 2), dtype=np.int64), "result")
    with pytest.raises(AssertionError):
        checks.check_equal(EqualsEverything(), (1, 2), "result")


@pytest.mark.parametrize(
    "shape, expected, hint",
    [
        ((4, 3), (3, 4), "Rows and columns are swapped"),
        ((3, 4, 5), (4, 5, 3), "channel axis is first"),
        ((4, 5, 3), (3, 4, 5), "channel axis is last"),
        ((3, 5), (3, 4), "Off by one"),
        ((3, 4, 1), (3, 4), "extra channel axis"),
        ((3, 4), (3, 4, 1), "channel axis of length 1 is missing"),
    ],
)
def test_check_array_names_the_shape_mistake(shape, expected, hint):
    with pytest.raises(AssertionError, match=hint):
        checks.check_array(np.zeros(shape), "result", shape=expected)


@pytest.mark.parametrize(
    "dtype, expected, hint",
    [
        (np.float64, np.int64, "give float64 unless you pass dtype"),
        (np.int64, np.float64, "astype\\(np.float64\\)"),
        (bool, np.uint8, "comparison"),
        (np.int32, np.int64, "astype\\(np.int64\\)"),
    ],
)
def test_check_array_names_the_dtype_mistake(dtype, expected, hint):
    with pytest.raises(AssertionError, match=hint):
        checks.check_array(np.zeros((2, 2), dtype=dtype), "result", dtype=expected)


def test_check_array_accepts_dtype_kinds():
    checks.check_array(np.zeros(3, dtype=np.int32), "labels", dtype="integer")
    with pytest.raises(AssertionError, match="integer type"):
        checks.check_array(np.zeros(3), "labels", dtype="integer")


@pytest.mark.parametrize(
    "transform, hint",
    [(np.flipud, "upside down"), (np.fliplr, "left to right"), (np.transpose, "transposed")],
)
def test_check_array_equal_recognizes_layout_mistakes(transform, hint):
    expected = np.arange(9).reshape(3, 3)
    with pytest.raises(AssertionError, match=hint):
        checks.check_array_equal(transform(expected), expected, "result")


def test_hidden_checks_do_not_reveal_expected_values():
    expected = np.array([[11111, 22222]])
    with pytest.raises(AssertionError) as info:
        checks.check_array_equal(np.array([[11111, 33333]]), expected, "result", reveal=False)
    assert "22222" not in str(info.value) and "1 of 2 values differ" in str(info.value)
    with pytest.raises(AssertionError) as info:
        checks.check_equal(5, 77777, "count", reveal=False)
    assert "77777" not in str(info.value)
    with pytest.raises(AssertionError) as info:
        checks.check_close(0.5, 0.98765, "p", reveal=False)
    assert "0.98765" not in str(info.value)


def test_check_array_equal_can_demand_the_dtype():
    checks.check_array_equal(np.array([1, 2]), np.array([1.0, 2.0]), "result")
    with pytest.raises(AssertionError, match="dtype"):
        checks.check_array_equal(np.array([1, 2]), np.array([1.0, 2.0]), "result", check_dtype=True)


def test_check_allclose():
    checks.check_allclose(np.array([0.1 + 0.2]), [0.3], "sum")
    with pytest.raises(AssertionError, match="largest error is at index \\(1,\\)"):
        checks.check_allclose(np.array([0.0, 1.0]), [0.0, 0.5], "result")


def test_check_equal_hints_at_reversed_pairs_and_off_by_one():
    with pytest.raises(AssertionError, match="reversed"):
        checks.check_equal((2, 1), (1, 2), "position")
    with pytest.raises(AssertionError, match="Off by one"):
        checks.check_equal(4, 3, "count")
    with pytest.raises(AssertionError, match="element 0"):
        checks.check_equal((np.int64(1), 2), (1, 2), "position")


def test_check_same_labels_ignores_label_ids_but_not_objects():
    expected = np.array([[1, 1, 0, 2, 2]])
    checks.check_same_labels(np.array([[7, 7, 0, 3, 3]]), expected, "labels")
    with pytest.raises(AssertionError, match="merged"):
        checks.check_same_labels(np.array([[1, 1, 0, 1, 1]]), expected, "labels")
    with pytest.raises(AssertionError, match="split"):
        checks.check_same_labels(np.array([[1, 2, 0, 3, 3]]), expected, "labels")
    with pytest.raises(AssertionError, match="background"):
        checks.check_same_labels(np.array([[1, 1, 1, 2, 2]]), expected, "labels")
    with pytest.raises(AssertionError, match="borders"):
        checks.check_same_labels(np.array([[1, 2, 0, 2, 2]]), expected, "labels")


def test_check_unchanged():
    image = np.zeros(3)
    before = image.copy()
    checks.check_unchanged(before, image, "f")
    image[0] = 1
    with pytest.raises(AssertionError, match="changed its input"):
        checks.check_unchanged(before, image, "f")


def test_check_allclose_explains_nan():
    with pytest.raises(AssertionError, match="NaN: a division by zero"):
        checks.check_allclose(np.full((2, 2), np.nan), np.zeros((2, 2)), "normalize_minmax(constant)")
