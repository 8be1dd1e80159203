"""Tests for source_helpers.segmentation."""

import itertools

import numpy as np
import pytest
from scipy import ndimage as ndi
from skimage.filters import threshold_otsu
from skimage.morphology import disk, opening

from source_helpers.canvas import THREE_DISKS, draw_disks, three_disk_canvas
from source_helpers.segmentation import (
    clean_mask,
    dark_foreground,
    distance_to_background,
    find_peaks,
    find_watershed,
    flatten_background,
    markers_from_peaks,
    markers_from_plateaus,
    merge_fragments,
    otsu_dark_mask,
    remove_speckles,
    rescaled_level,
    rod_markers,
    rod_scales,
    segment_cells,
    WATERSHED_SLIPS,
    slip_panels,
    threshold,
    watershed_from_markers,
    watershed_with_slip,
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


# Slips of the watershed (chapter 04) ------------------------------------------------


def _same_objects(a, b):
    pairs = np.unique(np.stack([a.ravel(), b.ravel()]), axis=1)
    return np.array_equal(a == 0, b == 0) and len(np.unique(pairs[0])) == len(np.unique(pairs[1])) == pairs.shape[1]


def test_no_slip_is_find_watershed():
    binary = three_disk_canvas().image
    labels, markers = watershed_with_slip(binary, "no slip")
    assert _same_objects(labels, find_watershed(binary)[0])
    assert markers.astype(bool).sum() == 3


def test_each_slip_leaves_its_fingerprint_on_the_three_disks():
    binary = three_disk_canvas().image > 0
    right, right_markers = watershed_with_slip(binary, "no slip")
    flipped, flipped_markers = watershed_with_slip(binary, "flipped sign")
    np.testing.assert_array_equal(flipped_markers, right_markers)
    assert sorted(np.bincount(flipped.ravel())[1:].tolist()) == [1, 193, 970]     # the big disk keeps its peak only
    unmasked, _ = watershed_with_slip(binary, "missing mask")
    assert (unmasked > 0).all()
    rim, rim_markers = watershed_with_slip(binary, "marker on the rim")
    row, col = np.argwhere(rim_markers == 1)[0]
    assert binary[row, col] and not binary[row - 1, col]                         # on the rim
    assert np.bincount(rim.ravel())[1] < 10
    merged, merged_markers = watershed_with_slip(binary, "min_distance too large", too_large=20)
    assert merged_markers.astype(bool).sum() < 3
    assert not _same_objects(merged, right)


def test_the_slip_panels_are_each_made_by_exactly_one_slip():
    binary, panels = slip_panels()
    assert sorted(panels) == ["A", "B", "C", "D"]
    outcomes = {slip: watershed_with_slip(binary, slip)[0] for slip in WATERSHED_SLIPS}
    found = set()
    for name, (labels, markers) in panels.items():
        matching = [slip for slip, produced in outcomes.items() if _same_objects(produced, labels)]
        assert len(matching) == 1, (name, matching)
        found.add(matching[0])
    assert len(found) == 4 and "no slip" not in found


def test_bad_slip_is_rejected_with_the_choices():
    with pytest.raises(ValueError, match="`slip` must be one of 'no slip', 'flipped sign'"):
        watershed_with_slip(three_disk_canvas().image, "upside down")
    with pytest.raises(TypeError, match="whole number"):
        watershed_with_slip(three_disk_canvas().image, "no slip", too_large=2.5)


# The rod pipeline (chapter 06) -------------------------------------------------------


def _matched(true, pred, threshold=0.5):
    """Number of true objects with a predicted object of IoU >= threshold (one-to-one at IoU > 0.5)."""
    count = 0
    for t in np.unique(true[true > 0]):
        inside = true == t
        ids, overlap = np.unique(pred[inside & (pred > 0)], return_counts=True)
        if ids.size:
            p = ids[np.argmax(overlap)]
            if overlap.max() / (inside | (pred == p)).sum() >= threshold:
                count += 1
    return count


def test_rod_scales_follow_the_cell_width_in_pixels():
    assert rod_scales(0.05) == {"width": 20.0, "smoothing": 1.5, "background_radius": 15,
                                "opening_radius": 4, "min_area": 300, "max_width": 26.0}
    half = rod_scales(0.1)
    assert half["width"] == 10 and half["min_area"] == 75 and half["opening_radius"] == 2
    assert rod_scales(0.05, cell_width_um=0.5) == half


@pytest.mark.parametrize(
    "args, error, message",
    [((0,), ValueError, "`pixel_size_um` must be greater than 0"),
     ((0.05, -1), ValueError, "`cell_width_um` must be greater than 0"),
     (("0.05",), TypeError, "`pixel_size_um` must be a number"),
     ((0.5,), ValueError, "at least 4 pixels wide")],
)
def test_rod_scales_rejects(args, error, message):
    with pytest.raises(error, match=message):
        rod_scales(*args)


def test_flatten_background_cancels_uneven_lighting():
    scene = np.full((60, 80), 100.0)
    scene[20:30, 10:70] = 40.0        # a dark rod, 10 pixels wide
    lighting = np.linspace(0.6, 1.4, 80)[None, :] * np.ones((60, 1))
    flat = flatten_background(scene * lighting, 8)
    assert flat.max() <= 1 + 1e-12
    assert np.allclose(flat[:10, 10:-10], 1.0)    # plain background (away from the border, where the closing is one-sided)
    assert np.allclose(flat[22:28, 15:65], 0.4, atol=0.03)      # the rod, everywhere 40 % of around
    assert flatten_background(scene * lighting, 8).dtype == np.float64


def test_flatten_background_needs_a_disk_wider_than_half_the_object():
    scene = np.full((60, 80), 100.0)
    scene[20:30, 10:70] = 40.0
    assert flatten_background(scene, 3)[25, 40] == pytest.approx(1.0)   # the disk fits into the rod
    assert flatten_background(scene, 6)[25, 40] == pytest.approx(0.4)


@pytest.mark.parametrize(
    "image, kwargs, error, message",
    [(np.zeros((4, 4, 3)), {"radius": 2}, ValueError, "rgb2gray"),
     (-np.ones((4, 4)), {"radius": 2}, ValueError, "must not be negative"),
     (np.ones((4, 4)), {"radius": 0}, ValueError, "`radius` must be at least 1"),
     (np.ones((4, 4)), {"radius": 2.5}, TypeError, "`radius` must be a whole number"),
     (np.ones((4, 4)), {"radius": 2, "smoothing": -1}, ValueError, "`smoothing`")],
)
def test_flatten_background_rejects(image, kwargs, error, message):
    with pytest.raises(error, match=message):
        flatten_background(image, **kwargs)


def test_dark_foreground_thresholds_opens_and_drops_small_objects():
    relative = np.ones((40, 40))
    relative[5:15, 5:35] = 0.4     # a cell
    relative[25:28, 5:8] = 0.3     # a speck that an opening with a disk of radius 2 removes
    relative[25:31, 20:26] = 0.5   # a blob of 36 pixels that survives the opening
    assert dark_foreground(relative, opening_radius=0, min_area=0).sum() == 300 + 9 + 36
    opened = dark_foreground(relative, opening_radius=2, min_area=0)
    assert not opened[25:28, 5:8].any() and opened[27, 22]
    cleaned = dark_foreground(relative, opening_radius=2, min_area=50)
    assert not cleaned[25:31, 20:26].any() and cleaned[10, 20]
    assert not dark_foreground(relative, level=0.45, opening_radius=0, min_area=0)[27, 22]


def test_dark_foreground_otsu_separates_the_two_levels():
    relative = np.ones((40, 40))
    relative[5:15, 5:35] = 0.4
    relative[20:30, 5:35] = 0.55
    assert dark_foreground(relative, level="otsu", opening_radius=0, min_area=0).sum() == 600


@pytest.mark.parametrize(
    "kwargs, error, message",
    [({"level": "mean"}, TypeError, "`level` must be a number or 'otsu'"),
     ({"level": float("nan")}, ValueError, "`level` must be finite"),
     ({"opening_radius": -1}, ValueError, "`opening_radius` must be at least 0"),
     ({"min_area": 2.5}, TypeError, "`min_area` must be a whole number")],
)
def test_dark_foreground_rejects(kwargs, error, message):
    with pytest.raises(error, match=message):
        dark_foreground(np.ones((8, 8)), **kwargs)


@pytest.mark.parametrize("seed", range(3))
def test_rod_markers_give_a_long_rod_fewer_markers_than_distance_peaks(seed):
    from source_helpers.synthetic import Rod, render_rods

    image, truth = render_rods([Rod(6.4, 6.4, 6.0, 1.0, 30)], (256, 256), rng=seed)
    relative = flatten_background(image, 15, smoothing=1.5)
    foreground = dark_foreground(relative)
    markers = rod_markers(relative, foreground)
    peaks = find_peaks(distance_to_background(foreground), foreground, min_distance=10)
    assert 1 <= markers.max() <= 2 < len(peaks) - 2   # merge_fragments joins what is left
    assert segment_cells(image, pixel_size_um=0.05).max() == 1


def test_rod_markers_need_depth_and_darkness():
    relative = np.array([[1.0, 0.3, 0.3, 0.5, 0.35, 0.37, 1.0, 0.8, 1.0]])
    foreground = relative < 1
    assert rod_markers(relative, foreground, depth=0.1).tolist() == [[0, 1, 1, 0, 2, 0, 0, 0, 0]]
    # Leaving the basin at 0.35 means climbing 0.15 only: not deep enough for 0.2.
    assert rod_markers(relative, foreground, depth=0.2).tolist() == [[0, 1, 1, 0, 0, 0, 0, 0, 0]]
    # The dip at 0.8 is deep enough but, by default, not dark enough to be a cell.
    assert rod_markers(relative, foreground, depth=0.1, max_level=0.85).tolist() == [[0, 1, 1, 0, 2, 0, 0, 3, 0]]
    assert not rod_markers(np.ones((3, 3)), np.ones((3, 3)), depth=0.1).any()


@pytest.mark.parametrize(
    "relative, foreground, kwargs, error, message",
    [(np.ones((4, 4)), np.ones((4, 5)), {}, ValueError, "same shape"),
     (np.ones((4, 4)), np.full((4, 4), 2), {}, ValueError, "`foreground` must be binary"),
     (np.ones((4, 4)), np.ones((4, 4)), {"depth": 0}, ValueError, "`depth` must be greater than 0")],
)
def test_rod_markers_rejects(relative, foreground, kwargs, error, message):
    with pytest.raises(error, match=message):
        rod_markers(relative, foreground, **kwargs)


def _two_pieces(boundary, left=0.4, right=0.4, rows=3):
    """Two labels side by side along a row: one rod cut in two, with ``boundary`` on the cut."""
    relative = np.ones((rows + 2, 12))
    relative[1:rows + 1, 1:6] = left
    relative[1:rows + 1, 6:11] = right
    relative[1:rows + 1, 5:7] = boundary
    labels = np.zeros(relative.shape, dtype=np.int64)
    labels[1:rows + 1, 1:6], labels[1:rows + 1, 6:11] = 1, 2
    return labels, relative


@pytest.mark.parametrize(
    "boundary, left, right, rows, max_width, merged",
    [(0.42, 0.4, 0.4, 3, 4, True),     # a faint line across one rod: join
     (0.7, 0.4, 0.4, 3, 4, False),     # a bright gap: two cells
     (0.42, 0.25, 0.45, 3, 4, False),  # a dark and a light cell: two cells
     (0.42, 0.4, 0.4, 9, 4, False)],   # the union is too wide to be one rod
)
def test_merge_fragments_joins_only_pieces_of_one_rod(boundary, left, right, rows, max_width, merged):
    labels, relative = _two_pieces(boundary, left, right, rows)
    result = merge_fragments(labels, relative, max_width=max_width)
    assert (len(np.unique(result)) == 2) is merged
    assert np.array_equal(result > 0, labels > 0)


def test_merge_fragments_joins_a_chain_of_pieces():
    relative = np.ones((5, 20))
    relative[1:4, 1:19] = 0.4
    labels = np.zeros((5, 20), dtype=np.int64)
    for k, (start, stop) in enumerate([(1, 5), (5, 10), (10, 14), (14, 19)], start=1):
        labels[1:4, start:stop] = k
    assert np.unique(merge_fragments(labels, relative, max_width=4)).tolist() == [0, 1]


@pytest.mark.parametrize(
    "kwargs, error, message",
    [({"labels": np.ones((3, 3)) * 1.5}, TypeError, "integer label image"),
     ({"relative": np.ones((3, 4))}, ValueError, "same shape"),
     ({"max_width": 0}, ValueError, "`max_width` must be greater than 0"),
     ({"max_level_difference": -0.1}, ValueError, "`max_level_difference` must be at least 0")],
)
def test_merge_fragments_rejects(kwargs, error, message):
    arguments = {"labels": np.ones((3, 3), dtype=int), "relative": np.ones((3, 3)), **kwargs}
    with pytest.raises(error, match=message):
        merge_fragments(**arguments)


@pytest.mark.parametrize(
    "make_rods, expected",
    [(lambda s: [s.Rod(6.4, 6.4, 6.0, 1.0, 30)], 1),                 # long: the disk recipe splits it
     (lambda s: s.divided_pair(6.4, 6.4, 6.0, 1.0, 75), 2),           # freshly divided, end to end
     (lambda s: s.side_by_side(6.4, 6.4, 4.0, 1.0, 120, 3), 3)],      # packed side by side
)
def test_segment_cells_finds_rods_that_touch(make_rods, expected):
    from source_helpers import synthetic

    rods = make_rods(synthetic)
    image, truth = synthetic.render_rods(rods, (256, 256), rng=4)
    labels = segment_cells(image, pixel_size_um=0.05)
    assert labels.max() == expected and _matched(truth, labels) == expected


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("pixel_size_um", [0.05, 0.1])
def test_segment_cells_on_simulated_fields(seed, pixel_size_um):
    from source_helpers.synthetic import simulate_field

    shape = (round(20 / pixel_size_um),) * 2
    image, truth = simulate_field(shape, n_cells=8, pixel_size_um=pixel_size_um, rng=seed)
    labels = segment_cells(image, pixel_size_um=pixel_size_um)
    assert _matched(truth, labels) >= 7
    assert labels.max() <= 9
    assert np.unique(labels).tolist() == list(range(labels.max() + 1))


def test_segment_cells_needs_the_right_pixel_size():
    from source_helpers.synthetic import simulate_field

    image, truth = simulate_field((256, 256), n_cells=6, pixel_size_um=0.1, rng=1)
    assert _matched(truth, segment_cells(image, pixel_size_um=0.1)) >= 5
    # Told the pixels are 4 times smaller, every cell looks too small and too thin.
    assert _matched(truth, segment_cells(image, pixel_size_um=0.025)) <= 1


def test_segment_cells_on_the_real_crop():
    from source_helpers.data import ecoli_crop

    image, truth = ecoli_crop()
    labels = segment_cells(image, pixel_size_um=0.05)
    assert labels.max() == 4 and _matched(truth, labels) == 4


@pytest.mark.parametrize(
    "image, kwargs, error, message",
    [(np.ones((32, 32)), {}, TypeError, "pixel_size_um"),
     (np.ones((32, 32)), {"pixel_size_um": 0}, ValueError, "`pixel_size_um`"),
     (np.ones((32, 32, 3)), {"pixel_size_um": 0.05}, ValueError, "rgb2gray"),
     (-np.ones((32, 32)), {"pixel_size_um": 0.05}, ValueError, "must not be negative"),
     (np.ones((32, 32)), {"pixel_size_um": 0.05, "level": "auto"}, TypeError, "`level`")],
)
def test_segment_cells_rejects(image, kwargs, error, message):
    with pytest.raises(error, match=message):
        segment_cells(image, **kwargs)


# -- chapter 06: the classical pipeline for rods ---------------------------------------


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int32, np.float64])
def test_rescaled_level_maps_0_to_the_minimum_and_255_to_the_maximum(dtype):
    image = np.array([[40, 90], [200, 140]], dtype=dtype)
    assert rescaled_level(image, 0) == 40.0
    assert rescaled_level(image, 255) == 200.0
    assert rescaled_level(image, 51) == pytest.approx(40 + 0.2 * 160)
    assert isinstance(rescaled_level(image), float)


