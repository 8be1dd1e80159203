"""Tests of source_helpers.tracking against simulated colonies whose lineage is known."""

import numpy as np
import pytest

from source_helpers.metrics import match_instances
from source_helpers.synthetic import simulate_colony
from source_helpers.tracking import count_per_frame, find_divisions, fit_doubling_time, link_frames


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
