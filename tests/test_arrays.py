"""Tests for source_helpers.arrays: channel axes and order, bit depth, normalization."""

import numpy as np
import pytest
from skimage.color import rgb2gray

from source_helpers.arrays import (
    LUMINANCE_WEIGHTS,
    add_channel_axis,
    check_channel_order,
    chw_to_hwc,
    dtype_range,
    guess_channel_order,
    hwc_to_chw,
    normalize_minmax,
    normalize_percentile,
    normalize_to_range,
    remove_channel_axis,
    rgb_to_gray,
    saturating_add,
)

RNG_SEED = 2


# Channel axis ---------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int64, np.float32, bool])
def test_add_channel_axis_keeps_values_and_dtype(dtype):
    image = (np.arange(12).reshape(3, 4) % 2).astype(dtype)
    result = add_channel_axis(image)
    assert result.shape == (3, 4, 1)
    assert result.dtype == image.dtype
    for row in range(3):
        for col in range(4):
            assert result[row, col, 0] == image[row, col]


@pytest.mark.parametrize("shape, message", [((3, 4, 1), "already"), ((5,), "2-D"), ((2, 3, 4, 1), "2-D")])
def test_add_channel_axis_rejects_non_2d(shape, message):
    with pytest.raises(ValueError, match=message):
        add_channel_axis(np.zeros(shape))


def test_remove_channel_axis_undoes_add():
    image = np.random.default_rng(RNG_SEED).integers(0, 256, size=(5, 7), dtype=np.uint8)
    assert np.array_equal(remove_channel_axis(add_channel_axis(image)), image)


@pytest.mark.parametrize(
    "shape, message",
    [((1, 5, 6), r"image\[0\]"), ((5, 6, 3), "rgb_to_gray"), ((5, 6), "3-D"), ((5, 6, 2), "length 1")],
)
def test_remove_channel_axis_rejects_with_hint(shape, message):
    with pytest.raises(ValueError, match=message):
        remove_channel_axis(np.zeros(shape))


def test_input_checks_reject_lists_and_empty_arrays():
    with pytest.raises(TypeError, match="NumPy array"):
        add_channel_axis([[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="empty"):
        normalize_minmax(np.zeros((0, 4)))


# Channel order --------------------------------------------------------------

@pytest.mark.parametrize(
    "shape, guess",
    [((512, 512, 3), "HWC"), ((20, 30, 1), "HWC"), ((3, 512, 512), "CHW"), ((4, 9, 8), "CHW"),
     ((3, 4, 3), None), ((10, 20, 30), None), ((1, 1, 1), None)],
)
def test_guess_channel_order(shape, guess):
    assert guess_channel_order(np.zeros(shape)) == guess


def test_check_channel_order_passes_matching_and_ambiguous_shapes():
    for shape in [(40, 50, 3), (3, 3, 3), (10, 20, 30)]:
        image = np.zeros(shape)
        assert check_channel_order(image, "HWC") is image
    assert check_channel_order(np.zeros((3, 40, 50)), "CHW").shape == (3, 40, 50)


@pytest.mark.parametrize(
    "shape, order, fix",
    [((3, 40, 50), "HWC", r"chw_to_hwc\(img\) or np.moveaxis\(img, 0, -1\)"),
     ((40, 50, 3), "CHW", r"hwc_to_chw\(img\) or np.moveaxis\(img, -1, 0\)")],
)
def test_check_channel_order_suggests_the_fix(shape, order, fix):
    with pytest.raises(ValueError, match=fix):
        check_channel_order(np.zeros(shape), order, name="img")


def test_check_channel_order_rejects_bad_order_and_2d():
    with pytest.raises(ValueError, match='"HWC" or "CHW"'):
        check_channel_order(np.zeros((4, 5, 3)), "WHC")
    with pytest.raises(ValueError, match="add_channel_axis"):
        check_channel_order(np.zeros((4, 5)), "HWC")


@pytest.mark.parametrize("shape", [(5, 7, 3), (6, 9, 1), (5, 8, 6), (2, 2, 2), (13, 11, 4)])
def test_hwc_to_chw_moves_every_value(shape):
    image = np.random.default_rng(RNG_SEED).integers(0, 1000, size=shape)
    result = hwc_to_chw(image)
    height, width, channels = shape
    assert result.shape == (channels, height, width)
    assert result.dtype == image.dtype
    for row in range(height):
        for col in range(width):
            for c in range(channels):
                assert result[c, row, col] == image[row, col, c]
    assert np.array_equal(chw_to_hwc(result), image)


@pytest.mark.parametrize("shape", [(3, 5, 7), (1, 6, 9), (4, 8, 10), (6, 5, 8)])
def test_chw_to_hwc_moves_every_value(shape):
    image = np.random.default_rng(RNG_SEED).random(shape)
    result = chw_to_hwc(image)
    channels, height, width = shape
    assert result.shape == (height, width, channels)
    for c in range(channels):
        assert np.array_equal(result[:, :, c], image[c])


def test_channel_moves_reject_the_other_order():
    with pytest.raises(ValueError, match="channels-first"):
        hwc_to_chw(np.zeros((3, 64, 48)))
    with pytest.raises(ValueError, match="channels-last"):
        chw_to_hwc(np.zeros((64, 48, 3)))
    with pytest.raises(ValueError, match="3-D"):
        hwc_to_chw(np.zeros((64, 48)))


# RGB to gray ----------------------------------------------------------------

def test_rgb_to_gray_pure_colours():
    image = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255], [0, 0, 0]]], dtype=np.uint8)
    result = rgb_to_gray(image)
    assert result.dtype == np.float64
    assert result.shape == (1, 5)
    np.testing.assert_allclose(result, [[0.2125, 0.7154, 0.0721, 1.0, 0.0]], atol=1e-12)


