"""Tests for source_helpers.segmentation."""

import itertools

import numpy as np
import pytest
from scipy import ndimage as ndi

from source_helpers.canvas import THREE_DISKS, draw_disks, three_disk_canvas
from source_helpers.segmentation import (
    distance_to_background,
    find_peaks,
    find_watershed,
    markers_from_peaks,
    markers_from_plateaus,
    remove_speckles,
    threshold,
    watershed_from_markers,
)


def _rod(height=60, width=100, row=30, cols=(20, 80), radius=8):
    """A capsule: the union of disks centred along one row."""
    return draw_disks(height, width, [(row, c, radius) for c in range(cols[0], cols[1] + 1)]) > 0


def _brute_distance(binary):
    """Distance to the nearest background pixel by checking every pair."""
    background = np.argwhere(~binary)
    out = np.zeros(binary.shape)
    for r, c in np.argwhere(binary):
        out[r, c] = np.sqrt(((background - (r, c)) ** 2).sum(axis=1)).min()
    return out


# Bad masks are tested for every function at once in test_mask_input.py.


# threshold -----------------------------------------------------------------


def test_threshold_above_and_below():
    image = np.array([[0.0, 0.5, 1.0]])
    assert threshold(image, 0.5).tolist() == [[False, False, True]]
    assert threshold(image, 0.5, below=True).tolist() == [[True, False, False]]


def test_threshold_rejects_rgb_and_bad_level():
    with pytest.raises(ValueError, match="rgb2gray"):
        threshold(np.zeros((4, 4, 3)), 0.5)
    with pytest.raises(ValueError, match="finite"):
        threshold(np.zeros((4, 4)), np.nan)
    with pytest.raises(TypeError, match="`level` must be a number"):
        threshold(np.zeros((4, 4)), "180")
    with pytest.raises(TypeError, match="`below`"):
        threshold(np.zeros((4, 4)), 1, below="yes")


# remove_speckles ----------------------------------------------------------------


def test_remove_speckles_deletes_isolated_pixels_and_keeps_blocks():
    mask = np.zeros((12, 12), dtype=bool)
    mask[2:9, 2:9] = True
    mask[10, 10] = True
    mask[0, 11] = True
    out = remove_speckles(mask, 1)
    assert out.dtype == bool
    assert not out[10, 10] and not out[0, 11]
    # Opening by a cross keeps the square except its four corners.
    expected = mask.copy()
    expected[10, 10] = expected[0, 11] = False
    for r, c in [(2, 2), (2, 8), (8, 2), (8, 8)]:
        expected[r, c] = False
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("iterations", [1, 2, 5])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_remove_speckles_is_an_opening(iterations, seed):
    mask = np.random.default_rng(seed).random((30, 40)) < 0.6
    out = remove_speckles(mask.astype(np.uint8), iterations)
    np.testing.assert_array_equal(out, ndi.binary_opening(mask, iterations=iterations))
    assert not (out & ~mask).any(), "an opening never adds foreground"
    np.testing.assert_array_equal(remove_speckles(out, iterations), out)  # idempotent


def test_remove_speckles_leaves_input_untouched():
    mask = np.zeros((5, 5), dtype=int)
    mask[2, 2] = 1
    before = mask.copy()
    remove_speckles(mask, 1)
    np.testing.assert_array_equal(mask, before)


@pytest.mark.parametrize("iterations, error, match", [
    (0, ValueError, "at least 1"),
    (-2, ValueError, "at least 1"),
    (1.5, TypeError, "whole number"),
    (True, TypeError, "whole number"),
])
def test_remove_speckles_bad_iterations(iterations, error, match):
    with pytest.raises(error, match=match):
        remove_speckles(np.ones((4, 4), dtype=bool), iterations)


# distance_to_background -------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_distance_matches_brute_force(seed):
    mask = np.random.default_rng(seed).random((15, 18)) < 0.7
    mask[0, 0] = False  # at least one background pixel
    out = distance_to_background(mask)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, _brute_distance(mask))


def test_distance_of_the_three_disks_peaks_at_the_radii():
    distance = distance_to_background(three_disk_canvas().image)
    for row, col, radius in THREE_DISKS:
        assert distance[row, col] == radius
    assert distance.max() == 15.0


# find_peaks -----------------------------------------------------------------------


def test_peaks_of_the_three_disks_are_their_centres():
    binary = three_disk_canvas().image
    coords = find_peaks(distance_to_background(binary), binary)
    assert coords.dtype == np.int64 and coords.shape == (3, 2)
    assert sorted(map(tuple, coords.tolist())) == sorted((r, c) for r, c, _ in THREE_DISKS)


