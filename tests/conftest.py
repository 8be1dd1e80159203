"""Shared fixtures: the repository root and its chapters."""

from pathlib import Path

import matplotlib
import pytest

from source_helpers.grading.course import chapters

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = chapters(ROOT)


@pytest.fixture(scope="session")
def root():
    return ROOT
