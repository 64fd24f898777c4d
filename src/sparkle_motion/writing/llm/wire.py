"""What the model is asked to reply with, and how a reply becomes artifacts. Pure.

The reply shapes are smaller than the artifacts: the model never invents
ids, headings or schema versions, and may only use the idea's characters
and locations. Converting a reply validates it against the real schemas;
every problem is a sentence the model can act on when it is asked again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sparkle_motion.errors import InvalidArtifact
from sparkle_motion.schemas import (
    CanonClaim,
    EpisodePlan,
    Idea,
    IdeaCharacter,
    Script,
    StoryArc,
)

__all__ = [
    "ArcReply",
    "EpisodeReply",
    "WireProblem",
    "arc_from_reply",
    "episode_from_reply",
]

MUSIC_MOODS = ("calm", "tense", "warm", "mysterious")


class WireProblem(ValueError):
    """A reply that parsed but cannot be used; ``problems`` say why, one sentence each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class _Reply(BaseModel):
    model_config = ConfigDict(extra="ignore", json_schema_extra={"additionalProperties": False})


class WireArcEpisode(_Reply):
    number: int = Field(ge=1)
    title: str
    summary: str
    unresolved_threads: list[str]


class ArcReply(_Reply):
    title: str
    central_question: str
    threads: list[str]
    episodes: list[WireArcEpisode] = Field(min_length=1)


class WireBeat(_Reply):
    part: Literal["setup", "complication", "turn", "resolution"]
    summary: str = Field(min_length=1)
    location_id: str
    characters: list[str]


class WireFact(_Reply):
    subject: str
    key: str
    value: str


class WirePlan(_Reply):
    title: str
    summary: str
    beats: list[WireBeat] = Field(min_length=4)
    new_facts: list[WireFact]
    picked_up_threads: list[str]
    unresolved_threads: list[str]


class WireElement(_Reply):
    type: Literal["action", "dialogue"]
    text: str = Field(min_length=1)
    speaker_id: str | None = None
    characters: list[str] = Field(default_factory=list)
    emotion: list[str] = Field(default_factory=list)


class WireScene(_Reply):
    location_id: str
    time_of_day: str
    interior: bool
    present: list[str]
    music_mood: Literal["calm", "tense", "warm", "mysterious"]
    elements: list[WireElement] = Field(min_length=1)


class WireScript(_Reply):
    title: str
    scenes: list[WireScene] = Field(min_length=1)


class EpisodeReply(_Reply):
    plan: WirePlan
    script: WireScript


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())[:6]) or "fact"


def arc_from_reply(reply: ArcReply, idea: Idea, episode_ids: Sequence[str]) -> StoryArc:
    numbers = [e.number for e in reply.episodes]
    if numbers != list(range(1, len(episode_ids) + 1)):
        raise WireProblem(
            [f"episodes must be numbered 1 to {len(episode_ids)} in order, got {numbers}"]
        )
    return StoryArc.new(
        title=reply.title or idea.title,
        premise=idea.premise,
        genre=idea.genre,
        tone=idea.tone,
        central_question=reply.central_question,
        threads=reply.threads,
        episodes=[
            {**e.model_dump(), "episode_id": episode_ids[e.number - 1]} for e in reply.episodes
        ],
    )


def episode_from_reply(
    reply: EpisodeReply,
    idea: Idea,
    cast: Sequence[IdeaCharacter],
    episode_id: str,
    number: int,
) -> tuple[Script, EpisodePlan]:
    """The reply as a Script and an EpisodePlan; WireProblem lists what is wrong with it."""
    people = {c.id: c for c in cast}
    places = {loc.id: loc for loc in idea.setting.locations}
    problems: list[str] = []

    def known(ids: Sequence[str], path: str) -> None:
        for ident in ids:
            if ident not in people:
                problems.append(f"{path}: {ident!r} is not one of {sorted(people)}")

    for index, beat in enumerate(reply.plan.beats):
        if beat.location_id not in places:
            problems.append(
                f"$.plan.beats[{index}].location_id: {beat.location_id!r} is not one of "
                f"{sorted(places)}"
            )
        known(beat.characters, f"$.plan.beats[{index}].characters")
    counters = {"action": 0, "dialogue": 0}
    scenes: list[dict[str, Any]] = []
    for s_index, scene in enumerate(reply.script.scenes):
        path = f"$.script.scenes[{s_index}]"
        place = places.get(scene.location_id)
        if place is None:
            problems.append(
                f"{path}.location_id: {scene.location_id!r} is not one of {sorted(places)}"
            )
            continue
        known(scene.present, f"{path}.present")
        elements: list[dict[str, Any]] = []
        for e_index, element in enumerate(scene.elements):
            counters[element.type] += 1
            item: dict[str, Any] = {
                "type": element.type,
                "id": f"{'a' if element.type == 'action' else 'l'}{counters[element.type]}",
                "text": element.text,
            }
            if element.type == "dialogue":
                if element.speaker_id not in people:
                    problems.append(
                        f"{path}.elements[{e_index}].speaker_id: {element.speaker_id!r} is not "
                        f"one of {sorted(people)}"
                    )
                    continue
                item |= {"speaker_id": element.speaker_id, "emotion": element.emotion}
            else:
                known(element.characters, f"{path}.elements[{e_index}].characters")
                item["characters"] = [c for c in element.characters if c in people]
            elements.append(item)
        scenes.append(
            {
                "id": f"s{s_index + 1}",
                "heading": f"{'INT' if scene.interior else 'EXT'}. {place.name.upper()} - "
                f"{scene.time_of_day.upper()}",
                "location": place.name,
                "location_id": place.id,
                "interior": scene.interior,
                "time_of_day": scene.time_of_day,
                "present": [p for p in scene.present if p in people],
                "music_mood": scene.music_mood,
                "elements": elements,
            }
        )
    if problems:
        raise WireProblem(problems)
    speaking = {
        e["speaker_id"] for s in scenes for e in s["elements"] if e["type"] == "dialogue"
    } | {who for s in scenes for who in s["present"]}
    try:
        script = Script.from_data(
            {
                "schema_version": Script.SCHEMA_VERSION,
                "episode_id": episode_id,
                "title": reply.script.title or reply.plan.title,
                "characters": [
                    {"speaker_id": c.id, "name": c.name} for c in cast if c.id in speaking
                ],
                "scenes": scenes,
            },
            source="$.script",
        )
    except InvalidArtifact as exc:
        raise WireProblem([exc.message]) from None
    plan = EpisodePlan.new(
        episode_id=episode_id,
        number=number,
        title=reply.plan.title,
        summary=reply.plan.summary,
        beats=[b.model_dump() for b in reply.plan.beats],
        new_facts=[
            CanonClaim(kind="state", subject=_slug(f.subject), key=f.key, value=f.value)
            for f in reply.plan.new_facts
        ],
        picked_up_threads=reply.plan.picked_up_threads,
        unresolved_threads=reply.plan.unresolved_threads,
    )
    return script, plan
