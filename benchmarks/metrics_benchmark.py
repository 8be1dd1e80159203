"""Speed and memory of the chapter 07 metrics against stardist and a per-pair loop.

On the same pairs of realistic label images (touching irregular cells of a
Voronoi tessellation; the prediction has its cells shifted, some missing so
that a neighbour takes their place, some split), at three sizes, this times

- ``ours``: ``source_helpers.matching_scores`` (sparse overlaps, matching);
- ``stardist``: ``stardist.matching.matching`` (dense overlap matrix,
  Hungarian matching on the dense IoU matrix);
- ``loop``: what a student writes first: for each true object, for each
  predicted object, the IoU of two boolean masks, then the same Hungarian
  matching as stardist. Skipped, with an estimate, where it would take hours.

both at one threshold (0.5) and at nine (0.1, ..., 0.9; ``scores_over_thresholds``
against stardist's ``matching`` with a tuple of thresholds), checks that all
three count the same true positives, and measures the peak memory of ours on
the largest pair. stardist on the largest pair runs in a child process with a
memory cap: its dense 20,000 x 20,000 matrices take about 10 GB there (give a
lower cap to see it fail instead). Run from the repository root (after
``make setup-dev``):

    .venv/bin/python benchmarks/metrics_benchmark.py [--repeat 5] [--stardist-memory-gb 14]
"""

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi
from scipy.optimize import linear_sum_assignment

from source_helpers.metrics import DEFAULT_THRESHOLDS, matching_scores, scores_over_thresholds

SIZES = [((512, 512), 100), ((2048, 2048), 2_000), ((4096, 4096), 20_000)]
# The loop is run where it takes at most this long (estimated from the smallest size).
LOOP_BUDGET_SECONDS = 120


# --- test images ------------------------------------------------------------------

def voronoi_labels(shape, seeds, max_distance):
    """Each pixel gets the id (1, 2, ...) of its nearest seed, background beyond ``max_distance``."""
    grid = np.ones(shape, dtype=bool)
    grid[seeds[:, 0], seeds[:, 1]] = False
    distance, (rows, cols) = ndi.distance_transform_edt(grid, return_indices=True)
    ids = np.zeros(shape, dtype=np.uint32)
    ids[seeds[:, 0], seeds[:, 1]] = np.arange(1, len(seeds) + 1)
    labels = ids[rows, cols]
    labels[distance > max_distance] = 0
    return labels


def image_pair(shape, n_objects, seed=0):
    """A true label image of about ``n_objects`` touching cells, and a flawed prediction of it."""
    rng = np.random.default_rng(seed)
    height, width = shape
    seeds = np.unique(np.column_stack([rng.integers(0, height, n_objects), rng.integers(0, width, n_objects)]), axis=0)
    spacing = np.sqrt(height * width / len(seeds))
    true = voronoi_labels(shape, seeds, 0.6 * spacing)
    kept = seeds[rng.random(len(seeds)) > 0.05]                         # 5 % missed
    moved = kept + rng.normal(0, 0.1 * spacing, kept.shape)             # outlines shifted
    split = seeds[rng.random(len(seeds)) < 0.05]                        # 5 % split in two
    extra = split + rng.normal(0, 0.3 * spacing, split.shape)
    points = np.clip(np.rint(np.vstack([moved, extra])), 0, [height - 1, width - 1]).astype(int)
    pred = voronoi_labels(shape, np.unique(points, axis=0), 0.55 * spacing)
    # Scattered, non-consecutive predicted ids.
    lut = np.zeros(int(pred.max()) + 1, dtype=np.uint32)
    lut[1:] = rng.choice(np.arange(1, 4 * len(lut)), size=len(lut) - 1, replace=False)
    return true, lut[pred]


# --- the contenders -----------------------------------------------------------------

def ours(true, pred, thresholds):
    if len(thresholds) == 1:
        return [matching_scores(true, pred, thresholds[0]).tp]
    return [s.tp for s in scores_over_thresholds(true, pred, thresholds)]


def stardist(true, pred, thresholds):
    from stardist.matching import matching

    if len(thresholds) == 1:
        return [int(matching(true, pred, thresh=thresholds[0]).tp)]
    return [int(m.tp) for m in matching(true, pred, thresh=tuple(thresholds))]


def loop_iou_matrix(true, pred):
    true_ids = [t for t in np.unique(true) if t != 0]
    pred_ids = [p for p in np.unique(pred) if p != 0]
    matrix = np.zeros((len(true_ids), len(pred_ids)))
    for i, t in enumerate(true_ids):
        a = true == t
        for j, p in enumerate(pred_ids):
            b = pred == p
            matrix[i, j] = np.count_nonzero(a & b) / np.count_nonzero(a | b)
    return matrix


def loop(true, pred, thresholds):
    matrix = loop_iou_matrix(true, pred)
    tps = []
    for threshold in thresholds:
        n = max(1, min(matrix.shape))
        rows, cols = linear_sum_assignment(-(matrix >= threshold).astype(float) - matrix / (2 * n))
        tps.append(int(np.count_nonzero(matrix[rows, cols] >= threshold)))
    return tps


def timed(function, args, repeat):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


# --- child processes for the largest pair ---------------------------------------------

