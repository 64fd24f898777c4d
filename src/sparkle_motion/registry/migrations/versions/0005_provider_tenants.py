"""Provider jobs know their tenant and the provider's job id.

The tenant, so a daily spend cap adds up a tenant's jobs across its projects;
the provider's job id, so a webhook (which names only that id) finds its job;
an index on provider and phase, so the jobs in flight at one provider (its
concurrency limit, held across processes) are counted without a scan; and
room in ``shot_id`` for a segment (two shot ids joined by "+"). SQLite does
not hold a VARCHAR to its length, so only PostgreSQL's columns are widened.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table in ("provider_jobs", "provider_events"):
            op.alter_column(table, "shot_id", type_=sa.String(256), existing_type=sa.String(128))
    op.add_column(
        "provider_jobs",
        sa.Column("tenant_id", sa.String(64), nullable=False, server_default="local"),
    )
    op.add_column("provider_jobs", sa.Column("job_id", sa.String(200), nullable=True))
    op.create_index("ix_provider_jobs_job_id", "provider_jobs", ["provider_id", "job_id"])
    op.create_index("ix_provider_jobs_phase", "provider_jobs", ["provider_id", "phase"])
    op.create_index("ix_provider_jobs_tenant", "provider_jobs", ["tenant_id", "updated_at"])


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table in ("provider_jobs", "provider_events"):
            op.alter_column(table, "shot_id", type_=sa.String(128), existing_type=sa.String(256))
    op.drop_index("ix_provider_jobs_tenant", table_name="provider_jobs")
    op.drop_index("ix_provider_jobs_phase", table_name="provider_jobs")
    op.drop_index("ix_provider_jobs_job_id", table_name="provider_jobs")
    op.drop_column("provider_jobs", "job_id")
    op.drop_column("provider_jobs", "tenant_id")
