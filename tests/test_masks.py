"""Tests for source_helpers.masks: binary and instance masks, counting objects."""

import numpy as np
import pytest
from scipy import ndimage as ndi

from source_helpers.masks import (
    count_components,
    count_objects,
    instance_to_binary,
    label_components,
    object_areas,
    relabel_consecutive,
)

LABEL_FUNCTIONS = [instance_to_binary, count_objects, relabel_consecutive, object_areas]
BINARY_FUNCTIONS = [count_components, label_components]


# --- instance_to_binary -----------------------------------------------------

@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int32, np.int64])
def test_instance_to_binary_marks_every_nonzero_id(dtype):
    labels = np.array([[0, 1, 2], [50, 0, 0], [0, 0, 9]], dtype=dtype)
    expected = np.array([[False, True, True], [True, False, False], [False, False, True]])
    result = instance_to_binary(labels)
    assert result.dtype == bool
    np.testing.assert_array_equal(result, expected)


def test_instance_to_binary_leaves_input_alone():
    labels = np.array([[0, 3], [4, 0]])
    before = labels.copy()
    instance_to_binary(labels)
    np.testing.assert_array_equal(labels, before)


def test_instance_to_binary_accepts_a_boolean_mask():
    mask = np.array([[True, False]])
    np.testing.assert_array_equal(instance_to_binary(mask), mask)


def test_instance_to_binary_separate_leaves_out_both_sides_of_a_contact():
    labels = np.array([[1, 1, 2, 2, 0],
                       [1, 1, 2, 2, 0],
                       [0, 0, 0, 3, 3]])
    expected = np.array([[True, False, False, True, False],
                         [True, False, False, False, False],
                         [False, False, False, False, True]])
    np.testing.assert_array_equal(instance_to_binary(labels, separate=True), expected)


def test_instance_to_binary_separate_keeps_corner_contacts_and_the_image_border():
    labels = np.array([[4, 4, 0],
                       [4, 4, 0],
                       [0, 0, 9]])      # 4 and 9 touch only at a corner
    np.testing.assert_array_equal(instance_to_binary(labels, separate=True), labels != 0)


@pytest.mark.parametrize("seed", range(5))
def test_instance_to_binary_separate_never_joins_two_objects(seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 4, size=(20, 25))
    separated = instance_to_binary(labels, separate=True)
    assert not (separated & (labels == 0)).any()
    regions, n = ndi.label(separated)
    for region in range(1, n + 1):
        assert len(np.unique(labels[regions == region])) == 1, "a 4-connected region spans two objects"
    # Pixels that touch no other object along an edge are all kept.
    padded = np.pad(labels, 1)
    centre = padded[1:-1, 1:-1]
    touching = np.zeros(labels.shape, dtype=bool)
    for neighbour in (padded[:-2, 1:-1], padded[2:, 1:-1], padded[1:-1, :-2], padded[1:-1, 2:]):
        touching |= (neighbour != 0) & (neighbour != centre)
    np.testing.assert_array_equal(separated, (labels != 0) & ~touching)


def test_instance_to_binary_separate_false_is_the_default():
    labels = np.array([[1, 2], [0, 2]])
    np.testing.assert_array_equal(instance_to_binary(labels, separate=False), instance_to_binary(labels))
    np.testing.assert_array_equal(instance_to_binary(labels), labels != 0)


def test_instance_to_binary_separate_must_be_a_bool():
    with pytest.raises(TypeError, match="`separate` must be True or False"):
        instance_to_binary(np.array([[1, 2]]), separate="yes")


# --- count_objects ----------------------------------------------------------

@pytest.mark.parametrize(
    "labels, expected",
    [
        ([[0, 0], [0, 0]], 0),              # background only
        ([[0, 1], [1, 0]], 1),
        ([[0, 2, 2], [5, 0, 0]], 2),        # ids with gaps: max() would say 5
        ([[4, 4], [4, 4]], 1),              # no background: len(unique) - 1 would say 0
        ([[1, 2], [3, 4]], 4),
        ([[0, 9, 0, 9, 0]], 1),             # one id in two pieces is still one object
    ],
)
def test_count_objects(labels, expected):
    result = count_objects(np.array(labels))
    assert type(result) is int
    assert result == expected


def test_count_objects_on_random_label_images():
    rng = np.random.default_rng(3)
    for _ in range(20):
        labels = rng.choice([0, 3, 8, 11, 40], size=(6, 7))
        expected = len(set(labels.ravel().tolist()) - {0})
        assert count_objects(labels) == expected


# --- label_components / count_components ------------------------------------

DIAGONAL = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]])


