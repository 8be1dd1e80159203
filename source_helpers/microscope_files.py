"""Microscope files: axes, pixel sizes from metadata, and the course's folder of files (chapter 09).

Microscopes and their software write TIFF files in several conventions. The
pixel size can sit in three places, and this module reads each:

- **OME-TIFF**: the OME-XML in the first page's description,
  ``<Pixels PhysicalSizeX="0.065" PhysicalSizeXUnit="µm" ...>``
  (``tifffile.TiffFile(path).ome_metadata``); the unit defaults to µm.
- **ImageJ**: ``spacing`` and ``unit`` in ``TiffFile.imagej_metadata`` are
  for Z; in X and Y ImageJ stores pixels per ``unit`` in the resolution
  tags, as below, with the unit taken from the ImageJ metadata.
- **TIFF resolution tags**: ``XResolution`` (pixels per unit, a fraction
  ``(numerator, denominator)``) and ``ResolutionUnit`` (1 none, 2 inch,
  3 centimetre).

``write_own_data`` makes the folder ``data/own-data/`` that chapter 09 runs
its batch over, from the shipped real time-lapse and from simulated fields,
each file in another of these conventions, and one file truncated on
purpose. ``make data`` runs it; ``tests/test_microscope_files.py`` checks
that it writes the committed files again.

The chapter's graded exercises ``pixel_size_from_ome``,
``pixel_size_from_resolution``, ``to_tyx`` and ``cells_table`` have their
reference answers here.
"""

import hashlib
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import tifffile
from skimage.measure import regionprops_table

from .exercises import reference

__all__ = [
    "LENGTH_UNITS_UM", "RESOLUTION_UNITS_UM", "OWN_DATA", "OWN_DATA_FILES", "OWN_DATA_PIXEL_SIZES_UM",
    "own_data_folder", "write_own_data", "make_own_data_files",
    "pixel_size_from_ome", "pixel_size_from_resolution", "to_tyx", "cells_table", "read_pixel_size",
]

#: µm per unit for the length units OME and ImageJ write.
LENGTH_UNITS_UM = {
    "m": 1e6, "cm": 1e4, "mm": 1e3, "µm": 1.0, "\u03bcm": 1.0, "um": 1.0, "micron": 1.0, "microns": 1.0,
    "nm": 1e-3, "pm": 1e-6, "Å": 1e-4, "\u212b": 1e-4, "inch": 25400.0, "in": 25400.0,
}

#: µm per unit of the TIFF tag ResolutionUnit: 2 inch, 3 centimetre (1, none, has no length).
RESOLUTION_UNITS_UM = {2: 25400.0, 3: 10000.0}

#: Name of the folder under ``data/`` that ``write_own_data`` fills.
OWN_DATA = "own-data"

#: The files of ``data/own-data/``, in the order they are written.
OWN_DATA_FILES = ("A_colony_1.ome.tif", "A_colony_2.ome.tif", "A_colony_3.tif",
                  "B_field_1.tif", "B_field_2.tif", "B_field_3.tif")

#: The pixel size each file was made with, in µm (``None``: the file says nothing or cannot be read).
OWN_DATA_PIXEL_SIZES_UM = {"A_colony_1.ome.tif": 0.055, "A_colony_2.ome.tif": 0.055, "A_colony_3.tif": None,
                           "B_field_1.tif": 0.06, "B_field_2.tif": 0.05, "B_field_3.tif": None}

_OME_NS = "{http://www.openmicroscopy.org/Schemas/OME/2016-06}"
_UUID = "urn:uuid:00000000-0000-4000-8000-000000000009"


def _unit_um(unit, argument):
    try:
        return LENGTH_UNITS_UM[str(unit).strip()]
    except KeyError:
        raise ValueError(f"`{argument}` is an unknown length unit: {unit!r}; "
                         f"known are {', '.join(sorted(LENGTH_UNITS_UM))}") from None


