"""Tests for source_helpers.noise."""

import math

import numpy as np
import pytest

from scipy import ndimage as ndi

from source_helpers.noise import (
    add_dust,
    add_salt_noise,
    erosions_to_remove,
    roughen_outline,
    salt_noise_by_truncation,
    true_noise_probability,
)
from source_helpers.segmentation import remove_speckles


def _binomial_tolerance(p, n, sigmas=5):
    """``sigmas`` standard deviations of the fraction of successes in ``n`` trials."""
    return sigmas * math.sqrt(p * (1 - p) / n)


# add_salt_noise -------------------------------------------------------------


@pytest.mark.parametrize("p", [0.02, 0.1, 0.5, 0.9])
def test_salt_noise_fraction_matches_p_on_an_empty_mask(p):
    shape = (300, 400)
    noisy = add_salt_noise(np.zeros(shape, dtype=np.int64), p, np.random.default_rng(12345))
    fraction = noisy.mean()
    assert abs(fraction - p) < _binomial_tolerance(p, noisy.size)


def test_salt_noise_fraction_on_background_only_and_foreground_kept():
    mask = np.zeros((200, 300), dtype=np.int64)
    mask[:, :100] = 1
    p = 0.1
    noisy = add_salt_noise(mask, p, np.random.default_rng(7))
    assert noisy[:, :100].all()
    background = noisy[:, 100:]
    assert abs(background.mean() - p) < _binomial_tolerance(p, background.size)


def test_salt_noise_is_independent_per_row_and_column():
    # Noise broadcast along one axis would give whole rows or columns on or off.
    p = 0.2
    noisy = add_salt_noise(np.zeros((200, 500), dtype=bool), p, np.random.default_rng(99))
    assert np.abs(noisy.mean(axis=1) - p).max() < _binomial_tolerance(p, 500, sigmas=6)
    assert np.abs(noisy.mean(axis=0) - p).max() < _binomial_tolerance(p, 200, sigmas=6)


def test_salt_noise_is_uncorrelated_between_neighbours():
    p = 0.3
    noisy = add_salt_noise(np.zeros((400, 400), dtype=bool), p, np.random.default_rng(5))
    both = (noisy[:, :-1] & noisy[:, 1:]).mean()
    assert abs(both - p * p) < _binomial_tolerance(p * p, noisy[:, 1:].size)


@pytest.mark.parametrize("dtype", [bool, np.uint8, np.int64, np.float64])
def test_salt_noise_keeps_dtype_shape_and_input(dtype):
    mask = np.zeros((13, 17), dtype=dtype)
    mask[3:8, 4:9] = 1
    before = mask.copy()
    noisy = add_salt_noise(mask, 0.3, np.random.default_rng(1))
    assert noisy.dtype == np.dtype(dtype)
    assert noisy.shape == (13, 17)
    assert noisy is not mask
    np.testing.assert_array_equal(mask, before)
    assert set(np.unique(noisy).tolist()) <= {0, 1}
    assert noisy[3:8, 4:9].all()


def test_salt_noise_same_seed_same_result_other_seed_other_result():
    mask = np.zeros((50, 60), dtype=np.int64)
    first = add_salt_noise(mask, 0.1, np.random.default_rng(2024))
    again = add_salt_noise(mask, 0.1, np.random.default_rng(2024))
    other = add_salt_noise(mask, 0.1, np.random.default_rng(2025))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_salt_noise_uses_only_the_given_generator():
    np.random.seed(0)
    state = np.random.get_state()[1].copy()
    add_salt_noise(np.zeros((5, 5), dtype=int), 0.5, np.random.default_rng(0))
    np.testing.assert_array_equal(np.random.get_state()[1], state)


@pytest.mark.parametrize("p, expected", [(0, 0), (0.0, 0), (1, 1), (1.0, 1)])
def test_salt_noise_extreme_probabilities(p, expected):
    mask = np.zeros((6, 8), dtype=np.int64)
    mask[0, 0] = 1
    noisy = add_salt_noise(mask, p, np.random.default_rng(0))
    want = np.full((6, 8), expected, dtype=np.int64)
    want[0, 0] = 1
    np.testing.assert_array_equal(noisy, want)


# salt_noise_by_truncation and true_noise_probability ------------------------


