"""The Video Engine: a RenderPackage in, a RenderOutput and its files out.

Three calls, each usable alone:

- :func:`render_episode` renders the whole package: storyboard frames, speech,
  clips, the scene-by-scene sound, assembly with captions, quality checks, and
  the RenderOutput with its files in an output folder;
- :func:`render_shot` makes one shot's clip (what a worker does per shot);
- :func:`render_scene_sound` makes one scene's sound at episode levels (what a
  worker does per scene; :func:`episode_sound_levels` sets the levels).

Everything the engine needs is in the package (the render plan holds the
profile, the caption style, the QA tolerances, the loudness target and every
resolved asset); a :class:`.MediaSource` gives it the asset files, a
:class:`.BlobCache` remembers what it made, an :class:`.OutputStore` keeps what
it delivers. It reads no project folder. Same package, same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sparkle_motion.cache import BlobCache
from sparkle_motion.errors import GateBlocked, InvalidArtifact, SparkleError
from sparkle_motion.render.context import (
    NULL_LOG,
    NULL_PROGRESS,
    Log,
    Progress,
    RenderContext,
    never,
)
from sparkle_motion.render.finish import Provenance, assemble, check, deliver
from sparkle_motion.render.media import MediaSource, OutputStore
from sparkle_motion.render.package import RenderPackage
from sparkle_motion.render.shots import ShotClip, encode_clips
from sparkle_motion.render.shots import render_shot as _render_shot
from sparkle_motion.render.sound import SceneSound, SoundLevels, scene_sound, sound_levels
from sparkle_motion.render.speech import speak_lines
from sparkle_motion.render.storyboard import draw_frames
from sparkle_motion.schemas import Artifact, MediaSet, QAReport, RenderOutput

__all__ = [
    "GIVABLE_STEPS",
    "STEP_OUTPUTS",
    "EngineObserver",
    "EpisodeRender",
    "episode_sound_levels",
    "render_episode",
    "render_scene_sound",
    "render_shot",
]

# Each step, in order, and the name of what it makes (the names ``given`` and a run folder use).
STEP_OUTPUTS = {
    "frames": "frames",
    "voice": "voice",
    "clips": "clips",
    "assemble": "assembly",
    "qa": "qa_report",
    "finalize": "render_output",
}
GIVABLE_STEPS = ("frames", "voice", "clips", "assemble")  # their media sets may be given


class EngineObserver(Protocol):
    """Hears about each step of an episode render.

    :meth:`begin` may raise (``RunPaused``, ``RunStopped``) to end the render
    before that step; what is made is cached, so rendering again goes on.
    :meth:`success` gets the step's output (a media set, the QA report, the
    RenderOutput), so a caller can keep it and hand it back as ``given``.
    """

    def begin(self, step: str) -> Progress: ...

    def skipped(self, step: str) -> None: ...

    def success(self, step: str, notes: Sequence[str], output: Artifact) -> None: ...

    def failure(self, step: str, error: SparkleError) -> None: ...


class _Quiet:
    def begin(self, step: str) -> Progress:
        return NULL_PROGRESS

    def skipped(self, step: str) -> None:
        pass

    def success(self, step: str, notes: Sequence[str], output: Artifact) -> None:
        pass

    def failure(self, step: str, error: SparkleError) -> None:
        pass


@dataclass(frozen=True)
class EpisodeRender:
    """What :func:`render_episode` made: the RenderOutput, its files, and the media sets."""

    output: RenderOutput
    files: dict[str, Path]
    media: dict[str, MediaSet]
    qa: QAReport
    notes: list[str] = field(default_factory=list)


def _context(
    package: RenderPackage,
    media: MediaSource,
    cache: BlobCache,
    store: OutputStore,
    work_dir: Path,
    log: Log,
    cancelled: Callable[[], bool],
) -> RenderContext:
    return RenderContext(package, media, cache, store, work_dir, log=log, cancelled=cancelled)


def render_episode(
    package: RenderPackage,
    *,
    media: MediaSource,
    cache: BlobCache,
    store: OutputStore,
    work_dir: Path,
    out_dir: Path,
    observer: EngineObserver | None = None,
    log: Log = NULL_LOG,
    cancelled: Callable[[], bool] = never,
    given: Mapping[str, MediaSet] | None = None,
    provenance: Provenance | None = None,
) -> EpisodeRender:
    """Render ``package`` into ``out_dir`` (the video, captions and stems).

    ``given`` holds media sets made before (``frames``, ``voice``, ``clips``,
    ``assembly``: by a run that was paused, or by workers that rendered the
    shots), whose steps are skipped; the caller vouches that their files are
    still in the cache and the store. A failed quality check raises
    :class:`GateBlocked` after the report is made (``qa.allow_failures`` in the
    plan lets named checks through). ``provenance`` is what the RenderOutput
    records from outside the package: the script's lineage, publishability, and
    an upgrade's replaced and kept shots.
    """
    watch = observer or _Quiet()
    ctx = _context(package, media, cache, store, work_dir, log, cancelled)
    made: dict[str, MediaSet] = {}
    notes: list[str] = []
    current = GIVABLE_STEPS[0]

    def media_step(step: str, make: Callable[[RenderContext], MediaSet]) -> MediaSet:
        nonlocal current
        current, name = step, STEP_OUTPUTS[step]
        if given and name in given:
            watch.skipped(step)
            made[name] = given[name]
        else:
            ctx.progress = watch.begin(step)
            before = len(notes)
            made[name] = make(ctx)
            ctx.progress.finish()
            watch.success(step, notes[before:], made[name])
        return made[name]

    def assembled(ctx: RenderContext) -> MediaSet:
        result = assemble(ctx, made["clips"], made["voice"])
        notes.extend(result.notes)
        return result.media

    try:
        media_step("frames", draw_frames)
        media_step("voice", speak_lines)
        media_step("clips", lambda ctx: encode_clips(ctx, made["frames"]))
        media_step("assemble", assembled)
        current = "qa"
        ctx.progress = watch.begin(current)
        checked = check(ctx, made["assembly"])
        if checked.blocked is not None:
            raise GateBlocked(
                checked.blocked,
                where="stage qa",
                hint="the QA report lists every check",
                stage="qa",
            )
        watch.success(current, (), checked.report)
        current = "finalize"
        ctx.progress = watch.begin(current)
        output = deliver(
            ctx,
            made["assembly"],
            checked.report,
            out_dir,
            provenance,
        )
        watch.success(current, (), output)
    except SparkleError as exc:
        exc.stage = exc.stage or current
        watch.failure(current, exc)
        raise
    files = {
        name: out_dir / getattr(output, name).uri
        for name in ("video", "captions_srt", "captions_vtt")
    }
    return EpisodeRender(output, files, made, checked.report, notes)


def render_shot(
    package: RenderPackage,
    shot_id: str,
    *,
    media: MediaSource,
    cache: BlobCache,
    store: OutputStore,
    work_dir: Path,
    log: Log = NULL_LOG,
) -> ShotClip:
    """One shot's clip (in ``cache``): its frame drawn and encoded, each only if not cached."""
    return _render_shot(_context(package, media, cache, store, work_dir, log, never), shot_id)


def episode_sound_levels(
    package: RenderPackage,
    *,
    media: MediaSource,
    cache: BlobCache,
    store: OutputStore,
    work_dir: Path,
) -> SoundLevels:
    """The dialogue level and the loudness gain the episode's scenes are mixed at."""
    ctx = _context(package, media, cache, store, work_dir, NULL_LOG, never)
    voice = speak_lines(ctx)
    return sound_levels(ctx, voice)


def render_scene_sound(
    package: RenderPackage,
    scene_id: str,
    levels: SoundLevels,
    *,
    media: MediaSource,
    cache: BlobCache,
    store: OutputStore,
    work_dir: Path,
) -> SceneSound:
    """One scene's stems and mix at ``levels`` (in ``cache``), made only if not cached."""
    ctx = _context(package, media, cache, store, work_dir, NULL_LOG, never)
    shots = {shot.id for shot in package.shotlist.shots if shot.scene_id == scene_id}
    if not shots:
        raise InvalidArtifact(
            f"no scene {scene_id!r} in episode {package.episode_id}",
            where="scene_id",
            hint=f"one of: {', '.join(package.scene_ids())}",
        )
    voice = speak_lines(ctx, shots)
    return scene_sound(ctx, voice, scene_id, levels)
