"""The provider job ledger: every clip asked of a provider, what became of it, what it cost.

A job is known by (scope, request_id, provider_id, shot_id). It is *planned*
with its estimate before anything is sent; its :class:`JobRef` is recorded
the moment the provider accepts it, before anyone waits, so a process killed
while waiting finds the job again and never submits (or pays for) it twice.
Every change and every webhook is an event with its time. The spend ledger
counts what each job costs: the provider's own figure when it reports one,
the estimate otherwise, a cancelled or failed job what it had cost by then.

The ledger is also where limits that must hold across processes are kept:
a job is *submitting* while one process holds a provider's slot for it, so
every process sharing the database counts the same jobs in flight
(:meth:`Ledger.claim`), and a webhook finds its job by the provider's job id
(:meth:`Ledger.hear`), whichever process receives it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Engine, RowMapping, case, func, insert, select, text, update

from sparkle_motion.errors import ContentRejected, ProviderFatal
from sparkle_motion.providers.contract import JobRef, WebhookEvent
from sparkle_motion.registry.engine import write_transaction
from sparkle_motion.registry.provider_tables import provider_events, provider_jobs
from sparkle_motion.schemas import ProviderLimits

__all__ = [
    "FINAL_PHASES",
    "IN_FLIGHT",
    "UNSETTLED",
    "JobKey",
    "Ledger",
    "LedgerEvent",
    "LedgerJob",
    "Phase",
]

Phase = Literal[
    "planned",  # estimated, nothing sent
    "submitting",  # a process holds the provider's slot for it and is sending it
    "submitted",  # accepted: its JobRef is recorded
    "in_progress",
    "completed",  # the provider says it is done; the clip is not fetched yet
    "delivered",  # fetched and conformed: its clip is in the cache
    "failed",  # classed error; the shot keeps its preview clip
    "rejected",  # content rejected; for the content-safety gate
    "cancelled",
    "pending",  # past the wait: a webhook may still finish it
]
FINAL_PHASES = ("delivered", "failed", "rejected", "cancelled")
IN_FLIGHT = ("submitting", "submitted", "in_progress")
UNSETTLED = (*IN_FLIGHT, "completed", "pending")  # sent, and neither delivered nor ended
# A slot held this long without the job being sent belonged to a process that died.
_STALE_SLOT = timedelta(minutes=10)

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class JobKey:
    scope: str
    request_id: str
    provider_id: str
    shot_id: str

    def where(self) -> Any:
        table = provider_jobs.c
        return (
            (table.scope == self.scope)
            & (table.request_id == self.request_id)
            & (table.provider_id == self.provider_id)
            & (table.shot_id == self.shot_id)
        )


@dataclass(frozen=True)
class LedgerJob:
    key: JobKey
    tenant_id: str
    phase: Phase
    ref: JobRef | None
    estimate_usd: float
    reported_usd: float | None
    charged_usd: float
    attempts: int
    error_code: str | None
    error: str | None
    output_sha256: str | None

    @property
    def final(self) -> bool:
        return self.phase in FINAL_PHASES


@dataclass(frozen=True)
class LedgerEvent:
    at: datetime
    event: str
    detail: dict[str, Any]


def _job(row: RowMapping) -> LedgerJob:
    key = JobKey(row["scope"], row["request_id"], row["provider_id"], row["shot_id"])
    ref = JobRef.model_validate_json(row["job_ref"]) if row["job_ref"] else None
    return LedgerJob(
        key=key,
        tenant_id=row["tenant_id"],
        phase=row["phase"],
        ref=ref,
        estimate_usd=row["estimate_usd"],
        reported_usd=row["reported_usd"],
        charged_usd=row["charged_usd"],
        attempts=row["attempts"],
        error_code=row["error_code"],
        error=row["error"],
        output_sha256=row["output_sha256"],
    )


class Ledger:
    """The ledger in the registry's database (SQLite or PostgreSQL); writes go one at a time."""

    def __init__(self, engine: Engine, clock: Clock = _utc_now) -> None:
        self.engine = engine
        self.clock = clock
        self._lock = threading.Lock()

    # -- reading --------------------------------------------------------------------------

    def get(self, key: JobKey) -> LedgerJob | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(provider_jobs).where(key.where())).mappings().first()
        return None if row is None else _job(row)

    def jobs(self, scope: str, request_id: str) -> list[LedgerJob]:
        query = (
            select(provider_jobs)
            .where((provider_jobs.c.scope == scope) & (provider_jobs.c.request_id == request_id))
            .order_by(provider_jobs.c.shot_id)
        )
        with self.engine.connect() as connection:
            return [_job(row) for row in connection.execute(query).mappings()]

    def find(self, provider_id: str, job_id: str) -> LedgerJob | None:
        """The job a provider knows as ``job_id`` (what its webhooks name)."""
        with self.engine.connect() as connection:
            row = connection.execute(_by_job_id(provider_id, job_id)).mappings().first()
        return None if row is None else _job(row)

    def events(self, key: JobKey) -> list[LedgerEvent]:
        table = provider_events.c
        query = (
            select(provider_events)
            .where(
                (table.scope == key.scope)
                & (table.request_id == key.request_id)
                & (table.provider_id == key.provider_id)
                & (table.shot_id == key.shot_id)
            )
            .order_by(table.id)
        )
        with self.engine.connect() as connection:
            return [
                LedgerEvent(row["at"], row["event"], json.loads(row["detail"]))
                for row in connection.execute(query).mappings()
            ]

    def spent(
        self,
        scope: str | None = None,
        *,
        since: datetime | None = None,
        request_id: str | None = None,
        tenant_id: str | None = None,
        committed: bool = False,
    ) -> float:
        """What the jobs of a scope (or a tenant, or a request) have cost; those touched since
        ``since``, when given. ``committed`` counts jobs still running at their estimate,
        as what they will most likely cost."""
        condition = provider_jobs.c.charged_usd >= 0
        if scope is not None:
            condition &= provider_jobs.c.scope == scope
        if tenant_id is not None:
            condition &= provider_jobs.c.tenant_id == tenant_id
        if since is not None:
            condition &= provider_jobs.c.updated_at >= since
        if request_id is not None:
            condition &= provider_jobs.c.request_id == request_id
        running = provider_jobs.c.phase.in_(UNSETTLED)
        cost = (
            case((running, provider_jobs.c.estimate_usd), else_=provider_jobs.c.charged_usd)
            if committed
            else provider_jobs.c.charged_usd
        )
        query = select(func.coalesce(func.sum(cost), 0.0)).where(condition)
        with self.engine.connect() as connection:
            return float(connection.execute(query).scalar_one())

    # -- writing --------------------------------------------------------------------------

    def _event(self, connection: Any, key: JobKey, event: str, detail: Mapping[str, Any]) -> None:
        connection.execute(
            insert(provider_events).values(
                scope=key.scope,
                request_id=key.request_id,
                provider_id=key.provider_id,
                shot_id=key.shot_id,
                at=self.clock(),
                event=event,
                detail=json.dumps(dict(detail), sort_keys=True, default=str),
            )
        )

    def plan(self, key: JobKey, estimate_usd: float, *, tenant_id: str = "local") -> LedgerJob:
        """The job, planned with its estimate if it is new; as it stands if it is not."""
        with self._lock, write_transaction(self.engine) as connection:
            row = connection.execute(select(provider_jobs).where(key.where())).mappings().first()
            if row is not None:
                return _job(row)
            now = self.clock()
            connection.execute(
                insert(provider_jobs).values(
                    scope=key.scope,
                    request_id=key.request_id,
                    provider_id=key.provider_id,
                    shot_id=key.shot_id,
                    tenant_id=tenant_id,
                    phase="planned",
                    estimate_usd=estimate_usd,
                    charged_usd=0.0,
                    attempts=0,
                    created_at=now,
                    updated_at=now,
                )
            )
            self._event(connection, key, "planned", {"estimate_usd": estimate_usd})
        return self._read(key)

    def update(
        self, key: JobKey, event: str, *, detail: Mapping[str, Any] | None = None, **fields: Any
    ) -> LedgerJob:
        """Record ``event`` and change the job's ``fields`` (phase, job_ref, costs, error...)."""
        values = dict(fields)
        if isinstance(values.get("job_ref"), JobRef):
            values["job_id"] = values["job_ref"].job_id
            values["job_ref"] = values["job_ref"].model_dump_json()
        with self._lock, write_transaction(self.engine) as connection:
            connection.execute(
                update(provider_jobs).where(key.where()).values(updated_at=self.clock(), **values)
            )
            self._event(connection, key, event, {**(detail or {}), **_shown(fields)})
        return self._read(key)

    def claim(self, key: JobKey, limits: ProviderLimits) -> bool:
        """Take one of the provider's slots for the planned job (it becomes *submitting*), if
        its limits allow one now; False when they do not.

        Checked and taken in one write transaction (SQLite's write lock, and a
        per-provider advisory lock on PostgreSQL), so two processes never take
        the last slot both.
        """
        with self._lock, write_transaction(self.engine) as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                    {"key": f"provider slot {key.provider_id}"},
                )
            now = self.clock()
            table = provider_jobs.c
            mine = (table.provider_id == key.provider_id) & ~key.where()
            if limits.max_concurrent is not None:
                live = (table.phase.in_(["submitted", "in_progress"])) | (
                    (table.phase == "submitting") & (table.updated_at >= now - _STALE_SLOT)
                )
                query = select(func.count()).select_from(provider_jobs).where(mine & live)
                if connection.execute(query).scalar_one() >= limits.max_concurrent:
                    return False
            if limits.max_per_minute is not None:
                events = provider_events.c
                sent = (
                    select(func.count())
                    .select_from(provider_events)
                    .where(
                        (events.provider_id == key.provider_id)
                        & (events.event == "submitting")
                        & ~(
                            (events.scope == key.scope)
                            & (events.request_id == key.request_id)
                            & (events.shot_id == key.shot_id)
                        )
                        & (events.at >= now - timedelta(minutes=1))
                    )
                )
                if connection.execute(sent).scalar_one() >= limits.max_per_minute:
                    return False
            connection.execute(
                update(provider_jobs).where(key.where()).values(phase="submitting", updated_at=now)
            )
            self._event(connection, key, "submitting", {})
        return True

    def hear(self, provider_id: str, event: WebhookEvent) -> LedgerJob | None:
        """Record a verified webhook against its job; the job, or None when none is known.

        A webhook supersedes polling: a finished job becomes *completed* (its
        clip is fetched by whoever waits for it, or by the next upgrade run),
        a failed one *failed* or *rejected*. A repeat of a delivery, or one
        for a job already settled, is kept as an event and changes nothing.
        """
        with self._lock, write_transaction(self.engine) as connection:
            row = connection.execute(_by_job_id(provider_id, event.job_id)).mappings().first()
            if row is None:
                return None
            job = _job(row)
            detail = {"state": event.state.phase, "detail": event.state.detail}
            if job.final or job.phase == "completed":
                self._event(connection, job.key, "webhook_repeat", detail)
                return job
            values: dict[str, Any]
            if event.state.phase == "completed":
                values = {"phase": "completed"}
            elif event.state.rejected:
                values = {
                    "phase": "rejected",
                    "error_code": ContentRejected.code,
                    "error": event.state.detail,
                }
            elif event.state.phase in ("failed", "cancelled"):
                values = {
                    "phase": "failed",
                    "error_code": ProviderFatal.code,
                    "error": event.state.detail,
                }
            else:
                values = {"phase": "in_progress"}
            connection.execute(
                update(provider_jobs)
                .where(job.key.where())
                .values(updated_at=self.clock(), **values)
            )
            self._event(connection, job.key, "webhook", {**detail, **values})
        return self._read(job.key)

    def _read(self, key: JobKey) -> LedgerJob:
        job = self.get(key)
        if job is None:
            raise KeyError(f"no provider job {key}")
        return job


def _by_job_id(provider_id: str, job_id: str) -> Any:
    table = provider_jobs.c
    return select(provider_jobs).where(
        (table.provider_id == provider_id) & (table.job_id == job_id)
    )


def _shown(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The changed fields as an event shows them (a JobRef by its id)."""
    shown = {}
    for name, value in fields.items():
        shown[name] = value.job_id if isinstance(value, JobRef) else value
    return shown
