"""The template writer: offline, deterministic, seeded by the project. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from sparkle_motion import seeding
from sparkle_motion.schemas import ArcEpisode, Idea, ModelUsage, StoryArc
from sparkle_motion.writing.base import WritingContext, WrittenEpisode
from sparkle_motion.writing.canon_rules import cast_for
from sparkle_motion.writing.template.arc import Arc, plan_arc
from sparkle_motion.writing.template.episode import episode_summary, write_episode

__all__ = ["TemplateWriter", "story_arc"]


def story_arc(idea: Idea, arc: Arc) -> StoryArc:
    threads = [arc.central, *(e.opens for e in arc.episodes if e.opens)]
    return StoryArc.new(
        title=idea.title,
        premise=idea.premise,
        genre=arc.genre.name,
        tone=idea.tone,
        central_question=arc.central,
        threads=threads,
        episodes=[
            ArcEpisode(
                number=e.number,
                episode_id=e.episode_id,
                title=e.title,
                summary=episode_summary(arc, e),
                unresolved_threads=list(e.unresolved),
            )
            for e in arc.episodes
        ],
    )


class TemplateWriter:
    """Same idea, seed and target, same bytes; a new seed tells a different story."""

    name = "template"

    def write(
        self, idea: Idea, episode_ids: Sequence[str], number: int, context: WritingContext
    ) -> WrittenEpisode:
        cast = cast_for(idea, context.canon)
        arc = plan_arc(idea, cast, context.seed, episode_ids)
        story = arc.episodes[number - 1]
        rng = seeding.rng(context.seed, "write", idea.content_hash(), number)
        script, plan = write_episode(
            arc,
            story,
            target=context.target_duration,
            timing=context.timing,
            cards=context.cards,
            rng=rng,
        )
        return WrittenEpisode(script=script, story_arc=story_arc(idea, arc), episode_plan=plan)

    def usage(self) -> list[ModelUsage]:
        return []
