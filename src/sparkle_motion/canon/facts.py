"""The canon as facts: a normal form, fact paths, and a diff that applies exactly.

Every entity of the canon lives in a collection under a key (an id, or the
fields that identify it), so each fact has a path:

- ``characters.mara`` — the whole entity (added or removed as one fact);
- ``characters.mara.status`` — one field of it (added, modified or removed).

Relationship keys are ``a/b/kind``, persistent-state keys ``subject/key``,
calendar keys ``episode:scene``; ``.``, ``/`` and ``%`` inside a key part are
percent-escaped so a path always splits cleanly. ``apply_changes(a,
diff_canons(a, b)) == normalize(b)`` for any two canons.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from sparkle_motion.errors import CanonConflict, InvalidArtifact
from sparkle_motion.schemas import Canon, CanonDiff, CanonFactChange

__all__ = [
    "COLLECTIONS",
    "Change",
    "Explained",
    "FactTable",
    "apply_changes",
    "build_diff",
    "count_facts",
    "diff_canons",
    "diff_tables",
    "entity_path",
    "from_table",
    "is_empty",
    "normalize",
    "split_path",
    "to_table",
]

Entity = dict[str, Any]
FactTable = dict[str, dict[str, Entity]]


def _escape(part: object) -> str:
    text = str(part)
    if "%" not in text and "." not in text and "/" not in text:
        return text  # ids mostly: nothing to escape, and keys are made for every fact
    return text.replace("%", "%25").replace(".", "%2E").replace("/", "%2F")


def _at(entity: Entity) -> tuple[int, int]:
    at = entity.get("at") or {}
    return int(at.get("episode", 0)), int(at.get("scene") or 0)


@dataclass(frozen=True)
class _Collection:
    name: str
    key_fields: tuple[str, ...]
    order: Callable[[Entity], Any]

    def key(self, entity: Entity) -> str:
        if self.name == "calendar":
            episode, scene = _at(entity)
            return f"{episode}:{scene}"
        return "/".join(_escape(entity[field]) for field in self.key_fields)


COLLECTIONS: dict[str, _Collection] = {
    c.name: c
    for c in (
        _Collection("characters", ("id",), lambda e: e["id"]),
        _Collection("locations", ("id",), lambda e: e["id"]),
        _Collection("objects", ("id",), lambda e: e["id"]),
        _Collection("world_rules", ("id",), lambda e: e["id"]),
        _Collection("timeline_events", ("id",), lambda e: (_at(e), e["id"])),
        _Collection("relationships", ("a", "b", "kind"), lambda e: (e["a"], e["b"], e["kind"])),
        _Collection("persistent_states", ("subject", "key"), lambda e: (e["subject"], e["key"])),
        _Collection("calendar", ("at",), _at),
    )
}


@dataclass(frozen=True)
class Change:
    """One fact's change: ``before`` None means added, ``after`` None (entity) means removed."""

    path: str
    before: Any
    after: Any
    kind: str  # added | modified | removed

    def as_fact_change(
        self, justification: str = "", provenance: Mapping[str, str] | None = None
    ) -> CanonFactChange:
        return CanonFactChange.model_validate(self.fields(justification, provenance))

    def fields(
        self, justification: str = "", provenance: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """The CanonFactChange it is, as plain data (validated with the whole diff)."""
        return {
            "path": self.path,
            "before": self.before,
            "after": self.after,
            "justification": justification,
            "provenance": dict(provenance or {}),
        }


def entity_path(collection: str, key: str) -> str:
    return f"{collection}.{key}"


def split_path(path: str) -> tuple[str, str, str | None]:
    """``characters.mara.status`` → (characters, mara, status); the field may be None."""
    collection, _, rest = path.partition(".")
    if collection not in COLLECTIONS or not rest:
        raise ValueError(f"{path!r} is not a canon fact path")
    key, _, field = rest.partition(".")
    return collection, key, field or None


def _table(data: Mapping[str, Any]) -> FactTable:
    table: FactTable = {}
    for name, collection in COLLECTIONS.items():
        table[name] = {collection.key(entity): entity for entity in data.get(name, [])}
    return table


def to_table(canon: Canon) -> FactTable:
    return _table(canon.model_dump(mode="json"))


def from_table(table: Mapping[str, Mapping[str, Entity]], schema_version: str) -> Canon:
    """The canon in normal form: every collection sorted by its key."""
    data: dict[str, Any] = {"schema_version": schema_version}
    for name, collection in COLLECTIONS.items():
        data[name] = sorted(table.get(name, {}).values(), key=collection.order)
    return Canon.model_validate(data)


def _in_order(entities: list[Entity], collection: _Collection) -> bool:
    order = [collection.order(entity) for entity in entities]
    return all(a < b for a, b in itertools.pairwise(order))


def normalize(canon: Canon) -> Canon:
    data = canon.model_dump(mode="json")
    # An exported canon is in normal form already: every collection strictly in order
    # (so no key twice). Building it again would give an equal canon, only later.
    if all(_in_order(data.get(name, []), c) for name, c in COLLECTIONS.items()):
        return canon
    return from_table(_table(data), canon.schema_version)


def is_empty(value: Any) -> bool:
    return value is None or value == [] or value == {} or value == ""


def diff_tables(before: FactTable, after: FactTable) -> list[Change]:
    changes: list[Change] = []
    for name, collection in COLLECTIONS.items():
        old, new = before.get(name, {}), after.get(name, {})
        for key in sorted(old.keys() | new.keys()):
            path = entity_path(name, key)
            if key not in new:
                changes.append(Change(path, old[key], None, "removed"))
            elif key not in old:
                changes.append(Change(path, None, new[key], "added"))
            else:
                for field in sorted(old[key].keys() | new[key].keys()):
                    if field in collection.key_fields:
                        continue
                    was, now = old[key].get(field), new[key].get(field)
                    if was == now:
                        continue
                    kind = "added" if is_empty(was) else "removed" if is_empty(now) else "modified"
                    changes.append(Change(f"{path}.{field}", was, now, kind))
    return changes


def diff_canons(before: Canon, after: Canon) -> list[Change]:
    return diff_tables(to_table(before), to_table(after))


def _conflict(path: str, what: str) -> CanonConflict:
    return CanonConflict(
        f"{path}: {what}",
        where="canon diff",
        hint="the canon changed since the diff was made; run the episode again for a fresh diff",
    )


def apply_changes(
    canon: Canon, changes: Iterable[CanonFactChange | Change], *, strict: bool = True
) -> Canon:
    """The canon with ``changes`` applied; ``strict`` insists each ``before`` still holds."""
    table = {name: dict(entities) for name, entities in to_table(canon).items()}
    for change in changes:
        collection, key, field = split_path(change.path)
        entities = table[collection]
        current = entities.get(key)
        if field is None:
            if strict and current != change.before:
                raise _conflict(change.path, "the fact is not what the diff expects")
            if change.after is None:
                entities.pop(key, None)
            else:
                entities[key] = dict(change.after)
            continue
        if current is None:
            raise _conflict(change.path, "the diff changes a field of an entity the canon lacks")
        if strict and current.get(field) != change.before:
            raise _conflict(
                change.path, f"expected {change.before!r}, found {current.get(field)!r}"
            )
        entities[key] = {**current, field: change.after}
    try:
        return from_table(table, canon.schema_version)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        raise InvalidArtifact(
            f"applying the diff gives an invalid canon: {first['msg'].lower()}",
            where="canon diff",
            hint="fix the claims that propose this change",
        ) from None


# Why a fact changed and who proposed it, for a path.
Explained = Callable[[str], tuple[str, Mapping[str, str]]]


def build_diff(
    base_hash: str,
    changes: Iterable[Change],
    result: Canon,
    explain: Explained,
    *,
    validation: Iterable[str] = (),
    episode_id: str | None = None,
    result_hash: str | None = None,
) -> CanonDiff:
    """A CanonDiff document: the changes grouped by kind, each with its justification.

    ``result_hash`` is ``result``'s content hash when the caller has it already.
    """
    grouped: dict[str, list[dict[str, Any]]] = {"added": [], "modified": [], "removed": []}
    for change in changes:
        why, provenance = explain(change.path)
        grouped[change.kind].append(change.fields(why, provenance))
    # One validation of the whole document: an import adds a fact change per fact.
    return CanonDiff.new(
        base_snapshot=base_hash,
        added=grouped["added"],
        modified=grouped["modified"],
        removed=grouped["removed"],
        validation=list(validation),
        result_snapshot=result_hash or result.content_hash(),
        episode_id=episode_id,
    )


def count_facts(canon: Canon) -> int:
    """Entities count once per non-empty field that is not part of their key (at least once)."""
    total = 0
    for name, entities in to_table(canon).items():
        fields = COLLECTIONS[name].key_fields
        for entity in entities.values():
            total += max(
                1, sum(1 for f, v in entity.items() if f not in fields and not is_empty(v))
            )
    return total
