"""How well classical segmentation finds the E. coli cells, frame by frame.

Scores ``segmentation.segment_cells`` against the curated masks of all 20
frames of the real time-lapse (``data.ecoli_timelapse``): for each frame the
true and predicted counts, the true positives (cells matched one to one at
IoU >= 0.5), F1 = 2 TP / (true + predicted), and the mean IoU of the matched
pairs. Two older recipes run beside it for comparison:

- "source": the course source's recipe for disks: scale to 0-255, cells
  below 180, one erosion and dilation, watershed of the distance transform
  with ``min_distance=10``;
- "distance": a quick classical trial: Otsu threshold of the flattened
  image, opening and minimum area from the cell size, h-maxima of the
  smoothed distance transform as watershed markers.

Then the same scores on simulated images with known truth
(``synthetic.simulate_field`` and ``synthetic.simulate_colony``), and with
``--sensitivity`` the total F1 on the real frames when each parameter of
``segment_cells`` is moved away from its default. With ``--flattening`` it
compares ways of flattening the background in the students' pipeline
(``segment_rods``, chapter 06's Exercise 5): a grey closing with a disk of
``k w`` for several ``k`` (``w`` the cell width in pixels; the chapter's rule
is ``2 w``, it was ``0.75 w``), an opening then a closing, and no flattening
(the smoothed image divided by its median), pooled and per frame on the 20
real frames and on simulated fields with even and strongly uneven light. Run
from the repository root:

    .venv/bin/python benchmarks/ecoli_pipeline.py [--sensitivity] [--flattening]

The IoU matching here is a small one of the benchmark's own (the course's
metrics module is the reference for chapter 07).
"""

import argparse
import statistics
import time

import numpy as np
from scipy import ndimage as ndi
from scipy.optimize import linear_sum_assignment
from skimage.morphology import closing, disk, h_maxima, opening
from skimage.segmentation import watershed

from source_helpers.data import ecoli_timelapse
from source_helpers.segmentation import (
    dark_foreground,
    find_watershed,
    flatten_background,
    remove_speckles,
    rod_scales,
    segment_cells,
    segment_rods,
    sizes_in_pixels,
    threshold,
)
from source_helpers.rods import basin_markers
from source_helpers.thresholds import _remove_small, clean_mask, otsu_dark_mask
from source_helpers.metrics import matching_scores
from source_helpers.synthetic import Rod, divided_pair, render_rods, side_by_side
from source_helpers.synthetic import simulate_colony, simulate_field

PIXEL_SIZE_UM = 0.05


# Scoring ------------------------------------------------------------------------------


def iou_matrix(true, pred):
    """IoU between every true object (rows) and every predicted object (columns)."""
    true_ids = np.unique(true[true > 0])
    pred_ids = np.unique(pred[pred > 0])
    both = (true > 0) & (pred > 0)
    intersection = np.zeros((len(true_ids), len(pred_ids)))
    np.add.at(intersection, (np.searchsorted(true_ids, true[both]), np.searchsorted(pred_ids, pred[both])), 1)
    true_area = np.array([(true == i).sum() for i in true_ids])
    pred_area = np.array([(pred == j).sum() for j in pred_ids])
    union = true_area[:, None] + pred_area[None, :] - intersection
    return intersection / np.maximum(union, 1)


def score(true, pred, threshold=0.5):
    """``(n_true, n_pred, tp, f1, mean IoU of the matches)``, matched one to one (Hungarian)."""
    iou = iou_matrix(true, pred)
    n_true, n_pred = iou.shape
    if iou.size:
        rows, cols = linear_sum_assignment(-iou)
        matched = iou[rows, cols][iou[rows, cols] >= threshold]
    else:
        matched = np.array([])
    tp = len(matched)
    f1 = 2 * tp / (n_true + n_pred) if n_true + n_pred else 1.0
    return n_true, n_pred, tp, f1, float(matched.mean()) if tp else float("nan")


# The recipes --------------------------------------------------------------------------


def source_recipe(image):
    """The source's disk recipe on a 16-bit image: 0-255, below 180, one opening, min_distance=10."""
    scaled = (image - image.min()) / max(float(image.max() - image.min()), 1.0) * 255
    cells = remove_speckles(threshold(scaled, 180, below=True), 1)
    return find_watershed(cells, min_distance=10)[0]