def test_rescaled_level_moves_with_the_image_and_keeps_a_full_8_bit_range():
    rng = np.random.default_rng(0)
    image = rng.random((20, 30)) * 1000
    assert rescaled_level(image + 500, 100) == pytest.approx(rescaled_level(image, 100) + 500)
    full = np.array([[0, 255]], dtype=np.uint8)
    assert rescaled_level(full) == 180.0


@pytest.mark.parametrize(
    "image, level, error, message",
    [(np.ones((4, 4, 3)), 180, ValueError, "rgb2gray"),
     (np.ones((4, 4)), 300, ValueError, "`level` must be at most 255"),
     (np.ones((4, 4)), "high", TypeError, "`level`"),
     ([[1, 2]], 180, TypeError, "`image` must be a NumPy array")],
)
def test_rescaled_level_rejects(image, level, error, message):
    with pytest.raises(error, match=message):
        rescaled_level(image, level)


@pytest.mark.parametrize("dtype", [np.uint16, np.float64])
def test_otsu_dark_mask_keeps_the_dark_level(dtype):
    image = np.full((20, 30), 9000, dtype=dtype)
    image[5:10, 5:25] = 3000
    image[15, 2] = 17000                     # a bright halo pixel does not change the answer
    mask = otsu_dark_mask(image)
    assert mask.dtype == bool and mask.shape == image.shape
    assert np.array_equal(mask, image == 3000)
    assert np.array_equal(mask, image <= threshold_otsu(image))


