"""Backend-free pieces of the registry: URL handling, lineage order, exports."""

from __future__ import annotations

from pathlib import Path

import pytest

import sparkle_motion.registry as registry_package
from sparkle_motion.errors import InputError, RegistryError
from sparkle_motion.registry import Registry
from sparkle_motion.registry.engine import index_url
from sparkle_motion.registry.index import breadth_first


def test_default_index_is_sqlite_under_the_root(tmp_path: Path) -> None:
    url = index_url(tmp_path, None)

    assert url.drivername == "sqlite+pysqlite"
    assert url.database == str(tmp_path / "registry.sqlite3")


@pytest.mark.parametrize(
    "given",
    [
        "postgresql://me@db:5432/show",
        "postgres://me@db:5432/show",
        "postgresql+psycopg://me@db:5432/show",
    ],
)
def test_postgresql_urls_use_psycopg(tmp_path: Path, given: str) -> None:
    url = index_url(tmp_path, given)

    assert url.drivername == "postgresql+psycopg"
    assert (url.username, url.host, url.port, url.database) == ("me", "db", 5432, "show")


@pytest.mark.parametrize("given", ["mysql://me@db/show", "not a url"])
def test_other_databases_are_refused(tmp_path: Path, given: str) -> None:
    with pytest.raises(InputError, match="SPARKLE_DATABASE_URL"):
        index_url(tmp_path, given)


def test_breadth_first_orders_by_level_then_position_and_visits_once() -> None:
    edges = [
        ("d", 1, "r2"),
        ("d", 0, "c"),
        ("c", 0, "a"),
        ("c", 1, "b"),
        ("b", 0, "r1"),
        ("b", 1, "r2"),
        ("a", 0, "r1"),
    ]

    assert breadth_first("d", edges) == ["d", "c", "r2", "a", "b", "r1"]
    assert breadth_first("r1", edges) == ["r1"]


def test_public_surface_is_exported() -> None:
    assert sorted(registry_package.__all__) == ["ArtifactRecord", "Registry", "RegistryOutputs"]
    for name in registry_package.__all__:
        assert getattr(registry_package, name).__module__.startswith("sparkle_motion.registry")


def test_an_unreachable_database_is_a_registry_error(tmp_path: Path) -> None:
    url = "postgresql://someone:secret@127.0.0.1:1/show?connect_timeout=2"

    with pytest.raises(RegistryError, match="cannot open the registry index") as caught:
        Registry.open(tmp_path, url)

    assert "secret" not in str(caught.value)


def test_the_newest_migration_is_read_as_alembic_reads_it() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from sparkle_motion.registry.engine import MIGRATIONS, head_revisions

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert head_revisions() == frozenset(ScriptDirectory.from_config(config).get_heads())


def test_a_registry_at_the_newest_revision_opens_without_alembic(tmp_path: Path) -> None:
    import subprocess
    import sys

    Registry.open(tmp_path).close()  # created and migrated
    script = (
        "import sys\nfrom pathlib import Path\nfrom sparkle_motion.registry import Registry\n"
        f"Registry.open(Path({str(tmp_path)!r})).close()\n"
        "print('alembic' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr
