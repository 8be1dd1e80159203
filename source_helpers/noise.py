"""Seeded noise models for binary masks, and how big a speckle is.

Chapter 05 models noise in a segmentation (cell debris, dust, uneven
illumination) as isolated foreground pixels sprinkled over a binary mask:

- ``add_salt_noise``: every pixel independently becomes 1 with probability
  ``p``; the correct model, drawn from a ``numpy.random.Generator``.
- ``salt_noise_by_truncation``: the form ``(c * rng.random(shape)).astype(int)``
  the course's source used, kept for the "spot the bug" demonstration.
- ``true_noise_probability``: the probability that form really has,
  ``1 - 1/c`` (not ``c - 1``).
- ``erosions_to_remove``: how many erosions with the cross (the structuring
  element of ``remove_speckles``) a speck needs before it vanishes.
- ``add_dust``: specks of a few pixels (single pixels, 2x2 and 3x3 squares),
  the debris that a single erosion does not remove.
- ``roughen_outline``: ragged object outlines, as a threshold leaves them.

Every random draw comes from the ``rng`` argument, never from NumPy's global
state, so the same seed gives the same noise. Inputs are never modified.
"""

import numpy as np
from scipy import ndimage as ndi

from ._validation import check_binary, check_int, check_number, check_rng, check_shape
from .exercises import reference

__all__ = [
    "add_salt_noise",
    "salt_noise_by_truncation",
    "true_noise_probability",
    "erosions_to_remove",
    "add_dust",
    "roughen_outline",
]


def _check_factor(c):
    """``c`` of the truncation form: a number with ``1 <= c < 2``."""
    c = check_number(c, "c", minimum=1)
    if c >= 2:
        raise ValueError(
            f"`c` must be below 2; got {c}. With c >= 2, (c * u).astype(int) can be 2 or more, "
            "so it is no longer a 0/1 mask."
        )
    return c



@reference("05-noise")
def add_salt_noise(binary, p, rng):
    """Sprinkle foreground pixels: each pixel independently becomes 1 with probability ``p``.

    Pixels that are not hit keep their value, so the foreground is never
    removed. The draw is ``rng.random(binary.shape) < p``: a uniform number in
    [0, 1) is below ``p`` with probability exactly ``p``.

    Parameters
    ----------
    binary : ndarray, shape (H, W)
        Mask holding only 0/1 or False/True; not modified.
    p : float
        Probability that a pixel is switched on, ``0 <= p <= 1``.
    rng : numpy.random.Generator
        Source of all randomness, e.g. ``np.random.default_rng(seed)``: the
        same seed gives the same noise.

    Returns
    -------
    noisy : ndarray, shape (H, W)
        A new array of the same dtype as ``binary``.

    Raises
    ------
    TypeError
        If ``binary`` is not a numeric array, ``p`` not a number or ``rng``
        not a ``numpy.random.Generator``.
    ValueError
        If ``binary`` is empty, not 2-D (e.g. RGB) or not binary, or ``p`` is
        outside [0, 1].

    Examples
    --------
    >>> mask = np.zeros((4, 6), dtype=np.int64)
    >>> mask[1:3, 1:3] = 1
    >>> add_salt_noise(mask, 0.2, np.random.default_rng(3))
    array([[1, 0, 0, 0, 1, 0],
           [0, 1, 1, 1, 0, 0],
           [0, 1, 1, 0, 0, 0],
           [0, 0, 1, 0, 0, 0]])
    >>> mask.sum()     # the input is untouched
    np.int64(4)
    """
    check_binary(binary, "binary")
    p = check_number(p, "p", minimum=0, maximum=1)
    rng = check_rng(rng, "rng")
    noisy = binary.copy()
    noisy[rng.random(binary.shape) < p] = 1
    return noisy