@pytest.mark.parametrize("c", [1.0, 1.05, 1.1, 1.5, 1.9])
def test_truncation_noise_has_the_true_probability(c):
    noise = salt_noise_by_truncation((400, 500), c, np.random.default_rng(31))
    assert noise.dtype == np.int64
    assert noise.shape == (400, 500)
    assert set(np.unique(noise).tolist()) <= {0, 1}
    expected = 1 - 1 / c
    assert abs(noise.mean() - expected) < _binomial_tolerance(expected, noise.size) + 1e-12


def test_truncation_noise_with_1_1_is_not_a_tenth():
    noise = salt_noise_by_truncation((500, 500), 1.1, np.random.default_rng(0))
    tolerance = _binomial_tolerance(0.1, noise.size)
    assert abs(noise.mean() - 0.1) > tolerance
    assert abs(noise.mean() - 1 / 11) < tolerance


def test_truncation_noise_is_reproducible():
    a = salt_noise_by_truncation((20, 30), 1.3, np.random.default_rng(8))
    b = salt_noise_by_truncation((20, 30), 1.3, np.random.default_rng(8))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("c, expected", [(1, 0.0), (1.1, 1 / 11), (1.25, 0.2), (1.5, 1 / 3), (1.6, 0.375)])
def test_true_noise_probability_values(c, expected):
    result = true_noise_probability(c)
    assert isinstance(result, float)
    assert result == pytest.approx(expected, abs=1e-12)


def test_true_noise_probability_is_below_the_naive_guess():
    for c in np.linspace(1.01, 1.99, 50):
        assert true_noise_probability(c) < c - 1


def test_true_noise_probability_accepts_numpy_numbers():
    assert true_noise_probability(np.float32(1.25)) == pytest.approx(0.2)


# erosions_to_remove ---------------------------------------------------------


def _erode_until_empty(binary):
    """Independent count: apply the cross erosion by hand until nothing is left."""
    mask = np.asarray(binary, dtype=bool)
    count = 0
    while mask.any():
        padded = np.pad(mask, 1, constant_values=False)
        mask = (padded[1:-1, 1:-1] & padded[:-2, 1:-1] & padded[2:, 1:-1]
                & padded[1:-1, :-2] & padded[1:-1, 2:])
        count += 1
    return count


@pytest.mark.parametrize("side, expected", [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (8, 4)])
def test_square_speck_needs_half_its_side(side, expected):
    mask = np.zeros((side + 6, side + 6), dtype=int)
    mask[3:3 + side, 3:3 + side] = 1
    assert erosions_to_remove(mask) == expected


def test_erosions_to_remove_counts_the_border_as_background():
    assert erosions_to_remove(np.ones((4, 9), dtype=bool)) == 2
    assert erosions_to_remove(np.ones((1, 1), dtype=int)) == 1


def test_erosions_to_remove_is_zero_without_foreground():
    assert erosions_to_remove(np.zeros((5, 5), dtype=int)) == 0


@pytest.mark.parametrize("seed", range(6))
def test_erosions_to_remove_matches_repeated_erosion(seed):
    rng = np.random.default_rng(seed)
    mask = rng.random((int(rng.integers(3, 30)), int(rng.integers(3, 30)))) < rng.uniform(0.3, 0.9)
    result = erosions_to_remove(mask)
    assert isinstance(result, int)
    assert result == _erode_until_empty(mask)


@pytest.mark.parametrize("seed", range(4))
def test_remove_speckles_deletes_a_speck_exactly_from_that_many_iterations(seed):
    rng = np.random.default_rng(100 + seed)
    speck = np.zeros((25, 25), dtype=bool)
    speck[8:17, 8:17] = rng.random((9, 9)) < 0.8
    k = erosions_to_remove(speck)
    assert not remove_speckles(speck, k).any()
    if k > 1:
        assert remove_speckles(speck, k - 1).any()


# bad input (the mask's own checks are in test_mask_input.py) -------------------

@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_probability_out_of_range_is_rejected(p):
    with pytest.raises(ValueError, match="`p` must be"):
        add_salt_noise(np.zeros((3, 3), dtype=int), p, np.random.default_rng(0))


