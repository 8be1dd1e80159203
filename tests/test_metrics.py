"""Tests for source_helpers.metrics: IoU, the IoU matrix, sparse overlaps, matching and scores.

The last part checks that the matching agrees with the course's peer,
``stardist.matching.matching``, on a seeded set of varied label image pairs.
"""

import itertools
import os
import tracemalloc

import numpy as np
import pytest
from scipy import ndimage as ndi
from skimage.draw import disk

from source_helpers import metrics
from source_helpers.metrics import (
    DEFAULT_THRESHOLDS,
    LabelOverlaps,
    MatchingScores,
    f1_at,
    iou,
    iou_matrix,
    label_overlaps,
    match_instances,
    match_labels,
    match_overlaps,
    matching_scores,
    precision_recall,
    scores_over_thresholds,
    seg_score,
)

DTYPES = [np.uint8, np.uint16, np.int32, np.int64, np.uint32, np.uint64]


def random_mask(rng, shape=(9, 11), p=0.4):
    return rng.random(shape) < p


def brute_iou_matrix(true, pred):
    """What a student would write: one pair of boolean masks at a time."""
    t_ids = [t for t in np.unique(true) if t != 0]
    p_ids = [p for p in np.unique(pred) if p != 0]
    out = np.zeros((len(t_ids), len(p_ids)))
    for i, t in enumerate(t_ids):
        for j, p in enumerate(p_ids):
            a, b = true == t, pred == p
            out[i, j] = np.count_nonzero(a & b) / np.count_nonzero(a | b)
    return out


def scatter_labels(labels, rng, dtype, *, offset=1):
    """The same objects under shuffled, non-consecutive ids of ``dtype`` (0 stays 0)."""
    ids = np.unique(labels)
    ids = ids[ids > 0]
    high = min(offset + 3 * len(ids) + 50, int(np.iinfo(dtype).max) + 1)
    new = rng.choice(np.arange(offset, high), size=len(ids), replace=False)
    lut = np.zeros(int(labels.max()) + 1, dtype=np.uint64)
    lut[ids] = new.astype(np.uint64)
    return lut[labels].astype(dtype)


# --- iou ------------------------------------------------------------------------

def test_iou_known_value():
    a = np.zeros((4, 4), bool)
    b = np.zeros((4, 4), bool)
    a[0, :3] = True   # 3 pixels
    b[0, 1:] = True   # 3 pixels, 2 shared: 2 / 4
    assert iou(a, b) == 0.5


@pytest.mark.parametrize("seed", range(20))
def test_iou_is_symmetric_and_between_0_and_1(seed):
    rng = np.random.default_rng(seed)
    a, b = random_mask(rng), random_mask(rng)
    value = iou(a, b)
    assert type(value) is float
    assert 0.0 <= value <= 1.0
    assert value == iou(b, a)


@pytest.mark.parametrize("seed", range(10))
def test_iou_is_1_on_identical_masks_and_0_on_disjoint_ones(seed):
    rng = np.random.default_rng(seed)
    a = random_mask(rng)
    assert iou(a, a.copy()) == 1.0
    if a.any():
        assert iou(a, ~a) == 0.0


def test_iou_of_two_empty_masks_is_1_and_of_one_empty_mask_0():
    empty = np.zeros((3, 3), bool)
    full = np.ones((3, 3), bool)
    assert iou(empty, empty) == 1.0
    assert iou(empty, full) == 0.0
    assert iou(full, empty) == 0.0


def test_iou_accepts_0_1_integers():
    a = np.array([[1, 1, 0]])
    b = np.array([[0, 1, 0]], dtype=np.uint8)
    assert iou(a, b) == 0.5


def test_iou_rejects_masks_of_different_shapes_naming_both():
    with pytest.raises(ValueError, match=r"`mask_a` and `mask_b` must have the same shape; got \(3, 4\) and \(4, 3\)"):
        iou(np.zeros((3, 4), bool), np.zeros((4, 3), bool))


def test_iou_names_the_bad_mask():
    good = np.zeros((2, 2), bool)
    with pytest.raises(ValueError, match="`mask_b` must be binary"):
        iou(good, np.array([[0, 2], [1, 0]]))
    with pytest.raises(TypeError, match="`mask_a` must be a NumPy array"):
        iou([[0, 1], [1, 0]], good)


# --- label_overlaps and iou_matrix ----------------------------------------------

def test_iou_matrix_by_hand_with_non_consecutive_labels():
    true = np.array([[0, 30, 30, 30],
                     [7, 7, 0, 0]])
    pred = np.array([[0, 2, 2, 0],
                     [0, 90, 90, 90]])
    # rows: true 7, 30; columns: pred 2, 90
    expected = np.array([[0.0, 1 / 4],
                         [2 / 3, 0.0]])
    np.testing.assert_allclose(iou_matrix(true, pred), expected)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", range(3))
