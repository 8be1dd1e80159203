"""Watershed and markers: separating touching objects (chapters 04 and 06).

- ``distance_to_background``, ``find_peaks``, ``markers_from_peaks`` and
  ``watershed_from_markers``: the three steps that separate touching objects
  (chapter 04); ``markers_from_plateaus`` gives a flat ridge one marker
  instead of one peak every ``min_distance`` pixels.
- ``find_watershed``: the three steps chained; the label image and the count.
- ``watershed_with_slip``: the same method with one typical slip made on
  purpose (``WATERSHED_SLIPS``), and ``slip_panels``, four such label images
  to diagnose (chapter 04).

Label images are ``int64`` with 0 for the background; inputs are never modified.
"""

import numpy as np
from scipy import ndimage as ndi
from skimage.feature import peak_local_max
from skimage.morphology import local_maxima
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
    "distance_to_background",
    "find_peaks",
    "markers_from_peaks",
    "markers_from_plateaus",
    "watershed_from_markers",
    "find_watershed",
    "WATERSHED_SLIPS",
    "watershed_with_slip",
    "slip_panels",
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
