"""Where the index lives: engine creation, the write transaction, and migrations.

SQLite (the default) runs in WAL mode with a busy timeout; SQLAlchemy, not
the sqlite3 driver, emits BEGIN, so a write transaction can take the write
lock up front with ``BEGIN IMMEDIATE`` instead of failing half-way through
when another process holds it. PostgreSQL uses ordinary transactions.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError

from sparkle_motion.errors import InputError

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "create_index_engine",
    "head_revisions",
    "index_url",
    "migrate",
    "write_transaction",
]

BUSY_TIMEOUT_SECONDS = 30.0
MIGRATIONS = Path(__file__).parent / "migrations"
_WRITE = "sparkle_registry_write"
# Any constant works; it only has to keep concurrent migrators of one database apart.
_MIGRATION_LOCK_KEY = 0x5350_4B4C_5245_47


def index_url(root: Path, database_url: str | None) -> URL:
    """The SQLite file under ``root`` by default, else ``database_url`` on a driver we ship."""
    if database_url is None:
        return URL.create("sqlite+pysqlite", database=str(root / "registry.sqlite3"))
    try:
        url = make_url(database_url)
    except ArgumentError as exc:
        raise InputError(
            f"cannot parse the registry database URL: {exc}",
            where="SPARKLE_DATABASE_URL",
            hint="write postgresql+psycopg://user@host:5432/dbname",
        ) from exc
    if url.drivername in ("postgres", "postgresql"):
        return url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() in ("postgresql", "sqlite"):
        return url
    raise InputError(
        f"the registry runs on SQLite or PostgreSQL, not {url.get_backend_name()}",
        where="SPARKLE_DATABASE_URL",
        hint="unset it for the local SQLite index, or give a postgresql:// URL",
    )


def create_index_engine(url: URL) -> Engine:
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})
    event.listen(engine, "connect", _prepare_sqlite)
    event.listen(engine, "begin", _begin_sqlite)
    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the database's write lock from its first statement."""
    with engine.connect() as connection:
        connection.execution_options(**{_WRITE: True})
        with connection.begin():
            yield connection


_REVISION = re.compile(r'^(down_)?revision: str(?: \| None)? = (?:"([^"]+)"|None)', re.MULTILINE)


@functools.cache
def head_revisions() -> frozenset[str]:
    """The newest migration(s), read from the migration files themselves."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for down, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            if value:
                (parents if down else revisions).add(value)
    return frozenset(revisions - parents)


def _at_head(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
            return frozenset(found) == head_revisions()
    except DBAPIError:  # no version table yet: a new database
        return False


def migrate(engine: Engine) -> None:
    """Bring the index schema to the newest revision; a no-op when it is already there.

    A database at the newest revision is only read (no write lock, no Alembic);
    otherwise the upgrade runs under the database's write lock (and, on
    PostgreSQL, an advisory lock), so concurrent openers migrate one at a time.
    """
    if _at_head(engine):
        return
    from alembic import command  # only a database behind needs it (it takes a while to load)
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    with write_transaction(engine) as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
            )
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")  # every branch, should two revisions share a parent


def _prepare_sqlite(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # the driver must not emit BEGIN; _begin_sqlite does
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
    finally:
        cursor.close()


def _begin_sqlite(connection: Connection) -> None:
    writing = connection.get_execution_options().get(_WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")
