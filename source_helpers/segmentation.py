"""Segmentation: from an image to a foreground mask to counted objects.

The course's pipeline lives here, one step per function:

- ``threshold``: a grayscale image to a foreground mask (chapter 06).
- ``remove_speckles``: erosion then dilation (a morphological opening) that
  deletes isolated noise pixels before counting (chapters 05 and 06).
- ``distance_to_background``, ``find_peaks``, ``markers_from_peaks`` and
  ``watershed_from_markers``: the three steps that separate touching objects
  (chapter 04); ``markers_from_plateaus`` is the alternative to peaks that
  gives a flat ridge one marker instead of several.
- ``find_watershed``: the three steps chained; returns the label image and
  the object count.
- ``watershed_with_slip``: the same method with one typical slip made on
  purpose (``WATERSHED_SLIPS``), and ``slip_panels``, four such label images
  to diagnose (chapter 04).
- ``segment_cells``: a pipeline for rod-shaped cells in phase contrast
  (chapter 06), every size derived from the cell width in µm and the pixel
  size (``rod_scales``), with its steps ``flatten_background``,
  ``dark_foreground``, ``rod_markers`` and ``merge_fragments``.
- ``rescaled_level``, ``otsu_dark_mask``, ``sizes_in_pixels``, ``clean_mask``
  and ``segment_rods``: chapter 06's classical pipeline for rods, a fixed or
  Otsu threshold, cleaning and chapter 04's watershed, sized from µm.

Masks are 2-D arrays holding only 0/1 or False/True. Every function
validates its input up front and returns new arrays; inputs are never
modified. Label images are ``int64`` with 0 for the background.
"""

import numpy as np
from scipy import ndimage as ndi
from skimage.feature import peak_local_max
from skimage.filters import threshold_otsu
from skimage.measure import regionprops
from skimage.morphology import closing, disk, h_minima, local_maxima, opening
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
from .canvas import Canvas
from .exercises import reference

__all__ = [
    "threshold",
    "remove_speckles",
    "distance_to_background",
    "find_peaks",
    "markers_from_peaks",
    "markers_from_plateaus",
    "watershed_from_markers",
    "find_watershed",
    "WATERSHED_SLIPS",
    "watershed_with_slip",
    "slip_panels",
    "rod_scales",
    "flatten_background",
    "dark_foreground",
    "rod_markers",
    "merge_fragments",
    "segment_cells",
    "rescaled_level",
    "otsu_dark_mask",
    "sizes_in_pixels",
    "clean_mask",
    "segment_rods",
]


def _check_distance(distance, name="distance"):
    """A 2-D, finite, non-negative array of numbers, returned as float64."""
    check_2d(distance, name)
    if distance.dtype == bool:
        raise TypeError(
            f"`{name}` must hold distances (numbers), not booleans. "
            f"Compute it with distance_to_background(binary)."
        )
    distance = distance.astype(np.float64)
    if not np.isfinite(distance).all():
        raise ValueError(f"`{name}` must be finite everywhere; it holds NaN or infinity.")
    if distance.min() < 0:
        raise ValueError(
            f"`{name}` must not be negative; its minimum is {distance.min()}. "
            "Pass the distance itself: the minus sign belongs only to the watershed's input."
        )
    return distance


def threshold(image, level, *, below=False):
    """Foreground mask of a grayscale image: pixels above (or below) ``level``.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        Grayscale image of any numeric dtype.
    level : float
        The threshold, in the units of ``image``.
    below : bool, optional
        If False (default), foreground is ``image > level`` (bright objects,
        e.g. fluorescence). If True, foreground is ``image < level`` (dark
        objects, e.g. cells in brightfield).

    Returns
    -------
    mask : ndarray of bool, shape (H, W)

    Raises
    ------
    TypeError
        If ``image`` is not a numeric array or ``level`` not a number.
    ValueError
        If ``image`` is empty or not 2-D (an RGB image must be converted to
        grayscale first), or ``level`` is not finite.

    Examples
    --------
    >>> image = np.array([[10, 200, 90], [250, 30, 180]])
    >>> threshold(image, 100)
    array([[False,  True, False],
           [ True, False,  True]])
    >>> threshold(image, 100, below=True)
    array([[ True, False,  True],
           [False,  True, False]])
    """
    check_2d(image, "image")
    level = check_number(level, "level")
    if not isinstance(below, (bool, np.bool_)):
        raise TypeError(f"`below` must be True or False; got {_describe(below)}.")
    return image < level if below else image > level


