"""Metrics: how well a predicted segmentation agrees with the true one.

The building block is the **intersection over union** (IoU) of two masks,
|A and B| / |A or B|: 1 for identical masks, 0 for disjoint ones. For two
instance masks (label images) this module computes

- ``iou`` of two binary masks, and ``iou_matrix``, the IoU of every true with
  every predicted object, as a dense array;
- ``label_overlaps``, the same information kept sparse: only the pairs of
  objects that share at least one pixel, with their intersections and IoUs
  and the area of every object. It reads the pixels once and never builds a
  (true objects x predicted objects) array, so it scales to tens of thousands
  of objects;
- a one-to-one **matching** of true and predicted objects at an IoU
  threshold (``match_labels``, ``match_overlaps``, ``match_instances``) and
  the scores built on it (``matching_scores``, ``scores_over_thresholds``,
  ``f1_at``, ``precision_recall``): true positives (matched pairs), false positives (unmatched
  predicted objects), false negatives (unmatched true objects), precision,
  recall, F1, the mean IoU of the matched pairs and the count error;
- ``seg_score``, the Cell Tracking Challenge's SEG measure: the mean, over
  the true objects, of the IoU with the predicted object that covers more
  than half of it (0 where none does). It needs no threshold and no
  matching, ignores predicted objects that cover no true object more than
  half, and credits a blob that merges cells for each cell it covers more
  than half of.

The matching is the one of ``stardist.matching.matching`` (a Hungarian
matching on the IoU matrix): it pairs as many objects as possible with an
IoU of at least the threshold and, among the matchings with that many pairs,
takes the one whose pairs have the largest total IoU (stardist counts in
that total the pairs below the threshold that its full assignment also
makes; so does this module). Above a threshold of 0.5 there is nothing to
decide: an object can have an IoU above 0.5 with at most one other object.
At 0.5 and below, an assignment problem is solved, on the sparse overlaps
only.

Background (label 0) is never an object. Label values need not be
consecutive and may be of any integer dtype; results list objects in
increasing label order. The same functions link the cells of two frames of a
time-lapse: pass the earlier frame as ``true_labels`` and the later one as
``pred_labels``; ``label_overlaps`` also shows a cell that overlaps two (a
division).
"""

import dataclasses
import numbers

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

from ._validation import _describe, check_binary, check_labels, check_number, check_same_shape
from .exercises import reference

__all__ = [
    "DEFAULT_THRESHOLDS",
    "LabelOverlaps",
    "Matching",
    "MatchingScores",
    "iou",
    "iou_matrix",
    "label_overlaps",
    "match_overlaps",
    "match_labels",
    "match_instances",
    "matching_scores",
    "scores_over_thresholds",
    "f1_at",
    "precision_recall",
    "seg_score",
]

#: Thresholds of ``scores_over_thresholds`` when none are given: 0.1, 0.2, ..., 0.9.
DEFAULT_THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)

# Pixels per block when reading a label image pair: bounds the temporary memory.
_BLOCK_PIXELS = 1 << 20


def _frozen_array(values, dtype=None):
    array = np.ascontiguousarray(values, dtype=dtype)
    array.flags.writeable = False
    return array


# --- IoU of two masks ---------------------------------------------------------

@reference("07-iou")
def iou(mask_a, mask_b):
    """Intersection over union of two binary masks.

    IoU = |A and B| / |A or B|, the number of pixels in both masks divided by
    the number of pixels in at least one of them. Two empty masks are
    identical, so their IoU is 1.0.

    Parameters
    ----------
    mask_a, mask_b : ndarray of bool or 0/1, shape (H, W)
        The two masks, of the same shape.

    Returns
    -------
    iou : float
        Between 0.0 (disjoint) and 1.0 (identical).

    Raises
    ------
    TypeError
        If a mask is not a NumPy array of numbers or booleans.
    ValueError
        If a mask is not 2-D, is empty or holds values other than 0 and 1,
        or if the two shapes differ (the message names both).

    Examples
    --------
    >>> a = np.array([[1, 1, 0, 0]], dtype=bool)
    >>> b = np.array([[0, 1, 1, 0]], dtype=bool)
    >>> iou(a, b)
    0.3333333333333333
    >>> iou(a, a)
    1.0
    >>> iou(np.zeros((2, 2), bool), np.zeros((2, 2), bool))
    1.0
    """
    mask_a = check_binary(mask_a, "mask_a")
    mask_b = check_binary(mask_b, "mask_b")
    check_same_shape(mask_a, mask_b, "mask_a", "mask_b")
    union = np.count_nonzero(mask_a | mask_b)
    if union == 0:
        return 1.0
    return int(np.count_nonzero(mask_a & mask_b)) / int(union)