def distance_recipe(image, pixel_size_um=PIXEL_SIZE_UM):
    """Otsu of the flattened image, opening and minimum area, h-maxima of the smoothed distance."""
    scales = rod_scales(pixel_size_um)
    relative = flatten_background(image, scales["background_radius"], smoothing=scales["smoothing"])
    cells = dark_foreground(relative, level="otsu", opening_radius=scales["opening_radius"],
                            min_area=scales["min_area"])
    distance = ndi.gaussian_filter(ndi.distance_transform_edt(cells), 0.1 * scales["width"])
    markers, _ = ndi.label(h_maxima(distance, 0.1 * scales["width"]).astype(bool) & cells,
                           structure=disk(1).astype(bool))
    return watershed(-distance, markers, mask=cells)


def rod_recipe(image, pixel_size_um=PIXEL_SIZE_UM, **options):
    return segment_cells(image, pixel_size_um=pixel_size_um, **options)


# Reports --------------------------------------------------------------------------------


def total(rows):
    n_true = sum(r[0] for r in rows)
    n_pred = sum(r[1] for r in rows)
    tp = sum(r[2] for r in rows)
    return n_true, n_pred, tp, 2 * tp / (n_true + n_pred)


def real_frames(images, masks):
    print(f"Real time-lapse, 20 frames, {images.shape[1]} x {images.shape[2]} pixels, "
          f"pixel size {PIXEL_SIZE_UM} µm (estimated), curated masks as truth.")
    print("segment_cells with its defaults; TP = cells matched one to one at IoU >= 0.5\n")
    header = f"{'frame':>5} {'true':>5} {'pred':>5} {'TP':>4} {'F1@0.5':>7} {'mean IoU':>9}   " \
             f"{'source TP':>9} {'F1':>5}   {'rods TP':>11} {'F1':>5}"
    print(header)
    print("-" * len(header))
    rows, source_rows, distance_rows, times = [], [], [], []
    for t, (image, mask) in enumerate(zip(images, masks)):
        start = time.perf_counter()
        labels = rod_recipe(image)
        times.append(time.perf_counter() - start)
        row = score(mask, labels)
        source = score(mask, source_recipe(image))
        distance = score(mask, segment_rods(image, PIXEL_SIZE_UM))
        rows.append(row)
        source_rows.append(source)
        distance_rows.append(distance)
        print(f"{t:>5} {row[0]:>5} {row[1]:>5} {row[2]:>4} {row[3]:>7.2f} {row[4]:>9.2f}   "
              f"{source[2]:>9} {source[3]:>5.2f}   {distance[2]:>11} {distance[3]:>5.2f}")
    for name, chosen in (("segment_cells", rows), ("source recipe", source_rows), ("segment_rods (students)", distance_rows)):
        n_true, n_pred, tp, f1 = total(chosen)
        early = total(chosen[:12])
        late = total(chosen[12:])
        print(f"{name:>16}: {tp} of {n_true} cells found ({n_pred} predicted), F1 {f1:.2f}; "
              f"frames 0-11 F1 {early[3]:.2f}, frames 12-19 (packed) F1 {late[3]:.2f}")
    print(f"segment_cells: median {statistics.median(times) * 1000:.0f} ms per frame "
          "(shared machine: may be inflated)")


def simulated(n_fields=10):
    print("\nSimulated fields (simulate_field, 10 cells, half of them in touching pairs):")
    for pixel_size_um in (0.05, 0.1):
        shape = (round(25.6 / pixel_size_um),) * 2
        rows = []
        for seed in range(n_fields):
            image, truth = simulate_field(shape, n_cells=10, pixel_size_um=pixel_size_um, touching=0.5, rng=seed)
            rows.append(score(truth, rod_recipe(image, pixel_size_um)))
        n_true, n_pred, tp, f1 = total(rows)
        print(f"  pixel size {pixel_size_um} µm ({shape[0]} x {shape[1]}), {n_fields} fields: "
              f"{tp} of {n_true} found, {n_pred} predicted, F1 {f1:.2f}")
    print("\nSimulated colony (simulate_colony, 22 frames, doubling time 4 frames), per frame true/pred/TP:")
    images, masks, _ = simulate_colony(22, (320, 320), rng=0)
    rows = [score(m, rod_recipe(im)) for im, m in zip(images, masks)]
    print("  " + " ".join(f"{t}:{r[0]}/{r[1]}/{r[2]}" for t, r in enumerate(rows)))
    n_true, n_pred, tp, f1 = total(rows)
    print(f"  {tp} of {n_true} found, {n_pred} predicted, F1 {f1:.2f}")


