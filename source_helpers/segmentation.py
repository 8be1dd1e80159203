"""Segmentation: from an image to a foreground mask to counted objects.

This module only gathers the names of three topic modules, so that older
imports (``from source_helpers.segmentation import find_watershed``) keep
working:

- ``thresholds``: thresholds and cleaning (``threshold``, ``rescaled_level``,
  ``otsu_dark_mask``, ``flatten_background``, ``remove_speckles``,
  ``clean_mask``, ``dark_foreground``);
- ``watershed``: distance, peaks, markers and the watershed (chapter 04);
- ``rods``: the rod pipeline for real cells (chapter 06: ``sizes_in_pixels``,
  ``basin_markers``, ``segment_rods``, ``segment_cells`` and its steps).
"""

from .rods import *  # noqa: F401,F403
from .rods import __all__ as _rods
from .thresholds import *  # noqa: F401,F403
from .thresholds import __all__ as _thresholds
from .watershed import *  # noqa: F401,F403
from .watershed import __all__ as _watershed

__all__ = [*_thresholds, *_watershed, *_rods]
