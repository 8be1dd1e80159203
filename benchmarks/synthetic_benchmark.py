"""How fast the simulator renders, and how its images compare with the real data.

Prints the median wall time of ``simulate_field`` on a 512 x 512 field (the
goal: well under a second), of its two parts (placing the rods, rendering
them), and of one ``simulate_colony`` movie; then compares a simulated crop
of four cells placed where the real crop's cells are with the real crop
(``data.ecoli_crop``): background, cells and halo levels, and the distance
between the two intensity histograms. With ``--figure PATH`` it also saves
a side-by-side figure. Run from the repository root:

    .venv/bin/python benchmarks/synthetic_benchmark.py [--repeat 15] [--figure compare.png]

The machine may be shared; timings are then inflated.
"""

import argparse
import math
import statistics
import time

import numpy as np
from scipy import ndimage as ndi
from skimage.measure import regionprops

from source_helpers.data import ecoli_crop
from source_helpers.synthetic import Rod, random_rods, render_rods, simulate_colony, simulate_field

PIXEL_SIZE_UM = 0.05


def median_time(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def rods_like(mask, pixel_size_um, width_um=1.1):
    """Rods at the positions and angles of a real mask's cells (outlines sit ~1.5 px inside the cells)."""
    rods = []
    for region in regionprops(mask):
        row, col = region.centroid
        theta = region.orientation   # angle between the row axis and the long axis
        angle = math.degrees(math.atan2(-math.cos(theta), math.sin(theta)))
        length = (region.axis_major_length + 3) * pixel_size_um
        rods.append(Rod(row * pixel_size_um, col * pixel_size_um, length, width_um, angle))
    return rods


def levels(image, mask):
    image = image.astype(float)
    cells = mask > 0
    near = ndi.binary_dilation(cells, iterations=25) & ~ndi.binary_dilation(cells, iterations=2)
    far = ~ndi.binary_dilation(cells, iterations=40)
    return {
        "background median": np.median(image[far]),
        "background 1-99 %": np.percentile(image[far], 99) - np.percentile(image[far], 1),
        "cell median": np.median(image[cells]),
        "halo median (2-25 px)": np.median(image[near]),
        "halo 95th percentile": np.percentile(image[near], 95),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--figure", help="save a side-by-side figure of the real and the simulated crop here")
    args = parser.parse_args()

    field = median_time(lambda: simulate_field((512, 512), n_cells=10, rng=1), args.repeat)
    rods = random_rods(10, (512, 512), rng=1)
    placing = median_time(lambda: random_rods(10, (512, 512), rng=1), args.repeat)
    rendering = median_time(lambda: render_rods(rods, (512, 512), rng=1), args.repeat)
    colony = median_time(lambda: simulate_colony(20, (336, 224), rng=1), max(1, args.repeat // 5))
    print(f"simulate_field 512 x 512, 10 cells: median {field * 1000:.0f} ms over {args.repeat} runs")
    print(f"  random_rods {placing * 1000:.0f} ms, render_rods {rendering * 1000:.0f} ms")
    print(f"simulate_colony 20 frames of 336 x 224: median {colony:.2f} s")

    real, real_mask = ecoli_crop()
    simulated, simulated_mask = render_rods(rods_like(real_mask, PIXEL_SIZE_UM), real.shape,
                                            pixel_size_um=PIXEL_SIZE_UM, rng=2)
    print("\nreal crop (frame 10) versus the same four cells simulated, camera counts:")
    real_levels, simulated_levels = levels(real, real_mask), levels(simulated, simulated_mask)
    print(f"  {'':24} {'real':>8} {'simulated':>10}")
    for key in real_levels:
        print(f"  {key:24} {real_levels[key]:8.0f} {simulated_levels[key]:10.0f}")
    bins = np.linspace(0, 20_000, 101)
    p = np.histogram(real, bins)[0] / real.size
    q = np.histogram(simulated, bins)[0] / simulated.size
    print(f"  histograms: total variation distance {0.5 * np.abs(p - q).sum():.3f} (0 same, 1 disjoint)")
    shuffled = np.histogram(simulate_field(real.shape, n_cells=4, rng=3)[0], bins)[0] / real.size
    print(f"  (a random simulated field of 4 cells: {0.5 * np.abs(p - shuffled).sum():.3f})")

    if args.figure:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        figure, axes = plt.subplots(1, 3, figsize=(15, 5))
        for ax, image, title in ((axes[0], real, "real (frame 10)"), (axes[1], simulated, "simulated")):
            ax.imshow(image, cmap="gray", vmin=2000, vmax=18000, interpolation="nearest")
            ax.set_title(title)
        centres = (bins[1:] + bins[:-1]) / 2
        axes[2].semilogy(centres, p, label="real")
        axes[2].semilogy(centres, q, label="simulated")
        axes[2].set_xlabel("camera counts")
        axes[2].set_ylabel("fraction of pixels")
        axes[2].legend()
        figure.tight_layout()
        figure.savefig(args.figure, dpi=80)
        print(f"\nfigure saved to {args.figure}")


if __name__ == "__main__":
    main()
