"""Carrying a canon over to a new key: how a project keyed by its title keeps its canon.

A project made before projects had ids kept its canon (snapshots, proposals,
audit trail, episode log) under its title. When it gets an id, all of that is
copied under the id in one transaction, and the trail records it. It is a
copy, not a move: another project of the same title in a shared database was
using those rows too, and gets its own copy when it gets its id. A key that
already has a canon is never written over.
"""

from __future__ import annotations

from sqlalchemy import Connection, Table, exists, func, insert, literal, or_, select

from sparkle_motion.canon.store import CanonStore, locked_for
from sparkle_motion.registry.canon_tables import (
    canon_audit,
    canon_episodes,
    canon_proposals,
    canon_snapshots,
)

__all__ = ["carry_over"]

_TABLES = (canon_snapshots, canon_proposals, canon_audit, canon_episodes)


def _has_rows(connection: Connection, key: str) -> bool:
    found = connection.execute(
        select(
            or_(
                exists().where(canon_snapshots.c.project == key),
                exists().where(canon_audit.c.project == key),
            )
        )
    ).scalar()
    return bool(found)


def _copy(connection: Connection, table: Table, source: str, target: str) -> int:
    """The rows copied (counted first: drivers differ in what an INSERT ... SELECT reports)."""
    mine = table.c.project == source
    count = connection.execute(select(func.count()).select_from(table).where(mine)).scalar()
    names = [c.name for c in table.c if c.name != "id"]  # the audit trail numbers its own rows
    rows = select(
        *(literal(target).label(n) if n == "project" else table.c[n] for n in names)
    ).where(mine)
    if "id" in table.c:
        rows = rows.order_by(table.c.id)
    connection.execute(insert(table).from_select(names, rows))
    return int(count or 0)


def carry_over(store: CanonStore, source: str, *, by: str) -> int:
    """Copy the canon kept under ``source`` to ``store``'s key; the snapshots carried.

    Nothing happens (0) when ``store`` has a canon already or ``source`` has none.
    """
    if source == store.project:
        return 0
    with locked_for(store.engine, source, store.project) as connection:
        if _has_rows(connection, store.project) or not _has_rows(connection, source):
            return 0
        counts = {table.name: _copy(connection, table, source, store.project) for table in _TABLES}
        carried = counts[canon_snapshots.name]
        connection.execute(
            insert(canon_audit).values(
                project=store.project,
                at=store.clock(),
                actor=by,
                action="adopt",
                notes=f"carried over from the key {source!r}: {carried} snapshot(s), "
                f"{counts[canon_audit.name]} audit entries, "
                f"{counts[canon_episodes.name]} episode(s)",
            )
        )
        return carried
