"""Figures for the notebooks: images with titles and colorbars, label images.

The only module of the package that imports matplotlib. Every function
draws with ``interpolation="nearest"`` (a pixel stays a square, however small
the image) and returns the axes it drew on, so a notebook can add to them.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from ._validation import check_2d, check_2d_or_3d, check_labels

__all__ = ["show_image", "show_images", "show_labels", "label_colormap"]


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


def show_labels(labels, *, title=None, ax=None):
    """Show an instance mask, one colour per object and black background; returns the axes.

    The title gets the number of objects appended.
    """
    labels = check_labels(check_2d(labels, "labels"), "labels")
    ax = _axes(ax)
    n_objects = len(np.unique(labels[labels > 0]))
    top = int(labels.max())
    ax.imshow(labels, cmap=label_colormap(top), vmin=0, vmax=max(top, 1), interpolation="nearest")
    heading = f"{n_objects} object{'s' if n_objects != 1 else ''}"
    ax.set_title(f"{title}: {heading}" if title else heading)
    ax.set_xlabel("col")
    ax.set_ylabel("row")
    return ax
