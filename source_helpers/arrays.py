"""Array housekeeping: channel axes, channel order, bit depth and normalization.

Chapter 02 teaches what lives here, one idea per function:

- ``add_channel_axis`` / ``remove_channel_axis``: ``(H, W)`` to ``(H, W, 1)``
  and back.
- ``hwc_to_chw`` / ``chw_to_hwc``: channels-last (NumPy, matplotlib,
  scikit-image, OpenCV, PIL) to channels-first (PyTorch) and back;
  ``guess_channel_order`` and ``check_channel_order`` spot the usual mix-up
  and say how to fix it.
- ``rgb_to_gray``: ``uint8`` RGB to float64 luminance in [0, 1].
- ``dtype_range`` and ``saturating_add``: the values an integer type can hold,
  and addition that stops at the top instead of wrapping around.
- ``normalize_minmax``, ``normalize_percentile`` and ``normalize_to_range``:
  intensities mapped to [0, 1] or to any other range.

Every function validates its input up front and never modifies it. The
normalization functions accept integer and float images alike: they convert
to float64 *before* any arithmetic (so integer input can neither overflow nor
be divided as integers) and always return float64. An image whose values are
all equal carries no contrast to stretch; they map it to all zeros (or to the
lower end of the requested range) instead of dividing by zero.
"""

import numpy as np

from ._validation import _describe, check_array, check_number
from .exercises import reference

__all__ = [
    "add_channel_axis",
    "remove_channel_axis",
    "guess_channel_order",
    "check_channel_order",
    "hwc_to_chw",
    "chw_to_hwc",
    "rgb_to_gray",
    "LUMINANCE_WEIGHTS",
    "dtype_range",
    "saturating_add",
    "normalize_minmax",
    "normalize_percentile",
    "normalize_to_range",
]

#: Weights of R, G and B in the luminance, as ``skimage.color.rgb2gray`` uses them.
LUMINANCE_WEIGHTS = (0.2125, 0.7154, 0.0721)

# A channel axis is short; an image side is not. Used only to *guess* the order.
_MAX_CHANNELS = 4


def _check_ndim(image, name, ndim, layout):
    check_array(image, name)
    if image.ndim != ndim:
        raise ValueError(f"`{name}` must be {ndim}-D {layout}; got shape {image.shape}.")
    return image


def _check_finite(image, name):
    if image.dtype.kind == "f" and not np.isfinite(image).all():
        raise ValueError(
            f"`{name}` holds NaN or infinity; normalization needs finite values. "
            f"Replace them first, e.g. np.nan_to_num({name})."
        )


@reference("02-dtypes-and-channels")
def add_channel_axis(image):
    """Give a grayscale image an explicit channel axis: ``(H, W)`` to ``(H, W, 1)``.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        Grayscale image of any dtype.

    Returns
    -------
    ndarray, shape (H, W, 1)
        The same values and dtype (a view of ``image``, no copy).

    Raises
    ------
    ValueError
        If ``image`` is not 2-D, e.g. already ``(H, W, 1)`` or RGB.

    Examples
    --------
    >>> row = np.arange(4, dtype=np.uint16).reshape(1, 4)
    >>> add_channel_axis(row).shape
    (1, 4, 1)
    """
    check_array(image, "image")
    if image.ndim != 2:
        hint = ""
        if image.ndim == 3:
            hint = " It already has a third axis: is it already (H, W, C)?"
        raise ValueError(f"`image` must be 2-D (H, W); got shape {image.shape}.{hint}")
    return image[..., np.newaxis]