def test_iou_matrix_agrees_with_the_pairwise_loop(dtype, seed):
    rng = np.random.default_rng(seed)
    true = scatter_labels(ndi.label(rng.random((20, 25)) < 0.5)[0], rng, dtype)
    pred = scatter_labels(ndi.label(rng.random((20, 25)) < 0.5)[0], rng, dtype)
    matrix = iou_matrix(true, pred)
    assert matrix.dtype == np.float64
    assert matrix.shape == (len(np.unique(true)) - 1, len(np.unique(pred)) - 1)
    np.testing.assert_allclose(matrix, brute_iou_matrix(true, pred), rtol=0, atol=1e-15)


def test_iou_matrix_with_huge_uint64_labels():
    # Labels above 2**63 cannot index a lookup table; the order must still be by value.
    big = np.uint64(2**64 - 10)
    true = np.array([[big, big, 0, 5]], dtype=np.uint64)
    pred = np.array([[big - 1, 0, 3, 3]], dtype=np.uint64)
    ov = label_overlaps(true, pred)
    assert ov.true_ids.tolist() == [5, 2**64 - 10]
    assert ov.pred_ids.tolist() == [3, 2**64 - 11]
    np.testing.assert_allclose(iou_matrix(true, pred), [[0.5, 0.0], [0.0, 0.5]])


def test_iou_matrix_of_boolean_masks_is_1_by_1():
    a = np.array([[True, True, False]])
    b = np.array([[False, True, True]])
    np.testing.assert_allclose(iou_matrix(a, b), [[1 / 3]])


@pytest.mark.parametrize(
    "true, pred, shape",
    [
        (np.zeros((3, 3), int), np.zeros((3, 3), int), (0, 0)),
        (np.zeros((3, 3), int), np.eye(3, dtype=int), (0, 1)),
        (np.eye(3, dtype=int) * 4, np.zeros((3, 3), int), (1, 0)),
        (np.full((2, 2), 6), np.full((2, 2), 6), (1, 1)),   # no background at all
    ],
)
def test_iou_matrix_shape_with_empty_sides(true, pred, shape):
    matrix = iou_matrix(true, pred)
    assert matrix.shape == shape
    assert np.all(matrix[...] == (1.0 if shape == (1, 1) else 0.0))


def test_label_overlaps_areas_and_intersections_add_up():
    rng = np.random.default_rng(5)
    true = ndi.label(rng.random((40, 50)) < 0.6)[0] * 3
    pred = ndi.label(rng.random((40, 50)) < 0.6)[0] + 10 * (rng.random((40, 50)) < 0.3)
    ov = label_overlaps(true, pred)
    np.testing.assert_array_equal(ov.true_areas, [np.count_nonzero(true == t) for t in ov.true_ids])
    np.testing.assert_array_equal(ov.pred_areas, [np.count_nonzero(pred == p) for p in ov.pred_ids])
    assert ov.intersections.sum() == np.count_nonzero((true > 0) & (pred > 0))
    for r, c, n in zip(ov.rows, ov.cols, ov.intersections):
        assert n == np.count_nonzero((true == ov.true_ids[r]) & (pred == ov.pred_ids[c]))
    order = np.lexsort((ov.cols, ov.rows))
    np.testing.assert_array_equal(order, np.arange(len(order)))   # sorted by row, then column
    assert np.all(ov.ious > 0) and np.all(ov.ious <= 1)
    assert (ov.n_true, ov.n_pred) == (len(ov.true_ids), len(ov.pred_ids))


def test_label_overlaps_same_result_when_runs_cross_block_boundaries(monkeypatch):
    rng = np.random.default_rng(8)
    true = ndi.label(rng.random((23, 17)) < 0.6)[0]
    pred = ndi.label(rng.random((23, 17)) < 0.6)[0]
    whole = label_overlaps(true, pred)
    monkeypatch.setattr(metrics, "_BLOCK_PIXELS", 5)   # blocks of one row
    blocked = label_overlaps(true, pred)
    for field in ("true_ids", "pred_ids", "true_areas", "pred_areas", "rows", "cols", "intersections", "ious"):
        np.testing.assert_array_equal(getattr(blocked, field), getattr(whole, field))
    np.testing.assert_allclose(blocked.to_dense(), brute_iou_matrix(true, pred))


def test_label_overlaps_reads_non_contiguous_images():
    rng = np.random.default_rng(2)
    true = ndi.label(rng.random((20, 30)) < 0.6)[0]
    pred = ndi.label(rng.random((20, 30)) < 0.6)[0]
    np.testing.assert_allclose(iou_matrix(true.T, pred.T), brute_iou_matrix(true.T, pred.T))
    np.testing.assert_allclose(iou_matrix(true[::2, ::3], pred[::2, ::3]), brute_iou_matrix(true[::2, ::3], pred[::2, ::3]))


def test_label_overlaps_stays_sparse_with_40000_objects():
    # Every pixel its own object: a dense 40,000 x 40,000 matrix would need 12.8 GB.
    rng = np.random.default_rng(0)
    true = rng.permutation(200 * 200).reshape(200, 200).astype(np.int32) + 1
    pred = np.roll(true, 1, axis=1)
    tracemalloc.start()
    try:
        ov = label_overlaps(true, pred)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (ov.n_true, ov.n_pred, len(ov.ious)) == (40000, 40000, 40000)
    assert np.all(ov.ious == 1.0)
    assert peak < 50e6, f"label_overlaps used {peak / 1e6:.0f} MB for 40,000 one-pixel objects"