@reference("05-noise")
def remove_speckles(binary, iterations):
    """Delete foreground specks smaller than the structuring element, as an opening.

    The mask is eroded ``iterations`` times and the result dilated
    ``iterations`` times, each with ``scipy.ndimage``'s default structuring
    element (the pixel and its 4 edge neighbours, a cross). Foreground
    pieces too thin to survive the erosion vanish; the rest grow back to
    roughly their former shape. This is what
    ``scipy.ndimage.binary_opening(binary, iterations=iterations)`` computes.

    Parameters
    ----------
    binary : ndarray, shape (H, W)
        Foreground mask holding only 0/1 or False/True.
    iterations : int
        How many times to erode and then to dilate; at least 1.

    Returns
    -------
    cleaned : ndarray of bool, shape (H, W)
        The opened mask.

    Raises
    ------
    TypeError
        If ``binary`` is not a numeric array or ``iterations`` not a whole number.
    ValueError
        If ``binary`` is empty, not 2-D (e.g. RGB) or not binary, or
        ``iterations`` is below 1.

    Examples
    --------
    >>> mask = np.zeros((5, 7), dtype=int)
    >>> mask[1:4, 1:4] = 1      # a 3x3 square survives one erosion
    >>> mask[2, 5] = 1          # a single pixel does not
    >>> remove_speckles(mask, 1).astype(int)
    array([[0, 0, 0, 0, 0, 0, 0],
           [0, 0, 1, 0, 0, 0, 0],
           [0, 1, 1, 1, 0, 0, 0],
           [0, 0, 1, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0]])
    """
    binary = check_binary(binary, "binary")
    iterations = check_int(iterations, "iterations", minimum=1)
    eroded = ndi.binary_erosion(binary, iterations=iterations)
    return ndi.binary_dilation(eroded, iterations=iterations)


@reference("04-watershed")
def distance_to_background(binary):
    """Euclidean distance of every foreground pixel to the nearest background pixel.

    Distances are measured between pixel centres; a foreground pixel next
    to the background (sharing an edge) is at distance 1, background pixels
    are at 0. A foreground pixel on the border of the image does not count
    the outside as background. If the mask has no background at all, there
    is nothing to measure against and SciPy's convention applies (see
    ``scipy.ndimage.distance_transform_edt``).

    Parameters
    ----------
    binary : ndarray, shape (H, W)
        Foreground mask holding only 0/1 or False/True.

    Returns
    -------
    distance : ndarray of float64, shape (H, W)

    Raises
    ------
    TypeError
        If ``binary`` is not a numeric array.
    ValueError
        If ``binary`` is empty, not 2-D (e.g. RGB) or not binary.

    Examples
    --------
    >>> mask = np.zeros((4, 7), dtype=int)
    >>> mask[1:3, 1:6] = 1          # a bar two pixels thick: every pixel touches the background
    >>> distance_to_background(mask)
    array([[0., 0., 0., 0., 0., 0., 0.],
           [0., 1., 1., 1., 1., 1., 0.],
           [0., 1., 1., 1., 1., 1., 0.],
           [0., 0., 0., 0., 0., 0., 0.]])
    """
    binary = check_binary(binary, "binary")
    return ndi.distance_transform_edt(binary).astype(np.float64)


def _check_footprint(footprint):
    if footprint is None:
        return None
    footprint = check_binary(footprint, "footprint")
    if not footprint.any():
        raise ValueError("`footprint` must contain at least one True pixel; got all zeros.")
    return footprint


def find_peaks(distance, binary, *, min_distance=10, footprint=None):
    """Local maxima of a distance field inside the foreground: candidate object centres.

    This is ``skimage.feature.peak_local_max(distance,
    min_distance=min_distance, footprint=footprint, labels=binary)`` with
    its other options at their defaults. In particular:

    - a pixel is a peak when it is the largest value in its window: a square
      of side ``2 * min_distance + 1`` centred on it, or ``footprint`` if given;
    - of several peaks closer than ``min_distance`` (in the max-norm), only
      one is kept, so a flat plateau longer than ``min_distance`` still gives
      several peaks;
    - only pixels at least ``min_distance`` from the image border can be
      peaks: an object lying entirely in that strip gets no peak (and
      ``find_watershed`` loses it), an object reaching into it is searched
      in its inner part only.

    Parameters
    ----------
    distance : ndarray, shape (H, W)
        Non-negative values, usually ``distance_to_background(binary)``.
    binary : ndarray, shape (H, W)
        Foreground mask; peaks are searched only where it is 1.
    min_distance : int, optional
        At least 1 (default 10).
    footprint : ndarray, shape (h, w), optional
        Binary window replacing the square of side ``2 * min_distance + 1``.

    Returns
    -------
    coords : ndarray of int64, shape (N, 2)
        ``(row, col)`` of each peak, highest peaks first.

    Raises
    ------
    TypeError
        If an array is not numeric or ``min_distance`` not a whole number.
    ValueError
        If an array is empty or not 2-D, ``binary`` or ``footprint`` is not
        binary, the shapes of ``distance`` and ``binary`` differ,
        ``distance`` is negative somewhere, or ``min_distance`` is below 1.

    Examples
    --------
    >>> mask = np.zeros((9, 9), dtype=int)
    >>> mask[1:8, 1:8] = 1
    >>> find_peaks(distance_to_background(mask), mask, min_distance=2)
    array([[4, 4]])
    """
    distance = _check_distance(distance)
    binary = check_binary(binary, "binary")
    check_same_shape(distance, binary, "distance", "binary")
    min_distance = check_int(min_distance, "min_distance", minimum=1)
    footprint = _check_footprint(footprint)
    coords = peak_local_max(distance, min_distance=min_distance, footprint=footprint, labels=binary)
    return coords.astype(np.int64).reshape(-1, 2)