@reference("09-your-own-data")
def pixel_size_from_ome(ome_xml):
    """Side of a pixel in µm, in X, from an OME-XML string.

    Parameters
    ----------
    ome_xml : str
        The OME-XML of an OME-TIFF (``tifffile.TiffFile(path).ome_metadata``).

    Returns
    -------
    float
        ``PhysicalSizeX`` of the first ``Pixels`` element converted to µm
        with ``PhysicalSizeXUnit`` (µm when the unit is not given, as the
        OME schema says).

    Raises
    ------
    TypeError
        If ``ome_xml`` is not a string.
    ValueError
        If ``ome_xml`` has no ``Pixels`` element with a ``PhysicalSizeX``, or
        its unit is not a length.

    Examples
    --------
    >>> xml = '<OME><Image><Pixels PhysicalSizeX="130" PhysicalSizeXUnit="nm"/></Image></OME>'
    >>> round(pixel_size_from_ome(xml), 6)
    0.13
    >>> pixel_size_from_ome('<OME><Image><Pixels SizeX="5"/></Image></OME>')
    Traceback (most recent call last):
    ...
    ValueError: `ome_xml` has no PhysicalSizeX: the file does not say its pixel size
    """
    if not isinstance(ome_xml, str):
        raise TypeError(f"`ome_xml` must be a string of OME-XML; got {type(ome_xml).__name__}")
    root = ET.fromstring(ome_xml)
    pixels = [el for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "Pixels"]
    if not pixels or pixels[0].get("PhysicalSizeX") is None:
        raise ValueError("`ome_xml` has no PhysicalSizeX: the file does not say its pixel size")
    return float(pixels[0].get("PhysicalSizeX")) * _unit_um(pixels[0].get("PhysicalSizeXUnit", "µm"), "ome_xml")


@reference("09-your-own-data")
def pixel_size_from_resolution(x_resolution, resolution_unit):
    """Side of a pixel in µm from the TIFF tags XResolution and ResolutionUnit.

    Parameters
    ----------
    x_resolution : tuple of two int
        ``(numerator, denominator)``: pixels per unit is numerator / denominator.
    resolution_unit : int
        1 (no unit), 2 (inch) or 3 (centimetre).

    Returns
    -------
    float
        µm per pixel: the unit in µm divided by the pixels per unit.

    Raises
    ------
    ValueError
        If ``resolution_unit`` is 1 (the tags give no length) or unknown, or
        the resolution is not positive.

    Examples
    --------
    >>> pixel_size_from_resolution((100000, 1), 3)   # 100,000 pixels per cm
    0.1
    >>> round(pixel_size_from_resolution((72, 1), 2), 1)   # the 72 dpi default
    352.8
    """
    numerator, denominator = (int(v) for v in x_resolution)
    if int(resolution_unit) not in RESOLUTION_UNITS_UM:
        raise ValueError(f"`resolution_unit` is {int(resolution_unit)}: the resolution tags give no length "
                         "(2 is inch, 3 centimetre)")
    if numerator <= 0 or denominator <= 0:
        raise ValueError(f"`x_resolution` must be positive; got {x_resolution!r}")
    return RESOLUTION_UNITS_UM[int(resolution_unit)] * denominator / numerator


@reference("09-your-own-data")
def to_tyx(data, axes, channel=0):
    """Reorder an array with named axes to (T, Y, X).

    Parameters
    ----------
    data : ndarray
        Array whose axes are named by ``axes``.
    axes : str
        One letter per axis of ``data``, from ``T``, ``C``, ``Z``, ``Y``, ``X``
        (tifffile's ``series[0].axes``); ``Y`` and ``X`` must be present.
    channel : int, optional
        Index taken along ``C`` (and along ``Z``) when present (default 0).

    Returns
    -------
    ndarray, shape (T, Y, X)
        T is 1 when ``axes`` has no ``T``.

    Raises
    ------
    ValueError
        If ``axes`` does not name every axis of ``data`` once, or lacks Y or X.

    Examples
    --------
    >>> to_tyx(np.zeros((2, 3, 4, 5)), "CTYX").shape
    (3, 4, 5)
    >>> to_tyx(np.zeros((4, 5)), "YX").shape
    (1, 4, 5)
    """
    data = np.asarray(data)
    if len(axes) != data.ndim or len(set(axes)) != len(axes) or not {"Y", "X"} <= set(axes) \
            or not set(axes) <= set("TCZYX"):
        raise ValueError(f"`axes` must name each of the {data.ndim} axes of `data` once, from T, C, Z, Y, X, "
                         f"with Y and X; got {axes!r} for shape {data.shape}")
    for letter in "CZ":
        if letter in axes:
            data = np.take(data, channel if letter == "C" else 0, axis=axes.index(letter))
            axes = axes.replace(letter, "")
    if "T" not in axes:
        data, axes = data[np.newaxis], "T" + axes
    return np.transpose(data, [axes.index(letter) for letter in "TYX"])


