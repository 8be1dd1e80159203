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
    (ValueError("The truth value of an array with more than one element is ambiguous. Use a.any() or a.all()"),
     "combine masks pixel by pixel with &, |"),
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


@pytest.mark.parametrize("value", [(0, 0), 0, "", {}, False])
def test_check_answered_accepts_any_answer_but_none(value):
    checks.check_answered(value, "ring_pixel", example="(row, col)")


def test_check_answered_says_how_to_answer_a_judgement_exercise():
    with pytest.raises(AssertionError, match=r"`ring_pixel` is still None.*`ring_pixel = \(row, col\)`"):
        checks.check_answered(None, "ring_pixel", example="(row, col)")


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


def _zero_everything(*args, **kwargs):
    """A hostile answer: zeroes every array it can reach, and returns the first one."""
    arrays = []

    def visit(value):
        if isinstance(value, np.ndarray):
            value[...] = 0
            arrays.append(value)
        elif isinstance(value, (list, tuple)):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)

    visit(args)
    visit(kwargs)
    return arrays[0]


@pytest.mark.parametrize("call", [checks.call, checks.call_unchanged])
def test_call_passes_copies_of_arrays(call):
    image = np.arange(1, 7, dtype=np.uint16).reshape(2, 3)
    inside_list = np.ones(4)
    inside_dict = np.full((2, 2), 5, dtype=np.int8)
    nested = [inside_list, ({"deep": inside_dict},)]
    seen = []

    def look(a, more, *, options):
        seen.append((a, more[0], more[1][0]["deep"], options["mask"]))
        return a

    result = call(look, image, nested, options={"mask": inside_dict})
    arrived = seen[0]
    assert all(x is not y for x, y in zip(arrived, (image, inside_list, inside_dict, inside_dict)))
    assert arrived[0].dtype == np.uint16 and np.array_equal(arrived[0], image)
    assert arrived[2] is arrived[3]                      # one array passed twice arrives as one copy
    assert result is arrived[0]


def test_call_leaves_the_callers_arrays_as_they_were():
    image = np.arange(1, 7).reshape(2, 3)
    inside_list, inside_dict = np.ones(4), np.full((2, 2), 5)
    holder, table = [inside_list], {"mask": inside_dict}
    result = checks.call(_zero_everything, image, holder, table=table)
    np.testing.assert_array_equal(image, np.arange(1, 7).reshape(2, 3))
    np.testing.assert_array_equal(inside_list, np.ones(4))
    np.testing.assert_array_equal(inside_dict, np.full((2, 2), 5))
    assert holder[0] is inside_list and table["mask"] is inside_dict
    np.testing.assert_array_equal(result, np.zeros((2, 3)))   # judged as returned: the zeroed copy


def test_call_copies_read_only_arrays_into_arrays_the_function_may_write():
    image = np.arange(3)
    image.flags.writeable = False

    def double_in_place(a):
        a *= 2
        return a

    np.testing.assert_array_equal(checks.call(double_in_place, image), [0, 2, 4])
    np.testing.assert_array_equal(image, [0, 1, 2])


def test_call_passes_generators_as_they_are_so_they_advance():
    rng = np.random.default_rng(3)
    received = []

    def draw(generator):
        received.append(generator)
        return generator.random(2)

    first = checks.call(draw, rng)
    assert received[0] is rng
    reference = np.random.default_rng(3)
    np.testing.assert_array_equal(first, reference.random(2))
    assert rng.random() == reference.random()


def test_call_passes_other_objects_identically():
    class Proxy:
        def __deepcopy__(self, memo):
            raise AssertionError("a proxy must not be copied")

    proxy, text, number, function = Proxy(), "labels", 3.5, np.sum
    frozen = (1, "two", proxy)
    received = []
    checks.call(lambda *args, **kwargs: received.append((args, kwargs)), proxy, text, number, frozen, f=function)
    args, kwargs = received[0]
    assert args[0] is proxy and args[1] is text and args[2] is number and kwargs["f"] is function
    assert args[3] is frozen                             # a tuple without arrays is passed as it is


def test_call_unchanged_names_a_changed_positional_argument():
    def saturating_add(a, b):
        a += b
        return a

    a, b = np.array([200, 100], dtype=np.uint8), np.array([1, 2], dtype=np.uint8)
    with pytest.raises(AssertionError, match=r"^`saturating_add` changed its first argument in place "
                                             r"\(a `\+=` or an assignment into it\?\).*work on a copy"):
        checks.call_unchanged(saturating_add, a, b)
    np.testing.assert_array_equal(a, [200, 100])

    def change_second(a, b):
        b[0] = 7
        return a + b

    with pytest.raises(AssertionError, match="`change_second` changed its second argument in place"):
        checks.call_unchanged(change_second, a, b)


