"""Episode and Script: the story as scenes, actions and spoken lines. No camera."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from sparkle_motion.schemas.base import Artifact, Model
from sparkle_motion.schemas.canon import StoryTime

__all__ = [
    "ActionElement",
    "CanonClaim",
    "DialogueElement",
    "Element",
    "Episode",
    "Scene",
    "Script",
    "ScriptCharacter",
    "TextSpan",
]

_ID = r"^[a-z0-9][a-z0-9_\-]*$"


class Episode(Artifact):
    KIND: ClassVar[str] = "episode"

    id: str = Field(pattern=_ID)
    number: int = Field(1, ge=1)
    title: str = ""
    summary: str = ""
    unresolved_threads: list[str] = Field(default_factory=list)


class ScriptCharacter(Model):
    speaker_id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)


class TextSpan(Model):
    """Emphasis over ``text[start:end]``; the text itself never carries markup."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    style: Literal["italic", "bold", "bold_italic", "underline"]


class CanonClaim(Model):
    """A fact a scene asserts about the story world: structured, never read from prose.

    ``state``: ``subject.key = value`` (``mara.status = dead``).
    ``event``: ``event`` happens to ``subject`` (and ``objects``), e.g. a death.
    """

    kind: Literal["state", "event"]
    subject: str = Field(pattern=_ID)
    key: str | None = None
    value: str | None = None
    event: str | None = None
    objects: list[str] = Field(default_factory=list)
    element_id: str | None = None
    source_line: int | None = Field(None, ge=1)


class ActionElement(Model):
    type: Literal["action"] = "action"
    id: str = Field(pattern=_ID)
    text: str = Field(min_length=1)
    characters: list[str] = Field(default_factory=list)
    spans: list[TextSpan] = Field(default_factory=list)
    centered: bool = False
    lyric: bool = False  # sung words with no singer named (Fountain ~ outside dialogue)
    props: list[str] = Field(default_factory=list)
    sfx: list[str] = Field(default_factory=list)


class DialogueElement(Model):
    type: Literal["dialogue"] = "dialogue"
    id: str = Field(pattern=_ID)
    speaker_id: str = Field(pattern=_ID)
    text: str = Field(min_length=1)
    emotion: list[str] = Field(default_factory=list)
    delivery: str | None = None
    parenthetical: str | None = None
    spans: list[TextSpan] = Field(default_factory=list)
    dual: bool = False
    lyric: bool = False


Element = Annotated[ActionElement | DialogueElement, Field(discriminator="type")]


class Scene(Model):
    id: str = Field(pattern=_ID)
    heading: str = ""
    location: str = Field(min_length=1)
    location_id: str | None = Field(None, pattern=_ID)
    interior: bool = True
    time_of_day: str = "day"
    present: list[str] = Field(default_factory=list)
    background: str | None = None
    music_mood: str | None = None
    number: str | None = None
    story_time: StoryTime | None = None
    flashback: bool = False
    claims: list[CanonClaim] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    synopsis: str | None = None
    section: str | None = None
    transition: str | None = None
    elements: list[Element] = Field(min_length=1)

    def location_key(self) -> str:
        if self.location_id:
            return self.location_id
        slug = "".join(ch if ch.isalnum() else "-" for ch in self.location.lower()).strip("-")
        return "-".join(part for part in slug.split("-") if part) or "location"


class Script(Artifact):
    KIND: ClassVar[str] = "script"

    episode_id: str = Field(pattern=_ID)
    title: str = ""
    title_page: dict[str, str] = Field(default_factory=dict)
    characters: list[ScriptCharacter] = Field(default_factory=list)
    scenes: list[Scene] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Script:
        speakers = {c.speaker_id for c in self.characters}
        seen_ids: set[str] = set()
        for scene in self.scenes:
            if scene.id in seen_ids:
                raise ValueError(f"scene id {scene.id!r} appears twice")
            seen_ids.add(scene.id)
            for element in scene.elements:
                if element.id in seen_ids:
                    raise ValueError(f"element id {element.id!r} appears twice")
                seen_ids.add(element.id)
                if isinstance(element, DialogueElement) and element.speaker_id not in speakers:
                    raise ValueError(
                        f"line {element.id!r} in scene {scene.id!r} is spoken by "
                        f"{element.speaker_id!r}, who is not in the script's characters"
                    )
        return self

    def character_name(self, speaker_id: str) -> str:
        return next((c.name for c in self.characters if c.speaker_id == speaker_id), speaker_id)
