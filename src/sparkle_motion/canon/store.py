"""The canon store: versioned, content-hashed snapshots of a project's canon, in the registry DB.

Snapshot ``n`` holds the whole canon (canonical JSON, its sha256 as identity)
and the CanonDiff that led to it from snapshot ``n - 1``. The canon changes
only by a new snapshot: an import (a person's edit of ``canon.json``) or an
approved CanonDiff proposed by an episode. Proposals wait in their own table
until someone decides; every import, proposal and decision is appended to an
audit trail (who, when, what). Writes for one project are serialized (SQLite:
one writer; PostgreSQL: an advisory lock), so two approvals cannot both build
on the same head.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, text

from sparkle_motion.canon.facts import apply_changes, build_diff, diff_canons
from sparkle_motion.canon.history import CanonHistory, HistoryStep, build_history
from sparkle_motion.errors import CanonConflict, InputError, MissingInput
from sparkle_motion.registry.canon_tables import (
    canon_audit,
    canon_proposals,
    canon_snapshots,
)
from sparkle_motion.registry.engine import write_transaction
from sparkle_motion.schemas import Canon, CanonDiff

__all__ = ["AuditEntry", "CanonStore", "Proposed", "Snapshot", "SnapshotInfo"]

Clock = Callable[[], datetime]
_HEX = set("0123456789abcdef")


def _utc_now() -> datetime:
    return datetime.now(UTC)


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
    diff: CanonDiff | None

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
    action: str  # import | propose | approve | reject
    version: int | None
    subject: str | None
    diff_hash: str | None
    run_id: str | None
    episode_id: str | None
    notes: str


def _info(row: Mapping[Any, Any]) -> SnapshotInfo:
    return SnapshotInfo(
        version=row["version"],
        hash=row["hash"],
        parent=row["parent_version"],
        episode_id=row["episode_id"],
        created_by=row["created_by"],
        note=row["note"],
        created_at=row["created_at"],
    )


def _snapshot(row: Mapping[Any, Any]) -> Snapshot:
    diff = row["diff"]
    return Snapshot(
        info=_info(row),
        canon=Canon.model_validate_json(row["document"]),
        diff=None if diff is None else CanonDiff.model_validate_json(diff),
    )


class CanonStore:
    """One project's canon history in the registry database."""

    def __init__(self, engine: Engine, project: str, clock: Clock = _utc_now) -> None:
        if not project.strip() or len(project) > 200:
            raise InputError(
                "a canon store needs a project name of 1 to 200 characters",
                where="canon store",
                hint="give the project a title in project.yaml",
            )
        self.engine = engine
        self.project = project
        self.clock = clock

    # -- reading -------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            yield connection

    def head(self) -> Snapshot | None:
        with self._reading() as connection:
            return self._head(connection)

    def _head(self, connection: Connection) -> Snapshot | None:
        row = (
            connection.execute(
                select(canon_snapshots)
                .where(canon_snapshots.c.project == self.project)
                .order_by(canon_snapshots.c.version.desc())
                .limit(1)
            )
            .mappings()
            .first()
        )
        return None if row is None else _snapshot(row)

    def snapshots(self) -> list[SnapshotInfo]:
        columns = [c for c in canon_snapshots.c if c.name not in ("document", "diff")]
        with self._reading() as connection:
            rows = connection.execute(
                select(*columns)
                .where(canon_snapshots.c.project == self.project)
                .order_by(canon_snapshots.c.version)
            ).mappings()
            return [_info(row) for row in rows]

    def version(self, version: int) -> Snapshot:
        with self._reading() as connection:
            row = (
                connection.execute(
                    select(canon_snapshots).where(
                        canon_snapshots.c.project == self.project,
                        canon_snapshots.c.version == version,
                    )
                )
                .mappings()
                .first()
            )
        if row is None:
            raise MissingInput(
                f"the canon has no snapshot {version}",
                where=f"canon of {self.project!r}",
                hint="list snapshots with: sparkle-motion canon history PROJECT_DIR",
            )
        return _snapshot(row)

    def snapshot(self, ref: str) -> Snapshot:
        """``head``, ``head~N``, a version number (``3`` or ``v3``) or a hash prefix (6+ hex)."""
        wanted = ref.strip().lower()
        infos = self.snapshots()
        if not infos:
            raise MissingInput(
                "the canon has no snapshots yet",
                where=f"canon of {self.project!r}",
                hint="import one with: sparkle-motion canon import PROJECT_DIR",
            )
        if wanted == "head" or wanted.startswith("head~"):
            back = wanted.removeprefix("head").removeprefix("~") or "0"
            if not back.isdigit():
                raise InputError(f"{ref!r} is not a snapshot", hint="write head~N, e.g. head~1")
            return self.version(infos[-1].version - int(back))
        number = wanted.removeprefix("v")
        if number.isdigit() and len(number) < 6:
            return self.version(int(number))
        if len(wanted) >= 6 and set(wanted) <= _HEX:
            matches = sorted({i.hash for i in infos if i.hash.startswith(wanted)})
            if len(matches) == 1:
                latest = max(i.version for i in infos if i.hash == matches[0])
                return self.version(latest)
            if matches:
                raise InputError(
                    f"snapshot hash prefix {wanted} is ambiguous",
                    hint="give more characters of the hash",
                )
        raise MissingInput(
            f"no canon snapshot {ref!r}",
            where=f"canon of {self.project!r}",
            hint="name one by version (3), head, head~1 or hash prefix; see canon history",
        )

    def history(self, upto: int | None = None) -> CanonHistory:
        """Where each fact of snapshot ``upto`` (default: head) came from, and what it replaced."""
        query = (
            select(
                canon_snapshots.c.version,
                canon_snapshots.c.hash,
                canon_snapshots.c.diff,
                canon_snapshots.c.created_by,
            )
            .where(canon_snapshots.c.project == self.project)
            .order_by(canon_snapshots.c.version)
        )
        if upto is not None:
            query = query.where(canon_snapshots.c.version <= upto)
        with self._reading() as connection:
            steps = [
                HistoryStep(
                    version=row.version,
                    hash=row.hash,
                    diff=None if row.diff is None else CanonDiff.model_validate_json(row.diff),
                    actor=row.created_by,
                )
                for row in connection.execute(query)
            ]
        return build_history(steps)

    def gate_base(self, episode_id: str) -> Snapshot | None:
        """The snapshot an episode is checked against: the head, less the episode's own diffs.

        Running an episode again, or a revision of it, must not be judged against
        the facts it established itself; later episodes' facts still count.
        """
        infos = self.snapshots()
        while infos and infos[-1].episode_id == episode_id:
            infos.pop()
        return self.version(infos[-1].version) if infos else None

    def proposal(self, subject: str) -> Proposed | None:
        with self._reading() as connection:
            row = (
                connection.execute(
                    select(canon_proposals).where(
                        canon_proposals.c.project == self.project,
                        canon_proposals.c.subject == subject,
                    )
                )
                .mappings()
                .first()
            )
        if row is None:
            return None
        return Proposed(
            subject=row["subject"],
            diff=CanonDiff.model_validate_json(row["diff"]),
            result=Canon.model_validate_json(row["result"]),
            head_version=row["head_version"],
            episode_id=row["episode_id"],
            run_id=row["run_id"],
            status=row["status"],
        )

    def audit(self) -> list[AuditEntry]:
        with self._reading() as connection:
            rows = connection.execute(
                select(canon_audit)
                .where(canon_audit.c.project == self.project)
                .order_by(canon_audit.c.id)
            ).mappings()
            return [
                AuditEntry(
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
                for row in rows
            ]

    # -- writing -------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with write_transaction(self.engine) as connection:
            if connection.dialect.name == "postgresql":
                key = int.from_bytes(hashlib.sha256(self.project.encode()).digest()[:8], "big")
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": key - (1 << 63)}
                )
            yield connection

    def _audit(self, connection: Connection, **fields: object) -> None:
        entry = {
            "project": self.project,
            "at": fields.pop("at", None) or self.clock(),
            "notes": "",
            **fields,
        }
        connection.execute(insert(canon_audit).values(**entry))

    def _commit(
        self,
        connection: Connection,
        canon: Canon,
        diff: CanonDiff,
        *,
        by: str,
        note: str,
        episode_id: str | None,
    ) -> Snapshot:
        head = connection.execute(
            select(func.max(canon_snapshots.c.version)).where(
                canon_snapshots.c.project == self.project
            )
        ).scalar()
        version = (head or 0) + 1
        row = {
            "project": self.project,
            "version": version,
            "hash": canon.content_hash(),
            "document": canon.to_json().decode("utf-8"),
            "parent_version": head,
            "diff": diff.to_json().decode("utf-8"),
            "episode_id": episode_id,
            "created_by": by,
            "note": note,
            "created_at": self.clock(),
        }
        connection.execute(insert(canon_snapshots).values(**row))
        return _snapshot(row)

    def import_canon(self, canon: Canon, *, by: str, source: str) -> Snapshot | None:
        """A person's version of the canon becomes the head; None when it already is."""
        with self._writing() as connection:
            head = self._head(connection)
            if head is not None and head.hash == canon.content_hash():
                return None
            base = head.canon if head else Canon.new()
            changes = diff_canons(base, canon)
            why = (f"imported from {source}", {"source": f"import of {source} by {by}"})
            diff = build_diff(
                head.hash if head else base.content_hash(), changes, canon, lambda _path: why
            )
            snapshot = self._commit(
                connection, canon, diff, by=by, note=f"import of {source}", episode_id=None
            )
            self._audit(
                connection,
                actor=by,
                action="import",
                version=snapshot.version,
                diff_hash=diff.content_hash(),
                notes=f"{len(changes)} change(s) from {source}",
            )
            return snapshot

    def propose(
        self,
        subject: str,
        diff: CanonDiff,
        result: Canon,
        *,
        head_version: int | None,
        episode_id: str | None,
        run_id: str | None,
    ) -> None:
        """Keep a diff until someone decides on it; ``subject`` is what an approval names."""
        with self._writing() as connection:
            connection.execute(
                delete(canon_proposals).where(
                    canon_proposals.c.project == self.project,
                    canon_proposals.c.subject == subject,
                )
            )
            connection.execute(
                insert(canon_proposals).values(
                    project=self.project,
                    subject=subject,
                    diff=diff.to_json().decode("utf-8"),
                    result=result.to_json().decode("utf-8"),
                    head_version=head_version,
                    episode_id=episode_id,
                    run_id=run_id,
                    status="pending",
                    created_at=self.clock(),
                )
            )
            self._audit(
                connection,
                actor=f"run {run_id}" if run_id else "canon check",
                action="propose",
                subject=subject,
                diff_hash=diff.content_hash(),
                run_id=run_id,
                episode_id=episode_id,
                notes=f"{len(diff.added)} added, {len(diff.modified)} modified, "
                f"{len(diff.removed)} removed",
            )

    def decide(
        self,
        subject: str,
        *,
        approve: bool,
        by: str,
        notes: str = "",
        at: datetime | None = None,
        run_id: str | None = None,
    ) -> Snapshot | None:
        """Approve (the diff becomes the new head snapshot) or reject a proposed diff."""
        proposed = self.proposal(subject)
        if proposed is None:
            raise MissingInput(
                f"no canon diff was proposed for {subject[:12]}",
                where=f"canon of {self.project!r}",
                hint="run the episode again; the canon gate proposes its diff",
            )
        with self._writing() as connection:
            head = self._head(connection)
            snapshot = None
            if approve and proposed.status == "approved" and head is not None:
                raise CanonConflict(
                    f"the canon diff {subject[:12]} was approved already",
                    where=f"canon of {self.project!r}",
                    hint="see sparkle-motion canon history PROJECT_DIR",
                )
            if approve:
                diff = proposed.diff
                if (head.version if head else None) == proposed.head_version:
                    canon = proposed.result
                else:  # the canon moved on: the diff must still apply to the new head
                    base = head.canon if head else Canon.new()
                    canon = apply_changes(base, [*diff.added, *diff.modified, *diff.removed])
                    diff = diff.model_copy(
                        update={
                            "base_snapshot": base.content_hash(),
                            "result_snapshot": canon.content_hash(),
                        }
                    )
                snapshot = self._commit(
                    connection,
                    canon,
                    diff,
                    by=by,
                    note=notes or f"approved diff of {proposed.episode_id or 'a script'}",
                    episode_id=proposed.episode_id,
                )
            connection.execute(
                canon_proposals.update()
                .where(
                    canon_proposals.c.project == self.project,
                    canon_proposals.c.subject == subject,
                )
                .values(status="approved" if approve else "rejected")
            )
            self._audit(
                connection,
                at=at,
                actor=by,
                action="approve" if approve else "reject",
                version=snapshot.version if snapshot else None,
                subject=subject,
                diff_hash=proposed.diff.content_hash(),
                run_id=run_id or proposed.run_id,
                episode_id=proposed.episode_id,
                notes=notes,
            )
            return snapshot