def test_call_unchanged_names_a_changed_keyword_argument_and_an_array_inside_a_list():
    def relabel(labels, *, lookup):
        lookup[0] = 9
        return lookup[labels]

    with pytest.raises(AssertionError, match="`relabel` changed its argument `lookup` in place"):
        checks.call_unchanged(relabel, np.array([0, 1]), lookup=np.array([0, 1]))

    def first_zeroed(masks):
        masks[1][:] = 0
        return masks[0]

    with pytest.raises(AssertionError, match=r"changed an array inside its first argument\[1\] in place"):
        checks.call_unchanged(first_zeroed, [np.ones(2), np.ones(2)])


def test_call_unchanged_sees_a_new_shape_or_dtype():
    def shrink(a):
        a.resize(2, refcheck=False)
        return a

    with pytest.raises(AssertionError, match=r"its shape went from \(4,\) to \(2,\)"):
        checks.call_unchanged(shrink, np.arange(4))

    def reinterpret(a):
        a.dtype = np.uint64
        return a

    with pytest.raises(AssertionError, match="its dtype went from int64 to uint64"):
        checks.call_unchanged(reinterpret, np.arange(4, dtype=np.int64))


def test_call_unchanged_passes_a_function_that_leaves_its_input_alone():
    image = np.array([[1.0, np.nan], [3.0, 4.0]])       # NaN counts as equal to NaN
    rng = np.random.default_rng(0)
    result = checks.call_unchanged(lambda a, rng, *, scale: a * scale + rng.random(), image, rng, scale=2)
    assert result.shape == (2, 2)
    assert checks.call_unchanged(np.add, np.array(["a"], dtype=object), np.array(["b"], dtype=object)) == ["ab"]


def test_call_unchanged_judges_the_state_after_the_call():
    """A function that changes its input and restores it before returning leaves the caller nothing to notice."""
    def borrow(a):
        a[0] += 1
        total = int(a.sum())
        a[0] -= 1
        return total

    assert checks.call_unchanged(borrow, np.arange(3)) == 4


def test_call_unchanged_explains_errors_as_call_does():
    def stub(image):
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="`stub` is not written yet"):
        checks.call_unchanged(stub, np.zeros(2))


def test_call_unchanged_finds_the_exercise_by_the_name_the_test_uses():
    namespace = {"checks": checks, "sh": sh, "np": np}
    exec("count_objects = lambda labels: sh.count_objects(labels)", namespace)
    with pytest.raises(AssertionError, match="earns nothing"):
        exec("checks.call_unchanged(count_objects, np.array([[0, 1]]))", namespace)


def test_call_unchanged_is_exported():
    assert "call_unchanged" in checks.__all__
    assert sh.checks.call_unchanged is checks.call_unchanged


def test_check_allclose_explains_nan():
    with pytest.raises(AssertionError, match="NaN: a division by zero"):
        checks.check_allclose(np.full((2, 2), np.nan), np.zeros((2, 2)), "normalize_minmax(constant)")


IPYTHON_SESSION = r"""
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance(colors="nocolor")
shell.run_cell("import numpy as np\nfrom source_helpers import checks")
shell.run_cell("def brightest(image):\n    return image[5, 0]  # the student's own line\n")
print("=== failing check")
shell.run_cell("checks.check_close(0.5, 1.0, 'mean(image)')")
print("=== student's error")
result = shell.run_cell("checks.call(brightest, np.zeros((3, 3)))")
print("=== error kept:", type(result.error_in_exec).__name__)
print("=== plain assert")
shell.run_cell("assert 1 == 2, 'a plain assert'")
"""


def test_a_failing_check_in_ipython_shows_the_message_and_the_students_lines_only(tmp_path):
    import subprocess
    from pathlib import Path

    script = tmp_path / "session.py"
    script.write_text(IPYTHON_SESSION)
    root = Path(__file__).resolve().parents[1]
    env = {**__import__("os").environ, "PYTHONPATH": str(root)}
    shown = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env,
                           cwd=tmp_path, timeout=120, check=True).stdout
    failing, student, kept, plain = re.split(r"^=== .*$", shown, flags=re.M)[1:]
    assert "AssertionError: mean(image) is 0.5, but 1.0 was expected" in failing
    assert "checks.check_close(0.5, 1.0" in failing, "the test's own line stays"
    # the student's error: their line, then the message; no frame of the checker anywhere
    assert "return image[5, 0]  # the student's own line" in student
    assert "IndexError: index 5 is out of bounds" in student
    assert "AssertionError: `brightest` raised IndexError" in student
    for text in (failing, student):
        assert "checks.py" not in text and "_fail" not in text and "skipping hidden" not in text, text
    assert "error kept: AssertionError" in shown, "IPython still records the error (nbgrader sees a failed cell)"
    assert "AssertionError: a plain assert" in plain and "Traceback" in plain


def test_outside_ipython_no_handler_is_installed_and_tracebacks_are_plain_python():
    assert checks._install_ipython_handler() is False or "IPython" in sys.modules
    with pytest.raises(AssertionError) as caught:
        checks.check_close(0.5, 1.0, "x")
    frames = [entry.name for entry in __import__("traceback").extract_tb(caught.value.__traceback__)]
    assert frames[-1] == "_fail", "plain Python keeps the full traceback"
