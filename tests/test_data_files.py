"""Every file in data/ is listed in data/README.md with its provenance and a matching SHA-256."""

import hashlib
import re

from conftest import ROOT

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
