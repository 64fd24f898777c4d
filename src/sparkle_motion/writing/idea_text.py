"""From one line of text to an Idea a creator can edit. Pure and deterministic.

Genre and tone are guessed from keywords; the setting from the first
setting kit the text mentions (else the genre's usual one); names and voice
registers are drawn from small built-in lists by a generator seeded with the
project seed and the text's hash. "A robot named Pip ..." keeps Pip.
"""

from __future__ import annotations

import re

import yaml

from sparkle_motion import seeding
from sparkle_motion.schemas import Idea
from sparkle_motion.writing.idea import idea_episode_ids
from sparkle_motion.writing.lexicon import NAMES, SETTINGS, TONES, SettingKit, mentions
from sparkle_motion.writing.template.genres import genre_for
from sparkle_motion.writing.template.voices import REGISTERS

__all__ = ["DEFAULT_EPISODES", "idea_from_text", "idea_yaml"]

DEFAULT_EPISODES = 3
_NAMED = re.compile(r"\b(?:named|called)\s+([A-Z][\w'-]{1,20})")
_COUNT_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12,
}  # fmt: skip
_EPISODE_COUNT = re.compile(
    r"\b(\d{1,2}|" + "|".join(_COUNT_WORDS) + r")[- ](?:episodes?|parts?)\b", re.IGNORECASE
)
_USUAL_SETTING = {
    "mystery": "detective",
    "comedy": "bakery",
    "adventure": "jungle",
    "science fiction": "space",
    "fantasy": "castle",
    "spooky": "ghost",
    "romance": "cafe",
    "drama": "village",
}
_ROLES = ("the lead", "the lead's closest friend", "knows more than they say")


def _setting(text: str, genre: str) -> SettingKit:
    for kit in SETTINGS:
        if any(mentions(text, word) for word in kit.keywords):
            return kit
    usual = _USUAL_SETTING.get(genre, "village")
    return next(kit for kit in SETTINGS if usual in kit.keywords)


def _tone(text: str, default: str) -> str:
    for tone, words in TONES.items():
        if any(mentions(text, word) for word in words):
            return tone
    return default


def _episodes(text: str) -> int:
    match = _EPISODE_COUNT.search(text)
    if match is None:
        return 1 if mentions(text, "one-off") or mentions(text, "short film") else DEFAULT_EPISODES
    word = match.group(1).lower()
    count = _COUNT_WORDS.get(word) or int(word)
    return min(max(count, 1), 52)


def _premise(text: str) -> str:
    premise = " ".join(text.split())
    premise = premise[:1].upper() + premise[1:]
    return premise if premise.endswith((".", "!", "?")) else premise + "."


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "someone"


def idea_from_text(text: str, *, seed: int, title: str = "") -> Idea:
    """An editable Idea from a one-line idea: the same text and seed, the same Idea."""
    if not text.strip():
        raise ValueError("the idea is empty")
    rng = seeding.rng(seed, " ".join(text.split()).lower())
    genre = genre_for(text)
    kit = _setting(text, genre.name)
    named = _NAMED.search(text)
    names = [n for n in NAMES if not named or n != named.group(1)]
    rng.shuffle(names)
    cast_names = ([named.group(1)] if named else []) + names
    registers = sorted(REGISTERS)
    rng.shuffle(registers)
    characters = [
        {
            "id": _slug(name),
            "name": name,
            "voice": registers[index],
            "personality": f"{_ROLES[index]}; {REGISTERS[registers[index]].personality}",
        }
        for index, name in enumerate(cast_names[: len(_ROLES)])
    ]
    return Idea.new(
        title=title,
        premise=_premise(text),
        genre=genre.name,
        tone=_tone(text, genre.tone),
        episodes=_episodes(text),
        characters=characters,
        setting={
            "world": kit.world,
            "locations": [
                {"id": ident, "name": name, "interior": interior, "time_of_day": time}
                for ident, name, interior, time in kit.locations
            ],
        },
    )


_HEADER = """\
# The idea behind this show. Everything here is yours to edit; then run:
#   sparkle-motion run {project}            (episode {first})
#   sparkle-motion run {project} --episode {second}
# episodes: how many episodes the idea makes ({first}, {second}, ...).
# voice: {registers},
#   or any words (the template writer picks a register for them).
"""


def idea_yaml(idea: Idea, *, project: str = "PROJECT_DIR", first: str = "ep01") -> str:
    """The idea as the YAML a creator edits, with a short guide on top."""
    ids = idea_episode_ids(first, max(idea.episodes, 2))
    header = _HEADER.format(
        project=project, first=ids[0], second=ids[1], registers=", ".join(REGISTERS)
    )
    body = yaml.safe_dump(
        idea.model_dump(mode="json", exclude_none=True),
        sort_keys=False,
        allow_unicode=True,
        width=88,
    )
    return header + body
