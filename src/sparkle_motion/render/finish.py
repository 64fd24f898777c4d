"""The episode's last three steps: assemble (picture, sound, captions), check, deliver."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pysubs2

from sparkle_motion.atomic import copy_atomic
from sparkle_motion.audio.meter import measure_parallel
from sparkle_motion.audio.stretch import Stems
from sparkle_motion.qa.checks import CaptionCue, Measured, run_checks
from sparkle_motion.qa.probe import probe_stream
from sparkle_motion.render.aac import AUDIO_BITRATE, encode_split, quiet_cut
from sparkle_motion.render.assemble import burn_captions, concat_clips, mux_adts, mux_audio
from sparkle_motion.render.captions import (
    CaptionStyle,
    TimedText,
    build_cues,
    write_ass,
    write_srt,
    write_vtt,
)
from sparkle_motion.render.context import RenderContext
from sparkle_motion.render.fonts import fonts_dir, missing_glyphs
from sparkle_motion.render.shots import clip_paths
from sparkle_motion.render.sound import make_soundtrack
from sparkle_motion.schemas import (
    KeptPreview,
    LoudnessReading,
    MediaItem,
    MediaSet,
    OutputFile,
    QAReport,
    RenderOutput,
    ShotList,
)

__all__ = [
    "CAPTION_FONT",
    "OUTPUT_FILES",
    "STEMS",
    "Assembled",
    "Checked",
    "Provenance",
    "assemble",
    "check",
    "deliver",
    "glyph_notes",
    "spoken_lines",
]

CAPTION_FONT = "Noto Sans"  # the family of the bundled font (fontpkg-noto-sans)

# name: (file name pattern, media type), in the order a RenderOutput lists them
OUTPUT_FILES = {
    "video": ("{episode}.mp4", "video/mp4"),
    "captions_srt": ("{episode}.srt", "application/x-subrip"),
    "captions_vtt": ("{episode}.vtt", "text/vtt"),
    "stem_voice": ("{episode}.voice.wav", "audio/wav"),
    "stem_music": ("{episode}.music.wav", "audio/wav"),
    "stem_effects": ("{episode}.effects.wav", "audio/wav"),
}
STEMS = ("voice", "music", "effects")


@dataclass(frozen=True)
class Assembled:
    """The joined episode's files in the output store, and what the sound came to."""

    media: MediaSet
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Provenance:
    """What the RenderOutput records from outside the package.

    ``lineage``: the hashes of what came before it (the script, the safety and
    canon reports); ``publishable``: False when the safety check found something
    and the run went on; ``upgraded`` and ``kept_preview``: which shots an
    upgrade replaced with a provider's clip, and which kept their preview clip.
    """

    lineage: Mapping[str, str] = field(default_factory=dict)
    publishable: bool = True
    upgraded: Sequence[str] = ()
    kept_preview: Sequence[KeptPreview] = ()


@dataclass(frozen=True)
class Checked:
    """The QA report, and why it stops the render (None when it passed)."""

    report: QAReport
    blocked: str | None = None


def spoken_lines(shotlist: ShotList) -> list[TimedText]:
    """Every line with its start and end in seconds from the episode's start."""
    starts = shotlist.shot_starts()
    return [
        TimedText(
            start=starts[shot.id] / shotlist.fps + line.start,
            end=starts[shot.id] / shotlist.fps + line.end,
            text=line.text,
        )
        for shot in shotlist.shots
        for line in shot.lines
    ]


def glyph_notes(text: str) -> list[str]:
    """A note when burned-in captions use characters the bundled font cannot draw."""
    missing = missing_glyphs(text)
    if not missing:
        return []
    shown = " ".join(missing[:8]) + (" …" if len(missing) > 8 else "")
    return [
        f"the caption font (Noto Sans) has no glyphs for {len(missing)} characters ({shown}): "
        "they show as boxes in the burned-in captions; the SRT and WebVTT files keep them"
    ]


def _pauses(spoken: list[TimedText], rate: int) -> list[tuple[int, int]]:
    """Sample ranges where nobody speaks, between and around the lines."""
    edges = sorted((round(t.start * rate), round(t.end * rate)) for t in spoken)
    pauses, heard = [], 0
    for start, end in edges:
        if start > heard:
            pauses.append((heard, start))
        heard = max(heard, end)
    return pauses


