"""The canon store's tables (snapshots, proposals, audit), as SQLAlchemy Core sees them.

Created by the Alembic migration ``0002_canon``; these definitions must match
it. Every row belongs to a project: the ``project`` column holds its key (its
id; the title for a project made before projects had ids, see
``canon.keys``), so one PostgreSQL database can hold many shows.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Table, Text

from sparkle_motion.registry.tables import metadata

__all__ = ["canon_audit", "canon_episodes", "canon_proposals", "canon_snapshots"]

canon_snapshots = Table(
    "canon_snapshots",
    metadata,
    Column("project", String(200), primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
    Column("document", Text, nullable=False),  # the canon, canonical JSON
    Column("parent_version", Integer, nullable=True),
    Column("diff", Text, nullable=True),  # the CanonDiff from the parent, canonical JSON
    Column("episode_id", String(200), nullable=True),  # the episode whose diff made it
    Column("created_by", String(200), nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_canon_snapshots_hash", "project", "hash"),
)

canon_proposals = Table(
    "canon_proposals",
    metadata,
    Column("project", String(200), primary_key=True),
    Column("subject", String(64), primary_key=True),  # the canon report an approval names
    Column("diff", Text, nullable=False),  # CanonDiff against the head it was proposed on
    Column("result", Text, nullable=False),  # the canon it leads to, canonical JSON
    Column("head_version", Integer, nullable=True),
    Column("episode_id", String(200), nullable=True),
    Column("run_id", String(200), nullable=True),
    Column("status", String(16), nullable=False),  # pending | approved | rejected
    Column("created_at", DateTime(timezone=True), nullable=False),
)

canon_audit = Table(
    "canon_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("project", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(32), nullable=False),
    Column("version", Integer, nullable=True),
    Column("subject", String(64), nullable=True),
    Column("diff_hash", String(64), nullable=True),
    Column("run_id", String(200), nullable=True),
    Column("episode_id", String(200), nullable=True),
    Column("notes", Text, nullable=False),
    Index("ix_canon_audit_project", "project", "id"),
)

canon_episodes = Table(
    "canon_episodes",
    metadata,
    Column("project", String(200), primary_key=True),
    Column("episode_id", String(200), primary_key=True),
    Column("number", Integer, nullable=True),
    Column("recap", Text, nullable=False),  # EpisodeRecap, canonical JSON
    Column("script_text", Text, nullable=False),  # what full-text recall searches
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
