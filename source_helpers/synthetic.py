"""Synthetic phase-contrast images of rod-shaped bacteria, with their ground truth.

A seeded simulator of images like the course's real *E. coli* data
(``data.ecoli_crop``): dark rods with a bright halo on an unevenly lit,
mottled background, small dark debris dots, bright ring artifacts and camera
noise. Every image comes with its instance mask, so a segmentation can be
scored against the truth.

- ``Rod``: one cell, a spherocylinder (a cylinder with two half-sphere caps)
  given by its centre, length, width and angle, in micrometres.
- ``divided_pair`` and ``side_by_side``: cells that touch, end to end (a cell
  that has just divided) or along their flanks (packed in a colony).
- ``random_rods``: cells placed at random, alone or in touching groups.
- ``rods_to_labels``: the ground truth of a list of rods.
- ``render_rods``: the phase-contrast image of a list of rods, and its mask.
- ``simulate_field``: ``random_rods`` and ``render_rods`` in one call.
- ``simulate_colony``: a time-lapse of one growing, dividing microcolony,
  with linked masks and the lineage.
- ``unknown_microscope_field``: a field as another microscope would record
  it, for chapter 06's exercise in choosing a pipeline's sizes.

Lengths are in micrometres (µm) and converted to pixels with
``pixel_size_um``; positions are ``(row, col)``, row 0 at the top, and the
centre of pixel ``(i, j)`` lies at ``(i, j) * pixel_size_um``. Every
random draw comes from the ``rng`` argument (a seed or a
``numpy.random.Generator``), so the same seed gives the same image. Images
are ``uint16`` camera counts (background about 10 000, as in the real data);
masks are ``int64`` with 0 for the background.
"""

import math
import numbers
from typing import NamedTuple

import numpy as np
from scipy import ndimage as ndi

from ._validation import _describe, check_int, check_number, check_shape

__all__ = [
    "Rod",
    "divided_pair",
    "side_by_side",
    "random_rods",
    "rods_to_labels",
    "visible_lineage",
    "render_rods",
    "simulate_field",
    "simulate_colony",
    "unknown_microscope_field",
]


class Rod(NamedTuple):
    """One rod-shaped cell: a spherocylinder, all sizes in micrometres.

    Attributes
    ----------
    row, col : float
        Position of the centre (µm from the top-left corner of the image).
    length : float
        Length from tip to tip (µm), at least ``width``.
    width : float
        Diameter (µm).
    angle : float
        Direction of the long axis in degrees, counter-clockwise from the
        column axis as the image is shown (row 0 at the top): 0 is
        horizontal, 90 vertical.

    Examples
    --------
    >>> rod = Rod(row=5.0, col=5.0, length=3.0, width=1.0, angle=0.0)
    >>> rod.ends()    # centres of the two caps, (row, col) in µm
    ((5.0, 4.0), (5.0, 6.0))
    """

    row: float
    col: float
    length: float
    width: float
    angle: float

    def direction(self):
        """Unit vector ``(drow, dcol)`` along the long axis."""
        theta = math.radians(self.angle)
        return -math.sin(theta) + 0.0, math.cos(theta)

    def ends(self):
        """Centres of the two caps, ``((row, col), (row, col))`` in µm."""
        half = (self.length - self.width) / 2
        dr, dc = self.direction()
        return ((self.row - half * dr, self.col - half * dc), (self.row + half * dr, self.col + half * dc))


# Validation ----------------------------------------------------------------------


def _as_generator(rng):
    """A ``numpy.random.Generator`` from a seed or a generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"`rng` must be a seed (a whole number >= 0) or a numpy.random.Generator; got {_describe(rng)}."
    )


def _check_positive(value, name):
    return check_number(value, name, minimum=0, strict_minimum=True)


def _check_fraction(value, name):
    return check_number(value, name, minimum=0, maximum=1)


def _check_range(value, name):
    """A pair ``(low, high)`` of positive numbers with ``low <= high``; a single number means both."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        value = (value, value)
    try:
        low, high = value
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be a number or a pair (low, high); got {_describe(value)}.") from None
    low = _check_positive(low, f"{name}[0]")
    high = _check_positive(high, f"{name}[1]")
    if low > high:
        raise ValueError(f"`{name}` must be (low, high) with low <= high; got {value!r}.")
    return low, high


def _check_rods(rods):
    try:
        rods = [Rod(*rod) for rod in rods]
    except TypeError:
        raise TypeError(
            f"`rods` must be a list of Rod(row, col, length, width, angle); got {_describe(rods)}."
        ) from None
    for i, rod in enumerate(rods):
        for field in ("row", "col", "angle"):
            check_number(getattr(rod, field), f"rods[{i}].{field}")
        width = _check_positive(rod.width, f"rods[{i}].width")
        length = _check_positive(rod.length, f"rods[{i}].length")
        if length < width:
            raise ValueError(
                f"`rods[{i}]` is shorter ({length} µm) than it is wide ({width} µm); "
                "a rod's length counts from tip to tip and is at least its width."
            )
    return rods


# Geometry ------------------------------------------------------------------------


def _segment_distance(rows, cols, start, end):
    """Distance of each point ``(rows, cols)`` to the segment ``start``-``end`` (same units)."""
    sr, sc = start
    er, ec = end
    dr, dc = er - sr, ec - sc
    squared = dr * dr + dc * dc
    if squared == 0:
        return np.hypot(rows - sr, cols - sc)
    t = np.clip(((rows - sr) * dr + (cols - sc) * dc) / squared, 0.0, 1.0)
    return np.hypot(rows - (sr + t * dr), cols - (sc + t * dc))


