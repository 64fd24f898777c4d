"""The service's tables in the registry database: jobs, their events, webhook
deliveries, and the projects, scenes and assets tenants manage over HTTP.

Created and changed only by the Alembic migration ``0003_service``; these
definitions must match it.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = ["assets", "events", "jobs", "metadata", "projects", "scenes", "webhook_deliveries"]

metadata = MetaData()

jobs = Table(
    "service_jobs",
    metadata,
    Column("job_id", String(64), primary_key=True),  # also the run id of its run
    Column("tenant_id", String(64), nullable=False),
    Column("kind", String(20), nullable=False),  # render_package | run
    Column("request_id", String(200), nullable=True),
    Column("idempotency_key", String(200), nullable=True),
    Column("body_hash", String(64), nullable=True),
    Column("status", String(20), nullable=False),
    Column("project_dir", Text, nullable=False),
    Column("spec", Text, nullable=False),  # canonical JSON: what to run
    Column("result", Text, nullable=True),  # canonical JSON: what the last attempt made
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("tenant_id", "request_id", name="uq_service_jobs_request"),
    UniqueConstraint("tenant_id", "idempotency_key", name="uq_service_jobs_idempotency"),
    Index("ix_service_jobs_status", "status"),
)

events = Table(
    "service_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job_id", String(64), nullable=False),
    Column("tenant_id", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("kind", String(50), nullable=False),
    Column("data", Text, nullable=False),
    Index("ix_service_events_job", "job_id", "id"),
)

webhook_deliveries = Table(
    "service_webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", String(64), nullable=False),
    Column("job_id", String(64), nullable=False),
    Column("tenant_id", String(64), nullable=False),
    Column("url", Text, nullable=False),
    Column("event", String(50), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("error", Text, nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_service_webhook_deliveries_job", "job_id"),
)

projects = Table(
    "service_projects",
    metadata,
    Column("project_id", String(64), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("config", Text, nullable=False),  # project.yaml as canonical JSON
    Column("characters", Text, nullable=False),
    Column("canon", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_service_projects_tenant", "tenant_id"),
)

scenes = Table(
    "service_scenes",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("project_id", String(64), nullable=False),
    Column("episode_id", String(100), nullable=False),
    Column("scene_id", String(100), nullable=False),
    Column("position", Integer, nullable=False),
    Column("target_seconds", Float, nullable=True),
    Column("data", Text, nullable=False),  # the Scene as canonical JSON
    UniqueConstraint("project_id", "episode_id", "scene_id", name="uq_service_scenes_scene"),
)

assets = Table(
    "service_assets",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("project_id", String(64), nullable=False),
    Column("path", String(500), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("license", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("project_id", "path", name="uq_service_assets_path"),
)