def sensitivity(images, masks):
    print("\nSensitivity on the real frames: total F1 when one parameter moves (defaults in brackets)")
    variations = {
        "level": [0.8, 0.85, 0.9, "otsu"],
        "depth": [0.02, 0.03, 0.04, 0.05, 0.06],
        "max_level": [0.6, 0.65, 0.7, 0.75],
        "max_contrast": [0.04, 0.06, 0.08, 0.1, 0.12],
        "max_level_difference": [0.05, 0.1, 0.15, 0.2, 0.3],
        "cell_width_um": [0.8, 0.9, 1.0, 1.1, 1.2],
    }
    defaults = {"level": 0.85, "depth": 0.04, "max_level": 0.7, "max_contrast": 0.08,
                "max_level_difference": 0.15, "cell_width_um": 1.0}
    for name, values in variations.items():
        cells = []
        for value in values:
            rows = [score(m, rod_recipe(im, **{name: value})) for im, m in zip(images, masks)]
            mark = "[" if value == defaults[name] else " "
            cells.append(f"{mark}{value}: {total(rows)[3]:.3f}{']' if mark == '[' else ' '}")
        print(f"  {name:>20}  " + "  ".join(cells))


def rendered_rods():
    """segment_rods on rendered isolated rods (must stay one) and touching pairs (must split)."""
    print("\nRendered rods, segment_rods at 0.05 µm per pixel:")
    isolated = [len(np.unique(l[l > 0])) == 1 for l in (
        segment_rods(render_rods([Rod(6.4, 6.4, L, 1.0, a)], (256, 256), rng=s)[0], 0.05)
        for L in (2.0, 3.0, 3.7, 5.0, 6.0) for a in (0, 30, 45, 90, 135) for s in (0, 1))]
    print(f"  isolated rods kept whole: {sum(isolated)} of {len(isolated)}")
    for name, make in (("end to end", lambda L, a: divided_pair(6.4, 6.4, 2 * L, 1.0, a)),
                       ("side by side", lambda L, a: side_by_side(6.4, 6.4, L, 1.0, a))):
        exact = split = covered = n = 0
        for L in (2.5, 3.5, 4.5):
            for a in (0, 30, 45, 90, 135):
                for s in (0, 1):
                    image, truth = render_rods(make(L, a), (256, 256), rng=s)
                    labels = segment_rods(image, 0.05)
                    scores = matching_scores(truth, labels)
                    exact += scores.tp == 2 and scores.n_pred == 2
                    # split: the largest object inside one cell is not the largest inside the other (as
                    # tests/test_rods.py asks); covered: besides, most of each cell's pixels carry that object
                    largest = [np.bincount(labels[(truth == c) & (labels > 0)], minlength=1).argmax() for c in (1, 2)]
                    main = [np.bincount(labels[truth == c]).argmax() for c in (1, 2)]
                    split += largest[0] != largest[1] and min(largest) > 0
                    covered += main[0] != main[1] and min(main) > 0
                    n += 1
        print(f"  pairs {name}: split {split} of {n}; each cell mostly its own object {covered} of {n}; "
              f"exactly two cells matched {exact} of {n}")


# Flattening the background in segment_rods ------------------------------------------------


def _closing_background(k):
    """Background: a grey closing with a disk of ``k`` cell widths."""
    def background(smoothed, width):
        return closing(smoothed, disk(max(1, round(k * width)), decomposition="sequence"))
    return background


def _opened_closing_background(k, k_open=0.5):
    """Background: an opening with a disk of ``k_open`` widths (halo, rings), then a closing of ``k`` widths."""
    def background(smoothed, width):
        opened = opening(smoothed, disk(max(1, round(k_open * width)), decomposition="sequence"))
        return closing(opened, disk(max(1, round(k * width)), decomposition="sequence"))
    return background


def _median_background(smoothed, width):
    """No flattening: one number, the median of the smoothed image."""
    return np.full_like(smoothed, np.median(smoothed))


