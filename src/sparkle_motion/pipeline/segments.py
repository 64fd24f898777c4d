"""Storyboard frames grouped into the segments a video provider is asked for.

A segment is one provider job: a clip that starts on its first shot's frame
and, when it holds two, moves to the second's (the model's end frame), as
long as its shots together. Frames are taken in episode order (scene, then
shot); a segment never crosses a scene boundary and joins only shots that
follow each other, so no motion is invented across a cut or over a shot that
is not being upgraded. Segments go out in requests of one to three, at most
twelve seconds a request. Every choice is kept as a sentence in
:attr:`Grouping.decisions`, for the upgrade run to record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sparkle_motion.schemas import Shot

__all__ = ["Grouping", "Segment", "SegmentRule", "group_frames", "segment_id"]

_JOIN = "+"


def segment_id(shot_ids: Sequence[str]) -> str:
    """A segment's name: its shots' ids joined by ``+`` (one shot: its own id)."""
    return _JOIN.join(shot_ids)


@dataclass(frozen=True)
class SegmentRule:
    """How frames are grouped, as the provider and the profile allow."""

    frames_per_segment: int = 2
    max_segment_seconds: float = 10.0  # the provider's longest clip
    max_request_segments: int = 3
    max_request_seconds: float = 12.0
    end_frames: bool = True  # the provider takes an end frame; else every segment is one frame

    def __post_init__(self) -> None:
        if self.frames_per_segment < 1 or self.max_request_segments < 1:
            raise ValueError("a segment holds one frame or more; a request one segment or more")


@dataclass(frozen=True)
class Segment:
    shot_ids: tuple[str, ...]
    scene_id: str
    frames: tuple[int, ...]  # each shot's locked length
    fps: int
    request: int  # the request it goes out in, counted from 0

    @property
    def segment_id(self) -> str:
        return segment_id(self.shot_ids)

    @property
    def total_frames(self) -> int:
        return sum(self.frames)

    @property
    def seconds(self) -> float:
        return self.total_frames / self.fps

    def span(self, shot_id: str) -> tuple[int, int]:
        """The shot's first frame within the segment's clip, and its length."""
        index = self.shot_ids.index(shot_id)
        return sum(self.frames[:index]), self.frames[index]


@dataclass
class Grouping:
    segments: list[Segment] = field(default_factory=list)
    too_long: list[str] = field(default_factory=list)  # shots longer than the provider makes
    decisions: list[str] = field(default_factory=list)

    def of_shot(self, shot_id: str) -> Segment | None:
        for segment in self.segments:
            if shot_id in segment.shot_ids:
                return segment
        return None


def _runs(order: Sequence[Shot], chosen: set[str]) -> list[list[Shot]]:
    """The chosen shots, in runs that follow each other within one scene."""
    runs: list[list[Shot]] = []
    previous: Shot | None = None
    for shot in order:
        if shot.id not in chosen:
            previous = None
            continue
        if previous is not None and previous.scene_id == shot.scene_id and runs:
            runs[-1].append(shot)
        else:
            runs.append([shot])
        previous = shot
    return runs


def group_frames(
    shots: Sequence[Shot], chosen: Sequence[str], *, fps: int, rule: SegmentRule
) -> Grouping:
    """The chosen shots of ``shots`` (the shot list, in episode order) as segments in requests."""
    grouping = Grouping()
    per = rule.frames_per_segment if rule.end_frames else 1
    if rule.frames_per_segment > 1 and not rule.end_frames:
        grouping.decisions.append("the provider takes no end frame: one frame per segment")
    pieces: list[list[Shot]] = []
    for run in _runs(shots, set(chosen)):
        if len(run) == 1 and per > 1:
            grouping.decisions.append(
                f"{run[0].id}: a segment of its own (no neighbouring shot of its scene is "
                "upgraded with it)"
            )
        for start in range(0, len(run), per):
            group = run[start : start + per]
            seconds = sum(shot.frames for shot in group) / fps
            if len(group) > 1 and seconds > rule.max_segment_seconds + 1e-9:
                grouping.decisions.append(
                    f"{segment_id([s.id for s in group])}: {seconds:.2f} s is longer than the "
                    f"provider's {rule.max_segment_seconds:g} s, so one segment per shot"
                )
                pieces += [[shot] for shot in group]
            else:
                pieces.append(group)
    request, in_request, request_seconds = 0, 0, 0.0
    for group in pieces:
        seconds = sum(shot.frames for shot in group) / fps
        if len(group) == 1 and seconds > rule.max_segment_seconds + 1e-9:
            grouping.too_long.append(group[0].id)
            grouping.decisions.append(
                f"{group[0].id}: {seconds:.2f} s is longer than the provider's "
                f"{rule.max_segment_seconds:g} s; it keeps its preview clip"
            )
            continue
        full = in_request >= rule.max_request_segments
        over = in_request > 0 and request_seconds + seconds > rule.max_request_seconds + 1e-9
        if full or over:
            request, in_request, request_seconds = request + 1, 0, 0.0
        grouping.segments.append(
            Segment(
                shot_ids=tuple(shot.id for shot in group),
                scene_id=group[0].scene_id,
                frames=tuple(shot.frames for shot in group),
                fps=fps,
                request=request,
            )
        )
        in_request += 1
        request_seconds += seconds
    requests = request + 1 if grouping.segments else 0
    grouping.decisions.append(
        f"{len(grouping.segments)} segments of at most {per} frames in {requests} requests "
        f"of at most {rule.max_request_segments} segments and {rule.max_request_seconds:g} s"
    )
    return grouping
