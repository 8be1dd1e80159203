"""Tests of source_helpers.tracking against simulated colonies whose lineage is known."""

import numpy as np
import pytest

from source_helpers.metrics import match_instances
from source_helpers.synthetic import simulate_colony, visible_lineage
from source_helpers.tracking import (
    count_per_frame,
    elongation_rate,
    find_divisions,
    fit_doubling_time,
    link_frames,
    read_ctc,
    track_cells,
    write_ctc,
)


@pytest.fixture(scope="module", params=[1, 2, 3])
def colony(request):
    images, masks, lineage = simulate_colony(14, (220, 220), doubling_time=4.0, rng=request.param)
    return masks, lineage


def true_divisions(masks, lineage):
    """``{frame: {(parent, child_a, child_b)}}``: daughters born in that frame, from the lineage."""
    born = {}
    for label, first, _, parent in lineage.tolist():
        if parent and first > 0 and (masks[first] == label).any():
            born.setdefault((first, parent), []).append(label)
    return {(frame, (parent, *sorted(kids))) for (frame, parent), kids in born.items() if len(kids) == 2}


def test_count_per_frame_counts_distinct_labels_whatever_their_values():
    stack = np.zeros((3, 4, 4), dtype=np.int64)
    stack[1, 0, 0] = 7
    stack[2] = 5                      # no background at all: one object
    stack[2, 3, 3] = 9
    assert count_per_frame(stack).tolist() == [0, 1, 2]


def test_count_per_frame_agrees_with_the_simulated_truth(colony):
    masks, _ = colony
    assert count_per_frame(masks).tolist() == [len(np.unique(m[m > 0])) for m in masks]


def test_links_between_true_frames_follow_each_cell(colony):
    # The one link IoU may get wrong by design: a parent to the larger of its newborn daughters.
    masks, lineage = colony
    parent_of = {label: parent for label, _, _, parent in lineage.tolist()}
    continuing = correct = found = to_daughter = 0
    for before, after in zip(masks[:-1], masks[1:]):
        same = set(np.unique(before[before > 0])) & set(np.unique(after[after > 0]))
        links = link_frames(before, after)
        found += len(links)
        correct += sum(p == n and p in same for p, n in links)
        to_daughter += sum(p != n and parent_of[n] == p for p, n in links)
        for label in same:            # above IoU 0.5 a cell has one partner at most, so it must be linked
            a, b = before == label, after == label
            if (a & b).sum() / (a | b).sum() > 0.5:
                continuing += 1
                assert (label, label) in links, f"cell {label} overlaps itself at IoU > 0.5 but is not linked"
    assert correct + to_daughter == found, "a link joined two cells that are neither the same nor parent and daughter"
    assert correct >= continuing > 0


def test_links_are_chapter_07s_matching(colony):
    masks, _ = colony
    for before, after in zip(masks[:-1], masks[1:]):
        assert link_frames(before, after) == [tuple(map(int, pair)) for pair in match_instances(before, after)]


@pytest.mark.parametrize("threshold", [0.2, 0.3, 0.45])
def test_below_half_links_are_as_many_as_chapter_07s_matching_finds(colony, threshold):
    masks, _ = colony
    for before, after in zip(masks[:-1], masks[1:]):
        links = link_frames(before, after, threshold)
        assert len(links) == len(match_instances(before, after, threshold))
        assert len({p for p, _ in links}) == len({n for _, n in links}) == len(links)


def test_below_half_one_large_overlap_does_not_block_two_smaller_ones():
    before = np.zeros((12, 84), dtype=np.int64)
    before[1:11, 0:60], before[1:11, 60:78] = 4, 8
    after = np.zeros_like(before)
    after[1:11, 0:15], after[1:11, 15:81] = 3, 6
    assert link_frames(before, after, 0.2) == [(4, 3), (8, 6)]       # taking the best pair (4, 6) first leaves one link
    tracks, lineage = track_cells(np.stack([before, after]), threshold=0.2, min_overlap=0.9)
    assert lineage.tolist() == [[1, 0, 1, 0], [2, 0, 1, 0]]                # both cells carry on, none divides
    assert tracks[1][after == 3].tolist() == [1] * 150 and tracks[1][after == 6].tolist() == [2] * 660


