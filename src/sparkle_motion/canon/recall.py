"""Recall of minor details: SQLite FTS5 full-text search (BM25) over past episodes.

A memory aid for writers, never canon: what it finds is what an earlier
episode said, not what is true now. The index lives in memory and is built
from the episode texts the canon store keeps, so it works the same whichever
database holds the registry.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass

from sparkle_motion.schemas import RecallHit, Script

__all__ = ["Passage", "recall", "script_passages"]

_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Passage:
    episode_id: str
    scene_id: str | None  # None for an episode summary
    text: str


def script_passages(script: Script) -> list[Passage]:
    """One passage per scene: heading, action and who says what."""
    passages = []
    for scene in script.scenes:
        parts = [scene.heading or scene.location]
        if scene.synopsis:
            parts.append(scene.synopsis)
        for element in scene.elements:
            if element.type == "dialogue":
                parts.append(f"{script.character_name(element.speaker_id)}: {element.text}")
            else:
                parts.append(element.text)
        passages.append(Passage(script.episode_id, scene.id, " ".join(parts)))
    return passages


def _match(query: str) -> str:
    """Any of the query's words, each quoted so FTS5 operators in it mean nothing."""
    words = _TOKEN.findall(query)
    return " OR ".join('"' + word.replace('"', '""') + '"' for word in words)


def recall(passages: Iterable[Passage], query: str, *, limit: int = 5) -> list[RecallHit]:
    """The passages that best match ``query``, best first (BM25, lower is better in FTS5)."""
    match = _match(query)
    if not match:
        return []
    with closing(sqlite3.connect(":memory:")) as db:
        db.execute(
            "CREATE VIRTUAL TABLE passages USING fts5(text, episode_id UNINDEXED, "
            "scene_id UNINDEXED, tokenize='unicode61')"
        )
        db.executemany(
            "INSERT INTO passages (text, episode_id, scene_id) VALUES (?, ?, ?)",
            [(p.text, p.episode_id, p.scene_id) for p in passages],
        )
        rows = db.execute(
            "SELECT episode_id, scene_id, text, bm25(passages) AS rank FROM passages "
            "WHERE passages MATCH ? ORDER BY rank, episode_id, scene_id LIMIT ?",
            (match, limit),
        ).fetchall()
    return [
        RecallHit(episode_id=episode, scene_id=scene, text=text, score=round(-rank, 6))
        for episode, scene, text, rank in rows
    ]
