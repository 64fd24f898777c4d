"""The voice step: every line spoken in its speaker's voice, from the speech cache."""

from __future__ import annotations

from collections.abc import Collection

from sparkle_motion.audio.speech_cache import SpeechCache
from sparkle_motion.audio.tts import engine_for, release_engines
from sparkle_motion.audio.voices import voice_for
from sparkle_motion.errors import StageError
from sparkle_motion.render.context import RenderContext
from sparkle_motion.schemas import MediaItem, MediaSet

__all__ = ["speak_lines"]


def speak_lines(ctx: RenderContext, shot_ids: Collection[str] | None = None) -> MediaSet:
    """Each line's speech (cached, or spoken now); with ``shot_ids``, only the lines of
    those shots. The blob cache counts the hits and misses.

    A line whose speech differs from the speech its timing was locked with
    stops the render: its captions and shot length were measured on other audio.
    """
    plan = ctx.plan
    speech = SpeechCache(ctx.cache)
    shots = [s for s in ctx.shotlist.shots if shot_ids is None or s.id in shot_ids]
    lines = [line for shot in shots for line in shot.lines]
    ctx.progress.total(len(lines))
    items: list[MediaItem] = []
    try:  # every line is in the cache already unless it was cleared
        for line in lines:
            voice = voice_for(plan.voices[line.speaker_id], line.delivery, line.emotion)
            clip = speech.get_or_make(line.text, voice, engine_for(voice))
            if line.speech_sha256 and clip.sha256 != line.speech_sha256:
                raise StageError(
                    f"the speech for line {line.line_id} differs from the speech its timing "
                    "was locked with",
                    where=f"voice {line.speaker_id}",
                    hint="the voice engine or its settings changed: plan the shot list again",
                )
            items.append(
                MediaItem(
                    key=line.line_id,
                    sha256=clip.sha256,
                    media_type="audio/wav",
                    seconds=clip.seconds,
                )
            )
            ctx.progress.advance()
    finally:
        release_engines()
    return MediaSet.new(stage="voice", items=items)
