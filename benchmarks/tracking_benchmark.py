"""Chapter 08's tracking against laptrack, scored by the Cell Tracking Challenge's measures.

On simulated colonies of known lineage (``simulate_colony``, several seeds),
as they come and in a fast-moving variant (every other frame shifted by
``drift`` pixels down and right, as a shaky stage), this links the true label images
with

- ``ours``: ``source_helpers.track_cells`` (IoU >= 0.5 links, divisions first);
- ``overlap``: laptrack's ``OverLapTrack`` (LAP on overlaps; its own metric
  1 - overlap / area of the later cell, for links, one-frame gaps and splits);
- ``centroids``: laptrack's plain ``LapTrack`` on cell centroids (squared
  distance; links up to 30 px, splits up to 40 px: a daughter's centre is a quarter of
  its parent's length, about 25 px, from the parent's; with 15 px links it finds almost none);

and reports, as medians over the seeds, py-ctcmetrics' TRA and DET (each
result and the truth written by ``write_ctc``), divisions found / missed /
false against the true ones, and the time. Then it times ``track_cells`` on
100 frames of 500 cells (``random_rods``, the frame drifting and every frame
relabelled at random), against ``OverLapTrack`` on the first frames of the same
stack. Run from the repository root (after ``make setup-dev``):

    .venv/bin/python benchmarks/tracking_benchmark.py [--seeds 5] [--drift 8] [--repeat 3]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from laptrack import LapTrack

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from source_helpers.synthetic import random_rods, rods_to_labels, simulate_colony, visible_lineage  # noqa: E402
from source_helpers.tracking import track_cells  # noqa: E402
from tracking_peers import (  # noqa: E402
    ctc_scores,
    division_counts,
    divisions,
    laptrack_to_ctc,
    laptrack_tracks,
)


def centroid_tracks(masks, *, link_px=30.0, split_px=40.0):
    """laptrack's ``LapTrack`` on the centroids of the cells, as ``(tracks, lineage)``."""
    rows = []
    for t, frame in enumerate(masks):
        r, c = np.nonzero(frame)
        labels, index = np.unique(frame[r, c], return_inverse=True)
        sizes = np.bincount(index)
        rows += [(t, int(label), y, x) for label, y, x in zip(labels, np.bincount(index, r) / sizes,
                                                               np.bincount(index, c) / sizes)]
    df = pd.DataFrame(rows, columns=["frame", "label", "y", "x"])
    tracker = LapTrack(cutoff=link_px**2, gap_closing_cutoff=link_px**2, gap_closing_max_frame_count=1,
                       splitting_cutoff=split_px**2, merging_cutoff=False)
    track_df, split_df, _ = tracker.predict_dataframe(df, ["y", "x"], only_coordinate_cols=False)
    return laptrack_to_ctc(masks, track_df.reset_index(), split_df)


TRACKERS = {"ours": track_cells, "overlap": laptrack_tracks, "centroids": centroid_tracks}


def shaking(masks, drift):
    """The stack with every other frame moved by ``drift`` pixels down and right: each step jumps ``drift`` px."""
    out = masks.copy()
    d = int(drift)
    out[1::2] = 0
    out[1::2, d:, d:] = masks[1::2, :-d, :-d]
    return out


def score(name, masks, truth):
    start = time.perf_counter()
    tracks, lineage = TRACKERS[name](masks)
    seconds = time.perf_counter() - start
    ctc = ctc_scores(masks, truth, tracks, lineage)
    found, missed, false = division_counts(divisions(masks, tracks, lineage), divisions(masks, masks, truth))
    return {"TRA": ctc["TRA"], "DET": ctc["DET"], "found": found, "missed": missed, "false": false, "s": seconds}


def colonies(n_seeds, drift):
    for variant in ("still", "fast"):
        results = {name: [] for name in TRACKERS}
        n_divisions = []
        for seed in range(1, n_seeds + 1):
            _, masks, lineage = simulate_colony(20, (320, 320), doubling_time=4.0, rng=seed)
            if variant == "fast":
                masks = shaking(masks, drift)
            truth = visible_lineage(masks, lineage)
            n_divisions.append(len(divisions(masks, masks, truth)))
            for name in TRACKERS:
                results[name].append(score(name, masks, truth))
        label = "as simulated" if variant == "still" else f"shaken: every other frame moved {drift:g} px down and right"
        print(f"\nColonies {label}: 20 frames of 320 x 320, {n_seeds} seeds, median "
              f"{statistics.median(n_divisions)} true divisions each; medians over the seeds")
        print(f"{'tracker':<10} {'TRA':>6} {'DET':>6} {'found':>6} {'missed':>7} {'false':>6} {'time s':>8}")
        for name, rows in results.items():
            med = {key: statistics.median(r[key] for r in rows) for key in rows[0]}
            print(f"{name:<10} {med['TRA']:6.3f} {med['DET']:6.3f} {med['found']:6.1f} {med['missed']:7.1f} "
                  f"{med['false']:6.1f} {med['s']:8.3f}")


def big_stack(n_frames=100, n_cells=500, seed=0):
    """``n_frames`` frames of ``n_cells`` rods drifting 2 px per frame, every frame relabelled at random."""
    rng = np.random.default_rng(seed)
    rods = random_rods(n_cells, (1400, 1400), pixel_size_um=0.1, rng=seed)
    base = rods_to_labels(rods, (1400, 1400), pixel_size_um=0.1)
    frames = []
    for t in range(n_frames):
        frame = np.roll(base, (2 * t, t), axis=(0, 1))
        shuffle = np.concatenate([[0], rng.permutation(int(base.max())) + 1])
        frames.append(shuffle[frame])
    return np.stack(frames).astype(np.int32)


def large(repeat):
    stack = big_stack()
    cells = [len(np.unique(f)) - 1 for f in stack[:3]]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        tracks, lineage = track_cells(stack)
        times.append(time.perf_counter() - start)
    print(f"\ntrack_cells on {stack.shape[0]} frames of {stack.shape[1]} x {stack.shape[2]} with {cells[0]} cells "
          f"each: median {statistics.median(times):.2f} s over {repeat} runs; {len(lineage)} tracks "
          f"(one per cell if every link is found: {cells[0]})")
    short = stack[:10]
    start = time.perf_counter()
    track_cells(short)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    laptrack_tracks(short)
    theirs = time.perf_counter() - start
    print(f"first 10 frames: track_cells {ours:.2f} s, OverLapTrack {theirs:.2f} s (ratio {theirs / ours:.0f}x)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--drift", type=float, default=8.0, help="pixels of each jump of the fast-moving variant")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the large stack")
    args = parser.parse_args()
    colonies(args.seeds, args.drift)
    large(args.repeat)


if __name__ == "__main__":
    main()