def test_label_overlaps_arrays_are_read_only():
    ov = label_overlaps(np.array([[1, 2]]), np.array([[1, 1]]))
    with pytest.raises(ValueError, match="read-only"):
        ov.ious[0] = 0.5


# --- matching ---------------------------------------------------------------------

def test_matching_finds_as_many_pairs_as_possible_not_greedily():
    # IoU: true 1 - pred 5: 0.4, true 1 - pred 6: 0.3, true 2 - pred 5: 0.3. Greedy by IoU
    # takes (1, 5) and stops at one pair; at 0.3 two pairs are possible.
    true = np.array([[1] * 7 + [2] * 6 + [0] * 3])
    pred = np.array([[5] * 4 + [6] * 3 + [5] * 3 + [0] * 3 + [6] * 3])
    np.testing.assert_allclose(iou_matrix(true, pred), [[0.4, 0.3], [0.3, 0.0]])
    assert match_instances(true, pred, threshold=0.3) == [(1, 6), (2, 5)]
    assert match_instances(true, pred, threshold=0.35) == [(1, 5)]


def test_matching_at_exactly_half_picks_one_of_two_tied_partners():
    # Predicted 3 is the union of the equal true objects 1 and 2: IoU exactly 0.5 with each.
    true = np.array([[1, 1, 2, 2]])
    pred = np.array([[3, 3, 3, 3]])
    m = match_labels(true, pred, threshold=0.5)
    assert (m.tp, m.fp, m.fn) == (1, 0, 1)
    assert m.pred_ids.tolist() == [3] and m.true_ids[0] in (1, 2)
    assert m.ious.tolist() == [0.5]
    assert match_labels(true, pred, threshold=0.5000001).tp == 0


def test_threshold_1_matches_only_identical_objects():
    true = np.array([[1, 1, 0, 2, 2]])
    pred = np.array([[4, 4, 0, 6, 0]])
    assert match_instances(true, pred, threshold=1.0) == [(1, 4)]


def _brute_best_count(matrix, threshold):
    n, m = matrix.shape
    if min(n, m) == 0:
        return 0
    if n > m:
        matrix, n, m = matrix.T, m, n
    return max(
        sum(matrix[i, j] >= threshold for i, j in enumerate(perm))
        for perm in itertools.permutations(range(m), n)
    )


@pytest.mark.parametrize("seed", range(40))
def test_matching_is_one_to_one_above_threshold_and_as_large_as_possible(seed):
    rng = np.random.default_rng(seed)
    shape = (6, 7)
    true = scatter_labels(rng.integers(0, 5, shape), rng, np.int32)
    pred = scatter_labels(rng.integers(0, 5, shape), rng, np.uint16)
    matrix = brute_iou_matrix(true, pred)
    t_ids = sorted(set(np.unique(true)) - {0})
    p_ids = sorted(set(np.unique(pred)) - {0})
    for threshold in (0.05, 0.1, 0.2, 0.3, 0.5):
        pairs = match_instances(true, pred, threshold)
        assert all(type(t) is int and type(p) is int for t, p in pairs)
        assert [t for t, _ in pairs] == sorted(t for t, _ in pairs)
        assert len({t for t, _ in pairs}) == len({p for _, p in pairs}) == len(pairs)
        for t, p in pairs:
            assert matrix[t_ids.index(t), p_ids.index(p)] >= threshold
        assert len(pairs) == _brute_best_count(matrix, threshold)


@pytest.mark.parametrize("seed", range(10))
def test_above_one_half_the_matching_is_every_pair_above_the_threshold(seed):
    rng = np.random.default_rng(seed)
    true = ndi.label(rng.random((30, 30)) < 0.6)[0]
    pred = ndi.label(np.roll(true > 0, 1, axis=0) | (rng.random((30, 30)) < 0.1))[0]
    matrix = brute_iou_matrix(true, pred)
    t_ids, p_ids = np.unique(true)[1:], np.unique(pred)[1:]
    for threshold in (0.51, 0.7, 0.9):
        rows, cols = np.nonzero(matrix >= threshold)
        expected = sorted((int(t_ids[r]), int(p_ids[c])) for r, c in zip(rows, cols))
        assert match_instances(true, pred, threshold) == expected


def test_match_overlaps_reuses_one_overlap_computation():
    true = np.array([[1, 1, 1, 0, 2, 2]])
    pred = np.array([[4, 4, 0, 0, 6, 6]])
    ov = label_overlaps(true, pred)
    assert match_overlaps(ov, 0.5).pairs() == match_labels(true, pred, 0.5).pairs() == [(1, 4), (2, 6)]
    assert match_overlaps(ov, 0.9).pairs() == [(2, 6)]