@pytest.mark.parametrize("p", ["0.1", None, True])
def test_probability_that_is_no_number_is_rejected(p):
    with pytest.raises(TypeError, match="`p` must be a number"):
        add_salt_noise(np.zeros((3, 3), dtype=int), p, np.random.default_rng(0))


def test_nan_probability_is_rejected():
    with pytest.raises(ValueError, match="`p` must be finite"):
        add_salt_noise(np.zeros((3, 3), dtype=int), float("nan"), np.random.default_rng(0))


@pytest.mark.parametrize("rng", [0, None, np.random.RandomState(0)])
def test_missing_generator_is_rejected(rng):
    with pytest.raises(TypeError, match="numpy.random.Generator.*default_rng"):
        add_salt_noise(np.zeros((3, 3), dtype=int), 0.1, rng)
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        salt_noise_by_truncation((3, 3), 1.1, rng)


@pytest.mark.parametrize("c", [0.5, 0, -1.1])
def test_factor_below_one_is_rejected(c):
    with pytest.raises(ValueError, match="`c` must be at least 1"):
        true_noise_probability(c)
    with pytest.raises(ValueError, match="`c` must be at least 1"):
        salt_noise_by_truncation((3, 3), c, np.random.default_rng(0))


@pytest.mark.parametrize("c", [2, 2.5])
def test_factor_of_two_or_more_is_rejected(c):
    with pytest.raises(ValueError, match="`c` must be below 2"):
        true_noise_probability(c)


def test_factor_that_is_no_number_is_rejected():
    with pytest.raises(TypeError, match="`c` must be a number"):
        true_noise_probability("1.1")


@pytest.mark.parametrize("shape, error, match", [
    ((0, 5), ValueError, r"`shape\[0\]` must be at least 1"),
    ((5, -2), ValueError, r"`shape\[1\]` must be at least 1"),
    ((5,), ValueError, "two numbers"),
    ((5, 5, 3), ValueError, "two numbers"),
    ((5.0, 5), TypeError, "whole number"),
    (5, TypeError, "must be a tuple"),
])
def test_bad_shape_is_rejected(shape, error, match):
    with pytest.raises(error, match=match):
        salt_noise_by_truncation(shape, 1.1, np.random.default_rng(0))


# add_dust ------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [bool, np.uint8, np.int64])
def test_dust_keeps_dtype_shape_input_and_foreground(dtype):
    mask = np.zeros((40, 50), dtype=dtype)
    mask[10:20, 10:30] = 1
    before = mask.copy()
    dusty = add_dust(mask, 0.05, np.random.default_rng(1))
    assert dusty.dtype == mask.dtype and dusty.shape == mask.shape
    np.testing.assert_array_equal(mask, before)
    assert dusty[mask > 0].all()
    assert set(np.unique(dusty).tolist()) <= {0, 1}


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_dust_is_made_of_whole_squares(size):
    # Away from the bottom and right edges (where specks are cut), every dust pixel lies in a
    # size x size square of dust: the dust equals its opening with that square.
    dust = add_dust(np.zeros((80, 90), dtype=bool), 0.01, np.random.default_rng(size), sizes=(size,))
    square = np.ones((size, size), dtype=bool)
    opened = ndi.binary_opening(dust, structure=square)
    inner = (slice(0, 80 - size), slice(0, 90 - size))
    np.testing.assert_array_equal(opened[inner], dust[inner])
    assert dust.any()


def test_dust_of_single_pixels_has_probability_p():
    p = 0.05
    dust = add_dust(np.zeros((300, 400), dtype=bool), p, np.random.default_rng(8), sizes=(1,))
    assert abs(dust.mean() - p) < _binomial_tolerance(p, dust.size)


def test_dust_mixes_the_sizes_it_is_given():
    dust = add_dust(np.zeros((200, 200), dtype=bool), 0.002, np.random.default_rng(3), sizes=(1, 3))
    labels, n = ndi.label(dust)
    areas = set(np.bincount(labels.ravel())[1:].tolist())
    assert {1, 9} <= areas


def test_square_dust_survives_one_erosion_but_not_enough_of_them():
    dust = add_dust(np.zeros((60, 60), dtype=bool), 0.01, np.random.default_rng(0), sizes=(3,))
    assert remove_speckles(dust, 1).any()          # a 3x3 square survives one erosion
    assert not remove_speckles(dust, erosions_to_remove(dust)).any()
    assert erosions_to_remove(dust) >= 2