@reference("09-your-own-data")
def cells_table(labels, image, pixel_size_um, file, frame):
    """One row per cell of a label image, as a dict of columns with units in their names.

    Parameters
    ----------
    labels : ndarray of int, shape (H, W)
        0 background; cells 1, 2, ... (ids need not be consecutive).
    image : ndarray, shape (H, W)
        The image the cells were found in.
    pixel_size_um : float
        Side of a pixel in µm.
    file : str
        File name to repeat in every row.
    frame : int
        Frame number to repeat in every row.

    Returns
    -------
    dict
        ``file`` (list of str), ``frame``, ``label`` (int arrays), ``area_um2``,
        ``length_um`` (major axis length) and ``mean_intensity`` (float
        arrays), one entry per cell in increasing label order.

    Examples
    --------
    >>> labels = np.zeros((6, 6), int); labels[1:3, 1:5] = 4
    >>> table = cells_table(labels, np.full((6, 6), 7.0), 0.5, "a.tif", 2)
    >>> table["file"], table["label"].tolist(), table["area_um2"].tolist(), table["mean_intensity"].tolist()
    (['a.tif'], [4], [2.0], [7.0])
    """
    props = regionprops_table(np.asarray(labels), intensity_image=np.asarray(image),
                              properties=("label", "area", "axis_major_length", "intensity_mean"))
    n = len(props["label"])
    return {"file": [file] * n, "frame": np.full(n, frame, dtype=np.int64),
            "label": props["label"].astype(np.int64),
            "area_um2": props["area"].astype(float) * pixel_size_um**2,
            "length_um": props["axis_major_length"] * pixel_size_um,
            "mean_intensity": props["intensity_mean"].astype(float)}


def read_pixel_size(path):
    """``(pixel size in µm or None, where it came from)`` of a TIFF file: OME, then ImageJ, then the tags.

    For the course's own tests and the data check; chapter 09 asks students to write their own.

    Examples
    --------
    >>> read_pixel_size(own_data_folder() / "B_field_2.tif")
    (0.05, 'TIFF resolution tags')
    """
    with tifffile.TiffFile(path) as tif:
        if tif.ome_metadata:
            root = ET.fromstring(tif.ome_metadata)
            pixels = next(el for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "Pixels")
            if pixels.get("PhysicalSizeX") is not None:
                size = float(pixels.get("PhysicalSizeX")) * _unit_um(pixels.get("PhysicalSizeXUnit", "µm"), "path")
                return round(size, 12), "OME PhysicalSizeX"
        tags = tif.pages[0].tags
        numerator, denominator = tags["XResolution"].value if "XResolution" in tags else (1, 1)
        if tif.imagej_metadata and "unit" in tif.imagej_metadata:
            unit = _unit_um(tif.imagej_metadata["unit"], "path")
            return round(unit * denominator / numerator, 12), "ImageJ unit and resolution"
        unit = int(tags["ResolutionUnit"].value) if "ResolutionUnit" in tags else 1
        if unit in RESOLUTION_UNITS_UM:
            return round(RESOLUTION_UNITS_UM[unit] * denominator / numerator, 12), "TIFF resolution tags"
    return None, "none"


def own_data_folder():
    """The folder ``data/own-data/`` of chapter 09 (``write_own_data`` makes it)."""
    from .data import DATA_DIR

    return DATA_DIR / OWN_DATA


def _write(path, array, options):
    """``tifffile.imwrite``; an OME file gets a fixed UUID (same length, so no offset moves) to be reproducible."""
    if not options.get("ome"):
        tifffile.imwrite(path, array, **options)
        return
    buffer = io.BytesIO()
    tifffile.imwrite(buffer, array, **options)
    content, count = re.subn(rb'UUID="urn:uuid:[0-9a-f-]{36}"', f'UUID="{_UUID}"'.encode(), buffer.getvalue())
    if count != 1:
        raise RuntimeError(f"expected one UUID in the OME-XML of {Path(path).name}, found {count}")
    Path(path).write_bytes(content)