def test_matching_reports_the_iou_of_each_pair_for_linking_frames():
    frame0 = np.zeros((10, 10), int)
    frame0[2:8, 1:9] = 4                      # one cell
    frame1 = np.zeros((10, 10), int)
    frame1[2:8, 1:5] = 7                      # it divided into two halves
    frame1[2:8, 5:9] = 8
    m = match_labels(frame0, frame1, threshold=0.5)
    assert m.pairs() in ([(4, 7)], [(4, 8)]) and m.ious.tolist() == [0.5]
    ov = label_overlaps(frame0, frame1)
    assert ov.rows.tolist() == [0, 0]         # the mother overlaps both daughters
    assert ov.intersections.tolist() == [24, 24]


# --- scores -------------------------------------------------------------------------

def test_matching_scores_by_hand():
    true = np.array([[1, 1, 1, 0, 2, 2, 0, 3, 0, 0]])
    pred = np.array([[5, 5, 0, 0, 6, 6, 6, 0, 8, 9]])
    s = matching_scores(true, pred, threshold=0.5)
    assert isinstance(s, MatchingScores)
    assert (s.tp, s.fp, s.fn, s.n_true, s.n_pred, s.count_error) == (2, 2, 1, 3, 4, 1)
    assert s.precision == 2 / 4 and s.recall == 2 / 3
    assert s.f1 == pytest.approx(4 / 7)
    assert s.mean_matched_iou == pytest.approx(2 / 3)
    assert s.threshold == 0.5


@pytest.mark.parametrize(
    "true, pred, expected",
    [
        # (tp, fp, fn, precision, recall, f1, mean_matched_iou, count_error)
        (np.zeros((4, 4), int), np.zeros((4, 4), int), (0, 0, 0, 1.0, 1.0, 1.0, 0.0, 0)),
        (np.zeros((4, 4), int), np.eye(4, dtype=int), (0, 1, 0, 0.0, 0.0, 0.0, 0.0, 1)),
        (np.eye(4, dtype=int), np.zeros((4, 4), int), (0, 0, 1, 0.0, 0.0, 0.0, 0.0, -1)),
        (np.eye(4, dtype=int), np.fliplr(np.eye(4, dtype=int)) * 2, (0, 1, 1, 0.0, 0.0, 0.0, 0.0, 0)),
    ],
    ids=["both-empty", "true-empty", "pred-empty", "nothing-matches"],
)
def test_scores_of_empty_and_unmatched_cases(true, pred, expected):
    s = matching_scores(true, pred)
    assert (s.tp, s.fp, s.fn, s.precision, s.recall, s.f1, s.mean_matched_iou, s.count_error) == expected


def test_f1_at_is_the_f1_of_the_matching():
    rng = np.random.default_rng(3)
    true = ndi.label(rng.random((25, 25)) < 0.55)[0]
    pred = ndi.label(np.roll(true > 0, 1, axis=1))[0]
    for threshold in (0.3, 0.5, 0.7):
        f1 = f1_at(true, pred, threshold)
        s = matching_scores(true, pred, threshold)
        assert type(f1) is float
        assert f1 == s.f1 == pytest.approx(2 * s.tp / (2 * s.tp + s.fp + s.fn))
    assert f1_at(np.zeros((2, 2), int), np.zeros((2, 2), int)) == 1.0
    assert f1_at(np.ones((2, 2), int), np.zeros((2, 2), int)) == 0.0


def test_precision_recall_by_hand():
    # true 1 found, true 2 found by a half-size object (IoU exactly 0.5), true 3 missed, pred 9 invented
    true = np.array([[1, 1, 1, 0, 2, 2, 0, 3, 0, 0]])
    pred = np.array([[5, 5, 5, 0, 6, 0, 0, 0, 0, 9]])
    precision, recall = precision_recall(true, pred)
    assert (type(precision), type(recall)) == (float, float)
    assert (precision, recall) == (2 / 3, 2 / 3)
    assert precision_recall(true, pred, threshold=0.6) == (1 / 3, 1 / 3)


@pytest.mark.parametrize("seed", range(5))
def test_precision_recall_are_those_of_the_matching(seed):
    rng = np.random.default_rng(seed)
    true = ndi.label(rng.random((25, 30)) < 0.55)[0]
    pred = ndi.label(np.roll(true > 0, 1, axis=0) & (rng.random((25, 30)) < 0.9))[0]
    for threshold in (0.3, 0.5, 0.8):
        s = matching_scores(true, pred, threshold)
        assert precision_recall(true, pred, threshold) == (s.precision, s.recall)
        if s.tp:
            assert (s.precision, s.recall) == (s.tp / s.n_pred, s.tp / s.n_true)


@pytest.mark.parametrize(
    "true, pred, expected",
    [
        (np.zeros((3, 3), int), np.zeros((3, 3), int), (1.0, 1.0)),
        (np.zeros((3, 3), int), np.eye(3, dtype=int), (0.0, 0.0)),
        (np.eye(3, dtype=int), np.zeros((3, 3), int), (0.0, 0.0)),
    ],
    ids=["both-empty", "true-empty", "pred-empty"],
)
def test_precision_recall_of_empty_images(true, pred, expected):
    assert precision_recall(true, pred) == expected


