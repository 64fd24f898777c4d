"""The canon store: versioned snapshots, proposed diffs, the audit trail, episode recaps.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "canon_snapshots",
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("parent_version", sa.Integer(), nullable=True),
        sa.Column("diff", sa.Text(), nullable=True),
        sa.Column("episode_id", sa.String(200), nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("project", "version", name="pk_canon_snapshots"),
    )
    op.create_index("ix_canon_snapshots_hash", "canon_snapshots", ["project", "hash"])

    op.create_table(
        "canon_proposals",
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("diff", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("head_version", sa.Integer(), nullable=True),
        sa.Column("episode_id", sa.String(200), nullable=True),
        sa.Column("run_id", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("project", "subject", name="pk_canon_proposals"),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')", name="ck_canon_proposals_status"
        ),
    )

    op.create_table(
        "canon_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(64), nullable=True),
        sa.Column("diff_hash", sa.String(64), nullable=True),
        sa.Column("run_id", sa.String(200), nullable=True),
        sa.Column("episode_id", sa.String(200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_canon_audit"),
    )
    op.create_index("ix_canon_audit_project", "canon_audit", ["project", "id"])

    op.create_table(
        "canon_episodes",
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("episode_id", sa.String(200), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("recap", sa.Text(), nullable=False),
        sa.Column("script_text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("project", "episode_id", name="pk_canon_episodes"),
    )


def downgrade() -> None:
    op.drop_table("canon_episodes")
    op.drop_table("canon_audit")
    op.drop_table("canon_proposals")
    op.drop_index("ix_canon_snapshots_hash", table_name="canon_snapshots")
    op.drop_table("canon_snapshots")