def child(kind, path, thresholds):
    """Run one contender on saved images; print its time, tps and the process's peak memory."""
    data = np.load(path)
    true, pred = data["true"], data["pred"]
    function = {"ours": ours, "stardist": stardist}[kind]
    if kind == "stardist":
        function(true[:64, :64], pred[:64, :64], thresholds)   # compile numba outside the timing
    seconds, tps = timed(function, (true, pred, thresholds), 1)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{seconds} {','.join(map(str, tps))} {peak_mb}")


def run_child(kind, path, thresholds, memory_gb, timeout):
    def cap():
        if memory_gb:
            limit = int(memory_gb * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    command = [sys.executable, __file__, "--child", kind, str(path), ",".join(map(str, thresholds))]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, preexec_fn=cap)
    except subprocess.TimeoutExpired:
        return None, f"did not finish within {timeout:.0f} s"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        cap_text = f" (memory capped at {memory_gb:g} GB)" if memory_gb else ""
        return None, f"failed{cap_text}: {last[:120]}"
    seconds, tps, peak = done.stdout.split()
    return (float(seconds), [int(t) for t in tps.split(",")], float(peak)), None


# --- main -------------------------------------------------------------------------------

def fmt(seconds):
    return "-" if seconds is None else (f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="repeats per measurement (fewer at the largest size)")
    parser.add_argument("--stardist-memory-gb", type=float, default=14.0,
                        help="memory cap of the stardist child process on the largest pair (0: none)")
    parser.add_argument("--stardist-timeout", type=float, default=900.0, help="seconds before giving stardist up")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path, thresholds = args.child
        child(kind, path, [float(t) for t in thresholds.split(",")])
        return

    tasks = {"1 threshold (0.5)": [0.5], "9 thresholds (0.1-0.9)": list(DEFAULT_THRESHOLDS)}
    # Compile stardist's numba code before any timing.
    stardist(*image_pair((64, 64), 10), [0.5])
    rows, notes, loop_seconds_per_unit = [], [], None
    for (shape, n_objects) in SIZES:
        true, pred = image_pair(shape, n_objects)
        n_true, n_pred = len(np.unique(true)) - 1, len(np.unique(pred)) - 1
        size = f"{shape[0]}x{shape[1]}, {n_true:,}/{n_pred:,} objects"
        repeat = max(1, args.repeat if n_objects <= 2000 else (args.repeat + 1) // 2)
        saved = None
        if n_objects > 2000:
            saved = Path(tempfile.mkdtemp()) / "pair.npz"
            np.savez(saved, true=true, pred=pred)
        for task, thresholds in tasks.items():
            t_ours, tp_ours = timed(ours, (true, pred, thresholds), repeat)
            # stardist
            if saved is None:
                t_star, tp_star = timed(stardist, (true, pred, thresholds), repeat)
            else:
                result, why = run_child("stardist", saved, thresholds, args.stardist_memory_gb, args.stardist_timeout)
                if result is None:
                    t_star, tp_star = None, None
                    notes.append(f"stardist at {size}, {task}: {why}")
                else:
                    t_star, tp_star, peak = result
                    notes.append(f"stardist at {size}, {task}: peak memory of its process {peak:,.0f} MB")
            # the loop: run it at the smallest size, estimate the others from pairs x pixels
            units = n_true * n_pred * true.size
            estimate = None if loop_seconds_per_unit is None else loop_seconds_per_unit * units
            if estimate is None or estimate <= LOOP_BUDGET_SECONDS:
                t_loop, tp_loop = timed(loop, (true, pred, thresholds), 1)
                loop_seconds_per_unit = t_loop / units
            else:
                t_loop, tp_loop = None, None
                notes.append(f"loop at {size}, {task}: skipped, estimated {estimate / 3600:,.1f} h "
                             f"({n_true * n_pred:,} pairs of {true.size:,}-pixel masks)")
            agree = all(tp is None or tp == tp_ours for tp in (tp_star, tp_loop))
            rows.append((size, task, t_ours, t_star, t_loop, agree))

        if saved is not None:
            tracemalloc.start()
            matching_scores(true, pred)
            traced = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            result, why = run_child("ours", saved, [0.5], 0, None)
            process = f"; whole process (Python, libraries, the two {true.nbytes / 2**20:.0f} MB images) " \
                      f"{result[2]:,.0f} MB" if result else f"; child process {why}"
            notes.append(f"ours at {size}: peak memory allocated by matching_scores {traced / 2**20:,.0f} MB "
                         f"(tracemalloc){process}")

    print(f"Median of repeats ({args.repeat} at the two smaller sizes, {max(1, (args.repeat + 1) // 2)} for ours at the "
          "largest, 1 for the loop and for stardist at the largest); 2 shared cores, so times may be inflated.\n")
    header = ("images", "task", "ours", "stardist", "loop", "stardist/ours", "loop/ours", "same tp")
    table = [header] + [
        (size, task, fmt(a), fmt(b), fmt(c), f"{b / a:.1f}x" if b else "-", f"{c / a:.0f}x" if c else "-",
         "yes" if agree else "NO")
        for size, task, a, b, c, agree in rows
    ]
    widths = [max(len(str(r[i])) for r in table) for i in range(len(header))]
    for k, row in enumerate(table):
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths)))
        if k == 0:
            print("  ".join("-" * w for w in widths))
    print()
    for note in notes:
        print("-", note)


if __name__ == "__main__":
    main()