def _rod_window(rod, shape, pixel_size_um, pad=1):
    """Pixel rows and columns (as open grids) of the bounding box of ``rod``, clipped to ``shape``."""
    reach = rod.length / 2 / pixel_size_um + pad
    r0 = max(int(math.floor(rod.row / pixel_size_um - reach)), 0)
    r1 = min(int(math.ceil(rod.row / pixel_size_um + reach)) + 1, shape[0])
    c0 = max(int(math.floor(rod.col / pixel_size_um - reach)), 0)
    c1 = min(int(math.ceil(rod.col / pixel_size_um + reach)) + 1, shape[1])
    return slice(r0, max(r0, r1)), slice(c0, max(c0, c1))


def _paint(rods, shape, pixel_size_um):
    """Labels (pixel centre inside rod i -> i + 1, later rods on top) and thickness in [0, 1]."""
    labels = np.zeros(shape, dtype=np.int64)
    thickness = np.zeros(shape, dtype=np.float64)
    for i, rod in enumerate(rods):
        rows, cols = _rod_window(rod, shape, pixel_size_um)
        if rows.start >= rows.stop or cols.start >= cols.stop:
            continue
        rr = np.arange(rows.start, rows.stop, dtype=np.float64)[:, None]
        cc = np.arange(cols.start, cols.stop, dtype=np.float64)[None, :]
        start, end = ((r / pixel_size_um, c / pixel_size_um) for r, c in rod.ends())
        radius = rod.width / 2 / pixel_size_um
        distance = _segment_distance(rr, cc, start, end)
        inside = distance <= radius
        labels[rows, cols][inside] = i + 1
        # Optical thickness across the cell: nearly flat, falling steeply at the edge.
        profile = np.clip(1.0 - (distance / radius) ** 2, 0.0, None) ** 0.25
        np.maximum(thickness[rows, cols], profile, out=thickness[rows, cols])
    return labels, thickness


def rods_to_labels(rods, shape, *, pixel_size_um=0.05):
    """Ground-truth instance mask of a list of rods.

    A pixel belongs to rod ``i`` (label ``i + 1``) when its centre is at most
    ``width / 2`` from the rod's axis (the segment between the centres of
    its caps); so two rods that touch share no gap, even when the contact
    runs exactly between two rows of pixels. Where rods overlap, the later
    one wins; parts outside the image are dropped.

    Parameters
    ----------
    rods : list of Rod
        Cells in µm (``Rod`` or tuples ``(row, col, length, width, angle)``).
    shape : tuple of int
        ``(height, width)`` of the image in pixels.
    pixel_size_um : float, optional
        Side of a pixel in µm (default 0.05, as estimated for the real data).

    Returns
    -------
    labels : ndarray of int64, shape ``shape``

    Raises
    ------
    TypeError
        If ``rods`` is not a list of rods or a number is not a number.
    ValueError
        If a rod is shorter than wide or has a size of 0 or less,
        ``pixel_size_um`` is not positive, or ``shape`` is not two whole
        numbers of at least 1.

    Examples
    --------
    >>> rod = Rod(row=0.2, col=0.35, length=0.5, width=0.3, angle=0)
    >>> rods_to_labels([rod], (5, 9), pixel_size_um=0.1)   # rounded caps
    array([[0, 0, 0, 0, 0, 0, 0, 0, 0],
           [0, 0, 1, 1, 1, 1, 0, 0, 0],
           [0, 1, 1, 1, 1, 1, 0, 0, 0],
           [0, 0, 1, 1, 1, 1, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0, 0, 0]])
    """
    rods = _check_rods(rods)
    shape = check_shape(shape)
    pixel_size_um = _check_positive(pixel_size_um, "pixel_size_um")
    return _paint(rods, shape, pixel_size_um)[0]


# Touching groups ----------------------------------------------------------------


def divided_pair(row, col, length, width, angle, *, gap=0.0):
    """Two cells end to end, as a cell of ``length`` leaves them when it divides.

    Each daughter is ``(length - gap) / 2`` long; their tips touch (``gap=0``)
    or are ``gap`` µm apart, on the mother's axis.

    Parameters
    ----------
    row, col : float
        Centre of the mother cell (µm).
    length, width : float
        Length (tip to tip) and width of the mother cell (µm);
        ``length - gap >= 2 * width`` so that each daughter is a rod.
    angle : float
        Direction of the axis in degrees (see ``Rod``).
    gap : float, optional
        Distance between the daughters' tips (µm, default 0: touching).

    Returns
    -------
    list of Rod
        The two daughters.

    Raises
    ------
    ValueError
        If a size is not positive, ``gap`` is negative, or the daughters
        would be shorter than wide.

    Examples
    --------
    >>> [tuple(round(v, 2) for v in rod) for rod in divided_pair(5, 5, 4, 1, 0)]
    [(5.0, 4.0, 2.0, 1.0, 0.0), (5.0, 6.0, 2.0, 1.0, 0.0)]
    """
    row, col, angle = (check_number(v, n) for v, n in ((row, "row"), (col, "col"), (angle, "angle")))
    length = _check_positive(length, "length")
    width = _check_positive(width, "width")
    gap = check_number(gap, "gap", minimum=0)
    daughter = (length - gap) / 2
    if daughter < width:
        raise ValueError(
            f"`length` {length} µm is too short to divide: each daughter would be {daughter:g} µm long "
            f"but {width} µm wide. Use a length of at least 2 * width + gap."
        )
    dr, dc = Rod(row, col, length, width, angle).direction()
    shift = (daughter + gap) / 2
    return [Rod(row - shift * dr, col - shift * dc, daughter, width, angle),
            Rod(row + shift * dr, col + shift * dc, daughter, width, angle)]


