"""Tests for source_helpers.synthetic: rods, their masks, the rendered images and the colony."""

import math

import numpy as np
import pytest
from scipy import ndimage as ndi

from source_helpers.synthetic import (
    Rod,
    divided_pair,
    random_rods,
    render_rods,
    rods_to_labels,
    side_by_side,
    simulate_colony,
    simulate_field,
)

PX = 0.05
QUIET = dict(noise=0.0, texture=0.0, illumination=0.0, n_debris=0, n_rings=0)


def _touching_pairs(labels):
    """Set of label pairs that share an edge."""
    pairs = set()
    for a, b in ((labels[:, :-1], labels[:, 1:]), (labels[:-1, :], labels[1:, :])):
        sel = (a != b) & (a > 0) & (b > 0)
        pairs |= {tuple(sorted(p)) for p in zip(a[sel].tolist(), b[sel].tolist())}
    return pairs


# Rod and its mask -------------------------------------------------------------------


@pytest.mark.parametrize("angle, direction", [(0, (0.0, 1.0)), (90, (-1.0, 0.0)), (180, (0.0, -1.0))])
def test_rod_direction_is_counter_clockwise_on_screen(angle, direction):
    assert np.allclose(Rod(0, 0, 3, 1, angle).direction(), direction, atol=1e-12)


def test_rod_ends_are_the_cap_centres():
    (r0, c0), (r1, c1) = Rod(2.0, 3.0, 4.0, 1.0, 90).ends()
    assert (r0, c0) == pytest.approx((3.5, 3.0)) and (r1, c1) == pytest.approx((0.5, 3.0))


@pytest.mark.parametrize("length, width, angle", [(3.0, 1.0, 0), (4.0, 0.8, 33), (1.0, 1.0, 10), (5.0, 1.2, 135)])
def test_mask_is_every_pixel_within_the_radius_of_the_axis(length, width, angle):
    rod = Rod(4.0, 4.0, length, width, angle)
    mask = rods_to_labels([rod], (160, 160), pixel_size_um=PX)
    # Brute force: the distance to the nearest of 401 points along the axis is at
    # least the true distance and at most half a sample step more.
    (r0, c0), (r1, c1) = rod.ends()
    samples = np.linspace(0, 1, 401)[:, None] * [r1 - r0, c1 - c0] + [r0, c0]
    half_step = math.dist((r0, c0), (r1, c1)) / 800
    rows, cols = np.mgrid[0:160, 0:160] * PX
    points = np.stack([rows.ravel(), cols.ravel()], axis=1)
    nearest = np.sqrt(((points[:, None, :] - samples[None, :, :]) ** 2).sum(-1)).min(axis=1).reshape(160, 160)
    surely_in = nearest < width / 2 - 1e-9
    surely_out = nearest - half_step > width / 2 + 1e-9
    assert mask[surely_in].all(), "a pixel inside the rod is missing"
    assert not mask[surely_out].any(), "a pixel outside the rod is in the mask"
    area = (math.pi * (width / 2) ** 2 + width * (length - width)) / PX**2
    assert abs(mask.sum() - area) < 0.03 * area + 20


def test_mask_area_scales_with_the_pixel_size():
    rod = Rod(3.0, 3.0, 3.0, 1.0, 20)
    coarse = rods_to_labels([rod], (60, 60), pixel_size_um=0.1).sum()
    fine = rods_to_labels([rod], (120, 120), pixel_size_um=0.05).sum()
    assert fine / coarse == pytest.approx(4, rel=0.05)


def test_later_rods_win_and_outside_parts_are_dropped():
    crossing = [Rod(2.0, 2.0, 3.0, 1.0, 0), Rod(2.0, 2.0, 3.0, 1.0, 90)]
    labels = rods_to_labels(crossing, (80, 80), pixel_size_um=PX)
    assert labels[40, 40] == 2 and labels[40, 15] == 1
    corner = rods_to_labels([Rod(0.0, 0.0, 3.0, 1.0, 45)], (40, 40), pixel_size_um=PX)
    assert 0 < corner.sum() < rods_to_labels([Rod(1.0, 1.0, 3.0, 1.0, 45)], (80, 80), pixel_size_um=PX).sum()


