"""Canon store tests run on both registry backends, with the registry tests' fixtures."""

from __future__ import annotations

import pytest

from tests.registry.conftest import (  # noqa: F401  (fixtures, found by name)
    database_url,
    open_registry,
    postgres_server,
    registry_root,
)


@pytest.fixture
def env_database(
    database_url: str | None,  # noqa: F811  (the fixture above, asked for by name)
    monkeypatch: pytest.MonkeyPatch,
) -> str | None:
    """The commands read the database URL from the environment, like the CLI."""
    if database_url is None:
        monkeypatch.delenv("SPARKLE_DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("SPARKLE_DATABASE_URL", database_url)
    return database_url
