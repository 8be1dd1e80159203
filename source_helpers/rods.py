"""The rod pipeline for real cells: segmenting rod-shaped bacteria in phase contrast (chapter 06).

Every size is derived from the cell's width in µm and the pixel size.

- ``widest_chord``: a rod's width as its widest chord across the long axis
  (the equal-moment ellipse's minor axis overestimates it by about 12 %).
- ``sizes_in_pixels``: the sizes of the chapter's pipeline in pixels.
- ``basin_markers``: one marker per dark basin of the flattened image, chapter
  04's "one marker per plateau" made robust with a depth (h-minima).
- ``segment_rods``: the chapter's pipeline, the students' own: flatten,
  Otsu, clean, basin markers, watershed of the image, small pieces dropped.
- ``segment_cells``: the stronger helper pipeline the chapter compares it
  with (a fixed relative level, and ``merge_fragments`` joins pieces of one
  cell again), sized by ``rod_scales``; ``rod_markers`` is its marker step.
"""

import numpy as np
from scipy import ndimage as ndi
from skimage.measure import regionprops
from skimage.morphology import h_minima
from skimage.segmentation import watershed

from ._validation import (
    _describe,
    check_2d,
    check_binary,
    check_int,
    check_labels,
    check_number,
    check_same_shape,
    check_shape,
)
from .exercises import reference
from .thresholds import _remove_small, clean_mask, dark_foreground, flatten_background, otsu_dark_mask

__all__ = [
    "rod_scales",
    "rod_markers",
    "merge_fragments",
    "segment_cells",
    "widest_chord",
    "sizes_in_pixels",
    "basin_markers",
    "segment_rods",
]


@reference("06-ecoli", same_as="sizes_in_pixels")
def rod_scales(pixel_size_um, cell_width_um=1.0):
    """Sizes in pixels for ``segment_cells``, from the cell width and the pixel size.

    Every size scales with the cell's width in pixels, ``w = cell_width_um /
    pixel_size_um``:

    - ``width``: ``w``;
    - ``smoothing``: ``0.075 w``, the sigma of a Gaussian that calms camera
      noise without blurring the gaps between cells (3 pixels wide or more);
    - ``background_radius``: ``0.75 w``, the radius of the disk with which a
      grey closing fills every cell with the brightness around it: more than
      half the width, so the disk cannot fit inside a cell;
    - ``opening_radius``: ``0.2 w``, the radius of the disk of the opening that
      removes debris dots and cuts bridges thinner than ``0.4 w``;
    - ``min_area``: ``0.75 w**2``, the area below which an object is not a
      cell (a cell is at least about as long as it is wide: ``pi/4 w**2``);
    - ``max_width``: ``1.3 w``, the widest a single cell may look after
      fragments are merged (two cells side by side are ``2 w`` wide).

    Parameters
    ----------
    pixel_size_um : float
        Side of a pixel in µm (for the course's real data about 0.055, from 0.04 to 0.07).
    cell_width_um : float, optional
        Width of a cell in µm (default 1.0, *E. coli*).

    Returns
    -------
    dict
        ``width``, ``smoothing``, ``max_width`` (float, pixels),
        ``background_radius``, ``opening_radius`` (int, pixels, at least 1)
        and ``min_area`` (int, pixels).

    Raises
    ------
    TypeError
        If an argument is not a number.
    ValueError
        If an argument is not positive, or the cell is narrower than 4 pixels
        (too few to segment).

    Examples
    --------
    >>> rod_scales(0.05)
    {'width': 20.0, 'smoothing': 1.5, 'background_radius': 15, 'opening_radius': 4, 'min_area': 300, 'max_width': 26.0}
    """
    pixel_size_um = check_number(pixel_size_um, "pixel_size_um", minimum=0, strict_minimum=True)
    cell_width_um = check_number(cell_width_um, "cell_width_um", minimum=0, strict_minimum=True)
    width = cell_width_um / pixel_size_um
    if width < 4:
        raise ValueError(
            f"`cell_width_um` / `pixel_size_um` = {width:.3g} pixels: a cell must be at least 4 pixels "
            "wide to be segmented. Check the units (both in µm)."
        )
    return {
        "width": width,
        "smoothing": round(0.075 * width, 3),
        "background_radius": max(1, round(0.75 * width)),
        "opening_radius": max(1, round(0.2 * width)),
        "min_area": round(0.75 * width * width),
        "max_width": round(1.3 * width, 3),
    }