@reference("04-watershed")
def markers_from_peaks(coords, shape):
    """Marker image for the watershed: a different label at each peak.

    Parameters
    ----------
    coords : array_like of int, shape (N, 2)
        ``(row, col)`` of each peak, e.g. from ``find_peaks``; N may be 0.
    shape : tuple of int
        ``(height, width)`` of the marker image.

    Returns
    -------
    markers : ndarray of int64, shape ``shape``
        0 everywhere except at ``coords[i]``, which holds ``i + 1``.

    Raises
    ------
    TypeError
        If ``coords`` does not hold whole numbers or ``shape`` is not a pair
        of whole numbers.
    ValueError
        If ``coords`` is not of shape (N, 2), a coordinate lies outside the
        image or appears twice, or ``shape`` has a size below 1.

    Examples
    --------
    >>> markers_from_peaks([(0, 1), (2, 3)], (3, 4))
    array([[0, 1, 0, 0],
           [0, 0, 0, 0],
           [0, 0, 0, 2]])
    """
    shape = check_shape(shape)
    array = np.asarray(coords)
    if array.size == 0:
        array = array.reshape(0, 2).astype(np.int64)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(
            f"`coords` must have shape (N, 2), one (row, col) per peak; got shape {array.shape}."
        )
    if not (np.issubdtype(array.dtype, np.integer) and array.dtype != bool):
        raise TypeError(f"`coords` must hold whole numbers (pixel indices); got dtype {array.dtype}.")
    outside = (array < 0).any(axis=1) | (array[:, 0] >= shape[0]) | (array[:, 1] >= shape[1])
    if outside.any():
        raise ValueError(
            f"`coords` has a peak outside the {shape[0]}x{shape[1]} image: "
            f"{tuple(int(v) for v in array[outside][0])}."
        )
    if len(np.unique(array, axis=0)) != len(array):
        raise ValueError("`coords` lists the same pixel twice; each peak must be a different pixel.")
    markers = np.zeros(shape, dtype=np.int64)
    markers[array[:, 0], array[:, 1]] = np.arange(1, len(array) + 1)
    return markers


@reference("04-watershed")
def markers_from_plateaus(distance, binary):
    """Marker image with one label per regional maximum of ``distance`` in the foreground.

    A regional maximum is a connected set of pixels of equal value whose
    neighbours outside the set are all lower (``skimage.morphology.local_maxima``,
    8-connectivity). A flat ridge, such as the middle line of a rod, is one
    regional maximum and gets one label, where ``find_peaks`` would place a
    peak every ``min_distance`` pixels along it. Maxima touching each other
    diagonally are one marker. Labels are numbered in row-major order of the
    maxima's first pixel.

    Parameters
    ----------
    distance : ndarray, shape (H, W)
        Non-negative values, usually ``distance_to_background(binary)``.
    binary : ndarray, shape (H, W)
        Foreground mask; only maxima inside it become markers.

    Returns
    -------
    markers : ndarray of int64, shape (H, W)
        0 outside the maxima, 1, 2, ... on them.

    Raises
    ------
    TypeError
        If an array is not numeric.
    ValueError
        If an array is empty or not 2-D, ``binary`` is not binary, the shapes
        differ, or ``distance`` is negative somewhere.

    Examples
    --------
    >>> mask = np.zeros((5, 10), dtype=int)
    >>> mask[1:4, 2:9] = 1      # a 3-pixel-wide bar: its middle row is a ridge
    >>> markers_from_plateaus(distance_to_background(mask), mask)
    array([[0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 1, 1, 1, 1, 1, 0, 0],
           [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]])
    """
    distance = _check_distance(distance)
    binary = check_binary(binary, "binary")
    check_same_shape(distance, binary, "distance", "binary")
    maxima = local_maxima(distance, connectivity=2) & binary
    markers, _ = ndi.label(maxima, structure=np.ones((3, 3), dtype=bool))
    return markers.astype(np.int64)