def side_by_side(row, col, length, width, angle, n=2, *, gap=0.0, stagger=0.0):
    """``n`` parallel cells touching along their flanks, as in a packed colony.

    Parameters
    ----------
    row, col : float
        Centre of the group (µm).
    length, width : float
        Length (tip to tip) and width of each cell (µm), ``length >= width``.
    angle : float
        Direction of the cells' axes in degrees (see ``Rod``).
    n : int, optional
        Number of cells, at least 1 (default 2).
    gap : float, optional
        Distance between neighbouring flanks (µm, default 0: touching).
    stagger : float, optional
        Shift of every other cell along its axis (µm, default 0).

    Returns
    -------
    list of Rod

    Raises
    ------
    ValueError
        If a size is not positive, ``length < width``, ``n < 1`` or ``gap`` is
        negative.

    Examples
    --------
    >>> [tuple(round(v, 2) for v in rod) for rod in side_by_side(5, 5, 3, 1, 0)]
    [(4.5, 5.0, 3.0, 1.0, 0.0), (5.5, 5.0, 3.0, 1.0, 0.0)]
    """
    row, col, angle = (check_number(v, n_) for v, n_ in ((row, "row"), (col, "col"), (angle, "angle")))
    length = _check_positive(length, "length")
    width = _check_positive(width, "width")
    if length < width:
        raise ValueError(f"`length` ({length} µm) must be at least `width` ({width} µm).")
    n = check_int(n, "n", minimum=1)
    gap = check_number(gap, "gap", minimum=0)
    stagger = check_number(stagger, "stagger")
    dr, dc = Rod(row, col, length, width, angle).direction()
    nr, nc = dc, -dr   # normal to the axis, pointing down-screen for angle 0
    rods = []
    for k in range(n):
        across = (k - (n - 1) / 2) * (width + gap)
        along = stagger if k % 2 else 0.0
        rods.append(Rod(row + across * nr + along * dr + 0.0, col + across * nc + along * dc + 0.0,
                        length, width, angle))
    return rods


def random_rods(n_cells, shape, *, pixel_size_um=0.05, length_um=(2.0, 4.0), width_um=1.0,
                touching=0.5, min_gap_um=0.5, rng=0):
    """Cells at random positions: alone, or in touching groups of two.

    Cells are placed one group at a time. A group is a single cell, or (with
    probability ``touching``) a pair: half the pairs are freshly divided
    cells end to end (``divided_pair``), half lie side by side
    (``side_by_side``, slightly staggered). Groups lie entirely inside the
    image and at least ``min_gap_um`` apart from each other; the cells
    within a pair touch.

    Parameters
    ----------
    n_cells : int
        Number of cells, at least 0.
    shape : tuple of int
        ``(height, width)`` of the image in pixels.
    pixel_size_um : float, optional
        Side of a pixel in µm (default 0.05).
    length_um : float or (float, float), optional
        Range of cell lengths, tip to tip, drawn uniformly (default 2-4 µm,
        as for *E. coli*). A divided pair's mother is twice as long.
    width_um : float, optional
        Cell width (default 1.0 µm), at most the shortest length.
    touching : float, optional
        Probability that a group is a touching pair (default 0.5).
    min_gap_um : float, optional
        Least distance between groups (default 0.5 µm).
    rng : int or numpy.random.Generator, optional
        Seed or generator for every random draw (default 0).

    Returns
    -------
    list of Rod
        ``n_cells`` rods; cells of a pair follow each other.

    Raises
    ------
    TypeError
        If an argument has the wrong type (e.g. ``rng``).
    ValueError
        If a size is not positive, ``touching`` is outside [0, 1], the cells
        are wider than long, or ``n_cells`` cells do not fit into the image
        (the message says how many did).

    Examples
    --------
    >>> rods = random_rods(6, (256, 256), rng=1)
    >>> len(rods), rods == random_rods(6, (256, 256), rng=1)
    (6, True)
    """
    n_cells = check_int(n_cells, "n_cells", minimum=0)
    shape = check_shape(shape)
    pixel_size_um = _check_positive(pixel_size_um, "pixel_size_um")
    low, high = _check_range(length_um, "length_um")
    width_um = _check_positive(width_um, "width_um")
    if low < width_um:
        raise ValueError(f"`length_um` must be at least `width_um` ({width_um} µm); got {length_um!r}.")
    touching = _check_fraction(touching, "touching")
    min_gap_um = check_number(min_gap_um, "min_gap_um", minimum=0)
    rng = _as_generator(rng)

    gap_px = min_gap_um / pixel_size_um
    blocked = np.zeros(shape, dtype=bool)   # pixels of placed groups and their surroundings
    reach = int(math.ceil(gap_px)) + 1
    rods = []
    attempts = 0
    while len(rods) < n_cells and attempts < 100 * n_cells + 1000:
        attempts += 1
        length = rng.uniform(low, high)
        angle = rng.uniform(0.0, 180.0)
        row = rng.uniform(0, shape[0] * pixel_size_um)
        col = rng.uniform(0, shape[1] * pixel_size_um)
        pair = n_cells - len(rods) >= 2 and rng.random() < touching
        if not pair:
            group = [Rod(row, col, length, width_um, angle)]
        elif rng.random() < 0.5:
            group = divided_pair(row, col, 2 * length, width_um, angle)
        else:
            stagger = rng.uniform(-0.25, 0.25) * length
            group = side_by_side(row, col, length, width_um, angle, 2, stagger=stagger)
        # Every rod, with a margin of one pixel, inside the image.
        inside = all(
            1 <= r / pixel_size_um <= shape[0] - 2 and 1 <= c / pixel_size_um <= shape[1] - 2
            for rod in group
            for r, c in _rod_corners(rod)
        )
        if not inside:
            continue
        rows, cols = _group_pixels(group, shape, pixel_size_um)
        if rows.size == 0 or blocked[rows, cols].any():
            continue
        # Block the group and everything within min_gap_um of it, in a window around it.
        top, left = max(rows.min() - reach, 0), max(cols.min() - reach, 0)
        bottom, right = min(rows.max() + reach + 1, shape[0]), min(cols.max() + reach + 1, shape[1])
        window = np.ones((bottom - top, right - left), dtype=bool)
        window[rows - top, cols - left] = False
        blocked[top:bottom, left:right] |= ndi.distance_transform_edt(window) <= gap_px
        rods.extend(group)
    if len(rods) < n_cells:
        raise ValueError(
            f"`n_cells`: only {len(rods)} of {n_cells} cells fit into a {shape[0]}x{shape[1]} image "
            f"at {pixel_size_um} µm per pixel; ask for fewer cells, a bigger image or a smaller min_gap_um."
        )
    return rods