def test_otsu_dark_mask_finds_the_cells_of_the_real_crop():
    from source_helpers.data import ecoli_crop

    image, truth = ecoli_crop()
    mask = otsu_dark_mask(image)
    assert mask[truth > 0].mean() > 0.95       # nearly every curated pixel
    assert 0.04 < mask.mean() < 0.07           # and not much more


@pytest.mark.parametrize(
    "image, error, message",
    [(np.full((5, 5), 7), ValueError, "constant"),
     (np.ones((4, 4, 3)), ValueError, "rgb2gray"),
     (np.array([["a"]]), TypeError, "numbers")],
)
def test_otsu_dark_mask_rejects(image, error, message):
    with pytest.raises(error, match=message):
        otsu_dark_mask(image)


def test_clean_mask_opens_with_a_disk_then_removes_small_objects():
    mask = np.zeros((40, 60), dtype=np.int64)
    mask[5:19, 5:45] = 1                  # a cell
    mask[25:27, 5:45] = 1                 # a thin line: the opening removes it
    mask[30:37, 50:57] = 1                # a 7x7 speck: opened to disk(3), 29 pixels
    before = mask.copy()
    cleaned = clean_mask(mask, 3, 30)
    assert cleaned.dtype == bool and np.array_equal(mask, before)
    assert np.array_equal(cleaned, opening(mask[:, :] > 0, disk(3)) & (np.arange(40)[:, None] < 20))
    kept = clean_mask(mask, 3, 29)        # exactly min_area pixels: kept
    assert kept[30:37, 50:57].sum() == 29


