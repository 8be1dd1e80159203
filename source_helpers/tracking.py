"""Tracking cells through a time-lapse: counts per frame, growth fits, frame-to-frame links, divisions, lineages.

``count_per_frame``, ``fit_doubling_time``, ``link_frames`` and
``find_divisions`` are the reference answers of chapter 08's exercises;
``track_cells`` builds whole tracks and their lineage from them,
``write_ctc`` and ``read_ctc`` exchange them in the Cell Tracking
Challenge's format, and ``elongation_rate`` fits a cell's growth. Links are one-to-one at
IoU >= 0.5, chapter 07's matching; a division is a cell of one frame that
covers most of each of two cells of the next. tests/test_tracking.py checks
them against simulated colonies whose lineage is known
(``synthetic.simulate_colony``).
"""

import re
from pathlib import Path

import numpy as np
import tifffile
from scipy import optimize, stats

from ._validation import _describe, check_folder, check_label_stack, check_number
from .exercises import reference

__all__ = ["count_per_frame", "fit_doubling_time", "link_frames", "find_divisions", "track_cells", "write_ctc",
           "read_ctc", "elongation_rate"]


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


def _compact(values):
    """Labels as small consecutive ints (0 stays 0) and the ids they stand for, if the ids are large."""
    top = int(values.max(initial=0))
    if top <= 4 * values.size + (1 << 16):
        return values, None
    ids, inverse = np.unique(values, return_inverse=True)
    if ids[0] != 0:
        ids, inverse = np.concatenate([[0], ids]), inverse + 1
    return inverse.reshape(values.shape), ids


