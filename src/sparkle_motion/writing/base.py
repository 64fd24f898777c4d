"""What every writer is: the ``Writer`` protocol, the context it writes in, what it returns.

A writer turns an :class:`~sparkle_motion.schemas.Idea` into the episode's
StoryArc, EpisodePlan and Script. The ``write`` stage picks one from
``project.yaml`` (``writer: template | llm``) and hands it over in the
:class:`WritingContext` the idea reader receives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sparkle_motion.schemas import (
    Canon,
    CardSettings,
    EpisodePlan,
    Idea,
    ModelUsage,
    Script,
    StoryArc,
    TimingSettings,
)

__all__ = ["Writer", "WritingContext", "WrittenEpisode"]


@dataclass(frozen=True)
class WrittenEpisode:
    """A Script, and for an idea also its arc and the episode's plan."""

    script: Script
    story_arc: StoryArc | None = None
    episode_plan: EpisodePlan | None = None


class Writer(Protocol):
    """Idea in, episode out.

    ``episode_ids`` are the ids of every episode the idea declares, in order;
    ``number`` (from 1) says which of them to write.
    """

    name: str

    def write(
        self, idea: Idea, episode_ids: Sequence[str], number: int, context: WritingContext
    ) -> WrittenEpisode: ...

    def usage(self) -> list[ModelUsage]:
        """What writing has cost so far (empty for writers that call no model)."""
        ...


@dataclass(frozen=True)
class WritingContext:
    """Everything outside the source file that writing an episode depends on."""

    episode_id: str
    seed: int
    target_duration: float
    canon: Canon
    timing: TimingSettings
    writer: Writer
    cards: CardSettings | None = None
    """The title and end cards the episode will have: part of its length."""
