"""One episode of the template writer: four parts, in scenes, fitted to the target length. Pure.

The parts are written by ``parts``, grouped into scenes by ``scenes``,
trimmed or filled to the target by ``fitting``; ``plan`` says what the
episode establishes. Short targets are written twice, in two scenes and in
one, and the closer fit wins.
"""

from __future__ import annotations

import random

from sparkle_motion.schemas import CardSettings, EpisodePlan, Script, TimingSettings
from sparkle_motion.writing.estimate import card_seconds, estimate_seconds
from sparkle_motion.writing.template.arc import Arc, EpisodeStory
from sparkle_motion.writing.template.fitting import fit_to_target
from sparkle_motion.writing.template.parts import Part, PartWriter
from sparkle_motion.writing.template.plan import episode_plan, episode_summary
from sparkle_motion.writing.template.scenes import build_script, group_parts, scene_options

__all__ = ["episode_summary", "write_episode"]


def write_episode(
    arc: Arc,
    story: EpisodeStory,
    *,
    target: float,
    timing: TimingSettings,
    cards: CardSettings | None = None,
    rng: random.Random,
) -> tuple[Script, EpisodePlan]:
    """The episode's Script, fitted to ``target`` seconds, and its EpisodePlan.

    Short targets are tried in two and in one scene; the closer fit wins.
    """
    start = rng.getstate()
    tries: list[tuple[float, Script, EpisodePlan]] = []
    for scenes in scene_options(target - card_seconds(cards)):
        rng.setstate(start)
        writer = PartWriter(arc, story, rng)
        groups = group_parts(writer, target, scenes)

        def build(writer: PartWriter = writer, groups: list[list[Part]] = groups) -> Script:
            return build_script(writer, groups, story.episode_id, story.title)

        script = fit_to_target(writer, groups, build, target, timing, cards)
        miss = abs(estimate_seconds(script, timing, cards) - target)
        tries.append((miss, script, episode_plan(arc, story, groups)))
    best = tries[0]
    for attempt in tries[1:]:
        if attempt[0] < best[0] * 0.8:  # fewer scenes only when clearly closer
            best = attempt
    return best[1], best[2]