def salt_noise_by_truncation(shape, c, rng):
    """Noise made as ``(c * rng.random(shape)).astype(int)``, the source's form.

    ``astype(int)`` truncates, so a pixel is 1 exactly when ``c * u >= 1``,
    i.e. ``u >= 1/c``: the probability is ``1 - 1/c`` (see
    ``true_noise_probability``), not ``c - 1``. Prefer ``add_salt_noise``;
    this function exists to show the difference.

    Parameters
    ----------
    shape : tuple of int
        ``(height, width)`` of the noise image.
    c : float
        The factor, ``1 <= c < 2``.
    rng : numpy.random.Generator
        Source of all randomness.

    Returns
    -------
    noise : ndarray of int64, shape ``shape``
        0 and 1.

    Raises
    ------
    TypeError
        If ``shape`` is not a pair of whole numbers, ``c`` not a number or
        ``rng`` not a ``numpy.random.Generator``.
    ValueError
        If ``shape`` has a size below 1 or ``c`` is outside [1, 2).

    Examples
    --------
    >>> noise = salt_noise_by_truncation((1000, 1000), 1.1, np.random.default_rng(0))
    >>> noise.dtype, sorted(np.unique(noise).tolist())
    (dtype('int64'), [0, 1])
    >>> round(float(noise.mean()), 3)     # 1 - 1/1.1 = 0.0909..., not 0.1
    0.091
    """
    shape = check_shape(shape)
    c = _check_factor(c)
    rng = check_rng(rng, "rng")
    return (c * rng.random(shape)).astype(np.int64)


@reference("05-noise")
def true_noise_probability(c):
    """Probability that ``(c * u).astype(int)`` is 1 for ``u`` uniform in [0, 1).

    The value is 1 when ``c * u >= 1``, i.e. ``u >= 1/c``, which happens with
    probability ``1 - 1/c``. For ``c = 1.1`` that is 0.0909..., not 0.1.

    Parameters
    ----------
    c : float
        The factor, ``1 <= c < 2`` (for larger ``c`` the value can be 2).

    Returns
    -------
    probability : float

    Raises
    ------
    TypeError
        If ``c`` is not a number.
    ValueError
        If ``c`` is outside [1, 2) or not finite.

    Examples
    --------
    >>> true_noise_probability(1.25)
    0.19999999999999996
    >>> true_noise_probability(1)
    0.0
    """
    c = _check_factor(c)
    return 1.0 - 1.0 / c


@reference("05-noise")
def erosions_to_remove(binary):
    """How many erosions with the cross make the whole foreground vanish.

    One erosion with ``scipy.ndimage``'s default structuring element (a pixel
    and its 4 edge neighbours) deletes every foreground pixel that has a
    background pixel, or the outside of the image, as an edge neighbour. A
    pixel therefore survives ``k`` erosions exactly when all pixels within
    ``k`` steps along rows and columns (city-block distance ``k``) are
    foreground, and the answer is the largest city-block distance from a
    foreground pixel to the background, the outside counting as background.

    ``remove_speckles(binary, k)`` deletes a speck if and only if
    ``erosions_to_remove(speck) <= k``: a square speck of side ``s`` needs
    ``ceil(s / 2)`` iterations, a single pixel 1.

    Parameters
    ----------
    binary : ndarray, shape (H, W)
        Mask holding only 0/1 or False/True.

    Returns
    -------
    k : int
        The smallest number of erosions after which nothing is left; 0 for a
        mask without foreground.

    Raises
    ------
    TypeError
        If ``binary`` is not a numeric array.
    ValueError
        If ``binary`` is empty, not 2-D (e.g. RGB) or not binary.

    Examples
    --------
    >>> speck = np.zeros((9, 9), dtype=int)
    >>> speck[2:7, 2:7] = 1          # a 5x5 square: ceil(5 / 2) = 3
    >>> erosions_to_remove(speck)
    3
    >>> erosions_to_remove(np.ones((6, 3)))   # the border counts as background
    2
    """
    binary = check_binary(binary, "binary")
    if not binary.any():
        return 0
    padded = np.pad(binary, 1, constant_values=False)
    return int(ndi.distance_transform_cdt(padded, metric="taxicab").max())


