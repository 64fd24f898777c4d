"""ShotList: shots with locked timing, the director's plan."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, Literal

from pydantic import Field, computed_field, model_validator

from sparkle_motion.schemas.base import Artifact, Model, canonical_json, content_hash

__all__ = [
    "FRAMINGS",
    "MOVEMENTS",
    "Shot",
    "ShotLine",
    "ShotList",
    "timing_lock_hash",
]

FRAMINGS = ("wide", "medium", "two_shot", "over_the_shoulder", "close_up", "insert", "card")
MOVEMENTS = (
    "static",
    "push_in",
    "pull_out",
    "pan_left",
    "pan_right",
    "tilt_up",
    "tilt_down",
    "track_left",
    "track_right",
)

Framing = Literal["wide", "medium", "two_shot", "over_the_shoulder", "close_up", "insert", "card"]
Movement = Literal[
    "static",
    "push_in",
    "pull_out",
    "pan_left",
    "pan_right",
    "tilt_up",
    "tilt_down",
    "track_left",
    "track_right",
]


class ShotLine(Model):
    """A spoken line placed inside its shot (seconds from the shot's start)."""

    line_id: str
    speaker_id: str
    text: str
    start: float = Field(ge=0.0)
    end: float = Field(gt=0.0)
    delivery: str | None = None
    emotion: list[str] = Field(default_factory=list)
    speech_sha256: str | None = None


class Shot(Model):
    id: str
    scene_id: str
    scene_index: int = Field(ge=0)
    frames: int = Field(ge=1)
    framing: Framing
    movement: Movement
    characters: list[str] = Field(default_factory=list)
    location: str
    location_key: str
    interior: bool
    time_of_day: str
    expressions: dict[str, str] = Field(default_factory=dict)
    environment: str = ""
    action_beats: list[str] = Field(default_factory=list)
    props: list[str] = Field(default_factory=list)
    sfx: list[str] = Field(default_factory=list)
    lines: list[ShotLine] = Field(default_factory=list)
    music_mood: str = "calm"
    background_ref: str | None = None
    template: str
    reason: str


def timing_lock_hash(fps: int, shots: Iterable[tuple[str, int]]) -> str:
    """sha256 over the frame rate and the ordered (shot id, frames) pairs."""
    return content_hash(canonical_json({"fps": fps, "shots": [[i, f] for i, f in shots]}))


class ShotList(Artifact):
    KIND: ClassVar[str] = "shotlist"

    episode_id: str
    fps: int = Field(ge=1, le=120)
    shots: list[Shot] = Field(min_length=1)
    timing_lock_hash: str
    target_duration: float | None = None
    timing_notes: list[str] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total_frames(self) -> int:
        return sum(shot.frames for shot in self.shots)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total_duration(self) -> float:
        return self.total_frames / self.fps

    def compute_lock(self) -> str:
        return timing_lock_hash(self.fps, ((s.id, s.frames) for s in self.shots))

    def shot_seconds(self, shot: Shot) -> float:
        return shot.frames / self.fps

    def shot_starts(self) -> dict[str, int]:
        """First frame of every shot on the episode timeline."""
        starts: dict[str, int] = {}
        cursor = 0
        for shot in self.shots:
            starts[shot.id] = cursor
            cursor += shot.frames
        return starts

    @model_validator(mode="after")
    def _lock_matches(self) -> ShotList:
        ids = [s.id for s in self.shots]
        if len(set(ids)) != len(ids):
            raise ValueError("shot ids must be unique")
        for shot in self.shots:
            seconds = shot.frames / self.fps
            for line in shot.lines:
                if line.end > seconds + 1e-6 or line.start >= line.end:
                    raise ValueError(
                        f"line {line.line_id!r} ({line.start}-{line.end} s) does not fit in "
                        f"shot {shot.id!r} ({seconds:.3f} s)"
                    )
        if self.compute_lock() != self.timing_lock_hash:
            raise ValueError(
                "timing_lock_hash does not match the shots' ids and durations: "
                "a duration changed after the timing was locked"
            )
        return self
