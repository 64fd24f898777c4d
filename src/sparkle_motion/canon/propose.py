"""From a script's claims to the CanonDiff it proposes. Pure.

What a script adds to the canon: characters of its cast and locations of its
scenes the canon does not know yet, and the effect of every claim in story
time order (see docs/canon.md for the keys and events). Each change carries
a justification and its provenance (episode, scene, line, story time).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sparkle_motion.canon.facts import (
    COLLECTIONS,
    FactTable,
    build_diff,
    diff_canons,
    diff_tables,
    from_table,
    to_table,
)
from sparkle_motion.canon.history import CanonHistory
from sparkle_motion.canon.scenes import ClaimAt, SceneView, read_scenes
from sparkle_motion.canon.targets import subject_kind
from sparkle_motion.canon.time import NOW_EPISODE, episode_number
from sparkle_motion.schemas import (
    Canon,
    CanonCharacter,
    CanonDiff,
    CanonLocation,
    CanonObject,
    Script,
    TimelineEvent,
)

__all__ = ["Proposal", "propose_diff", "rebase"]


@dataclass(frozen=True)
class Proposal:
    diff: CanonDiff
    result: Canon


def _title(ident: str) -> str:
    return ident.replace("-", " ").replace("_", " ").title()


class _Draft:
    """The canon as a fact table being edited, with why each fact changed."""

    def __init__(self, canon: Canon, script: Script, script_hash: str) -> None:
        self.table: FactTable = {k: dict(v) for k, v in to_table(canon).items()}
        self.script = script
        self.script_hash = script_hash
        self.notes: dict[str, tuple[str, dict[str, str]]] = {}
        self.cast = {c.speaker_id: c.name for c in script.characters}
        self.why = ""
        self.provenance: dict[str, str] = {}

    def at(self, scene: SceneView, claim: ClaimAt | None, why: str) -> None:
        self.why = why
        self.provenance = {"episode": self.script.episode_id, "scene": scene.id}
        if scene.time[0] < NOW_EPISODE:
            self.provenance["at"] = f"{scene.time[0]}:{scene.time[1]}"
        if claim is not None and claim.line:
            self.provenance["line"] = claim.line
        if claim is not None and claim.claim.source_line:
            self.provenance["source_line"] = str(claim.claim.source_line)
        self.provenance["script"] = self.script_hash

    def story_time(self, scene: SceneView) -> dict[str, int | None] | None:
        if scene.time[0] >= NOW_EPISODE:
            return None
        return {"episode": scene.time[0], "scene": scene.time[1] or None}

    def _note(self, path: str) -> None:
        self.notes.setdefault(path, (self.why, dict(self.provenance)))

    def put(self, collection: str, entity: dict[str, Any]) -> None:
        key = COLLECTIONS[collection].key(entity)
        if self.table[collection].get(key) != entity:
            self.table[collection][key] = entity
            self._note(f"{collection}.{key}")

    def drop(self, collection: str, key: str) -> None:
        if self.table[collection].pop(key, None) is not None:
            self._note(f"{collection}.{key}")

    def set(self, collection: str, key: str, field: str, value: Any) -> None:
        entity = self.table[collection][key]
        if entity.get(field) != value:
            self.table[collection][key] = {**entity, field: value}
            self._note(f"{collection}.{key}.{field}")

    def character(self, who: str) -> dict[str, Any]:
        if who not in self.table["characters"]:
            name = self.cast.get(who) or _title(who)
            self.put("characters", CanonCharacter(id=who, name=name).model_dump(mode="json"))
        return self.table["characters"][who]

    def location(self, ident: str, name: str | None = None) -> None:
        if ident not in self.table["locations"]:
            entity = CanonLocation(id=ident, name=name or _title(ident))
            self.put("locations", entity.model_dump(mode="json"))

    def object(self, ident: str) -> None:
        if ident not in self.table["objects"]:
            self.put("objects", CanonObject(id=ident, name=_title(ident)).model_dump(mode="json"))

    def relation(self, a: str, b: str, kind: str | None, scene: SceneView) -> None:
        for key, entity in list(self.table["relationships"].items()):
            if entity["a"] == a and entity["b"] == b and entity["kind"] != kind:
                self.drop("relationships", key)
        if kind:
            self.put(
                "relationships", {"a": a, "b": b, "kind": kind, "since": self.story_time(scene)}
            )

    def state(self, subject: str, key: str, value: str, scene: SceneView) -> None:
        path_key = COLLECTIONS["persistent_states"].key({"subject": subject, "key": key})
        current = self.table["persistent_states"].get(path_key)
        if current is not None and str(current["value"]) == value:
            return
        self.put(
            "persistent_states",
            {"subject": subject, "key": key, "value": value, "since": self.story_time(scene)},
        )


def _event_id(script: Script, scene: SceneView, event: str, subject: str) -> str:
    raw = f"{script.episode_id}-{scene.id}-{event}-{subject}".lower()
    return re.sub(r"[^a-z0-9_\-]+", "-", raw).strip("-") or "event"


def _kill(draft: _Draft, who: str, scene: SceneView) -> None:
    entity = draft.character(who)
    if entity["status"] != "dead":
        draft.set("characters", who, "status", "dead")
        draft.set("characters", who, "died_at", draft.story_time(scene))


def _timeline(draft: _Draft, scene: SceneView, event: str, who: str, objects: list[str]) -> None:
    ident = _event_id(draft.script, scene, event, who)
    when = draft.story_time(scene) or {"episode": 0, "scene": scene.position}
    draft.put(
        "timeline_events",
        TimelineEvent.model_validate(
            {
                "id": ident,
                "at": when,
                "kind": event,
                "subjects": [who, *objects],
                "description": scene.scene.synopsis or f"{event}: {' '.join([who, *objects])}",
            }
        ).model_dump(mode="json"),
    )


def _event(draft: _Draft, scene: SceneView, claim: ClaimAt) -> None:
    event, who, objects = claim.event or "", claim.claim.subject, claim.claim.objects
    _timeline(draft, scene, event, who, objects)
    other = objects[0] if objects else None
    if event == "death":
        _kill(draft, who, scene)
    elif event == "move" and other:
        draft.location(other)
        if who in draft.table["objects"]:
            draft.set("objects", who, "location", other)
        elif who not in scene.physical and (who in draft.table["characters"] or who in draft.cast):
            _whereabout(draft, who, other, scene)
    elif event in ("injury", "heal"):
        draft.state(who, "injured", "true" if event == "injury" else "false", scene)
    elif event in ("marriage", "engagement", "relationship") and other:
        draft.character(who)
        draft.character(other)
        kind = {"marriage": "married", "engagement": "engaged"}.get(event) or objects[1]
        draft.relation(who, other, kind, scene)
    elif event == "separation" and other:
        draft.relation(who, other, None, scene)
        draft.relation(other, who, None, scene)
    elif event in ("destroy", "lost", "find"):
        draft.object(who)
        status = {"destroy": "destroyed", "lost": "lost", "find": "intact"}[event]
        draft.set("objects", who, "status", status)
        draft.set("objects", who, "since", draft.story_time(scene))
    elif event == "birthday":
        entity = draft.character(who)
        if entity.get("age") is not None:
            draft.set("characters", who, "age", entity["age"] + 1)
            draft.set("characters", who, "age_at", draft.story_time(scene))


def _whereabout(draft: _Draft, who: str, where: str, scene: SceneView) -> None:
    entity = draft.character(who)
    entry = {"at": draft.story_time(scene) or {"episode": 0, "scene": None}, "location": where}
    if entry not in entity["whereabouts"]:
        draft.location(where)
        draft.set("characters", who, "whereabouts", [*entity["whereabouts"], entry])


def _state(draft: _Draft, scene: SceneView, claim: ClaimAt) -> None:
    who, key = claim.claim.subject, claim.key or ""
    value = (claim.claim.value or "").strip()
    kind = subject_kind(who, key, value, draft.table, draft.cast)
    if kind == "state":
        draft.state(who, key, value, scene)
        return
    if kind == "object":
        draft.object(who)
        if key == "location":
            draft.location(value)
        elif key == "owner":
            draft.character(value)
        draft.set("objects", who, key, value.lower() if key == "status" else value)
        draft.set("objects", who, "since", draft.story_time(scene))
        return
    entity = draft.character(who)
    if key == "status":
        if value.lower() == "dead":
            _timeline(draft, scene, "death", who, [])
            _kill(draft, who, scene)
    elif key == "age":  # a birth date already fixes every age
        if entity.get("birth_date") is None and entity.get("age") != int(value):
            draft.set("characters", who, "age", int(value))
            draft.set("characters", who, "age_at", draft.story_time(scene))
    elif key == "birth_date":
        draft.set("characters", who, "birth_date", entity.get("birth_date") or value)
    elif key == "name":
        draft.set("characters", who, "name", value)
    elif key == "alias":
        if value not in entity["aliases"] and value != entity["name"]:
            draft.set("characters", who, "aliases", [*entity["aliases"], value])
    elif key == "location":
        _whereabout(draft, who, value, scene)


def propose_diff(
    script: Script,
    canon: Canon,
    *,
    canon_hash: str,
    script_hash: str,
    episode: int | None = None,
    validation: Sequence[str] = (),
    source: str = "<script>",
    history: CanonHistory | None = None,
) -> Proposal:
    """The canon diff ``script`` proposes against ``canon`` (whose hash is ``canon_hash``).

    Characters and locations the canon removed are not brought back just because
    a scene shows them (a flashback may); only a claim does that.
    """
    number = episode if episode is not None else episode_number(script.episode_id)
    scenes = read_scenes(script, number, source)
    draft = _Draft(canon, script, script_hash)
    before = {k: dict(v) for k, v in draft.table.items()}
    past = history or CanonHistory()
    for character in script.characters:
        if character.speaker_id in draft.table["characters"]:
            continue
        if past.replaced(f"characters.{character.speaker_id}"):
            continue
        scene = next(
            (s for s in scenes if character.speaker_id in {*s.speakers, *s.appears}), scenes[0]
        )
        draft.at(
            scene, None, f"{character.name} first appears in {script.episode_id} scene {scene.id}"
        )
        draft.character(character.speaker_id)
    for scene in scenes:
        if past.replaced(f"locations.{scene.location}"):
            continue
        draft.at(
            scene, None, f"{script.episode_id} scene {scene.id} is set at {scene.scene.location}"
        )
        draft.location(scene.location, scene.scene.location)
    for scene in sorted(scenes, key=lambda s: (s.time, s.position)):
        for claim in scene.claims:
            text = (
                f"event {claim.event} {' '.join([claim.claim.subject, *claim.claim.objects])}"
                if claim.event
                else f"{claim.claim.subject}.{claim.key} = {claim.claim.value}"
            )
            draft.at(scene, claim, f"{script.episode_id} scene {scene.id} claims {text}")
            if claim.event:
                _event(draft, scene, claim)
            else:
                _state(draft, scene, claim)
    result = from_table(draft.table, canon.schema_version)
    diff = build_diff(
        canon_hash,
        diff_tables(before, to_table(result)),
        result,
        lambda path: _explain(draft.notes, path),
        validation=validation,
        episode_id=script.episode_id,
    )
    return Proposal(diff=diff, result=result)


def rebase(proposal: Proposal, head: Canon, head_hash: str) -> CanonDiff:
    """The same proposal as a diff from ``head`` (when the episode's earlier diff is in it)."""
    diff = proposal.diff
    notes = {
        change.path: (change.justification, dict(change.provenance))
        for change in [*diff.added, *diff.modified, *diff.removed]
    }
    fallback = (
        f"{diff.episode_id} no longer claims this",
        {"episode": diff.episode_id or ""},
    )
    return build_diff(
        head_hash,
        diff_canons(head, proposal.result),
        proposal.result,
        lambda path: _explain(notes, path) if _explain(notes, path)[0] else fallback,
        validation=diff.validation,
        episode_id=diff.episode_id,
    )


def _explain(
    notes: Mapping[str, tuple[str, dict[str, str]]], path: str
) -> tuple[str, dict[str, str]]:
    if path in notes:
        return notes[path]
    entity = ".".join(path.split(".")[:2])
    if entity in notes:
        return notes[entity]
    return next((note for key, note in notes.items() if key.startswith(f"{entity}.")), ("", {}))
