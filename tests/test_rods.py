"""Tests for source_helpers.rods: the rod pipeline for real cells (chapter 06)."""

import numpy as np
import pytest
from skimage.measure import regionprops
from skimage.segmentation import watershed

from source_helpers import segmentation
from source_helpers.data import ecoli_crop, ecoli_timelapse
from source_helpers.metrics import matching_scores
from source_helpers.rods import basin_markers, segment_rods, sizes_in_pixels, widest_chord
from source_helpers.synthetic import Rod, divided_pair, random_rods, render_rods, rods_to_labels, side_by_side
from source_helpers.synthetic import simulate_field
from source_helpers.thresholds import clean_mask, flatten_background, otsu_dark_mask, source_level

LENGTHS_UM = (2.0, 3.0, 3.7, 5.0, 6.0)
ANGLES = (0.0, 30.0, 45.0, 90.0, 135.0)


def test_the_old_module_still_offers_every_name():
    for name in ("segment_rods", "sizes_in_pixels", "basin_markers", "widest_chord", "segment_cells",
                 "find_watershed", "markers_from_plateaus", "clean_mask", "otsu_dark_mask", "source_level"):
        assert hasattr(segmentation, name), name


@pytest.mark.parametrize(
    "args, expected",
    [((0.05,), {"smoothing": 1.5, "background_radius": 40, "opening_radius": 4, "min_area": 300}),
     ((0.065, 1.0), {"smoothing": 1.15, "background_radius": 31, "opening_radius": 3, "min_area": 178}),
     ((0.6, 1.0), {"smoothing": 0.12, "background_radius": 3, "opening_radius": 1, "min_area": 2})],
)
def test_sizes_in_pixels(args, expected):
    sizes = sizes_in_pixels(*args)
    assert sizes == expected
    assert all(type(sizes[key]) is int for key in ("background_radius", "opening_radius", "min_area"))


@pytest.mark.parametrize("factor", [2.0, 0.5, 3.0])
def test_sizes_in_pixels_depend_only_on_the_width_in_pixels(factor):
    assert sizes_in_pixels(0.07 * factor, 1.0 * factor) == sizes_in_pixels(0.07, 1.0)


@pytest.mark.parametrize(
    "args, error, message",
    [((0,), ValueError, "`pixel_size_um`"),
     ((0.05, -1.0), ValueError, "`cell_width_um`"),
     (("0.05",), TypeError, "`pixel_size_um` must be a number")],
)
def test_sizes_in_pixels_rejects(args, error, message):
    with pytest.raises(error, match=message):
        sizes_in_pixels(*args)


@pytest.mark.parametrize("angle", ANGLES)
@pytest.mark.parametrize("width_px", [14, 17, 20])
def test_widest_chord_is_the_width_and_the_minor_axis_overestimates_it(angle, width_px):
    labels = rods_to_labels([Rod(6.4, 6.4, 4.0, width_px * 0.05, angle)], (256, 256), pixel_size_um=0.05)
    chord = widest_chord(labels == 1)
    minor = regionprops(labels)[0].axis_minor_length
    assert abs(chord - width_px) <= 1.5
    assert 1.05 < minor / width_px < 1.25


def test_widest_chord_rejects_an_empty_mask():
    with pytest.raises(ValueError, match="empty"):
        widest_chord(np.zeros((5, 5), dtype=bool))


def test_basin_markers_one_per_basin_deeper_than_depth():
    relative = np.array([[1.0, 0.3, 0.3, 0.5, 0.45, 0.42, 1.0]])
    assert basin_markers(relative, relative < 0.9, depth=0.05).max() == 2
    assert basin_markers(relative, relative < 0.9).max() == 1
    assert basin_markers(relative, np.zeros(relative.shape, dtype=bool)).max() == 0


def test_source_level_is_relative_to_the_dtype_range():
    assert source_level(np.zeros((2, 2), dtype=np.uint8)) == 180.0
    assert source_level(np.zeros((2, 2), dtype=np.uint16)) == pytest.approx(180 / 255 * 65535)
    assert source_level(np.zeros((2, 2))) == pytest.approx(180 / 255)
    image, _ = ecoli_crop()
    # The faithful port on this 16-bit image: every pixel lies below the level (the camera never gets near 65535).
    assert (image < source_level(image)).all()