@pytest.mark.parametrize(
    "rods, shape, kwargs, error, message",
    [([Rod(1, 1, 0.5, 1.0, 0)], (10, 10), {}, ValueError, r"rods\[0\]. is shorter"),
     ([Rod(1, 1, 2.0, 0.0, 0)], (10, 10), {}, ValueError, r"rods\[0\].width. must be greater than 0"),
     ([(1, 1, 2.0)], (10, 10), {}, TypeError, "must be a list of Rod"),
     ([Rod(1, 1, 2.0, 1.0, "flat")], (10, 10), {}, TypeError, r"rods\[0\].angle"),
     ([], (0, 10), {}, ValueError, r"shape\[0\]"),
     ([], (10, 10), {"pixel_size_um": 0}, ValueError, "pixel_size_um"),
     ([], (10, 10), {"pixel_size_um": -0.1}, ValueError, "pixel_size_um")],
)
def test_rods_to_labels_rejects(rods, shape, kwargs, error, message):
    with pytest.raises(error, match=message):
        rods_to_labels(rods, shape, **kwargs)


# Touching groups ---------------------------------------------------------------------


@pytest.mark.parametrize("angle", [0, 37, 90, 151])
def test_divided_pair_touches_tip_to_tip_on_the_mothers_axis(angle):
    first, second = divided_pair(5.0, 5.0, 6.0, 1.0, angle)
    assert first.length == second.length == pytest.approx(3.0)
    tip_gap = math.dist(first.ends()[1], second.ends()[0]) - first.width
    assert tip_gap == pytest.approx(0.0, abs=1e-9)
    assert ((first.row + second.row) / 2, (first.col + second.col) / 2) == pytest.approx((5.0, 5.0))
    labels = rods_to_labels([first, second], (200, 200), pixel_size_um=PX)
    assert _touching_pairs(labels) == {(1, 2)}


def test_divided_pair_with_a_gap_does_not_touch():
    rods = divided_pair(5.0, 5.0, 6.4, 1.0, 20, gap=0.4)
    assert rods[0].length == pytest.approx(3.0)
    assert not _touching_pairs(rods_to_labels(rods, (200, 200), pixel_size_um=PX))


@pytest.mark.parametrize("n, angle", [(2, 0), (3, 60), (4, 100)])
def test_side_by_side_cells_touch_their_neighbours_only(n, angle):
    rods = side_by_side(5.0, 5.0, 3.0, 1.0, angle, n, stagger=0.3)
    assert len(rods) == n
    labels = rods_to_labels(rods, (200, 200), pixel_size_um=PX)
    assert _touching_pairs(labels) == {(k, k + 1) for k in range(1, n)}
    for a, b in zip(rods, rods[1:]):   # neighbours' axes are one width apart across
        (ar, ac), (br, bc) = (a.row, a.col), (b.row, b.col)
        dr, dc = a.direction()
        across = abs((br - ar) * dc - (bc - ac) * dr)
        assert across == pytest.approx(1.0)


@pytest.mark.parametrize(
    "function, kwargs, error, message",
    [(divided_pair, {"length": 1.5}, ValueError, "too short to divide"),
     (divided_pair, {"gap": -0.1}, ValueError, "`gap` must be at least 0"),
     (divided_pair, {"width": 0}, ValueError, "`width`"),
     (side_by_side, {"n": 0}, ValueError, "`n` must be at least 1"),
     (side_by_side, {"length": 0.5}, ValueError, "`length`.*at least `width`"),
     (side_by_side, {"angle": None}, TypeError, "`angle`")],
)
def test_groups_reject(function, kwargs, error, message):
    arguments = {"row": 5.0, "col": 5.0, "length": 4.0, "width": 1.0, "angle": 0.0, **kwargs}
    with pytest.raises(error, match=message):
        function(**arguments)