def test_dust_is_reproducible_and_depends_on_the_seed():
    mask = np.zeros((50, 60), dtype=np.int64)
    first = add_dust(mask, 0.02, np.random.default_rng(11))
    np.testing.assert_array_equal(first, add_dust(mask, 0.02, np.random.default_rng(11)))
    assert not np.array_equal(first, add_dust(mask, 0.02, np.random.default_rng(12)))


def test_dust_with_p_zero_changes_nothing():
    mask = np.eye(7, dtype=np.int64)
    np.testing.assert_array_equal(add_dust(mask, 0.0, np.random.default_rng(0)), mask)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"p": 1.5}, ValueError, "`p` must be at most 1"),
    ({"p": -0.1}, ValueError, "`p` must be at least 0"),
    ({"sizes": ()}, ValueError, "at least one size"),
    ({"sizes": (2, 0)}, ValueError, r"`sizes\[1\]` must be at least 1"),
    ({"sizes": (1.5,)}, TypeError, "whole number"),
    ({"sizes": 3}, TypeError, "`sizes` must be a list or tuple"),
    ({"rng": 3}, TypeError, "numpy.random.Generator"),
])
def test_dust_bad_arguments(kwargs, error, match):
    arguments = {"p": 0.1, "rng": np.random.default_rng(0), **kwargs}
    sizes = arguments.pop("sizes", (1, 2, 3))
    with pytest.raises(error, match=match):
        add_dust(np.zeros((5, 5), dtype=int), arguments["p"], arguments["rng"], sizes=sizes)


# roughen_outline -------------------------------------------------------------


def _rims(mask):
    inner = mask & ~ndi.binary_erosion(mask, border_value=1)
    outer = ndi.binary_dilation(mask) & ~mask
    return inner, outer


@pytest.mark.parametrize("seed", range(3))
def test_roughen_changes_only_pixels_next_to_an_outline(seed):
    mask = np.zeros((40, 40), dtype=bool)
    mask[8:30, 5:25] = True
    ragged = roughen_outline(mask, 0.4, np.random.default_rng(seed))
    inner, outer = _rims(mask)
    changed = ragged != mask
    assert changed.any()
    assert not (changed & ~(inner | outer)).any()


def test_roughen_with_p_one_flips_both_rims():
    mask = np.zeros((12, 12), dtype=int)
    mask[3:8, 2:9] = 1
    inner, outer = _rims(mask > 0)
    ragged = roughen_outline(mask, 1.0, np.random.default_rng(0))
    np.testing.assert_array_equal(ragged, ((mask > 0) & ~inner) | outer)


def test_roughen_flips_about_a_fraction_p_of_the_outline():
    mask = np.zeros((300, 300), dtype=bool)
    mask[50:250, 50:250] = True
    inner, outer = _rims(mask)
    ragged = roughen_outline(mask, 0.3, np.random.default_rng(4))
    rim = inner | outer
    fraction = (ragged != mask)[rim].mean()
    assert abs(fraction - 0.3) < _binomial_tolerance(0.3, int(rim.sum()))


def test_roughen_leaves_the_image_border_alone():
    full = np.ones((6, 9), dtype=bool)
    np.testing.assert_array_equal(roughen_outline(full, 1.0, np.random.default_rng(0)), full)
    half = np.zeros((6, 9), dtype=bool)
    half[:, :4] = True                      # cut by the top, left and bottom edges
    ragged = roughen_outline(half, 1.0, np.random.default_rng(0))
    np.testing.assert_array_equal(ragged[:, :3], half[:, :3])


def test_roughen_returns_booleans_and_leaves_the_input_alone():
    mask = np.zeros((10, 10), dtype=np.uint8)
    mask[2:7, 2:7] = 1
    before = mask.copy()
    ragged = roughen_outline(mask, 0.5, np.random.default_rng(2))
    assert ragged.dtype == bool
    np.testing.assert_array_equal(mask, before)


def test_roughen_bad_arguments():
    with pytest.raises(ValueError, match="`p` must be at most 1"):
        roughen_outline(np.zeros((4, 4), dtype=int), 2, np.random.default_rng(0))
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        roughen_outline(np.zeros((4, 4), dtype=int), 0.5, 0)
