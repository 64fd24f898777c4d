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
    "CanonObject",
    "CanonReport",
    "ContextPack",
    "EpisodeRecap",
    "PersistentState",
    "RecallHit",
    "Relationship",
    "StoryDate",
    "StoryTime",
    "TimelineEvent",
    "Whereabout",
    "WorldRule",
]

_ID = r"^[a-z0-9][a-z0-9_\-]*$"


class StoryTime(Model):
    """A point in story time: an episode number and optionally a scene index."""

    episode: int = Field(ge=0)
    scene: int | None = Field(None, ge=0)


class Whereabout(Model):
    """Where a character is at a point in story time (a location id)."""

    at: StoryTime
    location: str = Field(pattern=_ID)


class CanonCharacter(Model):
    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    age: int | None = Field(None, ge=0, le=200)
    # When ``age`` was true; without it the age holds from the start of the series.
    age_at: StoryTime | None = None
    birth_date: str | None = Field(None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    status: Literal["alive", "dead"] = "alive"
    died_at: StoryTime | None = None
    description: str = ""
    color: str | None = Field(None, pattern=r"^#[0-9a-fA-F]{6}$")
    whereabouts: list[Whereabout] = Field(default_factory=list)


class CanonLocation(Model):
    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    description: str = ""


class CanonObject(Model):
    """A thing the story keeps track of: who has it, where it is, whether it still exists."""

    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    description: str = ""
    status: Literal["intact", "broken", "destroyed", "lost"] = "intact"
    owner: str | None = Field(None, pattern=_ID)
    location: str | None = Field(None, pattern=_ID)
    since: StoryTime | None = None


class Relationship(Model):
    a: str
    b: str
    kind: str
    since: StoryTime | None = None


class WorldRule(Model):
    """A rule of the story world. ``text`` says it for people; ``forbids`` lets the gate check it.

    ``forbids``: ``event`` (an event claim of kind ``event``), ``state`` (a state
    claim of ``key``, optionally of ``value``), ``presence`` (being in a scene) or
    ``speech`` (speaking a line). ``subjects`` limits it to those ids (empty:
    everyone), ``exempt`` spares ids, ``location`` / ``time_of_day`` limit it to
    scenes there or then, ``since`` to story time from then on.
    """

    id: str = Field(pattern=_ID)
    text: str
    forbids: Literal["event", "state", "presence", "speech"] | None = None
    subjects: list[str] = Field(default_factory=list)
    exempt: list[str] = Field(default_factory=list)
    event: str | None = None
    key: str | None = None
    value: str | None = None
    location: str | None = None
    time_of_day: str | None = None
    since: StoryTime | None = None

    @model_validator(mode="after")
    def _checkable(self) -> WorldRule:
        if self.forbids == "event" and not self.event:
            raise ValueError(f"world rule {self.id!r} forbids an event but names none (event)")
        if self.forbids == "state" and not self.key:
            raise ValueError(f"world rule {self.id!r} forbids a state but names no key")
        if self.forbids in ("presence", "speech") and not (self.subjects or self.location):
            raise ValueError(
                f"world rule {self.id!r} forbids {self.forbids} for everyone everywhere; "
                "name subjects or a location"
            )
        return self


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


class StoryDate(Model):
    """The in-world calendar date at a point in story time (``YYYY-MM-DD``)."""

    at: StoryTime
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")


class Canon(Artifact):
    KIND: ClassVar[str] = "canon"

    characters: list[CanonCharacter] = Field(default_factory=list)
    locations: list[CanonLocation] = Field(default_factory=list)
    world_rules: list[WorldRule] = Field(default_factory=list)
    relationships: list[Relationship] = Field(default_factory=list)
    timeline_events: list[TimelineEvent] = Field(default_factory=list)
    persistent_states: list[PersistentState] = Field(default_factory=list)
    objects: list[CanonObject] = Field(default_factory=list)
    calendar: list[StoryDate] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> Canon:
        for label, ids in (
            ("character", [c.id for c in self.characters]),
            ("location", [loc.id for loc in self.locations]),
            ("object", [o.id for o in self.objects]),
            ("world rule", [r.id for r in self.world_rules]),
            ("timeline event", [e.id for e in self.timeline_events]),
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
    """Facts a script (or an import) adds, modifies and removes, relative to ``base_snapshot``.

    ``result_snapshot`` is the hash of the canon the diff leads to; ``validation``
    holds the gate's findings, one line each (empty when nothing was found).
    """

    KIND: ClassVar[str] = "canon_diff"

    base_snapshot: str
    added: list[CanonFactChange] = Field(default_factory=list)
    modified: list[CanonFactChange] = Field(default_factory=list)
    removed: list[CanonFactChange] = Field(default_factory=list)
    validation: list[str] = Field(default_factory=list)
    result_snapshot: str = ""
    episode_id: str | None = None

    def is_empty(self) -> bool:
        return not (self.added or self.modified or self.removed)


class CanonFinding(Model):
    """What the gate found: the fact, where the canon holds it, where the script breaks it."""

    code: str
    severity: Literal["block", "warn"]
    message: str
    fact: str
    scene_id: str | None = None
    line_id: str | None = None
    repair: str = ""
    canon_source: str = ""
    script_path: str = ""
    source_line: int | None = None


class CanonReport(Artifact):
    """What the Canon Gate decided about one script."""

    KIND: ClassVar[str] = "canon_report"

    script_hash: str
    canon_hash: str
    passed: bool
    findings: list[CanonFinding] = Field(default_factory=list)
    proposed: CanonDiff | None = None


class EpisodeRecap(Model):
    episode_id: str
    number: int | None = None
    title: str = ""
    summary: str = ""
    unresolved_threads: list[str] = Field(default_factory=list)


class RecallHit(Model):
    """A past passage found by full-text search: a memory aid, never canon."""

    episode_id: str
    scene_id: str | None = None
    text: str
    score: float


class ContextPack(Artifact):
    """What a writer gets before writing an episode: the relevant canon and recent story.

    The canon subset is authoritative; ``recall`` is a full-text memory aid and
    never overrides it.
    """

    KIND: ClassVar[str] = "context_pack"

    episode_id: str
    canon_hash: str
    characters: list[CanonCharacter] = Field(default_factory=list)
    locations: list[CanonLocation] = Field(default_factory=list)
    objects: list[CanonObject] = Field(default_factory=list)
    relationships: list[Relationship] = Field(default_factory=list)
    world_rules: list[WorldRule] = Field(default_factory=list)
    persistent_states: list[PersistentState] = Field(default_factory=list)
    events: list[TimelineEvent] = Field(default_factory=list)
    last_episode: EpisodeRecap | None = None
    unresolved_threads: list[str] = Field(default_factory=list)
    recall: list[RecallHit] = Field(default_factory=list)
