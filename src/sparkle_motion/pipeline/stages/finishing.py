"""Finishing stages: assemble (picture, sound, captions), qa, finalize."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import pysubs2
from numpy.typing import NDArray

from sparkle_motion.audio import (
    Placement,
    compress_dialogue,
    duck,
    generate_music_bed,
    measure,
    mix_voice_timeline,
    normalize,
    read_wav,
    write_wav,
)
from sparkle_motion.ffmpeg import run_ffmpeg
from sparkle_motion.pipeline.atomic import copy_atomic
from sparkle_motion.pipeline.context import StageContext, StageResult
from sparkle_motion.pipeline.stages.planning import asset_path
from sparkle_motion.pipeline.stages.rendering import check_lock
from sparkle_motion.qa.checks import CaptionCue, Measured, run_checks
from sparkle_motion.qa.probe import probe_stream
from sparkle_motion.render.assemble import burn_captions, concat_clips, mux_audio
from sparkle_motion.render.captions import (
    CaptionStyle,
    TimedText,
    build_cues,
    write_ass,
    write_srt,
    write_vtt,
)
from sparkle_motion.render.fonts import fonts_dir
from sparkle_motion.schemas import (
    LoudnessReading,
    MediaItem,
    MediaSet,
    OutputFile,
    QAReport,
    RenderOutput,
    RenderPlan,
    SafetyReport,
    ShotList,
)

__all__ = ["assemble_stage", "finalize_stage", "qa_stage"]

MOOD_CROSSFADE_SECONDS = 1.0
_AUDIO_BLOCK = 1 << 20  # samples per block where whole-episode arrays would be needed
_SPEECH_FLOOR = 1e-3  # samples quieter than this are pauses, not speech
_NO_SPEECH_RMS = 0.1  # the dialogue level a bed is set against when nobody speaks
CAPTION_FONT = "Noto Sans"  # the family of the bundled font (fontpkg-noto-sans)

_OUTPUT_FILES = {
    "video": ("{episode}.mp4", "video/mp4"),
    "captions_srt": ("{episode}.srt", "application/x-subrip"),
    "captions_vtt": ("{episode}.vtt", "text/vtt"),
    "stem_voice": ("{episode}.voice.wav", "audio/wav"),
    "stem_music": ("{episode}.music.wav", "audio/wav"),
    "stem_effects": ("{episode}.effects.wav", "audio/wav"),
}
SFX_OFFSET_SECONDS = 0.15
SFX_GAIN_DB = -6.0


def _decode_to_wav(path: Path, work: Path, sample_rate: int) -> Path:
    """Any sound file the library holds, as mono 16-bit WAV at ``sample_rate``."""
    wav = work / f"decoded-{hashlib.sha256(str(path).encode()).hexdigest()[:16]}.wav"
    run_ffmpeg(
        [
            "-i",
            str(path),
            "-map",
            "0:a:0",
            "-ac",
            "1",
            "-ar",
            str(sample_rate),
            "-c:a",
            "pcm_s16le",
            "-fflags",
            "+bitexact",
            "-map_metadata",
            "-1",
            str(wav),
        ]
    )
    return wav


def _decode_music(path: Path, work: Path, sample_rate: int) -> NDArray[np.float32]:
    samples, _ = read_wav(_decode_to_wav(path, work, sample_rate))
    return samples.astype(np.float32)


def _effects_track(
    ctx: StageContext, shotlist: ShotList, plan: RenderPlan, total: float, rate: int
) -> NDArray[np.float32]:
    """Each resolved sound effect at the start of the shot that names it."""
    starts = shotlist.shot_starts()
    placements = []
    for shot in shotlist.shots:
        for effect in shot.sfx:
            path = asset_path(ctx, plan.asset(f"sfx/{effect}"))
            if path is not None:
                placements.append(
                    Placement(
                        path=_decode_to_wav(path, ctx.work_dir, rate),
                        start=starts[shot.id] / shotlist.fps + SFX_OFFSET_SECONDS,
                        gain_db=SFX_GAIN_DB,
                    )
                )
    return mix_voice_timeline(placements, total, rate)


def _fit(samples: NDArray[np.float32], length: int) -> NDArray[np.float32]:
    """Loop a bed to ``length`` samples (or cut it)."""
    if samples.size == 0:
        return np.zeros(length, dtype=np.float32)
    if samples.size == length:
        return samples
    repeats = -(-length // samples.size)
    return np.tile(samples, repeats)[:length]


def _moving_average(values: NDArray[np.float32], width: int) -> NDArray[np.float32]:
    """A centred box filter in linear time, block by block so memory stays flat.

    It turns a mood's on/off mask into crossfades where the mood changes.
    """
    out = np.empty(values.size, dtype=np.float32)
    before, after = width // 2, width - width // 2
    for first in range(0, values.size, _AUDIO_BLOCK):
        last = min(values.size, first + _AUDIO_BLOCK)
        lo, hi = max(0, first - before), min(values.size, last + after)
        padded = np.pad(
            values[lo:hi].astype(np.float64),
            (before - (first - lo), after - (hi - last)),
            mode="edge",
        )
        sums = np.concatenate(([0.0], np.cumsum(padded)))
        out[first:last] = (sums[width : width + last - first] - sums[: last - first]) / width
    return out


def _rms(samples: NDArray[np.float32], floor: float = 0.0) -> float:
    """Root mean square over the samples louder than ``floor``, block by block."""
    total, count = 0.0, 0
    for first in range(0, samples.size, _AUDIO_BLOCK):
        block = samples[first : first + _AUDIO_BLOCK].astype(np.float64)
        if floor > 0.0:
            block = block[np.abs(block) > floor]
        total += float(np.dot(block, block))
        count += block.size
    return math.sqrt(total / count) if count else 0.0


def _music_track(
    ctx: StageContext,
    shotlist: ShotList,
    plan: RenderPlan,
    length: int,
    rate: int,
    speech_rms: float,
) -> NDArray[np.float32]:
    """Each mood's bed under its shots, crossfading where the mood changes.

    The bed sits ``music_level_db`` below the dialogue (by RMS), whatever
    level the library file or the generated pad came at. One mood at a time,
    so memory holds the track, one bed and one mask.
    """
    starts = shotlist.shot_starts()
    spans: dict[str, list[tuple[int, int]]] = {}
    for shot in shotlist.shots:
        begin = round(starts[shot.id] / shotlist.fps * rate)
        end = round((starts[shot.id] + shot.frames) / shotlist.fps * rate)
        spans.setdefault(shot.music_mood, []).append((begin, end))
    ramp = max(1, round(MOOD_CROSSFADE_SECONDS * rate))
    track = np.zeros(length, dtype=np.float32)
    for mood, ranges in sorted(spans.items()):
        path = asset_path(ctx, plan.asset(f"music/{mood}"))
        if path is not None:
            bed = _fit(_decode_music(path, ctx.work_dir, rate), length)
        else:
            bed = _fit(generate_music_bed(mood, length / rate, plan.seed, rate)[:length], length)
        if len(spans) > 1:
            mask = np.zeros(length, dtype=np.float32)
            for begin, end in ranges:
                mask[begin:end] = 1.0
            bed *= _moving_average(mask, ramp)
            del mask
        track += bed
        del bed
    bed_rms = _rms(track)
    if bed_rms > 0.0:
        reference = speech_rms or _NO_SPEECH_RMS
        track *= np.float32(reference * 10 ** (plan.music_level_db / 20) / bed_rms)
    return track


def assemble_stage(ctx: StageContext) -> StageResult:
    shotlist, plan = ctx.input("shotlist", ShotList), ctx.input("render_plan", RenderPlan)
    clips, voice = ctx.input("clips", MediaSet), ctx.input("voice", MediaSet)
    check_lock(shotlist, plan)
    work, rate, fps = ctx.work_dir, plan.profile.audio_sample_rate, shotlist.fps
    ctx.progress.total(4)
    picture = work / "picture.mp4"
    concat_clips([ctx.cache.path(clips.item(s.id).sha256) for s in shotlist.shots], picture)
    ctx.progress.advance()

    total_seconds = shotlist.total_frames / fps
    length = round(total_seconds * rate)
    starts = shotlist.shot_starts()
    placements, spoken = [], []
    for shot in shotlist.shots:
        offset = starts[shot.id] / fps
        for line in shot.lines:
            placements.append(
                Placement(
                    path=ctx.cache.path(voice.item(line.line_id).sha256), start=offset + line.start
                )
            )
            spoken.append(
                TimedText(start=offset + line.start, end=offset + line.end, text=line.text)
            )
    voice_track = compress_dialogue(
        mix_voice_timeline(placements, total_seconds, rate)[:length], rate
    )
    music = _music_track(ctx, shotlist, plan, length, rate, _rms(voice_track, _SPEECH_FLOOR))
    ducked = duck(music, voice_track, rate, depth_db=plan.music_duck_db)
    del music
    effects = _effects_track(ctx, shotlist, plan, total_seconds, rate)[:length]
    files = {
        name: work / pattern.format(episode=shotlist.episode_id)
        for name, (pattern, _) in _OUTPUT_FILES.items()
    }
    write_wav(voice_track, files["stem_voice"], rate)
    write_wav(ducked, files["stem_music"], rate)
    write_wav(effects, files["stem_effects"], rate)
    raw_mix = work / "mix-raw.wav"
    mixed = voice_track.copy()
    mixed += ducked
    mixed += effects
    np.clip(mixed, -1.0, 1.0, out=mixed)
    write_wav(mixed, raw_mix, rate)
    del mixed, ducked, effects
    ctx.progress.advance()

    mix = work / "mix.wav"
    _, after = normalize(
        raw_mix,
        mix,
        target_lufs=plan.profile.loudness_lufs,
        true_peak_dbtp=plan.profile.true_peak_dbtp,
        sample_rate=rate,
    )
    captions = ctx.project.captions
    cues = build_cues(
        spoken,
        CaptionStyle(
            max_chars_per_line=captions.max_chars_per_line,
            max_lines=captions.max_lines,
            max_chars_per_second=captions.max_chars_per_second,
            min_duration=captions.min_duration,
            min_gap_frames=captions.min_gap_frames,
            fps=fps,
        ),
    )
    write_srt(cues, files["captions_srt"])
    write_vtt(cues, files["captions_vtt"])
    if plan.profile.burn_captions:
        ass = work / "captions.ass"
        write_ass(
            cues, ass, width=plan.profile.width, height=plan.profile.height, font=CAPTION_FONT
        )
        captioned = work / "picture-captioned.mp4"
        burn_captions(
            picture,
            ass,
            captioned,
            fonts_dir=fonts_dir(),
            crf=plan.profile.crf,
            preset=plan.profile.preset,
        )
        picture = captioned
    mux_audio(picture, mix, files["video"])
    ctx.progress.advance()
    items = []
    for name, (_, media_type) in _OUTPUT_FILES.items():
        record = ctx.registry.put_file(files[name], kind=f"media/{name}", run_id=ctx.run_id)
        items.append(MediaItem(key=name, sha256=record.hash, media_type=media_type))
    ctx.progress.advance()
    metrics = {
        "mix_integrated_lufs": after.integrated_lufs,
        "mix_true_peak_dbtp": after.true_peak_dbtp,
    }
    return StageResult(
        outputs={"assembly": MediaSet.new(stage="assemble", items=items, metrics=metrics)}
    )


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


def _spoken_spans(shotlist: ShotList) -> list[tuple[float, float]]:
    starts = shotlist.shot_starts()
    return [
        (starts[shot.id] / shotlist.fps + line.start, starts[shot.id] / shotlist.fps + line.end)
        for shot in shotlist.shots
        for line in shot.lines
    ]


def qa_stage(ctx: StageContext) -> StageResult:
    shotlist, plan = ctx.input("shotlist", ShotList), ctx.input("render_plan", RenderPlan)
    assembly = ctx.input("assembly", MediaSet)
    video = ctx.cache.path(assembly.item("video").sha256)
    loudness = measure(video)
    video_frames = probe_stream(video, "v").frames
    audio_seconds = probe_stream(video, "a").seconds
    captions = ctx.project.captions
    checks = run_checks(
        Measured(
            fps=shotlist.fps,
            planned_frames=shotlist.total_frames,
            video_frames=video_frames,
            audio_seconds=audio_seconds,
            integrated_lufs=loudness.integrated_lufs,
            true_peak_dbtp=loudness.true_peak_dbtp,
            target_lufs=plan.profile.loudness_lufs,
            target_true_peak_dbtp=plan.profile.true_peak_dbtp,
            cues=_read_cues(ctx.cache.path(assembly.item("captions_srt").sha256)),
            max_chars_per_line=captions.max_chars_per_line,
            max_lines=captions.max_lines,
            placeholders=[a.need_id for a in plan.placeholders()],
            allow_placeholders=plan.profile.allow_placeholders,
            speech=_spoken_spans(shotlist),
        )
    )
    allowed = set(ctx.project.qa.allow_failures)
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
    blocked = None
    if failed:
        first = failed[0]
        blocked = (
            f"quality check {first.name} failed: {first.value} (limit {first.limit})"
            + (f" in shot {first.shot_id}" if first.shot_id else "")
            + f"; to publish anyway add {first.name} to qa.allow_failures in project.yaml"
        )
    return StageResult(outputs={"qa_report": report}, blocked=blocked)


def finalize_stage(ctx: StageContext) -> StageResult:
    shotlist, plan = ctx.input("shotlist", ShotList), ctx.input("render_plan", RenderPlan)
    assembly, qa = ctx.input("assembly", MediaSet), ctx.input("qa_report", QAReport)
    folder = ctx.run_dir / "output"
    files: dict[str, OutputFile] = {}
    for name, (pattern, media_type) in _OUTPUT_FILES.items():
        item = assembly.item(name)
        uri = pattern.format(episode=shotlist.episode_id)
        copy_atomic(ctx.cache.path(item.sha256), folder / uri)
        files[name] = OutputFile(uri=uri, sha256=item.sha256, media_type=media_type)
    placeholders = [a.need_id for a in plan.placeholders()]
    safety = ctx.inputs.get("safety_report")  # absent in Video Engine runs (no script)
    output = RenderOutput.new(
        episode_id=shotlist.episode_id,
        profile=plan.profile.name,
        timing_lock_hash=shotlist.timing_lock_hash,
        status="degraded" if placeholders else "complete",
        video=files["video"],
        captions_srt=files["captions_srt"],
        captions_vtt=files["captions_vtt"],
        stems=[files["stem_voice"], files["stem_music"], files["stem_effects"]],
        duration_seconds=shotlist.total_duration,
        frames=shotlist.total_frames,
        loudness=LoudnessReading(
            integrated_lufs=qa.measurements["integrated_lufs"],
            true_peak_dbtp=qa.measurements["true_peak_dbtp"],
            target_lufs=plan.profile.loudness_lufs,
            target_true_peak_dbtp=plan.profile.true_peak_dbtp,
        ),
        placeholders=placeholders,
        publishable=not isinstance(safety, SafetyReport) or safety.publishable,
        qa=qa,
        lineage={
            name: ctx.input_hashes[name]
            for name in (
                "script",
                "safety_report",
                "canon_report",
                "shotlist",
                "asset_manifest",
                "render_plan",
                "qa_report",
            )
            if name in ctx.input_hashes
        },
    )
    return StageResult(outputs={"render_output": output})
