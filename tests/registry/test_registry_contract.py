"""The registry contract: every test here runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import random
import sqlite3
import threading
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sparkle_motion.errors import (
    ArtifactNotFound,
    CorruptArtifact,
    InputError,
    MissingInput,
)
from sparkle_motion.registry import ArtifactRecord, Registry
from sparkle_motion.registry.engine import MIGRATIONS, create_index_engine, index_url

OpenRegistry = Callable[..., Registry]
UNKNOWN = "ab" * 32


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "objects").rglob("*") if p.is_file())


def test_put_then_get_round_trips(registry: Registry) -> None:
    data = b'{"scenes": []}'

    record = registry.put_bytes(
        data,
        kind="script",
        schema_version="1.2.0",
        params={"seed": 7, "writer": {"name": "template", "temperature": 0.5}},
        origin="external",
        provenance={"provider": "example", "licence": "CC0-1.0"},
        run_id="run-1",
    )

    digest = hashlib.sha256(data).hexdigest()
    assert record == ArtifactRecord(
        hash=digest,
        kind="script",
        schema_version="1.2.0",
        parents=(),
        params={"seed": 7, "writer": {"name": "template", "temperature": 0.5}},
        origin="external",
        provenance={"provider": "example", "licence": "CC0-1.0"},
        run_ids=("run-1",),
        size=len(data),
    )
    assert registry.get_bytes(digest) == data
    assert registry.record(digest) == record
    assert registry.has(digest)
    assert registry.blob_path(digest) == registry.root / "objects" / digest[:2] / digest[2:]


def test_same_bytes_again_keep_first_description_and_add_the_run(
    registry: Registry, registry_root: Path
) -> None:
    first = registry.put_bytes(b"frame", kind="media/png", params={"shot": 1}, run_id="run-b")

    again = registry.put_bytes(
        b"frame", kind="render_output", params={"shot": 2}, origin="external", run_id="run-a"
    )
    registry.put_bytes(b"frame", kind="media/png", run_id="run-a")

    assert again.hash == first.hash
    assert (again.kind, again.params, again.origin) == ("media/png", {"shot": 1}, "local")
    assert registry.record(first.hash).run_ids == ("run-a", "run-b")
    assert len(stored_files(registry_root)) == 1


def test_put_file_streams_a_large_file(registry: Registry, tmp_path: Path) -> None:
    source = tmp_path / "clip.mp4"
    data = random.Random(11).randbytes(8 * 1024 * 1024)
    source.write_bytes(data)

    tracemalloc.start()
    try:
        record = registry.put_file(source, kind="media/mp4", run_id="run-1")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < len(data) / 2, "put_file held the whole file in memory"
    assert record.hash == hashlib.sha256(data).hexdigest()
    assert record.size == len(data)
    assert record.schema_version is None
    assert registry.blob_path(record.hash).read_bytes() == data
    assert source.read_bytes() == data


def test_a_scratch_file_is_moved_in_and_a_second_copy_dropped(
    registry: Registry, tmp_path: Path
) -> None:
    data = random.Random(12).randbytes(300_000)
    first, second = tmp_path / "a.wav", tmp_path / "b.wav"
    first.write_bytes(data)
    second.write_bytes(data)
    record = registry.put_file(first, kind="media/wav", move=True)
    assert not first.exists()  # renamed into the store, not copied
    assert registry.blob_path(record.hash).read_bytes() == data
    again = registry.put_file(second, kind="media/wav", move=True)
    assert again.hash == record.hash and not second.exists()
    assert registry.blob_path(record.hash).read_bytes() == data


def test_put_file_of_a_missing_path_is_missing_input(registry: Registry, tmp_path: Path) -> None:
    with pytest.raises(MissingInput, match=r"nothing\.png"):
        registry.put_file(tmp_path / "nothing.png", kind="media/png")


def test_altered_blob_is_corrupt_until_stored_again(registry: Registry) -> None:
    record = registry.put_bytes(b"the real bytes", kind="script")
    path = registry.blob_path(record.hash)
    path.write_bytes(b"the fake bytes")

    with pytest.raises(CorruptArtifact) as caught:
        registry.get_bytes(record.hash)
    assert str(path) in str(caught.value)
    assert "re-run the stage" in str(caught.value)

    registry.put_bytes(b"the real bytes", kind="script")
    assert registry.get_bytes(record.hash) == b"the real bytes"


def test_deleted_blob_is_not_had_and_is_corrupt(registry: Registry) -> None:
    record = registry.put_bytes(b"soon gone", kind="script")
    registry.blob_path(record.hash).unlink()

    assert not registry.has(record.hash)
    with pytest.raises(CorruptArtifact, match="missing"):
        registry.get_bytes(record.hash)
    with pytest.raises(CorruptArtifact, match="missing"):
        registry.blob_path(record.hash)


@pytest.mark.parametrize("name", [UNKNOWN, "not-a-hash", "../../etc/passwd", UNKNOWN.upper()])
def test_unknown_hash_is_not_found(registry: Registry, name: str) -> None:
    assert not registry.has(name)
    for lookup in (registry.get_bytes, registry.record, registry.blob_path, registry.lineage):
        with pytest.raises(ArtifactNotFound):
            lookup(name)


def test_dangling_parent_is_refused(registry: Registry) -> None:
    parent = registry.put_bytes(b"parent", kind="script")

    with pytest.raises(ArtifactNotFound, match=UNKNOWN):
        registry.put_bytes(b"orphan", kind="shotlist", parents=[parent.hash, UNKNOWN])

    assert not registry.has(hashlib.sha256(b"orphan").hexdigest())


@pytest.mark.parametrize(
    ("keywords", "where"),
    [
        ({"kind": ""}, "kind"),
        ({"kind": "script", "origin": "cloud"}, "origin"),
        ({"kind": "script", "schema_version": "v1"}, "schema_version"),
        ({"kind": "script", "params": {"when": object()}}, "params"),
        ({"kind": "script", "provenance": {"x": float("nan")}}, "provenance"),
        ({"kind": "script", "parents": ["abc123"]}, "parents"),
        ({"kind": "script", "run_id": " "}, "run_id"),
    ],
)
def test_bad_keywords_are_refused_before_storing(
    registry: Registry, registry_root: Path, keywords: dict[str, object], where: str
) -> None:
    with pytest.raises(InputError) as caught:
        registry.put_bytes(b"x", **keywords)  # type: ignore[arg-type]
    assert caught.value.where == where
    assert stored_files(registry_root) == []


def test_lineage_is_breadth_first_and_visits_a_diamond_once(registry: Registry) -> None:
    r1 = registry.put_bytes(b"r1", kind="script").hash
    r2 = registry.put_bytes(b"r2", kind="canon").hash
    a = registry.put_bytes(b"a", kind="shotlist", parents=[r1]).hash
    b = registry.put_bytes(b"b", kind="asset_manifest", parents=[r1, r2]).hash
    c = registry.put_bytes(b"c", kind="render_plan", parents=[a, b]).hash
    d = registry.put_bytes(b"d", kind="render_output", parents=[c, r2]).hash

    lineage = registry.lineage(d)

    assert [record.hash for record in lineage] == [d, c, r2, a, b, r1]
    assert lineage[0].parents == (c, r2)
    assert registry.lineage(r1) == [registry.record(r1)]


def test_by_run_lists_what_a_run_produced_or_used(registry: Registry) -> None:
    script = registry.put_bytes(b"script", kind="script", run_id="run-1")
    shots = registry.put_bytes(b"shots", kind="shotlist", parents=[script.hash], run_id="run-1")
    registry.put_bytes(b"script", kind="script", run_id="run-2")
    other = registry.put_bytes(b"other", kind="script", run_id="run-2")

    assert {r.hash for r in registry.by_run("run-1")} == {script.hash, shots.hash}
    assert {r.hash for r in registry.by_run("run-2")} == {script.hash, other.hash}
    assert registry.by_run("run-never") == []


@functools.cache
def _colliding_pair() -> tuple[bytes, bytes]:
    """Two small inputs whose sha256 share their first six hex characters."""
    seen: dict[str, bytes] = {}
    for number in range(1_000_000):
        data = b"%d" % number
        prefix = hashlib.sha256(data).hexdigest()[:6]
        if prefix in seen:
            return seen[prefix], data
        seen[prefix] = data
    raise AssertionError("no six-character collision in a million hashes")


def test_resolve_prefix(registry: Registry) -> None:
    first, second = (registry.put_bytes(data, kind="script").hash for data in _colliding_pair())
    lonely = registry.put_bytes(b"lonely", kind="script").hash
    split = next(i for i, (x, y) in enumerate(zip(first, second, strict=True)) if x != y)

    assert registry.resolve_prefix(lonely[:6]) == lonely
    assert registry.resolve_prefix(lonely[:10].upper()) == lonely
    assert registry.resolve_prefix(lonely) == lonely
    assert registry.resolve_prefix(second[: split + 1]) == second
    with pytest.raises(InputError, match="ambiguous") as caught:
        registry.resolve_prefix(first[:6])
    assert first[:12] in str(caught.value) and second[:12] in str(caught.value)
    with pytest.raises(InputError, match="at least 6"):
        registry.resolve_prefix(lonely[:5])
    with pytest.raises(InputError):
        registry.resolve_prefix("xyz%_12")
    absent = next(
        prefix
        for prefix in ("000000", "ffffff", "123456")
        if not any(h.startswith(prefix) for h in (first, second, lonely))
    )
    with pytest.raises(ArtifactNotFound):
        registry.resolve_prefix(absent)


def test_reopened_registry_sees_everything(open_registry: OpenRegistry) -> None:
    registry = open_registry()
    root = registry.put_bytes(b"root", kind="script", params={"n": 1}, run_id="run-1")
    leaf = registry.put_bytes(b"leaf", kind="shotlist", parents=[root.hash], run_id="run-1")
    registry.close()

    reopened = open_registry()

    assert reopened.record(leaf.hash) == leaf
    assert reopened.get_bytes(root.hash) == b"root"
    assert [r.hash for r in reopened.lineage(leaf.hash)] == [leaf.hash, root.hash]
    assert {r.hash for r in reopened.by_run("run-1")} == {root.hash, leaf.hash}


def test_opening_again_migrates_nothing(
    open_registry: OpenRegistry, registry_root: Path, database_url: str | None
) -> None:
    first = open_registry()
    second = open_registry()
    record = first.put_bytes(b"shared", kind="script")
    assert second.record(record.hash) == record

    engine = create_index_engine(index_url(registry_root, database_url))
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
            assert set(current) == set(ScriptDirectory(str(MIGRATIONS)).get_heads())
    finally:
        engine.dispose()
    if database_url is None:  # WAL is a property of the file, seen by any connection
        with contextlib.closing(sqlite3.connect(registry_root / "registry.sqlite3")) as raw:
            assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_concurrent_puts_of_the_same_bytes_both_succeed(open_registry: OpenRegistry) -> None:
    registries = [open_registry(), open_registry()]
    workers = 8
    start = threading.Barrier(workers)
    results: list[ArtifactRecord] = []
    failures: list[BaseException] = []

    def put(number: int) -> None:
        start.wait()
        try:
            results.append(
                registries[number % 2].put_bytes(
                    b"contested", kind="script", run_id=f"run-{number}"
                )
            )
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=put, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len({record.hash for record in results}) == 1
    final = registries[0].record(results[0].hash)
    assert final.run_ids == tuple(sorted(f"run-{n}" for n in range(workers)))
    assert all(len(registries[0].by_run(f"run-{n}")) == 1 for n in range(workers))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=4096))
def test_any_bytes_round_trip_under_their_sha256(registry: Registry, data: bytes) -> None:
    record = registry.put_bytes(data, kind="media/bin")

    assert record.hash == hashlib.sha256(data).hexdigest()
    assert record.size == len(data)
    assert registry.get_bytes(record.hash) == data