def remove_channel_axis(image):
    """Drop a channel axis of length 1: ``(H, W, 1)`` to ``(H, W)``.

    Parameters
    ----------
    image : ndarray, shape (H, W, 1)

    Returns
    -------
    ndarray, shape (H, W)
        The same values and dtype (a view of ``image``).

    Raises
    ------
    ValueError
        If ``image`` is not 3-D or its last axis is not of length 1.

    Examples
    --------
    >>> remove_channel_axis(np.zeros((4, 5, 1))).shape
    (4, 5)
    """
    _check_ndim(image, "image", 3, "(H, W, 1)")
    if image.shape[-1] != 1:
        hint = ""
        if image.shape[0] == 1:
            hint = " The axis of length 1 is first (1, H, W): use image[0] instead."
        elif image.shape[-1] in (3, 4):
            hint = " It has 3 or 4 channels (RGB/RGBA): convert to grayscale with rgb_to_gray instead."
        raise ValueError(
            f"`image` must have a last axis of length 1 (H, W, 1); got shape {image.shape}.{hint}"
        )
    return image[..., 0]


def guess_channel_order(image):
    """Guess whether a 3-D image is channels-last or channels-first.

    A channel axis is short (1 to 4 entries: gray, RGB, RGBA) and image sides
    are longer. The guess is ``"HWC"`` when only the last axis is short,
    ``"CHW"`` when only the first axis is short, and ``None`` when the shape
    does not tell (both or neither are short, e.g. ``(3, 3, 3)`` or
    ``(10, 20, 30)``).

    Parameters
    ----------
    image : ndarray, 3-D

    Returns
    -------
    {"HWC", "CHW", None}

    Raises
    ------
    ValueError
        If ``image`` is not 3-D.

    Examples
    --------
    >>> guess_channel_order(np.zeros((512, 512, 3)))
    'HWC'
    >>> guess_channel_order(np.zeros((3, 512, 512)))
    'CHW'
    >>> print(guess_channel_order(np.zeros((3, 4, 3))))
    None
    """
    _check_ndim(image, "image", 3, "(H, W, C) or (C, H, W)")
    first_short = image.shape[0] <= _MAX_CHANNELS
    last_short = image.shape[-1] <= _MAX_CHANNELS
    if last_short and not first_short:
        return "HWC"
    if first_short and not last_short:
        return "CHW"
    return None


def check_channel_order(image, order, *, name="image"):
    """Raise a helpful error when ``image`` clearly has the other channel order.

    Only an unambiguous shape (see ``guess_channel_order``) can fail: a
    ``(3, 3, 3)`` image passes either way.

    Parameters
    ----------
    image : ndarray, 3-D
    order : {"HWC", "CHW"}
        The order the caller expects.
    name : str, optional
        The argument's name, used in the message.

    Returns
    -------
    ndarray
        ``image`` itself, so calls can be chained.

    Raises
    ------
    ValueError
        If ``order`` is neither ``"HWC"`` nor ``"CHW"``, if ``image`` is not
        3-D, or if its shape says it has the other order. The message names
        the conversion that fixes it.

    Examples
    --------
    >>> check_channel_order(np.zeros((64, 48, 3)), "HWC").shape
    (64, 48, 3)
    >>> check_channel_order(np.zeros((3, 64, 48)), "HWC")
    Traceback (most recent call last):
    ...
    ValueError: `image` must be channels-last (H, W, C); got shape (3, 64, 48), which looks channels-first (C, H, W). Convert it with chw_to_hwc(image) or np.moveaxis(image, 0, -1).
    """
    if order not in ("HWC", "CHW"):
        raise ValueError(f'`order` must be "HWC" or "CHW"; got {_describe(order)}.')
    check_array(image, name)
    if image.ndim != 3:
        hint = " A grayscale image needs a channel axis first: add_channel_axis(image)." if image.ndim == 2 else ""
        raise ValueError(f"`{name}` must be 3-D ({order[0]}, {order[1]}, {order[2]}); got shape {image.shape}.{hint}")
    guess = guess_channel_order(image)
    if guess is None or guess == order:
        return image
    if order == "HWC":
        raise ValueError(
            f"`{name}` must be channels-last (H, W, C); got shape {image.shape}, which looks "
            f"channels-first (C, H, W). Convert it with chw_to_hwc({name}) or np.moveaxis({name}, 0, -1)."
        )
    raise ValueError(
        f"`{name}` must be channels-first (C, H, W); got shape {image.shape}, which looks "
        f"channels-last (H, W, C). Convert it with hwc_to_chw({name}) or np.moveaxis({name}, -1, 0)."
    )