def watershed_from_markers(distance, markers, binary):
    """Flood ``-distance`` from the markers, inside the foreground only.

    Each foreground pixel gets the label of the marker whose flood reaches
    it first when the basins fill from the deepest point (the object
    centres, where ``-distance`` is lowest) upwards:
    ``skimage.segmentation.watershed(-distance, markers, mask=binary)``.
    Foreground regions without a marker stay 0.

    Parameters
    ----------
    distance : ndarray, shape (H, W)
        Non-negative values, usually ``distance_to_background(binary)``.
    markers : ndarray of int, shape (H, W)
        0 where there is no marker, a positive label on each marker.
    binary : ndarray, shape (H, W)
        Foreground mask; the background stays 0.

    Returns
    -------
    labels : ndarray of int64, shape (H, W)

    Raises
    ------
    TypeError
        If an array is not numeric or ``markers`` not integer.
    ValueError
        If an array is empty or not 2-D, ``binary`` is not binary, the shapes
        differ, ``distance`` or ``markers`` is negative somewhere.

    Examples
    --------
    >>> mask = np.array([[1, 1, 1, 1, 1, 1, 1]])
    >>> markers = np.array([[1, 0, 0, 0, 0, 0, 2]])
    >>> watershed_from_markers(np.zeros((1, 7)), markers, mask)
    array([[1, 1, 1, 1, 2, 2, 2]])
    """
    distance = _check_distance(distance)
    markers = check_labels(markers, "markers")
    binary = check_binary(binary, "binary")
    check_same_shape(distance, binary, "distance", "binary")
    check_same_shape(markers, binary, "markers", "binary")
    return watershed(-distance, markers, mask=binary).astype(np.int64)


@reference("04-watershed")
def find_watershed(binary, min_distance=10, *, footprint=None):
    """Separate touching objects: distance, peaks as markers, watershed.

    The three steps of the course, chained:

    1. ``distance = distance_to_background(binary)``;
    2. ``coords = find_peaks(distance, binary, min_distance=min_distance,
       footprint=footprint)`` and ``markers = markers_from_peaks(coords,
       binary.shape)``;
    3. ``labels = watershed_from_markers(distance, markers, binary)``.

    Parameters
    ----------
    binary : ndarray, shape (H, W)
        Foreground mask holding only 0/1 or False/True.
    min_distance : int, optional
        Passed to ``find_peaks``; at least 1 (default 10, as in the source).
    footprint : ndarray, optional
        Passed to ``find_peaks``; by default the square of side
        ``2 * min_distance + 1``.

    Returns
    -------
    labels : ndarray of int64, shape (H, W)
        0 on the background, 1 ... n on the objects.
    n : int
        Number of objects in ``labels`` (0 for a mask without foreground).

    Raises
    ------
    TypeError
        If ``binary`` is not a numeric array or ``min_distance`` not a whole number.
    ValueError
        If ``binary`` is empty, not 2-D (e.g. RGB) or not binary, or
        ``min_distance`` is below 1.

    Examples
    --------
    >>> from source_helpers.canvas import Canvas
    >>> pair = Canvas(40, 60)
    >>> pair.disk(20, 20, 12)
    >>> pair.disk(20, 40, 12)      # two touching disks, one connected region
    >>> labels, n = find_watershed(pair.image)
    >>> n
    2
    >>> np.bincount(labels.ravel()).tolist()   # background, then each object's area
    [1557, 428, 415]
    """
    binary = check_binary(binary, "binary")
    min_distance = check_int(min_distance, "min_distance", minimum=1)
    distance = distance_to_background(binary)
    coords = find_peaks(distance, binary, min_distance=min_distance, footprint=footprint)
    markers = markers_from_peaks(coords, binary.shape)
    labels = watershed_from_markers(distance, markers, binary)
    n = len(np.unique(labels[labels > 0]))
    return labels, n


# Slips of the watershed method (chapter 04) --------------------------------------
#
# The functions below rebuild the method of ``find_watershed`` from the
# library calls themselves, not from the references above, so that they
# keep working while a chapter 04 answer is graded.

#: Names of the slips ``watershed_with_slip`` can make; "no slip" is the method itself.
WATERSHED_SLIPS = ("no slip", "flipped sign", "missing mask", "marker on the rim", "min_distance too large")


