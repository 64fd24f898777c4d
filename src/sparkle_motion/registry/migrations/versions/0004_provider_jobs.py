"""The provider job ledger: one row per clip asked of a provider, and its events.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def _when(name: str) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "provider_jobs",
        sa.Column("scope", sa.String(200), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("shot_id", sa.String(128), nullable=False),
        sa.Column("phase", sa.String(20), nullable=False),
        sa.Column("job_ref", sa.Text(), nullable=True),
        sa.Column("estimate_usd", sa.Float(), nullable=False),
        sa.Column("reported_usd", sa.Float(), nullable=True),
        sa.Column("charged_usd", sa.Float(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error_code", sa.String(20), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("output_sha256", sa.String(64), nullable=True),
        _when("created_at"),
        _when("updated_at"),
        sa.PrimaryKeyConstraint(
            "scope", "request_id", "provider_id", "shot_id", name="pk_provider_jobs"
        ),
    )
    op.create_table(
        "provider_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(200), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("shot_id", sa.String(128), nullable=False),
        _when("at"),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_provider_events"),
    )
    op.create_index(
        "ix_provider_events_job",
        "provider_events",
        ["scope", "request_id", "provider_id", "shot_id", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_provider_events_job", table_name="provider_events")
    op.drop_table("provider_events")
    op.drop_table("provider_jobs")
