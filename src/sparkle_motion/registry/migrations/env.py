"""Alembic environment for the registry index.

Migrations run only in-process, on the connection the registry opened and
handed over in ``config.attributes["connection"]`` (see ``engine.migrate``),
so one code path serves SQLite and PostgreSQL and logging is never touched.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from sparkle_motion.registry.tables import metadata

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError(
        "the registry migrations run through sparkle_motion.registry.engine.migrate, "
        "which passes an open connection; the alembic command line is not supported"
    )

context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
