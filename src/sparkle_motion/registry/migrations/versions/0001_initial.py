"""The first index: artifacts, their ordered parents, and the runs that touched them.

Revision ID: 0001
Revises: none
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "artifacts",
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("schema_version", sa.String(50), nullable=True),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("provenance", sa.Text(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("hash", name="pk_artifacts"),
        sa.CheckConstraint("origin IN ('local', 'external')", name="ck_artifacts_origin"),
    )
    op.create_index("ix_artifacts_kind", "artifacts", ["kind"])

    op.create_table(
        "artifact_parents",
        sa.Column("child", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("parent", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("child", "position", name="pk_artifact_parents"),
        sa.ForeignKeyConstraint(
            ["child"], ["artifacts.hash"], name="fk_artifact_parents_child_artifacts"
        ),
        sa.ForeignKeyConstraint(
            ["parent"], ["artifacts.hash"], name="fk_artifact_parents_parent_artifacts"
        ),
    )
    op.create_index("ix_artifact_parents_parent", "artifact_parents", ["parent"])

    op.create_table(
        "artifact_runs",
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("run_id", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("hash", "run_id", name="pk_artifact_runs"),
        sa.ForeignKeyConstraint(
            ["hash"], ["artifacts.hash"], name="fk_artifact_runs_hash_artifacts"
        ),
    )
    op.create_index("ix_artifact_runs_run_id", "artifact_runs", ["run_id"])


def downgrade() -> None:
    op.drop_table("artifact_runs")
    op.drop_table("artifact_parents")
    op.drop_table("artifacts")