# random_rods ------------------------------------------------------------------------


def test_random_rods_is_reproducible_and_seed_dependent():
    assert random_rods(8, (300, 300), rng=4) == random_rods(8, (300, 300), rng=4)
    assert random_rods(8, (300, 300), rng=4) != random_rods(8, (300, 300), rng=5)
    generator = np.random.default_rng(4)
    assert random_rods(8, (300, 300), rng=generator) == random_rods(8, (300, 300), rng=4)


@pytest.mark.parametrize("seed", range(4))
def test_random_rods_lie_inside_without_overlap(seed):
    rods = random_rods(10, (400, 400), length_um=(2.0, 3.5), rng=seed)
    assert len(rods) == 10
    labels = rods_to_labels(rods, (400, 400), pixel_size_um=PX)
    assert np.unique(labels).tolist() == list(range(11)), "a cell is hidden under another"
    single = sum(rods_to_labels([rod], (400, 400), pixel_size_um=PX).sum() for rod in rods)
    assert (labels > 0).sum() == single, "cells overlap"
    border = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
    assert not border.any(), "a cell reaches the border"
    assert all(2.0 - 1e-9 <= rod.length <= 7.0 + 1e-9 and rod.width == 1.0 for rod in rods)


@pytest.mark.parametrize("touching, expected", [(0.0, "none"), (1.0, "all")])
def test_random_rods_touching_controls_the_pairs(touching, expected):
    rods = random_rods(8, (500, 500), touching=touching, rng=2)
    labels = rods_to_labels(rods, (500, 500), pixel_size_um=PX)
    touched = {label for pair in _touching_pairs(labels) for label in pair}
    if expected == "none":
        assert not touched
    else:
        assert touched == set(range(1, 9))


def test_random_rods_groups_keep_their_distance():
    rods = random_rods(8, (500, 500), touching=0.0, min_gap_um=0.5, rng=3)
    labels = rods_to_labels(rods, (500, 500), pixel_size_um=PX)
    for label in range(1, 9):
        others = (labels > 0) & (labels != label)
        distance = ndi.distance_transform_edt(~others)
        assert distance[labels == label].min() > 0.5 / PX - 1


@pytest.mark.parametrize(
    "kwargs, error, message",
    [({"n_cells": 200}, ValueError, r"`n_cells`: only \d+ of 200 cells fit"),
     ({"n_cells": -1}, ValueError, "`n_cells` must be at least 0"),
     ({"length_um": (3.0, 2.0)}, ValueError, "`length_um` must be .low, high."),
     ({"length_um": (0.5, 2.0)}, ValueError, "`length_um` must be at least `width_um`"),
     ({"length_um": "long"}, TypeError, "`length_um` must be a number or a pair"),
     ({"touching": 1.5}, ValueError, "`touching` must be at most 1"),
     ({"rng": "seed"}, TypeError, "`rng` must be a seed"),
     ({"rng": -3}, TypeError, "`rng` must be a seed"),
     ({"pixel_size_um": 0}, ValueError, "`pixel_size_um`")],
)
def test_random_rods_rejects(kwargs, error, message):
    arguments = {"n_cells": 5, "shape": (200, 200), **kwargs}
    with pytest.raises(error, match=message):
        random_rods(**arguments)


# render_rods -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pair_image():
    rods = divided_pair(6.4, 6.4, 6.0, 1.0, 30)
    return rods, render_rods(rods, (256, 256), rng=3)


def test_render_returns_uint16_counts_and_the_true_mask(pair_image):
    rods, (image, mask) = pair_image
    assert image.shape == mask.shape == (256, 256)
    assert image.dtype == np.uint16 and mask.dtype == np.int64
    assert np.array_equal(mask, rods_to_labels(rods, (256, 256), pixel_size_um=PX))