def rod_markers(relative, foreground, *, depth=0.04, max_level=0.7):
    """One marker per dark basin of ``relative`` inside the foreground.

    Markers are the h-minima of ``relative`` (``skimage.morphology.h_minima``):
    every basin is filled up by ``depth``, and the floors that stay below the
    filling are kept. A basin whose rim rises less than ``depth`` above its
    floor before it spills into a deeper one disappears. The bright gap
    between two touching cells is such a rim, the grainy interior of one
    cell is not. Minima that are not darker than
    ``max_level`` (debris halos, gaps) are dropped. Unlike the peaks of the
    distance transform, these markers do not depend on the cell's length, so
    a long rod gets one marker, not one every ``min_distance`` pixels.

    Parameters
    ----------
    relative : ndarray, shape (H, W)
        Image with dark cells, usually ``flatten_background``'s result.
    foreground : ndarray, shape (H, W)
        Binary mask; markers lie inside it.
    depth : float, optional
        Least depth of a basin, in the units of ``relative`` (default 0.04).
    max_level : float, optional
        A basin's lowest value must be below this (default 0.7).

    Returns
    -------
    markers : ndarray of int64, shape (H, W)
        0 outside the markers, 1, 2, ... on them (8-connected).

    Raises
    ------
    TypeError
        If an array is not numeric or a number is not a number.
    ValueError
        If an array is not 2-D, ``foreground`` is not binary, the shapes
        differ, or ``depth`` is not positive.

    Examples
    --------
    >>> relative = np.array([[1.0, 0.3, 0.3, 0.5, 0.3, 0.32, 1.0]])
    >>> rod_markers(relative, relative < 0.9, depth=0.1)   # the dip at 0.32 is too shallow
    array([[0, 1, 1, 0, 2, 0, 0]])
    """
    check_2d(relative, "relative")
    foreground = check_binary(foreground, "foreground")
    check_same_shape(relative, foreground, "relative", "foreground")
    max_level = check_number(max_level, "max_level")
    labels = basin_markers(relative, foreground, depth)
    n = int(labels.max())
    if n == 0:
        return labels
    lowest = np.asarray(ndi.minimum(relative.astype(np.float64), labels, np.arange(1, n + 1)))
    keep = np.concatenate([[False], lowest < max_level])
    markers, _ = ndi.label(keep[labels], structure=np.ones((3, 3), dtype=bool))
    return markers.astype(np.int64)


def _contacts(labels, relative):
    """``{(a, b): mean of relative along the shared boundary}`` of 4-adjacent labels, a < b."""
    codes, values = [], []
    for first, second, v1, v2 in (
        (labels[:, :-1], labels[:, 1:], relative[:, :-1], relative[:, 1:]),
        (labels[:-1, :], labels[1:, :], relative[:-1, :], relative[1:, :]),
    ):
        touching = (first != second) & (first > 0) & (second > 0)
        low = np.minimum(first[touching], second[touching])
        high = np.maximum(first[touching], second[touching])
        codes.append(np.stack([low, high], axis=1))
        values.append(np.maximum(v1[touching], v2[touching]))
    codes = np.concatenate(codes)
    if len(codes) == 0:
        return {}
    values = np.concatenate(values)
    pairs, index = np.unique(codes, axis=0, return_inverse=True)
    index = index.ravel()
    means = np.bincount(index, values) / np.bincount(index)
    return {(int(a), int(b)): float(m) for (a, b), m in zip(pairs, means)}


