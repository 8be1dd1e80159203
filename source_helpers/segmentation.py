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

Masks are 2-D arrays holding only 0/1 or False/True. Every function
validates its input up front and returns new arrays; inputs are never
modified. Label images are ``int64`` with 0 for the background.
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
