"""The images the notebooks load, and where the course's data files live.

Sample images that ship inside scikit-image (no download needed):

- ``cell``: a real microscope image, a quantitative phase image of a cell
  floating in saline (``skimage.data.cell``, CC0), ``uint8``, 660 x 550,
  pixel size ``CELL_PIXEL_SIZE_UM``.
- ``ihc``: a brightfield RGB image of stained colon tissue
  (``skimage.data.immunohistochemistry``), ``uint8``, 512 x 512 x 3.

Derived from them, for chapter 02:

- ``cell_12bit``: the cell image as a 12-bit camera would hand it over in a
  16-bit container, with shot noise and a few hot pixels. Simulated, and
  documented as such; seeded, so the same ``seed`` gives the same image.

Files the course ships itself live in ``DATA_DIR`` (the repository's
``data/`` folder, described in ``data/README.md``); ``data_path`` finds one.
"""

from pathlib import Path

import numpy as np
import skimage.data

from ._validation import _describe, check_int, check_number

__all__ = ["cell", "ihc", "cell_12bit", "CELL_PIXEL_SIZE_UM", "DATA_DIR", "data_path"]

#: Side of one pixel of ``cell()`` in micrometres (from scikit-image's description).
CELL_PIXEL_SIZE_UM = 0.107

#: The repository's ``data/`` folder.
DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def cell():
    """A real microscope image: a cell floating in saline.

    A quantitative phase image (the brighter, the more the cell delays the
    light) retrieved from a digital hologram; the background shows a faint
    banding artifact. Pixel size 0.107 µm. Source: ``skimage.data.cell``
    (Müller et al., Optics Express 26(8), 2018), public domain (CC0).

    Returns
    -------
    ndarray, shape (660, 550), dtype uint8
        A fresh copy: change it freely.

    Examples
    --------
    >>> image = cell()
    >>> image.shape, image.dtype
    ((660, 550), dtype('uint8'))
    """
    return np.array(skimage.data.cell(), copy=True)


def ihc():
    """An RGB brightfield image of stained colon tissue (immunohistochemistry).

    The brown DAB stain marks the protein FHL2; the blue hematoxylin
    counterstain shows the rest of the tissue. Source:
    ``skimage.data.immunohistochemistry`` (Center for Microscopy And
    Molecular Imaging), no known copyright restrictions.

    Returns
    -------
    ndarray, shape (512, 512, 3), dtype uint8
        Channels last (H, W, C) in the order R, G, B; a fresh copy.

    Examples
    --------
    >>> image = ihc()
    >>> image.shape, image.dtype
    ((512, 512, 3), dtype('uint8'))
    """
    return np.array(skimage.data.immunohistochemistry(), copy=True)


def cell_12bit(*, seed=0, background=200, peak=1500, hot_pixels=12):
    """The cell image as a simulated 12-bit camera frame, stored in ``uint16``.

    Many microscope cameras digitize 12 bits per pixel (values 0-4095) and
    store them in 16-bit containers, so the dtype alone (0-65535) does not
    tell the true range. This function makes such a frame from ``cell()``:
    its values are mapped linearly onto ``background`` to ``peak``, photon
    shot noise is drawn (Poisson, one count per photon), values are clipped
    to 0-4095, and ``hot_pixels`` random pixels are set to 4095, as defective
    camera pixels would be. It is simulated, not a recording.

    Parameters
    ----------
    seed : int, optional
        Seed of ``np.random.default_rng``; the same seed gives the same image.
    background, peak : float, optional
        Mean counts of the darkest and brightest pixels of ``cell()``,
        ``0 <= background < peak <= 4095``.
    hot_pixels : int, optional
        Number of pixels stuck at 4095 (default 12; may be 0).

    Returns
    -------
    ndarray, shape (660, 550), dtype uint16
        Values between 0 and 4095.

    Raises
    ------
    ValueError
        If the counts are outside 0-4095, ``background >= peak``, or
        ``hot_pixels`` is negative or larger than the image.

    Examples
    --------
    >>> frame = cell_12bit(seed=1)
    >>> frame.dtype, int(frame.max()) <= 4095
    (dtype('uint16'), True)
    """
    seed = check_int(seed, "seed", minimum=0)
    background = check_number(background, "background", minimum=0, maximum=4095)
    peak = check_number(peak, "peak", minimum=0, maximum=4095)
    if background >= peak:
        raise ValueError(f"`background` must be smaller than `peak`; got {background} and {peak}.")
    hot_pixels = check_int(hot_pixels, "hot_pixels", minimum=0)
    image = skimage.data.cell().astype(np.float64)
    if hot_pixels > image.size:
        raise ValueError(f"`hot_pixels` can be at most the number of pixels, {image.size}; got {hot_pixels}.")
    rng = np.random.default_rng(seed)
    mean = background + (image - image.min()) / (image.max() - image.min()) * (peak - background)
    counts = np.clip(rng.poisson(mean), 0, 4095).astype(np.uint16)
    hot = rng.choice(image.size, size=hot_pixels, replace=False)
    counts.flat[hot] = 4095
    return counts


def data_path(name):
    """Path of a file the course ships in ``data/``.

    Parameters
    ----------
    name : str
        File name relative to ``DATA_DIR``, e.g. ``"ecoli.png"``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    FileNotFoundError
        If the file is not there; the message lists what is.

    Examples
    --------
    >>> data_path("README.md").name
    'README.md'
    """
    if not isinstance(name, str):
        raise TypeError(f"`name` must be a file name (str); got {_describe(name)}.")
    path = DATA_DIR / name
    if not path.is_file():
        present = sorted(p.relative_to(DATA_DIR).as_posix() for p in DATA_DIR.rglob("*") if p.is_file())
        raise FileNotFoundError(
            f"No file {name!r} in {DATA_DIR}. Files there: {', '.join(present) or 'none'}. "
            "Check the spelling, or regenerate the course data as README.md describes."
        )
    return path