def test_render_looks_like_phase_contrast(pair_image):
    _, (image, mask) = pair_image
    image = image.astype(float)
    cells = mask > 0
    distance = ndi.distance_transform_edt(~cells)
    background = np.median(image[distance > 60])
    assert 9000 < background < 11000
    assert np.median(image[cells]) < 0.65 * background, "cells are not dark"
    halo = image[(distance > 3) & (distance < 15)]
    assert np.median(halo) > 1.1 * background, "no bright halo next to the cells"


def test_render_is_reproducible_and_the_noise_depends_on_the_seed(pair_image):
    rods, (image, mask) = pair_image
    again, _ = render_rods(rods, (256, 256), rng=3)
    other, _ = render_rods(rods, (256, 256), rng=4)
    assert np.array_equal(image, again)
    assert not np.array_equal(image, other)


def test_render_without_artifacts_is_flat_far_from_the_cells():
    rods = [Rod(3.0, 3.0, 3.0, 1.0, 0)]
    image, mask = render_rods(rods, (320, 320), background=5000, **QUIET)
    far = ndi.distance_transform_edt(mask == 0) > 120   # beyond the halo (0.9 µm = 18 px)
    assert far.any() and np.all(image[far] == 5000)


def test_noise_grows_with_the_requested_level():
    flat = dict(QUIET, noise=0.0)
    rough = []
    for noise in (0.01, 0.04):
        image, _ = render_rods([], (128, 128), **{**flat, "noise": noise})
        rough.append(image.astype(float).std())
    assert rough[0] == pytest.approx(100, rel=0.1) and rough[1] == pytest.approx(400, rel=0.1)


def test_debris_and_rings_are_not_cells():
    image, mask = render_rods([], (256, 256), rng=5, **dict(QUIET, n_debris=5, n_rings=2))
    assert not mask.any()
    assert image.min() < 0.8 * 10_000, "no dark debris"
    assert image.max() > 1.05 * 10_000, "no bright ring"


@pytest.mark.parametrize(
    "kwargs, error, message",
    [({"background": 50}, ValueError, "`background` must be at least 100"),
     ({"cell_contrast": 1.5}, ValueError, "`cell_contrast` must be at most 1"),
     ({"halo": -1}, ValueError, "`halo` must be at least 0"),
     ({"halo_um": 0}, ValueError, "`halo_um` must be greater than 0"),
     ({"shade_off": 2}, ValueError, "`shade_off` must be at most 1"),
     ({"n_debris": -1}, ValueError, "`n_debris` must be at least 0"),
     ({"n_rings": 1.5}, TypeError, "`n_rings` must be a whole number"),
     ({"illumination": 0.9}, ValueError, "`illumination` must be at most 0.5"),
     ({"noise": -0.1}, ValueError, "`noise` must be at least 0"),
     ({"rng": 1.5}, TypeError, "`rng` must be a seed")],
)
def test_render_rejects(kwargs, error, message):
    with pytest.raises(error, match=message):
        render_rods([], (20, 20), **kwargs)


def test_simulate_field_makes_n_cells_reproducibly():
    image, mask = simulate_field((256, 256), n_cells=5, rng=9)
    assert image.shape == (256, 256) and image.dtype == np.uint16
    assert np.unique(mask).tolist() == [0, 1, 2, 3, 4, 5]
    again, mask_again = simulate_field((256, 256), n_cells=5, rng=9)
    assert np.array_equal(image, again) and np.array_equal(mask, mask_again)
    with pytest.raises(TypeError, match="unexpected keyword"):
        simulate_field((64, 64), n_cells=1, colour="red")


# simulate_colony -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def colony():
    return simulate_colony(16, (256, 256), doubling_time=4.0, rng=2)