def merge_fragments(labels, relative, *, max_contrast=0.08, max_level_difference=0.15, max_width=26.0):
    """Join neighbouring pieces of one cell that the watershed split apart.

    Two touching labels are merged when all three hold:

    - the boundary between them is hardly brighter than they are: its mean
      value minus the larger of the two labels' median values is below
      ``max_contrast`` (a bright gap between two cells is a clear climb);
    - their median values differ by at most ``max_level_difference`` (a
      light cell deep inside a colony is not a piece of a dark one beside it);
    - together they are still one rod: the minor axis of the union
      (``skimage.measure.regionprops``) is at most ``max_width`` pixels (two
      cells side by side are twice as wide as one).

    The pair with the faintest boundary is merged first, then the contacts
    are measured again, until no pair qualifies. Cells that just divided end
    to end pass the width test; only a bright enough septum keeps them apart.

    Parameters
    ----------
    labels : ndarray of int, shape (H, W)
        Instance mask, e.g. from the watershed; 0 is background.
    relative : ndarray, shape (H, W)
        The image the watershed flooded (dark cells, bright gaps).
    max_contrast, max_level_difference : float, optional
        In the units of ``relative`` (defaults 0.08 and 0.15).
    max_width : float, optional
        In pixels (default 26, for cells 20 pixels wide).

    Returns
    -------
    merged : ndarray of int64, shape (H, W)
        A merged pair keeps the smaller label; labels are not renumbered.

    Raises
    ------
    TypeError
        If an array is not numeric, ``labels`` not integer, or a number not a number.
    ValueError
        If an array is not 2-D, ``labels`` negative somewhere, the shapes
        differ, or ``max_width`` is not positive.

    Examples
    --------
    >>> relative = np.full((5, 12), 1.0)
    >>> relative[1:4, 1:11] = 0.4
    >>> relative[1:4, 6] = 0.45                     # a faint line across one cell
    >>> labels = np.zeros((5, 12), dtype=int)
    >>> labels[1:4, 1:6], labels[1:4, 6:11] = 1, 2
    >>> np.unique(merge_fragments(labels, relative, max_width=4)).tolist()
    [0, 1]
    """
    labels = check_labels(labels, "labels").astype(np.int64)
    check_2d(relative, "relative")
    check_same_shape(labels, relative, "labels", "relative")
    max_contrast = check_number(max_contrast, "max_contrast")
    max_level_difference = check_number(max_level_difference, "max_level_difference", minimum=0)
    max_width = check_number(max_width, "max_width", minimum=0, strict_minimum=True)
    relative = relative.astype(np.float64)
    merged = labels.copy()
    while True:
        pair = _faintest_mergeable_pair(merged, relative, max_contrast, max_level_difference, max_width)
        if pair is None:
            return merged
        merged[merged == pair[1]] = pair[0]


