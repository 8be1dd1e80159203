"""Measuring segmented cells: sizes in micrometres from a label image.

- ``measure_cells``: each object's label, area in µm² and length along its
  major axis in µm, from ``skimage.measure.regionprops_table`` and the pixel
  size (chapter 06).

A label image holds 0 for the background and a positive id per object.
Sizes in pixels become sizes in µm by multiplying lengths by the pixel
size and areas by its square.
"""

import numpy as np
from skimage.measure import regionprops_table

from ._validation import check_labels, check_number
from .exercises import reference

__all__ = ["measure_cells"]


@reference("06-ecoli")
def measure_cells(labels, pixel_size_um):
    """Label, area (µm²) and major-axis length (µm) of every object of a label image.

    The length is ``axis_major_length`` of ``skimage.measure.regionprops``:
    the major axis of the ellipse with the same second moments as the
    object. For a rod it is close to, and somewhat longer than, the length
    from tip to tip (a rectangle's is 2/sqrt(3) = 1.15 times its length).

    Parameters
    ----------
    labels : ndarray of int, shape (H, W)
        Label image; 0 is background. Ids need not be consecutive.
    pixel_size_um : float
        Side of one pixel in µm, positive.

    Returns
    -------
    dict
        ``"label"`` (int64), ``"area_um2"`` and ``"length_um"`` (float64):
        1-D arrays with one entry per object, in increasing order of label.

    Raises
    ------
    TypeError
        If ``labels`` is not an integer array or ``pixel_size_um`` not a number.
    ValueError
        If ``labels`` is not 2-D or negative somewhere, or ``pixel_size_um``
        is not positive.

    Examples
    --------
    >>> labels = np.zeros((6, 12), dtype=int)
    >>> labels[1:3, 1:11] = 4        # a bar 2 x 10 pixels
    >>> table = measure_cells(labels, 0.5)
    >>> table["label"].tolist(), table["area_um2"].tolist()
    ([4], [5.0])
    >>> round(float(table["length_um"][0]), 2)     # 10 pixels of 0.5 µm = 5 µm, times about 1.15
    5.74
    """
    labels = check_labels(labels, "labels")
    pixel_size_um = check_number(pixel_size_um, "pixel_size_um", minimum=0, strict_minimum=True)
    table = regionprops_table(labels, properties=("label", "area", "axis_major_length"))
    return {
        "label": np.asarray(table["label"], dtype=np.int64),
        "area_um2": np.asarray(table["area"], dtype=np.float64) * pixel_size_um**2,
        "length_um": np.asarray(table["axis_major_length"], dtype=np.float64) * pixel_size_um,
    }