def test_divisions_found_are_the_true_ones(colony):
    masks, lineage = colony
    truth = true_divisions(masks, lineage)
    found = {(t + 1, division) for t in range(len(masks) - 1) for division in find_divisions(masks[t], masks[t + 1])}
    assert truth, "the simulated colony should divide"
    assert len(found & truth) >= 0.8 * len(truth), (sorted(truth - found), sorted(found - truth))
    assert len(found & truth) >= 0.9 * len(found), sorted(found - truth)


def test_a_cell_that_moves_more_than_its_width_is_not_linked():
    before = np.zeros((20, 40), dtype=np.int64)
    after = np.zeros_like(before)
    before[8:12, 2:20] = 1
    after[8:12, 8:26] = 1             # moved by 6 px along its 18 px length: IoU 12/24 = 0.5
    assert link_frames(before, after) == [(1, 1)]
    after[:] = 0
    after[14:18, 2:20] = 1            # moved sideways by more than its 4 px width: no overlap
    assert link_frames(before, after) == []
    assert find_divisions(before, after) == []


@pytest.mark.parametrize("doubling", [3.0, 5.0])
def test_fit_doubling_time_recovers_the_simulated_doubling_time(doubling):
    _, masks, _ = simulate_colony(18, (320, 320), doubling_time=doubling, rng=4)
    counts = count_per_frame(masks)
    grown = counts >= 2             # after the first division, before the colony fills the field
    times = np.arange(len(counts))[grown]
    fitted, error = fit_doubling_time(times, counts[grown])
    assert 0 < error < 0.2 * fitted
    assert abs(fitted - doubling) < max(3 * error, 0.25 * doubling), (fitted, error)


def test_fit_doubling_time_of_exact_exponential_growth():
    times = np.arange(6) * 10.0
    doubling, error = fit_doubling_time(times, 3 * 2 ** (times / 25.0))
    assert doubling == pytest.approx(25.0) and error == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("times, counts, match", [
    ([0, 1, 2], [1, 0, 4], "`counts` must all be > 0"),
    ([0, 1], [1, 2], "at least 3 points"),
    ([0, 1, 2], [1, 2], "same length"),
    ([0, 1, 2], [4, 2, 1], "do not grow"),
])
def test_fit_doubling_time_refuses_what_it_cannot_fit(times, counts, match):
    with pytest.raises(ValueError, match=match):
        fit_doubling_time(times, counts)


def test_count_per_frame_needs_a_stack():
    with pytest.raises(ValueError, match="`label_stack` must be 3-D"):
        count_per_frame(np.zeros((4, 4)))


# --- track_cells: whole tracks and their lineage ---------------------------------------

def track_of_truth(masks, tracks):
    """``{(frame, true label): our track id}``; the segmentation is the same, so each true cell is one track."""
    mapping = {}
    for t, (truth, ours) in enumerate(zip(masks, tracks)):
        pairs = np.unique(np.stack([truth[truth > 0], ours[truth > 0]]), axis=1)
        assert len(np.unique(pairs[0])) == pairs.shape[1], "a true cell was split between tracks"
        mapping.update({(t, int(a)): int(b) for a, b in pairs.T})
    return mapping


def divisions_recovered(masks, lineage, tracks, ours):
    """How many true divisions ``(parent, daughter, daughter)`` our lineage has the same way round."""
    row = {label: (first, last, parent) for label, first, last, parent in ours.tolist()}
    mapping = track_of_truth(masks, tracks)
    truth = true_divisions(masks, lineage)
    found = 0
    for frame, (parent, a, b) in truth:
        mine = [mapping[(frame, a)], mapping[(frame, b)]]
        before = mapping.get((frame - 1, parent))
        found += all(row[m][0] == frame and row[m][2] == before for m in mine) and before is not None
    return found, len(truth)


@pytest.mark.parametrize("threshold", [0.3, 0.5])
def test_track_cells_finds_the_true_divisions(colony, threshold):
    masks, lineage = colony
    tracks, ours = track_cells(masks, threshold=threshold)
    found, total = divisions_recovered(masks, lineage, tracks, ours)
    assert total > 0
    assert found >= 0.8 * total, f"{found} of {total} true divisions found with parent and both daughters"


