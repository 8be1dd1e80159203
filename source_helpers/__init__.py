"""Helpers for the course Computer Vision for Microscopy.

This file only re-exports the names the notebooks use; each lives in the
module named after its topic (``canvas``, ``display``, ``checks``, ...).
"""

from . import checks
from .canvas import THREE_DISKS, Canvas, three_disk_canvas
from .display import label_colormap, show_image, show_images, show_labels
from .environment import check_environment, pinned_versions
from .segmentation import (distance_to_background, find_peaks, find_watershed, markers_from_peaks, markers_from_plateaus, remove_speckles, threshold, watershed_from_markers)

__all__ = [
    "checks",
    "Canvas",
    "THREE_DISKS",
    "three_disk_canvas",
    "show_image",
    "show_images",
    "show_labels",
    "label_colormap",
    "check_environment",
    "pinned_versions",
    "threshold",
    "remove_speckles",
    "distance_to_background",
    "find_peaks",
    "markers_from_peaks",
    "markers_from_plateaus",
    "watershed_from_markers",
    "find_watershed",
]