def test_rgb_to_gray_agrees_with_scikit_image():
    image = np.random.default_rng(RNG_SEED).integers(0, 256, size=(9, 13, 3), dtype=np.uint8)
    np.testing.assert_allclose(rgb_to_gray(image), rgb2gray(image), atol=1e-12)
    assert sum(LUMINANCE_WEIGHTS) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "image, error, message",
    [(np.zeros((3, 8, 9), dtype=np.uint8), ValueError, "chw_to_hwc"),
     (np.zeros((8, 9, 4), dtype=np.uint8), ValueError, r"image\[\.\.\., :3\]"),
     (np.zeros((8, 9), dtype=np.uint8), ValueError, "already grayscale"),
     (np.zeros((8, 9, 3)), TypeError, "must be uint8.*rgb2gray")],
)
def test_rgb_to_gray_rejects_with_hint(image, error, message):
    with pytest.raises(error, match=message):
        rgb_to_gray(image)


# Bit depth and overflow -----------------------------------------------------

@pytest.mark.parametrize(
    "dtype, bits, expected",
    [(np.uint8, None, (0, 255)), ("uint16", None, (0, 65535)), (np.uint16, 12, (0, 4095)),
     (np.int16, None, (-32768, 32767)), (np.int64, None, (-(2**63), 2**63 - 1)),
     (np.float32, None, (0.0, 1.0)), (np.dtype(np.float64), None, (0.0, 1.0))],
)
def test_dtype_range(dtype, bits, expected):
    assert dtype_range(dtype, bits=bits) == expected


@pytest.mark.parametrize(
    "dtype, bits, error, message",
    [(np.uint8, 9, ValueError, "from 1 to 8"), (np.uint16, 0, ValueError, "from 1 to 16"),
     (np.int16, 12, TypeError, "unsigned"), (np.float32, 8, TypeError, "unsigned"),
     (bool, None, TypeError, "integer or float"), ("not a dtype", None, TypeError, "NumPy dtype")],
)
def test_dtype_range_rejects(dtype, bits, error, message):
    with pytest.raises(error, match=message):
        dtype_range(dtype, bits=bits)


def test_uint8_addition_wraps_without_saturation():
    a = np.array([200], dtype=np.uint8)
    b = np.array([100], dtype=np.uint8)
    assert (a + b)[0] == 44          # the wrap-around the chapter warns about
    assert saturating_add(a, b)[0] == 255