def _objects(labels):
    return len(np.unique(labels[labels > 0]))


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("angle", ANGLES)
@pytest.mark.parametrize("length_um", LENGTHS_UM)
def test_segment_rods_never_splits_an_isolated_rod(length_um, angle, seed):
    image, truth = render_rods([Rod(6.4, 6.4, length_um, 1.0, angle)], (256, 256), rng=seed)
    labels = segment_rods(image, 0.05)
    assert _objects(labels) == 1
    assert matching_scores(truth, labels).tp == 1


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("angle", ANGLES)
@pytest.mark.parametrize("length_um", [2.5, 3.5, 4.5])
def test_segment_rods_splits_daughters_end_to_end(length_um, angle, seed):
    image, truth = render_rods(divided_pair(6.4, 6.4, 2 * length_um, 1.0, angle), (256, 256), rng=seed)
    scores = matching_scores(truth, segment_rods(image, 0.05))
    assert scores.tp == 2 and scores.n_pred == 2


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("angle", ANGLES)
@pytest.mark.parametrize("length_um", [2.5, 3.5, 4.5])
def test_segment_rods_splits_rods_side_by_side(length_um, angle, seed):
    # Each cell of the pair must end up with its own label: the largest label inside one cell is not the
    # largest inside the other. (Long cells side by side may also be cut into pieces: that is what
    # segment_cells' merge_fragments repairs, and what benchmarks/ecoli_pipeline.py reports.)
    image, truth = render_rods(side_by_side(6.4, 6.4, length_um, 1.0, angle), (256, 256), rng=seed)
    labels = segment_rods(image, 0.05)
    main = []
    for cell in (1, 2):
        ids, counts = np.unique(labels[(truth == cell) & (labels > 0)], return_counts=True)
        main.append(ids[np.argmax(counts)])
    assert main[0] != main[1]


def test_segment_rods_is_the_chain_of_its_steps():
    image, _ = render_rods(random_rods(5, (256, 256), rng=3), (256, 256), rng=3)
    sizes = sizes_in_pixels(0.05, 1.0)
    relative = flatten_background(image, sizes["background_radius"], smoothing=sizes["smoothing"])
    cleaned = clean_mask(otsu_dark_mask(relative), sizes["opening_radius"], sizes["min_area"])
    labels = watershed(relative, basin_markers(relative, cleaned, 0.1), mask=cleaned)
    areas = np.bincount(labels.ravel())
    small = areas < sizes["min_area"]
    small[0] = False
    labels[small[labels]] = 0
    assert np.array_equal(segment_rods(image, 0.05), labels)


def test_segment_rods_finds_the_four_cells_of_the_crop():
    image, truth = ecoli_crop()
    assert matching_scores(truth, segment_rods(image, 0.05)).tp == 4


@pytest.mark.parametrize("angle", [0.0, 45.0, 90.0])
@pytest.mark.parametrize("length_um", [2.0, 3.7, 6.0])
def test_segment_rods_keeps_an_isolated_rod_whole_under_uneven_light(length_um, angle):
    image, truth = render_rods([Rod(6.4, 6.4, length_um, 1.0, angle)], (256, 256), rng=0, illumination=0.3)
    labels = segment_rods(image, 0.05)
    assert _objects(labels) == 1
    assert matching_scores(truth, labels).tp == 1


@pytest.mark.parametrize("angle", [0.0, 45.0, 90.0])
@pytest.mark.parametrize("length_um", [2.5, 4.5])
@pytest.mark.parametrize("make", ["end to end", "side by side"])
def test_segment_rods_splits_touching_pairs_under_uneven_light(make, length_um, angle):
    rods = (divided_pair(6.4, 6.4, 2 * length_um, 1.0, angle) if make == "end to end"
            else side_by_side(6.4, 6.4, length_um, 1.0, angle))
    image, truth = render_rods(rods, (256, 256), rng=0, illumination=0.3)
    labels = segment_rods(image, 0.05)
    main = [np.bincount(labels[(truth == cell) & (labels > 0)], minlength=1).argmax() for cell in (1, 2)]
    assert main[0] != main[1] and min(main) > 0


@pytest.mark.parametrize("pixel_size_um", [0.05, 0.1])
def test_segment_rods_finds_the_cells_of_unevenly_lit_fields(pixel_size_um):
    shape = (round(25.6 / pixel_size_um),) * 2
    scores = [matching_scores(truth, segment_rods(image, pixel_size_um)) for image, truth in
              (simulate_field(shape, n_cells=10, pixel_size_um=pixel_size_um, illumination=0.3, rng=seed)
               for seed in range(3))]
    tp, n_true, n_pred = (sum(getattr(s, key) for s in scores) for key in ("tp", "n_true", "n_pred"))
    assert 2 * tp / (n_true + n_pred) >= 0.95


def test_segment_rods_reaches_f1_0_8_on_the_twenty_real_frames():
    # The disk of 2 w is wider than the groups of touching cells; with 0.75 w the pooled F1 was 0.70.
    images, masks = ecoli_timelapse()
    scores = [matching_scores(mask, segment_rods(image, 0.055, 1.1)) for image, mask in zip(images, masks)]
    tp, n_true, n_pred = (sum(getattr(s, key) for s in scores) for key in ("tp", "n_true", "n_pred"))
    assert 2 * tp / (n_true + n_pred) >= 0.8


@pytest.mark.parametrize(
    "image, args, error, message",
    [(np.ones((32, 32, 3)), (0.05,), ValueError, "rgb2gray"),
     (np.ones((32, 32)), (0.0,), ValueError, "`pixel_size_um`"),
     (np.ones((32, 32)), (0.05, 1.0, 0.0), ValueError, "`depth`")],
)
def test_segment_rods_rejects(image, args, error, message):
    with pytest.raises(error, match=message):
        segment_rods(image, *args)
