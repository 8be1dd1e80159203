"""Chapter 08's tracking peers, shared by tests/test_tracking_peers.py and benchmarks/tracking_benchmark.py.

- laptrack's ``OverLapTrack`` linking the same label images by overlap, its
  result turned into our ``(tracks, lineage)``;
- py-ctcmetrics scoring a result (TRA, DET) against the simulator's truth,
  both written in the Cell Tracking Challenge's format by ``write_ctc``;
- the links between consecutive frames of a result, to compare two trackers.
"""

import contextlib
import io
import tempfile
from pathlib import Path

import numpy as np
from ctc_metrics.scripts.evaluate import evaluate_sequence
from laptrack import OverLapTrack

from source_helpers.tracking import write_ctc

# laptrack's own overlap metric, 1 - (overlap / area of the later cell): for links, gaps of one
# frame and splits alike. With IoU (1, 0, -1, 0, 0) for links OverLapTrack 0.17.1 finds no splits in
# these colonies: the larger daughter takes the parent's link and the smaller one starts afresh.
LAPTRACK_METRIC = (1.0, 0.0, 0.0, 0.0, -1.0)


def laptrack_tracks(masks, *, cutoff=0.5, splitting_cutoff=0.5):
    """laptrack's ``OverLapTrack`` on a label stack, returned as ``track_cells`` returns its result."""
    tracker = OverLapTrack(metric_coefs=LAPTRACK_METRIC, cutoff=cutoff,
                           gap_closing_metric_coefs=LAPTRACK_METRIC, gap_closing_cutoff=cutoff,
                           gap_closing_max_frame_count=1,
                           splitting_metric_coefs=LAPTRACK_METRIC, splitting_cutoff=splitting_cutoff,
                           merging_cutoff=False)
    track_df, split_df, _ = tracker.predict_overlap_dataframe(masks)
    return laptrack_to_ctc(masks, track_df.reset_index(), split_df)


def laptrack_to_ctc(masks, track_df, split_df, label_of=None):
    """laptrack's track table (frame, label or index, track_id) and splits as ``(tracks, lineage)``.

    ``label_of(frame, index)`` gives the label of a row when the table holds point indices
    (plain ``LapTrack``); by default the table has a ``label`` column.
    """
    ids = {t: i + 1 for i, t in enumerate(sorted(track_df.track_id.unique()))}
    tracks = np.zeros(masks.shape, dtype=np.int32)
    for frame, rows in track_df.groupby("frame"):
        labels = rows["label"].to_numpy() if label_of is None else np.array([label_of(frame, i) for i in rows["index"]])
        lut = np.zeros(int(masks[frame].max()) + 1, dtype=np.int32)
        lut[labels] = [ids[t] for t in rows.track_id]
        tracks[frame] = lut[masks[frame]]
    splits = split_df.reindex(columns=["parent_track_id", "child_track_id"])
    parent = {ids[c]: ids[p] for p, c in splits.itertuples(index=False)}
    frames = track_df.groupby("track_id").frame
    rows = [[ids[t], int(first), int(last), parent.get(ids[t], 0)]
            for t, first, last in zip(frames.min().index, frames.min(), frames.max())]
    return tracks, np.array(sorted(rows), dtype=np.int64).reshape(-1, 4)


def ctc_scores(masks, truth, tracks, lineage):
    """py-ctcmetrics' TRA and DET of ``(tracks, lineage)`` against the true ``(masks, truth)``."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        gt = write_ctc(folder / "01_GT" / "TRA", masks, truth)
        (gt / "res_track.txt").rename(gt / "man_track.txt")
        write_ctc(folder / "01_RES", tracks, lineage)
        with contextlib.redirect_stdout(io.StringIO()):
            scores = evaluate_sequence(str(folder / "01_RES"), str(folder / "01_GT"), metrics=["TRA", "DET"],
                                       threads=1)
    return {"TRA": float(scores["TRA"]), "DET": float(scores["DET"])}


def frame_links(masks, tracks, lineage):
    """Links between consecutive frames, ``((t, label), (t + 1, label))`` in ``masks``' labels: continuing or dividing."""
    cell = {}
    for t in range(len(masks)):
        foreground = masks[t] > 0
        for track, label in np.unique(np.stack([tracks[t][foreground], masks[t][foreground]]), axis=1).T.tolist():
            cell[(t, track)] = label
    start = {label: (first, parent) for label, first, _, parent in lineage.tolist()}
    links = set()
    for (t, track), label in cell.items():
        if (t + 1, track) in cell:
            links.add(((t, label), (t + 1, cell[(t + 1, track)])))
        first, parent = start[track]
        if t == first and parent and (t - 1, parent) in cell:
            links.add(((t - 1, cell[(t - 1, parent)]), (t, label)))
    return links


def divisions(masks, tracks, lineage):
    """Divisions ``(frame, parent label, daughter label, daughter label)`` of a result, in ``masks``' labels."""
    found = {}
    for (before, parent), (t, daughter) in frame_links(masks, tracks, lineage):
        found.setdefault((t, parent), []).append(daughter)
    return {(t, parent, *sorted(kids)) for (t, parent), kids in found.items() if len(kids) == 2}


def division_counts(found, truth):
    """``(found, missed, false)`` divisions of a result against the truth's."""
    return len(found & truth), len(truth - found), len(found - truth)
