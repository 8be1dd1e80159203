"""Shared input checks for every public function of the helper package.

Each check raises ``TypeError`` or ``ValueError`` with a message that names
the argument, shows what arrived and, where a usual mistake explains it,
suggests the fix. Checks return the validated value so callers can write
``image = check_2d(image, "image")``.
"""

import numbers
import os
from pathlib import Path

import numpy as np


def _describe(value):
    """Short description of what arrived, for error messages."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    return f"{type(value).__name__} {value!r}"[:120]


def check_array(value, name):
    """Require a NumPy array with at least one element."""
    if not isinstance(value, np.ndarray):
        raise TypeError(
            f"`{name}` must be a NumPy array; got {_describe(value)}. "
            f"Try np.asarray({name})."
        )
    if value.size == 0:
        raise ValueError(f"`{name}` is empty (shape {value.shape}); an image needs at least one pixel.")
    if value.dtype == object or not (
        np.issubdtype(value.dtype, np.number) or value.dtype == bool
    ):
        raise TypeError(f"`{name}` must hold numbers or booleans; got dtype {value.dtype}.")
    return value


def check_2d(value, name):
    """Require a 2-D ``(H, W)`` array, with a hint for the usual 3-D mix-ups."""
    check_array(value, name)
    if value.ndim == 2:
        return value
    hint = ""
    if value.ndim == 3 and value.shape[-1] in (3, 4):
        hint = " It looks like an RGB(A) image (H, W, C): convert it to grayscale first, e.g. skimage.color.rgb2gray."
    elif value.ndim == 3 and value.shape[-1] == 1:
        hint = f" It has a channel axis of length 1: drop it with {name}[..., 0]."
    elif value.ndim == 3 and value.shape[0] in (1, 3, 4):
        hint = f" Channels-first (C, H, W)? Try np.moveaxis({name}, 0, -1)."
    raise ValueError(f"`{name}` must be 2-D (H, W); got shape {value.shape}.{hint}")


def check_2d_or_3d(value, name):
    """Require a 2-D ``(H, W)`` or 3-D ``(H, W, C)`` array."""
    check_array(value, name)
    if value.ndim not in (2, 3):
        raise ValueError(f"`{name}` must be 2-D (H, W) or 3-D (H, W, C); got shape {value.shape}.")
    return value


def check_hwc(value, name):
    """Require a channels-last ``(H, W, C)`` array, suggesting the fix for ``(C, H, W)``."""
    check_array(value, name)
    if value.ndim != 3:
        raise ValueError(f"`{name}` must be 3-D (H, W, C); got shape {value.shape}.")
    if value.shape[0] <= 4 < min(value.shape[1], value.shape[2]) and value.shape[2] > 4:
        raise ValueError(
            f"`{name}` must be channels-last (H, W, C); got shape {value.shape}, which looks "
            f"channels-first (C, H, W). Try np.moveaxis({name}, 0, -1)."
        )
    return value


def check_binary(value, name):
    """Require a 2-D mask holding only 0/1 (or False/True); return it as bool."""
    check_2d(value, name)
    if value.dtype == bool:
        return value
    values = np.unique(value)
    if not np.isin(values, (0, 1)).all():
        shown = ", ".join(str(v) for v in values[:6])
        raise ValueError(
            f"`{name}` must be binary (only 0 and 1); got values {shown}"
            f"{', ...' if values.size > 6 else ''}. Threshold it first, e.g. {name} > 0."
        )
    return value.astype(bool)


def check_labels(value, name):
    """Require a 2-D label image: integer dtype, no negative labels."""
    if isinstance(value, np.ndarray) and value.ndim == 3 and value.shape[-1] in (3, 4):
        raise ValueError(
            f"`{name}` must be a 2-D label image (H, W) with one integer id per pixel; got shape "
            f"{value.shape}, which looks like an RGB(A) image. A coloured picture of a mask is not "
            "a mask: load the label image itself (e.g. the .tif the segmentation wrote)."
        )
    check_2d(value, name)
    return _check_label_values(value, name, "an integer label image")


def _check_label_values(value, name, what):
    """Booleans as int64 labels; anything else must be integers, none negative."""
    if value.dtype == bool:
        return value.astype(np.int64)
    if not np.issubdtype(value.dtype, np.integer):
        raise TypeError(
            f"`{name}` must be {what}; got dtype {value.dtype}. "
            f"Label ids are whole numbers: convert with {name}.astype(np.int64) if the values are whole."
        )
    if value.size and value.min() < 0:
        raise ValueError(f"`{name}` must not hold negative labels; its minimum is {value.min()}.")
    return value


def check_same_shape(a, b, name_a, name_b):
    """Require two arrays of the same shape."""
    if a.shape != b.shape:
        raise ValueError(f"`{name_a}` and `{name_b}` must have the same shape; got {a.shape} and {b.shape}.")


def check_shape(value, name="shape"):
    """Require an image size ``(height, width)``: two whole numbers, each at least 1."""
    try:
        value = tuple(value)
    except TypeError:
        raise TypeError(f"`{name}` must be a tuple (height, width); got {_describe(value)}.") from None
    if len(value) != 2:
        raise ValueError(f"`{name}` must be (height, width), two numbers; got {value!r}.")
    return (check_int(value[0], f"{name}[0]", minimum=1), check_int(value[1], f"{name}[1]", minimum=1))


def check_int(value, name, *, minimum=None):
    """Require a whole number (Python or NumPy int, not bool), optionally ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be a whole number; got {_describe(value)}.")
    if minimum is not None and value < minimum:
        raise ValueError(f"`{name}` must be at least {minimum}; got {value}.")
    return int(value)


def check_number(value, name, *, minimum=None, maximum=None, strict_minimum=False):
    """Require a real number within optional bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a number; got {_describe(value)}.")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"`{name}` must be finite; got {value}.")
    if minimum is not None and (value <= minimum if strict_minimum else value < minimum):
        bound = "greater than" if strict_minimum else "at least"
        raise ValueError(f"`{name}` must be {bound} {minimum}; got {value}.")
    if maximum is not None and value > maximum:
        raise ValueError(f"`{name}` must be at most {maximum}; got {value}.")
    return value


def check_rng(value, name="rng"):
    """Require a ``numpy.random.Generator``."""
    if not isinstance(value, np.random.Generator):
        raise TypeError(
            f"`{name}` must be a numpy.random.Generator; got {_describe(value)}. "
            f"Make one with np.random.default_rng(seed)."
        )
    return value


def check_folder(value, name, *, must_exist=True):
    """Require a path (``str`` or ``os.PathLike``) to a folder; return it as a ``Path``.

    With ``must_exist=False`` the folder may be missing, but nothing other
    than a folder may be at that path.
    """
    if isinstance(value, bytes) or not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"`{name}` must be a path (str or pathlib.Path) to a folder; got {_describe(value)}.")
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise ValueError(f"`{name}` must be a folder; got {str(path)!r}, which is a file.")
    if must_exist and not path.is_dir():
        raise ValueError(f"`{name}` must be an existing folder; got {str(path)!r}, which does not exist.")
    return path


def check_label_stack(value, name):
    """Require a 3-D ``(T, H, W)`` stack of label images: integer dtype, no negative labels."""
    check_array(value, name)
    if value.ndim != 3:
        hint = f" One frame? Make it a stack of one with {name}[np.newaxis]." if value.ndim == 2 else ""
        raise ValueError(f"`{name}` must be 3-D (T, H, W), one label image per frame; got shape {value.shape}.{hint}")
    return _check_label_values(value, name, "integer label images")