# --- sparse overlaps of two label images --------------------------------------

@dataclasses.dataclass(frozen=True, eq=False)
class LabelOverlaps:
    """Every pair of a true and a predicted object that share pixels.

    Made by ``label_overlaps``; the arrays are read-only. Pairs of objects
    that do not touch are absent (their intersection and IoU are 0).

    Attributes
    ----------
    true_ids : ndarray, shape (n_true,)
        The non-zero labels of the true image in increasing order, in its dtype.
    pred_ids : ndarray, shape (n_pred,)
        The same for the predicted image.
    true_areas, pred_areas : ndarray of int64, shapes (n_true,) and (n_pred,)
        Number of pixels of each object, in the order of the ids.
    rows, cols : ndarray of int64, shape (n_pairs,)
        For each overlapping pair, the index of its true object in
        ``true_ids`` and of its predicted object in ``pred_ids``; sorted by
        row, then column.
    intersections : ndarray of int64, shape (n_pairs,)
        Number of pixels the pair shares.
    ious : ndarray of float64, shape (n_pairs,)
        IoU of the pair, in (0, 1].
    """

    true_ids: np.ndarray
    pred_ids: np.ndarray
    true_areas: np.ndarray
    pred_areas: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    intersections: np.ndarray
    ious: np.ndarray

    @property
    def n_true(self):
        """Number of true objects."""
        return len(self.true_ids)

    @property
    def n_pred(self):
        """Number of predicted objects."""
        return len(self.pred_ids)

    def to_dense(self):
        """The IoU matrix, shape (n_true, n_pred), zeros where objects do not overlap."""
        matrix = np.zeros((self.n_true, self.n_pred))
        matrix[self.rows, self.cols] = self.ious
        return matrix


