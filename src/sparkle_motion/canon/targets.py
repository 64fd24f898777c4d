"""Which canon fact a state claim speaks about, shared by the gate and the diff proposer.

``mara.status = dead`` is about the character ``mara``; ``lens.status =
broken`` about the object ``lens``; any other key is a persistent state
(``persistent_states.elias/eyesight``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from sparkle_motion.canon.facts import COLLECTIONS, FactTable, entity_path
from sparkle_motion.canon.scenes import CHARACTER_STATUSES, ClaimAt

__all__ = ["CHARACTER_KEYS", "OBJECT_KEYS", "Target", "same_value", "subject_kind", "target_of"]

CHARACTER_KEYS = frozenset({"status", "age", "birth_date", "name", "alias", "location"})
OBJECT_KEYS = frozenset({"status", "owner", "location", "name"})
SubjectKind = Literal["character", "object", "state"]


@dataclass(frozen=True)
class Target:
    kind: SubjectKind
    path: str  # the fact path the claim sets
    value: str


def subject_kind(
    subject: str, key: str, value: str, table: FactTable, cast: Collection[str]
) -> SubjectKind:
    if subject in table["characters"] or subject in cast:
        return "character" if key in CHARACTER_KEYS else "state"
    if subject in table["objects"]:
        return "object" if key in OBJECT_KEYS else "state"
    if key == "status":
        return "character" if value.lower() in CHARACTER_STATUSES else "object"
    if key in ("age", "birth_date", "alias"):
        return "character"
    if key == "owner":
        return "object"
    return "state"


def target_of(claim: ClaimAt, table: FactTable, cast: Collection[str]) -> Target | None:
    """The fact a state claim sets; None for event claims."""
    if claim.key is None:
        return None
    subject, key = claim.claim.subject, claim.key
    value = (claim.claim.value or "").strip()
    kind = subject_kind(subject, key, value, table, cast)
    if kind == "state":
        state = COLLECTIONS["persistent_states"].key({"subject": subject, "key": key})
        return Target(kind, f"{entity_path('persistent_states', state)}.value", value)
    collection = "characters" if kind == "character" else "objects"
    field = {"alias": "aliases"}.get(key, key)
    if kind == "character" and key == "location":
        field = "whereabouts"
    return Target(kind, f"{entity_path(collection, subject)}.{field}", value)


def same_value(canon_value: object, claimed: str) -> bool:
    if canon_value is None:
        return False
    if isinstance(canon_value, bool):
        return claimed.lower() == str(canon_value).lower()
    return str(canon_value).strip().casefold() == claimed.strip().casefold()
