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