def assemble(ctx: RenderContext, clips: MediaSet, voice: MediaSet) -> Assembled:
    """Captions, the mixed sound and the joined picture, stored in the output store."""
    shotlist, plan = ctx.shotlist, ctx.plan
    profile = plan.profile
    work = ctx.scratch("assemble")
    ctx.progress.total(3)
    shots = clip_paths(ctx.cache, shotlist, clips)
    picture: Path | None = None  # the joined picture, when it is needed on its own

    spoken = spoken_lines(shotlist)
    files = {
        name: work / pattern.format(episode=shotlist.episode_id)
        for name, (pattern, _) in OUTPUT_FILES.items()
    }
    captions = plan.captions
    cues = build_cues(
        spoken,
        CaptionStyle(
            max_chars_per_line=captions.max_chars_per_line,
            max_lines=captions.max_lines,
            max_chars_per_second=captions.max_chars_per_second,
            min_duration=captions.min_duration,
            min_gap_frames=captions.min_gap_frames,
            fps=profile.fps,
        ),
    )
    write_srt(cues, files["captions_srt"])
    write_vtt(cues, files["captions_vtt"])
    notes = []
    if profile.burn_captions:
        notes += glyph_notes(" ".join(line for cue in cues for line in cue.lines))
        ass = work / "captions.ass"
        write_ass(cues, ass, width=profile.width, height=profile.height, font=CAPTION_FONT)
        picture = work / "picture.mp4"
        concat_clips(shots, picture)
        captioned = work / "picture-captioned.mp4"
        burn_captions(
            picture, ass, captioned, fonts_dir=fonts_dir(), crf=profile.crf, preset=profile.preset
        )
        picture = captioned
    ctx.progress.advance()

    mix = work / "mix.wav"
    stems = Stems(
        voice=files["stem_voice"], music=files["stem_music"], effects=files["stem_effects"], mix=mix
    )
    report = make_soundtrack(ctx, voice, stems)
    rate = profile.audio_sample_rate
    cut = quiet_cut(round(shotlist.total_frames / profile.fps * rate), _pauses(spoken, rate))
    if cut is None:
        if picture is None:
            picture = work / "picture.mp4"
            concat_clips(shots, picture)
        mux_audio(picture, mix, files["video"])
    else:  # the AAC encoder has one core: two halves at once, joined by packet
        sound = work / "sound.aac"
        encode_split(mix, sound, cut, AUDIO_BITRATE)
        if picture is None:  # clips and sound join in one pass
            concat_clips(shots, files["video"], adts=sound)
        else:
            mux_adts(picture, sound, files["video"])
    ctx.progress.advance()
    items = []
    for name, (_, media_type) in OUTPUT_FILES.items():
        sha = ctx.store.put_file(files[name], kind=f"media/{name}")
        items.append(MediaItem(key=name, sha256=sha, media_type=media_type))
    ctx.progress.advance()
    metrics = {
        "mix_integrated_lufs": report.integrated_lufs,
        "mix_sample_peak_db": report.sample_peak_dbfs,
        "mix_gain_db": report.gain_db,
        "mix_dialogue_rms_db": report.dialogue_rms_db,
        "sound_scenes": float(report.scenes),
        "sound_scenes_mixed": float(report.scenes_mixed),
    }
    for note in notes:
        ctx.log.warning("captions", note=note)
    return Assembled(MediaSet.new(stage="assemble", items=items, metrics=metrics), notes)


def _read_cues(path: Path) -> list[CaptionCue]:
    if not path.read_bytes().strip():  # an episode without dialogue has no cues to parse
        return []
    subs = pysubs2.load(str(path), encoding="utf-8")
    return [
        CaptionCue(
            start=event.start / 1000, end=event.end / 1000, lines=tuple(event.plaintext.split("\n"))
        )
        for event in subs
    ]


