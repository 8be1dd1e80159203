"""Unit tests of source_helpers.display: the figures carry titles, colorbars and nearest interpolation."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from source_helpers import display


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_show_image_grayscale_has_title_colorbar_and_nearest():
    ax = display.show_image(np.arange(12).reshape(3, 4), title="ramp")
    assert ax.get_title() == "ramp"
    assert ax.images[0].get_interpolation() == "nearest"
    assert len(ax.figure.axes) == 2  # the image and its colorbar
    assert ax.get_xlabel() == "col" and ax.get_ylabel() == "row"


def test_show_image_rgb_has_no_colorbar():
    ax = display.show_image(np.zeros((3, 4, 3)))
    assert len(ax.figure.axes) == 1


def test_show_image_rejects_bad_input():
    with pytest.raises(ValueError, match="`image` must be 2-D"):
        display.show_image(np.zeros((2, 3, 4, 5)))


def test_show_images_titles_each_panel():
    axes = display.show_images([np.zeros((2, 2)), np.ones((2, 2))], ["a", "b"])
    assert [ax.get_title() for ax in axes] == ["a", "b"]
    with pytest.raises(ValueError, match="one title per image"):
        display.show_images([np.zeros((2, 2))], ["a", "b"])
    with pytest.raises(ValueError, match="`images` is empty"):
        display.show_images([])


def test_show_labels_counts_objects_and_keeps_background_black():
    labels = np.array([[0, 1, 1], [0, 0, 5]])
    ax = display.show_labels(labels, title="cells")
    assert ax.get_title() == "cells: 2 objects"
    cmap = ax.images[0].get_cmap()
    assert tuple(cmap(0)[:3]) == (0.0, 0.0, 0.0)
    with pytest.raises(TypeError, match="integer label image"):
        display.show_labels(np.array([[0.5, 1.0]]))


def test_label_colormap_gives_distinct_colours():
    cmap = display.label_colormap(20)
    colours = {tuple(np.round(cmap(i)[:3], 6)) for i in range(21)}
    assert len(colours) == 21


def test_show_overlap_colours_intersection_white_and_counts_pixels():
    a = np.array([[1, 1, 0, 0]], dtype=bool)
    b = np.array([[0, 1, 1, 0]], dtype=np.uint8)
    ax = display.show_overlap(a, b, names=("true", "pred"), title="overlap")
    rgb = ax.images[0].get_array()
    np.testing.assert_allclose(rgb[0], [display.OVERLAP_COLOURS["first"], display.OVERLAP_COLOURS["both"],
                                        display.OVERLAP_COLOURS["second"], (0, 0, 0)])
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == ["only true: 1 px", "only pred: 1 px", "both (intersection): 1 px"]
    assert ax.get_title() == "overlap" and ax.images[0].get_interpolation() == "nearest"


def test_show_overlap_rejects_label_images_and_bad_names():
    with pytest.raises(ValueError, match="`mask_b` must be binary.*mask_b > 0"):
        display.show_overlap(np.zeros((2, 2), bool), np.array([[0, 2], [1, 0]]))
    with pytest.raises(ValueError, match="`mask_a` and `mask_b` must have the same shape"):
        display.show_overlap(np.zeros((2, 2), bool), np.zeros((2, 3), bool))
    with pytest.raises(ValueError, match="`names` must be two names"):
        display.show_overlap(np.zeros((2, 2), bool), np.zeros((2, 2), bool), names="AB")


def test_show_matches_outlines_every_object_and_marks_the_unmatched():
    image = np.arange(12 * 14, dtype=float).reshape(12, 14)
    true = np.zeros((12, 14), dtype=int)
    pred = np.zeros((12, 14), dtype=int)
    true[1:6, 1:6] = 7        # matched with pred 3
    true[1:6, 8:11] = 9       # missed
    pred[1:6, 1:5] = 3
    pred[7:12, 8:14] = 4      # no true partner
    ax = display.show_matches(image, true, pred, [(7, 3)], title="frame")
    rgb = ax.images[0].get_array()
    magenta, green = display.OVERLAP_COLOURS["first"], display.OVERLAP_COLOURS["second"]
    np.testing.assert_allclose(rgb[1, 9], magenta)        # outline of the missed true object
    np.testing.assert_allclose(rgb[3, 3], rgb[3, 3, 0])   # inside a matched object: plain gray
    assert rgb[3, 9, 0] > rgb[3, 9, 1]                    # inside the missed object: magenta tint
    np.testing.assert_allclose(rgb[1, 2], green)          # predicted outlines are drawn on top
    np.testing.assert_allclose(rgb[8, 10], green)         # inside the unmatched prediction: on a stripe
    assert rgb[8, 12, 0] == rgb[8, 12, 1] == rgb[8, 12, 2]   # and between the stripes, plain gray
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels[2:] == ["missed: 1", "no true partner: 1"]


def test_show_matches_rejects_pairs_of_absent_labels():
    labels = np.array([[0, 1], [2, 2]])
    with pytest.raises(ValueError, match=r"names predicted label\(s\) \[5\]"):
        display.show_matches(np.zeros((2, 2)), labels, labels, [(1, 5)])
    with pytest.raises(ValueError, match=r"names true label\(s\) \[0\]"):
        display.show_matches(np.zeros((2, 2)), labels, labels, [(0, 1)])
    with pytest.raises(TypeError, match="`pairs` must be a list of \\(true_label, pred_label\\) pairs"):
        display.show_matches(np.zeros((2, 2)), labels, labels, [1, 2])


def test_show_labels_writes_each_label_at_its_centre():
    labels = np.zeros((5, 9), dtype=np.uint16)
    labels[0:3, 0:3] = 40
    labels[2:5, 6:9] = 7
    ax = display.show_labels(labels, numbers=True)
    written = sorted((text.get_text(), text.get_position()) for text in ax.texts)
    assert written == [("40", (1.0, 1.0)), ("7", (7.0, 3.0))]
    assert not display.show_labels(labels).texts
