"""Gate checks about the world: being in two places, stale facts, world rules."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sparkle_motion.canon.facts import split_path
from sparkle_motion.canon.gate_context import Gate
from sparkle_motion.canon.history import Superseded
from sparkle_motion.canon.scenes import EVENT_ALIASES, ClaimAt, SceneView
from sparkle_motion.canon.targets import same_value, target_of
from sparkle_motion.canon.time import TimeKey, describe, key_of
from sparkle_motion.schemas import WorldRule

__all__ = ["check_places", "check_rules", "check_stale"]


@dataclass(frozen=True)
class _Sighting:
    location: str
    scene: SceneView
    line: str | None
    claim: ClaimAt | None


def check_places(gate: Gate) -> None:
    """Nobody is in two places at one story time: within the script, or against the canon."""
    canon_at: dict[TimeKey, dict[str, str]] = defaultdict(dict)
    for character in gate.canon.characters:
        for whereabout in character.whereabouts:
            if whereabout.at.scene:
                canon_at[(whereabout.at.episode, whereabout.at.scene)][character.id] = (
                    whereabout.location
                )
    seen: dict[TimeKey, dict[str, _Sighting]] = defaultdict(dict)

    def sighted(who: str, sighting: _Sighting) -> None:
        scene, time = sighting.scene, sighting.scene.time
        fact = f"characters.{who}.whereabouts"
        name = gate.name_of(who)
        earlier = seen[time].get(who)
        if earlier is not None and earlier.location != sighting.location:
            gate.block(
                "two_places",
                f"{name} is at {earlier.location} in scene {earlier.scene.id} and at "
                f"{sighting.location} in scene {scene.id}, both at {describe(time)}",
                fact=fact,
                repair="give one of the scenes another story_time, or take them out of one",
                scene=scene,
                line=sighting.line,
                claim=sighting.claim,
                canon_source=f"this script, scene {earlier.scene.id}",
            )
            return
        seen[time].setdefault(who, sighting)
        known = canon_at.get(time, {}).get(who)
        if known is not None and known != sighting.location:
            gate.block(
                "two_places",
                f"the canon has {name} at {known} at {describe(time)}; scene {scene.id} puts "
                f"them at {sighting.location}",
                fact=fact,
                repair="set the scene at another story_time, or where the canon has them",
                scene=scene,
                line=sighting.line,
                claim=sighting.claim,
                canon_source=gate.source(fact, f"at {known} at {describe(time)}"),
            )

    for scene in sorted(gate.scenes, key=lambda s: (s.time, s.position)):
        for who, line in scene.physical.items():
            sighted(who, _Sighting(scene.location, scene, line, None))
        for claim in scene.claims:
            if (
                claim.key != "location"
                or claim.claim.subject not in gate.characters.keys() | gate.cast.keys()
            ):
                continue
            who, where = claim.claim.subject, (claim.claim.value or "").strip()
            if who in scene.physical and where != scene.location:
                gate.block(
                    "two_places",
                    f"scene {scene.id} shows {gate.name_of(who)} at {scene.location} and "
                    f"claims they are at {where}",
                    fact=f"characters.{who}.whereabouts",
                    repair="take them out of the scene, or claim where the scene is",
                    scene=scene,
                    claim=claim,
                    canon_source="this script",
                )
                continue
            sighted(who, _Sighting(where, scene, claim.line, claim))


def _in_force(old: Superseded, scene: SceneView) -> bool:
    """True when the scene happens after the fact was replaced."""
    if old.until is None:
        return not scene.flashback
    return scene.time >= old.until


def _current(gate: Gate, path: str) -> Any:
    collection, key, field = split_path(path)
    entity = gate.table[collection].get(key)
    if field is None or entity is None:
        return entity
    return entity.get(field)


def _removed_entities(gate: Gate) -> dict[str, Superseded]:
    removed: dict[str, Superseded] = {}
    for collection in ("characters", "locations", "objects"):
        prefix = f"{collection}."
        for path, olds in gate.history.superseded.items():
            if path.startswith(prefix) and path.count(".") == 1 and olds[-1].replaced_by is None:
                key = path[len(prefix) :]
                if key not in gate.table[collection]:
                    removed[key] = olds[-1]
    return removed


def check_stale(gate: Gate) -> None:
    """A fact the canon removed or changed, used as if it still held."""
    if not gate.history.superseded:
        return
    removed = _removed_entities(gate)
    for scene in gate.scenes:
        gone = removed.get(scene.location)
        if gone is not None and gone.path.startswith("locations.") and _in_force(gone, scene):
            gate.block(
                "stale_fact",
                f"scene {scene.id} is set at {scene.location}, which the canon removed in "
                f"{gone.origin.where}",
                fact=gone.path,
                repair="set the scene elsewhere, or make it a flashback before the removal",
                scene=scene,
                canon_source=gone.origin.describe(),
            )
        for who in dict.fromkeys([*scene.physical, *scene.speakers]):
            gone = removed.get(who)
            if gone is None or not gone.path.startswith("characters.") or who in gate.cast:
                continue  # cast members are reported once by the name check
            if _in_force(gone, scene):
                gate.block(
                    "stale_fact",
                    f"{who} appears in scene {scene.id} but was removed from the canon in "
                    f"{gone.origin.where}",
                    fact=gone.path,
                    repair="take them out of the scene, or put them back in canon.json",
                    scene=scene,
                    line=scene.where(who),
                    canon_source=gone.origin.describe(),
                )
        changing = {c.claim.subject for c in scene.claims if c.event is not None}
        for claim in scene.claims:
            _check_claim(gate, scene, claim, removed, changing)


def _check_claim(
    gate: Gate,
    scene: SceneView,
    claim: ClaimAt,
    removed: dict[str, Superseded],
    changing: set[str],
) -> None:
    for ref in [claim.claim.subject, *claim.claim.objects]:
        gone = removed.get(ref)
        if gone is not None and _in_force(gone, scene):
            gate.block(
                "stale_fact",
                f"scene {scene.id} makes a claim about {ref}, which the canon removed in "
                f"{gone.origin.where}",
                fact=gone.path,
                repair="drop the claim, or put the entity back in canon.json",
                scene=scene,
                claim=claim,
                canon_source=gone.origin.describe(),
            )
            return
    target = target_of(claim, gate.table, gate.cast)
    if target is None or (
        target.kind == "character"
        and target.path.endswith((".status", ".aliases", ".whereabouts", ".age", ".birth_date"))
    ):
        return  # deaths, ages and places have checks of their own
    current = _current(gate, target.path)
    entity_claim = target.path.count(".") == 1
    if (current is not None) if entity_claim else same_value(current, target.value):
        return
    for old in reversed(gate.history.replaced(target.path)):
        matches = old.replaced_by is None if entity_claim else same_value(old.value, target.value)
        if not matches or not _in_force(old, scene) or claim.claim.subject in changing:
            continue
        now = "gone" if entity_claim or current is None else repr(current)
        gate.block(
            "stale_fact",
            f"scene {scene.id} claims {claim.claim.subject}.{claim.key} = {target.value}, "
            f"which the canon replaced in {old.origin.where} (now {now})",
            fact=target.path,
            repair="use the canon's current value, or claim the change with an event in the "
            f"same scene (e.g. [[canon: event recovery {claim.claim.subject}]])",
            scene=scene,
            claim=claim,
            canon_source=old.origin.describe(),
        )
        return


def _applies(rule: WorldRule, who: str) -> bool:
    return (not rule.subjects or who in rule.subjects) and who not in rule.exempt


def _rule_scenes(gate: Gate, rule: WorldRule) -> list[SceneView]:
    since = key_of(rule.since)
    return [
        s
        for s in gate.scenes
        if (since is None or s.time >= since)
        and (rule.location is None or s.location == rule.location)
        and (
            rule.time_of_day is None
            or s.scene.time_of_day.casefold() == rule.time_of_day.casefold()
        )
    ]


def check_rules(gate: Gate) -> None:
    for rule in gate.canon.world_rules:
        if rule.forbids is None:
            continue
        fact = f"world_rules.{rule.id}"
        repair = "change the scene so the rule holds, or change the rule in canon.json"
        source = gate.source(fact, rule.text)
        forbidden_event = EVENT_ALIASES.get(rule.event or "", rule.event)
        for scene in _rule_scenes(gate, rule):
            broken: list[tuple[str, str | None, ClaimAt | None]] = []
            if rule.forbids == "presence":
                broken = [
                    (f"{gate.name_of(w)} is there", line, None)
                    for w, line in scene.physical.items()
                    if _applies(rule, w)
                ]
            elif rule.forbids == "speech":
                broken = [
                    (f"{gate.name_of(w)} speaks", line, None)
                    for w, line in scene.speakers.items()
                    if _applies(rule, w)
                ]
            else:
                for claim in scene.claims:
                    if not _applies(rule, claim.claim.subject):
                        continue
                    value = (claim.claim.value or "").strip()
                    if (rule.forbids == "event" and claim.event == forbidden_event) or (
                        rule.forbids == "state"
                        and claim.key == rule.key
                        and (rule.value is None or same_value(rule.value, value))
                    ):
                        text = claim.event or f"{claim.key} = {value}"
                        broken.append((f"it claims {claim.claim.subject}: {text}", None, claim))
            for what, line, broken_claim in broken:
                gate.block(
                    "world_rule",
                    f"scene {scene.id} breaks the world rule {rule.id!r} ({rule.text}): {what}",
                    fact=fact,
                    repair=repair,
                    scene=scene,
                    line=line,
                    claim=broken_claim,
                    canon_source=source,
                )