def test_saturating_add_matches_clipped_wide_sum_and_leaves_inputs():
    rng = np.random.default_rng(RNG_SEED)
    a = rng.integers(0, 256, size=(20, 30), dtype=np.uint8)
    b = rng.integers(0, 256, size=(20, 30), dtype=np.uint8)
    a_before, b_before = a.copy(), b.copy()
    result = saturating_add(a, b)
    expected = [[min(int(x) + int(y), 255) for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]
    assert result.dtype == np.uint8
    assert np.array_equal(result, expected)
    assert np.array_equal(a, a_before) and np.array_equal(b, b_before)
    assert np.array_equal(saturating_add(a, b), saturating_add(b, a))


@pytest.mark.parametrize(
    "a, b, error, message",
    [(np.zeros(3, np.uint16), np.zeros(3, np.uint8), TypeError, "`a` must be uint8"),
     (np.zeros(3, np.uint8), np.zeros(3), TypeError, "`b` must be uint8"),
     (np.zeros(3, np.uint8), np.zeros(4, np.uint8), ValueError, "same shape")],
)
def test_saturating_add_rejects(a, b, error, message):
    with pytest.raises(error, match=message):
        saturating_add(a, b)


# Normalization --------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int32, np.float32, np.float64])
def test_normalize_minmax_maps_extremes_to_0_and_1(dtype):
    image = np.array([[50, 100], [150, 250]], dtype=dtype)
    result = normalize_minmax(image)
    assert result.dtype == np.float64
    np.testing.assert_allclose(result, [[0.0, 0.25], [0.5, 1.0]])


def test_normalize_minmax_does_not_overflow_uint8():
    # (image - min) in uint8 arithmetic would wrap; the helper converts first.
    image = np.array([0, 255], dtype=np.uint8)
    np.testing.assert_array_equal(normalize_minmax(image), [0.0, 1.0])


@pytest.mark.parametrize("value", [0, 7, -3.5, 255])
def test_normalize_minmax_of_constant_image_is_zero(value):
    result = normalize_minmax(np.full((3, 4), value))
    assert result.dtype == np.float64
    assert np.array_equal(result, np.zeros((3, 4)))


def test_normalize_minmax_is_invariant_to_scale_and_offset():
    image = np.random.default_rng(RNG_SEED).normal(size=(6, 7))
    np.testing.assert_allclose(normalize_minmax(3.0 * image + 10.0), normalize_minmax(image))


@pytest.mark.parametrize("bad", [np.array([1.0, np.nan]), np.array([0.0, np.inf])])
def test_normalization_rejects_non_finite(bad):
    for function in (normalize_minmax, normalize_percentile):
        with pytest.raises(ValueError, match="NaN or infinity"):
            function(bad)


def test_normalize_percentile_worked_example():
    image = np.arange(101, dtype=np.uint16)        # percentile p has value p
    result = normalize_percentile(image, 10, 60)
    assert result.dtype == np.float64
    expected = [min(max((v - 10) / 50, 0.0), 1.0) for v in range(101)]
    np.testing.assert_allclose(result, expected)


def test_normalize_percentile_uses_linear_interpolation():
    image = np.array([0.0, 10.0, 20.0, 30.0])       # 50th percentile is 15 (linear), not 10 or 20
    result = normalize_percentile(image, 0, 50)
    np.testing.assert_allclose(result, [0.0, 10 / 15, 1.0, 1.0])


def test_normalize_percentile_ignores_hot_pixels_where_minmax_does_not():
    image = np.random.default_rng(RNG_SEED).integers(100, 200, size=(50, 50)).astype(np.uint16)
    image[0, :3] = 4095
    assert normalize_minmax(image)[1:].max() < 0.05
    robust = normalize_percentile(image)
    assert robust.min() == 0.0 and robust.max() == 1.0
    assert np.median(robust) == pytest.approx(0.5, abs=0.1)


@pytest.mark.parametrize("image", [np.full((4, 4), 9), np.array([5] * 98 + [0, 100])])
def test_normalize_percentile_equal_percentiles_give_zeros(image):
    result = normalize_percentile(image, 5, 95)
    assert result.dtype == np.float64
    assert np.array_equal(result, np.zeros(image.shape))


def test_normalize_percentile_full_range_equals_minmax():
    image = np.random.default_rng(RNG_SEED).random((8, 9))
    np.testing.assert_allclose(normalize_percentile(image, 0, 100), normalize_minmax(image))


@pytest.mark.parametrize(
    "low, high, error, message",
    [(99, 1, ValueError, "swap"), (50, 50, ValueError, "smaller than"), (-1, 99, ValueError, "at least 0"),
     (1, 101, ValueError, "at most 100"), ("1", 99, TypeError, "number")],
)
def test_normalize_percentile_rejects_bad_percentiles(low, high, error, message):
    with pytest.raises(error, match=message):
        normalize_percentile(np.arange(10), low, high)


@pytest.mark.parametrize("out_min, out_max", [(0, 1), (0, 99), (0, 255), (-1, 1)])
def test_normalize_to_range_hits_both_ends(out_min, out_max):
    image = np.random.default_rng(RNG_SEED).integers(0, 4096, size=(10, 10)).astype(np.uint16)
    result = normalize_to_range(image, out_min, out_max)
    assert result.dtype == np.float64
    assert result.min() == pytest.approx(out_min) and result.max() == pytest.approx(out_max)
    np.testing.assert_allclose((result - out_min) / (out_max - out_min), normalize_minmax(image))


def test_normalize_to_range_with_percentiles_clips():
    image = np.arange(101)
    result = normalize_to_range(image, 0, 255, low=10, high=60)
    np.testing.assert_allclose(result[[0, 10, 35, 60, 100]], [0, 0, 127.5, 255, 255])


def test_normalize_to_range_constant_gives_lower_end():
    assert np.array_equal(normalize_to_range(np.full((2, 3), 4), -1, 1), np.full((2, 3), -1.0))


@pytest.mark.parametrize(
    "kwargs, message",
    [({"out_min": 1, "out_max": 1}, "smaller than"), ({"out_min": 0, "out_max": 1, "low": 1}, "both")],
)
def test_normalize_to_range_rejects(kwargs, message):
    with pytest.raises(ValueError, match=message):
        normalize_to_range(np.arange(5), **kwargs)


@pytest.mark.parametrize(
    "function",
    [normalize_minmax, normalize_percentile, lambda im: normalize_to_range(im, 0, 255), hwc_to_chw,
     lambda im: saturating_add(im, im)],
)
def test_functions_never_modify_their_input(function):
    image = np.random.default_rng(RNG_SEED).integers(0, 256, size=(6, 7, 3), dtype=np.uint8)
    before = image.copy()
    function(image)
    assert np.array_equal(image, before)