def make_own_data_files(frames, *, seed=9):
    """The arrays and how to write them, for every file of ``OWN_DATA_FILES``.

    Parameters
    ----------
    frames : ndarray, shape (20, 336, 224), uint16
        The real time-lapse (``ecoli_timelapse()[0]``).
    seed : int, optional
        Seed of the simulated fields.

    Returns
    -------
    dict
        File name -> ``(array, keyword arguments of tifffile.imwrite)``;
        the broken file is written whole and then cut (``write_own_data``).
    """
    from .synthetic import simulate_field

    crop = (slice(48, 288), slice(12, 212))            # 240 x 200 around the colony
    colony_1 = np.ascontiguousarray(frames[[0, 4, 8]][:, crop[0], crop[1]])
    colony_2 = np.ascontiguousarray(frames[[12, 16]][:, crop[0], crop[1]])
    colony_3 = np.ascontiguousarray(frames[[19]][:, crop[0], crop[1]])
    rng = np.random.default_rng(seed)
    fields = {}
    for name, size, shape, n in (("B_field_1.tif", 0.06, (3, 200, 200), 6), ("B_field_2.tif", 0.05, (200, 240), 7),
                                 ("B_field_3.tif", 0.05, (200, 240), 7)):
        planes = [simulate_field(shape[-2:], n_cells=n, pixel_size_um=size, rng=rng)[0]
                  for _ in range(shape[0] if len(shape) == 3 else 1)]
        fields[name] = np.stack(planes) if len(shape) == 3 else planes[0]
    common = {"compression": "zlib", "predictor": True}
    return {
        "A_colony_1.ome.tif": (colony_1, {**common, "ome": True, "photometric": "minisblack",
                                          "metadata": {"axes": "TYX", "PhysicalSizeX": 0.055, "PhysicalSizeXUnit": "µm",
                                                       "PhysicalSizeY": 0.055, "PhysicalSizeYUnit": "µm"}}),
        "A_colony_2.ome.tif": (colony_2, {**common, "ome": True, "photometric": "minisblack",
                                          "metadata": {"axes": "TYX", "PhysicalSizeX": 55, "PhysicalSizeXUnit": "nm",
                                                       "PhysicalSizeY": 55, "PhysicalSizeYUnit": "nm"}}),
        "A_colony_3.tif": (colony_3, {**common, "photometric": "minisblack", "metadata": {"axes": "TYX"}}),
        "B_field_1.tif": (fields["B_field_1.tif"], {**common, "imagej": True, "resolution": (1 / 0.06, 1 / 0.06),
                                                    "metadata": {"axes": "TYX", "unit": "micron", "spacing": 1.0,
                                                                 "finterval": 300}}),
        "B_field_2.tif": (fields["B_field_2.tif"], {**common, "resolution": (1e4 / 0.05, 1e4 / 0.05),
                                                    "resolutionunit": 3, "metadata": None}),
        "B_field_3.tif": (fields["B_field_3.tif"], {**common, "metadata": None}),
    }


def write_own_data(folder=None, *, frames=None):
    """Write chapter 09's folder of microscope files; return ``{name: SHA-256}``.

    ``A_colony_*`` are crops of the real time-lapse (frames 0, 4, 8; 12, 16;
    19), written as OME-TIFF with the pixel size in µm, as OME-TIFF in nm, and
    as a TIFF cut off after 3000 bytes (broken on purpose). ``B_field_*`` are
    simulated fields (``simulate_field``): an ImageJ hyperstack of 3 frames
    with its unit, a single TIFF with resolution tags in centimetres, and one
    that says nothing about its pixel size.

    Parameters
    ----------
    folder : str or pathlib.Path, optional
        Where to write; ``data/own-data/`` by default.
    frames : ndarray, optional
        The real time-lapse; read from ``data/`` by default.
    """
    from .data import ecoli_timelapse

    folder = own_data_folder() if folder is None else Path(folder)
    frames = ecoli_timelapse()[0] if frames is None else frames
    folder.mkdir(parents=True, exist_ok=True)
    digests = {}
    for name, (array, options) in make_own_data_files(frames).items():
        path = folder / name
        _write(path, array, options)
        if name == "A_colony_3.tif":
            path.write_bytes(path.read_bytes()[:3000])
        digests[f"{OWN_DATA}/{name}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests
