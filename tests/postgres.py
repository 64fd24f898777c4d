"""The real PostgreSQL on loopback, for tests: a server that accepts us, a fresh schema."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from psycopg import sql

_DEFAULT_SERVERS = (
    "postgresql://postgres@127.0.0.1:5432/test",
    "postgresql://root@127.0.0.1:5432/test",
)


def postgres_server() -> str:
    """A libpq URL that accepts us, trying the usual trust-auth users in turn (or
    SPARKLE_TEST_DATABASE_URL); the test fails, naming each refusal, when none does."""
    override = os.environ.get("SPARKLE_TEST_DATABASE_URL")
    candidates = (override,) if override else _DEFAULT_SERVERS
    failures = []
    for url in candidates:
        try:
            with psycopg.connect(url, connect_timeout=5):
                return url
        except psycopg.OperationalError as exc:
            failures.append(f"{url}: {exc}".strip())
    pytest.fail(
        "no PostgreSQL server for the tests ("
        + "; ".join(failures)
        + '); start one, set SPARKLE_TEST_DATABASE_URL, or run with -m "not postgres"'
    )


@contextmanager
def fresh_schema(server: str, prefix: str = "t") -> Iterator[str]:
    """A SQLAlchemy URL confined to a new schema on ``server``, dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        separator = "&" if "?" in server else "?"
        yield server.replace("postgresql://", "postgresql+psycopg://", 1) + (
            f"{separator}options=-csearch_path%3D{schema}"
        )
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