def test_track_cells_recovers_the_lineage_of_a_colony(colony):
    # The simulated cells are pushed about by their neighbours: below IoU 0.5 from one frame to the
    # next now and then, so the default threshold breaks a few tracks; 0.3 follows them.
    masks, lineage = colony
    truth = visible_lineage(masks, lineage)
    tracks, ours = track_cells(masks, threshold=0.3)
    assert abs(len(ours) - len(truth)) <= 0.1 * len(truth), (len(ours), len(truth))
    n_parents = lambda table: len(set(table[:, 3].tolist()) - {0})
    assert abs(n_parents(ours) - n_parents(truth)) <= max(1, 0.15 * n_parents(truth))
    # Each division gives exactly two daughters.
    daughters = np.bincount(ours[ours[:, 3] > 0, 3])
    assert set(daughters[daughters > 0].tolist()) == {2}
    # Most true cells are one of our tracks over their whole life.
    mapping = track_of_truth(masks, tracks)
    whole = sum(len({mapping[(t, label)] for t in range(first, last + 1)}) == 1
                for label, first, last, _ in truth.tolist())
    assert whole >= 0.85 * len(truth)


def test_track_cells_keeps_the_segmentation_and_agrees_with_its_lineage(colony):
    masks, _ = colony
    tracks, lineage = track_cells(masks)
    assert tracks.shape == masks.shape and lineage.dtype == np.int64 and lineage.shape[1] == 4
    assert np.array_equal(tracks > 0, masks > 0)
    assert lineage[:, 0].tolist() == list(range(1, len(lineage) + 1)), "track ids are 1, 2, ... in order"
    for label, first, last, parent in lineage.tolist():
        present = [t for t in range(len(tracks)) if (tracks[t] == label).any()]
        assert present == list(range(first, last + 1)), (label, first, last, present)
        assert parent == 0 or lineage[parent - 1, 2] == first - 1, "daughters start the frame after their parent ends"


def test_track_cells_follows_relabelled_cells_and_finds_a_division():
    stack = np.zeros((4, 10, 30), dtype=np.uint16)
    stack[0, 2:6, 2:10] = 3; stack[0, 2:6, 20:26] = 8
    stack[1, 2:6, 3:11] = 40; stack[1, 2:6, 20:26] = 2          # the same two cells, new labels
    stack[2, 2:6, 3:7] = 5; stack[2, 2:6, 7:11] = 6; stack[2, 2:6, 21:27] = 1   # the first divides
    stack[3, 2:6, 3:7] = 6; stack[3, 2:6, 7:11] = 5             # the daughters swap labels; the other leaves
    stack[3, 7:9, 25:29] = 9                                     # and a newcomer appears
    tracks, lineage = track_cells(stack)
    assert lineage.tolist() == [[1, 0, 1, 0], [2, 0, 2, 0], [3, 2, 3, 1], [4, 2, 3, 1], [5, 3, 3, 0]]
    assert tracks[3, 3, 4] == tracks[2, 3, 4] == 3 and tracks[3, 3, 8] == 4 and tracks[3, 8, 26] == 5
    assert tracks.dtype == np.int32


def test_track_cells_of_an_empty_frame_and_a_single_frame():
    stack = np.zeros((3, 5, 5), dtype=int)
    stack[0, 1:3, 1:3] = 7
    stack[2, 1:3, 1:3] = 7                  # back after an empty frame: a new track
    tracks, lineage = track_cells(stack)
    assert lineage.tolist() == [[1, 0, 0, 0], [2, 2, 2, 0]]
    tracks, lineage = track_cells(stack[:1])
    assert lineage.tolist() == [[1, 0, 0, 0]] and tracks.max() == 1


def test_track_cells_threshold_decides_a_link():
    stack = np.zeros((2, 4, 20), dtype=int)
    stack[0, :, 0:10] = 1
    stack[1, :, 4:14] = 1                   # IoU 6 / 14 = 0.43
    assert len(track_cells(stack)[1]) == 2
    assert len(track_cells(stack, threshold=0.4)[1]) == 1


