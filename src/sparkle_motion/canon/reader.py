"""Reading a project's canon history from the registry database: snapshots, proposals, audit.

A snapshot never changes once written, so a reader parses each one at most
once; the head is looked up by version and hash, and parsed only when it is
new to this reader.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, RowMapping, select

from sparkle_motion.canon.history import CanonHistory, HistoryStep, build_history
from sparkle_motion.canon.snapshots import (
    AuditEntry,
    Proposed,
    Snapshot,
    SnapshotInfo,
    audit_entry,
    pick_version,
    proposed,
    snapshot,
    snapshot_info,
)
from sparkle_motion.errors import InputError, MissingInput
from sparkle_motion.registry.canon_tables import canon_audit, canon_proposals, canon_snapshots
from sparkle_motion.schemas import CanonDiff

__all__ = ["CanonReader", "Clock"]

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class CanonReader:
    """One project's canon history, read from the registry database."""

    def __init__(self, engine: Engine, project: str, clock: Clock = _utc_now) -> None:
        if not project.strip() or len(project) > 200:
            raise InputError(
                "a canon store needs a project key of 1 to 200 characters",
                where="canon store",
                hint="give the project an id in project.yaml",
            )
        self.engine = engine
        self.project = project
        self.clock = clock
        self._parsed: dict[int, Snapshot] = {}

    @property
    def _where(self) -> str:
        return f"canon of {self.project!r}"

    def _remember(self, row: RowMapping) -> Snapshot:
        found = snapshot(row)
        self._parsed[found.version] = found
        return found

    def _known(self, version: int, digest: str) -> Snapshot | None:
        cached = self._parsed.get(version)
        return cached if cached is not None and cached.hash == digest else None

    def head(self) -> Snapshot | None:
        with self.engine.connect() as connection:
            return self._head(connection)

    def _head(self, connection: Connection) -> Snapshot | None:
        latest = connection.execute(
            select(canon_snapshots.c.version, canon_snapshots.c.hash)
            .where(canon_snapshots.c.project == self.project)
            .order_by(canon_snapshots.c.version.desc())
            .limit(1)
        ).first()
        if latest is None:
            return None
        return self._known(latest.version, latest.hash) or self._fetch(connection, latest.version)

    def _fetch(self, connection: Connection, version: int) -> Snapshot | None:
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
        return None if row is None else self._remember(row)

    def snapshots(self) -> list[SnapshotInfo]:
        columns = [c for c in canon_snapshots.c if c.name not in ("document", "diff")]
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(*columns)
                .where(canon_snapshots.c.project == self.project)
                .order_by(canon_snapshots.c.version)
            ).mappings()
            return [snapshot_info(row) for row in rows]

    def version(self, version: int) -> Snapshot:
        found = self._parsed.get(version)
        if found is None:
            with self.engine.connect() as connection:
                found = self._fetch(connection, version)
        if found is None:
            raise MissingInput(
                f"the canon has no snapshot {version}",
                where=self._where,
                hint="list snapshots with: sparkle-motion canon history PROJECT_DIR",
            )
        return found

    def snapshot(self, ref: str) -> Snapshot:
        """``head``, ``head~N``, a version number (``3`` or ``v3``) or a hash prefix (6+ hex)."""
        return self.version(pick_version(self.snapshots(), ref, self._where))

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
        with self.engine.connect() as connection:
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
        with self.engine.connect() as connection:
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
        return None if row is None else proposed(row)

    def audit(self) -> list[AuditEntry]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(canon_audit)
                .where(canon_audit.c.project == self.project)
                .order_by(canon_audit.c.id)
            ).mappings()
            return [audit_entry(row) for row in rows]