@pytest.mark.parametrize(
    "binary, four, eight",
    [
        (np.zeros((3, 3), dtype=bool), 0, 0),
        (np.ones((3, 3), dtype=bool), 1, 1),
        (DIAGONAL, 3, 1),
        (np.array([[1, 0, 1, 0, 1]]), 3, 3),
        (np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]]), 1, 1),  # a ring with a hole is one region
        (np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]]), 4, 1),
    ],
)
def test_count_components(binary, four, eight):
    assert count_components(binary) == four
    assert count_components(binary, connectivity=1) == four
    assert count_components(binary, connectivity=2) == eight
    assert type(count_components(binary)) is int


def test_three_disk_canvas_has_two_components():
    from source_helpers.canvas import three_disk_canvas

    image = three_disk_canvas().image
    assert count_components(image) == 2
    assert count_components(image.astype(bool)) == 2


def test_label_components_numbers_regions_in_row_major_order():
    binary = np.array([[0, 0, 1], [1, 0, 1], [1, 0, 0]])
    expected = np.array([[0, 0, 1], [2, 0, 1], [2, 0, 0]])
    result = label_components(binary)
    assert result.dtype == np.int64
    np.testing.assert_array_equal(result, expected)


def test_label_components_covers_exactly_the_foreground():
    rng = np.random.default_rng(5)
    binary = rng.random((30, 40)) < 0.4
    labels = label_components(binary)
    np.testing.assert_array_equal(labels > 0, binary)
    # Every region is 4-connected and no two regions share an edge.
    assert not np.any((labels[:, 1:] != labels[:, :-1]) & (labels[:, 1:] > 0) & (labels[:, :-1] > 0))
    assert not np.any((labels[1:] != labels[:-1]) & (labels[1:] > 0) & (labels[:-1] > 0))


# --- relabel_consecutive ----------------------------------------------------

def test_relabel_consecutive_keeps_order_and_background():
    labels = np.array([[0, 7, 7], [30, 0, 4]], dtype=np.uint8)
    result = relabel_consecutive(labels)
    assert result.dtype == np.int64
    np.testing.assert_array_equal(result, [[0, 2, 2], [3, 0, 1]])
    np.testing.assert_array_equal(labels, [[0, 7, 7], [30, 0, 4]])


def test_relabel_consecutive_properties():
    rng = np.random.default_rng(11)
    labels = rng.choice([0, 5, 17, 18, 90], size=(10, 12))
    result = relabel_consecutive(labels)
    n = count_objects(labels)
    assert sorted(set(result.ravel().tolist()) - {0}) == list(range(1, n + 1))
    np.testing.assert_array_equal(result == 0, labels == 0)
    # Same partition of the pixels: the old id determines the new one and back.
    pairs = set(zip(labels.ravel().tolist(), result.ravel().tolist()))
    assert len(pairs) == len(set(labels.ravel().tolist()))


# --- object_areas -----------------------------------------------------------

def test_object_areas():
    labels = np.array([[0, 2, 2], [5, 0, 2]])
    assert object_areas(labels) == {2: 3, 5: 1}
    assert object_areas(np.zeros((2, 2), dtype=int)) == {}
    assert list(object_areas(np.array([[9, 1, 4]]))) == [1, 4, 9]


# --- validation -------------------------------------------------------------

@pytest.mark.parametrize("function", LABEL_FUNCTIONS)
def test_label_functions_reject_rgb(function):
    with pytest.raises(ValueError, match="looks like an RGB"):
        function(np.zeros((5, 5, 3), dtype=np.uint8))


@pytest.mark.parametrize("function", LABEL_FUNCTIONS)
def test_label_functions_reject_float(function):
    with pytest.raises(TypeError, match="integer label image"):
        function(np.array([[0.0, 1.0], [2.0, 0.0]]))


@pytest.mark.parametrize("function", LABEL_FUNCTIONS)
def test_label_functions_reject_negative_ids(function):
    with pytest.raises(ValueError, match="negative"):
        function(np.array([[0, -1], [2, 0]]))


@pytest.mark.parametrize("function", LABEL_FUNCTIONS)
@pytest.mark.parametrize(
    "bad, error, match",
    [
        ([[0, 1], [1, 0]], TypeError, "NumPy array"),
        (np.zeros((0, 3), dtype=int), ValueError, "empty"),
        (np.zeros(4, dtype=int), ValueError, "2-D"),
    ],
)
def test_functions_reject_non_images(function, bad, error, match):
    with pytest.raises(error, match=match):
        function(bad)


@pytest.mark.parametrize("function", BINARY_FUNCTIONS)
@pytest.mark.parametrize("connectivity, error", [(0, ValueError), (3, ValueError), (1.0, TypeError)])
def test_binary_functions_reject_bad_connectivity(function, connectivity, error):
    with pytest.raises(error, match="connectivity"):
        function(DIAGONAL, connectivity=connectivity)