@pytest.mark.parametrize("stack, kwargs, error, match", [
    (np.zeros((4, 4), dtype=int), {}, ValueError, "`label_stack` must be 3-D .*label_stack\\[np.newaxis\\]"),
    (np.zeros((2, 4, 4)), {}, TypeError, "`label_stack` must be integer label images; got dtype float64"),
    (-np.ones((2, 4, 4), dtype=int), {}, ValueError, "`label_stack` must not hold negative labels"),
    ([[[1]]], {}, TypeError, "`label_stack` must be a NumPy array"),
    (np.zeros((2, 4, 4), dtype=int), {"threshold": 0}, ValueError, "`threshold` must be greater than 0"),
    (np.zeros((2, 4, 4), dtype=int), {"min_overlap": 1.5}, ValueError, "`min_overlap` must be at most 1"),
])
def test_track_cells_refuses_what_is_not_a_label_stack(stack, kwargs, error, match):
    with pytest.raises(error, match=match):
        track_cells(stack, **kwargs)


def test_links_and_divisions_of_labels_beyond_the_frame_size():
    # Large label ids are compacted before counting overlaps; the answer must not change.
    before = np.array([[1, 1, 1, 1, 0, 2, 2]]) * 10**12
    after = np.array([[5, 5, 7, 7, 0, 9, 9]]) * 10**12
    assert link_frames(before, after) == [(10**12, 5 * 10**12), (2 * 10**12, 9 * 10**12)]   # IoU 2 / 4
    assert find_divisions(before, after) == [(10**12, 5 * 10**12, 7 * 10**12)]


# --- the Cell Tracking Challenge's format ----------------------------------------------

def test_ctc_round_trip_of_a_tracked_colony(colony, tmp_path):
    masks, _ = colony
    tracks, lineage = track_cells(masks)
    folder = write_ctc(tmp_path / "01_RES", tracks, lineage)
    names = sorted(p.name for p in folder.iterdir())
    assert names[0] == "mask000.tif" and names[-1] == "res_track.txt" and len(names) == len(masks) + 1
    back, back_lineage = read_ctc(folder)
    assert np.array_equal(back, tracks) and np.array_equal(back_lineage, lineage)
    import tifffile
    assert tifffile.imread(folder / "mask000.tif").dtype == np.uint16
    first = (folder / "res_track.txt").read_text().splitlines()[0].split()
    assert [int(f) for f in first] == lineage[0].tolist()


def test_ctc_round_trip_of_the_simulated_truth(colony, tmp_path):
    masks, lineage = colony
    truth = visible_lineage(masks, lineage)
    back, back_lineage = read_ctc(write_ctc(tmp_path, masks, truth))
    assert np.array_equal(back, masks) and np.array_equal(back_lineage, truth)


def small_tracks():
    tracks = np.zeros((3, 4, 4), dtype=int)
    tracks[:2, 0, 0] = 1
    tracks[2, 0, 0] = 2
    tracks[2, 3, 3] = 3
    return tracks, np.array([[1, 0, 1, 0], [2, 2, 2, 1], [3, 2, 2, 1]])


@pytest.mark.parametrize("lineage, match", [
    ([[1, 0, 1, 0], [2, 2, 2, 1]], "label 3 is in frame 2 but has no row"),
    ([[1, 0, 0, 0], [2, 2, 2, 1], [3, 2, 2, 1]], "label 1 is in frame 1, outside its frames 0 to 0"),
    ([[1, 0, 2, 0], [2, 2, 2, 0], [3, 2, 2, 0]], "track 1 runs from frame 0 to 2 but is missing from 1"),
    ([[1, 0, 1, 0], [2, 2, 2, 4], [3, 2, 2, 1]], "track 2 .* has parent 4, which is not a track"),
    ([[1, 0, 1, 0], [2, 2, 2, 1], [3, 1, 2, 1]], "track 3 .* has parent 1, which is not a track that ends before"),
    ([[1, 0, 1, 0], [2, 2, 5, 1], [3, 2, 2, 1]], "track 2 runs from frame 2 to 5, outside frames 0 to 2"),
    ([[1, 0, 1, 0], [1, 2, 2, 0], [3, 2, 2, 1]], "labels must be unique"),
    ([[1, 0, 1], [2, 2, 2]], r"`lineage` must be an \(N, 4\) integer array"),
])
def test_write_ctc_refuses_a_lineage_that_disagrees_with_the_tracks(tmp_path, lineage, match):
    tracks, _ = small_tracks()
    with pytest.raises(ValueError, match=match):
        write_ctc(tmp_path / "out", tracks, np.array(lineage))
    assert not (tmp_path / "out").exists(), "nothing is written when the input is refused"


