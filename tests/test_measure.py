"""Tests for source_helpers.measure."""

import numpy as np
import pytest
from skimage.measure import regionprops

from source_helpers.measure import measure_cells
from source_helpers.synthetic import Rod, rods_to_labels


def test_measure_cells_of_a_bar():
    labels = np.zeros((8, 20), dtype=np.int64)
    labels[2:5, 3:15] = 9                 # 3 x 12 pixels
    table = measure_cells(labels, 0.1)
    assert sorted(table) == ["area_um2", "label", "length_um"]
    assert table["label"].tolist() == [9]
    assert table["area_um2"] == pytest.approx([36 * 0.01])
    assert table["length_um"] == pytest.approx([regionprops(labels)[0].axis_major_length * 0.1])
    assert table["label"].dtype == np.int64 and table["area_um2"].dtype == np.float64


@pytest.mark.parametrize("pixel_size_um", [0.05, 0.1, 0.2])
def test_measure_cells_units_scale_with_the_pixel_size(pixel_size_um):
    rods = [Rod(3.0, 3.0, 3.0, 1.0, 20.0), Rod(8.0, 8.0, 4.0, 1.0, 110.0), Rod(3.0, 9.0, 2.0, 1.0, 0.0)]
    labels = rods_to_labels(rods, (round(12 / pixel_size_um),) * 2, pixel_size_um=pixel_size_um)
    table = measure_cells(labels, pixel_size_um)
    # The total area is the foreground in pixels times the area of a pixel.
    assert table["area_um2"].sum() == pytest.approx(np.count_nonzero(labels) * pixel_size_um**2)
    # Each area is close to the rod's own (a rectangle plus a disk), the lengths a little above the true ones.
    true_areas = [(r.length - r.width) * r.width + np.pi * r.width**2 / 4 for r in rods]
    assert table["area_um2"] == pytest.approx(true_areas, rel=0.1)
    lengths = np.array([r.length for r in rods])
    assert np.all(table["length_um"] >= 0.95 * lengths) and np.all(table["length_um"] <= 1.15 * lengths)


def test_measure_cells_orders_by_label_and_keeps_gaps():
    labels = np.zeros((10, 10), dtype=np.uint8)
    labels[1:3, 1:4], labels[5:9, 5:9], labels[0, 9] = 12, 3, 7
    table = measure_cells(labels, 1.0)
    assert table["label"].tolist() == [3, 7, 12]
    assert table["area_um2"].tolist() == [16.0, 1.0, 6.0]


def test_measure_cells_of_an_empty_image():
    table = measure_cells(np.zeros((5, 6), dtype=np.int64), 0.1)
    assert all(values.shape == (0,) for values in table.values())


@pytest.mark.parametrize(
    "labels, pixel_size_um, error, message",
    [(np.ones((4, 4)), 0.1, TypeError, "integer label image"),
     (-np.ones((4, 4), dtype=int), 0.1, ValueError, "negative"),
     (np.ones((4, 4), dtype=int), 0.0, ValueError, "`pixel_size_um`"),
     (np.ones((4, 4), dtype=int), "0.1", TypeError, "`pixel_size_um` must be a number")],
)
def test_measure_cells_rejects(labels, pixel_size_um, error, message):
    with pytest.raises(error, match=message):
        measure_cells(labels, pixel_size_um)