def _runs(true_labels, pred_labels):
    """Run-length code of the pixel pairs, read once, block of rows by block of rows.

    Consecutive pixels (in row-major order) with the same (true, pred) pair
    form a run; objects are compact, so there are far fewer runs than pixels.
    Returns the true value, predicted value and length of every run (a run
    cut by a block boundary counts as two, which changes no sum).
    """
    height, width = true_labels.shape
    rows = max(1, _BLOCK_PIXELS // width)
    true_values, pred_values, lengths = [], [], []
    for start in range(0, height, rows):
        t = true_labels[start:start + rows].ravel()
        p = pred_labels[start:start + rows].ravel()
        change = np.empty(t.size, dtype=bool)
        change[0] = True
        np.not_equal(t[1:], t[:-1], out=change[1:])
        change[1:] |= p[1:] != p[:-1]
        starts = np.flatnonzero(change)
        true_values.append(t[starts])
        pred_values.append(p[starts])
        lengths.append(np.diff(starts, append=t.size))
    return np.concatenate(true_values), np.concatenate(pred_values), np.concatenate(lengths)


def _index(values):
    """Sorted distinct values and, for each value, its position among them."""
    top = int(values.max())
    if top < max(1 << 20, 4 * values.size):
        present = np.zeros(top + 1, dtype=bool)
        present[values] = True
        position = np.cumsum(present, dtype=np.int64) - 1
        return np.flatnonzero(present).astype(values.dtype), position[values]
    distinct, inverse = np.unique(values, return_inverse=True)
    return distinct, inverse.astype(np.int64)


@reference("07-iou", same_as="iou_matrix")
def label_overlaps(true_labels, pred_labels):
    """The sparse overlaps of two label images: which objects share pixels, and how many.

    Reads the pixels once. Memory and time grow with the number of pixels and
    of overlapping pairs, never with (true objects x predicted objects), so a
    pair of 4096 x 4096 images with 20,000 objects each is fine.

    Parameters
    ----------
    true_labels, pred_labels : ndarray of int, shape (H, W)
        Label images of the same shape; 0 is background, every other value an
        object id. Any integer dtype; ids need not be consecutive. Boolean
        masks are read as one object each.

    Returns
    -------
    overlaps : LabelOverlaps
        Ids and areas of all objects, and for each overlapping pair its
        intersection and IoU.

    Raises
    ------
    TypeError
        If an image is not an integer (or boolean) NumPy array.
    ValueError
        If an image is not 2-D, is empty or holds negative ids, or if the two
        shapes differ.

    Examples
    --------
    >>> true = np.array([[1, 1, 0, 7, 7]])
    >>> pred = np.array([[2, 2, 2, 0, 5]])
    >>> ov = label_overlaps(true, pred)
    >>> ov.true_ids, ov.pred_ids
    (array([1, 7]), array([2, 5]))
    >>> ov.rows, ov.cols, ov.intersections
    (array([0, 1]), array([0, 1]), array([2, 1]))
    >>> ov.ious
    array([0.66666667, 0.5       ])
    >>> ov.to_dense()
    array([[0.66666667, 0.        ],
           [0.        , 0.5       ]])
    """
    true_labels = check_labels(true_labels, "true_labels")
    pred_labels = check_labels(pred_labels, "pred_labels")
    check_same_shape(true_labels, pred_labels, "true_labels", "pred_labels")

    true_values, pred_values, lengths = _runs(true_labels, pred_labels)
    true_ids, true_index = _index(true_values)
    pred_ids, pred_index = _index(pred_values)
    n_cols = len(pred_ids)

    # Sum the run lengths of each (true, pred) pair: sort the pair codes, add up each group.
    codes = true_index * n_cols + pred_index
    order = np.argsort(codes, kind="stable")
    codes = codes[order]
    starts = np.flatnonzero(np.diff(codes, prepend=-1))
    counts = np.add.reduceat(lengths[order], starts)
    codes = codes[starts]
    rows, cols = np.divmod(codes, n_cols)

    true_areas = np.bincount(rows, weights=counts, minlength=len(true_ids)).astype(np.int64)
    pred_areas = np.bincount(cols, weights=counts, minlength=n_cols).astype(np.int64)
    # Background is no object: drop the id 0 and every pair that involves it.
    true_offset = int(true_ids[0] == 0)
    pred_offset = int(pred_ids[0] == 0)
    both = (rows >= true_offset) & (cols >= pred_offset)
    rows = rows[both] - true_offset
    cols = cols[both] - pred_offset
    intersections = counts[both]
    true_areas = true_areas[true_offset:]
    pred_areas = pred_areas[pred_offset:]
    unions = true_areas[rows] + pred_areas[cols] - intersections
    return LabelOverlaps(
        true_ids=_frozen_array(true_ids[true_offset:]),
        pred_ids=_frozen_array(pred_ids[pred_offset:]),
        true_areas=_frozen_array(true_areas),
        pred_areas=_frozen_array(pred_areas),
        rows=_frozen_array(rows, np.int64),
        cols=_frozen_array(cols, np.int64),
        intersections=_frozen_array(intersections, np.int64),
        ious=_frozen_array(intersections / unions, np.float64),
    )


@reference("07-iou")
def iou_matrix(true_labels, pred_labels):
    """IoU of every true object with every predicted object of two label images.

    Row ``i`` is the ``i``-th smallest non-zero label of ``true_labels``,
    column ``j`` the ``j``-th smallest non-zero label of ``pred_labels``; the
    labels need not be consecutive and the background (0) is left out. The
    pixels are read once, without a loop over pairs of objects. The result is
    dense, n_true x n_pred floats: for thousands of objects use
    ``label_overlaps``, which keeps only the overlapping pairs.

    Parameters
    ----------
    true_labels, pred_labels : ndarray of int, shape (H, W)
        Label images of the same shape, any integer dtype; 0 is background.

    Returns
    -------
    matrix : ndarray of float64, shape (n_true, n_pred)
        Zero rows or columns when an image has no objects.

    Raises
    ------
    TypeError
        If an image is not an integer (or boolean) NumPy array.
    ValueError
        If an image is not 2-D, is empty or holds negative ids, or if the two
        shapes differ.

    Examples
    --------
    >>> true = np.array([[0, 3, 3, 3],
    ...                  [9, 9, 0, 0]])
    >>> pred = np.array([[0, 1, 1, 0],
    ...                  [0, 4, 4, 4]])
    >>> iou_matrix(true, pred)
    array([[0.66666667, 0.        ],
           [0.        , 0.25      ]])
    >>> iou_matrix(true, np.zeros_like(pred)).shape
    (2, 0)
    """
    return label_overlaps(true_labels, pred_labels).to_dense()


# --- matching ------------------------------------------------------------------

@dataclasses.dataclass(frozen=True, eq=False)
class Matching:
    """A one-to-one matching of true and predicted objects at an IoU threshold.

    Made by ``match_labels`` or ``match_overlaps``; the arrays are read-only
    and sorted by true id.

    Attributes
    ----------
    threshold : float
        Every matched pair has an IoU of at least this.
    true_ids, pred_ids : ndarray, shape (tp,)
        The ids of the matched pairs: ``true_ids[k]`` is matched with ``pred_ids[k]``.
    ious : ndarray of float64, shape (tp,)
        IoU of each matched pair.
    n_true, n_pred : int
        Number of objects in the true and the predicted image.
    """

    threshold: float
    true_ids: np.ndarray
    pred_ids: np.ndarray
    ious: np.ndarray
    n_true: int
    n_pred: int

    @property
    def tp(self):
        """True positives: the number of matched pairs."""
        return len(self.true_ids)

    @property
    def fp(self):
        """False positives: predicted objects left unmatched."""
        return self.n_pred - self.tp

    @property
    def fn(self):
        """False negatives: true objects left unmatched."""
        return self.n_true - self.tp

    def pairs(self):
        """The matched pairs as a list of ``(true_id, pred_id)`` Python ints, by true id."""
        return [(int(t), int(p)) for t, p in zip(self.true_ids, self.pred_ids)]


def _check_threshold(threshold, name="threshold"):
    return check_number(threshold, name, minimum=0.0, maximum=1.0, strict_minimum=True)


def _assign(rows, cols, ious, above, bound):
    """Maximum matching of the above-threshold edges, ties broken by the largest total IoU.

    The edges (all overlapping pairs among the objects still free) form a
    sparse bipartite graph. Each edge weighs 1 if its IoU reaches the
    threshold, plus IoU / (2 K), where K = ``bound`` is the smaller object count:
    the IoU part of any matching adds up to less than 1, so the number of
    above-threshold pairs comes first and the total IoU decides only between
    matchings with as many. This is the cost stardist gives
    ``linear_sum_assignment`` on the dense matrix, where non-overlapping
    pairs weigh 0. Every true object also gets a private dummy partner of
    weight 0, so that a matching that covers all of them always exists, and
    all weights are shifted to stay non-zero, as
    ``min_weight_full_bipartite_matching`` requires.

    Returns the positions (into the given edges) of the chosen edges whose
    IoU reaches the threshold.
    """
    row_ids, r = np.unique(rows, return_inverse=True)
    col_ids, c = np.unique(cols, return_inverse=True)
    n_rows, n_cols = len(row_ids), len(col_ids)
    # The tie-break term in float32, computed as stardist computes it, so that
    # matchings whose total IoUs are equal in exact arithmetic (1/2 + 1/4 and
    # 1/3 + 1/6 + 1/4) are told apart by the same rounding.
    term = ious.astype(np.float32) / np.float32(2 * bound)
    cost = (2.0 - above) - term.astype(np.float64)
    dummy = np.arange(n_rows)
    graph = sparse.csr_array(
        (np.concatenate([cost, np.full(n_rows, 2.0)]),
         (np.concatenate([r, dummy]), np.concatenate([c, n_cols + dummy]))),
        shape=(n_rows, n_cols + n_rows),
    )
    matched_rows, matched_cols = min_weight_full_bipartite_matching(graph)
    real = matched_cols < n_cols
    # Find each chosen real edge among the given ones through its (row, col) code.
    edge_codes = r.astype(np.int64) * n_cols + c
    order = np.argsort(edge_codes)
    chosen = order[np.searchsorted(edge_codes[order], matched_rows[real].astype(np.int64) * n_cols + matched_cols[real])]
    return chosen[above[chosen]]


def _match(overlaps, threshold):
    """Positions (into the overlap pairs) of the matched pairs, sorted."""
    above = overlaps.ious >= threshold
    candidates = np.flatnonzero(above)
    rows, cols = overlaps.rows[candidates], overlaps.cols[candidates]
    # An above-threshold pair whose two objects have no other above-threshold
    # pair is in every largest matching. Above 0.5 every pair is such a pair.
    row_degree = np.bincount(rows, minlength=overlaps.n_true)
    col_degree = np.bincount(cols, minlength=overlaps.n_pred)
    alone = (row_degree[rows] == 1) & (col_degree[cols] == 1)
    matched = candidates[alone]
    if alone.all():
        return matched

    # The rest: all overlapping pairs among the objects not matched yet. Only
    # the connected parts of that graph that hold an above-threshold pair can
    # change the result; solve the assignment on those.
    row_free = np.ones(overlaps.n_true, dtype=bool)
    col_free = np.ones(overlaps.n_pred, dtype=bool)
    row_free[rows[alone]] = False
    col_free[cols[alone]] = False
    rest = np.flatnonzero(row_free[overlaps.rows] & col_free[overlaps.cols])
    rest_rows, rest_cols = overlaps.rows[rest], overlaps.cols[rest]
    n_nodes = overlaps.n_true + overlaps.n_pred
    graph = sparse.coo_array(
        (np.ones(len(rest)), (rest_rows, overlaps.n_true + rest_cols)), shape=(n_nodes, n_nodes)
    )
    _, component = connected_components(graph, directed=False)
    wanted = np.zeros(n_nodes, dtype=bool)
    wanted[component[rest_rows[above[rest]]]] = True
    rest = rest[wanted[component[rest_rows]]]
    bound = max(1, min(overlaps.n_true, overlaps.n_pred))
    chosen = _assign(overlaps.rows[rest], overlaps.cols[rest], overlaps.ious[rest], above[rest], bound)
    return np.sort(np.concatenate([matched, rest[chosen]]))


@reference("07-iou", same_as="match_instances")
def match_overlaps(overlaps, threshold=0.5):
    """One-to-one matching of true and predicted objects, from their overlaps.

    Pairs as many objects as possible with an IoU of at least ``threshold``,
    each object in at most one pair; among the matchings with that many
    pairs, the one with the largest total IoU (as ``stardist.matching`` does;
    see the module docstring). Reuse one ``label_overlaps`` result to match
    at several thresholds.

    Parameters
    ----------
    overlaps : LabelOverlaps
        From ``label_overlaps(true_labels, pred_labels)``.
    threshold : float, optional
        Smallest IoU of a matched pair, in (0, 1]. Default 0.5.

    Returns
    -------
    matching : Matching
        The matched ids, their IoUs, and the object counts.

    Raises
    ------
    TypeError
        If ``overlaps`` is not a ``LabelOverlaps`` or ``threshold`` not a number.
    ValueError
        If ``threshold`` is not in (0, 1].

    Examples
    --------
    >>> true = np.array([[1, 1, 1, 0, 2, 2]])
    >>> pred = np.array([[4, 4, 0, 0, 6, 6]])
    >>> m = match_overlaps(label_overlaps(true, pred), threshold=0.5)
    >>> m.pairs(), m.ious, (m.tp, m.fp, m.fn)
    ([(1, 4), (2, 6)], array([0.66666667, 1.        ]), (2, 0, 0))
    >>> match_overlaps(label_overlaps(true, pred), threshold=0.9).pairs()
    [(2, 6)]
    """
    if not isinstance(overlaps, LabelOverlaps):
        raise TypeError(
            f"`overlaps` must be a LabelOverlaps, the result of label_overlaps(true_labels, pred_labels); "
            f"got {_describe(overlaps)}."
        )
    threshold = _check_threshold(threshold)
    matched = _match(overlaps, threshold)
    return Matching(
        threshold=threshold,
        true_ids=_frozen_array(overlaps.true_ids[overlaps.rows[matched]]),
        pred_ids=_frozen_array(overlaps.pred_ids[overlaps.cols[matched]]),
        ious=_frozen_array(overlaps.ious[matched]),
        n_true=overlaps.n_true,
        n_pred=overlaps.n_pred,
    )


@reference("07-iou", same_as="match_instances")
def match_labels(true_labels, pred_labels, threshold=0.5):
    """One-to-one matching of the objects of two label images at an IoU threshold.

    ``match_overlaps(label_overlaps(true_labels, pred_labels), threshold)``.
    To link the cells of two frames, pass the earlier frame as ``true_labels``.

    Parameters
    ----------
    true_labels, pred_labels : ndarray of int, shape (H, W)
        Label images of the same shape, any integer dtype; 0 is background.
    threshold : float, optional
        Smallest IoU of a matched pair, in (0, 1]. Default 0.5.

    Returns
    -------
    matching : Matching

    Raises
    ------
    TypeError
        If an image is not an integer (or boolean) array or ``threshold`` not a number.
    ValueError
        If an image is not 2-D, is empty or holds negative ids, the shapes
        differ, or ``threshold`` is not in (0, 1].

    Examples
    --------
    >>> frame0 = np.array([[1, 1, 1, 1, 0, 0]])
    >>> frame1 = np.array([[5, 5, 5, 0, 0, 3]])
    >>> m = match_labels(frame0, frame1)
    >>> m.pairs(), m.ious
    ([(1, 5)], array([0.75]))
    """
    threshold = _check_threshold(threshold)
    return match_overlaps(label_overlaps(true_labels, pred_labels), threshold)


@reference("07-iou")
def match_instances(true_labels, pred_labels, threshold=0.5):
    """Matched pairs of true and predicted objects at an IoU threshold.

    Each label is used at most once, every pair has an IoU of at least
    ``threshold``, and there are as many pairs as possible, as
    ``stardist.matching`` decides them.

    Parameters
    ----------
    true_labels, pred_labels : ndarray of int, shape (H, W)
        Label images of the same shape, any integer dtype; 0 is background.
    threshold : float, optional
        Smallest IoU of a matched pair, in (0, 1]. Default 0.5.

    Returns
    -------
    pairs : list of (int, int)
        ``(true_label, pred_label)`` pairs of Python ints, sorted by true label.

    Raises
    ------
    TypeError
        If an image is not an integer (or boolean) array or ``threshold`` not a number.
    ValueError
        If an image is not 2-D, is empty or holds negative ids, the shapes
        differ, or ``threshold`` is not in (0, 1].

    Examples
    --------
    >>> true = np.array([[1, 1, 0, 2, 2, 2]])
    >>> pred = np.array([[7, 7, 0, 3, 3, 0]])
    >>> match_instances(true, pred)
    [(1, 7), (2, 3)]
    >>> match_instances(true, pred, threshold=0.8)
    [(1, 7)]
    """
    return match_labels(true_labels, pred_labels, threshold).pairs()


# --- scores ----------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class MatchingScores:
    """Detection scores of a matching at one IoU threshold.

    Conventions where a ratio would be 0 / 0: when both images have no
    objects, precision, recall and F1 are 1.0 (nothing to find, nothing found
    wrongly); otherwise they are 0.0 whenever there is no true positive, as in
    ``stardist.matching``. ``mean_matched_iou`` is 0.0 when nothing is
    matched, as stardist's ``mean_matched_score``.

    Attributes
    ----------
    threshold : float
        Smallest IoU of a matched pair.
    tp, fp, fn : int
        Matched pairs, unmatched predicted objects, unmatched true objects.
    n_true, n_pred : int
        Number of true and of predicted objects.
    precision : float
        tp / (tp + fp) = tp / n_pred: the share of predicted objects that are right.
    recall : float
        tp / (tp + fn) = tp / n_true: the share of true objects that were found.
    f1 : float
        2 tp / (2 tp + fp + fn), the harmonic mean of precision and recall.
    mean_matched_iou : float
        Mean IoU of the matched pairs: how well the found objects fit.
    count_error : int
        n_pred - n_true: positive when the prediction has too many objects
        (split cells, debris), negative when too few (merged or missed cells).
    """

    threshold: float
    tp: int
    fp: int
    fn: int
    n_true: int
    n_pred: int
    precision: float
    recall: float
    f1: float
    mean_matched_iou: float
    count_error: int


def _scores(matching):
    tp, fp, fn = matching.tp, matching.fp, matching.fn
    if matching.n_true == 0 and matching.n_pred == 0:
        precision = recall = f1 = 1.0
    elif tp == 0:
        precision = recall = f1 = 0.0
    else:
        precision, recall, f1 = tp / (tp + fp), tp / (tp + fn), 2 * tp / (2 * tp + fp + fn)
    return MatchingScores(
        threshold=matching.threshold,
        tp=tp,
        fp=fp,
        fn=fn,
        n_true=matching.n_true,
        n_pred=matching.n_pred,
        precision=precision,
        recall=recall,
        f1=f1,
        mean_matched_iou=float(matching.ious.mean()) if tp else 0.0,
        count_error=matching.n_pred - matching.n_true,
    )


@reference("07-iou", same_as="f1_at")
def matching_scores(true_labels, pred_labels, threshold=0.5):
    """Precision, recall, F1, mean matched IoU and count error at one IoU threshold.

    Built on the one-to-one matching of ``match_labels``; the conventions for
    images without objects are those of ``MatchingScores``.

    Parameters
    ----------
    true_labels, pred_labels : ndarray of int, shape (H, W)
        Label images of the same shape, any integer dtype; 0 is background.
    threshold : float, optional
        Smallest IoU of a matched pair, in (0, 1]. Default 0.5.

    Returns
    -------
    scores : MatchingScores

    Raises
    ------
    TypeError
        If an image is not an integer (or boolean) array or ``threshold`` not a number.
    ValueError
        If an image is not 2-D, is empty or holds negative ids, the shapes
        differ, or ``threshold`` is not in (0, 1].

    Examples
    --------
    >>> true = np.array([[1, 1, 1, 0, 2, 2, 0, 3]])
    >>> pred = np.array([[5, 5, 0, 0, 6, 6, 6, 0]])
    >>> s = matching_scores(true, pred)
    >>> s.tp, s.fp, s.fn, s.count_error
    (2, 0, 1, -1)
    >>> s.precision, s.recall, round(s.f1, 3), round(s.mean_matched_iou, 3)
    (1.0, 0.6666666666666666, 0.8, 0.667)
    """
    return _scores(match_labels(true_labels, pred_labels, threshold))


@reference("07-iou", same_as="f1_at")
def scores_over_thresholds(true_labels, pred_labels, thresholds=DEFAULT_THRESHOLDS):
    """``matching_scores`` at several IoU thresholds, from one reading of the images.

    A segmentation that finds every cell but outlines them loosely keeps its
    F1 at low thresholds and loses it at high ones.

    Parameters
    ----------
    true_labels, pred_labels : ndarray of int, shape (H, W)
        Label images of the same shape, any integer dtype; 0 is background.
    thresholds : sequence of float, optional
        Thresholds in (0, 1]. Default ``DEFAULT_THRESHOLDS``, 0.1 to 0.9 by 0.1.

    Returns
    -------
    scores : list of MatchingScores
        One per threshold, in the order given.

    Raises
    ------
    TypeError
        If an image is not an integer (or boolean) array, or ``thresholds`` is
        a single number or holds something other than numbers.
    ValueError
        If an image is not 2-D, is empty or holds negative ids, the shapes
        differ, ``thresholds`` is empty or a threshold is not in (0, 1].

    Examples
    --------
    >>> true = np.array([[1, 1, 1, 1, 0, 2, 2]])
    >>> pred = np.array([[4, 4, 4, 0, 0, 6, 6]])
    >>> [(s.threshold, s.tp, s.f1) for s in scores_over_thresholds(true, pred, [0.5, 0.8])]
    [(0.5, 2, 1.0), (0.8, 1, 0.5)]
    """
    if isinstance(thresholds, (numbers.Number, np.ndarray)) and np.ndim(thresholds) == 0:
        raise TypeError(
            f"`thresholds` must be a sequence of numbers such as [0.5, 0.75]; got {_describe(thresholds)}. "
            "For one threshold use matching_scores."
        )
    try:
        thresholds = list(thresholds)
    except TypeError:
        raise TypeError(f"`thresholds` must be a sequence of numbers; got {_describe(thresholds)}.") from None
    if not thresholds:
        raise ValueError("`thresholds` is empty; give at least one threshold, e.g. [0.5].")
    thresholds = [_check_threshold(t, f"thresholds[{i}]") for i, t in enumerate(thresholds)]
    overlaps = label_overlaps(true_labels, pred_labels)
    return [_scores(match_overlaps(overlaps, t)) for t in thresholds]


@reference("07-iou")
def f1_at(true_labels, pred_labels, threshold=0.5):
    """F1 score of the one-to-one matching at an IoU threshold.

    F1 = 2 TP / (2 TP + FP + FN) from ``match_instances``; 1.0 when both
    images have no objects, 0.0 when only one of them has none.

    Parameters
    ----------
    true_labels, pred_labels : ndarray of int, shape (H, W)
        Label images of the same shape, any integer dtype; 0 is background.
    threshold : float, optional
        Smallest IoU of a matched pair, in (0, 1]. Default 0.5.

    Returns
    -------
    f1 : float
        Between 0.0 and 1.0.

    Raises
    ------
    TypeError
        If an image is not an integer (or boolean) array or ``threshold`` not a number.
    ValueError
        If an image is not 2-D, is empty or holds negative ids, the shapes
        differ, or ``threshold`` is not in (0, 1].

    Examples
    --------
    >>> true = np.array([[1, 1, 0, 2, 2, 0, 3]])
    >>> pred = np.array([[1, 1, 0, 2, 0, 0, 0]])
    >>> f1_at(true, pred)
    0.8
    >>> f1_at(np.zeros((3, 3), int), np.zeros((3, 3), int))
    1.0
    """
    return matching_scores(true_labels, pred_labels, threshold).f1


@reference("07-iou")
def precision_recall(true_labels, pred_labels, threshold=0.5):
    """Precision and recall of the one-to-one matching at an IoU threshold.

    Precision = TP / (number of predicted objects), the share of predicted
    objects that match a true one; recall = TP / (number of true objects),
    the share of true objects that were found. Both are 1.0 when both images
    have no objects; otherwise a ratio with nothing to count (0 / 0) is 0.0,
    as in ``stardist.matching``.

    Parameters
    ----------
    true_labels, pred_labels : ndarray of int, shape (H, W)
        Label images of the same shape, any integer dtype; 0 is background.
    threshold : float, optional
        Smallest IoU of a matched pair, in (0, 1]. Default 0.5.

    Returns
    -------
    precision, recall : float
        Each between 0.0 and 1.0.

    Raises
    ------
    TypeError
        If an image is not an integer (or boolean) array or ``threshold`` not a number.
    ValueError
        If an image is not 2-D, is empty or holds negative ids, the shapes
        differ, or ``threshold`` is not in (0, 1].

    Examples
    --------
    >>> true = np.array([[1, 1, 0, 2, 2, 0, 3, 3]])
    >>> pred = np.array([[4, 4, 0, 5, 0, 0, 0, 0]])
    >>> precision_recall(true, pred)
    (1.0, 0.6666666666666666)
    >>> precision_recall(np.zeros((2, 2), int), np.zeros((2, 2), int))
    (1.0, 1.0)
    """
    scores = matching_scores(true_labels, pred_labels, threshold)
    return scores.precision, scores.recall


def _seg_jaccards(true_labels, pred_labels, names):
    """IoU of each true object with the predicted object covering more than half of it, 0 where none does."""
    true_labels = check_labels(true_labels, names[0])
    pred_labels = check_labels(pred_labels, names[1])
    check_same_shape(true_labels, pred_labels, *names)
    overlaps = label_overlaps(true_labels, pred_labels)
    jaccards = np.zeros(overlaps.n_true)
    covers = 2 * overlaps.intersections > overlaps.true_areas[overlaps.rows]
    # A true object is covered more than half by at most one predicted object (they do not overlap).
    jaccards[overlaps.rows[covers]] = overlaps.ious[covers]
    return jaccards


def seg_score(true_labels, pred_labels):
    """The Cell Tracking Challenge's SEG measure of a segmentation.

    For every true object R, the predicted object S that covers more than
    half of it (|R and S| > |R| / 2) is its match, and its score is the IoU
    (Jaccard index) |R and S| / |R or S|; a true object without such a
    match scores 0. SEG is the mean of these scores over all true objects.
    At most one predicted object can cover more than half of R, so there is
    nothing to decide, and no threshold to choose. Unlike F1, SEG ignores
    predicted objects that cover no true object more than half (debris taken
    for cells costs nothing), and one predicted object that merges cells
    scores for every cell it covers more than half of (F1's one-to-one
    matching lets it count for one at most).

    Parameters
    ----------
    true_labels, pred_labels : ndarray of int, shape (H, W), or sequences of them
        Label images of the same shape, any integer dtype; 0 is background.
        Two sequences of equal length (the frames of a time-lapse, also as
        3-D arrays of shape (T, H, W)) give the mean over the true objects of
        all frames, as the challenge pools a whole sequence.

    Returns
    -------
    seg : float
        Between 0.0 and 1.0; ``nan`` when there is no true object at all
        (a mean over nothing).

    Raises
    ------
    TypeError
        If an image is not an integer (or boolean) array.
    ValueError
        If an image is not 2-D, is empty or holds negative ids, two shapes
        differ, or the two sequences differ in length.

    See Also
    --------
    f1_at : the F1 score of a one-to-one matching at an IoU threshold.

    Examples
    --------
    Two cells; the prediction merges them into one blob that covers all of
    cell 1 and a third of cell 2, and adds a speck of debris (5):

    >>> true = np.array([[1, 1, 1, 0, 2, 2, 2, 0, 0]])
    >>> pred = np.array([[3, 3, 3, 3, 3, 0, 0, 0, 5]])
    >>> seg_score(true, pred)        # cell 1: IoU 3/5, cell 2: no match
    0.3
    >>> f1_at(true, pred, 0.5)       # one pair (1, 3), one cell missed, one speck
    0.5

    Frames are pooled over their true objects:

    >>> seg_score([true, true], [true, pred])
    0.65
    >>> seg_score(np.zeros((2, 2), int), np.ones((2, 2), int))
    nan
    """
    if any(isinstance(v, np.ndarray) and v.ndim != 3 for v in (true_labels, pred_labels)):
        jaccards = _seg_jaccards(true_labels, pred_labels, ("true_labels", "pred_labels"))
    else:
        try:
            true_labels, pred_labels = list(true_labels), list(pred_labels)
        except TypeError:
            raise TypeError("`true_labels` and `pred_labels` must be label images (2-D integer arrays) or "
                            f"sequences of them; got {_describe(true_labels)} and {_describe(pred_labels)}.") from None
        if len(true_labels) != len(pred_labels):
            raise ValueError(f"`true_labels` and `pred_labels` must hold as many images; got {len(true_labels)} "
                             f"and {len(pred_labels)}.")
        if not true_labels:
            raise ValueError("`true_labels` and `pred_labels` are empty sequences; give at least one image each.")
        jaccards = np.concatenate([
            _seg_jaccards(t, p, (f"true_labels[{i}]", f"pred_labels[{i}]"))
            for i, (t, p) in enumerate(zip(true_labels, pred_labels))])
    return float(jaccards.mean()) if len(jaccards) else float("nan")
