"""Story before script: the creator's Idea, the StoryArc over its episodes, each EpisodePlan.

An ``Idea`` is what a creator edits (``episodes/<id>.idea.yaml``); the
``write`` stage turns it into a ``StoryArc`` (every episode in a line or
two, and the threads that run through them), an ``EpisodePlan`` for the
episode being made (summary, beats, new facts, threads) and its Script.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from sparkle_motion.schemas.base import Artifact, Model
from sparkle_motion.schemas.script import CanonClaim

__all__ = [
    "ArcEpisode",
    "Beat",
    "EpisodePlan",
    "Idea",
    "IdeaCharacter",
    "IdeaLocation",
    "IdeaSetting",
    "StoryArc",
]

_ID = r"^[a-z0-9][a-z0-9_\-]*$"

BeatPart = Literal["setup", "complication", "turn", "resolution"]


class IdeaCharacter(Model):
    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)
    voice: str = ""
    """How the character talks: a register (blunt, warm, nervous, formal, playful, wry,
    curious, gruff) or free words; the template writer gives unknown words a register."""
    personality: str = ""
    age: int | None = Field(None, ge=0, le=200)


class IdeaLocation(Model):
    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)
    interior: bool = True
    time_of_day: str = "day"
    description: str = ""


class IdeaSetting(Model):
    world: str = ""
    locations: list[IdeaLocation] = Field(min_length=1)


class Idea(Artifact):
    """A show in a few lines: premise, genre, tone, characters, setting, episode count."""

    KIND: ClassVar[str] = "idea"

    title: str = ""
    premise: str = Field(min_length=1)
    genre: str = "drama"
    tone: str = "warm"
    episodes: int = Field(1, ge=1, le=52)
    characters: list[IdeaCharacter] = Field(min_length=2, max_length=8)
    setting: IdeaSetting

    @model_validator(mode="after")
    def _unique_ids(self) -> Idea:
        for label, ids in (
            ("character", [c.id for c in self.characters]),
            ("location", [loc.id for loc in self.setting.locations]),
        ):
            seen: set[str] = set()
            for ident in ids:
                if ident in seen:
                    raise ValueError(f"{label} id {ident!r} appears twice")
                seen.add(ident)
        return self


class ArcEpisode(Model):
    number: int = Field(ge=1)
    episode_id: str = Field(pattern=_ID)
    title: str = ""
    summary: str = ""
    unresolved_threads: list[str] = Field(default_factory=list)


class StoryArc(Artifact):
    """The whole run of episodes an idea declares, each in a line, and its threads."""

    KIND: ClassVar[str] = "story_arc"

    title: str = ""
    premise: str = ""
    genre: str = ""
    tone: str = ""
    central_question: str = ""
    threads: list[str] = Field(default_factory=list)
    episodes: list[ArcEpisode] = Field(min_length=1)

    def episode(self, number: int) -> ArcEpisode | None:
        return next((e for e in self.episodes if e.number == number), None)


class Beat(Model):
    part: BeatPart
    summary: str = Field(min_length=1)
    location_id: str | None = Field(None, pattern=_ID)
    characters: list[str] = Field(default_factory=list)


class EpisodePlan(Artifact):
    """One episode before it is a script: what happens, what it adds, what it leaves open."""

    KIND: ClassVar[str] = "episode_plan"

    episode_id: str = Field(pattern=_ID)
    number: int = Field(1, ge=1)
    title: str = ""
    summary: str = ""
    beats: list[Beat] = Field(min_length=1)
    new_facts: list[CanonClaim] = Field(default_factory=list)
    picked_up_threads: list[str] = Field(default_factory=list)
    unresolved_threads: list[str] = Field(default_factory=list)
