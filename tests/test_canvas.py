"""Tests for source_helpers.canvas: the disk-drawing Canvas and draw_disks."""

import numpy as np
import pytest

from source_helpers.canvas import THREE_DISKS, Canvas, draw_disks, three_disk_canvas


def expected_disk(height, width, row, col, radius):
    """Pixels strictly closer than ``radius`` to (row, col), computed from the definition."""
    rows, cols = np.mgrid[0:height, 0:width]
    return (rows - row) ** 2 + (cols - col) ** 2 < radius**2


# --- construction -----------------------------------------------------------

@pytest.mark.parametrize("height, width", [(1, 1), (3, 7), (10, 4)])
def test_new_canvas_is_int64_zeros_of_height_by_width(height, width):
    canvas = Canvas(height, width)
    assert canvas.shape == (height, width)
    assert canvas.image.shape == (height, width)
    assert canvas.image.dtype == np.int64
    assert not canvas.image.any()
    assert repr(canvas) == f"Canvas(height={height}, width={width})"


def test_canvas_accepts_numpy_integers():
    assert Canvas(np.int64(4), np.uint8(6)).shape == (4, 6)


@pytest.mark.parametrize("height, width", [(10.0, 5), (5, 10.5), ("5", 5), (True, 5), (None, 5)])
def test_canvas_rejects_non_integer_size(height, width):
    with pytest.raises(TypeError, match="whole number"):
        Canvas(height, width)


@pytest.mark.parametrize("height, width, name", [(0, 5, "height"), (5, 0, "width"), (-3, 5, "height")])
def test_canvas_rejects_non_positive_size(height, width, name):
    with pytest.raises(ValueError, match=f"`{name}` must be at least 1"):
        Canvas(height, width)


# --- which pixels a disk covers ---------------------------------------------

@pytest.mark.parametrize("radius", [0.5, 1, 1.5, 2, 3, 5, 8])
def test_disk_inside_the_canvas_matches_the_definition(radius):
    canvas = Canvas(21, 23)
    canvas.disk(10, 11, radius)
    np.testing.assert_array_equal(canvas.image, expected_disk(21, 23, 10, 11, radius).astype(np.int64))


def test_boundary_pixels_are_left_out():
    # (3, 4) is exactly 5 away from the centre: "strictly closer" leaves it out.
    canvas = Canvas(20, 20)
    canvas.disk(10, 10, 5)
    assert canvas.image[13, 14] == 0 and canvas.image[10, 15] == 0
    assert canvas.image[10, 14] == 1 and canvas.image[12, 14] == 1


def test_radius_one_is_a_single_pixel():
    canvas = Canvas(3, 3)
    canvas.disk(1, 1, 1)
    np.testing.assert_array_equal(canvas.image, [[0, 0, 0], [0, 1, 0], [0, 0, 0]])


def test_small_radius_between_pixel_centres_draws_nothing():
    canvas = Canvas(4, 4)
    canvas.disk(1.5, 1.5, 0.5)
    assert not canvas.image.any()


# --- clipping at the border -------------------------------------------------

@pytest.mark.parametrize(
    "row, col",
    [
        (0, 15), (-3, 15),      # top
        (19, 15), (22, 15),     # bottom
        (10, 0), (10, -4),      # left
        (10, 29), (10, 33),     # right
        (0, 0), (19, 29), (-2, 31), (21, -2),   # corners
    ],
)
def test_disks_are_clipped_at_every_border(row, col):
    canvas = Canvas(20, 30)
    canvas.disk(row, col, 6)
    expected = expected_disk(20, 30, row, col, 6)
    np.testing.assert_array_equal(canvas.image, expected.astype(np.int64))
    # Nothing wrapped around to the opposite side.
    assert canvas.image.sum() == expected.sum()


@pytest.mark.parametrize("row, col", [(-20, 10), (40, 10), (10, -20), (10, 50), (-50, -50)])
def test_disk_entirely_outside_draws_nothing(row, col):
    canvas = Canvas(20, 30)
    canvas.disk(row, col, 5)
    assert not canvas.image.any()


def test_disk_larger_than_the_canvas_fills_it():
    canvas = Canvas(5, 8)
    canvas.disk(2, 4, 100)
    assert (canvas.image == 1).all()


# --- values and overlap ------------------------------------------------------

