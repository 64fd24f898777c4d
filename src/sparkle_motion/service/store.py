"""Jobs, their events and webhook deliveries in the registry database.

All writes go through one lock and ``BEGIN IMMEDIATE`` (SQLite has one
writer anyway); every status change is committed before it is reported,
so a server killed with SIGKILL restarts with the truth.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, RowMapping, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from sparkle_motion.errors import IdempotencyConflict
from sparkle_motion.registry.engine import write_transaction
from sparkle_motion.service.job_spec import JobSpec
from sparkle_motion.service.tables import events, jobs, webhook_deliveries

__all__ = [
    "FINISHED",
    "LIVE",
    "RESUMABLE",
    "Delivery",
    "Event",
    "Job",
    "JobStore",
    "NewJob",
    "dumps",
]

LIVE = ("queued", "in_progress")
RESUMABLE = ("paused", "interrupted", "stopped", "failed")
FINISHED = ("completed", "degraded", "failed", "stopped")

Clock = Callable[[], datetime]


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class NewJob:
    job_id: str
    tenant_id: str
    kind: str
    project_dir: str
    spec: JobSpec
    request_id: str | None = None
    idempotency_key: str | None = None
    body_hash: str | None = None


@dataclass(frozen=True)
class Job:
    job_id: str
    tenant_id: str
    kind: str
    request_id: str | None
    idempotency_key: str | None
    body_hash: str | None
    status: str
    project_dir: str
    spec: JobSpec
    result: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @property
    def project_dir_path(self) -> Path:
        return Path(self.project_dir)

    @property
    def resumable(self) -> bool:
        return self.status in RESUMABLE

    @classmethod
    def from_row(cls, row: RowMapping) -> Job:
        return cls(
            job_id=row["job_id"],
            tenant_id=row["tenant_id"],
            kind=row["kind"],
            request_id=row["request_id"],
            idempotency_key=row["idempotency_key"],
            body_hash=row["body_hash"],
            status=row["status"],
            project_dir=row["project_dir"],
            spec=JobSpec.model_validate(json.loads(row["spec"])),
            result=json.loads(row["result"]) if row["result"] else {},
            created_at=_utc(row["created_at"]),
            updated_at=_utc(row["updated_at"]),
        )


@dataclass(frozen=True)
class Event:
    id: int
    job_id: str
    at: datetime
    kind: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Delivery:
    delivery_id: str
    url: str
    event: str
    attempt: int
    status_code: int | None
    error: str | None
    at: datetime


class JobStore:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock
        self._lock = threading.Lock()

    # -- jobs ---------------------------------------------------------------

    def create(self, new: NewJob) -> tuple[Job, bool]:
        """Insert the job queued; (existing job, True) for a replayed idempotency key."""
        now = self.clock()
        try:
            with self._lock, write_transaction(self.engine) as connection:
                connection.execute(
                    insert(jobs).values(
                        job_id=new.job_id,
                        tenant_id=new.tenant_id,
                        kind=new.kind,
                        request_id=new.request_id,
                        idempotency_key=new.idempotency_key,
                        body_hash=new.body_hash,
                        status="queued",
                        project_dir=new.project_dir,
                        spec=dumps(new.spec.stored()),
                        result=None,
                        created_at=now,
                        updated_at=now,
                    )
                )
                connection.execute(
                    insert(events).values(
                        job_id=new.job_id,
                        tenant_id=new.tenant_id,
                        at=now,
                        kind="status",
                        data=dumps({"status": "queued"}),
                    )
                )
        except IntegrityError:
            return self._replay(new), True
        job = self.get(new.tenant_id, new.job_id)
        assert job is not None
        return job, False

    def _replay(self, new: NewJob) -> Job:
        query = select(jobs).where(jobs.c.tenant_id == new.tenant_id)
        clauses = []
        if new.idempotency_key is not None:
            clauses.append(jobs.c.idempotency_key == new.idempotency_key)
        if new.request_id is not None:
            clauses.append(jobs.c.request_id == new.request_id)
        with self.engine.connect() as connection:
            rows = [
                Job.from_row(r)
                for c in clauses
                for r in connection.execute(query.where(c)).mappings()
            ]
        if not rows:
            raise IdempotencyConflict("the job could not be stored", where=new.job_id)
        existing = rows[0]
        if existing.body_hash != new.body_hash or any(r.job_id != existing.job_id for r in rows):
            raise IdempotencyConflict(
                "this idempotency key or request id was used with a different request",
                where=f"request {existing.request_id or existing.job_id}",
                hint="send the original body again to read its result, or use a new key",
            )
        return existing

    def find(
        self, tenant_id: str, *, idempotency_key: str | None, request_id: str | None
    ) -> Job | None:
        """The tenant's job with this idempotency key, else with this request id."""
        for column, value in (
            (jobs.c.idempotency_key, idempotency_key),
            (jobs.c.request_id, request_id),
        ):
            if value is None:
                continue
            found = self._one(select(jobs).where(jobs.c.tenant_id == tenant_id, column == value))
            if found is not None:
                return found
        return None

    def get(self, tenant_id: str, job_id: str) -> Job | None:
        query = select(jobs).where(jobs.c.job_id == job_id, jobs.c.tenant_id == tenant_id)
        return self._one(query)

    def get_any(self, job_id: str) -> Job | None:
        """For the worker pool only: it owns every tenant's jobs."""
        return self._one(select(jobs).where(jobs.c.job_id == job_id))

    def by_request(self, tenant_id: str, request_id: str) -> Job | None:
        query = select(jobs).where(jobs.c.tenant_id == tenant_id, jobs.c.request_id == request_id)
        return self._one(query)

    def _one(self, query: Any) -> Job | None:
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return Job.from_row(row) if row is not None else None

    def list_jobs(
        self, tenant_id: str, *, status: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[Job]:
        query = select(jobs).where(jobs.c.tenant_id == tenant_id)
        if status is not None:
            query = query.where(jobs.c.status == status)
        query = query.order_by(jobs.c.created_at, jobs.c.job_id).limit(limit).offset(offset)
        with self.engine.connect() as connection:
            return [Job.from_row(r) for r in connection.execute(query).mappings()]

    def with_status(self, statuses: Iterable[str]) -> list[Job]:
        query = select(jobs).where(jobs.c.status.in_(list(statuses))).order_by(jobs.c.created_at)
        with self.engine.connect() as connection:
            return [Job.from_row(r) for r in connection.execute(query).mappings()]

    def running_counts(self) -> dict[str, int]:
        query = (
            select(jobs.c.tenant_id, func.count())
            .where(jobs.c.status == "in_progress")
            .group_by(jobs.c.tenant_id)
        )
        with self.engine.connect() as connection:
            return {tenant: int(count) for tenant, count in connection.execute(query)}

    def live_count(self, tenant_id: str) -> int:
        query = select(func.count()).where(jobs.c.tenant_id == tenant_id, jobs.c.status.in_(LIVE))
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def transition(
        self,
        job: Job,
        status: str,
        *,
        expect: Iterable[str] | None = None,
        result: Mapping[str, Any] | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> Job | None:
        """Move the job to ``status`` (only from ``expect``, when given) and log the event."""
        now = self.clock()
        values: dict[str, Any] = {"status": status, "updated_at": now}
        if result is not None:
            values["result"] = dumps(dict(result))
        with self._lock, write_transaction(self.engine) as connection:
            query = update(jobs).where(jobs.c.job_id == job.job_id)
            if expect is not None:
                query = query.where(jobs.c.status.in_(list(expect)))
            if connection.execute(query.values(**values)).rowcount != 1:
                return None
            connection.execute(
                insert(events).values(
                    job_id=job.job_id,
                    tenant_id=job.tenant_id,
                    at=now,
                    kind="status",
                    data=dumps({"status": status, **(detail or {})}),
                )
            )
        return self.get(job.tenant_id, job.job_id)

    # -- events ---------------------------------------------------------------

    def add_event(self, job: Job, kind: str, data: Mapping[str, Any]) -> None:
        with self._lock, write_transaction(self.engine) as connection:
            connection.execute(
                insert(events).values(
                    job_id=job.job_id,
                    tenant_id=job.tenant_id,
                    at=self.clock(),
                    kind=kind,
                    data=dumps(dict(data)),
                )
            )

    def events(
        self, job: Job, *, after: int = 0, kinds: Iterable[str] | None = None
    ) -> list[Event]:
        query = select(events).where(events.c.job_id == job.job_id, events.c.id > after)
        if kinds is not None:
            query = query.where(events.c.kind.in_(list(kinds)))
        with self.engine.connect() as connection:
            return [
                Event(
                    id=r["id"],
                    job_id=r["job_id"],
                    at=_utc(r["at"]),
                    kind=r["kind"],
                    data=json.loads(r["data"]),
                )
                for r in connection.execute(query.order_by(events.c.id)).mappings()
            ]

    # -- webhook deliveries -----------------------------------------------------

    def record_delivery(
        self,
        job: Job,
        *,
        delivery_id: str,
        url: str,
        event: str,
        attempt: int,
        status_code: int | None,
        error: str | None,
    ) -> None:
        with self._lock, write_transaction(self.engine) as connection:
            connection.execute(
                insert(webhook_deliveries).values(
                    delivery_id=delivery_id,
                    job_id=job.job_id,
                    tenant_id=job.tenant_id,
                    url=url,
                    event=event,
                    attempt=attempt,
                    status_code=status_code,
                    error=error,
                    at=self.clock(),
                )
            )

    def deliveries(self, job: Job) -> list[Delivery]:
        query = (
            select(webhook_deliveries)
            .where(webhook_deliveries.c.job_id == job.job_id)
            .order_by(webhook_deliveries.c.id)
        )
        with self.engine.connect() as connection:
            return [
                Delivery(
                    delivery_id=r["delivery_id"],
                    url=r["url"],
                    event=r["event"],
                    attempt=r["attempt"],
                    status_code=r["status_code"],
                    error=r["error"],
                    at=_utc(r["at"]),
                )
                for r in connection.execute(query).mappings()
            ]