def watershed_with_slip(binary, slip, *, min_distance=10, too_large=25):
    """The watershed of ``find_watershed``, made with one typical slip on purpose.

    Each slip is one of ``WATERSHED_SLIPS``:

    - ``"no slip"``: the method itself, as ``find_watershed(binary, min_distance)``;
    - ``"flipped sign"``: floods ``+distance`` instead of ``-distance``;
    - ``"missing mask"``: calls the watershed without ``mask=``;
    - ``"marker on the rim"``: moves the marker of the highest peak straight
      up its column to the last foreground pixel, the rim of its object;
    - ``"min_distance too large"``: finds the peaks with
      ``min_distance=too_large``.

    Parameters
    ----------
    binary : ndarray, shape (H, W)
        Foreground mask holding only 0/1 or False/True.
    slip : str
        One of ``WATERSHED_SLIPS``.
    min_distance : int, optional
        ``min_distance`` of the peaks for every slip but the last (default 10).
    too_large : int, optional
        ``min_distance`` of ``"min_distance too large"`` (default 25).

    Returns
    -------
    labels : ndarray of int64, shape (H, W)
        The label image the slip produces.
    markers : ndarray of int64, shape (H, W)
        The markers it flooded from: 0 except at one pixel per marker.

    Raises
    ------
    TypeError
        If ``binary`` is not a numeric array or a ``min_distance`` not a whole number.
    ValueError
        If ``binary`` is empty, not 2-D or not binary, ``slip`` is not one of
        ``WATERSHED_SLIPS``, or a ``min_distance`` is below 1.

    Examples
    --------
    >>> from source_helpers.canvas import Canvas
    >>> pair = Canvas(50, 70)
    >>> pair.disk(25, 25, 12)
    >>> pair.disk(25, 44, 9)      # two touching disks
    >>> for slip in WATERSHED_SLIPS:
    ...     labels, markers = watershed_with_slip(pair.image, slip, too_large=20)
    ...     print(f"{slip:22s} markers: {int(markers.astype(bool).sum())}  pixels per object: "
    ...           f"{np.bincount(labels.ravel())[1:].tolist()}")
    no slip                markers: 2  pixels per object: [437, 240]
    flipped sign           markers: 2  pixels per object: [1, 676]
    missing mask           markers: 2  pixels per object: [1850, 1650]
    marker on the rim      markers: 2  pixels per object: [1, 676]
    min_distance too large markers: 1  pixels per object: [677]
    """
    binary = check_binary(binary, "binary")
    min_distance = check_int(min_distance, "min_distance", minimum=1)
    too_large = check_int(too_large, "too_large", minimum=1)
    if not isinstance(slip, str) or slip not in WATERSHED_SLIPS:
        choices = ", ".join(repr(s) for s in WATERSHED_SLIPS)
        raise ValueError(f"`slip` must be one of {choices}; got {slip!r:.60}.")
    distance = ndi.distance_transform_edt(binary)
    window = too_large if slip == "min_distance too large" else min_distance
    coords = peak_local_max(distance, min_distance=window, labels=binary).reshape(-1, 2)
    markers = np.zeros(binary.shape, dtype=np.int64)
    markers[coords[:, 0], coords[:, 1]] = np.arange(1, len(coords) + 1)
    if slip == "marker on the rim" and len(coords):
        row, col = coords[0]                     # peak_local_max lists the highest peak first
        top = row
        while top > 0 and binary[top - 1, col]:
            top -= 1
        markers[row, col], markers[top, col] = 0, markers[row, col]
    if slip == "flipped sign":
        labels = watershed(distance, markers, mask=binary)
    elif slip == "missing mask":
        labels = watershed(-distance, markers)
    else:
        labels = watershed(-distance, markers, mask=binary)
    return labels.astype(np.int64), markers


# The layout of chapter 04's diagnosis exercise and the slip behind each panel.
_SLIP_DISKS = ((32, 32, 14), (44, 50, 9), (88, 28, 10), (86, 50, 12), (98, 66, 8), (30, 100, 11), (80, 106, 9))
_SLIP_PANELS = {"A": "marker on the rim", "B": "min_distance too large", "C": "missing mask", "D": "flipped sign"}


def slip_panels():
    """Four label images of one mask, each made with a different slip: chapter 04's diagnosis exercise.

    The mask is a 125x130 canvas of seven disks, among them a touching pair
    and a touching row of three. Which slip of ``WATERSHED_SLIPS`` produced
    which panel is for the student to find out; ``watershed_with_slip``
    reproduces any of them.

    Returns
    -------
    binary : ndarray of bool, shape (125, 130)
        The mask.
    panels : dict
        ``{"A": (labels, markers), "B": ..., "C": ..., "D": ...}``, as
        ``watershed_with_slip`` returns them.

    Examples
    --------
    >>> binary, panels = slip_panels()
    >>> binary.shape, sorted(panels)
    ((125, 130), ['A', 'B', 'C', 'D'])
    """
    canvas = Canvas(125, 130)
    for row, col, radius in _SLIP_DISKS:
        canvas.disk(row, col, radius)
    binary = canvas.image > 0
    return binary, {name: watershed_with_slip(binary, slip) for name, slip in _SLIP_PANELS.items()}