def test_scores_over_thresholds_equal_the_single_threshold_scores():
    rng = np.random.default_rng(4)
    true = ndi.label(rng.random((30, 30)) < 0.55)[0]
    pred = ndi.label(np.roll(true > 0, (1, 1), axis=(0, 1)) | (rng.random((30, 30)) < 0.05))[0]
    thresholds = [0.9, 0.1, 0.5]
    scores = scores_over_thresholds(true, pred, thresholds)
    assert scores == [matching_scores(true, pred, t) for t in thresholds]
    default = scores_over_thresholds(true, pred)
    assert [s.threshold for s in default] == list(DEFAULT_THRESHOLDS)
    tps = [s.tp for s in default]
    assert tps == sorted(tps, reverse=True)   # a higher threshold never matches more


# --- errors -----------------------------------------------------------------------

LABEL_FUNCTIONS = {
    "iou_matrix": iou_matrix,
    "label_overlaps": label_overlaps,
    "match_labels": match_labels,
    "match_instances": match_instances,
    "matching_scores": matching_scores,
    "scores_over_thresholds": scores_over_thresholds,
    "f1_at": f1_at,
    "precision_recall": precision_recall,
}
label_functions = pytest.mark.parametrize("function", LABEL_FUNCTIONS.values(), ids=LABEL_FUNCTIONS.keys())
THRESHOLD_FUNCTIONS = {name: f for name, f in LABEL_FUNCTIONS.items() if name in ("match_labels", "match_instances", "matching_scores", "f1_at", "precision_recall")}
threshold_functions = pytest.mark.parametrize("function", THRESHOLD_FUNCTIONS.values(), ids=THRESHOLD_FUNCTIONS.keys())
GOOD = np.array([[0, 1], [2, 2]])


@label_functions
def test_label_images_of_different_shapes_are_rejected_naming_both(function):
    with pytest.raises(ValueError, match=r"`true_labels` and `pred_labels` must have the same shape; got \(2, 2\) and \(2, 3\)"):
        function(GOOD, np.zeros((2, 3), int))


@label_functions
def test_float_label_image_is_rejected(function):
    with pytest.raises(TypeError, match="`pred_labels` must be an integer label image; got dtype float64"):
        function(GOOD, GOOD.astype(float))


@label_functions
def test_negative_labels_are_rejected(function):
    with pytest.raises(ValueError, match="`true_labels` must not hold negative labels"):
        function(GOOD - 1, GOOD)


@label_functions
def test_rgb_label_image_is_rejected(function):
    with pytest.raises(ValueError, match="`true_labels` must be a 2-D label image.*RGB"):
        function(np.zeros((4, 4, 3), int), np.zeros((4, 4, 3), int))


@label_functions
def test_list_instead_of_label_image_is_rejected(function):
    with pytest.raises(TypeError, match="`true_labels` must be a NumPy array"):
        function([[0, 1], [2, 2]], GOOD)


@threshold_functions
@pytest.mark.parametrize("threshold, error, message", [
    (0, ValueError, "must be greater than 0.0; got 0.0"),
    (-0.5, ValueError, "must be greater than 0.0"),
    (1.5, ValueError, "must be at most 1.0; got 1.5"),
    (float("nan"), ValueError, "must be finite"),
    ("0.5", TypeError, "must be a number; got str"),
])
def test_bad_threshold_is_rejected(function, threshold, error, message):
    with pytest.raises(error, match=f"`threshold` {message}"):
        function(GOOD, GOOD, threshold)


def test_match_overlaps_rejects_a_bad_threshold_and_label_images():
    with pytest.raises(ValueError, match="`threshold` must be at most 1.0"):
        match_overlaps(label_overlaps(GOOD, GOOD), 2)
    with pytest.raises(TypeError, match="`overlaps` must be a LabelOverlaps.*label_overlaps"):
        match_overlaps(GOOD, 0.5)


@pytest.mark.parametrize("thresholds, error, message", [
    (0.5, TypeError, "`thresholds` must be a sequence of numbers.*For one threshold use matching_scores"),
    (np.float64(0.5), TypeError, "`thresholds` must be a sequence"),
    (None, TypeError, "`thresholds` must be a sequence of numbers; got NoneType"),
    ([], ValueError, "`thresholds` is empty"),
    ([0.5, 1.2], ValueError, r"`thresholds\[1\]` must be at most 1.0"),
    ([0.5, "x"], TypeError, r"`thresholds\[1\]` must be a number"),
])
def test_bad_thresholds_are_rejected(thresholds, error, message):
    with pytest.raises(error, match=message):
        scores_over_thresholds(GOOD, GOOD, thresholds)


def test_numpy_thresholds_are_accepted():
    assert [s.tp for s in scores_over_thresholds(GOOD, GOOD, np.array([0.5, 1.0]))] == [2, 2]
    assert f1_at(GOOD, GOOD, np.float32(0.5)) == 1.0