def _faintest_mergeable_pair(labels, relative, max_contrast, max_level_difference, max_width):
    """The touching pair ``(a, b)`` that ``merge_fragments`` joins next, or None."""
    contacts = _contacts(labels, relative)
    if not contacts:
        return None
    ids = np.unique(labels[labels > 0])
    levels = dict(zip(ids.tolist(), np.asarray(ndi.median(relative, labels, ids)).tolist()))
    candidates = sorted((boundary - max(levels[a], levels[b]), a, b) for (a, b), boundary in contacts.items())
    for contrast, a, b in candidates:
        if contrast >= max_contrast:
            return None
        if abs(levels[a] - levels[b]) > max_level_difference:
            continue
        union = (labels == a) | (labels == b)
        rows, cols = np.nonzero(union)
        box = union[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
        if regionprops(box.astype(np.uint8))[0].axis_minor_length <= max_width:
            return a, b
    return None


def segment_cells(image, *, pixel_size_um, cell_width_um=1.0, level=0.85, depth=0.04, max_level=0.7,
                  max_contrast=0.08, max_level_difference=0.15):
    """Instance segmentation of rod-shaped cells in a phase-contrast image.

    The steps, with sizes from ``rod_scales(pixel_size_um, cell_width_um)``:

    1. ``flatten_background``: smooth a little, divide by the local
       background (a grey closing with a disk wider than half a cell);
    2. ``dark_foreground``: pixels darker than ``level`` times their
       background, opened with a disk of a fifth of the cell width (debris
       dots vanish), objects smaller than ``0.75 w**2`` removed;
    3. ``rod_markers``: one marker per dark basin at least ``depth`` deep;
    4. watershed of the flattened image from the markers within the
       foreground: the bright gaps between touching cells become the borders;
    5. ``merge_fragments``: pieces of one cell are joined again;
    6. objects smaller than the minimum area are dropped, labels renumbered.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        Phase-contrast image, dark cells on a brighter background; any
        numeric dtype, not negative.
    pixel_size_um : float
        Side of a pixel in µm.
    cell_width_um : float, optional
        Width of a cell in µm (default 1.0).
    level, depth, max_level : float or "otsu", optional
        See ``dark_foreground`` (``level``, default 0.85) and ``rod_markers``
        (``depth`` 0.04, ``max_level`` 0.7), relative to the local background.
    max_contrast, max_level_difference : float, optional
        See ``merge_fragments`` (defaults 0.08, 0.15).

    Returns
    -------
    labels : ndarray of int64, shape (H, W)
        0 background, 1 ... n the cells, in row-major order of their first pixel.

    Raises
    ------
    TypeError, ValueError
        If an argument is invalid; the message names it.

    Examples
    --------
    >>> from source_helpers.synthetic import render_rods, side_by_side
    >>> rods = side_by_side(6.4, 6.4, 4.0, 1.0, 20, 2)   # two touching cells
    >>> image, truth = render_rods(rods, (256, 256), rng=0)
    >>> labels = segment_cells(image, pixel_size_um=0.05)
    >>> int(labels.max())
    2
    """
    check_2d(image, "image")
    scales = rod_scales(pixel_size_um, cell_width_um)
    relative = flatten_background(image, scales["background_radius"], smoothing=scales["smoothing"])
    foreground = dark_foreground(relative, level=level, opening_radius=scales["opening_radius"],
                                 min_area=scales["min_area"])
    markers = rod_markers(relative, foreground, depth=depth, max_level=max_level)
    labels = watershed(relative, markers, mask=foreground).astype(np.int64)
    labels = merge_fragments(labels, relative, max_contrast=max_contrast,
                             max_level_difference=max_level_difference, max_width=scales["max_width"])
    labels = _remove_small(labels, scales["min_area"])
    # Renumber 1 ... n in the order in which the objects first appear, row by row.
    ids, first = np.unique(labels.ravel(), return_index=True)
    order = ids[np.argsort(first)]
    order = order[order != 0]
    lookup = np.zeros(int(labels.max()) + 1, dtype=np.int64)
    lookup[order] = np.arange(1, len(order) + 1)
    return lookup[labels]


def widest_chord(mask):
    """Width of one rod-shaped object: its widest chord across the long axis, in pixels.

    The long axis is the major axis of the object's equal-moment ellipse
    (``regionprops``' ``orientation``). Every pixel centre is projected onto
    the long axis and onto the axis across it; the pixels are grouped in
    slices one pixel thick along the long axis, and each slice's chord is the
    extent of its projections across plus one pixel. The widest chord is the
    largest of them. For a rod this is its diameter (within about a pixel at
    any angle), where ``axis_minor_length`` (the width of the equal-moment
    ellipse) is about 12 % larger: a rod is a rectangle with round caps, not
    an ellipse.

    Parameters
    ----------
    mask : ndarray, shape (H, W)
        Binary mask of one object (0/1 or False/True), not empty.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``mask`` is not a numeric array.
    ValueError
        If ``mask`` is not 2-D, not binary or empty.

    Examples
    --------
    >>> bar = np.zeros((12, 30), dtype=bool)
    >>> bar[3:9, 2:28] = True            # 6 pixels wide, 26 long
    >>> widest_chord(bar)
    6.0
    """
    mask = check_binary(mask, "mask").astype(bool)
    if not mask.any():
        raise ValueError("`mask` is empty: there is no object to measure.")
    orientation = regionprops(mask.astype(np.uint8))[0].orientation
    rows, cols = np.nonzero(mask)
    along = rows * np.cos(orientation) + cols * np.sin(orientation)
    across = -rows * np.sin(orientation) + cols * np.cos(orientation)
    slices = np.floor(along - along.min() + 1e-9).astype(int)
    low = np.full(slices.max() + 1, np.inf)
    high = np.full(slices.max() + 1, -np.inf)
    np.minimum.at(low, slices, across)
    np.maximum.at(high, slices, across)
    filled = np.isfinite(low)
    return float(np.round((high[filled] - low[filled]).max() + 1, 6))


@reference("06-ecoli")
def sizes_in_pixels(pixel_size_um, cell_width_um=1.0):
    """The sizes of the chapter's pipeline in pixels, from the cell width in µm and the pixel size.

    With the cell ``w = cell_width_um / pixel_size_um`` pixels wide, each
    integer size rounded to the nearest whole number with Python's ``round``:

    - ``smoothing``: ``0.075 w`` (a float, rounded to 2 decimals), the sigma
      of a Gaussian that calms camera noise and the grain inside a cell
      without blurring the gaps between cells;
    - ``background_radius``: ``2 w`` (at least 1), the disk of the grey
      closing that estimates the background: four cells across, so it cannot
      fit into a cell nor into a group of a few touching cells (where a
      smaller disk leaves the estimate dark and lightens the cells), and still
      small enough to follow light that varies over the field;
    - ``opening_radius``: ``0.2 w`` (at least 1), the disk of the opening:
      debris and bridges narrower than ``0.4 w`` vanish, cells survive;
    - ``min_area``: ``0.75 w**2``, the fewest pixels of a cell (a cell is
      at least as long as it is wide, so at least ``pi/4 w**2``).

    No size depends on the cell's length: the markers of ``segment_rods``
    come from the image's dark basins, not from a ``min_distance``.

    Parameters
    ----------
    pixel_size_um : float
        Side of one pixel in µm, positive.
    cell_width_um : float, optional
        Width of a cell in µm (default 1.0, *E. coli*), positive.

    Returns
    -------
    dict
        ``{"smoothing": float, "background_radius": int, "opening_radius": int,
        "min_area": int}``.

    Raises
    ------
    TypeError
        If an argument is not a number.
    ValueError
        If an argument is not positive.

    Examples
    --------
    >>> sizes_in_pixels(0.1, 1.2)
    {'smoothing': 0.9, 'background_radius': 24, 'opening_radius': 2, 'min_area': 108}
    """
    pixel_size_um = check_number(pixel_size_um, "pixel_size_um", minimum=0, strict_minimum=True)
    cell_width_um = check_number(cell_width_um, "cell_width_um", minimum=0, strict_minimum=True)
    width = cell_width_um / pixel_size_um
    return {
        "smoothing": round(0.075 * width, 2),
        "background_radius": max(1, round(2 * width)),
        "opening_radius": max(1, round(0.2 * width)),
        "min_area": round(0.75 * width * width),
    }


def basin_markers(relative, mask, depth=0.1):
    """One marker per dark basin of ``relative`` inside ``mask``: its h-minima, 8-connected.

    Chapter 04 gave each flat ridge of the distance transform one marker (a
    regional maximum) and noted ``h_maxima`` as the robust form: a maximum
    must stand ``h`` above its surroundings to count. Here the landscape is
    the flattened image itself, and the cells are its valleys:
    ``skimage.morphology.h_minima(relative, depth)`` keeps the floors of the
    basins that are at least ``depth`` deep. The bright gap between two
    touching cells is the rim between two basins; the grain inside one cell
    is shallower than ``depth``. A rod of any length is one basin, so it gets
    one marker whatever its length.

    Parameters
    ----------
    relative : ndarray, shape (H, W)
        Image with dark cells, usually ``flatten_background``'s result.
    mask : ndarray, shape (H, W)
        Binary mask; markers lie inside it.
    depth : float, optional
        Least depth of a basin, in the units of ``relative`` (default 0.1).

    Returns
    -------
    markers : ndarray of int64, shape (H, W)
        0 outside the markers, 1, 2, ... on them (diagonal neighbours connected).

    Raises
    ------
    TypeError, ValueError
        If an argument is invalid; the message names it.

    Examples
    --------
    >>> relative = np.array([[1.0, 0.3, 0.3, 0.5, 0.45, 0.42, 1.0]])
    >>> basin_markers(relative, relative < 0.9, depth=0.05)   # two basins: the rim at 0.5 is 0.08 above 0.42
    array([[0, 1, 1, 0, 0, 2, 0]])
    >>> basin_markers(relative, relative < 0.9)               # with depth 0.1 the shallow one is grain
    array([[0, 1, 1, 0, 0, 0, 0]])
    """
    check_2d(relative, "relative")
    mask = check_binary(mask, "mask")
    check_same_shape(relative, mask, "relative", "mask")
    depth = check_number(depth, "depth", minimum=0, strict_minimum=True)
    minima = h_minima(relative.astype(np.float64), depth).astype(bool) & mask.astype(bool)
    markers, _ = ndi.label(minima, structure=np.ones((3, 3), dtype=bool))
    return markers.astype(np.int64)


@reference("06-ecoli")
def segment_rods(image, pixel_size_um, cell_width_um=1.0, depth=0.1):
    """The chapter's pipeline for rod-shaped cells in phase contrast, every size from µm.

    1. ``sizes = sizes_in_pixels(pixel_size_um, cell_width_um)``;
    2. ``relative = flatten_background(image, sizes["background_radius"],
       smoothing=sizes["smoothing"])``: smoothed, divided by its background;
    3. ``mask = otsu_dark_mask(relative)``;
    4. ``cleaned = clean_mask(mask, sizes["opening_radius"], sizes["min_area"])``;
    5. ``markers = basin_markers(relative, cleaned, depth)``: one per dark basin;
    6. ``labels = watershed(relative, markers, mask=cleaned)``: the image
       itself is flooded, so borders fall on the bright gaps between cells;
    7. pieces of fewer than ``sizes["min_area"]`` pixels are set to 0.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        Grayscale image with dark cells, not negative.
    pixel_size_um : float
        Side of a pixel in µm.
    cell_width_um : float, optional
        Width of a cell in µm (default 1.0).
    depth : float, optional
        Least depth of a basin (default 0.1, a tenth of the background).

    Returns
    -------
    labels : ndarray of int64, shape (H, W)
        0 background, a positive label per cell (not necessarily consecutive).

    Raises
    ------
    TypeError, ValueError
        If an argument is invalid; the message names it.

    Examples
    --------
    >>> from source_helpers.synthetic import divided_pair, render_rods
    >>> image, truth = render_rods(divided_pair(6.4, 6.4, 7.0, 1.0, 30.0), (256, 256), rng=1)
    >>> labels = segment_rods(image, 0.05)
    >>> len(np.unique(labels[labels > 0]))      # two daughters end to end, two cells
    2
    """
    check_2d(image, "image")
    sizes = sizes_in_pixels(pixel_size_um, cell_width_um)
    depth = check_number(depth, "depth", minimum=0, strict_minimum=True)
    relative = flatten_background(image, sizes["background_radius"], smoothing=sizes["smoothing"])
    mask = otsu_dark_mask(relative)
    cleaned = clean_mask(mask, sizes["opening_radius"], sizes["min_area"])
    markers = basin_markers(relative, cleaned, depth)
    labels = watershed(relative, markers, mask=cleaned).astype(np.int64)
    return _remove_small(labels, sizes["min_area"])