@reference("02-dtypes-and-channels")
def hwc_to_chw(image):
    """Move the channel axis to the front: ``(H, W, C)`` to ``(C, H, W)``.

    ``result[c, row, col] == image[row, col, c]`` for every pixel and
    channel; any number of channels.

    Parameters
    ----------
    image : ndarray, shape (H, W, C)

    Returns
    -------
    ndarray, shape (C, H, W)
        A view of ``image`` with the axes reordered (same dtype).

    Raises
    ------
    ValueError
        If ``image`` is not 3-D, or its shape clearly says it is channels-first
        already (see ``check_channel_order``).

    Examples
    --------
    >>> hwc_to_chw(np.zeros((480, 640, 3))).shape
    (3, 480, 640)
    """
    check_channel_order(image, "HWC")
    return np.moveaxis(image, -1, 0)


@reference("02-dtypes-and-channels")
def chw_to_hwc(image):
    """Move the channel axis to the end: ``(C, H, W)`` to ``(H, W, C)``.

    ``result[row, col, c] == image[c, row, col]`` for every pixel and
    channel; any number of channels.

    Parameters
    ----------
    image : ndarray, shape (C, H, W)

    Returns
    -------
    ndarray, shape (H, W, C)
        A view of ``image`` with the axes reordered (same dtype).

    Raises
    ------
    ValueError
        If ``image`` is not 3-D, or its shape clearly says it is channels-last
        already (see ``check_channel_order``).

    Examples
    --------
    >>> chw_to_hwc(np.zeros((3, 480, 640))).shape
    (480, 640, 3)
    """
    check_channel_order(image, "CHW")
    return np.moveaxis(image, 0, -1)


@reference("02-dtypes-and-channels")
def rgb_to_gray(image):
    """Luminance of an 8-bit RGB image, as float64 in [0, 1].

    ``gray = 0.2125 R + 0.7154 G + 0.0721 B`` after dividing the 0-255 values
    by 255: the weights ``skimage.color.rgb2gray`` uses, so both agree.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), dtype uint8

    Returns
    -------
    ndarray, shape (H, W), dtype float64
        Values in [0, 1]; 0 is black, 1 is white.

    Raises
    ------
    ValueError
        If ``image`` is not ``(H, W, 3)`` (channels-first and RGBA images
        get a hint).
    TypeError
        If ``image`` is not ``uint8``.

    Examples
    --------
    >>> pixels = np.array([[[0, 255, 0], [0, 0, 0]]], dtype=np.uint8)
    >>> rgb_to_gray(pixels)
    array([[0.7154, 0.    ]])
    """
    check_array(image, "image")
    if image.ndim != 3 or image.shape[-1] != 3:
        hint = ""
        if image.ndim == 3 and image.shape[0] == 3:
            hint = " Channels-first (3, H, W)? Convert with chw_to_hwc(image)."
        elif image.ndim == 3 and image.shape[-1] == 4:
            hint = " RGBA? Drop the alpha channel with image[..., :3]."
        elif image.ndim == 2:
            hint = " It is already grayscale."
        raise ValueError(f"`image` must be RGB of shape (H, W, 3); got shape {image.shape}.{hint}")
    if image.dtype != np.uint8:
        raise TypeError(
            f"`image` must be uint8 (values 0-255); got dtype {image.dtype}. For a float RGB "
            "image in [0, 1] use skimage.color.rgb2gray."
        )
    return (image / 255.0) @ np.array(LUMINANCE_WEIGHTS)


