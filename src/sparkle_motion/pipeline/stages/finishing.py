"""Finishing stages: assemble (picture, sound, captions), qa, finalize."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pysubs2
from numpy.typing import NDArray

from sparkle_motion.audio import (
    Placement,
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
from sparkle_motion.pipeline.stages.planning import library_for
from sparkle_motion.pipeline.stages.rendering import check_lock
from sparkle_motion.qa.checks import CaptionCue, Measured, run_checks
from sparkle_motion.qa.probe import probe_stream
from sparkle_motion.render.assemble import concat_clips, mux_audio
from sparkle_motion.render.captions import CaptionStyle, TimedText, build_cues, write_srt, write_vtt
from sparkle_motion.schemas import (
    LoudnessReading,
    MediaItem,
    MediaSet,
    OutputFile,
    QAReport,
    RenderOutput,
    RenderPlan,
    ShotList,
)

__all__ = ["assemble_stage", "finalize_stage", "qa_stage"]

MOOD_CROSSFADE_SECONDS = 1.0

_OUTPUT_FILES = {
    "video": ("{episode}.mp4", "video/mp4"),
    "captions_srt": ("{episode}.srt", "application/x-subrip"),
    "captions_vtt": ("{episode}.vtt", "text/vtt"),
    "stem_voice": ("{episode}.voice.wav", "audio/wav"),
    "stem_music": ("{episode}.music.wav", "audio/wav"),
}


def _decode_music(path: Path, work: Path, sample_rate: int) -> NDArray[np.float32]:
    wav = work / f"music-{path.stem}.wav"
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
    samples, _ = read_wav(wav)
    return samples.astype(np.float32)


def _fit(samples: NDArray[np.float32], length: int) -> NDArray[np.float32]:
    """Loop a bed to ``length`` samples (or cut it)."""
    if samples.size == 0:
        return np.zeros(length, dtype=np.float32)
    repeats = -(-length // samples.size)
    return np.tile(samples, repeats)[:length]


def _moving_average(values: NDArray[np.float32], width: int) -> NDArray[np.float32]:
    """A centred box filter in linear time: turns mood switches into crossfades."""
    padded = np.pad(values.astype(np.float64), (width // 2, width - width // 2), mode="edge")
    sums = np.cumsum(padded)
    return ((sums[width:] - sums[:-width]) / width)[: values.size].astype(np.float32)


def _music_track(
    ctx: StageContext, shotlist: ShotList, plan: RenderPlan, length: int, rate: int
) -> NDArray[np.float32]:
    """Each mood's bed under its shots, crossfading where the mood changes."""
    starts = shotlist.shot_starts()
    masks: dict[str, NDArray[np.float32]] = {}
    for shot in shotlist.shots:
        mask = masks.setdefault(shot.music_mood, np.zeros(length, dtype=np.float32))
        begin = round(starts[shot.id] / shotlist.fps * rate)
        end = round((starts[shot.id] + shot.frames) / shotlist.fps * rate)
        mask[begin:end] = 1.0
    ramp = max(1, round(MOOD_CROSSFADE_SECONDS * rate))
    library = library_for(ctx)
    track = np.zeros(length, dtype=np.float32)
    for mood, mask in sorted(masks.items()):
        asset = plan.asset(f"music/{mood}")
        if asset is not None and asset.source == "local":
            bed = _fit(_decode_music(library.path(asset.uri), ctx.work_dir, rate), length)
        else:
            bed = generate_music_bed(mood, length / rate, plan.seed, rate)[:length]
            bed = _fit(bed.astype(np.float32), length)
        smooth = _moving_average(mask, ramp) if len(masks) > 1 else mask
        track += bed * smooth
    return track * np.float32(10 ** (plan.music_level_db / 20))


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
    voice_track = mix_voice_timeline(placements, total_seconds, rate)[:length]
    music = _music_track(ctx, shotlist, plan, length, rate)
    ducked = duck(music, voice_track, rate, depth_db=plan.music_duck_db)
    files = {
        name: work / pattern.format(episode=shotlist.episode_id)
        for name, (pattern, _) in _OUTPUT_FILES.items()
    }
    write_wav(voice_track, files["stem_voice"], rate)
    write_wav(ducked, files["stem_music"], rate)
    raw_mix = work / "mix-raw.wav"
    write_wav(np.clip(voice_track + ducked, -1.0, 1.0), raw_mix, rate)
    ctx.progress.advance()

    mix = work / "mix.wav"
    _, after = normalize(
        raw_mix,
        mix,
        target_lufs=plan.profile.loudness_lufs,
        true_peak_dbtp=plan.profile.true_peak_dbtp,
        sample_rate=rate,
    )
    mux_audio(picture, mix, files["video"])
    ctx.progress.advance()

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
    subs = pysubs2.load(str(path), encoding="utf-8")
    return [
        CaptionCue(
            start=event.start / 1000, end=event.end / 1000, lines=tuple(event.plaintext.split("\n"))
        )
        for event in subs
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
        )
    )
    report = QAReport.new(
        passed=all(c.passed for c in checks),
        checks=checks,
        measurements={
            "integrated_lufs": loudness.integrated_lufs,
            "true_peak_dbtp": loudness.true_peak_dbtp,
            "video_frames": float(video_frames),
            "audio_seconds": audio_seconds,
        },
    )
    failed = [c for c in checks if not c.passed]
    blocked = None
    if failed:
        first = failed[0]
        blocked = f"quality check {first.name} failed: {first.value} (limit {first.limit})" + (
            f" in shot {first.shot_id}" if first.shot_id else ""
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
    output = RenderOutput.new(
        episode_id=shotlist.episode_id,
        profile=plan.profile.name,
        timing_lock_hash=shotlist.timing_lock_hash,
        status="degraded" if placeholders else "complete",
        video=files["video"],
        captions_srt=files["captions_srt"],
        captions_vtt=files["captions_vtt"],
        stems=[files["stem_voice"], files["stem_music"]],
        duration_seconds=shotlist.total_duration,
        frames=shotlist.total_frames,
        loudness=LoudnessReading(
            integrated_lufs=qa.measurements["integrated_lufs"],
            true_peak_dbtp=qa.measurements["true_peak_dbtp"],
            target_lufs=plan.profile.loudness_lufs,
            target_true_peak_dbtp=plan.profile.true_peak_dbtp,
        ),
        placeholders=placeholders,
        qa=qa,
        lineage={
            name: ctx.input_hashes[name]
            for name in (
                "script",
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
