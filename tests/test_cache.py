"""The blob cache: keys name blobs, damage is a miss, the least recently used go first."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkle_motion.cache import BlobCache, cache_key


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def key(name: str) -> str:
    return cache_key(test=name)


def test_a_key_names_its_blob_and_equal_bytes_are_stored_once(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path)
    assert cache.get(key("a")) is None and cache.misses == 1
    first = cache.put_bytes(key("a"), b"same bytes")
    second = cache.put_bytes(key("b"), b"same bytes")
    assert first == second and cache.get(key("a")) == first and cache.hits == 1
    assert cache.get_bytes(key("b")) == b"same bytes"
    assert [p.name for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == [first]
    assert cache.path(first).stat().st_mode & 0o777 == 0o444


def test_a_file_moves_in_and_leaves_no_scratch(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path / "cache")
    with cache.incoming(".wav") as scratch:
        scratch.write_bytes(b"RIFF....")
        sha = cache.put_file(key("line"), scratch, move=True)
        assert not scratch.exists()
    assert cache.path(sha).read_bytes() == b"RIFF...."
    assert list((tmp_path / "cache" / "incoming").iterdir()) == []
    copied = tmp_path / "kept.bin"
    copied.write_bytes(b"kept")
    cache.put_file(key("kept"), copied)
    assert copied.read_bytes() == b"kept"


@pytest.mark.parametrize(
    "damage",
    [
        lambda cache, sha, pointer: cache.path(sha).unlink(),
        lambda cache, sha, pointer: cache.path(sha).write_bytes(b"short"),
        lambda cache, sha, pointer: pointer.write_text("not a pointer"),
        lambda cache, sha, pointer: pointer.write_bytes(b"\xff\xfe"),
        lambda cache, sha, pointer: pointer.write_text(f"{sha} twelve"),
    ],
    ids=["blob-gone", "blob-truncated", "pointer-garbage", "pointer-binary", "size-garbage"],
)
def test_damage_is_a_miss_and_storing_again_repairs_it(tmp_path: Path, damage: object) -> None:
    cache = BlobCache(tmp_path)
    sha = cache.put_bytes(key("a"), b"the original bytes")
    pointer = tmp_path / "keys" / key("a")[:2] / key("a")
    cache.path(sha).chmod(0o644)
    damage(cache, sha, pointer)  # type: ignore[operator]
    assert cache.get(key("a")) is None
    assert cache.put_bytes(key("a"), b"the original bytes") == sha
    assert cache.get_bytes(key("a")) == b"the original bytes"


def test_eviction_takes_the_least_recently_used_and_spares_the_recent(tmp_path: Path) -> None:
    clock = Clock()
    writer = BlobCache(tmp_path, clock=clock)
    shas = {}
    for index, name in enumerate("abcd"):
        clock.now += 10_000
        shas[name] = writer.put_bytes(key(name), bytes([index]) * 1000)
    clock.now += 10_000
    writer.get(key("a"))  # a is used again: now the most recent
    clock.now += 10_000
    # Another process, over its size: it used none of these blobs itself.
    other = BlobCache(tmp_path, max_bytes=2500, clock=clock)
    assert other.size() == 4000
    assert other.evict() == 2000
    assert {n for n, s in shas.items() if other.has(s)} == {"a", "d"}
    assert other.get(key("b")) is None  # its blob is gone: a miss, not an error
    assert other.evict() == 0  # fits now


def test_eviction_spares_what_this_process_used_and_what_was_used_lately(
    tmp_path: Path,
) -> None:
    clock = Clock()
    cache = BlobCache(tmp_path, max_bytes=1, clock=clock)
    old = cache.put_bytes(key("old"), b"x" * 100)
    assert cache.evict() == 0  # used by this process
    elsewhere = BlobCache(tmp_path, max_bytes=1, clock=clock)
    clock.now += 60
    assert elsewhere.evict() == 0 and elsewhere.has(old)  # used a minute ago
    clock.now += 7200
    assert elsewhere.evict() == 100 and not elsewhere.has(old)


def test_threads_share_a_cache(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path)
    errors: list[BaseException] = []

    def work(number: int) -> None:
        try:
            for round_ in range(20):
                cache.put_bytes(key(f"{number % 3}-{round_}"), f"{round_}".encode())
                cache.get(key(f"{number % 3}-{round_}"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and cache.hits == 120


def test_keys_and_names_must_be_hashes(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path)
    with pytest.raises(ValueError, match="cache key"):
        cache.get("../../etc/passwd")
    with pytest.raises(ValueError, match="sha256"):
        cache.path("nope")
    assert not cache.has("nope")


@settings(max_examples=50, deadline=None)
@given(parts=st.dictionaries(st.text(min_size=1, max_size=8), st.integers() | st.text()))
def test_a_key_depends_on_the_parts_not_their_order(parts: dict[str, object]) -> None:
    assert cache_key(**parts) == cache_key(**dict(reversed(list(parts.items()))))
    assert len(cache_key(**parts)) == 64
