"""What a template episode establishes: its summary, beats and new canon facts. Pure."""

from __future__ import annotations

from sparkle_motion.schemas import Beat, CanonClaim, EpisodePlan
from sparkle_motion.writing.template.arc import Arc, EpisodeStory, Role, slug, thing_slots
from sparkle_motion.writing.template.parts import Part
from sparkle_motion.writing.template.scenes import scene_location

__all__ = ["episode_plan", "episode_summary"]


def _taker(arc: Arc, story: EpisodeStory) -> Role | None:
    """Who takes the thing: the third character in a rival episode; nobody when it vanishes."""
    return arc.cast[2] if story.complication == "rival" and len(arc.cast) > 2 else None


def episode_summary(arc: Arc, story: EpisodeStory) -> str:
    """The episode in a sentence, for its plan and for the story arc."""
    hero, ally, taker = arc.cast[0], arc.cast[1], _taker(arc, story)
    found = f"{hero.name} finds {thing_slots(story.thing)['a_thing']}"
    trouble = f"{taker.name} takes it" if taker is not None else "it vanishes"
    return (
        f"{found}; when {trouble}, a secret comes out ({story.secret_told}), "
        f"and {hero.name} and {ally.name} {story.plan}."
    )


def episode_plan(arc: Arc, story: EpisodeStory, groups: list[list[Part]]) -> EpisodePlan:
    beats: list[Beat] = []
    for group in groups:
        where = scene_location(group)
        for part in group:
            beats.append(
                Beat.model_validate(
                    {
                        "part": part.name,
                        "summary": part.beat,
                        "location_id": where.id,
                        "characters": part.present,
                    }
                )
            )
    hero = arc.cast[0]
    keeper = (_taker(arc, story) or hero).id
    thing = slug(story.thing.partition("|")[0])
    facts = [
        CanonClaim(kind="event", subject=hero.id, event="finds", objects=[thing]),
        CanonClaim(kind="state", subject=thing, key="held_by", value=keeper),
        CanonClaim(
            kind="event", subject=story.revealer, event="reveals", objects=[story.secret_told]
        ),
    ]
    return EpisodePlan.new(
        episode_id=story.episode_id,
        number=story.number,
        title=story.title,
        summary=episode_summary(arc, story),
        beats=beats,
        new_facts=facts,
        picked_up_threads=list(story.picked_up),
        unresolved_threads=list(story.unresolved),
    )
