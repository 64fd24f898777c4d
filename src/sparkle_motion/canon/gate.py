"""The Canon Gate: a script's claims against the canon snapshot. Pure.

Blocks (hard contradictions), each finding naming the fact, where the canon
holds it (snapshot, episode/scene), where the script breaks it (scene, line,
JSON path of the claim) and a repair:

- ``dead_character``: a character who is dead (in the canon, or killed
  earlier in this script) speaks, appears, or acts in a claim after the death;
  a flashback with a ``story_time`` before the death is fine.
- ``age_mismatch``: an age that does not fit the birth date (or an earlier
  age) and the calendar at the scene's story time, or ages that go backwards.
- ``fact_clash``: a fact the canon fixed is claimed differently (a birth
  date, the time of a death).
- ``name_clash``: a canon character goes by a name that is neither its name
  nor an alias, or a character takes a name another character has.
- ``two_places``: someone is bodily in two locations at one story time.
- ``stale_fact``: a removed or replaced fact is used as if it still held
  (a removed character, location or object; a state or relationship the
  canon changed, claimed again without an event that changes it back).
- ``world_rule``: a structured world rule is broken.

Warns:
- ``unknown_character``: a character the canon does not know yet (the canon
  diff proposes it).
- ``flashback_unanchored``: a dead character in a flashback that has no
  ``story_time`` to check it against.
"""

from __future__ import annotations

from sparkle_motion.canon.gate_context import Gate
from sparkle_motion.canon.gate_people import check_ages, check_deaths, check_names
from sparkle_motion.canon.gate_world import check_places, check_rules, check_stale
from sparkle_motion.canon.history import CanonHistory
from sparkle_motion.canon.scenes import read_scenes
from sparkle_motion.canon.time import episode_number
from sparkle_motion.schemas import Canon, CanonReport, Script

__all__ = ["CHECKS", "check_script"]

CHECKS = (check_names, check_deaths, check_ages, check_places, check_stale, check_rules)


def check_script(
    script: Script,
    canon: Canon,
    *,
    script_hash: str,
    canon_hash: str,
    history: CanonHistory | None = None,
    episode: int | None = None,
    source: str = "<script>",
) -> CanonReport:
    """Every contradiction between ``script`` and ``canon``; ``passed`` when none blocks.

    ``episode`` is the episode's number in story time (default: the number the
    episode id ends with); ``source`` names the script file in error messages.
    """
    number = episode if episode is not None else episode_number(script.episode_id)
    gate = Gate(
        script=script,
        canon=canon,
        canon_hash=canon_hash,
        history=history or CanonHistory(),
        scenes=read_scenes(script, number, source),
    )
    for check in CHECKS:
        check(gate)
    order = {scene.id: scene.position for scene in gate.scenes}
    findings = sorted(
        gate.findings, key=lambda f: (f.severity != "block", order.get(f.scene_id or "", 0))
    )
    return CanonReport.new(
        script_hash=script_hash,
        canon_hash=canon_hash,
        passed=not any(f.severity == "block" for f in findings),
        findings=findings,
    )