# --- agreement with stardist.matching ---------------------------------------------
#
# A seeded set of label image pairs of every kind the course meets, and some
# it should never meet; stardist must count the same tp, fp and fn and the same
# mean matched IoU (it keeps IoUs in float32, hence the tolerance). The pairs
# themselves may differ only where two matchings are exactly as good (equal
# areas in the "blocks" cases): then both have the same number of pairs and
# the same mean IoU, which is what is compared.

AGREEMENT_THRESHOLDS = (0.1, 0.3, 0.5, 0.7, 0.9)
CASES_PER_KIND = 50


def _voronoi(shape, seeds, limit):
    grid = np.ones(shape, bool)
    grid[seeds[:, 0], seeds[:, 1]] = False
    distance, (rows, cols) = ndi.distance_transform_edt(grid, return_indices=True)
    ids = np.zeros(shape, np.int64)
    ids[seeds[:, 0], seeds[:, 1]] = np.arange(1, len(seeds) + 1)
    labels = ids[rows, cols]
    labels[distance > limit] = 0
    return labels


def case_tessellation(rng):
    """Touching irregular cells; the prediction jitters, drops, adds and resizes them."""
    h, w = (int(v) for v in rng.integers(24, 96, 2))
    n = int(rng.integers(2, 30))
    seeds = np.unique(np.column_stack([rng.integers(0, h, n), rng.integers(0, w, n)]), axis=0)
    spacing = np.sqrt(h * w / len(seeds))
    true = _voronoi((h, w), seeds, rng.uniform(0.4, 1.5) * spacing)
    keep = rng.random(len(seeds)) > 0.15
    moved = seeds[keep] + rng.normal(0, rng.uniform(0, 0.3) * spacing, (keep.sum(), 2))
    extra = rng.integers(0, [h, w], (int(rng.integers(0, 4)), 2))
    moved = np.unique(np.clip(np.rint(np.vstack([moved, extra])), 0, [h - 1, w - 1]).astype(int), axis=0)
    pred = _voronoi((h, w), moved, rng.uniform(0.4, 1.5) * spacing) if len(moved) else np.zeros((h, w), int)
    return true, pred


def _disks(shape, disks):
    labels = np.zeros(shape, np.int64)
    for k, (r, c, radius) in enumerate(disks, 1):
        labels[disk((r, c), radius, shape=shape)] = k
    return labels


def case_disks(rng):
    """Disks that touch and overlap; predicted ones shifted, resized, missing, or two merged."""
    n = int(rng.integers(1, 15))
    disks = np.column_stack([rng.uniform(0, 64, n), rng.uniform(0, 64, n), rng.uniform(3, 12, n)])
    moved = disks.copy()
    moved[:, :2] += rng.normal(0, rng.uniform(0, 4), (n, 2))
    moved[:, 2] *= rng.uniform(0.7, 1.3, n)
    moved = moved[rng.random(n) > 0.2]
    if n > 1 and rng.random() < 0.5:
        i, j = rng.choice(n, 2, replace=False)
        centre = (disks[i, :2] + disks[j, :2]) / 2
        merged = [*centre, np.hypot(*(disks[i, :2] - disks[j, :2])) / 2 + disks[i, 2]]
        moved = np.vstack([moved, merged])
    rng.shuffle(moved)
    return _disks((64, 64), disks), _disks((64, 64), moved)


def case_nested(rng):
    """Objects inside objects; predicted filled in, shifted, or the other way round."""
    true = np.zeros((64, 64), np.int64)
    k = 1
    for _ in range(rng.integers(1, 4)):
        r, c, radius = rng.uniform(10, 54), rng.uniform(10, 54), rng.uniform(6, 20)
        true[disk((r, c), radius, shape=true.shape)] = k
        k += 1
        for _ in range(rng.integers(0, 4)):
            inner = radius * rng.uniform(0.1, 0.6)
            angle, distance = rng.uniform(0, 2 * np.pi), rng.uniform(0, radius - inner)
            true[disk((r + distance * np.sin(angle), c + distance * np.cos(angle)), inner, shape=true.shape)] = k
            k += 1
    mode = rng.integers(3)
    if mode == 0:
        return true, ndi.label(ndi.binary_fill_holes(true > 0))[0]
    if mode == 1:
        return true, np.roll(true, tuple(rng.integers(-3, 4, 2)), axis=(0, 1))
    return ndi.label(true > 0)[0], true


def case_blocks(rng):
    """Blocky labels: many objects of equal areas, so exact ties (0.5 included)."""
    size = int(rng.integers(2, 5))
    n = int(rng.integers(2, 7))
    small = rng.integers(0, n, (int(rng.integers(2, 8)), int(rng.integers(2, 8))))
    changed = small.copy()
    flip = rng.random(small.shape) < rng.uniform(0, 0.6)
    changed[flip] = rng.integers(0, n, flip.sum())
    block = np.ones((size, size), int)
    return np.kron(small, block), np.kron(changed, block)