def _group_pixels(rods, shape, pixel_size_um):
    """Row and column indices of the pixels inside any of ``rods``."""
    rows, cols = [], []
    for rod in rods:
        window_rows, window_cols = _rod_window(rod, shape, pixel_size_um)
        rr = np.arange(window_rows.start, window_rows.stop, dtype=np.float64)[:, None]
        cc = np.arange(window_cols.start, window_cols.stop, dtype=np.float64)[None, :]
        start, end = ((r / pixel_size_um, c / pixel_size_um) for r, c in rod.ends())
        inside = _segment_distance(rr, cc, start, end) <= rod.width / 2 / pixel_size_um
        r, c = np.nonzero(inside)
        rows.append(r + window_rows.start)
        cols.append(c + window_cols.start)
    return np.concatenate(rows), np.concatenate(cols)


def _rod_corners(rod):
    """Points on the rod's outline far out along and across its axis (µm), for the inside test."""
    (r0, c0), (r1, c1) = rod.ends()
    dr, dc = rod.direction()
    radius = rod.width / 2
    points = []
    for r, c, sign in ((r0, c0, -1), (r1, c1, 1)):
        points.append((r + sign * radius * dr, c + sign * radius * dc))
        points.append((r + radius * dc, c - radius * dr))
        points.append((r - radius * dc, c + radius * dr))
    return points


# Rendering ----------------------------------------------------------------------


def _smooth_field(shape, rng, cells):
    """Random smooth field of unit maximum amplitude, varying over ``shape / cells`` pixels."""
    coarse = rng.standard_normal((cells + 3, cells + 3))
    rows = np.linspace(1, cells + 1, shape[0])
    cols = np.linspace(1, cells + 1, shape[1])
    field = ndi.map_coordinates(coarse, np.meshgrid(rows, cols, indexing="ij"), order=3, mode="nearest")
    field -= field.mean()
    peak = np.abs(field).max()
    return field / peak if peak > 0 else field


