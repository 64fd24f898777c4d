"""Seeded randomness: the project seed mixed with what is being made.

Every random choice in Sparkle Motion (a writer's word, a scenery's hills, a
music pad's chords, a room tone's hiss) comes from here, never from time,
process ids or dict order. The same seed and parts always give the same
numbers, on every machine and Python version: the parts are joined as text,
hashed with SHA-256, and the first eight bytes seed the generator.
"""

from __future__ import annotations

import hashlib
import random

__all__ = ["rng", "seed_int", "unit"]

_SEPARATOR = "\x1f"  # the ASCII unit separator: no part's text can fake a boundary


def seed_int(seed: int, *parts: object) -> int:
    """A 64-bit number for ``seed`` and ``parts`` (to seed numpy or another generator)."""
    material = _SEPARATOR.join(str(part) for part in (int(seed), *parts)).encode("utf-8")
    return int.from_bytes(hashlib.sha256(material).digest()[:8], "big")


def rng(seed: int, *parts: object) -> random.Random:
    """A generator for ``seed`` and ``parts``: the same parts, the same choices."""
    return random.Random(seed_int(seed, *parts))  # noqa: S311 - looks and stories, not secrets


def unit(seed: int, *parts: object) -> float:
    """One reproducible number in [0, 1) for ``seed`` and ``parts``."""
    return seed_int(seed, *parts) / 2.0**64