# Rods in phase contrast (chapter 06) ---------------------------------------------
#
# The pipeline above was made for disks. Rod-shaped bacteria in phase contrast
# need a different recipe, with every size derived from the cell's width in µm
# and the pixel size: ``rod_scales`` converts, ``flatten_background`` divides
# the image by its local background, ``dark_foreground`` thresholds and
# cleans, ``rod_markers`` puts one marker in each dark basin, the watershed
# floods the image itself (the bright gaps between touching cells are its
# ridges), and ``merge_fragments`` joins pieces of one cell again.
# ``segment_cells`` chains the steps.


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
        Side of a pixel in µm (for the course's real data about 0.05).
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


def flatten_background(image, radius, *, smoothing=0.0):
    """Divide an image of dark cells by its local background: 1 is "as bright as around here".

    The local background is the grey closing of the (smoothed) image with a
    disk of ``radius`` pixels: a dilation then an erosion, which fills every
    dark object narrower than the disk with the brightness around it. The
    result is the image divided by that background. Uneven illumination
    cancels out, and a cell deep inside a colony, lighter than the cells at
    its edge, is still darker than the bright gaps around it.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        Grayscale image with dark objects (e.g. phase contrast), any numeric
        dtype, not negative.
    radius : int
        Radius of the disk in pixels, at least 1; more than half the width of
        the widest object.
    smoothing : float, optional
        Sigma in pixels of a Gaussian applied to the image first (default 0).

    Returns
    -------
    relative : ndarray of float64, shape (H, W)
        ``smoothed / closing(smoothed)``, between 0 and 1 (1 where the image is
        as bright as its background).

    Raises
    ------
    TypeError
        If ``image`` is not a numeric array or ``radius`` not a whole number.
    ValueError
        If ``image`` is not 2-D or has negative values, ``radius`` is below 1
        or ``smoothing`` negative.

    Examples
    --------
    >>> image = np.full((7, 9), 100.0)
    >>> image[:, 4] = 40.0      # a dark line one pixel wide
    >>> image[:, :2] *= 2       # a brighter region
    >>> flatten_background(image, 1)[3]
    array([1. , 1. , 1. , 1. , 0.4, 1. , 1. , 1. , 1. ])
    """
    check_2d(image, "image")
    radius = check_int(radius, "radius", minimum=1)
    smoothing = check_number(smoothing, "smoothing", minimum=0)
    image = image.astype(np.float64)
    if image.min() < 0:
        raise ValueError(f"`image` must not be negative (it is divided by its background); its minimum is {image.min()}.")
    if smoothing > 0:
        image = ndi.gaussian_filter(image, smoothing)
    background = closing(image, disk(radius, decomposition="sequence"))
    return image / np.maximum(background, np.finfo(np.float64).tiny)


def _remove_small(labels, min_area):
    """Labels with objects smaller than ``min_area`` pixels set to 0."""
    areas = np.bincount(labels.ravel())
    small = areas < min_area
    small[0] = False
    out = labels.copy()
    out[small[labels]] = 0
    return out


def dark_foreground(relative, *, level=0.85, opening_radius=4, min_area=300):
    """Pixels darker than ``level``, opened with a disk, small objects removed.

    Parameters
    ----------
    relative : ndarray, shape (H, W)
        Grayscale image with dark cells, usually ``flatten_background``'s
        result (then a ``level`` of 0.85 means "15 % darker than around").
    level : float or "otsu", optional
        Pixels below it are foreground (default 0.85). ``"otsu"`` takes
        ``skimage.filters.threshold_otsu(relative)``, the level that best
        separates the histogram into two classes.
    opening_radius : int, optional
        Radius in pixels of the disk of the binary opening (default 4; 0 for
        none): debris dots and bridges narrower than the disk vanish.
    min_area : int, optional
        Objects (8-connected) of fewer pixels are removed (default 300; 0 for
        none).

    Returns
    -------
    foreground : ndarray of bool, shape (H, W)

    Raises
    ------
    TypeError
        If ``relative`` is not a numeric array, ``level`` is neither a number
        nor ``"otsu"``, or a size is not a whole number.
    ValueError
        If ``relative`` is not 2-D, or a size is negative.

    Examples
    --------
    >>> relative = np.ones((9, 12))
    >>> relative[2:7, 2:9] = 0.4     # a cell
    >>> relative[1, 10] = 0.3        # a debris dot, one pixel
    >>> foreground = dark_foreground(relative, opening_radius=1, min_area=5)
    >>> bool(foreground[1, 10]), int(foreground.sum())   # the dot is gone, the cell lost 4 corners
    (False, 31)
    """
    check_2d(relative, "relative")
    if isinstance(level, str):
        if level != "otsu":
            raise TypeError(f"`level` must be a number or 'otsu'; got {level!r}.")
        level = float(threshold_otsu(relative.astype(np.float64)))
    else:
        level = check_number(level, "level")
    opening_radius = check_int(opening_radius, "opening_radius", minimum=0)
    min_area = check_int(min_area, "min_area", minimum=0)
    foreground = relative < level
    if opening_radius > 0:
        foreground = ndi.binary_opening(foreground, structure=disk(opening_radius))
    if min_area > 0:
        labels, _ = ndi.label(foreground, structure=np.ones((3, 3), dtype=bool))
        foreground = _remove_small(labels, min_area) > 0
    return foreground


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
    depth = check_number(depth, "depth", minimum=0, strict_minimum=True)
    max_level = check_number(max_level, "max_level")
    relative = relative.astype(np.float64)
    minima = h_minima(relative, depth).astype(bool) & foreground
    structure = np.ones((3, 3), dtype=bool)
    labels, n = ndi.label(minima, structure=structure)
    if n == 0:
        return labels.astype(np.int64)
    lowest = np.asarray(ndi.minimum(relative, labels, np.arange(1, n + 1)))
    keep = np.concatenate([[False], lowest < max_level])
    markers, _ = ndi.label(keep[labels], structure=structure)
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


# E. coli the classical way (chapter 06) ---------------------------------------
#
# The chapter's own pipeline, one graded exercise per step: a fixed threshold
# rescaled to the image (``rescaled_level``), Otsu's threshold for dark cells
# (``otsu_dark_mask``), sizes in pixels from sizes in µm (``sizes_in_pixels``),
# an opening and a minimum area (``clean_mask``), and the chain with
# chapter 04's watershed (``segment_rods``). ``segment_cells`` above is the
# stronger pipeline the chapter compares it with.


@reference("06-ecoli")
def rescaled_level(image, level=180):
    """The level ``level`` of a 0-255 scale, moved onto the image's own range.

    The course's source thresholded an 8-bit picture: cells were the pixels
    below 180 after the image had been scaled to 0-255. On an image of any
    range the same rule puts the threshold ``level / 255`` of the way from
    the image's minimum to its maximum:
    ``min + level / 255 * (max - min)``.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        Grayscale image, any numeric dtype.
    level : float, optional
        The threshold on the 0-255 scale, between 0 and 255 (default 180,
        the source's value).

    Returns
    -------
    float
        The threshold in the units of ``image``.

    Raises
    ------
    TypeError
        If ``image`` is not a numeric array or ``level`` not a number.
    ValueError
        If ``image`` is empty or not 2-D, or ``level`` is outside 0-255.

    Examples
    --------
    >>> rescaled_level(np.array([[1000, 3000], [2000, 6100]]), 51)
    2020.0
    """
    check_2d(image, "image")
    level = check_number(level, "level", minimum=0, maximum=255)
    low, high = float(image.min()), float(image.max())
    return low + level / 255 * (high - low)


@reference("06-ecoli")
def otsu_dark_mask(image):
    """Dark objects: the pixels at or below Otsu's threshold of the image.

    ``skimage.filters.threshold_otsu`` chooses the level that splits the
    image's histogram into two classes as compactly as possible (the
    smallest weighted sum of the two classes' variances). It returns the
    top of the lower class: pixels above it are the bright class. Cells in
    phase contrast and brightfield are darker than the background, so the
    mask keeps the lower class, ``image <= threshold``. (On images with
    many grey levels ``<`` gives nearly the same mask; on an integer image
    with few levels it can miss the whole darkest level.)

    Parameters
    ----------
    image : ndarray, shape (H, W)
        Grayscale image, any numeric dtype, not constant.

    Returns
    -------
    mask : ndarray of bool, shape (H, W)
        ``image <= threshold_otsu(image)``.

    Raises
    ------
    TypeError
        If ``image`` is not a numeric array.
    ValueError
        If ``image`` is empty, not 2-D or constant (no threshold separates
        anything).

    Examples
    --------
    >>> image = np.array([[0.1, 0.2, 0.9], [0.15, 0.8, 0.95]])
    >>> otsu_dark_mask(image)
    array([[ True,  True, False],
           [ True, False, False]])
    """
    check_2d(image, "image")
    image = image.astype(np.float64) if image.dtype == bool else image
    if image.min() == image.max():
        raise ValueError(f"`image` is constant ({image.min()} everywhere); Otsu's threshold needs two kinds of pixel.")
    return image <= threshold_otsu(image)


@reference("06-ecoli")
def sizes_in_pixels(pixel_size_um, cell_width_um=1.0, cell_length_um=3.0):
    """The pixel sizes of the chapter's pipeline, from the cell's size in µm and the pixel size.

    With the cell ``w = cell_width_um / pixel_size_um`` pixels wide and
    ``L = cell_length_um / pixel_size_um`` pixels long, each rounded to the
    nearest whole number with Python's ``round``:

    - ``background_radius``: ``0.75 w`` (at least 1), the disk of the grey
      closing that estimates the background: it cannot fit into a cell;
    - ``opening_radius``: ``0.2 w`` (at least 1), the disk of the opening:
      debris and bridges narrower than ``0.4 w`` vanish, cells survive;
    - ``min_area``: ``0.75 w**2``, the fewest pixels of a cell (a cell is
      at least as long as it is wide, so at least ``pi/4 w**2``);
    - ``min_distance``: ``0.5 L`` (at least 1), for ``peak_local_max``: one
      peak per cell along a rod's flat ridge, two for daughters end to end.

    Parameters
    ----------
    pixel_size_um : float
        Side of one pixel in µm, positive.
    cell_width_um, cell_length_um : float, optional
        Typical width and length of a cell in µm (defaults 1.0 and 3.0,
        *E. coli*); the length is at least the width.

    Returns
    -------
    dict
        ``{"background_radius", "opening_radius", "min_area", "min_distance"}``,
        each a Python ``int``.

    Raises
    ------
    TypeError
        If an argument is not a number.
    ValueError
        If an argument is not positive or the length is below the width.

    Examples
    --------
    >>> sizes_in_pixels(0.1, 1.0, 4.0)
    {'background_radius': 8, 'opening_radius': 2, 'min_area': 75, 'min_distance': 20}
    """
    pixel_size_um = check_number(pixel_size_um, "pixel_size_um", minimum=0, strict_minimum=True)
    cell_width_um = check_number(cell_width_um, "cell_width_um", minimum=0, strict_minimum=True)
    cell_length_um = check_number(cell_length_um, "cell_length_um", minimum=0, strict_minimum=True)
    if cell_length_um < cell_width_um:
        raise ValueError(f"`cell_length_um` ({cell_length_um}) must be at least `cell_width_um` ({cell_width_um}).")
    width = cell_width_um / pixel_size_um
    length = cell_length_um / pixel_size_um
    return {
        "background_radius": max(1, round(0.75 * width)),
        "opening_radius": max(1, round(0.2 * width)),
        "min_area": round(0.75 * width * width),
        "min_distance": max(1, round(0.5 * length)),
    }


@reference("06-ecoli")
def clean_mask(mask, opening_radius, min_area):
    """An opening with a disk, then every object of fewer than ``min_area`` pixels removed.

    1. Open the mask with ``skimage.morphology.disk(opening_radius)``
       (``skimage.morphology.opening``): what the disk cannot fit into
       (debris dots, thin bridges) vanishes, the rest keeps its shape,
       corners rounded;
    2. remove every connected object (4-connectivity: pixels sharing an
       edge) of fewer than ``min_area`` pixels: what is left of debris.

    scikit-image's opening ignores the image border (it does not erode from
    outside); SciPy's ``binary_opening`` treats the outside as background
    and trims objects that touch the border. Both are fine for cells away
    from the border; this function uses scikit-image's.

    Parameters
    ----------
    mask : ndarray, shape (H, W)
        Binary mask (0/1 or False/True).
    opening_radius : int
        Radius of the disk in pixels, at least 0 (0: no opening).
    min_area : int
        Fewest pixels an object keeps, at least 0 (0 or 1: keep all).

    Returns
    -------
    cleaned : ndarray of bool, shape (H, W)

    Raises
    ------
    TypeError
        If ``mask`` is not a numeric array or a size is not a whole number.
    ValueError
        If ``mask`` is not 2-D or not binary, or a size is negative.

    Examples
    --------
    >>> mask = np.zeros((7, 12), dtype=bool)
    >>> mask[1:6, 1:6] = True                        # a 5x5 cell
    >>> mask[1, 7:11] = True                         # a thin line of debris
    >>> mask[4, 8:11] = mask[3:6, 9] = True          # a speck of 5 pixels
    >>> clean_mask(mask, 1, 6).astype(int)           # the cell loses its corners
    array([[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
           [0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
           [0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0],
           [0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0],
           [0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0],
           [0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]])
    """
    mask = check_binary(mask, "mask")
    opening_radius = check_int(opening_radius, "opening_radius", minimum=0)
    min_area = check_int(min_area, "min_area", minimum=0)
    opened = opening(mask, disk(opening_radius)).astype(bool)
    labels, _ = ndi.label(opened)
    return _remove_small(labels, min_area) > 0


@reference("06-ecoli")
def segment_rods(image, pixel_size_um, cell_width_um=1.0, cell_length_um=3.0):
    """The chapter's classical pipeline for rod-shaped cells, every size from µm.

    1. ``sizes = sizes_in_pixels(pixel_size_um, cell_width_um, cell_length_um)``;
    2. ``relative = flatten_background(image, sizes["background_radius"])``:
       the image divided by its local background;
    3. ``mask = otsu_dark_mask(relative)``;
    4. ``cleaned = clean_mask(mask, sizes["opening_radius"], sizes["min_area"])``;
    5. ``labels, n = find_watershed(cleaned, sizes["min_distance"])``:
       chapter 04's watershed of the distance transform.

    It separates cells that lie apart or end to end, but not cells lying
    side by side (two touching rods look like one wide rod to the distance
    transform); ``segment_cells`` floods the image itself instead.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        Grayscale image with dark cells, not negative.
    pixel_size_um : float
        Side of a pixel in µm.
    cell_width_um, cell_length_um : float, optional
        Typical cell size in µm (defaults 1.0 and 3.0).

    Returns
    -------
    labels : ndarray of int64, shape (H, W)
        0 background, 1 ... n the cells.

    Raises
    ------
    TypeError, ValueError
        If an argument is invalid; the message names it.

    Examples
    --------
    >>> from source_helpers.synthetic import Rod, render_rods
    >>> rods = [Rod(3.0, 3.0, 3.0, 1.0, 30.0), Rod(9.0, 8.0, 2.5, 1.0, 100.0)]
    >>> image, truth = render_rods(rods, (256, 256), rng=2)
    >>> labels = segment_rods(image, 0.05)
    >>> int(labels.max())
    2
    """
    check_2d(image, "image")
    sizes = sizes_in_pixels(pixel_size_um, cell_width_um, cell_length_um)
    relative = flatten_background(image, sizes["background_radius"])
    mask = otsu_dark_mask(relative)
    cleaned = clean_mask(mask, sizes["opening_radius"], sizes["min_area"])
    labels, _ = find_watershed(cleaned, sizes["min_distance"])
    return labels
