"""Validated model replies, kept by the content hash of the request that asked for them.

The same request (model, messages, schema, seed) gets the same reply back
without asking again: later episodes of an idea see the very arc the first
one was written from, a resumed or repeated run costs nothing, and the
write stage stays reproducible. Only replies that passed validation are
kept; a missing or unreadable entry is a miss, never an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from sparkle_motion.atomic import write_text_atomic

__all__ = ["FileReplyCache", "MemoryReplyCache", "ReplyCache"]


class ReplyCache(Protocol):
    def get(self, key: str) -> str | None: ...

    def put(self, key: str, reply: str) -> None: ...


class MemoryReplyCache:
    def __init__(self) -> None:
        self.entries: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.entries.get(key)

    def put(self, key: str, reply: str) -> None:
        self.entries[key] = reply


class FileReplyCache:
    """``root/ab/abcdef....json``, written whole or not at all."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> str | None:
        try:
            return self._path(key).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def put(self, key: str, reply: str) -> None:
        write_text_atomic(self._path(key), reply)
