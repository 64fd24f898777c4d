"""Fixtures that run every registry test on each index backend.

SQLite lives in the test's tmp_path; PostgreSQL is the real server on
127.0.0.1:5432 (database ``test``, trust auth), each test in a fresh schema
that is dropped afterwards. Set SPARKLE_TEST_DATABASE_URL (a libpq URL) to
point elsewhere, or deselect with ``-m "not postgres"``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.postgres import fresh_schema
from tests.postgres import postgres_server as find_server

from sparkle_motion.registry import Registry

OpenRegistry = Callable[..., Registry]


@pytest.fixture(scope="session")
def postgres_server() -> str:
    return find_server()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None for the default SQLite index, else a URL confined to a fresh schema."""
    if request.param == "sqlite":
        yield None
        return
    with fresh_schema(request.getfixturevalue("postgres_server")) as url:
        yield url


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
