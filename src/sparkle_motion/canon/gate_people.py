"""Gate checks about characters: names and aliases, death, age and birth date."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sparkle_motion.canon.gate_context import Gate
from sparkle_motion.canon.scenes import POSTHUMOUS_EVENTS, ClaimAt, SceneView
from sparkle_motion.canon.time import (
    TimeKey,
    age_range,
    birth_window,
    date_window,
    describe,
    key_of,
)

__all__ = ["check_ages", "check_deaths", "check_names"]

_FLASHBACK_REPAIR = (
    "remove the character from the scene, or make it a flashback set before their death "
    '("flashback": true with a "story_time" before it)'
)


def check_names(gate: Gate) -> None:
    for character in gate.script.characters:
        who, name = character.speaker_id, character.name
        scene, line = gate.first_sight(who)
        entry = gate.characters.get(who)
        if entry is None:
            removed = gate.history.replaced(f"characters.{who}")
            if removed:
                gate.block(
                    "stale_fact",
                    f"{name} ({who}) was removed from the canon in {removed[-1].origin.where}",
                    fact=f"characters.{who}",
                    repair="take them out of the script, or put them back in canon.json",
                    scene=scene,
                    line=line,
                    canon_source=removed[-1].origin.describe(),
                )
                continue
            owners = sorted(gate.names.get(name.casefold(), ()))
            if owners:
                gate.block(
                    "name_clash",
                    f"the new character {who} is called {name!r}, a name the canon gives to "
                    f"{owners[0]}",
                    fact=f"characters.{owners[0]}.name",
                    repair=f"use the speaker id {owners[0]} if it is them, or give {who} "
                    "another name",
                    scene=scene,
                    line=line,
                    canon_source=gate.source(f"characters.{owners[0]}.name"),
                )
                continue
            gate.warn(
                "unknown_character",
                f"{name} ({who}) is not in the canon yet",
                fact=f"characters.{who}",
                repair="add the character to canon.json, or approve the canon diff that "
                "proposes it",
                scene=scene,
                line=line,
            )
            continue
        if name.casefold() in gate.own_names(who):
            continue
        former = [
            old
            for old in gate.history.replaced(f"characters.{who}.name")
            if isinstance(old.value, str) and old.value.casefold() == name.casefold()
        ]
        if former:
            gate.block(
                "stale_fact",
                f"the script calls {who} {name!r}, a name the canon replaced with "
                f"{entry.name!r} in {former[-1].origin.where}",
                fact=f"characters.{who}.name",
                repair=f"call them {entry.name!r}, or add {name!r} to their aliases",
                scene=scene,
                line=line,
                canon_source=former[-1].origin.describe(),
            )
            continue
        gate.block(
            "name_clash",
            f"the script calls {who} {name!r}, the canon knows {entry.name!r}"
            + (f" (aliases: {', '.join(entry.aliases)})" if entry.aliases else ""),
            fact=f"characters.{who}.name",
            repair="use the canon name or add the new name to the character's aliases",
            scene=scene,
            line=line,
            canon_source=gate.source(f"characters.{who}.name"),
        )
    for scene in gate.scenes:
        for claim in scene.claims:
            if claim.key not in ("name", "alias"):
                continue
            value = (claim.claim.value or "").strip()
            owners = sorted(gate.names.get(value.casefold(), set()) - {claim.claim.subject})
            if owners:
                gate.block(
                    "name_clash",
                    f"scene {scene.id} gives {claim.claim.subject} the {claim.key} {value!r}, "
                    f"which the canon gives to {owners[0]}",
                    fact=f"characters.{owners[0]}.name",
                    repair="choose a name no other character has",
                    scene=scene,
                    claim=claim,
                    canon_source=gate.source(f"characters.{owners[0]}.name"),
                )


@dataclass(frozen=True)
class _Death:
    time: TimeKey | None  # None: dead, time unknown
    scene: SceneView | None  # the scene of the script that kills them
    claim: ClaimAt | None


def _kills(claim: ClaimAt) -> bool:
    return claim.event == "death" or (
        claim.key == "status" and (claim.claim.value or "").strip().lower() == "dead"
    )


def _deaths(gate: Gate) -> dict[str, _Death]:
    """Canon deaths, then the script's own, each checked against the canon's."""
    deaths = {
        c.id: _Death(key_of(c.died_at), None, None)
        for c in gate.canon.characters
        if c.status == "dead"
    }
    for scene in sorted(gate.scenes, key=lambda s: (s.time, s.position)):
        for claim in scene.claims:
            if not _kills(claim):
                continue
            who = claim.claim.subject
            known = deaths.get(who)
            if known is None:
                deaths[who] = _Death(scene.time, scene, claim)
            elif known.scene is None and known.time is not None and known.time > scene.time:
                gate.block(
                    "fact_clash",
                    f"scene {scene.id} has {gate.name_of(who)} die at {describe(scene.time)}, "
                    f"but the canon has them die at {describe(known.time)}",
                    fact=f"characters.{who}.died_at",
                    repair="move the death to where the canon has it, or drop the claim",
                    scene=scene,
                    claim=claim,
                    canon_source=gate.source(f"characters.{who}.died_at"),
                )
    return deaths


def _dead_before(death: _Death | None, scene: SceneView) -> bool:
    if death is None:
        return False
    return death.time is None or death.time < scene.time


def _death_source(gate: Gate, who: str, death: _Death) -> str:
    if death.claim is not None and death.scene is not None:
        return f"this script, scene {death.scene.id} ({death.claim.path})"
    return gate.source(f"characters.{who}.status", f"dead since {describe(death.time)}")


def _since(gate: Gate, who: str, death: _Death) -> str:
    if death.scene is not None:
        return f"dies in scene {death.scene.id}"
    return "is dead" + (f" since {describe(death.time)}" if death.time is not None else "")


def check_deaths(gate: Gate) -> None:
    deaths = _deaths(gate)
    for scene in gate.scenes:
        shown = [*scene.speakers, *(w for w in scene.appears if w not in scene.speakers)]
        for who in shown:
            death = deaths.get(who)
            if not _dead_before(death, scene) or death is None:
                continue
            name, verb = gate.name_of(who), "speaks" if who in scene.speakers else "appears"
            if scene.flashback and (not scene.explicit_time or death.time is None):
                gate.warn(
                    "flashback_unanchored",
                    f"{name} {_since(gate, who, death)} and {verb} in flashback scene "
                    f"{scene.id}, which has no story_time to check",
                    fact=f"characters.{who}.status",
                    repair='give the scene a "story_time" before the death',
                    scene=scene,
                    line=scene.where(who),
                    canon_source=_death_source(gate, who, death),
                )
                continue
            gate.block(
                "dead_character",
                f"{name} {_since(gate, who, death)} but {verb} in scene {scene.id}",
                fact=f"characters.{who}.status",
                repair=_FLASHBACK_REPAIR,
                scene=scene,
                line=scene.where(who),
                canon_source=_death_source(gate, who, death),
            )
        for claim in scene.claims:
            who = claim.claim.subject
            death = deaths.get(who)
            if death is None or not _dead_before(death, scene):
                continue
            if claim.event in POSTHUMOUS_EVENTS and claim.event != "death":
                continue
            name = gate.name_of(who)
            if _kills(claim):
                message = f"{name} {_since(gate, who, death)}; scene {scene.id} kills them again"
                repair = "drop the second death"
            elif claim.key == "status":
                message = f"{name} {_since(gate, who, death)}; scene {scene.id} says they live"
                repair = "drop the claim; bringing someone back needs a canon change by hand"
            else:
                text = claim.claim.event or f"{claim.key} = {claim.claim.value}"
                message = f"{name} {_since(gate, who, death)} but scene {scene.id} claims {text}"
                repair = "drop the claim, or set the scene before the death"
            gate.block(
                "dead_character",
                message,
                fact=f"characters.{who}.status",
                repair=repair,
                scene=scene,
                claim=claim,
                canon_source=_death_source(gate, who, death),
            )


def _span(least: int | None, most: int | None) -> str:
    if least == most:
        return str(least)
    if most is None:
        return f"at least {least}"
    if least is None:
        return f"at most {most}"
    return f"{least} to {most}"


def check_ages(gate: Gate) -> None:
    claimed: dict[str, list[tuple[TimeKey, int, SceneView, ClaimAt]]] = {}
    for scene in gate.scenes:
        for claim in scene.claims:
            who, value = claim.claim.subject, (claim.claim.value or "").strip()
            if claim.key == "birth_date":
                entry = gate.characters.get(who)
                if entry and entry.birth_date and entry.birth_date != value:
                    gate.block(
                        "fact_clash",
                        f"scene {scene.id} says {entry.name} was born {value}; the canon says "
                        f"{entry.birth_date}",
                        fact=f"characters.{who}.birth_date",
                        repair=f"use {entry.birth_date}",
                        scene=scene,
                        claim=claim,
                        canon_source=gate.source(f"characters.{who}.birth_date"),
                    )
            elif claim.key == "age":
                claimed.setdefault(who, []).append((scene.time, int(value), scene, claim))
    for who, ages in claimed.items():
        ages.sort(key=lambda item: (item[0], item[2].position))
        entry = gate.characters.get(who)
        for (t1, a1, _, _), (t2, a2, scene, claim) in itertools.pairwise(ages):
            if a2 < a1 or (t1 == t2 and a1 != a2):
                gate.block(
                    "age_mismatch",
                    f"{gate.name_of(who)} is {a1} at {describe(t1)} but {a2} in scene "
                    f"{scene.id} ({describe(t2)})",
                    fact=f"characters.{who}.age",
                    repair="make the ages agree with story time",
                    scene=scene,
                    claim=claim,
                    canon_source="this script",
                )
        if entry is None:
            continue
        born = birth_window(entry.birth_date, entry.age, key_of(entry.age_at), gate.canon)
        for time, age, scene, claim in ages:
            if born is not None:
                least, most = age_range(born, date_window(gate.canon, time))
                if (least is None or age >= least) and (most is None or age <= most):
                    continue
                expected = _span(least, most)
                basis = (
                    f"born {entry.birth_date}"
                    if entry.birth_date
                    else f"{entry.age} at {describe(key_of(entry.age_at) or (1, 0))}"
                )
                fact = "birth_date" if entry.birth_date else "age"
            elif entry.age is not None:
                since = key_of(entry.age_at) or (1, 0)
                if (time >= since and age >= entry.age) or (time < since and age <= entry.age):
                    continue
                expected = f"{'at least' if time >= since else 'at most'} {entry.age}"
                basis = f"{entry.age} at {describe(since)}"
                fact = "age"
            else:
                continue
            gate.block(
                "age_mismatch",
                f"scene {scene.id} says {entry.name} is {age}; the canon ({basis}) makes them "
                f"{expected} at {describe(time)}",
                fact=f"characters.{who}.{fact}",
                repair=f"make them {expected}, or move the scene in story time",
                scene=scene,
                claim=claim,
                canon_source=gate.source(f"characters.{who}.{fact}"),
            )
