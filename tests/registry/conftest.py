"""Fixtures that run every registry test on each index backend.

SQLite lives in the test's tmp_path; PostgreSQL is the real server on
127.0.0.1:5432 (database ``test``, trust auth), each test in a fresh schema
that is dropped afterwards. Set SPARKLE_TEST_DATABASE_URL (a libpq URL) to
point elsewhere, or deselect with ``-m "not postgres"``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from sparkle_motion.registry import Registry

_DEFAULT_SERVERS = (
    "postgresql://postgres@127.0.0.1:5432/test",
    "postgresql://root@127.0.0.1:5432/test",
)

OpenRegistry = Callable[..., Registry]


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """A libpq URL that accepts us, trying the usual trust-auth users in turn."""
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
        "no PostgreSQL server for the registry tests ("
        + "; ".join(failures)
        + '); start one, set SPARKLE_TEST_DATABASE_URL, or run with -m "not postgres"'
    )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None for the default SQLite index, else a URL confined to a fresh schema."""
    if request.param == "sqlite":
        yield None
        return
    server: str = request.getfixturevalue("postgres_server")
    schema = f"t_{uuid.uuid4().hex}"
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


@pytest.fixture
def registry_root(tmp_path: Path) -> Path:
    return tmp_path / "show" / ".sparkle"


@pytest.fixture
def open_registry(registry_root: Path, database_url: str | None) -> Iterator[OpenRegistry]:
    """Opens registries on this test's root and backend; closes them all afterwards."""
    opened: list[Registry] = []

    def open_(**keywords: Any) -> Registry:
        registry = Registry.open(registry_root, database_url, **keywords)
        opened.append(registry)
        return registry

    yield open_
    for registry in opened:
        registry.close()


@pytest.fixture
def registry(open_registry: OpenRegistry) -> Registry:
    return open_registry()