def test_value_is_written_and_later_disks_win():
    canvas = Canvas(20, 20)
    canvas.disk(8, 8, 5, value=1)
    canvas.disk(11, 11, 5, value=2)
    first = expected_disk(20, 20, 8, 8, 5)
    second = expected_disk(20, 20, 11, 11, 5)
    assert (first & second).any()
    assert (canvas.image[second] == 2).all()
    assert (canvas.image[first & ~second] == 1).all()
    assert (canvas.image[~first & ~second] == 0).all()


def test_drawing_zero_erases():
    canvas = Canvas(10, 10)
    canvas.disk(5, 5, 4)
    canvas.disk(5, 5, 2, value=0)
    assert canvas.image[5, 5] == 0 and canvas.image[5, 8] == 1


@pytest.mark.parametrize("radius", [0, -1, -0.5])
def test_disk_rejects_non_positive_radius(radius):
    with pytest.raises(ValueError, match="`radius` must be greater than 0"):
        Canvas(10, 10).disk(5, 5, radius)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"row": "5"}, TypeError, "`row` must be a number"),
        ({"col": None}, TypeError, "`col` must be a number"),
        ({"radius": float("nan")}, ValueError, "`radius` must be finite"),
        ({"row": float("inf")}, ValueError, "`row` must be finite"),
        ({"value": 1.5}, TypeError, "`value` must be a whole number"),
        ({"value": True}, TypeError, "`value` must be a whole number"),
    ],
)
def test_disk_rejects_bad_arguments(kwargs, error, match):
    arguments = {"row": 5, "col": 5, "radius": 3, "value": 1} | kwargs
    canvas = Canvas(10, 10)
    with pytest.raises(error, match=match):
        canvas.disk(arguments["row"], arguments["col"], arguments["radius"], value=arguments["value"])
    assert not canvas.image.any()


# --- the course's example ----------------------------------------------------

def test_three_disk_canvas():
    canvas = three_disk_canvas()
    assert canvas.shape == (100, 100)
    expected = np.zeros((100, 100), dtype=bool)
    for row, col, radius in THREE_DISKS:
        expected |= expected_disk(100, 100, row, col, radius)
    np.testing.assert_array_equal(canvas.image, expected.astype(np.int64))


def test_three_disks_first_two_overlap_third_is_apart():
    (r1, c1, a), (r2, c2, b), (r3, c3, c) = THREE_DISKS
    assert np.hypot(r1 - r2, c1 - c2) < a + b
    assert np.hypot(r2 - r3, c2 - c3) > b + c
    assert np.hypot(r1 - r3, c1 - c3) > a + c


# --- draw_disks --------------------------------------------------------------

def test_draw_disks_labels_in_drawing_order_later_on_top():
    labels = draw_disks(100, 100, THREE_DISKS)
    assert labels.dtype == np.int64 and labels.shape == (100, 100)
    assert sorted(np.unique(labels).tolist()) == [0, 1, 2, 3]
    # The overlap of disks 1 and 2 belongs to disk 2, drawn later.
    overlap = expected_disk(100, 100, 20, 20, 10) & expected_disk(100, 100, 35, 35, 15)
    assert overlap.any() and (labels[overlap] == 2).all()
    np.testing.assert_array_equal(labels > 0, three_disk_canvas().image > 0)


def test_draw_disks_rectangular_and_clipped():
    disks = [(0, 0, 4), (5, 11, 3), (9, 6, 5)]
    labels = draw_disks(10, 12, disks)
    expected = np.zeros((10, 12), dtype=np.int64)
    for i, (row, col, radius) in enumerate(disks, start=1):
        expected[expected_disk(10, 12, row, col, radius)] = i
    np.testing.assert_array_equal(labels, expected)


def test_draw_disks_with_no_disks_is_background():
    labels = draw_disks(3, 4, [])
    np.testing.assert_array_equal(labels, np.zeros((3, 4), dtype=np.int64))


@pytest.mark.parametrize(
    "disks, error, match",
    [
        (5, TypeError, "list of \\(row, col, radius\\)"),
        ([(1, 2)], ValueError, "disks\\[0\\]"),
        ([(1, 1, 1), (1, 2, 3, 4)], ValueError, "disks\\[1\\]"),
        ([(1, 1, 0)], ValueError, "radius"),
    ],
)
def test_draw_disks_rejects_bad_disks(disks, error, match):
    with pytest.raises(error, match=match):
        draw_disks(5, 5, disks)
