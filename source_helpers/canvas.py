"""A drawing canvas for idealized bacteria: filled disks on an integer image.

Coordinates are ``(row, col)`` everywhere and the canvas size is
``(height, width)``: row 0 is the top of the image. Disks are clipped at the
border, so a disk centred near an edge keeps only its visible part.
"""

import numpy as np
from skimage.draw import disk as _draw_disk

from ._validation import check_int, check_number
from .exercises import reference

__all__ = ["Canvas", "THREE_DISKS", "three_disk_canvas", "draw_disks"]

#: The course's running example: (row, col, radius) of three disks on a
#: 100x100 canvas. The first two overlap, so they touch as one blob.
THREE_DISKS = ((20, 20, 10), (35, 35, 15), (60, 60, 8))


class Canvas:
    """An ``int64`` image of shape ``(height, width)`` to draw disks on.

    Parameters
    ----------
    height, width : int
        Number of rows and columns, both at least 1.

    Attributes
    ----------
    image : ndarray of int64, shape (height, width)
        The pixels; 0 is background.

    Examples
    --------
    >>> canvas = Canvas(5, 7)
    >>> canvas.disk(2, 3, 2)
    >>> canvas.image
    array([[0, 0, 0, 0, 0, 0, 0],
           [0, 0, 1, 1, 1, 0, 0],
           [0, 0, 1, 1, 1, 0, 0],
           [0, 0, 1, 1, 1, 0, 0],
           [0, 0, 0, 0, 0, 0, 0]])
    """

    def __init__(self, height, width):
        height = check_int(height, "height", minimum=1)
        width = check_int(width, "width", minimum=1)
        self.image = np.zeros((height, width), dtype=np.int64)

    @property
    def shape(self):
        """``(height, width)`` of the canvas."""
        return self.image.shape

    def __repr__(self):
        return f"Canvas(height={self.shape[0]}, width={self.shape[1]})"

    def disk(self, row, col, radius, *, value=1):
        """Fill the disk of ``radius`` around ``(row, col)`` with ``value``.

        A pixel is inside when its centre is strictly closer than ``radius``
        to ``(row, col)``, as ``skimage.draw.disk`` decides. The part of the
        disk outside the canvas is dropped. Later disks overwrite earlier
        ones where they overlap.

        Parameters
        ----------
        row, col : float
            Centre of the disk; it may lie outside the canvas.
        radius : float
            Radius in pixels, greater than 0.
        value : int, optional
            Value written into the disk's pixels (default 1).
        """
        row = check_number(row, "row")
        col = check_number(col, "col")
        radius = check_number(radius, "radius", minimum=0, strict_minimum=True)
        value = check_int(value, "value")
        rr, cc = _draw_disk((row, col), radius, shape=self.shape)
        self.image[rr, cc] = value

    def show(self, *, title=None, ax=None):
        """Show the canvas with a colorbar; returns the matplotlib axes."""
        from .display import show_image

        return show_image(self.image, title=title or repr(self), ax=ax)


def three_disk_canvas():
    """The course's 100x100 example canvas with the three disks of ``THREE_DISKS``.

    Examples
    --------
    >>> canvas = three_disk_canvas()
    >>> canvas.shape, int(canvas.image.sum())
    ((100, 100), 1164)
    """
    canvas = Canvas(100, 100)
    for row, col, radius in THREE_DISKS:
        canvas.disk(row, col, radius)
    return canvas


@reference("03-masks-and-disks")
def draw_disks(height, width, disks):
    """Instance mask of a list of disks: disk ``i`` (counting from 1) is labelled ``i``.

    Later disks overwrite earlier ones where they overlap; the parts outside
    the image are dropped (see ``Canvas.disk`` for which pixels a disk covers).

    Parameters
    ----------
    height, width : int
        Size of the mask.
    disks : sequence of (row, col, radius)
        The disks, in drawing order.

    Returns
    -------
    labels : ndarray of int64, shape (height, width)

    Examples
    --------
    >>> draw_disks(3, 6, [(1, 1, 1.2), (1, 4, 1.2)])
    array([[0, 1, 0, 0, 2, 0],
           [1, 1, 1, 2, 2, 2],
           [0, 1, 0, 0, 2, 0]])
    """
    canvas = Canvas(height, width)
    try:
        disks = [tuple(d) for d in disks]
    except TypeError:
        raise TypeError(f"`disks` must be a list of (row, col, radius) tuples; got {disks!r:.80}.") from None
    for i, disk in enumerate(disks, start=1):
        if len(disk) != 3:
            raise ValueError(f"`disks[{i - 1}]` must be (row, col, radius); got {disk!r}.")
        canvas.disk(*disk, value=i)
    return canvas.image