def dtype_range(dtype, *, bits=None):
    """Smallest and largest value an image of this dtype holds.

    Integer types give their full range (``np.iinfo``), or ``0`` to
    ``2**bits - 1`` when ``bits`` says how many bits a camera really uses
    (12-bit data in a ``uint16`` container: ``bits=12``). Float types give
    ``(0.0, 1.0)``, the convention of scikit-image for float images.

    Parameters
    ----------
    dtype : dtype-like
        E.g. ``np.uint8``, ``"uint16"``, ``image.dtype``.
    bits : int, optional
        Significant bits of unsigned integer data; at most the dtype's size.

    Returns
    -------
    (int, int) or (float, float)

    Raises
    ------
    TypeError
        If ``dtype`` is not a numeric NumPy dtype, or ``bits`` is given for a
        signed or float dtype.
    ValueError
        If ``bits`` is not between 1 and the dtype's number of bits.

    Examples
    --------
    >>> dtype_range(np.uint8)
    (0, 255)
    >>> dtype_range(np.uint16, bits=12)
    (0, 4095)
    >>> dtype_range(np.float32)
    (0.0, 1.0)
    """
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"`dtype` must be a NumPy dtype such as np.uint8; got {_describe(dtype)}.") from None
    if dtype.kind == "f":
        if bits is not None:
            raise TypeError("`bits` only applies to unsigned integer dtypes.")
        return (0.0, 1.0)
    if dtype.kind not in "ui":
        raise TypeError(f"`dtype` must be an integer or float dtype; got {dtype}.")
    info = np.iinfo(dtype)
    if bits is None:
        return (int(info.min), int(info.max))
    if dtype.kind != "u":
        raise TypeError(f"`bits` only applies to unsigned integer dtypes; got {dtype}.")
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)) or not 1 <= bits <= info.bits:
        raise ValueError(f"`bits` must be a whole number from 1 to {info.bits} for {dtype}; got {bits!r}.")
    return (0, 2 ** int(bits) - 1)


@reference("02-dtypes-and-channels")
def saturating_add(a, b):
    """Add two ``uint8`` images, stopping at 255 instead of wrapping around.

    Plain ``a + b`` on ``uint8`` wraps: ``200 + 100`` gives ``44`` (300 - 256).
    Here the sum is computed in a wider type and clipped to 255.

    Parameters
    ----------
    a, b : ndarray, dtype uint8, same shape

    Returns
    -------
    ndarray, dtype uint8
        ``min(a + b, 255)`` pixel by pixel; a new array.

    Raises
    ------
    TypeError
        If either image is not ``uint8``.
    ValueError
        If the shapes differ.

    Examples
    --------
    >>> a = np.array([250, 30, 0], dtype=np.uint8)
    >>> saturating_add(a, np.array([10, 30, 5], dtype=np.uint8))
    array([255,  60,   5], dtype=uint8)
    """
    for value, name in ((a, "a"), (b, "b")):
        check_array(value, name)
        if value.dtype != np.uint8:
            raise TypeError(
                f"`{name}` must be uint8; got dtype {value.dtype}. Convert 0-255 data with "
                f"{name}.astype(np.uint8) after clipping, or add other types with np.add and np.clip."
            )
    if a.shape != b.shape:
        raise ValueError(f"`a` and `b` must have the same shape; got {a.shape} and {b.shape}.")
    return np.minimum(a.astype(np.uint16) + b, 255).astype(np.uint8)


@reference("02-dtypes-and-channels")
def normalize_minmax(image):
    """Stretch an image linearly so that its minimum becomes 0 and its maximum 1.

    ``(image - min) / (max - min)``, computed in float64.

    Parameters
    ----------
    image : ndarray
        Any shape; integer, float or bool values.

    Returns
    -------
    ndarray, dtype float64
        Same shape, values in [0, 1]. A constant image (``max == min``) has no
        contrast to stretch and gives all zeros. Integer input is converted
        to float64 first, so ``uint8`` or ``uint16`` data cannot overflow.

    Raises
    ------
    ValueError
        If ``image`` is empty or holds NaN or infinity.

    Examples
    --------
    >>> normalize_minmax(np.array([10, 20, 30], dtype=np.uint8))
    array([0. , 0.5, 1. ])
    >>> normalize_minmax(np.full((2, 2), 7))
    array([[0., 0.],
           [0., 0.]])
    """
    check_array(image, "image")
    _check_finite(image, "image")
    image = image.astype(np.float64)
    low, high = image.min(), image.max()
    if high == low:
        return np.zeros_like(image)
    return (image - low) / (high - low)


