"""Canon: the truth of the story world, and the diffs that change it."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from sparkle_motion.schemas.base import Artifact, Model

__all__ = [
    "Canon",
    "CanonCharacter",
    "CanonDiff",
    "CanonFactChange",
    "CanonFinding",
    "CanonLocation",
    "CanonReport",
    "PersistentState",
    "Relationship",
    "StoryTime",
    "TimelineEvent",
    "WorldRule",
]

_ID = r"^[a-z0-9][a-z0-9_\-]*$"


class StoryTime(Model):
    """A point in story time: an episode number and optionally a scene index."""

    episode: int = Field(ge=0)
    scene: int | None = Field(None, ge=0)


class CanonCharacter(Model):
    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    age: int | None = Field(None, ge=0, le=200)
    birth_date: str | None = None
    status: Literal["alive", "dead"] = "alive"
    died_at: StoryTime | None = None
    description: str = ""
    color: str | None = Field(None, pattern=r"^#[0-9a-fA-F]{6}$")


class CanonLocation(Model):
    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)
    description: str = ""


class Relationship(Model):
    a: str
    b: str
    kind: str


class WorldRule(Model):
    id: str = Field(pattern=_ID)
    text: str


class TimelineEvent(Model):
    id: str = Field(pattern=_ID)
    at: StoryTime
    kind: str
    subjects: list[str] = Field(default_factory=list)
    description: str = ""


class PersistentState(Model):
    subject: str
    key: str
    value: Any
    since: StoryTime | None = None


class Canon(Artifact):
    KIND: ClassVar[str] = "canon"

    characters: list[CanonCharacter] = Field(default_factory=list)
    locations: list[CanonLocation] = Field(default_factory=list)
    world_rules: list[WorldRule] = Field(default_factory=list)
    relationships: list[Relationship] = Field(default_factory=list)
    timeline_events: list[TimelineEvent] = Field(default_factory=list)
    persistent_states: list[PersistentState] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> Canon:
        for label, ids in (
            ("character", [c.id for c in self.characters]),
            ("location", [loc.id for loc in self.locations]),
        ):
            seen: set[str] = set()
            for ident in ids:
                if ident in seen:
                    raise ValueError(f"{label} id {ident!r} appears twice")
                seen.add(ident)
        return self

    def character(self, ident: str) -> CanonCharacter | None:
        return next((c for c in self.characters if c.id == ident), None)


class CanonFactChange(Model):
    path: str
    before: Any = None
    after: Any = None
    justification: str = ""
    provenance: dict[str, str] = Field(default_factory=dict)


class CanonDiff(Artifact):
    KIND: ClassVar[str] = "canon_diff"

    base_snapshot: str
    added: list[CanonFactChange] = Field(default_factory=list)
    modified: list[CanonFactChange] = Field(default_factory=list)
    removed: list[CanonFactChange] = Field(default_factory=list)
    validation: list[str] = Field(default_factory=list)


class CanonFinding(Model):
    code: str
    severity: Literal["block", "warn"]
    message: str
    fact: str
    scene_id: str | None = None
    line_id: str | None = None
    repair: str = ""


class CanonReport(Artifact):
    """What the Canon Gate decided about one script."""

    KIND: ClassVar[str] = "canon_report"

    script_hash: str
    canon_hash: str
    passed: bool
    findings: list[CanonFinding] = Field(default_factory=list)