def test_write_ctc_refuses_what_16_bit_masks_cannot_hold_and_a_file_for_a_folder(tmp_path):
    tracks, lineage = small_tracks()
    with pytest.raises(ValueError, match="labels up to 65535"):
        write_ctc(tmp_path, tracks * 70_000, lineage * [70_000, 1, 1, 70_000])
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match="`folder` must be a folder"):
        write_ctc(tmp_path / "file", tracks, lineage)
    with pytest.raises(ValueError, match="`tracks` must be 3-D"):
        write_ctc(tmp_path, tracks[0], lineage)


def test_read_ctc_explains_a_broken_folder(tmp_path):
    with pytest.raises(ValueError, match="`folder` must be an existing folder"):
        read_ctc(tmp_path / "missing")
    with pytest.raises(ValueError, match="has no mask000.tif"):
        read_ctc(tmp_path)
    tracks, lineage = small_tracks()
    folder = write_ctc(tmp_path / "res", tracks, lineage)
    (folder / "res_track.txt").write_text("1 0 1 0\n2 2 2 1\n")
    with pytest.raises(ValueError, match="res_track.txt disagrees with the masks: label 3 is in frame 2"):
        read_ctc(folder)
    (folder / "res_track.txt").write_text("1 0 1\n")
    with pytest.raises(ValueError, match="res_track.txt line 1 must be four whole numbers"):
        read_ctc(folder)
    (folder / "res_track.txt").unlink()
    with pytest.raises(ValueError, match="no res_track.txt"):
        read_ctc(folder)
    write_ctc(folder, tracks, lineage)
    (folder / "mask001.tif").unlink()
    with pytest.raises(ValueError, match=r"numbered 0, 1, ... without gaps; missing frames \[1\]"):
        read_ctc(folder)


def test_read_ctc_reads_the_challenges_ground_truth_name(tmp_path):
    tracks, lineage = small_tracks()
    folder = write_ctc(tmp_path, tracks, lineage)
    (folder / "res_track.txt").rename(folder / "man_track.txt")
    assert read_ctc(folder)[1].tolist() == lineage.tolist()


# --- elongation_rate: one cell's growth -------------------------------------------------

@pytest.mark.parametrize("rate", [0.05, 0.2])
def test_elongation_rate_recovers_a_known_rate_through_noise(rate):
    rng = np.random.default_rng(7)
    times = np.arange(12.0)
    lengths = 2.5 * np.exp(rate * times) * np.exp(rng.normal(0, 0.02, times.size))
    fitted, error = elongation_rate(times, lengths)
    assert 0 < error < 0.02
    assert abs(fitted - rate) < 3 * error, (fitted, error)


def test_elongation_rate_of_a_simulated_cell_is_its_doubling():
    # Exact exponential growth of a length that doubles in 4 frames: rate ln(2) / 4.
    times = np.arange(5)
    rate, error = elongation_rate(times, 2.5 * 2 ** (times / 4))
    assert rate == pytest.approx(np.log(2) / 4) and error == pytest.approx(0, abs=1e-12)


@pytest.mark.parametrize("times, lengths, match", [
    ([0, 1, 2], [1, 0, 4], "`lengths` must all be > 0"),
    ([0, 1], [1, 2], "at least 3 points"),
    ([0, 1, 2], [1, 2], "`lengths` and `times` must be 1-D of the same length"),
])
def test_elongation_rate_refuses_what_it_cannot_fit(times, lengths, match):
    with pytest.raises(ValueError, match=match):
        elongation_rate(times, lengths)