def case_noise(rng):
    """Pixel noise: objects in scattered pieces, many small overlaps."""
    shape = tuple(int(v) for v in rng.integers(3, 12, 2))
    n = int(rng.integers(2, 8))
    return rng.integers(0, n, shape), rng.integers(0, n, shape)


def case_halves(rng):
    """One object is the union of two equal others: IoU exactly 0.5 twice."""
    w = int(rng.integers(2, 6)) * 2
    true = np.zeros((8, w), int)
    true[2:5, : w // 2] = 1
    true[2:5, w // 2:] = 2
    pred = np.zeros((8, w), int)
    pred[2:5] = 3
    if rng.random() < 0.5:
        true, pred = pred, true
    if rng.random() < 0.5:
        pred[6:8, 1:3] = 9
        true[6:8, 1:2] = 4
    return true, pred


def case_empty(rng):
    """Both images empty, or one of them."""
    shape = tuple(int(v) for v in rng.integers(4, 20, 2))
    empty, other = np.zeros(shape, int), rng.integers(0, 4, shape)
    return [(empty, empty.copy()), (empty, other), (other, empty)][rng.integers(3)]


CASE_KINDS = {f.__name__[5:]: f for f in (case_tessellation, case_disks, case_nested, case_blocks, case_noise, case_halves, case_empty)}


def agreement_cases(kind):
    rng = np.random.default_rng(sum(map(ord, kind)))
    for _ in range(CASES_PER_KIND):
        true, pred = CASE_KINDS[kind](rng)
        dtype = DTYPES[rng.integers(len(DTYPES))]
        yield scatter_labels(true, rng, dtype), scatter_labels(pred, rng, dtype)


@pytest.fixture(scope="module")
def stardist_matching():
    try:
        from stardist.matching import matching
    except ImportError as error:
        if os.environ.get("CI"):
            pytest.fail(f"stardist is needed for the agreement test in CI; `make setup-dev` (or `make test`) installs it from requirements-dev.txt ({error})")
        pytest.skip(f"stardist cannot be imported ({error}); `make setup-dev` (or `make test`) installs it from requirements-dev.txt")
    return matching


@pytest.mark.parametrize("kind", CASE_KINDS)
def test_matching_agrees_with_stardist(kind, stardist_matching):
    disagreements = []
    n_matched = 0
    for index, (true, pred) in enumerate(agreement_cases(kind)):
        theirs = stardist_matching(true, pred, thresh=AGREEMENT_THRESHOLDS, report_matches=True)
        overlaps = label_overlaps(true, pred)
        for threshold, their in zip(AGREEMENT_THRESHOLDS, theirs):
            ours = match_overlaps(overlaps, threshold)
            scores = matching_scores(true, pred, threshold)
            their_pairs = sorted(their.matched_pairs[i] for i in their.matched_tps)
            n_matched += ours.tp
            same = (
                (scores.tp, scores.fp, scores.fn) == (their.tp, their.fp, their.fn)
                and abs(scores.mean_matched_iou - their.mean_matched_score) < 1e-6
                and (scores.n_true, scores.n_pred) == (their.n_true, their.n_pred)
            )
            if scores.n_true or scores.n_pred:   # both empty: the course's F1 is 1, stardist's 0
                same = same and all(
                    abs(getattr(scores, name) - getattr(their, name)) < 1e-12 for name in ("precision", "recall", "f1")
                )
            if not same:
                disagreements.append(
                    f"case {index} ({true.dtype}) at {threshold}: ours tp/fp/fn {scores.tp}/{scores.fp}/{scores.fn} "
                    f"mean IoU {scores.mean_matched_iou:.6f} pairs {ours.pairs()}; stardist {their.tp}/{their.fp}/{their.fn} "
                    f"{float(their.mean_matched_score):.6f} {their_pairs}"
                )
    assert not disagreements, f"{len(disagreements)} disagreements with stardist:\n" + "\n".join(disagreements[:10])
    if kind != "empty":
        assert n_matched > 0, "the cases of this kind never match anything: they test nothing"


# --- seg_score (the Cell Tracking Challenge's SEG) ---------------------------------

def brute_seg(trues, preds):
    """SEG as the challenge defines it, one true object at a time."""
    scores = []
    for true, pred in zip(trues, preds):
        for t in [v for v in np.unique(true) if v != 0]:
            r = true == t
            best = 0.0
            for p in [v for v in np.unique(pred) if v != 0]:
                s = pred == p
                if np.count_nonzero(r & s) > np.count_nonzero(r) / 2:
                    best = np.count_nonzero(r & s) / np.count_nonzero(r | s)
            scores.append(best)
    return float(np.mean(scores)) if scores else float("nan")


@pytest.mark.parametrize("true, pred, expected", [
    # identical objects under other names
    ([[1, 1, 0, 2, 2]], [[7, 7, 0, 9, 9]], 1.0),
    # a blob merging two cells of 3 px: covers all of one (IoU 3/7) and 1 px of the other (no match)
    ([[1, 1, 1, 0, 2, 2, 2]], [[5, 5, 5, 5, 5, 0, 0]], (3 / 5 + 0) / 2),
    # exactly half covered is not more than half: no match
    ([[1, 1, 1, 1]], [[3, 3, 0, 0]], 0.0),
    # one pixel more than half: matched, IoU 3/4
    ([[1, 1, 1, 1]], [[3, 3, 3, 0]], 3 / 4),
    # debris (8) costs nothing; a prediction larger than the cell still matches
    ([[0, 1, 1, 0, 0, 0]], [[4, 4, 4, 0, 0, 8]], 2 / 3),
    # no prediction at all
    ([[1, 1, 0, 2]], [[0, 0, 0, 0]], 0.0),
    # no background anywhere: one blob covers more than half of both cells, and scores for each
    ([[1, 1, 2, 2]], [[3, 3, 3, 3]], 0.5),
    ([[1, 1, 1, 2]], [[3, 3, 3, 3]], (3 / 4 + 1 / 4) / 2),
])
def test_seg_by_hand(true, pred, expected):
    true, pred = np.array(true), np.array(pred)
    assert seg_score(true, pred) == pytest.approx(expected)
    assert seg_score(true, pred) == pytest.approx(brute_seg([true], [pred]))


@pytest.mark.parametrize("seed", range(12))
def test_seg_agrees_with_the_definition_on_random_label_images(seed):
    rng = np.random.default_rng(seed)
    dtype = DTYPES[seed % len(DTYPES)]
    true = scatter_labels(ndi.label(random_mask(rng, (14, 17), 0.55))[0], rng, dtype)
    pred = scatter_labels(ndi.label(random_mask(rng, (14, 17), 0.55))[0], rng, dtype)
    assert seg_score(true, pred) == pytest.approx(brute_seg([true], [pred]), abs=1e-12)


@pytest.mark.parametrize("seed", range(8))
def test_seg_properties(seed):
    rng = np.random.default_rng(100 + seed)
    true = ndi.label(random_mask(rng, (16, 16), 0.5))[0]
    pred = ndi.label(random_mask(rng, (16, 16), 0.5))[0]
    value = seg_score(true, pred)
    assert 0.0 <= value <= 1.0
    assert seg_score(true, scatter_labels(true, rng, np.uint16)) == 1.0, "1 on the same objects under any ids"
    # predicted objects that touch no true object (extra debris) never change SEG
    outside = np.where((true == 0) & (pred == 0) & (rng.random(pred.shape) < 0.3), 5000, pred)
    assert seg_score(true, outside) == pytest.approx(value)
    # SEG is at most the mean IoU of the best partner of each true object
    best = iou_matrix(true, pred).max(axis=1, initial=0)
    assert value <= best.mean() + 1e-12


def test_seg_credits_a_merge_that_f1_counts_as_two_errors():
    true = np.zeros((10, 40), int)
    true[2:8, 2:22] = 1               # a long cell
    true[2:8, 23:31] = 2              # its short sister
    merged = np.where(true > 0, 9, 0)
    merged[2:8, 22] = 9               # one blob over both
    # F1: the blob matches the long cell only (IoU 120/174); the sister is a false negative
    assert f1_at(true, merged) == pytest.approx(2 / 3)
    # SEG: the blob covers all of each cell, so both score their IoU with it
    assert seg_score(true, merged) == pytest.approx((120 / 174 + 48 / 174) / 2)


def test_seg_pools_frames_over_their_true_objects():
    one = np.array([[1, 1, 0, 2, 2]])
    three = np.array([[1, 0, 2, 0, 3]])
    assert seg_score([one, three], [one, np.zeros_like(three)]) == pytest.approx(2 / 5)
    assert seg_score((one,), (one,)) == 1.0
    stack = np.stack([one, np.zeros_like(three)])
    assert seg_score(np.stack([one, three]), stack) == pytest.approx(2 / 5), "a (T, H, W) stack is a sequence"
    assert np.isnan(seg_score(np.zeros((2, 2), int), np.zeros((2, 2), int)))


@pytest.mark.parametrize("true, pred, error, match", [
    (np.zeros((2, 2)), np.zeros((2, 2), int), TypeError, "`true_labels` must be an integer label image"),
    (np.zeros((2, 2), int), np.zeros((2, 3), int), ValueError, "`true_labels` and `pred_labels` must have the same shape"),
    (np.zeros((2, 2, 2, 2), int), np.zeros((2, 2, 2, 2), int), ValueError, "true_labels"),
    (np.zeros((2, 2, 2), int), np.zeros((2, 2), int), ValueError, "true_labels"),
    ([np.zeros((2, 2), int)], [np.zeros((2, 2), int)] * 2, ValueError, "must hold as many images; got 1 and 2"),
    ([], [], ValueError, "empty sequences"),
    ([np.zeros((2, 2), int)], [np.zeros((2, 2), float)], TypeError, r"`pred_labels\[0\]` must be an integer"),
    (3, 4, TypeError, "must be label images"),
])
def test_seg_rejects_bad_input_naming_the_argument(true, pred, error, match):
    with pytest.raises(error, match=match):
        seg_score(true, pred)