FLATTENINGS = {
    "closing 0.75 w (old)": _closing_background(0.75),
    "closing 2 w (chapter)": _closing_background(2),
    "closing 3 w": _closing_background(3),
    "closing 5 w": _closing_background(5),
    "closing 8 w": _closing_background(8),
    "opening 0.5 w + closing 3 w": _opened_closing_background(3),
    "median (no flattening)": _median_background,
}


def rods_with_background(image, pixel_size_um, cell_width_um, background, depth=0.1):
    """``segment_rods`` with its flattening replaced: smoothed image / ``background(smoothed, w)``."""
    sizes = sizes_in_pixels(pixel_size_um, cell_width_um)
    smoothed = ndi.gaussian_filter(image.astype(np.float64), sizes["smoothing"])
    relative = smoothed / np.maximum(background(smoothed, cell_width_um / pixel_size_um), 1e-12)
    cleaned = clean_mask(otsu_dark_mask(relative), sizes["opening_radius"], sizes["min_area"])
    labels = watershed(relative, basin_markers(relative, cleaned, depth), mask=cleaned).astype(np.int64)
    return _remove_small(labels, sizes["min_area"])


def flattening(images, masks, n_fields=6):
    """F1 at IoU 0.5 of segment_rods with each flattening: 20 real frames, simulated fields."""
    print("\nFlattening in segment_rods (real frames at 0.055 µm per pixel, cell width 1.1 µm, as chapter 06; "
          "F1 at IoU >= 0.5 pooled, matched / curated, objects):")
    cases = [(illumination, pixel) for illumination in (0.08, 0.3) for pixel in (0.05, 0.08, 0.1)]
    fields = {case: [simulate_field((round(25.6 / case[1]),) * 2, n_cells=10, pixel_size_um=case[1], touching=0.5,
                                    illumination=case[0], rng=seed) for seed in range(n_fields)] for case in cases}
    for name, background in FLATTENINGS.items():
        rows = [score(m, rods_with_background(im, 0.055, 1.1, background)) for im, m in zip(images, masks)]
        n_true, n_pred, tp, f1 = total(rows)
        print(f"  {name}: real {tp} of {n_true} matched, {n_pred} objects, F1 {f1:.3f}")
        print("      per frame F1: " + " ".join(f"{r[3]:.2f}" for r in rows))
        simulated_cells = []
        for (illumination, pixel), chosen in fields.items():
            n_true, n_pred, tp, f1 = total([score(t, rods_with_background(im, pixel, 1.0, background)) for im, t in chosen])
            simulated_cells.append(f"light {illumination}, {pixel} µm: {tp}/{n_true} ({n_pred}) F1 {f1:.2f}")
        print(f"      simulated, {n_fields} fields of 10 cells each (half in touching pairs): " + "; ".join(simulated_cells))
    rendered = {}
    for illumination in (0.08, 0.3):
        whole = sum(len(np.unique(l[l > 0])) == 1 for l in (
            segment_rods(render_rods([Rod(6.4, 6.4, L, 1.0, a)], (256, 256), rng=s, illumination=illumination)[0], 0.05)
            for L in (2.0, 3.7, 6.0) for a in (0, 45, 90) for s in (0, 1)))
        split = 0
        for L in (2.5, 4.5):
            for a in (0, 45, 90):
                for make in (divided_pair, side_by_side):
                    rods = divided_pair(6.4, 6.4, 2 * L, 1.0, a) if make is divided_pair else side_by_side(6.4, 6.4, L, 1.0, a)
                    image, truth = render_rods(rods, (256, 256), rng=0, illumination=illumination)
                    labels = segment_rods(image, 0.05)
                    largest = [np.bincount(labels[(truth == c) & (labels > 0)], minlength=1).argmax() for c in (1, 2)]
                    split += largest[0] != largest[1] and min(largest) > 0
        rendered[illumination] = (whole, split)
    print("  segment_rods (closing 2 w) on rendered rods: " + "; ".join(
        f"illumination {k}: isolated rods whole {w} of 18, touching pairs split {p} of 12" for k, (w, p) in rendered.items()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sensitivity", action="store_true", help="also vary each parameter (slow)")
    parser.add_argument("--flattening", action="store_true", help="only compare flattenings in segment_rods")
    args = parser.parse_args()
    images, masks = ecoli_timelapse()
    if args.flattening:
        flattening(images, masks)
        return
    real_frames(images, masks)
    rendered_rods()
    simulated()
    if args.sensitivity:
        sensitivity(images, masks)


if __name__ == "__main__":
    main()