def test_colony_shapes_and_lineage_table(colony):
    images, masks, lineage = colony
    assert images.shape == masks.shape == (16, 256, 256)
    assert images.dtype == np.uint16 and masks.dtype == np.int64
    assert lineage.shape[1] == 4 and lineage.dtype == np.int64
    labels = set(np.unique(masks).tolist()) - {0}
    assert labels <= set(lineage[:, 0].tolist())
    founder = lineage[lineage[:, 3] == 0]
    assert founder.tolist() == [[1, 0, founder[0, 2], 0]]


def test_colony_masks_follow_the_lineage(colony):
    _, masks, lineage = colony
    by_label = {row[0]: row for row in lineage.tolist()}
    for label, first, last, parent in lineage.tolist():
        present = [t for t in range(len(masks)) if (masks[t] == label).any()]
        assert present == list(range(first, last + 1)), f"cell {label} is not in exactly its frames"
        if parent:
            assert by_label[parent][2] == first - 1, f"cell {label} is not born when its parent ends"
    children = {}
    for label, _, _, parent in lineage.tolist():
        children.setdefault(parent, []).append(label)
    assert all(len(kids) == 2 for parent, kids in children.items() if parent), "a division without two daughters"


def test_colony_cells_move_little_between_frames(colony):
    _, masks, lineage = colony
    for label, first, last, _ in lineage.tolist():
        for t in range(first, last):
            a, b = masks[t] == label, masks[t + 1] == label
            assert (a & b).sum() / (a | b).sum() > 0.4, f"cell {label} jumps between frames {t} and {t + 1}"


def test_colony_grows_at_the_requested_doubling_time():
    _, masks, _ = simulate_colony(26, (400, 400), doubling_time=4.0, rng=7, n_debris=0)
    counts = np.array([len(np.unique(m)) - 1 for m in masks])
    assert counts[0] == 1 and np.all(np.diff(counts) >= 0)
    slope = np.polyfit(np.arange(len(counts)), np.log2(counts), 1)[0]
    assert 1 / slope == pytest.approx(4.0, rel=0.25)


def test_colony_scene_stays_put_while_the_noise_changes():
    images, masks, _ = simulate_colony(3, (320, 320), rng=1, noise=0.0)
    far = ndi.distance_transform_edt(masks.max(axis=0) == 0) > 120   # beyond the halo
    assert far.any() and np.array_equal(images[0][far], images[2][far])
    noisy, _, _ = simulate_colony(3, (320, 320), rng=1)
    assert not np.array_equal(noisy[0][far], noisy[2][far])


@pytest.mark.parametrize(
    "kwargs, error, message",
    [({"n_frames": 0}, ValueError, "`n_frames` must be at least 1"),
     ({"doubling_time": 0}, ValueError, "`doubling_time`"),
     ({"birth_length_um": 0.5}, ValueError, "`birth_length_um`.*at least `width_um`"),
     ({"variability": 0.9}, ValueError, "`variability` must be at most 0.5"),
     ({"noise": -1}, ValueError, "`noise`"),
     ({"glow": 1}, TypeError, "unexpected keyword argument.*glow")],
)
def test_colony_rejects(kwargs, error, message):
    with pytest.raises(error, match=message):
        simulate_colony(**{"n_frames": 2, "shape": (64, 64), **kwargs})


def test_unknown_microscope_field_is_a_seeded_field_of_longer_cells_at_another_pixel_size():
    from skimage.measure import regionprops

    from source_helpers.synthetic import unknown_microscope_field

    image, mask = unknown_microscope_field(5)
    again, same_mask = unknown_microscope_field(5)
    assert np.array_equal(image, again) and np.array_equal(mask, same_mask)
    assert not np.array_equal(unknown_microscope_field(6)[1], mask)
    assert image.shape == (400, 400) and image.dtype == np.uint16 and mask.max() == 12
    widths = [cell.axis_minor_length for cell in regionprops(mask)]
    assert 13 < np.median(widths) < 18          # 1 µm cells, not the 20 pixels of 0.05 µm per pixel
