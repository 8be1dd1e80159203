"""Thresholds and cleaning: from a grayscale image to a clean foreground mask.

- ``threshold``: pixels above (or below) a level (chapter 06).
- ``rescaled_level``: the course source's rule ``rgb2gray(img) * 255 < 180``
  on an image of any dtype, a level relative to the dtype's range, and the
  same level moved onto the image's own range (chapter 06).
- ``otsu_dark_mask``: the dark class of Otsu's threshold (chapter 06).
- ``flatten_background``: the image divided by its local background (a grey
  closing), so that one level fits the whole image (chapter 06).
- ``remove_speckles``: erosion then dilation with SciPy's cross (chapter 05);
  ``clean_mask``: an opening with a disk and a minimum area (chapter 06);
  ``dark_foreground``: threshold, opening and minimum area in one call.

Masks are 2-D arrays holding only 0/1 or False/True. Every function
validates its input up front and returns new arrays; inputs are never
modified.
"""

import numpy as np
from scipy import ndimage as ndi
from skimage.filters import threshold_otsu
from skimage.morphology import closing, disk, opening

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
    "rescaled_level",
    "source_level",
    "otsu_dark_mask",
    "flatten_background",
    "remove_speckles",
    "clean_mask",
    "dark_foreground",
]


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


def source_level(image, level=180):
    """The course source's threshold, ported faithfully: ``level`` of 255 of the dtype's range.

    The source converted its photo with ``skimage.color.rgb2gray``, which
    turns integer images into floats between 0 and 1 by dividing by the
    largest value of the *dtype* (255 for ``uint8``, 65 535 for ``uint16``),
    then called cells the pixels with ``gray * 255 < 180``. For a grayscale
    image of any dtype the same rule is ``image < level / 255 * dtype
    maximum`` (a float image is taken to lie in 0-1 already, as scikit-image
    does). The level is relative to the dtype's range, not to the image's.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        Grayscale image, integer or float (not bool).
    level : float, optional
        The threshold on the 0-255 scale (default 180, the source's value).

    Returns
    -------
    float
        The threshold in the units of ``image``: pixels below it are cells.

    Raises
    ------
    TypeError
        If ``image`` is not a numeric array or is boolean, or ``level`` not a number.
    ValueError
        If ``image`` is empty or not 2-D, or ``level`` is outside 0-255.

    Examples
    --------
    >>> source_level(np.zeros((2, 2), dtype=np.uint8))
    180.0
    >>> round(source_level(np.zeros((2, 2), dtype=np.uint16)), 1)
    46260.0
    """
    check_2d(image, "image")
    if image.dtype == bool:
        raise TypeError("`image` must hold grey values, not booleans.")
    level = check_number(level, "level", minimum=0, maximum=255)
    top = float(np.iinfo(image.dtype).max) if np.issubdtype(image.dtype, np.integer) else 1.0
    return level / 255 * top


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
