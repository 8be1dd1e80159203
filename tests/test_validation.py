"""Unit tests of the shared input checks: clear errors that name the argument and suggest the fix."""

import numpy as np
import pytest

from source_helpers import _validation as v


@pytest.mark.parametrize(
    "value, error, message",
    [
        ([[0, 1]], TypeError, "`image` must be a NumPy array; got list"),
        (np.zeros((0, 3)), ValueError, "`image` is empty"),
        (np.array([["a"]]), TypeError, "must hold numbers"),
    ],
)
def test_check_array_rejects(value, error, message):
    with pytest.raises(error, match=message):
        v.check_array(value, "image")


@pytest.mark.parametrize(
    "shape, hint",
    [
        ((5, 5, 3), "RGB"),
        ((5, 5, 1), r"image\[\.\.\., 0\]"),
        ((3, 50, 50), r"np.moveaxis\(image, 0, -1\)"),
        ((5,), "got shape \\(5,\\)"),
    ],
)
def test_check_2d_suggests_the_fix(shape, hint):
    with pytest.raises(ValueError, match=hint):
        v.check_2d(np.zeros(shape), "image")


def test_check_hwc_spots_channels_first():
    v.check_hwc(np.zeros((10, 12, 3)), "image")
    with pytest.raises(ValueError, match="channels-first"):
        v.check_hwc(np.zeros((3, 10, 12)), "image")


def test_check_binary_accepts_0_1_and_returns_bool():
    out = v.check_binary(np.array([[0, 1], [1, 0]]), "mask")
    assert out.dtype == bool and out.sum() == 2
    with pytest.raises(ValueError, match="`mask` must be binary.*0, 1, 2"):
        v.check_binary(np.array([[0, 1], [2, 0]]), "mask")
    with pytest.raises(ValueError, match="RGB"):
        v.check_binary(np.zeros((4, 4, 3)), "mask")


def test_check_labels():
    assert v.check_labels(np.array([[True, False]]), "labels").dtype == np.int64
    with pytest.raises(TypeError, match="integer label image"):
        v.check_labels(np.array([[0.0, 1.5]]), "labels")
    with pytest.raises(ValueError, match="negative"):
        v.check_labels(np.array([[0, -1]]), "labels")


def test_check_label_stack():
    stack = np.zeros((2, 3, 3), dtype=np.uint16)
    assert v.check_label_stack(stack, "stack") is stack
    assert v.check_label_stack(stack.astype(bool), "stack").dtype == np.int64
    with pytest.raises(ValueError, match=r"`stack` must be 3-D \(T, H, W\).*stack\[np.newaxis\]"):
        v.check_label_stack(stack[0], "stack")
    with pytest.raises(ValueError, match="`stack` must be 3-D"):
        v.check_label_stack(np.zeros((1, 2, 3, 3), dtype=int), "stack")
    with pytest.raises(TypeError, match="`stack` must be integer label images"):
        v.check_label_stack(stack.astype(float), "stack")
    with pytest.raises(ValueError, match="negative"):
        v.check_label_stack(-np.ones((2, 2, 2), dtype=int), "stack")


def test_check_same_shape():
    with pytest.raises(ValueError, match="`a` and `b` must have the same shape"):
        v.check_same_shape(np.zeros((2, 2)), np.zeros((2, 3)), "a", "b")


def test_check_int_and_number():
    assert v.check_int(np.int64(3), "n") == 3
    with pytest.raises(TypeError, match="`n` must be a whole number"):
        v.check_int(2.5, "n")
    with pytest.raises(TypeError, match="whole number"):
        v.check_int(True, "n")
    with pytest.raises(ValueError, match="at least 1"):
        v.check_int(0, "n", minimum=1)
    with pytest.raises(ValueError, match="greater than 0"):
        v.check_number(0, "radius", minimum=0, strict_minimum=True)
    with pytest.raises(ValueError, match="at most 1"):
        v.check_number(1.5, "p", minimum=0, maximum=1)
    with pytest.raises(ValueError, match="finite"):
        v.check_number(float("nan"), "p")


def test_check_rng():
    v.check_rng(np.random.default_rng(0))
    with pytest.raises(TypeError, match="default_rng"):
        v.check_rng(np.random.RandomState(0))



def test_check_shape():
    assert v.check_shape((np.int64(3), 4)) == (3, 4)
    with pytest.raises(TypeError, match="`shape` must be a tuple"):
        v.check_shape(5)
    with pytest.raises(ValueError, match="two numbers"):
        v.check_shape((3, 4, 3))
    with pytest.raises(ValueError, match=r"`shape\[1\]` must be at least 1"):
        v.check_shape((3, 0))
    with pytest.raises(TypeError, match=r"`shape\[0\]` must be a whole number"):
        v.check_shape((2.5, 3))


def test_check_labels_names_a_colour_picture_of_a_mask():
    with pytest.raises(ValueError, match="looks like an RGB"):
        v.check_labels(np.zeros((5, 5, 3), dtype=np.uint8), "labels")


@pytest.mark.parametrize(
    "value, must_exist, error, message",
    [
        (b"notebooks", True, TypeError, r"`folder` must be a path \(str or pathlib.Path\) to a folder; got bytes"),
        (None, True, TypeError, "`folder` must be a path .*; got NoneType None"),
        ("missing", True, ValueError, "`folder` must be an existing folder; got '.*missing', which does not exist"),
        ("a-file", False, ValueError, "`folder` must be a folder; got '.*a-file', which is a file"),
    ],
)
def test_check_folder_rejects(tmp_path, value, must_exist, error, message):
    (tmp_path / "a-file").write_text("")
    value = tmp_path / value if isinstance(value, str) else value
    with pytest.raises(error, match=message):
        v.check_folder(value, "folder", must_exist=must_exist)


def test_check_folder_accepts_a_missing_folder_when_asked(tmp_path):
    assert v.check_folder(str(tmp_path / "new"), "folder", must_exist=False) == tmp_path / "new"
    assert v.check_folder(tmp_path, "folder") == tmp_path
