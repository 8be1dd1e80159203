"""Bad input to every public function that takes a binary mask gets the same clear errors.

The functions live in segmentation, noise, masks and metrics; they all validate the
mask with the shared check in _validation.py, and this file holds the one
set of tests for it. A function whose other arguments come first is wrapped
so that the mask is its only argument.
"""

import numpy as np
import pytest

from source_helpers.masks import count_components, label_components
from source_helpers.metrics import iou
from source_helpers.noise import add_dust, add_salt_noise, erosions_to_remove, roughen_outline
from source_helpers.segmentation import (
    distance_to_background,
    find_peaks,
    find_watershed,
    markers_from_plateaus,
    remove_speckles,
    rod_markers,
    watershed_with_slip,
)


def _with_zero_distance(function):
    def call(mask):
        shape = np.shape(mask) if isinstance(mask, np.ndarray) else (2, 2)
        return function(np.zeros(shape), mask)

    call.__name__ = function.__name__
    return call


def _iou_with_empty(first):
    """iou with the mask under test as ``mask_a`` (first) or ``mask_b``, the other one empty."""
    def call(mask):
        shape = mask.shape if isinstance(mask, np.ndarray) and mask.ndim == 2 and mask.size else (2, 2)
        empty = np.zeros(shape, dtype=bool)
        return iou(mask, empty) if first else iou(empty, mask)

    return call


MASK_FUNCTIONS = {
    "remove_speckles": lambda m: remove_speckles(m, 1),
    "distance_to_background": distance_to_background,
    "find_watershed": find_watershed,
    "find_peaks": _with_zero_distance(find_peaks),
    "markers_from_plateaus": _with_zero_distance(markers_from_plateaus),
    "rod_markers": lambda m: rod_markers(np.ones((2, 2) if not isinstance(m, np.ndarray) or m.ndim != 2 else m.shape), m),
    "add_salt_noise": lambda m: add_salt_noise(m, 0.1, np.random.default_rng(0)),
    "erosions_to_remove": erosions_to_remove,
    "add_dust": lambda m: add_dust(m, 0.1, np.random.default_rng(0)),
    "roughen_outline": lambda m: roughen_outline(m, 0.3, np.random.default_rng(0)),
    "watershed_with_slip": lambda m: watershed_with_slip(m, "flipped sign"),
    "count_components": count_components,
    "label_components": label_components,
    "iou(mask_a)": _iou_with_empty(True),
    "iou(mask_b)": _iou_with_empty(False),
}

functions = pytest.mark.parametrize("function", MASK_FUNCTIONS.values(), ids=MASK_FUNCTIONS.keys())


@functions
def test_rgb_mask_is_rejected_with_a_hint(function):
    with pytest.raises(ValueError, match="must be 2-D.*RGB"):
        function(np.zeros((8, 8, 3), dtype=int))


@functions
def test_empty_mask_is_rejected(function):
    with pytest.raises(ValueError, match="is empty"):
        function(np.zeros((0, 5), dtype=int))


@functions
def test_non_binary_mask_is_rejected(function):
    with pytest.raises(ValueError, match="must be binary.*0, 1, 2.*Threshold"):
        function(np.array([[0, 1], [2, 1]]))


@functions
def test_list_instead_of_array_is_rejected(function):
    with pytest.raises(TypeError, match="must be a NumPy array"):
        function([[0, 1], [1, 0]])


@functions
def test_valid_masks_of_int_and_bool_are_accepted(function):
    mask = np.zeros((12, 12), dtype=int)
    mask[3:9, 3:9] = 1
    function(mask)
    function(mask.astype(bool))
