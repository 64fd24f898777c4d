"""The Canon Gate: a script's claims against the canon snapshot. Pure.

Blocks (hard contradictions):
- ``dead_character``: a character the canon records as dead speaks or is
  present in a scene.
- ``name_clash``: the script names a canon character differently from the
  canon's name and aliases.

Warns:
- ``unknown_character``: a speaker the canon does not know yet (a new
  character; the canon diff workflow will propose it).
"""

from __future__ import annotations

from sparkle_motion.schemas import Canon, CanonFinding, CanonReport, DialogueElement, Script

__all__ = ["check_script"]


def _names(canon: Canon) -> dict[str, set[str]]:
    return {c.id: {c.name.casefold(), *(a.casefold() for a in c.aliases)} for c in canon.characters}


def check_script(script: Script, canon: Canon, *, script_hash: str, canon_hash: str) -> CanonReport:
    findings: list[CanonFinding] = []
    names = _names(canon)
    for character in script.characters:
        known = names.get(character.speaker_id)
        if known is None:
            findings.append(
                CanonFinding(
                    code="unknown_character",
                    severity="warn",
                    message=f"{character.name} ({character.speaker_id}) is not in the canon yet",
                    fact=f"characters.{character.speaker_id}",
                    repair="add the character to canon.json, "
                    "or approve the canon diff that proposes it",
                )
            )
        elif character.name.casefold() not in known:
            canonical = canon.character(character.speaker_id)
            findings.append(
                CanonFinding(
                    code="name_clash",
                    severity="block",
                    message=f"the script calls {character.speaker_id} {character.name!r}, "
                    f"the canon knows {canonical.name if canonical else character.speaker_id!r}",
                    fact=f"characters.{character.speaker_id}.name",
                    repair="use the canon name or add the new name to the character's aliases",
                )
            )
    for scene in script.scenes:
        spoken: dict[str, str] = {}
        mentioned: dict[str, str | None] = dict.fromkeys(scene.present)
        for element in scene.elements:
            if isinstance(element, DialogueElement):
                spoken.setdefault(element.speaker_id, element.id)
            else:
                for who in element.characters:
                    if mentioned.get(who) is None:
                        mentioned[who] = element.id
        for who in [*spoken, *(w for w in mentioned if w not in spoken)]:
            entry = canon.character(who)
            if entry is None or entry.status != "dead":
                continue
            since = f" since episode {entry.died_at.episode}" if entry.died_at else ""
            verb = "speaks" if who in spoken else "appears"
            findings.append(
                CanonFinding(
                    code="dead_character",
                    severity="block",
                    message=f"{entry.name} is dead{since} but {verb} in scene {scene.id}",
                    fact=f"characters.{who}.status",
                    scene_id=scene.id,
                    line_id=spoken.get(who) or mentioned.get(who),
                    repair="remove the character from the scene, or mark the scene as a "
                    "flashback set before their death",
                )
            )
    return CanonReport.new(
        script_hash=script_hash,
        canon_hash=canon_hash,
        passed=not any(f.severity == "block" for f in findings),
        findings=findings,
    )
