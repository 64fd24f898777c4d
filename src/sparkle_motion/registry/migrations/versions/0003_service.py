"""The Video Engine service: jobs, events, webhook deliveries, projects, scenes, assets.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def _when(name: str) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "service_jobs",
        sa.Column("job_id", sa.String(64), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("request_id", sa.String(200), nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("body_hash", sa.String(64), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("project_dir", sa.Text(), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        _when("created_at"),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("job_id", name="pk_service_jobs"),
        sa.UniqueConstraint("tenant_id", "request_id", name="uq_service_jobs_request"),
        sa.UniqueConstraint("tenant_id", "idempotency_key", name="uq_service_jobs_idempotency"),
    )
    op.create_index("ix_service_jobs_status", "service_jobs", ["status"])

    op.create_table(
        "service_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("job_id", sa.String(64), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        _when("at"),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_service_events"),
    )
    op.create_index("ix_service_events_job", "service_events", ["job_id", "id"])

    op.create_table(
        "service_webhook_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.String(64), nullable=False),
        sa.Column("job_id", sa.String(64), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("event", sa.String(50), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        _when("at"),
        sa.PrimaryKeyConstraint("id", name="pk_service_webhook_deliveries"),
    )
    op.create_index("ix_service_webhook_deliveries_job", "service_webhook_deliveries", ["job_id"])

    op.create_table(
        "service_projects",
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("characters", sa.Text(), nullable=False),
        sa.Column("canon", sa.Text(), nullable=True),
        _when("created_at"),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("project_id", name="pk_service_projects"),
    )
    op.create_index("ix_service_projects_tenant", "service_projects", ["tenant_id"])

    op.create_table(
        "service_scenes",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("episode_id", sa.String(100), nullable=False),
        sa.Column("scene_id", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("target_seconds", sa.Float(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_service_scenes"),
        sa.UniqueConstraint("project_id", "episode_id", "scene_id", name="uq_service_scenes_scene"),
    )

    op.create_table(
        "service_assets",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("license", sa.Text(), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_service_assets"),
        sa.UniqueConstraint("project_id", "path", name="uq_service_assets_path"),
    )


def downgrade() -> None:
    for table in (
        "service_assets",
        "service_scenes",
        "service_projects",
        "service_webhook_deliveries",
        "service_events",
        "service_jobs",
    ):
        op.drop_table(table)
