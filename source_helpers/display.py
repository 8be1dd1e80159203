"""Figures for the notebooks: images with titles and colorbars, label images, overlaps, tracks and lineages.

The only module of the package that imports matplotlib. Every function
draws with ``interpolation="nearest"`` (a pixel stays a square, however small
the image) and returns the axes it drew on, so a notebook can add to them.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from ._validation import (
    _describe,
    check_2d,
    check_2d_or_3d,
    check_array,
    check_binary,
    check_int,
    check_label_stack,
    check_labels,
    check_number,
    check_same_shape,
)

__all__ = ["show_image", "show_images", "show_labels", "label_colormap", "show_overlap", "show_matches",
           "OVERLAP_COLOURS", "show_lineage", "show_tracks", "animate_stack"]

#: RGB colours of ``show_overlap`` and ``show_matches``: magenta for the first (true) mask, green for
#: the second (predicted) one, white where both are. Magenta and green stay apart for colour-blind readers.
OVERLAP_COLOURS = {"first": (1.0, 0.0, 1.0), "second": (0.0, 0.8, 0.0), "both": (1.0, 1.0, 1.0)}


def _axes(ax, figsize=(4, 4)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def show_image(image, *, title=None, cmap="viridis", colorbar=True, ax=None, **imshow_kwargs):
    """Show one 2-D or RGB image; returns the axes.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (H, W, 3|4)
        The image. Grayscale images get ``cmap`` and a colorbar.
    title : str, optional
        Axes title.
    cmap : str, optional
        Colormap for grayscale images (default ``"viridis"``, perceptually uniform).
    colorbar : bool, optional
        Draw a colorbar for grayscale images (default True).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.
    **imshow_kwargs
        Passed on to ``Axes.imshow`` (e.g. ``vmin``, ``vmax``).
    """
    check_2d_or_3d(image, "image")
    ax = _axes(ax)
    imshow_kwargs.setdefault("interpolation", "nearest")
    grayscale = image.ndim == 2
    shown = ax.imshow(image, cmap=cmap if grayscale else None, **imshow_kwargs)
    if grayscale and colorbar:
        ax.figure.colorbar(shown, ax=ax, fraction=0.046, pad=0.04)
    if title:
        ax.set_title(title)
    ax.set_xlabel("col")
    ax.set_ylabel("row")
    return ax


def show_images(images, titles=None, *, cmap="viridis", colorbar=True, size=3.5, **imshow_kwargs):
    """Show several images side by side; returns the array of axes.

    Parameters
    ----------
    images : sequence of ndarray
        Images to show, each accepted by ``show_image``.
    titles : sequence of str, optional
        One title per image.
    size : float, optional
        Width and height of each panel in inches.
    """
    images = list(images)
    if not images:
        raise ValueError("`images` is empty; pass at least one image.")
    if titles is not None:
        titles = list(titles)
        if len(titles) != len(images):
            raise ValueError(f"`titles` must have one title per image: got {len(titles)} titles for {len(images)} images.")
    _, axes = plt.subplots(1, len(images), figsize=(size * len(images) + 0.5 * colorbar, size), squeeze=False)
    for i, (image, ax) in enumerate(zip(images, axes[0])):
        show_image(image, title=titles[i] if titles else None, cmap=cmap, colorbar=colorbar, ax=ax, **imshow_kwargs)
    axes[0][0].figure.tight_layout()
    return axes[0]


def label_colormap(n_labels, *, seed=0):
    """A colormap with black for 0 and a distinct random colour for each of ``n_labels`` labels."""
    rng = np.random.default_rng(seed)
    colours = np.vstack([[0.0, 0.0, 0.0], 0.25 + 0.75 * rng.random((max(n_labels, 1), 3))])
    return ListedColormap(colours)


def show_labels(labels, *, title=None, ax=None, numbers=False):
    """Show an instance mask, one colour per object and black background; returns the axes.

    The title gets the number of objects appended. With ``numbers=True`` each
    object's label is written at its centre (the mean position of its pixels).
    """
    labels = check_labels(check_2d(labels, "labels"), "labels")
    ax = _axes(ax)
    ids = np.unique(labels[labels > 0])
    n_objects = len(ids)
    top = int(labels.max())
    ax.imshow(labels, cmap=label_colormap(top), vmin=0, vmax=max(top, 1), interpolation="nearest")
    if numbers:
        rows, cols = np.nonzero(labels)
        _, index = np.unique(labels[rows, cols], return_inverse=True)
        sizes = np.bincount(index)
        for label, row, col in zip(ids, np.bincount(index, rows) / sizes, np.bincount(index, cols) / sizes):
            ax.text(col, row, str(int(label)), ha="center", va="center", color="black", fontsize="small",
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.7, "linewidth": 0})
    heading = f"{n_objects} object{'s' if n_objects != 1 else ''}"
    ax.set_title(f"{title}: {heading}" if title else heading)
    ax.set_xlabel("col")
    ax.set_ylabel("row")
    return ax


def _legend(ax, handles):
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="small", frameon=False)


def show_overlap(mask_a, mask_b, *, names=("A", "B"), title=None, ax=None):
    """Show two binary masks in one picture: intersection and union in colour; returns the axes.

    Pixels only in ``mask_a`` are magenta, only in ``mask_b`` green, in both
    (the intersection) white; the union is every pixel that is not black. The
    legend gives the number of pixels of each colour, so the IoU can be read
    off: white / (magenta + green + white).

    Parameters
    ----------
    mask_a, mask_b : ndarray of bool or 0/1, shape (H, W)
        The two masks; for label images pass ``labels > 0``.
    names : tuple of two str, optional
        What the masks are, for the legend (default ``("A", "B")``).
    title : str, optional
        Axes title.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.

    Raises
    ------
    TypeError, ValueError
        If a mask is not a 2-D binary array, the shapes differ or ``names`` is
        not two strings.
    """
    mask_a = check_binary(mask_a, "mask_a")
    mask_b = check_binary(mask_b, "mask_b")
    check_same_shape(mask_a, mask_b, "mask_a", "mask_b")
    if isinstance(names, str) or len(names) != 2:
        raise ValueError(f"`names` must be two names, one per mask, such as ('true', 'predicted'); got {names!r}.")
    parts = {"first": mask_a & ~mask_b, "second": mask_b & ~mask_a, "both": mask_a & mask_b}
    rgb = np.zeros(mask_a.shape + (3,))
    for part, where in parts.items():
        rgb[where] = OVERLAP_COLOURS[part]
    ax = _axes(ax, figsize=(5.5, 4))
    ax.imshow(rgb, interpolation="nearest")
    counts = {part: int(np.count_nonzero(where)) for part, where in parts.items()}
    labels = {"first": f"only {names[0]}: {counts['first']} px", "second": f"only {names[1]}: {counts['second']} px",
              "both": f"both (intersection): {counts['both']} px"}
    _legend(ax, [Patch(facecolor=OVERLAP_COLOURS[part], edgecolor="0.5", label=labels[part]) for part in parts])
    if title:
        ax.set_title(title)
    ax.set_xlabel("col")
    ax.set_ylabel("row")
    return ax


def _outlines(labels):
    """Pixels of each object that touch (by an edge) a pixel of another label or the background."""
    edge = np.zeros(labels.shape, dtype=bool)
    across_rows = labels[1:, :] != labels[:-1, :]
    across_cols = labels[:, 1:] != labels[:, :-1]
    edge[1:, :] |= across_rows
    edge[:-1, :] |= across_rows
    edge[:, 1:] |= across_cols
    edge[:, :-1] |= across_cols
    return edge & (labels > 0)


def _check_pairs(pairs, true_labels, pred_labels):
    try:
        pairs = [(int(t), int(p)) for t, p in pairs]
    except (TypeError, ValueError):
        raise TypeError(
            f"`pairs` must be a list of (true_label, pred_label) pairs of whole numbers, as match_instances "
            f"returns; got {_describe(pairs)}."
        ) from None
    for side, labels, ids in (("true", true_labels, {t for t, _ in pairs}), ("predicted", pred_labels, {p for _, p in pairs})):
        missing = sorted(ids - set(np.unique(labels).tolist()) | (ids & {0}))
        if missing:
            raise ValueError(f"`pairs` names {side} label(s) {missing[:5]} that are not objects of the {side} image.")
    return pairs


def show_matches(image, true_labels, pred_labels, pairs, *, title=None, ax=None):
    """Show a matching on the image: outlines of true and predicted objects, the unmatched ones filled.

    True objects are outlined in magenta and predicted ones in green (the
    colours of ``show_overlap``). An object without a partner in ``pairs`` is
    marked inside too: a magenta fill marks a missed cell (a false negative),
    green stripes an object that matches no cell (a false positive); where
    the two overlap, the fill shows between the stripes.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        Grayscale image, shown between its 1st and 99th percentile.
    true_labels, pred_labels : ndarray of int, shape (H, W)
        Label images; 0 is background.
    pairs : list of (int, int)
        Matched ``(true_label, pred_label)`` pairs, e.g. from a matching at an IoU threshold.
    title : str, optional
        Axes title.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.

    Raises
    ------
    TypeError, ValueError
        If an image is invalid, the shapes differ, or ``pairs`` is not a list
        of pairs of labels present in the images.
    """
    check_2d(image, "image")
    true_labels = check_labels(true_labels, "true_labels")
    pred_labels = check_labels(pred_labels, "pred_labels")
    check_same_shape(image, true_labels, "image", "true_labels")
    check_same_shape(true_labels, pred_labels, "true_labels", "pred_labels")
    pairs = _check_pairs(pairs, true_labels, pred_labels)
    low, high = np.percentile(image, [1, 99])
    gray = np.clip((image.astype(np.float64) - low) / max(high - low, np.finfo(float).tiny), 0, 1)
    rgb = np.repeat(gray[..., None], 3, axis=2)
    missed = (true_labels > 0) & ~np.isin(true_labels, [t for t, _ in pairs])
    invented = (pred_labels > 0) & ~np.isin(pred_labels, [p for _, p in pairs])
    first, second = np.array(OVERLAP_COLOURS["first"]), np.array(OVERLAP_COLOURS["second"])
    rgb[missed] = 0.5 * rgb[missed] + 0.5 * first
    rows, cols = np.indices(gray.shape)
    stripes = invented & ((rows + cols) % 6 < 2)      # striped, so that a missed cell below stays visible
    rgb[stripes] = second
    rgb[_outlines(true_labels)] = first
    rgb[_outlines(pred_labels)] = second
    ax = _axes(ax, figsize=(5.5, 5))
    ax.imshow(rgb, interpolation="nearest")
    n_missed = len(np.unique(true_labels[missed]))
    n_invented = len(np.unique(pred_labels[invented]))
    _legend(ax, [
        Patch(facecolor="none", edgecolor=first, linewidth=2, label="true outline"),
        Patch(facecolor="none", edgecolor=second, linewidth=2, label="predicted outline"),
        Patch(facecolor=0.5 + 0.5 * first, edgecolor=first, label=f"missed: {n_missed}"),
        Patch(facecolor="none", edgecolor=second, hatch="///", label=f"no true partner: {n_invented}"),
    ])
    if title:
        ax.set_title(title)
    ax.set_xlabel("col")
    ax.set_ylabel("row")
    return ax


# --- tracks and lineages (chapter 08) -------------------------------------------------

def _lineage_rows(lineage):
    lineage = np.asarray(lineage)
    if lineage.ndim != 2 or lineage.shape[1] != 4 or not (lineage.size == 0 or np.issubdtype(lineage.dtype, np.integer)):
        raise ValueError(f"`lineage` must be an (N, 4) integer array of rows (label, first_frame, last_frame, "
                         f"parent), as track_cells returns it; got {_describe(lineage)}.")
    rows = lineage.astype(np.int64).tolist()
    labels = {row[0] for row in rows}
    if len(labels) != len(rows):
        raise ValueError("`lineage` lists a label twice; each track has one row.")
    return rows


def _tree_positions(rows):
    """Height of each track in a lineage tree: leaves one apart, a parent midway between its daughters."""
    children, roots = {}, []
    labels = {label for label, *_ in rows}
    for label, _, _, parent in sorted(rows, key=lambda r: (r[1], r[0])):
        if parent in labels:
            children.setdefault(parent, []).append(label)
        else:
            roots.append(label)
    height, next_leaf = {}, 0
    for root in roots:
        stack, visit = [root], []
        while stack:                      # depth first, without recursion limits on long lineages
            node = stack.pop()
            visit.append(node)
            stack.extend(reversed(children.get(node, [])))
        for node in visit:                # leaves in depth-first order take the next free heights
            if not children.get(node):
                height[node] = next_leaf
                next_leaf += 1
        for node in reversed(visit):      # then each parent sits between its daughters
            if children.get(node):
                height[node] = float(np.mean([height[k] for k in children[node]]))
    return height, children


def show_lineage(lineage, *, ax=None, title=None):
    """Draw a lineage tree: each track a horizontal line over its frames, daughters joined to their parent.

    Parameters
    ----------
    lineage : ndarray of int, shape (N, 4)
        Rows ``(track_id, first_frame, last_frame, parent)``, as
        ``track_cells`` and ``simulate_colony`` return them.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.
    title : str, optional
        Axes title; the number of tracks and divisions is appended.

    Returns
    -------
    matplotlib Axes
        One line (``ax.collections``) of tracks and one of connectors: a
        daughter is joined to the end of its parent's line by a vertical
        connector at the parent's last frame.

    Raises
    ------
    ValueError
        If ``lineage`` is not an (N, 4) integer array or repeats a label.

    Examples
    --------
    >>> ax = show_lineage(np.array([[1, 0, 3, 0], [2, 4, 7, 1], [3, 4, 6, 1]]))
    >>> ax.get_title()
    '3 tracks, 1 division'
    """
    rows = _lineage_rows(lineage)
    height, children = _tree_positions(rows)
    span = {label: (first, last) for label, first, last, _ in rows}
    ax = _axes(ax, figsize=(6, max(2.5, 0.18 * len(rows) + 1)))
    ax.hlines([height[l] for l, *_ in rows], [f for _, f, _, _ in rows], [e for _, _, e, _ in rows],
              colors="black", linewidth=2)
    segments = []
    for parent, kids in children.items():
        end = span[parent][1]
        for kid in kids:
            segments.append([(end, height[parent]), (end, height[kid]), (span[kid][0], height[kid])])
    ax.add_collection(LineCollection(segments, colors="grey", linewidths=1))
    for label, first, _, _ in rows:
        if len(rows) <= 60:
            ax.text(first, height[label] + 0.15, str(label), fontsize="x-small", va="bottom")
    n_divisions = sum(len(k) == 2 for k in children.values())
    heading = f"{len(rows)} track{'s' if len(rows) != 1 else ''}, {n_divisions} division{'s' if n_divisions != 1 else ''}"
    ax.set_title(f"{title}: {heading}" if title else heading)
    ax.set_xlabel("frame")
    ax.set_yticks([])
    if rows:
        ax.set_xlim(min(f for _, f, _, _ in rows) - 0.5, max(e for _, _, e, _ in rows) + 0.5)
        ax.set_ylim(-1, max(height.values()) + 1)
    return ax


def _centroids(tracks):
    """``{track: (frames, rows, cols)}``: the mean pixel position of each track in each frame it is in."""
    paths = {}
    for t, frame in enumerate(tracks):
        rows, cols = np.nonzero(frame)
        if not rows.size:
            continue
        ids, index = np.unique(frame[rows, cols], return_inverse=True)
        sizes = np.bincount(index)
        for label, row, col in zip(ids.tolist(), np.bincount(index, rows) / sizes, np.bincount(index, cols) / sizes):
            paths.setdefault(label, []).append((t, row, col))
    return {label: tuple(np.array(v) for v in zip(*points)) for label, points in paths.items()}


def show_tracks(image, tracks, *, ax=None, title=None):
    """Draw the path of each track's centre over an image, one colour per track; returns the axes.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        Background, e.g. the last frame; shown in grey between its 1st and
        99th percentile.
    tracks : ndarray of int, shape (T, H, W)
        Track ids linked through time, as ``track_cells`` returns them.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.
    title : str, optional
        Axes title; the number of tracks is appended.

    Returns
    -------
    matplotlib Axes
        One line per track (the first ``n_tracks`` of ``ax.lines``, by
        track id) through its centroids, frame by frame, then one dot per
        track where it starts; the colour is that of the
        track in ``show_labels``.

    Raises
    ------
    TypeError, ValueError
        If ``image`` is not 2-D, ``tracks`` not a 3-D label stack, or their
        frames differ in shape.

    Examples
    --------
    >>> tracks = np.zeros((3, 6, 6), dtype=int)
    >>> for t in range(3): tracks[t, 1:3, t:t + 2] = 1
    >>> ax = show_tracks(tracks[-1], tracks)
    >>> ax.lines[0].get_xdata().tolist()
    [0.5, 1.5, 2.5]
    """
    check_2d(image, "image")
    tracks = check_label_stack(tracks, "tracks")
    if tracks.shape[1:] != image.shape:
        raise ValueError(f"`image` and each frame of `tracks` must have the same shape; got {image.shape} and "
                         f"{tracks.shape[1:]}.")
    low, high = np.percentile(image, [1, 99])
    ax = _axes(ax, figsize=(5, 5))
    ax.imshow(image, cmap="gray", vmin=low, vmax=max(high, low + 1e-12), interpolation="nearest")
    colours = label_colormap(int(tracks.max()))
    paths = _centroids(tracks)
    for label, (_, rows, cols) in sorted(paths.items()):
        colour = colours(label)
        ax.plot(cols, rows, "-", color=colour, linewidth=1.5)
    for label, (_, rows, cols) in sorted(paths.items()):
        ax.plot(cols[:1], rows[:1], "o", color=colours(label), markersize=3)
    n = len(paths)
    heading = f"{n} track{'s' if n != 1 else ''}"
    ax.set_title(f"{title}: {heading}" if title else heading)
    ax.set_xlabel("col")
    ax.set_ylabel("row")
    return ax


def animate_stack(stack, *, labels=False, every=1, interval=300, dpi=50, title=None):
    """A small animation of a (T, H, W) stack as HTML (JavaScript player), for a notebook to display.

    Parameters
    ----------
    stack : ndarray, shape (T, H, W)
        The frames: images (grey, one contrast for all frames: their 1st
        to 99th percentile) or, with ``labels=True``, label images (one
        colour per label, as ``show_labels``).
    labels : bool, optional
        Treat ``stack`` as label images (default False).
    every : int, optional
        Show every ``every``-th frame (default 1, all).
    interval : int, optional
        Milliseconds between frames (default 300).
    dpi : int, optional
        Resolution of the frames; the default 50 keeps the HTML small.
    title : str, optional
        Title; the frame number is appended.

    Returns
    -------
    str
        HTML from ``FuncAnimation.to_jshtml()``; show it with
        ``IPython.display.HTML(html)``. The figure is closed.

    Raises
    ------
    TypeError, ValueError
        If ``stack`` is not 3-D (with ``labels=True``: not integer labels) or
        an option is out of range.

    Examples
    --------
    >>> stack = np.zeros((3, 8, 8), dtype=int)
    >>> for t in range(3): stack[t, 2:5, t:t + 3] = 1
    >>> html = animate_stack(stack, labels=True)
    >>> html.count("data:image/png"), len(html) < 50_000
    (3, True)
    """
    if labels:
        stack = check_label_stack(stack, "stack")
    else:
        check_array(stack, "stack")
        if stack.ndim != 3:
            raise ValueError(f"`stack` must be 3-D (T, H, W), one image per frame; got shape {stack.shape}.")
    every = check_int(every, "every", minimum=1)
    interval = check_int(interval, "interval", minimum=1)
    dpi = check_int(dpi, "dpi", minimum=10)
    frames = list(range(0, len(stack), every))
    height, width = stack.shape[1:]
    fig, ax = plt.subplots(figsize=(4, 4 * height / width), dpi=dpi)
    if labels:
        top = int(stack.max())
        shown = ax.imshow(stack[0], cmap=label_colormap(top), vmin=0, vmax=max(top, 1), interpolation="nearest")
    else:
        low, high = np.percentile(stack, [1, 99])
        shown = ax.imshow(stack[0], cmap="gray", vmin=low, vmax=max(high, low + 1e-12), interpolation="nearest")
    ax.set_axis_off()

    def draw(t):
        shown.set_data(stack[t])
        ax.set_title(f"{title}: frame {t}" if title else f"frame {t}")
        return (shown,)

    animation = FuncAnimation(fig, draw, frames=frames, interval=interval, blit=False)
    try:
        html = animation.to_jshtml(default_mode="loop")
    finally:
        plt.close(fig)
    return html