def test_clean_mask_counts_objects_4_connected():
    mask = np.zeros((30, 30), dtype=bool)
    mask[2:9, 2:9] = disk(3)
    mask[9:16, 3:10] = disk(3)            # touches the first one at a single corner
    assert not clean_mask(mask, 3, 40).any()
    assert clean_mask(mask, 3, 29).sum() == 58


def test_clean_mask_with_nothing_to_do_returns_the_mask():
    rng = np.random.default_rng(1)
    mask = rng.random((25, 35)) < 0.5
    assert np.array_equal(clean_mask(mask, 0, 0), mask)


@pytest.mark.parametrize("seed", range(3))
def test_clean_mask_is_idempotent(seed):
    rng = np.random.default_rng(seed)
    mask = ndi.binary_dilation(rng.random((60, 60)) < 0.05, iterations=2)
    once = clean_mask(mask, 2, 25)
    assert np.array_equal(clean_mask(once, 2, 25), once)


@pytest.mark.parametrize(
    "args, error, message",
    [((np.full((5, 5), 2), 1, 1), ValueError, "binary"),
     ((np.ones((5, 5)), -1, 1), ValueError, "`opening_radius`"),
     ((np.ones((5, 5)), 1, 2.5), TypeError, "`min_area`")],
)
def test_clean_mask_rejects(args, error, message):
    with pytest.raises(error, match=message):
        clean_mask(*args)
