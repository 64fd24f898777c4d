"""The canon store: versioned, content-hashed snapshots of a project's canon, in the registry DB.

Snapshot ``n`` holds the whole canon (canonical JSON, its sha256 as identity)
and the CanonDiff that led to it from snapshot ``n - 1``. The canon changes
only by a new snapshot: an import (a person's edit of ``canon.json``) or an
approved CanonDiff proposed by an episode. Proposals wait in their own table
until someone decides; every import, proposal and decision is appended to an
audit trail (who, when, what). Writes for one project are serialized (SQLite:
one writer; PostgreSQL: an advisory lock), so two approvals cannot both build
on the same head. Every row carries the project's key (``canon.keys``); reading
is :class:`~sparkle_motion.canon.reader.CanonReader`'s half.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, func, insert, select, text

from sparkle_motion.canon.facts import apply_changes, build_diff, diff_canons
from sparkle_motion.canon.reader import CanonReader
from sparkle_motion.canon.snapshots import AuditEntry, Proposed, Snapshot, SnapshotInfo
from sparkle_motion.errors import CanonConflict, MissingInput
from sparkle_motion.registry.canon_tables import canon_audit, canon_proposals, canon_snapshots
from sparkle_motion.registry.engine import write_transaction
from sparkle_motion.schemas import Canon, CanonDiff, content_hash

__all__ = ["AuditEntry", "CanonStore", "Proposed", "Snapshot", "SnapshotInfo", "locked_for"]


@contextmanager
def locked_for(engine: Engine, *keys: str) -> Iterator[Connection]:
    """A write transaction that no other writer of these projects' canons runs beside."""
    with write_transaction(engine) as connection:
        if connection.dialect.name == "postgresql":
            for key in sorted(set(keys)):  # one order everywhere, so two lockers never deadlock
                number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": number - (1 << 63)}
                )
        yield connection


class CanonStore(CanonReader):
    """One project's canon history in the registry database: read it, and change it."""

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with locked_for(self.engine, self.project) as connection:
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
        document: bytes | None = None,
    ) -> tuple[Snapshot, str]:
        """The new head snapshot, and the hash of its diff."""
        head = connection.execute(
            select(func.max(canon_snapshots.c.version)).where(
                canon_snapshots.c.project == self.project
            )
        ).scalar()
        document = document if document is not None else canon.to_json()
        diff_json = diff.to_json()
        info = SnapshotInfo(
            version=(head or 0) + 1,
            hash=content_hash(document),
            parent=head,
            episode_id=episode_id,
            created_by=by,
            note=note,
            created_at=self.clock(),
        )
        connection.execute(
            insert(canon_snapshots).values(
                project=self.project,
                version=info.version,
                hash=info.hash,
                document=document.decode("utf-8"),
                parent_version=info.parent,
                diff=diff_json.decode("utf-8"),
                episode_id=info.episode_id,
                created_by=info.created_by,
                note=info.note,
                created_at=info.created_at,
            )
        )
        made = Snapshot(info=info, canon=canon, diff_json=diff_json.decode("utf-8"))
        return made, content_hash(diff_json)

    def import_canon(
        self, canon: Canon, *, by: str, source: str, document: bytes | None = None
    ) -> Snapshot | None:
        """A person's version of the canon becomes the head; None when it already is.

        ``document`` is ``canon.to_json()``, when the caller has made it already.
        """
        document = document if document is not None else canon.to_json()
        digest = content_hash(document)
        with self._writing() as connection:
            head = self._head(connection)
            if head is not None and head.hash == digest:
                return None
            base = head.canon if head else Canon.new()
            changes = diff_canons(base, canon)
            why = (f"imported from {source}", {"source": f"import of {source} by {by}"})
            diff = build_diff(
                head.hash if head else base.content_hash(),
                changes,
                canon,
                lambda _path: why,
                result_hash=digest,
            )
            made, diff_hash = self._commit(
                connection,
                canon,
                diff,
                by=by,
                note=f"import of {source}",
                episode_id=None,
                document=document,
            )
            self._audit(
                connection,
                actor=by,
                action="import",
                version=made.version,
                diff_hash=diff_hash,
                notes=f"{len(changes)} change(s) from {source}",
            )
            return made

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
            diff_json = diff.to_json()
            connection.execute(
                insert(canon_proposals).values(
                    project=self.project,
                    subject=subject,
                    diff=diff_json.decode("utf-8"),
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
                diff_hash=content_hash(diff_json),
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
        found = self.proposal(subject)
        if found is None:
            raise MissingInput(
                f"no canon diff was proposed for {subject[:12]}",
                where=self._where,
                hint="run the episode again; the canon gate proposes its diff",
            )
        with self._writing() as connection:
            head = self._head(connection)
            made = None
            if approve and found.status == "approved" and head is not None:
                raise CanonConflict(
                    f"the canon diff {subject[:12]} was approved already",
                    where=self._where,
                    hint="see sparkle-motion canon history PROJECT_DIR",
                )
            if approve:
                diff = found.diff
                if (head.version if head else None) == found.head_version:
                    canon = found.result
                else:  # the canon moved on: the diff must still apply to the new head
                    base = head.canon if head else Canon.new()
                    canon = apply_changes(base, [*diff.added, *diff.modified, *diff.removed])
                    diff = diff.model_copy(
                        update={
                            "base_snapshot": base.content_hash(),
                            "result_snapshot": canon.content_hash(),
                        }
                    )
                made, _ = self._commit(
                    connection,
                    canon,
                    diff,
                    by=by,
                    note=notes or f"approved diff of {found.episode_id or 'a script'}",
                    episode_id=found.episode_id,
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
                version=made.version if made else None,
                subject=subject,
                diff_hash=found.diff.content_hash(),
                run_id=run_id or found.run_id,
                episode_id=found.episode_id,
                notes=notes,
            )
            return made
