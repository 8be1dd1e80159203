"""Tests for source_helpers.data: the sample images and the data folder."""

import numpy as np
import pytest
import skimage.data

from source_helpers import data


@pytest.mark.parametrize(
    "loader, shape",
    [(data.cell, (660, 550)), (data.ihc, (512, 512, 3))],
)
def test_sample_images_load_offline_with_documented_shape(loader, shape):
    image = loader()
    assert image.shape == shape
    assert image.dtype == np.uint8


def test_sample_images_are_fresh_copies():
    first = data.cell()
    first[:] = 0
    assert data.cell().max() > 0
    assert np.array_equal(data.ihc(), skimage.data.immunohistochemistry())


def test_cell_12bit_is_12_bit_data_in_uint16():
    frame = data.cell_12bit()
    assert frame.shape == (660, 550)
    assert frame.dtype == np.uint16
    assert frame.max() == 4095
    assert int((frame == 4095).sum()) >= 12
    # Apart from the hot pixels, the values stay near the requested range.
    assert 100 < np.percentile(frame, 1) and np.percentile(frame, 99) < 1700


def test_cell_12bit_is_reproducible_and_follows_the_cell():
    assert np.array_equal(data.cell_12bit(seed=3), data.cell_12bit(seed=3))
    assert not np.array_equal(data.cell_12bit(seed=3), data.cell_12bit(seed=4))
    frame = data.cell_12bit(hot_pixels=0).astype(float)
    correlation = np.corrcoef(frame.ravel(), data.cell().astype(float).ravel())[0, 1]
    assert correlation > 0.9


def test_cell_12bit_without_hot_pixels_stays_below_saturation():
    frame = data.cell_12bit(hot_pixels=0, peak=1000)
    assert frame.max() < 1300


@pytest.mark.parametrize(
    "kwargs, error, message",
    [({"background": 500, "peak": 400}, ValueError, "smaller than `peak`"),
     ({"peak": 5000}, ValueError, "at most 4095"),
     ({"hot_pixels": -1}, ValueError, "at least 0"),
     ({"hot_pixels": 10**7}, ValueError, "at most the number of pixels"),
     ({"seed": 1.5}, TypeError, "whole number")],
)
def test_cell_12bit_rejects(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.cell_12bit(**kwargs)


def test_data_path_finds_files_and_explains_missing_ones():
    assert data.data_path("README.md") == data.DATA_DIR / "README.md"
    with pytest.raises(FileNotFoundError, match="README.md"):
        data.data_path("no-such-image.png")
    with pytest.raises(TypeError, match="file name"):
        data.data_path(3)