def _blur(image, sigma):
    """Gaussian blur; wide blurs are computed on a coarser grid and interpolated back (fast, smooth)."""
    factor = int(sigma // 4)
    if factor < 2:
        return ndi.gaussian_filter(image, sigma)
    height, width = image.shape
    padded = np.pad(image, ((0, -height % factor), (0, -width % factor)), mode="edge")
    coarse = padded.reshape(padded.shape[0] // factor, factor, padded.shape[1] // factor, factor).mean(axis=(1, 3))
    coarse = ndi.gaussian_filter(coarse, sigma / factor)
    rows = (np.arange(height) + 0.5) / factor - 0.5
    cols = (np.arange(width) + 0.5) / factor - 0.5
    return ndi.map_coordinates(coarse, np.meshgrid(rows, cols, indexing="ij"), order=1, mode="nearest")


def _gaussian_spots(shape, centres, sigmas, amplitudes):
    """Sum of Gaussian spots, each drawn in its own window (fast for small spots)."""
    out = np.zeros(shape, dtype=np.float64)
    for (r, c), sigma, amplitude in zip(centres, sigmas, amplitudes):
        reach = int(math.ceil(4 * sigma))
        rows = slice(max(int(r) - reach, 0), min(int(r) + reach + 1, shape[0]))
        cols = slice(max(int(c) - reach, 0), min(int(c) + reach + 1, shape[1]))
        rr = np.arange(rows.start, rows.stop)[:, None] - r
        cc = np.arange(cols.start, cols.stop)[None, :] - c
        out[rows, cols] += amplitude * np.exp(-(rr * rr + cc * cc) / (2 * sigma * sigma))
    return out


def _rings(shape, rng, n_rings, pixel_size_um):
    """Bright disks with a darker rim: out-of-focus dust on the optics (relative intensity)."""
    out = np.zeros(shape, dtype=np.float64)
    for _ in range(n_rings):
        radius = rng.uniform(0.45, 0.7) / pixel_size_um
        r, c = rng.uniform(0, shape[0]), rng.uniform(0, shape[1])
        reach = int(math.ceil(2 * radius))
        rows = slice(max(int(r) - reach, 0), min(int(r) + reach + 1, shape[0]))
        cols = slice(max(int(c) - reach, 0), min(int(c) + reach + 1, shape[1]))
        distance = np.hypot(np.arange(rows.start, rows.stop)[:, None] - r,
                            np.arange(cols.start, cols.stop)[None, :] - c)
        edge = radius / 6
        bright = 0.5 * (1 + np.tanh((0.7 * radius - distance) / edge))
        rim = np.exp(-((distance - radius) ** 2) / (2 * edge * edge))
        centre = np.exp(-(distance ** 2) / (2 * (0.25 * radius) ** 2))
        out[rows, cols] += rng.uniform(0.1, 0.18) * (bright - 0.3 * centre) - rng.uniform(0.04, 0.08) * rim
    return out


def render_rods(rods, shape, *, pixel_size_um=0.05, rng=0, background=10_000.0, cell_contrast=0.7,
                halo=1.6, psf_um=0.15, halo_um=0.9, shade_off=0.7, n_debris=6, n_rings=2, illumination=0.08,
                texture=0.03, noise=0.015):
    """Phase-contrast image of rod-shaped cells, and its ground-truth mask.

    The image is built in relative intensity (background 1) and scaled to
    camera counts at the end:

    1. each cell's optical thickness (1 on its axis, nearly flat across the
       cell and falling steeply at its edge) and small dark debris dots (not
       cells, not in the mask);
    2. blurred by the optics (Gaussian of ``psf_um``): the cells are dark,
       ``1 - cell_contrast * thickness``;
    3. a bright halo around them, ``halo`` times the thickness blurred at the
       larger scale ``halo_um``, strongest around dense groups and in the
       gaps between touching cells, as in phase contrast; inside a dense
       group the cells' darkness fades (``shade_off``);
    4. bright ring artifacts, a mottled background (``texture``), uneven
       illumination (``illumination``, a smooth field over the whole image);
    5. camera noise: Gaussian, with a standard deviation of ``noise`` times
       the background at background level, growing with the square root of
       the signal (photon shot noise); rounded and clipped to ``uint16``.

    Parameters
    ----------
    rods : list of Rod
        The cells (µm). The mask labels them 1, 2, ... in this order.
    shape : tuple of int
        ``(height, width)`` in pixels.
    pixel_size_um : float, optional
        Side of a pixel in µm (default 0.05, the estimate for the real data).
    rng : int or numpy.random.Generator, optional
        Seed or generator for every random draw (default 0).
    background : float, optional
        Mean background in camera counts (default 10 000), between 100 and
        30 000.
    cell_contrast : float, optional
        Darkening on a cell's axis, between 0 and 1 (default 0.7).
    halo : float, optional
        Strength of the bright halo, at least 0 (default 1.6).
    psf_um, halo_um : float, optional
        Blur of the optics and size of the halo, in µm (defaults 0.15, 0.9).
    shade_off : float, optional
        How much the cells' darkness fades inside a crowd of cells, between
        0 and 1 (default 0.7): the contrast is multiplied by ``1 - shade_off
        * crowd**3``, where ``crowd`` is the fraction of the surroundings
        (Gaussian of 2 µm) covered by cells. Cells deep inside a colony
        look lighter, as in the real data.
    n_debris, n_rings : int, optional
        Number of debris dots and ring artifacts (defaults 6 and 2).
    illumination, texture, noise : float, optional
        Relative amplitudes of the uneven illumination, the background's
        mottling and the camera noise, each between 0 and 0.5 (defaults
        0.08, 0.03, 0.015).

    Returns
    -------
    image : ndarray of uint16, shape ``shape``
        Camera counts.
    mask : ndarray of int64, shape ``shape``
        Ground truth as ``rods_to_labels``: 0 background, ``i + 1`` on
        ``rods[i]``.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is outside its range; the message names it.

    Examples
    --------
    >>> rods = divided_pair(6.4, 6.4, 5.0, 1.0, 30.0)
    >>> image, mask = render_rods(rods, (256, 256), rng=3)
    >>> image.dtype, mask.max()
    (dtype('uint16'), np.int64(2))
    >>> bool(np.median(image[mask > 0]) < 0.6 * np.median(image[mask == 0]))   # dark cells
    True
    """
    rods = _check_rods(rods)
    shape = check_shape(shape)
    pixel_size_um = _check_positive(pixel_size_um, "pixel_size_um")
    rng = _as_generator(rng)
    background = check_number(background, "background", minimum=100, maximum=30_000)
    cell_contrast = _check_fraction(cell_contrast, "cell_contrast")
    halo = check_number(halo, "halo", minimum=0)
    psf_um = check_number(psf_um, "psf_um", minimum=0)
    halo_um = _check_positive(halo_um, "halo_um")
    shade_off = _check_fraction(shade_off, "shade_off")
    n_debris = check_int(n_debris, "n_debris", minimum=0)
    n_rings = check_int(n_rings, "n_rings", minimum=0)
    illumination = check_number(illumination, "illumination", minimum=0, maximum=0.5)
    texture = check_number(texture, "texture", minimum=0, maximum=0.5)
    noise = check_number(noise, "noise", minimum=0, maximum=0.5)

    look = dict(background=background, cell_contrast=cell_contrast, halo=halo, psf_um=psf_um,
                halo_um=halo_um, shade_off=shade_off, n_debris=n_debris, n_rings=n_rings, illumination=illumination,
                texture=texture, noise=noise)
    return _render(rods, shape, pixel_size_um, rng, rng, **look)


def _render(rods, shape, pixel_size_um, scene_rng, noise_rng, *, background, cell_contrast, halo, psf_um,
            halo_um, shade_off, n_debris, n_rings, illumination, texture, noise):
    """The image of ``render_rods``: the scene (debris, rings, lighting) from ``scene_rng``, noise from ``noise_rng``."""
    mask, thickness = _paint(rods, shape, pixel_size_um)
    # Debris: small, optically dense specks of 0.1-0.3 µm; they get a halo too.
    debris_centres = [(scene_rng.uniform(0, shape[0]), scene_rng.uniform(0, shape[1])) for _ in range(n_debris)]
    debris_sigmas = scene_rng.uniform(0.06, 0.15, n_debris) / pixel_size_um
    debris_strengths = scene_rng.uniform(0.3, 0.9, n_debris)
    phase = thickness + _gaussian_spots(shape, debris_centres, debris_sigmas, debris_strengths)
    np.clip(phase, 0, 1, out=phase)

    sharp = ndi.gaussian_filter(phase, psf_um / pixel_size_um) if psf_um > 0 else phase
    spread = _blur(phase, halo_um / pixel_size_um)
    # Shade-off: inside a crowd of cells the phase contrast fades, inner cells look lighter.
    crowd = _blur(thickness, 2.0 / pixel_size_um) if shade_off > 0 else 0.0
    relative = 1.0 - cell_contrast * sharp * (1.0 - shade_off * crowd**3) + halo * spread * (1.0 - sharp)
    relative += _rings(shape, scene_rng, n_rings, pixel_size_um)
    if texture > 0:
        mottle = ndi.gaussian_filter(scene_rng.standard_normal(shape), 0.2 / pixel_size_um)
        relative += texture * mottle / max(mottle.std(), 1e-12)
    lighting = 1.0 + illumination * _smooth_field(shape, scene_rng, 3)
    signal = background * lighting * np.clip(relative, 0.02, None)
    counts = signal + noise * background * np.sqrt(signal / background) * noise_rng.standard_normal(shape)
    image = np.clip(np.rint(counts), 0, 65535).astype(np.uint16)
    return image, mask


def simulate_field(shape=(512, 512), *, n_cells=8, pixel_size_um=0.05, length_um=(2.0, 4.0),
                   width_um=1.0, touching=0.5, rng=0, **look):
    """A random field of cells: ``random_rods`` then ``render_rods``.

    Parameters
    ----------
    shape : tuple of int, optional
        ``(height, width)`` in pixels (default 512 x 512).
    n_cells : int, optional
        Number of cells (default 8).
    pixel_size_um, length_um, width_um, touching : optional
        As in ``random_rods``.
    rng : int or numpy.random.Generator, optional
        Seed or generator for every random draw (default 0).
    **look
        Passed to ``render_rods`` (``background``, ``cell_contrast``,
        ``halo``, ``n_debris``, ``noise``, ...).

    Returns
    -------
    image : ndarray of uint16, shape ``shape``
    mask : ndarray of int64, shape ``shape``
        0 background, 1 ... ``n_cells`` the cells.

    Raises
    ------
    TypeError, ValueError
        As ``random_rods`` and ``render_rods``; the message names the argument.

    Examples
    --------
    >>> image, mask = simulate_field((256, 256), n_cells=4, rng=7)
    >>> image.shape, int(mask.max())
    ((256, 256), 4)
    """
    rng = _as_generator(rng)
    rods = random_rods(n_cells, shape, pixel_size_um=pixel_size_um, length_um=length_um,
                       width_um=width_um, touching=touching, rng=rng)
    return render_rods(rods, shape, pixel_size_um=pixel_size_um, rng=rng, **look)


# A growing colony ------------------------------------------------------------------


def _closest_points(starts, ends):
    """Closest points between every pair of segments, in the plane (all segments of positive length).

    Returns ``(on_first, on_second)``, arrays of shape (n, n, 2): for the pair
    (i, j), the point of segment i nearest to segment j, and the point of
    segment j nearest to segment i.
    """
    p1, p2 = starts[:, None, :], starts[None, :, :]
    d1, d2 = (ends - starts)[:, None, :], (ends - starts)[None, :, :]
    r = p1 - p2
    a = (d1 * d1).sum(-1)
    e = (d2 * d2).sum(-1)
    b = (d1 * d2).sum(-1)
    c = (d1 * r).sum(-1)
    f = (d2 * r).sum(-1)
    denominator = a * e - b * b
    parallel = denominator < 1e-12 * a * e
    s = np.where(parallel, 0.0, np.clip((b * f - c * e) / np.where(parallel, 1.0, denominator), 0.0, 1.0))
    t = (b * s + f) / e
    below, above = t < 0, t > 1
    t = np.clip(t, 0.0, 1.0)
    s = np.where(below, np.clip(-c / a, 0.0, 1.0), np.where(above, np.clip((b - c) / a, 0.0, 1.0), s))
    return p1 + d1 * s[..., None], p2 + d2 * t[..., None]


def _relax(centres, angles, lengths, width, iterations=40):
    """Push overlapping rods apart (translation and rotation), in place; x right, y up, angles in radians."""
    n = len(centres)
    if n < 2:
        return
    for _ in range(iterations):
        half = (lengths - width) / 2
        axis = np.stack([np.cos(angles), np.sin(angles)], axis=1)
        on_first, on_second = _closest_points(centres - half[:, None] * axis, centres + half[:, None] * axis)
        gap = on_first - on_second
        distance = np.sqrt((gap * gap).sum(-1))
        overlap = width - distance
        np.fill_diagonal(overlap, 0.0)
        pushing = overlap > 1e-6
        if not pushing.any():
            return
        normal = np.where(distance[..., None] > 1e-9, gap / np.maximum(distance, 1e-9)[..., None],
                          np.array([0.0, 1.0]))
        force = np.where(pushing[..., None], 0.5 * overlap[..., None] * normal, 0.0)
        total = force.sum(axis=1)
        arm = on_first - centres[:, None, :]
        torque = (arm[..., 0] * force[..., 1] - arm[..., 1] * force[..., 0]).sum(axis=1)
        centres += 0.6 * total
        angles += 0.6 * torque / np.maximum(lengths * lengths / 12, width * width)


def simulate_colony(n_frames=20, shape=(320, 320), *, pixel_size_um=0.05, doubling_time=4.0,
                    birth_length_um=2.5, width_um=1.0, variability=0.1, rng=0, **look):
    """A time-lapse of one microcolony growing from a single cell, with its true lineage.

    Every cell grows exponentially in length, ``L(t) = L_birth * 2**(age /
    T)``, with its own doubling time ``T`` (``doubling_time`` with a relative
    spread of ``variability``), and divides when it has doubled, into two
    daughters end to end on its axis. After each growth step the cells are
    pushed apart where they overlap, so the colony packs into a monolayer
    much as real ones do. The number of cells therefore grows as
    ``2**(t / doubling_time)`` on average, which the course's growth-rate fit
    can recover.

    The scene (debris, rings, uneven lighting, background mottle) stays the
    same in every frame; only the camera noise changes.

    Parameters
    ----------
    n_frames : int, optional
        Number of frames, at least 1 (default 20).
    shape : tuple of int, optional
        ``(height, width)`` of each frame in pixels (default 320 x 320); the
        colony starts in the middle. Cells that grow out of the frame are
        cut off at the border (their masks too).
    pixel_size_um : float, optional
        Side of a pixel in µm (default 0.05).
    doubling_time : float, optional
        Mean doubling time in frames, positive (default 4).
    birth_length_um, width_um : float, optional
        Length of a newborn cell and width of every cell, in µm (defaults
        2.5 and 1.0); ``birth_length_um >= width_um``.
    variability : float, optional
        Relative spread (standard deviation) of each cell's doubling time
        and division length, between 0 and 0.5 (default 0.1).
    rng : int or numpy.random.Generator, optional
        Seed or generator for every random draw (default 0).
    **look
        Passed on to the renderer as in ``render_rods`` (``n_debris``,
        ``noise``, ...).

    Returns
    -------
    images : ndarray of uint16, shape (n_frames, H, W)
    masks : ndarray of int64, shape (n_frames, H, W)
        Linked instance masks: a cell keeps its label from birth to division;
        each daughter gets a new label.
    lineage : ndarray of int64, shape (n_cells, 4)
        One row per cell that lived in the movie, ``(label, first_frame,
        last_frame, parent)``, the format of the Cell Tracking Challenge's
        ``res_track.txt``; ``parent`` is 0 for the founder cell. A cell that
        has grown out of the frame is still listed, with no pixels in
        ``masks``.

    Raises
    ------
    TypeError, ValueError
        If an argument is invalid; the message names it.

    Examples
    --------
    >>> images, masks, lineage = simulate_colony(9, (200, 200), doubling_time=3.0, rng=1)
    >>> images.shape, masks.dtype
    ((9, 200, 200), dtype('int64'))
    >>> [len(np.unique(m)) - 1 for m in masks]     # cells per frame
    [1, 1, 1, 2, 2, 3, 4, 4, 5]
    >>> lineage[:3].tolist()                       # founder, then its two daughters
    [[1, 0, 2, 0], [2, 3, 4, 1], [3, 3, 5, 1]]
    """
    n_frames = check_int(n_frames, "n_frames", minimum=1)
    shape = check_shape(shape)
    pixel_size_um = _check_positive(pixel_size_um, "pixel_size_um")
    doubling_time = _check_positive(doubling_time, "doubling_time")
    birth_length_um = _check_positive(birth_length_um, "birth_length_um")
    width_um = _check_positive(width_um, "width_um")
    if birth_length_um < width_um:
        raise ValueError(f"`birth_length_um` ({birth_length_um} µm) must be at least `width_um` ({width_um} µm).")
    variability = check_number(variability, "variability", minimum=0, maximum=0.5)
    rng = _as_generator(rng)
    defaults = dict(background=10_000.0, cell_contrast=0.7, halo=1.6, psf_um=0.15, halo_um=0.9, shade_off=0.7,
                    n_debris=6, n_rings=2, illumination=0.08, texture=0.03, noise=0.015)
    unknown = sorted(set(look) - set(defaults))
    if unknown:
        raise TypeError(f"simulate_colony() got unexpected keyword argument(s) {', '.join(unknown)}.")
    # Check the look once, with the same rules as render_rods.
    render_rods([], (1, 1), pixel_size_um=pixel_size_um, **look)
    look = {**defaults, **look}
    scene_seed = int(rng.integers(2**63))

    def spread(size=None):
        return np.clip(1 + variability * rng.standard_normal(size), 0.5, 1.5)

    # State of the living cells, x to the right and y up, in µm.
    height_um, width_field_um = shape[0] * pixel_size_um, shape[1] * pixel_size_um
    centres = np.array([[width_field_um / 2, -height_um / 2]])
    angles = np.array([rng.uniform(0, np.pi)])
    lengths = np.array([birth_length_um * spread()])
    division = np.array([2 * birth_length_um * spread()])
    rates = np.array([np.log(2) / (doubling_time * spread())])
    labels = np.array([1])
    lineage = {1: [1, 0, 0, 0]}
    steps = 4

    images = np.empty((n_frames, *shape), dtype=np.uint16)
    masks = np.empty((n_frames, *shape), dtype=np.int64)
    for frame in range(n_frames):
        if frame > 0:
            for _ in range(steps):
                lengths = lengths * np.exp(rates / steps)
                dividing = np.flatnonzero(lengths >= division)
                if dividing.size:
                    keep = np.setdiff1d(np.arange(len(lengths)), dividing)
                    new = {"centres": [], "angles": [], "lengths": [], "division": [], "rates": [], "labels": []}
                    for i in dividing:
                        axis = np.array([np.cos(angles[i]), np.sin(angles[i])])
                        for sign in (-1, 1):
                            label = max(lineage) + 1
                            lineage[label] = [label, frame, frame, int(labels[i])]
                            new["centres"].append(centres[i] + sign * lengths[i] / 4 * axis)
                            new["angles"].append(angles[i] + rng.normal(0, 0.05))
                            new["lengths"].append(lengths[i] / 2)
                            new["division"].append(lengths[i] * spread())
                            new["rates"].append(np.log(2) / (doubling_time * spread()))
                            new["labels"].append(label)
                    centres = np.concatenate([centres[keep], np.array(new["centres"])])
                    angles = np.concatenate([angles[keep], new["angles"]])
                    lengths = np.concatenate([lengths[keep], new["lengths"]])
                    division = np.concatenate([division[keep], new["division"]])
                    rates = np.concatenate([rates[keep], new["rates"]])
                    labels = np.concatenate([labels[keep], new["labels"]])
                # The surface holds the colony together: cells drift a little towards
                # its centre, then are pushed apart where they overlap.
                towards = centres.mean(axis=0) - centres
                distance = np.sqrt((towards * towards).sum(axis=1, keepdims=True))
                centres += np.minimum(0.15 * width_um, distance) * towards / np.maximum(distance, 1e-9)
                _relax(centres, angles, lengths, width_um)
        rods = [Rod(-y, x, length, width_um, np.degrees(angle) % 360)
                for (x, y), angle, length in zip(centres, angles, lengths)]
        image, index = _render(rods, shape, pixel_size_um, np.random.default_rng(scene_seed), rng, **look)
        images[frame] = image
        masks[frame] = np.concatenate([[0], labels])[index]
        for label in labels:
            lineage[int(label)][2] = frame
    table = np.array([lineage[label] for label in sorted(lineage)], dtype=np.int64).reshape(-1, 4)
    return images, masks, table


def visible_lineage(masks, lineage):
    """The lineage as the frames show it: cells without pixels dropped, first and last frames where seen.

    ``simulate_colony`` lists every cell that lived, also one that grew out
    of the field; a tracker can only know what the masks show. This is the
    truth to score a tracker against.

    Parameters
    ----------
    masks : ndarray of int, shape (T, H, W)
        Linked masks, as ``simulate_colony`` returns them.
    lineage : ndarray of int, shape (N, 4)
        Rows ``(label, first_frame, last_frame, parent)``.

    Returns
    -------
    ndarray of int64, shape (M, 4)
        The rows of the cells that have pixels in ``masks``, with the first
        and last frames in which they do; a parent that never shows becomes 0.

    Examples
    --------
    >>> masks = np.zeros((3, 4, 4), dtype=int); masks[0, 0, 0] = 1; masks[1:, 0, 0] = 2
    >>> visible_lineage(masks, np.array([[1, 0, 0, 0], [2, 1, 2, 1], [3, 1, 2, 1]])).tolist()
    [[1, 0, 0, 0], [2, 1, 2, 1]]
    """
    frames = {}
    for t, frame in enumerate(np.asarray(masks)):
        for label in np.unique(frame[frame > 0]).tolist():
            frames.setdefault(label, []).append(t)
    rows = [[label, frames[label][0], frames[label][-1], parent if parent in frames else 0]
            for label, _, _, parent in np.asarray(lineage).tolist() if label in frames]
    return np.array(rows, dtype=np.int64).reshape(-1, 4)


# Another microscope (chapter 06) ---------------------------------------------------


def unknown_microscope_field(rng=0):
    """A simulated field "from another microscope", for chapter 06's judgement exercise.

    Chapter 06 estimates the pixel size of its real data from the width of
    the cells. This field asks for the same estimate, and for a typical
    cell length, on images whose numbers differ from the course's data:
    the pixel size is not 0.05 µm, and the cells (*E. coli*, 1 µm wide)
    are longer. The exercise wants them read off the picture; the values
    are in this function's code, and ``simulate_field`` does the work.

    Parameters
    ----------
    rng : int or numpy.random.Generator, optional
        Seed or generator (default 0); every seed gives another field of
        the same kind.

    Returns
    -------
    image : ndarray of uint16, shape (400, 400)
    mask : ndarray of int64, shape (400, 400)
        The ground truth: 0 background, 1 ... 12 the cells.

    Examples
    --------
    >>> image, mask = unknown_microscope_field(3)
    >>> image.shape, int(mask.max())
    ((400, 400), 12)
    """
    return simulate_field((400, 400), n_cells=12, pixel_size_um=0.065, length_um=(3.0, 6.0), touching=0.3, rng=rng)