def check(ctx: RenderContext, assembly: MediaSet) -> Checked:
    """The quality checks on the assembled episode, measured; overrides from the plan."""
    shotlist, plan = ctx.shotlist, ctx.plan
    profile, policy = plan.profile, plan.qa
    video = ctx.store.path(assembly.item("video").sha256)
    with ThreadPoolExecutor(max_workers=2) as pool:  # ffmpeg reads of one file at once
        seconds = shotlist.total_frames / profile.fps
        measured = pool.submit(measure_parallel, video, seconds, workers=os.cpu_count() or 1)
        picture, sound = (
            pool.submit(probe_stream, video, "v"),
            pool.submit(probe_stream, video, "a"),
        )
        loudness, video_frames = measured.result(), picture.result().frames
        audio_seconds = sound.result().seconds
    captions = plan.captions
    checks = run_checks(
        Measured(
            fps=profile.fps,
            planned_frames=shotlist.total_frames,
            video_frames=video_frames,
            audio_seconds=audio_seconds,
            integrated_lufs=loudness.integrated_lufs,
            true_peak_dbtp=loudness.true_peak_dbtp,
            target_lufs=profile.loudness_lufs,
            target_true_peak_dbtp=profile.true_peak_dbtp,
            loudness_tolerance_lu=policy.loudness_tolerance_lu,
            true_peak_tolerance_db=policy.true_peak_tolerance_db,
            cues=_read_cues(ctx.store.path(assembly.item("captions_srt").sha256)),
            max_chars_per_line=captions.max_chars_per_line,
            max_lines=captions.max_lines,
            placeholders=[a.need_id for a in plan.placeholders()],
            allow_placeholders=profile.allow_placeholders,
            speech=[(line.start, line.end) for line in spoken_lines(shotlist)],
        )
    )
    allowed = set(policy.allow_failures)
    failed = [c for c in checks if not c.passed and c.name not in allowed]
    overridden = sorted(c.name for c in checks if not c.passed and c.name in allowed)
    report = QAReport.new(
        passed=not failed,
        checks=checks,
        overridden=overridden,
        measurements={
            "integrated_lufs": loudness.integrated_lufs,
            "true_peak_dbtp": loudness.true_peak_dbtp,
            "video_frames": float(video_frames),
            "audio_seconds": audio_seconds,
        },
    )
    if not failed:
        return Checked(report)
    first = failed[0]
    return Checked(
        report,
        f"quality check {first.name} failed: {first.value} (limit {first.limit})"
        + (f" in shot {first.shot_id}" if first.shot_id else "")
        + f"; to publish anyway add {first.name} to qa.allow_failures in project.yaml",
    )


def deliver(
    ctx: RenderContext,
    assembly: MediaSet,
    qa: QAReport,
    out_dir: Path,
    provenance: Provenance | None = None,
) -> RenderOutput:
    """The RenderOutput, with the episode's files copied into ``out_dir``.

    Its lineage is the package's artifacts and ``provenance.lineage``; its
    status is ``degraded`` when a placeholder or a kept preview clip is in it.
    """
    about = provenance or Provenance()
    shotlist, plan = ctx.shotlist, ctx.plan
    files: dict[str, OutputFile] = {}
    for name, (pattern, media_type) in OUTPUT_FILES.items():
        item = assembly.item(name)
        uri = pattern.format(episode=shotlist.episode_id)
        copy_atomic(ctx.store.path(item.sha256), out_dir / uri)
        role = name.removeprefix("stem_") if name.startswith("stem_") else None
        files[name] = OutputFile(uri=uri, sha256=item.sha256, media_type=media_type, role=role)
    placeholders = [a.need_id for a in plan.placeholders()]
    package = ctx.package
    return RenderOutput.new(
        episode_id=shotlist.episode_id,
        profile=plan.profile.name,
        timing_lock_hash=shotlist.timing_lock_hash,
        status="degraded" if placeholders or about.kept_preview else "complete",
        video=files["video"],
        captions_srt=files["captions_srt"],
        captions_vtt=files["captions_vtt"],
        stems=[files[f"stem_{stem}"] for stem in STEMS],
        duration_seconds=shotlist.total_duration,
        frames=shotlist.total_frames,
        loudness=LoudnessReading(
            integrated_lufs=qa.measurements["integrated_lufs"],
            true_peak_dbtp=qa.measurements["true_peak_dbtp"],
            target_lufs=plan.profile.loudness_lufs,
            target_true_peak_dbtp=plan.profile.true_peak_dbtp,
        ),
        placeholders=placeholders,
        publishable=about.publishable,
        qa=qa,
        lineage={
            **about.lineage,
            "shotlist": shotlist.content_hash(),
            "asset_manifest": package.asset_manifest.content_hash(),
            "render_plan": plan.content_hash(),
            "qa_report": qa.content_hash(),
        },
        upgraded=list(about.upgraded),
        kept_preview=list(about.kept_preview),
    )
