"""The index tables, as SQLAlchemy Core sees them.

The schema itself is created and changed only by the Alembic migrations in
``migrations/versions``; these definitions must match the newest one.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = ["artifact_parents", "artifact_runs", "artifacts", "metadata"]

metadata = MetaData()

artifacts = Table(
    "artifacts",
    metadata,
    Column("hash", String(64), primary_key=True),
    Column("kind", String(100), nullable=False),
    Column("schema_version", String(50), nullable=True),
    Column("params", Text, nullable=False),  # canonical JSON, sorted keys
    Column("origin", String(16), nullable=False),
    Column("provenance", Text, nullable=True),  # canonical JSON
    Column("size", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("origin IN ('local', 'external')", name="ck_artifacts_origin"),
    Index("ix_artifacts_kind", "kind"),
)

artifact_parents = Table(
    "artifact_parents",
    metadata,
    Column("child", String(64), ForeignKey("artifacts.hash"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("parent", String(64), ForeignKey("artifacts.hash"), nullable=False),
    Index("ix_artifact_parents_parent", "parent"),
)

artifact_runs = Table(
    "artifact_runs",
    metadata,
    Column("hash", String(64), ForeignKey("artifacts.hash"), primary_key=True),
    Column("run_id", String(200), primary_key=True),
    Index("ix_artifact_runs_run_id", "run_id"),
)
