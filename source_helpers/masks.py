"""Masks: binary masks, instance (label) masks, and counting the objects in them.

A **binary mask** says for each pixel whether it belongs to an object
(True / 1) or to the background (False / 0). An **instance mask**, also
called a label image, gives each object its own positive integer id and the
background 0. This module converts between the two and counts objects:

- ``instance_to_binary`` forgets which object a pixel belongs to (and can
  leave a gap where objects touch, so that they stay apart);
- ``count_objects`` counts the ids of an instance mask;
- ``label_components`` and ``count_components`` find the connected regions
  of a binary mask, which is all one can do once the ids are gone;
- ``relabel_consecutive`` renumbers an instance mask to the ids 1, 2, ..., N;
- ``object_areas`` gives the number of pixels of each object.

Connectivity follows ``scipy.ndimage.label`` and ``skimage.measure.label``:
``connectivity=1`` joins pixels that share an edge (4-connectivity in 2-D),
``connectivity=2`` also joins pixels that only touch at a corner
(8-connectivity).
"""

import numpy as np
from scipy import ndimage as ndi

from ._validation import check_binary, check_int, check_labels
from .exercises import reference

__all__ = [
    "instance_to_binary",
    "count_objects",
    "label_components",
    "count_components",
    "relabel_consecutive",
    "object_areas",
]


def _check_connectivity(connectivity):
    connectivity = check_int(connectivity, "connectivity", minimum=1)
    if connectivity > 2:
        raise ValueError(
            f"`connectivity` must be 1 (shared edges, 4-connectivity) or 2 (edges and corners, "
            f"8-connectivity) for a 2-D image; got {connectivity}."
        )
    return connectivity


@reference("03-masks-and-disks")
def instance_to_binary(labels, *, separate=False):
    """Binary mask of an instance mask: True wherever the label is not 0.

    A binary mask forgets where one object ends and the next begins, so two
    touching objects become one connected region. With ``separate=True``
    the pixels where two objects touch are left out: every object pixel
    that shares an edge with a pixel of a *different* object becomes False
    (on both sides of the contact). Touching objects are then kept apart by
    a gap, and labelling the connected regions (4-connectivity) finds them
    again, at the price of a few pixels along each contact.

    Parameters
    ----------
    labels : ndarray of int, shape (H, W)
        Instance mask: 0 is background, every other value an object id.
        A boolean mask is accepted too.
    separate : bool, optional
        Leave out the pixels where two different objects share an edge
        (default False). Pixels next to the background, and pixels that
        touch another object only at a corner, stay True.

    Returns
    -------
    binary : ndarray of bool, shape (H, W)
        A new array; ``labels`` is not changed.

    Raises
    ------
    TypeError
        If ``labels`` is not an integer (or boolean) array, or ``separate``
        is not True or False.
    ValueError
        If ``labels`` is not 2-D, is empty or holds negative ids.

    Examples
    --------
    >>> labels = np.array([[0, 1, 1], [0, 0, 7]])
    >>> instance_to_binary(labels)
    array([[False,  True,  True],
           [False, False,  True]])
    >>> side_by_side = np.array([[4, 4, 6, 6],
    ...                          [4, 4, 6, 6],
    ...                          [0, 0, 0, 6]])
    >>> instance_to_binary(side_by_side, separate=True).astype(int)
    array([[1, 0, 0, 1],
           [1, 0, 0, 1],
           [0, 0, 0, 1]])
    """
    labels = check_labels(labels, "labels")
    if not isinstance(separate, (bool, np.bool_)):
        raise TypeError(f"`separate` must be True or False; got {type(separate).__name__} {separate!r:.40}.")
    binary = labels != 0
    if not separate:
        return binary
    contact = np.zeros(labels.shape, dtype=bool)
    # Compare every pixel with its lower and its right neighbour; a pair of
    # different non-zero ids is a contact, and both of its pixels go.
    for first, second, first_view, second_view in (
        (labels[:-1, :], labels[1:, :], contact[:-1, :], contact[1:, :]),
        (labels[:, :-1], labels[:, 1:], contact[:, :-1], contact[:, 1:]),
    ):
        touching = (first != second) & (first != 0) & (second != 0)
        first_view |= touching
        second_view |= touching
    return binary & ~contact


@reference("03-masks-and-disks")
def count_objects(labels):
    """Number of distinct non-zero ids in an instance mask.

    The ids need not be consecutive (``[0, 2, 5]`` holds 2 objects) and the
    background may be absent (a crop inside one object holds 1 object).

    Parameters
    ----------
    labels : ndarray of int, shape (H, W)
        Instance mask; 0 is background.

    Returns
    -------
    n : int

    Raises
    ------
    TypeError
        If ``labels`` is not an integer (or boolean) array.
    ValueError
        If ``labels`` is not 2-D, is empty or holds negative ids.

    Examples
    --------
    >>> count_objects(np.array([[0, 2, 2], [5, 0, 0]]))
    2
    >>> count_objects(np.array([[3, 3], [3, 3]]))
    1
    >>> count_objects(np.zeros((2, 2), dtype=int))
    0
    """
    labels = check_labels(labels, "labels")
    ids = np.unique(labels)
    return int(np.count_nonzero(ids))


