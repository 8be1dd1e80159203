"""Tracking cells through a time-lapse: counts per frame, growth fits, frame-to-frame links, divisions.

The reference answers of chapter 08's exercises. Links are one-to-one at
IoU >= 0.5, chapter 07's matching; a division is a cell of one frame that
covers most of each of two cells of the next. tests/test_tracking.py checks
them against simulated colonies whose lineage is known
(``synthetic.simulate_colony``).
"""

import numpy as np
from scipy import stats

from .exercises import reference

__all__ = ["count_per_frame", "fit_doubling_time", "link_frames", "find_divisions"]


@reference("08-timelapse")
def count_per_frame(label_stack):
    """Number of distinct non-zero labels in each frame of a (T, H, W) label stack.

    Examples
    --------
    >>> stack = np.zeros((2, 3, 3), dtype=int); stack[1, 0, 0] = 4; stack[1, 2, 2] = 7
    >>> count_per_frame(stack)
    array([0, 2])
    """
    stack = np.asarray(label_stack)
    if stack.ndim != 3:
        raise ValueError(f"`label_stack` must be 3-D (T, H, W); got shape {stack.shape}.")
    return np.array([np.count_nonzero(np.unique(frame)) for frame in stack], dtype=np.int64)


def _fit_log(times, values, name):
    times = np.asarray(times, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    if times.shape != values.shape or times.ndim != 1:
        raise ValueError(f"`{name}` and `times` must be 1-D of the same length; got shapes {values.shape} and {times.shape}.")
    if values.size < 3:
        raise ValueError(f"`{name}` needs at least 3 points; got {values.size}.")
    if (values <= 0).any():
        raise ValueError(f"`{name}` must all be > 0 (their logarithm is fitted); got minimum {values.min()}.")
    fit = stats.linregress(times, np.log(values))
    return float(fit.slope), float(fit.stderr)


@reference("08-timelapse")
def fit_doubling_time(times, counts):
    """Doubling time and its standard error from a least-squares line of ln(count) against time.

    Examples
    --------
    >>> t = np.arange(5); doubling, error = fit_doubling_time(t, 2.0 ** (t / 2))
    >>> round(doubling, 6)
    2.0
    """
    slope, stderr = _fit_log(times, counts, "counts")
    if slope <= 0:
        raise ValueError(f"`counts` do not grow: the fitted slope of ln(count) is {slope:g}.")
    return float(np.log(2) / slope), float(np.log(2) * stderr / slope**2)


def _overlaps(prev_labels, next_labels):
    a = np.asarray(prev_labels).ravel().astype(np.int64)
    b = np.asarray(next_labels).ravel().astype(np.int64)
    pairs = (a > 0) & (b > 0)
    keys, counts = np.unique(np.stack([a[pairs], b[pairs]]), axis=1, return_counts=True)
    la, ca = np.unique(a[a > 0], return_counts=True)
    lb, cb = np.unique(b[b > 0], return_counts=True)
    area_a = dict(zip(la.tolist(), ca.tolist()))
    area_b = dict(zip(lb.tolist(), cb.tolist()))
    return keys, counts, area_a, area_b


@reference("08-timelapse")
def link_frames(prev_labels, next_labels, threshold=0.5):
    """One-to-one links ``(prev_label, next_label)`` at IoU >= ``threshold``, sorted by prev label.

    Examples
    --------
    >>> a = np.array([[1, 1, 0, 2, 2]]); b = np.array([[5, 5, 0, 0, 3]])
    >>> link_frames(a, b)
    [(1, 5), (2, 3)]
    """
    keys, counts, area_a, area_b = _overlaps(prev_labels, next_labels)
    candidates = []
    for (p, n), inter in zip(keys.T.tolist(), counts.tolist()):
        iou = inter / (area_a[p] + area_b[n] - inter)
        if iou >= threshold:
            candidates.append((-iou, p, n))
    used_p, used_n, links = set(), set(), []
    for _, p, n in sorted(candidates):
        if p not in used_p and n not in used_n:
            used_p.add(p); used_n.add(n); links.append((int(p), int(n)))
    return sorted(links)


@reference("08-timelapse")
def find_divisions(prev_labels, next_labels, min_overlap=0.5):
    """Divisions ``(parent, child_a, child_b)``: parents from which exactly two cells come.

    Examples
    --------
    >>> a = np.array([[1, 1, 1, 1, 0]]); b = np.array([[2, 2, 3, 3, 0]])
    >>> find_divisions(a, b)
    [(1, 2, 3)]
    """
    keys, counts, area_a, area_b = _overlaps(prev_labels, next_labels)
    best = {}
    for (p, n), inter in zip(keys.T.tolist(), counts.tolist()):
        if inter > best.get(n, (0, 0))[0]:
            best[n] = (inter, p)
    children = {}
    for n, (inter, p) in best.items():
        if inter / area_b[n] >= min_overlap:
            children.setdefault(p, []).append(n)
    return sorted((int(p), *sorted(int(c) for c in kids)) for p, kids in children.items() if len(kids) == 2)
