"""Canon store tests run on both registry backends, with the registry tests' fixtures."""

from __future__ import annotations

from tests.registry.conftest import (  # noqa: F401  (fixtures, found by name)
    database_url,
    open_registry,
    postgres_server,
    registry_root,
)
