"""Canon names and ages are not a writer's to change. Pure.

``cast_for`` gives a writer the idea's characters as the canon knows them
(canon id, name and age win; the dead stay out of new scenes).
``canon_problems`` lists what a written episode gets wrong about the canon,
in words a model can act on when its reply is sent back for repair.
"""

from __future__ import annotations

import re

from sparkle_motion.schemas import (
    Canon,
    CanonCharacter,
    DialogueElement,
    EpisodePlan,
    Idea,
    IdeaCharacter,
    Script,
)

__all__ = ["canon_problems", "cast_for"]


def _by_name(canon: Canon) -> dict[str, CanonCharacter]:
    return {
        name.casefold(): character
        for character in canon.characters
        for name in (character.name, *character.aliases)
    }


def cast_for(idea: Idea, canon: Canon) -> list[IdeaCharacter]:
    """The idea's living characters, with the canon's id, name and age where it knows them."""
    names = _by_name(canon)
    cast: dict[str, IdeaCharacter] = {}
    for character in idea.characters:
        entry = canon.character(character.id) or names.get(character.name.casefold())
        if entry is not None:
            if entry.status == "dead":
                continue
            character = character.model_copy(
                update={
                    "id": entry.id,
                    "name": entry.name,
                    "age": entry.age if entry.age is not None else character.age,
                }
            )
        cast.setdefault(character.id, character)
    return list(cast.values())


def _age_pattern(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"\b{re.escape(name)}\b(?:\s*,\s*(?:aged\s+)?|\s*\(\s*|\s+is\s+|\s+was\s+)(\d{{1,3}})\b",
        re.IGNORECASE,
    )


def _texts(script: Script) -> list[tuple[str, str]]:
    return [
        (f"{scene.id}/{element.id}", element.text)
        for scene in script.scenes
        for element in scene.elements
    ]


def canon_problems(script: Script, canon: Canon, plan: EpisodePlan | None = None) -> list[str]:
    """Every way ``script`` (and ``plan``) renames, re-ages or revives a canon character."""
    problems: list[str] = []
    names = _by_name(canon)
    for character in script.characters:
        entry = canon.character(character.speaker_id)
        if entry is not None:
            known = {entry.name.casefold(), *(a.casefold() for a in entry.aliases)}
            if character.name.casefold() not in known:
                problems.append(
                    f"character {character.speaker_id} must be called {entry.name!r} "
                    f"(the canon name), not {character.name!r}"
                )
        else:
            other = names.get(character.name.casefold())
            if other is not None:
                problems.append(
                    f"{character.name!r} is the canon character {other.id!r}; "
                    f"use speaker_id {other.id!r}, not {character.speaker_id!r}"
                )
    for scene in script.scenes:
        seen = set(scene.present)
        for element in scene.elements:
            if isinstance(element, DialogueElement):
                seen.add(element.speaker_id)
            else:
                seen.update(element.characters)
        for who in sorted(seen):
            entry = canon.character(who)
            if entry is not None and entry.status == "dead" and not scene.flashback:
                problems.append(f"{entry.name} is dead in the canon but is in scene {scene.id}")
    for entry in canon.characters:
        if entry.age is None:
            continue
        for name in (entry.name, *entry.aliases):
            for where, text in _texts(script):
                for match in _age_pattern(name).finditer(text):
                    if int(match.group(1)) != entry.age:
                        problems.append(
                            f"{where} gives {entry.name} the age {match.group(1)}; "
                            f"the canon says {entry.age}"
                        )
    if plan is not None:
        for fact in plan.new_facts:
            entry = canon.character(fact.subject)
            if entry is None or fact.kind != "state":
                continue
            if fact.key == "age" and entry.age is not None and fact.value != str(entry.age):
                problems.append(f"a new fact gives {entry.name} the age {fact.value}")
            if fact.key == "name" and fact.value not in (entry.name, *entry.aliases):
                problems.append(f"a new fact renames {entry.name} to {fact.value!r}")
    return problems
