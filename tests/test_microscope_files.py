"""Chapter 09's folder of microscope files: make data writes it again byte for byte, its metadata read back
as intended, and the helpers of ``source_helpers.microscope_files`` read each convention."""

import hashlib
import io

import numpy as np
import pytest
import tifffile

import source_helpers as sh
from source_helpers.microscope_files import (
    OWN_DATA_FILES,
    OWN_DATA_PIXEL_SIZES_UM,
    own_data_folder,
    pixel_size_from_ome,
    pixel_size_from_resolution,
    read_pixel_size,
    to_tyx,
    write_own_data,
)

from test_data_files import listed_checksums


def test_make_data_writes_the_committed_own_data_files(tmp_path):
    digests = write_own_data(tmp_path)
    listed = listed_checksums()
    for name in OWN_DATA_FILES:
        committed = own_data_folder() / name
        assert committed.read_bytes() == (tmp_path / name).read_bytes(), f"data/own-data/{name} differs from make data"
        assert listed[f"own-data/{name}"] == digests[f"own-data/{name}"]
        assert hashlib.sha256(committed.read_bytes()).hexdigest() == digests[f"own-data/{name}"]


def test_the_folder_is_small():
    assert sum((own_data_folder() / name).stat().st_size for name in OWN_DATA_FILES) < 2 * 2**20


@pytest.mark.parametrize("name", OWN_DATA_FILES)
def test_metadata_read_back_as_intended(name):
    path = own_data_folder() / name
    assert read_pixel_size(path)[0] == OWN_DATA_PIXEL_SIZES_UM[name]
    with tifffile.TiffFile(path) as tif:
        axes = tif.series[0].axes
        assert tif.is_ome == name.endswith(".ome.tif")
        assert tif.is_imagej == (name == "B_field_1.tif")
        if tif.is_ome:
            expected = "µm" if name == "A_colony_1.ome.tif" else "nm"
            assert f'PhysicalSizeXUnit="{expected}"' in tif.ome_metadata
            assert pixel_size_from_ome(tif.ome_metadata) == pytest.approx(0.055)
    if name == "A_colony_3.tif":
        with pytest.raises(Exception):
            tifffile.imread(path)
    else:
        assert axes in ("TYX", "YX")
        assert tifffile.imread(path).dtype == np.uint16


def test_pixel_size_from_resolution():
    assert pixel_size_from_resolution((200000, 1), 3) == pytest.approx(0.05)
    assert pixel_size_from_resolution((72, 1), 2) == pytest.approx(25400 / 72)
    with pytest.raises(ValueError, match="resolution_unit"):
        pixel_size_from_resolution((1, 1), 1)
    with pytest.raises(ValueError, match="x_resolution"):
        pixel_size_from_resolution((0, 1), 3)


def test_pixel_size_from_ome_units_and_errors():
    buffer = io.BytesIO()
    tifffile.imwrite(buffer, np.zeros((4, 4), np.uint16), ome=True,
                     metadata={"PhysicalSizeX": 0.2, "PhysicalSizeXUnit": "mm"})
    buffer.seek(0)
    with tifffile.TiffFile(buffer) as tif:
        assert pixel_size_from_ome(tif.ome_metadata) == pytest.approx(200.0)
    with pytest.raises(ValueError, match="ome_xml"):
        pixel_size_from_ome("<OME><Image><Pixels/></Image></OME>")
    with pytest.raises(TypeError, match="ome_xml"):
        pixel_size_from_ome(None)


def test_to_tyx():
    data = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)
    assert np.array_equal(to_tyx(data, "CTYX", channel=1), data[1])
    assert np.array_equal(to_tyx(data, "TCYX", channel=2), data[:, 2])
    assert to_tyx(data[0, 0], "YX").shape == (1, 4, 5)
    assert np.array_equal(to_tyx(data[0], "XTY"), np.transpose(data[0], (1, 2, 0)))
    with pytest.raises(ValueError, match="axes"):
        to_tyx(data, "TYX")


def test_cells_table_units():
    labels = np.zeros((10, 10), int)
    labels[2:4, 1:9] = 3
    labels[6:9, 6:9] = 1
    table = sh.cells_table(labels, np.ones((10, 10)), 0.1, "x.tif", 4)
    assert table["label"].tolist() == [1, 3]
    assert table["area_um2"] == pytest.approx([0.09, 0.16])
    assert table["file"] == ["x.tif", "x.tif"] and table["frame"].tolist() == [4, 4]
