"""How long a script will run, before any speech exists. Pure.

Writers aim at ``target_duration`` with this estimate. Shots are timed by
the real shot planner; only the speech is guessed, at a steady pace of
words per second plus a little for the breath around each line (measured
against the bundled piper voice: about 3.4 words a second).
"""

from __future__ import annotations

from sparkle_motion.adapt.shots import MeasuredSpeech, plan_shotlist
from sparkle_motion.schemas import CardSettings, DialogueElement, Script, TimingSettings

__all__ = ["SPEECH_WORDS_PER_SECOND", "card_seconds", "estimate_seconds", "speech_seconds"]

SPEECH_WORDS_PER_SECOND = 3.4
_LINE_OVERHEAD_SECONDS = 0.3
_MIN_LINE_SECONDS = 0.5
_ESTIMATE_FPS = 24


def speech_seconds(text: str) -> float:
    """About how long saying ``text`` takes."""
    words = len(text.split())
    return max(_MIN_LINE_SECONDS, _LINE_OVERHEAD_SECONDS + words / SPEECH_WORDS_PER_SECOND)


def card_seconds(cards: CardSettings | None) -> float:
    """How much of the episode the title and end cards take, none of it story."""
    if cards is None:
        return 0.0
    return cards.title_seconds * cards.title + cards.end_seconds * cards.end


def _measure(line: DialogueElement) -> MeasuredSpeech:
    return MeasuredSpeech(seconds=speech_seconds(line.text))


def estimate_seconds(
    script: Script, timing: TimingSettings, cards: CardSettings | None = None
) -> float:
    """The episode's length as the shot planner will time it (title and end cards
    included), speech estimated."""
    shotlist = plan_shotlist(
        script, fps=_ESTIMATE_FPS, timing=timing, measure=_measure, cards=cards
    )
    return shotlist.total_duration