def label_components(binary, *, connectivity=1):
    """Instance mask of the connected foreground regions of a binary mask.

    Parameters
    ----------
    binary : ndarray of bool or 0/1 integers, shape (H, W)
        The mask; non-zero pixels are foreground.
    connectivity : {1, 2}, optional
        1 (default): pixels connect through shared edges only
        (4-connectivity, ``scipy.ndimage.label``'s default). 2: through
        corners too (8-connectivity).

    Returns
    -------
    labels : ndarray of int64, shape (H, W)
        0 on the background, 1, 2, ..., N on the regions, numbered in the
        order their first pixel appears in row-major order.

    Raises
    ------
    ValueError
        If ``binary`` is not a 2-D mask of 0 and 1, or ``connectivity`` is
        not 1 or 2.

    Examples
    --------
    >>> binary = np.array([[1, 1, 0, 0],
    ...                    [0, 0, 1, 0],
    ...                    [1, 0, 0, 0]])
    >>> label_components(binary)
    array([[1, 1, 0, 0],
           [0, 0, 2, 0],
           [3, 0, 0, 0]])
    >>> label_components(binary, connectivity=2)
    array([[1, 1, 0, 0],
           [0, 0, 1, 0],
           [2, 0, 0, 0]])
    """
    binary = check_binary(binary, "binary")
    connectivity = _check_connectivity(connectivity)
    structure = ndi.generate_binary_structure(2, connectivity)
    labels, _ = ndi.label(binary, structure=structure)
    return labels.astype(np.int64)


@reference("03-masks-and-disks")
def count_components(binary, *, connectivity=1):
    """Number of connected foreground regions of a binary mask.

    Two overlapping or touching objects form one region, so this count can
    be smaller than the number of objects: on the course's three-disk
    canvas it is 2, not 3.

    Parameters
    ----------
    binary : ndarray of bool or 0/1 integers, shape (H, W)
        The mask; non-zero pixels are foreground.
    connectivity : {1, 2}, optional
        1 (default): pixels connect through shared edges only
        (4-connectivity). 2: through corners too (8-connectivity).

    Returns
    -------
    n : int

    Raises
    ------
    ValueError
        If ``binary`` is not a 2-D mask of 0 and 1, or ``connectivity`` is
        not 1 or 2.

    Examples
    --------
    >>> diagonal = np.eye(3, dtype=bool)
    >>> count_components(diagonal)
    3
    >>> count_components(diagonal, connectivity=2)
    1
    >>> count_components(np.array([[1, 1, 0, 1], [0, 0, 0, 1]]))
    2
    """
    labels = label_components(binary, connectivity=connectivity)
    return int(labels.max())


@reference("03-masks-and-disks")
def relabel_consecutive(labels):
    """Renumber an instance mask so that its ids are 1, 2, ..., N.

    The objects keep their order: the smallest old id becomes 1, the next
    one 2, and so on. The background stays 0.

    Parameters
    ----------
    labels : ndarray of int, shape (H, W)
        Instance mask; 0 is background, ids may have gaps.

    Returns
    -------
    relabelled : ndarray of int64, shape (H, W)
        A new array; ``labels`` is not changed.

    Raises
    ------
    TypeError
        If ``labels`` is not an integer (or boolean) array.
    ValueError
        If ``labels`` is not 2-D, is empty or holds negative ids.

    Examples
    --------
    >>> relabel_consecutive(np.array([[9, 0, 2], [2, 9, 0]]))
    array([[2, 0, 1],
           [1, 2, 0]])
    """
    labels = check_labels(labels, "labels")
    ids = np.unique(labels)
    ids = ids[ids != 0]
    relabelled = np.zeros(labels.shape, dtype=np.int64)
    # searchsorted gives each id its rank among the sorted ids (0-based).
    foreground = labels != 0
    relabelled[foreground] = np.searchsorted(ids, labels[foreground]) + 1
    return relabelled


def object_areas(labels):
    """Number of pixels of each object of an instance mask.

    Parameters
    ----------
    labels : ndarray of int, shape (H, W)
        Instance mask; 0 is background.

    Returns
    -------
    areas : dict of int to int
        ``{id: number of pixels}`` for every non-zero id, in increasing id
        order; empty when there is no object.

    Raises
    ------
    TypeError
        If ``labels`` is not an integer (or boolean) array.
    ValueError
        If ``labels`` is not 2-D, is empty or holds negative ids.

    Examples
    --------
    >>> object_areas(np.array([[0, 2, 2], [5, 0, 2]]))
    {2: 3, 5: 1}
    """
    labels = check_labels(labels, "labels")
    ids, counts = np.unique(labels, return_counts=True)
    return {int(i): int(c) for i, c in zip(ids, counts) if i != 0}
