"""The context pack a writer gets before writing an episode. Pure.

The relevant canon subset: the entities the episode is about (its focus),
the characters related to them, their objects and whereabouts, their states,
every world rule, and the latest timeline events that involve them; then the
last episode's recap and its unresolved threads, and what full-text recall
found (a memory aid that never overrides the canon).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sparkle_motion.canon.time import episode_number
from sparkle_motion.schemas import Canon, ContextPack, EpisodeRecap, RecallHit

__all__ = ["build_context_pack", "last_recap"]

MAX_EVENTS = 20


def last_recap(recaps: Sequence[EpisodeRecap], episode_id: str) -> EpisodeRecap | None:
    """The most recent episode before ``episode_id`` (by number, else by order given)."""
    current = episode_number(episode_id)
    earlier = [
        r
        for r in recaps
        if r.episode_id != episode_id
        and (current is None or r.number is None or r.number < current)
    ]
    if not earlier:
        return None
    return max(enumerate(earlier), key=lambda item: (item[1].number or 0, item[0]))[1]


def build_context_pack(
    canon: Canon,
    canon_hash: str,
    *,
    episode_id: str,
    focus: Iterable[str] = (),
    recaps: Sequence[EpisodeRecap] = (),
    recall_hits: Sequence[RecallHit] = (),
    max_events: int = MAX_EVENTS,
) -> ContextPack:
    wanted = set(focus)
    characters = {c.id for c in canon.characters}
    related = {
        other
        for r in canon.relationships
        for one, other in ((r.a, r.b), (r.b, r.a))
        if one in wanted and other in characters
    }
    people = (wanted & characters) | related
    objects = [
        o
        for o in canon.objects
        if o.id in wanted or o.owner in people or (o.location is not None and o.location in wanted)
    ]
    places = wanted | {o.location for o in objects if o.location}
    for character in canon.characters:
        if character.id in people and character.whereabouts:
            places.add(character.whereabouts[-1].location)
    subjects = people | {o.id for o in objects} | places
    events = sorted(
        (e for e in canon.timeline_events if subjects & set(e.subjects)),
        key=lambda e: (e.at.episode, e.at.scene or 0, e.id),
    )[-max_events:]
    recap = last_recap(recaps, episode_id)
    return ContextPack.new(
        episode_id=episode_id,
        canon_hash=canon_hash,
        characters=[c for c in canon.characters if c.id in people],
        locations=[loc for loc in canon.locations if loc.id in places],
        objects=objects,
        relationships=[r for r in canon.relationships if r.a in people and r.b in people],
        world_rules=list(canon.world_rules),
        persistent_states=[s for s in canon.persistent_states if s.subject in subjects],
        events=events,
        last_episode=recap,
        unresolved_threads=list(recap.unresolved_threads) if recap else [],
        recall=list(recall_hits),
    )