@reference("02-dtypes-and-channels")
def normalize_percentile(image, low=1.0, high=99.0):
    """Map the ``low`` percentile to 0 and the ``high`` percentile to 1, clipping outside.

    Min-max normalization lets a few extreme pixels (a hot pixel, a dust
    particle) decide the scale for all others. Percentiles ignore them: the
    values between the two percentiles are stretched linearly, values below
    become 0 and values above become 1.

    Parameters
    ----------
    image : ndarray
        Any shape; integer, float or bool values.
    low, high : float, optional
        Percentiles between 0 and 100, ``low < high`` (default 1 and 99).
        Computed with ``np.percentile``'s default (linear interpolation).

    Returns
    -------
    ndarray, dtype float64
        Same shape, values in [0, 1]. When both percentiles have the same
        value (e.g. a constant image, or one that is mostly one value) the
        result is all zeros. Integer input is converted to float64 first.

    Raises
    ------
    ValueError
        If ``image`` is empty or holds NaN or infinity, if a percentile is
        outside [0, 100], or if ``low >= high``.

    Examples
    --------
    >>> image = np.array([0, 10, 20, 30, 40, 1000])
    >>> normalize_percentile(image, 0, 80)
    array([0.  , 0.25, 0.5 , 0.75, 1.  , 1.  ])
    """
    check_array(image, "image")
    _check_finite(image, "image")
    low = check_number(low, "low", minimum=0, maximum=100)
    high = check_number(high, "high", minimum=0, maximum=100)
    if low >= high:
        raise ValueError(
            f"`low` must be smaller than `high`; got low={low} and high={high}. "
            "Did you swap them? The low percentile maps to 0, the high one to 1."
        )
    image = image.astype(np.float64)
    p_low, p_high = np.percentile(image, [low, high])
    if p_high == p_low:
        return np.zeros_like(image)
    return np.clip((image - p_low) / (p_high - p_low), 0.0, 1.0)


def normalize_to_range(image, out_min, out_max, *, low=None, high=None):
    """Stretch an image linearly onto ``[out_min, out_max]``.

    Without ``low``/``high`` the image's minimum goes to ``out_min`` and its
    maximum to ``out_max`` (min-max normalization). With them, the ``low``
    and ``high`` percentiles do, and values outside are clipped
    (percentile normalization).

    Parameters
    ----------
    image : ndarray
        Any shape; integer, float or bool values.
    out_min, out_max : float
        The target range, ``out_min < out_max``; e.g. ``0, 255`` or ``-1, 1``.
    low, high : float, optional
        Percentiles (0 to 100) to use instead of the minimum and maximum;
        give both or neither.

    Returns
    -------
    ndarray, dtype float64
        Same shape, values in ``[out_min, out_max]``. A constant image gives
        ``out_min`` everywhere. Round and convert yourself if you need
        integers, e.g. ``np.round(result).astype(np.uint8)`` for 0-255.

    Raises
    ------
    ValueError
        If ``out_min >= out_max``, if only one of ``low``/``high`` is given,
        or for any reason ``normalize_minmax`` or ``normalize_percentile``
        would raise.

    Examples
    --------
    >>> normalize_to_range(np.array([0, 5, 10]), 0, 99)
    array([ 0. , 49.5, 99. ])
    >>> normalize_to_range(np.array([2, 4]), -1, 1)
    array([-1.,  1.])
    """
    out_min = check_number(out_min, "out_min")
    out_max = check_number(out_max, "out_max")
    if out_min >= out_max:
        raise ValueError(f"`out_min` must be smaller than `out_max`; got {out_min} and {out_max}.")
    if (low is None) != (high is None):
        raise ValueError("Give both `low` and `high` percentiles, or neither (min-max normalization).")
    if low is None:
        unit = normalize_minmax(image)
    else:
        unit = normalize_percentile(image, low, high)
    return out_min + unit * (out_max - out_min)