@pytest.mark.parametrize("min_distance, expected", [(1, 3), (10, 3), (12, 2), (20, 1)])
def test_large_min_distance_suppresses_close_centres(min_distance, expected):
    binary = three_disk_canvas().image
    coords = find_peaks(distance_to_background(binary), binary, min_distance=min_distance)
    assert len(coords) == expected


@pytest.mark.parametrize("min_distance, expected", [(5, 13), (10, 7), (20, 3)])
def test_flat_ridge_gives_a_peak_every_min_distance(min_distance, expected):
    # The ridge runs along row 40 from col 20 to col 80; with min_distance=20
    # the peak at col 80 is dropped because it is within 20 of the border.
    rod = _rod(height=80, row=40)
    coords = find_peaks(distance_to_background(rod), rod, min_distance=min_distance)
    assert len(coords) == expected
    assert set(coords[:, 0].tolist()) == {40}
    gaps = np.diff(np.sort(coords[:, 1]))
    assert (gaps >= min_distance).all()


def test_objects_in_the_border_strip_get_no_peak():
    # The small disk (rows 1-3) lies within 5 pixels of the top border.
    binary = draw_disks(40, 40, [(2, 20, 2), (20, 20, 6)]) > 0
    coords = find_peaks(distance_to_background(binary), binary, min_distance=5)
    assert coords.tolist() == [[20, 20]]
    labels, n = find_watershed(binary, 5)
    assert n == 1 and not labels[:4].any()


def test_footprint_replaces_the_square_window():
    binary = three_disk_canvas().image
    distance = distance_to_background(binary)
    # The 41x41 window around (60, 60) reaches into the big disk, a 3x3 one does not.
    assert len(find_peaks(distance, binary, min_distance=20)) == 1
    small = find_peaks(distance, binary, min_distance=20, footprint=np.ones((3, 3)))
    assert sorted(small.tolist()) == [[35, 35], [60, 60]]
    # (20, 20) is 15 from (35, 35) in the max-norm: min_distance=16 suppresses it
    # whatever the window, min_distance=15 does not.
    assert len(find_peaks(distance, binary, min_distance=15, footprint=np.ones((3, 3)))) == 3
    assert len(find_peaks(distance, binary, min_distance=16, footprint=np.ones((3, 3)))) == 2
    assert len(find_peaks(distance, binary, min_distance=10, footprint=np.ones((10, 10)))) == 3


def test_find_peaks_bad_input():
    binary = np.ones((6, 6), dtype=bool)
    binary[0] = False
    distance = distance_to_background(binary)
    with pytest.raises(ValueError, match="same shape"):
        find_peaks(distance, binary[:5])
    with pytest.raises(ValueError, match="must not be negative.*minus sign"):
        find_peaks(-distance, binary)
    with pytest.raises(ValueError, match="at least 1"):
        find_peaks(distance, binary, min_distance=0)
    with pytest.raises(ValueError, match="at least one True"):
        find_peaks(distance, binary, footprint=np.zeros((3, 3)))
    with pytest.raises(TypeError, match="not booleans"):
        find_peaks(binary, binary)


# markers_from_peaks -------------------------------------------------------


def test_markers_from_peaks_labels_each_peak():
    coords = np.array([[3, 1], [0, 0], [2, 4]])
    markers = markers_from_peaks(coords, (4, 5))
    assert markers.dtype == np.int64 and markers.shape == (4, 5)
    assert markers[3, 1] == 1 and markers[0, 0] == 2 and markers[2, 4] == 3
    assert np.count_nonzero(markers) == 3


@pytest.mark.parametrize("coords", [np.empty((0, 2), dtype=int), [], np.empty((0,), dtype=int)])
def test_markers_from_no_peaks_are_all_zero(coords):
    markers = markers_from_peaks(coords, (3, 2))
    assert markers.shape == (3, 2) and not markers.any()


@pytest.mark.parametrize("coords, shape, error, match", [
    ([[0, 5]], (3, 5), ValueError, "outside"),
    ([[-1, 0]], (3, 5), ValueError, "outside"),
    ([[1, 1], [1, 1]], (3, 5), ValueError, "twice"),
    ([[1, 1, 1]], (3, 5), ValueError, r"shape \(N, 2\)"),
    ([[0.5, 1.0]], (3, 5), TypeError, "whole numbers"),
    ([[0, 0]], (0, 5), ValueError, "at least 1"),
    ([[0, 0]], (3, 5, 1), ValueError, "height, width"),
    ([[0, 0]], 5, TypeError, "tuple"),
])
def test_markers_from_peaks_bad_input(coords, shape, error, match):
    with pytest.raises(error, match=match):
        markers_from_peaks(coords, shape)


