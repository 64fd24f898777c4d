"""What the canon store hands out: snapshots, proposals and audit entries, and snapshot refs.

Plain records built from the store's rows. A snapshot's diff is parsed only
when someone reads it: the gate needs the canon of the head, not the
thousands of facts an import added to reach it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from sparkle_motion.errors import InputError, MissingInput
from sparkle_motion.schemas import Canon, CanonDiff

__all__ = [
    "AuditEntry",
    "Proposed",
    "Snapshot",
    "SnapshotInfo",
    "audit_entry",
    "pick_version",
    "proposed",
    "snapshot",
    "snapshot_info",
]

_HEX = set("0123456789abcdef")


@dataclass(frozen=True)
class SnapshotInfo:
    version: int
    hash: str
    parent: int | None
    episode_id: str | None
    created_by: str
    note: str
    created_at: datetime


@dataclass(frozen=True)
class Snapshot:
    info: SnapshotInfo
    canon: Canon
    diff_json: str | None = None  # the CanonDiff from the parent, canonical JSON

    @cached_property
    def diff(self) -> CanonDiff | None:
        return None if self.diff_json is None else CanonDiff.model_validate_json(self.diff_json)

    @property
    def version(self) -> int:
        return self.info.version

    @property
    def hash(self) -> str:
        return self.info.hash


@dataclass(frozen=True)
class Proposed:
    subject: str
    diff: CanonDiff
    result: Canon
    head_version: int | None
    episode_id: str | None
    run_id: str | None
    status: str


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str  # import | propose | approve | reject | adopt
    version: int | None
    subject: str | None
    diff_hash: str | None
    run_id: str | None
    episode_id: str | None
    notes: str


def snapshot_info(row: Mapping[Any, Any]) -> SnapshotInfo:
    return SnapshotInfo(
        version=row["version"],
        hash=row["hash"],
        parent=row["parent_version"],
        episode_id=row["episode_id"],
        created_by=row["created_by"],
        note=row["note"],
        created_at=row["created_at"],
    )


def snapshot(row: Mapping[Any, Any]) -> Snapshot:
    return Snapshot(
        info=snapshot_info(row),
        canon=Canon.model_validate_json(row["document"]),
        diff_json=row["diff"],
    )


def proposed(row: Mapping[Any, Any]) -> Proposed:
    return Proposed(
        subject=row["subject"],
        diff=CanonDiff.model_validate_json(row["diff"]),
        result=Canon.model_validate_json(row["result"]),
        head_version=row["head_version"],
        episode_id=row["episode_id"],
        run_id=row["run_id"],
        status=row["status"],
    )


def audit_entry(row: Mapping[Any, Any]) -> AuditEntry:
    return AuditEntry(
        at=row["at"],
        actor=row["actor"],
        action=row["action"],
        version=row["version"],
        subject=row["subject"],
        diff_hash=row["diff_hash"],
        run_id=row["run_id"],
        episode_id=row["episode_id"],
        notes=row["notes"],
    )


def pick_version(infos: Sequence[SnapshotInfo], ref: str, where: str) -> int:
    """The version ``ref`` names among ``infos`` (oldest first).

    ``head``, ``head~N``, a version number (``3`` or ``v3``) or a hash prefix
    (six hex digits or more; the latest snapshot with that hash).
    """
    wanted = ref.strip().lower()
    if not infos:
        raise MissingInput(
            "the canon has no snapshots yet",
            where=where,
            hint="import one with: sparkle-motion canon import PROJECT_DIR",
        )
    if wanted == "head" or wanted.startswith("head~"):
        back = wanted.removeprefix("head").removeprefix("~") or "0"
        if not back.isdigit():
            raise InputError(f"{ref!r} is not a snapshot", hint="write head~N, e.g. head~1")
        return infos[-1].version - int(back)
    number = wanted.removeprefix("v")
    if number.isdigit() and len(number) < 6:
        return int(number)
    if len(wanted) >= 6 and set(wanted) <= _HEX:
        matches = sorted({i.hash for i in infos if i.hash.startswith(wanted)})
        if len(matches) == 1:
            return max(i.version for i in infos if i.hash == matches[0])
        if matches:
            raise InputError(
                f"snapshot hash prefix {wanted} is ambiguous",
                hint="give more characters of the hash",
            )
    raise MissingInput(
        f"no canon snapshot {ref!r}",
        where=where,
        hint="name one by version (3), head, head~1 or hash prefix; see canon history",
    )
