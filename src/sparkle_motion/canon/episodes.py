"""Past episodes as writers need them: a recap each, and their text for full-text recall.

Recorded when an episode passes the Canon Gate; kept beside the canon in the
registry database. Never authoritative: the canon says what is true.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, insert, select

from sparkle_motion.canon.recall import Passage, script_passages
from sparkle_motion.canon.time import episode_number
from sparkle_motion.registry.canon_tables import canon_episodes
from sparkle_motion.registry.engine import write_transaction
from sparkle_motion.schemas import EpisodeRecap, Script, canonical_json

__all__ = ["EpisodeLog", "recap_of"]

_SUMMARY_KEYS = ("summary", "synopsis", "logline")
_THREAD_KEYS = ("unresolved threads", "unresolved", "threads")


def _title_value(script: Script, keys: tuple[str, ...]) -> str:
    folded = {key.casefold(): value for key, value in script.title_page.items()}
    return next((folded[k] for k in keys if folded.get(k)), "")


def recap_of(script: Script) -> EpisodeRecap:
    """The title page's summary and threads; else the scenes' synopses, else their openings."""
    summary = _title_value(script, _SUMMARY_KEYS)
    if not summary:
        synopses = [s.synopsis for s in script.scenes if s.synopsis]
        openings = [
            next((e.text for e in s.elements if e.type == "action"), s.heading or s.location)
            for s in script.scenes
        ]
        summary = " ".join(synopses or openings)
    threads = _title_value(script, _THREAD_KEYS)
    return EpisodeRecap(
        episode_id=script.episode_id,
        number=episode_number(script.episode_id),
        title=script.title,
        summary=summary,
        unresolved_threads=[t.strip() for t in threads.replace("\n", ";").split(";") if t.strip()],
    )


def _utc_now() -> datetime:
    return datetime.now(UTC)


class EpisodeLog:
    def __init__(
        self, engine: Engine, project: str, clock: Callable[[], datetime] = _utc_now
    ) -> None:
        self.engine = engine
        self.project = project
        self.clock = clock

    def record(self, script: Script) -> EpisodeRecap:
        recap = recap_of(script)
        text = json.dumps(
            [[p.scene_id, p.text] for p in script_passages(script)], ensure_ascii=False
        )
        with write_transaction(self.engine) as connection:
            connection.execute(
                delete(canon_episodes).where(
                    canon_episodes.c.project == self.project,
                    canon_episodes.c.episode_id == script.episode_id,
                )
            )
            connection.execute(
                insert(canon_episodes).values(
                    project=self.project,
                    episode_id=script.episode_id,
                    number=recap.number,
                    recap=canonical_json(recap.model_dump(mode="json")).decode("utf-8"),
                    script_text=text,
                    updated_at=self.clock(),
                )
            )
        return recap

    def recaps(self) -> list[EpisodeRecap]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(canon_episodes.c.recap)
                .where(canon_episodes.c.project == self.project)
                .order_by(canon_episodes.c.number, canon_episodes.c.episode_id)
            )
            return [EpisodeRecap.model_validate_json(row.recap) for row in rows]

    def passages(self, *, before: str | None = None) -> list[Passage]:
        """Scene passages and summaries of every recorded episode (except ``before``)."""
        with self.engine.connect() as connection:
            rows = list(
                connection.execute(
                    select(
                        canon_episodes.c.episode_id,
                        canon_episodes.c.recap,
                        canon_episodes.c.script_text,
                    )
                    .where(canon_episodes.c.project == self.project)
                    .order_by(canon_episodes.c.number, canon_episodes.c.episode_id)
                )
            )
        passages: list[Passage] = []
        for episode_id, recap, text in rows:
            if episode_id == before:
                continue
            summary = EpisodeRecap.model_validate_json(recap).summary
            if summary:
                passages.append(Passage(episode_id, None, summary))
            passages += [Passage(episode_id, scene, body) for scene, body in json.loads(text)]
        return passages
