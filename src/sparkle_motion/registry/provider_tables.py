"""The provider job ledger's tables, as SQLAlchemy Core sees them.

Created by the Alembic migrations ``0004_provider_jobs`` and
``0005_provider_tenants``; these definitions must match them. A job is one
clip asked of one provider for one shot of one upgrade request, within a
scope (a project's id, or a tenant's project in the service); every change
to it and every webhook is an event beside it.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, Index, Integer, String, Table, Text

from sparkle_motion.registry.tables import metadata

__all__ = ["provider_events", "provider_jobs"]

provider_jobs = Table(
    "provider_jobs",
    metadata,
    Column("scope", String(200), primary_key=True),
    Column("request_id", String(128), primary_key=True),
    Column("provider_id", String(64), primary_key=True),
    Column("shot_id", String(256), primary_key=True),  # a shot, or a segment's shots
    Column("phase", String(20), nullable=False),
    Column("job_ref", Text, nullable=True),  # the provider's JobRef, JSON, once submitted
    Column("estimate_usd", Float, nullable=False),
    Column("reported_usd", Float, nullable=True),  # the provider's own figure, when it gives one
    Column("charged_usd", Float, nullable=False),  # what the spend ledger counts
    Column("attempts", Integer, nullable=False),
    Column("error_code", String(20), nullable=True),
    Column("error", Text, nullable=True),
    Column("output_sha256", String(64), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("tenant_id", String(64), nullable=False, server_default="local"),
    Column("job_id", String(200), nullable=True),  # the provider's id for it, once submitted
    Index("ix_provider_jobs_job_id", "provider_id", "job_id"),
    Index("ix_provider_jobs_phase", "provider_id", "phase"),
    Index("ix_provider_jobs_tenant", "tenant_id", "updated_at"),
)

provider_events = Table(
    "provider_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scope", String(200), nullable=False),
    Column("request_id", String(128), nullable=False),
    Column("provider_id", String(64), nullable=False),
    Column("shot_id", String(256), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("event", String(40), nullable=False),
    Column("detail", Text, nullable=False),  # JSON
    Index("ix_provider_events_job", "scope", "request_id", "provider_id", "shot_id", "id"),
)
