"""Storyboard frames grouped into provider segments: scene boundaries, pairs, requests."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkle_motion.pipeline.segments import SegmentRule, group_frames
from sparkle_motion.schemas import Shot

FPS = 24


def shot(shot_id: str, scene: str, frames: int) -> Shot:
    return Shot(
        id=shot_id,
        scene_id=scene,
        scene_index=0,
        frames=frames,
        framing="medium",
        movement="static",
        location="Kitchen",
        location_key="kitchen",
        interior=True,
        time_of_day="day",
        template="t",
        reason="r",
    )


def episode(scenes: list[list[int]]) -> list[Shot]:
    return [
        shot(f"s{n}-{m}", f"s{n}", frames)
        for n, lengths in enumerate(scenes, 1)
        for m, frames in enumerate(lengths, 1)
    ]


def test_pairs_stay_inside_their_scene_and_a_lone_shot_is_its_own_segment() -> None:
    shots = episode([[48, 48, 48], [72], [24, 24]])
    grouping = group_frames(shots, [s.id for s in shots], fps=FPS, rule=SegmentRule())
    assert [seg.shot_ids for seg in grouping.segments] == [
        ("s1-1", "s1-2"),
        ("s1-3",),
        ("s2-1",),
        ("s3-1", "s3-2"),
    ]
    first = grouping.segments[0]
    assert first.segment_id == "s1-1+s1-2" and first.seconds == 4.0
    assert first.span("s1-2") == (48, 48)
    assert any("s2-1: a segment of its own" in d for d in grouping.decisions)


def test_only_shots_that_follow_each_other_are_joined() -> None:
    shots = episode([[24, 24, 24, 24]])
    grouping = group_frames(shots, ["s1-1", "s1-3", "s1-4"], fps=FPS, rule=SegmentRule())
    assert [seg.shot_ids for seg in grouping.segments] == [("s1-1",), ("s1-3", "s1-4")]


def test_a_pair_too_long_for_the_provider_goes_one_by_one_and_a_long_shot_is_not_sent() -> None:
    shots = episode([[24 * 6, 24 * 6], [24 * 11]])
    rule = SegmentRule(max_segment_seconds=10)
    grouping = group_frames(shots, [s.id for s in shots], fps=FPS, rule=rule)
    assert [seg.shot_ids for seg in grouping.segments] == [("s1-1",), ("s1-2",)]
    assert grouping.too_long == ["s2-1"]
    assert any("12.00 s is longer" in d for d in grouping.decisions)


def test_requests_hold_one_to_three_segments_and_at_most_twelve_seconds() -> None:
    shots = episode([[24, 24], [24], [24], [24], [24 * 6, 24 * 6]])
    grouping = group_frames(shots, [s.id for s in shots], fps=FPS, rule=SegmentRule())
    assert [seg.request for seg in grouping.segments] == [0, 0, 0, 1, 1, 2]


def test_without_end_frames_every_segment_is_one_frame() -> None:
    shots = episode([[24, 24, 24]])
    rule = SegmentRule(end_frames=False)
    grouping = group_frames(shots, [s.id for s in shots], fps=FPS, rule=rule)
    assert [len(seg.shot_ids) for seg in grouping.segments] == [1, 1, 1]
    assert "takes no end frame" in grouping.decisions[0]


def test_a_rule_needs_a_frame_and_a_segment() -> None:
    with pytest.raises(ValueError, match="one frame or more"):
        SegmentRule(frames_per_segment=0)


scenes = st.lists(st.lists(st.integers(1, 24 * 8), min_size=1, max_size=5), min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(
    scenes=scenes,
    pick=st.lists(st.booleans(), min_size=30, max_size=30),
    per=st.integers(1, 3),
    end_frames=st.booleans(),
)
def test_every_chosen_shot_goes_once_in_order_within_the_limits(
    scenes: list[list[int]], pick: list[bool], per: int, end_frames: bool
) -> None:
    shots = episode(scenes)
    chosen = [s.id for s, keep in zip(shots, pick, strict=False) if keep]
    rule = SegmentRule(frames_per_segment=per, max_segment_seconds=5, end_frames=end_frames)
    grouping = group_frames(shots, chosen, fps=FPS, rule=rule)
    sent = [shot_id for seg in grouping.segments for shot_id in seg.shot_ids]
    assert sorted(sent + grouping.too_long, key=chosen.index) == chosen  # each once
    assert sent == [s for s in chosen if s in sent]  # in episode order
    order = [s.id for s in shots]
    by_id = {s.id: s for s in shots}
    for seg in grouping.segments:
        assert len(seg.shot_ids) <= (per if end_frames else 1)
        assert len({by_id[s].scene_id for s in seg.shot_ids}) == 1  # never across a scene
        indexes = [order.index(s) for s in seg.shot_ids]
        assert indexes == list(range(indexes[0], indexes[0] + len(indexes)))  # adjacent
        assert len(seg.shot_ids) == 1 or seg.seconds <= 5 + 1e-9
    requests: dict[int, list[float]] = {}
    for seg in grouping.segments:
        requests.setdefault(seg.request, []).append(seg.seconds)
    assert sorted(requests) == list(range(len(requests)))
    for lengths in requests.values():
        assert 1 <= len(lengths) <= 3
        assert len(lengths) == 1 or sum(lengths) <= 12 + 1e-9
    assert all(by_id[s].frames / FPS > 5 for s in grouping.too_long)