def add_dust(binary, p, rng, *, sizes=(1, 2, 3)):
    """Sprinkle square specks of dust: each pixel starts a speck with probability ``p``.

    Every pixel independently becomes, with probability ``p``, the top-left
    corner of a square speck whose side is drawn uniformly from ``sizes``;
    specks that overlap merge into larger clumps, and parts beyond the image
    are dropped. Pixels outside all specks keep their value, so the
    foreground is never removed. A square speck of side ``s`` needs
    ``ceil(s / 2)`` erosions with the cross to vanish (see
    ``erosions_to_remove``).

    Parameters
    ----------
    binary : ndarray, shape (H, W)
        Mask holding only 0/1 or False/True; not modified.
    p : float
        Probability that a pixel starts a speck, ``0 <= p <= 1``.
    rng : numpy.random.Generator
        Source of all randomness: the same seed gives the same dust.
    sizes : sequence of int, optional
        Possible sides of the specks, each at least 1 (default 1, 2 and 3).

    Returns
    -------
    dusty : ndarray, shape (H, W)
        A new array of the same dtype as ``binary``.

    Raises
    ------
    TypeError
        If ``binary`` is not a numeric array, ``p`` not a number, ``rng`` not
        a ``numpy.random.Generator`` or a size not a whole number.
    ValueError
        If ``binary`` is empty, not 2-D or not binary, ``p`` is outside
        [0, 1], or ``sizes`` is empty or holds a size below 1.

    Examples
    --------
    >>> dusty = add_dust(np.zeros((6, 10), dtype=int), 0.03, np.random.default_rng(12))
    >>> dusty          # a single pixel and a 3x3 speck
    array([[0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
           [1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 1, 1, 1, 0],
           [0, 0, 0, 0, 0, 0, 1, 1, 1, 0],
           [0, 0, 0, 0, 0, 0, 1, 1, 1, 0]])
    """
    check_binary(binary, "binary")
    p = check_number(p, "p", minimum=0, maximum=1)
    rng = check_rng(rng, "rng")
    if not isinstance(sizes, (list, tuple, np.ndarray)):
        raise TypeError(
            f"`sizes` must be a list or tuple of whole numbers; got {type(sizes).__name__} {sizes!r:.60}."
        )
    sizes = [check_int(size, f"sizes[{i}]", minimum=1) for i, size in enumerate(sizes)]
    if not sizes:
        raise ValueError("`sizes` must hold at least one size; got an empty sequence.")
    starts = rng.random(binary.shape) < p
    side = np.asarray(sizes)[rng.integers(len(sizes), size=binary.shape)]
    height, width = binary.shape
    dust = np.zeros(binary.shape, dtype=bool)
    for size in sorted(set(sizes)):
        seeds = starts & (side == size)
        for dr in range(min(size, height)):
            for dc in range(min(size, width)):
                dust[dr:, dc:] |= seeds[:height - dr, :width - dc]
    dusty = binary.copy()
    dusty[dust] = 1
    return dusty


def roughen_outline(binary, p, rng):
    """Make object outlines ragged: flip pixels on both sides of every outline with probability ``p``.

    A threshold rarely follows a cell's outline exactly. This models it:
    every foreground pixel with a background pixel among its 4 edge
    neighbours is switched off, and every background pixel with a
    foreground edge neighbour switched on, each independently with
    probability ``p``. The edge of the image is not an outline: objects cut
    by the border keep a straight cut.

    Parameters
    ----------
    binary : ndarray, shape (H, W)
        Mask holding only 0/1 or False/True; not modified.
    p : float
        Probability that an outline pixel flips, ``0 <= p <= 1``.
    rng : numpy.random.Generator
        Source of all randomness: the same seed gives the same outline.

    Returns
    -------
    ragged : ndarray of bool, shape (H, W)

    Raises
    ------
    TypeError
        If ``binary`` is not a numeric array, ``p`` not a number or ``rng``
        not a ``numpy.random.Generator``.
    ValueError
        If ``binary`` is empty, not 2-D or not binary, or ``p`` is outside [0, 1].

    Examples
    --------
    >>> square = np.zeros((7, 7), dtype=int)
    >>> square[1:6, 1:6] = 1
    >>> roughen_outline(square, 0.3, np.random.default_rng(0)).astype(int)
    array([[0, 1, 1, 1, 0, 0, 0],
           [0, 1, 1, 1, 0, 1, 1],
           [0, 0, 1, 1, 1, 1, 1],
           [1, 1, 1, 1, 1, 1, 0],
           [0, 1, 1, 1, 1, 1, 0],
           [0, 1, 1, 1, 1, 1, 0],
           [0, 0, 0, 0, 1, 0, 0]])
    """
    binary = check_binary(binary, "binary")
    p = check_number(p, "p", minimum=0, maximum=1)
    rng = check_rng(rng, "rng")
    inner = binary & ~ndi.binary_erosion(binary, border_value=1)
    outer = ndi.binary_dilation(binary) & ~binary
    flip = rng.random(binary.shape) < p
    return binary ^ ((inner | outer) & flip)