# markers_from_plateaus --------------------------------------------------------


def test_a_flat_ridge_is_one_plateau_marker():
    rod = _rod()
    markers = markers_from_plateaus(distance_to_background(rod), rod)
    assert markers.max() == 1
    assert (markers > 0).sum() > 50  # the whole ridge


def test_plateau_markers_of_the_three_disks():
    binary = three_disk_canvas().image
    markers = markers_from_plateaus(distance_to_background(binary), binary)
    assert markers.max() == 3
    assert sorted(map(tuple, np.argwhere(markers).tolist())) == sorted((r, c) for r, c, _ in THREE_DISKS)


def test_plateau_markers_of_an_empty_mask():
    assert not markers_from_plateaus(np.zeros((4, 4)), np.zeros((4, 4), dtype=int)).any()


# watershed_from_markers ----------------------------------------------------


def test_regions_without_a_marker_stay_background():
    binary = np.array([[1, 1, 0, 1, 1]])
    markers = np.array([[1, 0, 0, 0, 0]])
    out = watershed_from_markers(distance_to_background(binary), markers, binary)
    assert out.dtype == np.int64
    assert out.tolist() == [[1, 1, 0, 0, 0]]


def test_watershed_bad_markers():
    binary = np.ones((3, 3), dtype=int)
    with pytest.raises(ValueError, match="negative labels"):
        watershed_from_markers(np.zeros((3, 3)), -np.ones((3, 3), dtype=int), binary)
    with pytest.raises(TypeError, match="integer label image"):
        watershed_from_markers(np.zeros((3, 3)), np.zeros((3, 3)), binary)
    with pytest.raises(ValueError, match="same shape"):
        watershed_from_markers(np.zeros((3, 3)), np.zeros((3, 4), dtype=int), binary)


# find_watershed ---------------------------------------------------------------


def test_find_watershed_separates_the_three_disks():
    truth = three_disk_canvas().image
    labels, n = find_watershed(truth)
    assert type(n) is int and n == 3
    assert labels.dtype == np.int64 and labels.shape == truth.shape
    np.testing.assert_array_equal(labels > 0, truth > 0)
    centre_labels = {int(labels[r, c]) for r, c, _ in THREE_DISKS}
    assert centre_labels == {1, 2, 3}
    # The isolated disk is exactly one object.
    small = draw_disks(100, 100, [THREE_DISKS[2]]) > 0
    np.testing.assert_array_equal(labels == labels[60, 60], small)


def _separated_layout(rng, count, shape=(120, 120), margin=14, radii=(6, 12)):
    """Disks far from the border and from each other (gap at least margin)."""
    disks = []
    while len(disks) < count:
        r = int(rng.integers(*radii))
        row, col = (int(rng.integers(margin + r, s - margin - r)) for s in shape)
        if all(np.hypot(row - a, col - b) >= r + c + margin for a, b, c in disks):
            disks.append((row, col, r))
    return disks


@pytest.mark.parametrize("seed, count", list(itertools.product(range(5), [1, 2, 4])))
def test_find_watershed_counts_separated_disks(seed, count):
    disks = _separated_layout(np.random.default_rng(seed), count)
    binary = draw_disks(120, 120, disks) > 0
    labels, n = find_watershed(binary)
    assert n == count
    components, _ = ndi.label(binary)
    pairs = {(int(a), int(b)) for a, b in zip(labels[binary], components[binary])}
    assert len(pairs) == count  # one watershed object per disk


def test_min_distance_trades_splitting_against_merging():
    rod = _rod(height=80, row=40)
    counts = [find_watershed(rod, md)[1] for md in (5, 10, 20)]
    assert counts == [13, 7, 3]  # a small min_distance splits the rod more
    canvas = three_disk_canvas().image
    assert [find_watershed(canvas, md)[1] for md in (10, 12, 20)] == [3, 2, 1]  # a large one merges


def test_find_watershed_of_an_empty_mask():
    labels, n = find_watershed(np.zeros((10, 10), dtype=bool))
    assert n == 0 and not labels.any()


def test_find_watershed_leaves_input_untouched():
    truth = three_disk_canvas().image
    before = truth.copy()
    find_watershed(truth)
    np.testing.assert_array_equal(truth, before)


@pytest.mark.parametrize("min_distance, error, match", [
    (0, ValueError, "at least 1"),
    (-3, ValueError, "at least 1"),
    (2.5, TypeError, "whole number"),
    (None, TypeError, "whole number"),
])
def test_find_watershed_bad_min_distance(min_distance, error, match):
    with pytest.raises(error, match=match):
        find_watershed(three_disk_canvas().image, min_distance)