def _overlaps(prev_labels, next_labels):
    """Sparse overlaps of two label images: ``(keys, counts, area_a, area_b)``.

    ``keys`` is a (2, K) array of the overlapping ``(prev, next)`` label pairs,
    sorted, and ``counts`` their pixels in common; ``area_a`` and ``area_b``
    map each label to its area. One pass of ``np.bincount`` or ``np.unique``
    over 1-D keys, never a loop over labels.
    """
    a = np.asarray(prev_labels).ravel().astype(np.int64, copy=False)
    b = np.asarray(next_labels).ravel().astype(np.int64, copy=False)
    a, ids_a = _compact(a)
    b, ids_b = _compact(b)
    span = int(b.max(initial=0)) + 1
    both = (a > 0) & (b > 0)
    pair_keys = a[both] * span + b[both]
    if (int(a.max(initial=0)) + 1) * span <= 4 * a.size:   # few labels: count every possible pair at once
        counts = np.bincount(pair_keys)
        pair_keys = np.flatnonzero(counts)
        counts = counts[pair_keys]
    else:
        pair_keys, counts = np.unique(pair_keys, return_counts=True)
    keys = np.stack([pair_keys // span, pair_keys % span])
    areas = []
    for values, ids in ((a, ids_a), (b, ids_b)):
        sizes = np.bincount(values)
        present = np.flatnonzero(sizes)
        present = present[present > 0]
        areas.append(dict(zip((present if ids is None else ids[present]).tolist(), sizes[present].tolist())))
    if ids_a is not None:
        keys[0] = ids_a[keys[0]]
    if ids_b is not None:
        keys[1] = ids_b[keys[1]]
    return keys, counts, areas[0], areas[1]


def _links(overlaps, threshold):
    """One-to-one links at IoU >= ``threshold``, as many as possible, sorted by prev label.

    At ``threshold >= 0.5`` a cell has at most one partner above the
    threshold, so taking pairs by decreasing IoU is already the matching with
    the most pairs. Below 0.5 it may not be (one large overlap can block two
    smaller ones): the pairs are then chosen by ``linear_sum_assignment``,
    most pairs first and the larger total IoU among those, as chapter 07's
    ``match_instances``.
    """
    keys, counts, area_a, area_b = overlaps
    if not counts.size:
        return []
    prev, nxt = keys
    size_a = np.array([area_a[p] for p in prev.tolist()], dtype=np.float64)
    size_b = np.array([area_b[n] for n in nxt.tolist()], dtype=np.float64)
    ious = counts / (size_a + size_b - counts)
    keep = ious >= threshold
    prev, nxt, ious = prev[keep], nxt[keep], ious[keep]
    if threshold < 0.5 and ious.size:
        rows, row_of = np.unique(prev, return_inverse=True)
        cols, col_of = np.unique(nxt, return_inverse=True)
        weights = np.zeros((rows.size, cols.size))
        weights[row_of, col_of] = (rows.size + cols.size) + ious      # one pair more outweighs any IoU
        chosen_rows, chosen_cols = optimize.linear_sum_assignment(weights, maximize=True)
        chosen = weights[chosen_rows, chosen_cols] > 0
        return sorted((int(rows[r]), int(cols[c])) for r, c in zip(chosen_rows[chosen], chosen_cols[chosen]))
    order = np.lexsort((nxt, prev, -ious))
    used_p, used_n, links = set(), set(), []
    for p, n in zip(prev[order].tolist(), nxt[order].tolist()):
        if p not in used_p and n not in used_n:
            used_p.add(p); used_n.add(n); links.append((int(p), int(n)))
    return sorted(links)


def _divisions(overlaps, min_overlap):
    """Divisions ``(parent, child_a, child_b)``: each child's best-overlapping cell, if it covers enough of it."""
    keys, counts, area_a, area_b = overlaps
    if not counts.size:
        return []
    prev, nxt = keys
    # For each next cell, the prev cell it shares most pixels with (the first such, by prev label).
    order = np.lexsort((prev, -counts, nxt))
    first = np.ones(order.size, dtype=bool)
    first[1:] = nxt[order][1:] != nxt[order][:-1]
    best = order[first]
    children = {}
    for p, n, inter in zip(prev[best].tolist(), nxt[best].tolist(), counts[best].tolist()):
        if inter / area_b[n] >= min_overlap:
            children.setdefault(p, []).append(n)
    return sorted((int(p), *sorted(int(c) for c in kids)) for p, kids in children.items() if len(kids) == 2)


@reference("08-timelapse")
def link_frames(prev_labels, next_labels, threshold=0.5):
    """One-to-one links ``(prev_label, next_label)`` at IoU >= ``threshold``, sorted by prev label.

    Examples
    --------
    >>> a = np.array([[1, 1, 0, 2, 2]]); b = np.array([[5, 5, 0, 0, 3]])
    >>> link_frames(a, b)
    [(1, 5), (2, 3)]
    """
    return _links(_overlaps(prev_labels, next_labels), threshold)


@reference("08-timelapse")
def find_divisions(prev_labels, next_labels, min_overlap=0.5):
    """Divisions ``(parent, child_a, child_b)``: parents from which exactly two cells come.

    Examples
    --------
    >>> a = np.array([[1, 1, 1, 1, 0]]); b = np.array([[2, 2, 3, 3, 0]])
    >>> find_divisions(a, b)
    [(1, 2, 3)]
    """
    return _divisions(_overlaps(prev_labels, next_labels), min_overlap)


# --- whole tracks (not exercises: they build on the references above) ---------------

def _paint(frame, mapping, out):
    """Write ``mapping[label]`` into ``out`` wherever ``frame`` holds ``label`` (0 stays 0)."""
    if not mapping:
        return
    keys = np.array(sorted(mapping), dtype=np.int64)
    values = np.array([mapping[k] for k in keys.tolist()], dtype=out.dtype)
    foreground = frame > 0
    out[foreground] = values[np.searchsorted(keys, frame[foreground])]


def _without(overlaps, prev_used, next_used):
    """The overlaps with the pairs that touch ``prev_used`` or ``next_used`` labels left out."""
    keys, counts, area_a, area_b = overlaps
    if not (prev_used or next_used) or not counts.size:
        return overlaps
    keep = ~(np.isin(keys[0], list(prev_used)) | np.isin(keys[1], list(next_used)))
    return keys[:, keep], counts[keep], area_a, area_b


@reference("08-timelapse", same_as="link_frames")
def track_cells(label_stack, *, threshold=0.5, min_overlap=0.5):
    """Tracks through a stack of label images and their lineage: who continues, who divides, who appears.

    Frame by frame, between frames ``t`` and ``t + 1``:

    1. divisions first, as ``find_divisions`` finds them: a cell of ``t``
       covering at least ``min_overlap`` of each of exactly two cells of
       ``t + 1``. Its track ends at ``t``; each daughter starts a new track
       whose parent it is;
    2. the other cells are linked one-to-one at IoU >= ``threshold``, as
       ``link_frames`` links them: a linked cell continues its track;
    3. every cell of ``t + 1`` left over starts a new track with no parent.

    Overlaps are counted sparsely (one ``np.unique`` over the pixels the two
    frames share), so a movie of 100 frames of 500 cells takes seconds.

    Parameters
    ----------
    label_stack : ndarray of int, shape (T, H, W)
        One label image per frame, 0 for background; labels need not be
        linked or consecutive.
    threshold : float, optional
        Smallest IoU of a link, in (0, 1]. Default 0.5.
    min_overlap : float, optional
        Smallest share of a daughter that its parent must cover, in (0, 1].
        Default 0.5.

    Returns
    -------
    tracks : ndarray of int32, shape (T, H, W)
        The same cells, each labelled with its track id (1, 2, ... in the
        order the tracks start): labels linked through time.
    lineage : ndarray of int64, shape (n_tracks, 4)
        One row per track, ``(track_id, first_frame, last_frame, parent)``,
        sorted by track id; ``parent`` is 0 for a track that does not come
        from a division. The format of ``simulate_colony``'s lineage and of
        the Cell Tracking Challenge's ``res_track.txt``.

    Raises
    ------
    TypeError
        If ``label_stack`` is not an integer array or an option not a number.
    ValueError
        If ``label_stack`` is not 3-D or holds negative labels, or an option
        is not in (0, 1].

    Notes
    -----
    A rod that moves sideways by a third of its width between frames is at
    IoU 0.5; further, its track breaks in two (the second part with no
    parent). ``simulate_colony``'s cells are pushed about by their
    neighbours that much often enough that, on 20 frames, the default
    threshold gives about 40 % more tracks than there are cells, while
    ``threshold=0.3`` comes within a few percent; the divisions are found
    either way.
    There is no gap closing: a cell missing from one frame comes back as a
    new track.

    Examples
    --------
    A cell (label 1) moves right, then divides into labels 5 and 6; a cell
    (label 9) appears in the last frame:

    >>> stack = np.zeros((3, 1, 9), dtype=int)
    >>> stack[0, 0, 0:4] = 1
    >>> stack[1, 0, 1:5] = 1
    >>> stack[2, 0, 1:3] = 5; stack[2, 0, 3:5] = 6; stack[2, 0, 8] = 9
    >>> tracks, lineage = track_cells(stack)
    >>> tracks[:, 0]
    array([[1, 1, 1, 1, 0, 0, 0, 0, 0],
           [0, 1, 1, 1, 1, 0, 0, 0, 0],
           [0, 2, 2, 3, 3, 0, 0, 0, 4]], dtype=int32)
    >>> lineage.tolist()
    [[1, 0, 1, 0], [2, 2, 2, 1], [3, 2, 2, 1], [4, 2, 2, 0]]
    """
    stack = check_label_stack(label_stack, "label_stack")
    threshold = check_number(threshold, "threshold", minimum=0, maximum=1, strict_minimum=True)
    min_overlap = check_number(min_overlap, "min_overlap", minimum=0, maximum=1, strict_minimum=True)
    tracks = np.zeros(stack.shape, dtype=np.int32)
    rows = []

    def start(frame, parent):
        rows.append([len(rows) + 1, frame, frame, parent])
        return len(rows)

    first = np.unique(stack[0])
    track_of = {label: start(0, 0) for label in first[first > 0].tolist()}
    _paint(stack[0], track_of, tracks[0])
    for t in range(len(stack) - 1):
        overlaps = _overlaps(stack[t], stack[t + 1])
        following, parents = {}, set()
        for parent, *daughters in _divisions(overlaps, min_overlap):
            parents.add(parent)
            for daughter in daughters:
                following[daughter] = start(t + 1, track_of[parent])
        for p, n in _links(_without(overlaps, parents, set(following)), threshold):
            following[n] = track_of[p]
            rows[track_of[p] - 1][2] = t + 1
        for label in sorted(overlaps[3]):
            if label not in following:
                following[label] = start(t + 1, 0)
        _paint(stack[t + 1], following, tracks[t + 1])
        track_of = following
    return tracks, np.array(rows, dtype=np.int64).reshape(-1, 4)


def _check_lineage(lineage, name):
    lineage = np.asarray(lineage)
    if lineage.ndim != 2 or lineage.shape[1] != 4 or not (lineage.size == 0 or np.issubdtype(lineage.dtype, np.integer)):
        raise ValueError(f"`{name}` must be an (N, 4) integer array of rows (label, first_frame, last_frame, "
                         f"parent); got {_describe(lineage)}.")
    return lineage.astype(np.int64)


def _check_consistent(tracks, lineage, where):
    """Raise ValueError unless every labelled pixel of ``tracks`` lies within its lineage row's frames."""
    labels = lineage[:, 0].tolist()
    if len(set(labels)) != len(labels) or (lineage[:, 0] <= 0).any():
        raise ValueError(f"{where}: labels must be unique and positive; got {sorted(labels)[:10]}.")
    span = {label: (first, last) for label, first, last, _ in lineage.tolist()}
    for label, first, last, parent in lineage.tolist():
        if not 0 <= first <= last < len(tracks):
            raise ValueError(f"{where}: track {label} runs from frame {first} to {last}, outside frames 0 to "
                             f"{len(tracks) - 1}.")
        if parent and (parent not in span or span[parent][1] >= first):
            raise ValueError(f"{where}: track {label} (from frame {first}) has parent {parent}, which is not a "
                             "track that ends before it starts.")
    seen = {label: 0 for label in labels}
    for t, frame in enumerate(tracks):
        present = np.unique(frame)
        for label in present[present > 0].tolist():
            if label not in span:
                raise ValueError(f"{where}: label {label} is in frame {t} but has no row in the lineage.")
            first, last = span[label]
            if not first <= t <= last:
                raise ValueError(f"{where}: label {label} is in frame {t}, outside its frames {first} to {last} "
                                 "in the lineage.")
            seen[label] += 1
    for label, first, last, _ in lineage.tolist():
        if seen[label] != last - first + 1:
            raise ValueError(f"{where}: track {label} runs from frame {first} to {last} but is missing from "
                             f"{last - first + 1 - seen[label]} of those frames; a track must be in every frame "
                             "of its span (start a new track after a gap).")


def write_ctc(folder, tracks, lineage):
    """Write tracks in the Cell Tracking Challenge's result format: mask000.tif, ... and res_track.txt.

    Parameters
    ----------
    folder : str or pathlib.Path
        Where to write; made (with its parents) if missing. Files of the
        same names are overwritten.
    tracks : ndarray of int, shape (T, H, W)
        Track ids linked through time, as ``track_cells`` returns them, at
        most 65535 (the masks are 16-bit).
    lineage : ndarray of int, shape (N, 4)
        Rows ``(label, first_frame, last_frame, parent)``, one per track.

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    TypeError
        If ``folder`` is not a path or ``tracks`` not an integer array.
    ValueError
        If ``folder`` is a file, ``tracks`` is not 3-D or has labels above
        65535, or ``lineage`` is not (N, 4) or disagrees with ``tracks`` (a
        label without a row, present outside its frames or missing from one
        of them; a parent that is not a track ending before it starts), as
        the challenge's own validation would.

    Examples
    --------
    >>> import tempfile
    >>> tracks = np.zeros((2, 2, 3), dtype=int); tracks[:, 0, 0] = 1; tracks[1, 1, 2] = 2
    >>> lineage = np.array([[1, 0, 1, 0], [2, 1, 1, 0]])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_ctc(folder, tracks, lineage)
    ...     print(sorted(p.name for p in path.iterdir()))
    ...     print((path / "res_track.txt").read_text())
    ['mask000.tif', 'mask001.tif', 'res_track.txt']
    1 0 1 0
    2 1 1 0
    <BLANKLINE>
    """
    folder = check_folder(folder, "folder", must_exist=False)
    tracks = check_label_stack(tracks, "tracks")
    lineage = _check_lineage(lineage, "lineage")
    if tracks.max() > np.iinfo(np.uint16).max:
        raise ValueError(f"`tracks` must have labels up to 65535 (16-bit masks); its largest is {tracks.max()}.")
    _check_consistent(tracks, lineage, "`lineage` disagrees with `tracks`")
    folder.mkdir(parents=True, exist_ok=True)
    digits = max(3, len(str(len(tracks) - 1)))
    for t, frame in enumerate(tracks):
        tifffile.imwrite(folder / f"mask{t:0{digits}d}.tif", frame.astype(np.uint16))
    rows = lineage[np.argsort(lineage[:, 0], kind="stable")]
    (folder / "res_track.txt").write_text("".join(f"{l} {b} {e} {p}\n" for l, b, e, p in rows.tolist()))
    return folder


def read_ctc(folder):
    """Read tracks written in the Cell Tracking Challenge's result format (``write_ctc``'s inverse).

    Parameters
    ----------
    folder : str or pathlib.Path
        A folder with ``mask000.tif``, ``mask001.tif``, ... (numbered from
        0 without gaps; three or more digits) and ``res_track.txt`` (or
        ``man_track.txt``, the name of the challenge's ground truth).

    Returns
    -------
    tracks : ndarray of int32, shape (T, H, W)
    lineage : ndarray of int64, shape (N, 4)
        Rows ``(label, first_frame, last_frame, parent)`` sorted by label.

    Raises
    ------
    ValueError
        If the folder is missing, has no masks or no track file, the masks
        are not numbered 0, 1, ... or differ in shape, a line of the track
        file is not four whole numbers, or the track file disagrees with
        the masks.

    Examples
    --------
    >>> import tempfile
    >>> tracks = np.zeros((2, 2, 3), dtype=int); tracks[:, 0, 0] = 1; tracks[1, 1, 2] = 2
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     back, rows = read_ctc(write_ctc(folder, tracks, [[1, 0, 1, 0], [2, 1, 1, 0]]))
    >>> np.array_equal(back, tracks), rows.tolist()
    (True, [[1, 0, 1, 0], [2, 1, 1, 0]])

    A lineage that ends track 1 too early is refused, here already by ``write_ctc``:

    >>> with tempfile.TemporaryDirectory() as folder:
    ...     write_ctc(folder, tracks, [[1, 0, 0, 0], [2, 1, 1, 0]])
    Traceback (most recent call last):
    ...
    ValueError: `lineage` disagrees with `tracks`: label 1 is in frame 1, outside its frames 0 to 0 in the lineage.
    """
    folder = check_folder(folder, "folder")
    masks = {}
    for path in folder.iterdir():
        match = re.fullmatch(r"mask(\d{3,})\.tiff?", path.name)
        if match:
            masks[int(match.group(1))] = path
    if not masks:
        raise ValueError(f"`folder` {str(folder)!r} has no mask000.tif, mask001.tif, ...: not a CTC result folder.")
    if sorted(masks) != list(range(len(masks))):
        missing = sorted(set(range(max(masks) + 1)) - set(masks))
        raise ValueError(f"`folder` {str(folder)!r}: the masks must be numbered 0, 1, ... without gaps; "
                         f"missing frames {missing[:10]}.")
    track_file = next((folder / name for name in ("res_track.txt", "man_track.txt") if (folder / name).is_file()), None)
    if track_file is None:
        raise ValueError(f"`folder` {str(folder)!r} has masks but no res_track.txt (nor man_track.txt).")
    frames = [tifffile.imread(masks[t]) for t in range(len(masks))]
    shapes = {frame.shape for frame in frames}
    if len(shapes) != 1 or len(next(iter(shapes))) != 2:
        raise ValueError(f"`folder` {str(folder)!r}: the masks must be 2-D images of one shape; got shapes "
                         f"{sorted(shapes)}.")
    tracks = np.stack(frames).astype(np.int32)
    rows = []
    for number, line in enumerate(track_file.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split()
        if len(fields) != 4 or not all(re.fullmatch(r"-?\d+", f) for f in fields):
            raise ValueError(f"{track_file.name} line {number} must be four whole numbers 'L B E P'; got {line!r}.")
        rows.append([int(f) for f in fields])
    lineage = np.array(rows, dtype=np.int64).reshape(-1, 4)
    lineage = lineage[np.argsort(lineage[:, 0], kind="stable")]
    _check_consistent(tracks, lineage, f"{track_file.name} disagrees with the masks")
    return tracks, lineage


def elongation_rate(times, lengths):
    """Exponential elongation rate of one cell and its standard error: the slope of ln(length) against time.

    A cell that grows as ``L(t) = L0 * exp(rate * t)`` doubles its length in
    ``ln(2) / rate``; the rate is per unit of ``times`` (per frame, per
    minute, ...), whatever unit ``lengths`` are in.

    Parameters
    ----------
    times : array_like, shape (n,)
        When each length was measured; at least 3 points.
    lengths : array_like, shape (n,)
        The cell's lengths, all > 0.

    Returns
    -------
    rate, error : float
        Slope of the least-squares line of ln(length) against time, and its
        standard error.

    Raises
    ------
    ValueError
        If the two are not 1-D of one length, there are fewer than 3
        points, or a length is not > 0.

    Examples
    --------
    >>> t = np.arange(6.0); rate, error = elongation_rate(t, 2.5 * np.exp(0.1 * t))
    >>> round(rate, 6), round(error, 6)
    (0.1, 0.0)
    >>> round(float(np.log(2) / rate), 2)     # doubling time of its length, in frames
    6.93
    """
    return _fit_log(times, lengths, "lengths")
