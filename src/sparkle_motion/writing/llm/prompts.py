"""The messages the LLM writer sends: the idea, a canon context pack, and the task. Pure."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sparkle_motion.schemas import ArcEpisode, Canon, Idea, IdeaCharacter, StoryArc
from sparkle_motion.writing.estimate import SPEECH_WORDS_PER_SECOND

__all__ = ["arc_messages", "episode_messages", "repair_message"]

# About this share of an episode is speech; the rest is establishing shots and action.
_SPEECH_SHARE = 0.55

_SYSTEM = (
    "You are the writer of a short animated series. Answer with one JSON object that "
    "matches the JSON schema you are given, and nothing else: no prose, no code fences. "
    "Canon is truth: never rename a character, never change an age the canon gives, and "
    "never bring back a character the canon records as dead. Every character speaks in "
    "their own voice, as their voice note describes. Keep it suitable for all ages."
)


def _idea_pack(idea: Idea, cast: Sequence[IdeaCharacter]) -> dict[str, Any]:
    return {
        "title": idea.title,
        "premise": idea.premise,
        "genre": idea.genre,
        "tone": idea.tone,
        "episodes": idea.episodes,
        "characters": [c.model_dump(exclude_none=True) for c in cast],
        "setting": idea.setting.model_dump(),
    }


def _canon_pack(canon: Canon) -> dict[str, Any]:
    """The canon subset a writer needs: who is who (names, ages, the dead), places, rules."""
    return {
        "characters": [
            c.model_dump(include={"id", "name", "aliases", "age", "status"}, exclude_none=True)
            for c in canon.characters
        ],
        "locations": [loc.model_dump(include={"id", "name"}) for loc in canon.locations],
        "world_rules": [rule.text for rule in canon.world_rules],
    }


def _block(title: str, value: Any) -> str:
    return f"{title}:\n{json.dumps(value, indent=1, ensure_ascii=False, sort_keys=True)}"


def _conversation(
    idea: Idea, cast: Sequence[IdeaCharacter], canon: Canon, *asked: str
) -> list[dict[str, str]]:
    """The system prompt, then the idea and the canon pack, then what is ``asked``."""
    context = [_block("The idea", _idea_pack(idea, cast)), _block("Canon", _canon_pack(canon))]
    return [
        {"role": "system", "content": _SYSTEM},
        {"role": "user", "content": "\n\n".join([*context, *asked])},
    ]


def arc_messages(idea: Idea, cast: Sequence[IdeaCharacter], canon: Canon) -> list[dict[str, str]]:
    count = idea.episodes
    task = (
        f"Plan the arc of {count} episode{'s' if count > 1 else ''}: a central question for the "
        "whole run, the threads that run through it, and for every episode (numbered from 1) "
        "a title, a one-sentence summary and the threads it leaves open. Each episode picks up "
        "what the one before left open; the last episode answers the central question and "
        "leaves nothing open."
    )
    return _conversation(idea, cast, canon, task)


def episode_messages(
    idea: Idea,
    cast: Sequence[IdeaCharacter],
    canon: Canon,
    arc: StoryArc,
    episode: ArcEpisode,
    previous: ArcEpisode | None,
    target_duration: float,
) -> list[dict[str, str]]:
    words = round(target_duration * SPEECH_WORDS_PER_SECOND * _SPEECH_SHARE)
    scenes = 2 if target_duration < 40 else 4 if target_duration < 120 else 6
    pick_up = (
        f" Pick up what episode {previous.number} left open: "
        + "; ".join(previous.unresolved_threads)
        + "."
        if previous and previous.unresolved_threads
        else ""
    )
    voices = "; ".join(f"{c.name} ({c.id}): {c.voice or c.personality}" for c in cast)
    task = (
        f"Write episode {episode.number} of {len(arc.episodes)}, {episode.title!r}: "
        f"{episode.summary}{pick_up} The plan has four beats, one each of setup, complication, "
        "turn and resolution, and lists the new facts the episode establishes (subject, key, "
        f"value). The script has about {scenes} scenes and about {words} spoken words in all, "
        f"for about {target_duration:g} seconds on screen; actions are short sentences. "
        f"Voices: {voices}. Speaker ids: {', '.join(c.id for c in cast)}. Location ids: "
        f"{', '.join(loc.id for loc in idea.setting.locations)}."
    )
    return _conversation(
        idea, cast, canon, _block("The arc", arc.model_dump(exclude={"schema_version"})), task
    )


def repair_message(problems: Sequence[str]) -> dict[str, str]:
    listed = "\n".join(f"- {p}" for p in problems[:12])
    return {
        "role": "user",
        "content": f"That reply could not be used:\n{listed}\n"
        "Reply again with the whole JSON object, corrected.",
    }
