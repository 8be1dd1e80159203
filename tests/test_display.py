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


# --- tracks and lineages (chapter 08) ---------------------------------------------------

LINEAGE = np.array([[1, 0, 3, 0], [2, 4, 7, 1], [3, 4, 6, 1], [4, 7, 7, 3], [5, 7, 7, 3], [6, 2, 7, 0]])


def test_show_lineage_draws_one_line_per_track_and_joins_daughters_to_the_parents_end():
    ax = display.show_lineage(LINEAGE, title="colony")
    tracks, connectors = ax.collections
    assert len(tracks.get_segments()) == 6
    joins = connectors.get_segments()
    assert len(joins) == 4                              # four daughters
    assert ax.get_title() == "colony: 6 tracks, 2 divisions"
    heights = {int(label): seg[0][1] for label, seg in zip(LINEAGE[:, 0], tracks.get_segments())}
    for join in joins:
        (x0, y0), (x1, y1), (x2, y2) = join
        assert x0 == x1 and y1 == y2                   # vertical at the parent's end, then to the daughter's start
        parent = next(l for l, h in heights.items() if h == y0 and LINEAGE[l - 1, 2] == x0)
        daughter = next(l for l, h in heights.items() if h == y2 and LINEAGE[l - 1, 3] == parent)
        assert LINEAGE[daughter - 1, 1] == x2
    # A parent sits between its two daughters.
    assert min(heights[2], heights[3]) < heights[1] < max(heights[2], heights[3])


def test_show_lineage_refuses_what_is_not_a_lineage():
    with pytest.raises(ValueError, match=r"`lineage` must be an \(N, 4\) integer array"):
        display.show_lineage(np.zeros((3, 3), dtype=int))
    with pytest.raises(ValueError, match="lists a label twice"):
        display.show_lineage(np.array([[1, 0, 1, 0], [1, 2, 3, 0]]))


def test_show_tracks_draws_each_tracks_centroid_path():
    tracks = np.zeros((4, 10, 12), dtype=int)
    for t in range(4):
        tracks[t, 1:3, t:t + 2] = 1             # moves right
        tracks[t, 6 + t // 2:8 + t // 2, 8:10] = 2   # moves down
    ax = display.show_tracks(np.ones((10, 12)), tracks, title="two")
    assert ax.get_title() == "two: 2 tracks"
    first, second = ax.lines[:2]
    assert first.get_xdata().tolist() == [0.5, 1.5, 2.5, 3.5] and first.get_ydata().tolist() == [1.5] * 4
    assert second.get_xdata().tolist() == [8.5] * 4 and second.get_ydata().tolist() == [6.5, 6.5, 7.5, 7.5]
    assert first.get_color() != second.get_color()
    assert ax.images[0].get_interpolation() == "nearest"


def test_show_tracks_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match="the same shape; got \\(5, 5\\) and \\(4, 4\\)"):
        display.show_tracks(np.zeros((5, 5)), np.zeros((2, 4, 4), dtype=int))
    with pytest.raises(ValueError, match="`tracks` must be 3-D"):
        display.show_tracks(np.zeros((4, 4)), np.zeros((4, 4), dtype=int))


def test_animate_stack_is_small_html_with_one_picture_per_shown_frame_and_closes_its_figure():
    plt.close("all")
    stack = np.random.default_rng(0).random((6, 32, 32))
    html = display.animate_stack(stack, every=2, title="noise")
    assert html.count("data:image/png") == 3
    assert "<script" in html and len(html) < 200_000
    assert plt.get_fignums() == []
    labels = display.animate_stack(np.arange(2 * 16 * 16).reshape(2, 16, 16) % 5, labels=True)
    assert labels.count("data:image/png") == 2


def test_animate_stack_refuses_bad_input():
    with pytest.raises(ValueError, match="`stack` must be 3-D"):
        display.animate_stack(np.zeros((4, 4)))
    with pytest.raises(TypeError, match="`stack` must be integer label images"):
        display.animate_stack(np.zeros((2, 4, 4)), labels=True)
    with pytest.raises(ValueError, match="`every` must be at least 1"):
        display.animate_stack(np.zeros((2, 4, 4)), every=0)
