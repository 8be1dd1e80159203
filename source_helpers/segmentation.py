"""Segmentation of binary masks: cleaning, distance transform, peaks, watershed.

The course's pipeline from a foreground mask to counted objects lives here:

- ``remove_speckles``: erosion then dilation (a morphological opening) to
  delete isolated noise pixels before counting (chapter 05).
- ``distance_to_background``, ``find_peaks``, ``markers_from_peaks`` and
  ``watershed_from_markers``: the three steps that separate touching objects,
  and ``find_watershed``, which chains them and returns the label image and
  the object count (chapter 04).

Every function takes a 2-D mask holding only 0/1 or False/True, validates it
up front and returns new arrays; inputs are never modified.
"""

import numpy as np
from scipy import ndimage as ndi

from ._validation import check_binary, check_int

__all__ = ["remove_speckles"]


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
