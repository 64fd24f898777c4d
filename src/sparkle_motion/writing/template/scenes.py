"""The parts of a template episode grouped into scenes, and the Script they make. Pure.

Short targets fold the four parts into fewer scenes; long ones add searching
scenes in the middle. A part that does not open its scene gives up its
opening action to the scene's body, where the fitter may drop it.
"""

from __future__ import annotations

from typing import Any

from sparkle_motion.schemas import IdeaLocation, Script
from sparkle_motion.writing.template.parts import Item, Part, PartWriter

__all__ = ["build_script", "group_parts", "scene_location", "scene_options"]


def scene_options(story_seconds: float) -> tuple[int, ...]:
    """How many scenes to try for the four parts, most first: short stories fold them."""
    if story_seconds < 20:
        return (1,)
    if story_seconds < 40:
        return (2, 1)
    return (4, 2) if story_seconds < 60 else (4,)


def group_parts(writer: PartWriter, target: float, scenes: int) -> list[list[Part]]:
    """The parts grouped into ``scenes`` scenes (1, 2 or 4), plus searches when long.

    A part that does not open its scene keeps its opening action as a line the
    fitter may drop.
    """
    setup, complication = writer.setup(roomy=target >= 70), writer.complication()
    turn, resolution = writer.turn(), writer.resolution()
    moods = writer.arc.genre.moods
    for part, mood in zip((setup, complication, turn, resolution), moods, strict=True):
        part.mood = mood
    if scenes == 1:
        groups = [[setup, complication, turn, resolution]]
    elif scenes == 2:
        groups = [[setup, complication], [turn, resolution]]
    else:
        groups = [[setup], [complication], [turn], [resolution]]
    searches = 0 if target < 100 else min(4, int((target - 100) // 40) + 1)
    locations = list(writer.story.locations)
    for index in range(searches):
        part = writer.search(locations[(index + 1) % len(locations)])
        part.mood = moods[1]
        groups.insert(2 + index, [part])
    for group in groups:
        for part in group[1:]:
            part.core[:0] = [Item(element, drop_order=4) for element in part.opening]
            part.opening = []
    return groups


def build_script(
    writer: PartWriter, groups: list[list[Part]], episode_id: str, title: str
) -> Script:
    counters = {"action": 0, "dialogue": 0}
    scenes: list[dict[str, Any]] = []
    speaking: set[str] = set()

    def numbered(element: dict[str, Any]) -> dict[str, Any]:
        counters[element["type"]] += 1
        prefix = "a" if element["type"] == "action" else "l"
        if element["type"] == "dialogue":
            speaking.add(element["speaker_id"])
        else:
            speaking.update(element["characters"])
        kept = {k: v for k, v in element.items() if k != "_short"}
        return {**kept, "id": f"{prefix}{counters[element['type']]}"}

    for index, group in enumerate(groups, start=1):
        where = scene_location(group)
        elements: list[dict[str, Any]] = []
        present: list[str] = []
        for part in group:
            opening = [dict(e) for e in part.opening]
            if opening:
                opening[0]["text"] = f"{writer.atmosphere(where)} {opening[0]['text']}"
            core = [item.realised() for item in part.core if item.kept]
            body = [*core[:1], *part.fillers, *core[1:]]
            elements += [numbered(e) for e in (*opening, *body)]
            present += [who for who in part.present if who not in present]
        scenes.append(
            {
                "id": f"s{index}",
                "heading": f"{'INT' if where.interior else 'EXT'}. {where.name.upper()} - "
                f"{where.time_of_day.upper()}",
                "location": where.name,
                "location_id": where.id,
                "interior": where.interior,
                "time_of_day": where.time_of_day,
                "present": present,
                "music_mood": group[0].mood,
                "elements": elements,
            }
        )
    characters = [
        {"speaker_id": role.id, "name": role.name}
        for role in writer.arc.cast
        if role.id in speaking
    ]
    return Script.model_validate(
        {
            "schema_version": Script.SCHEMA_VERSION,
            "episode_id": episode_id,
            "title": title,
            "characters": characters,
            "scenes": scenes,
        }
    )


def scene_location(group: list[Part]) -> IdeaLocation:
    """Where a scene of several parts plays: where its story ends up, if it ends there."""
    return group[-1].location if group[-1].name == "resolution" else group[0].location
