"""Quality checks over measured values. Pure: the caller measures.

Each check says its name, whether it passed, the measured value, the limit
and, where it applies, the shot it concerns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sparkle_motion.schemas import QACheck

__all__ = ["CaptionCue", "Measured", "run_checks"]


@dataclass(frozen=True)
class CaptionCue:
    start: float
    end: float
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Measured:
    fps: int
    planned_frames: int
    video_frames: int
    audio_seconds: float
    integrated_lufs: float
    true_peak_dbtp: float
    target_lufs: float
    target_true_peak_dbtp: float
    cues: Sequence[CaptionCue]
    max_chars_per_line: int
    max_lines: int
    placeholders: Sequence[str]
    allow_placeholders: bool
    speech: Sequence[tuple[float, float]] = ()
    loudness_tolerance_lu: float = 1.0
    true_peak_tolerance_db: float = 0.5


def _timing(m: Measured) -> list[QACheck]:
    frame = 1 / m.fps
    video_seconds = m.video_frames / m.fps
    return [
        QACheck(
            name="video_duration",
            passed=m.video_frames == m.planned_frames,
            value=f"{m.video_frames} frames",
            limit=f"{m.planned_frames} frames (locked)",
        ),
        QACheck(
            name="audio_video_length",
            passed=abs(m.audio_seconds - video_seconds) <= frame + 1e-6,
            value=f"audio {m.audio_seconds:.3f} s, video {video_seconds:.3f} s",
            limit=f"within one frame ({frame:.3f} s)",
        ),
    ]


def _loudness(m: Measured) -> list[QACheck]:
    return [
        QACheck(
            name="integrated_loudness",
            passed=abs(m.integrated_lufs - m.target_lufs) <= m.loudness_tolerance_lu,
            value=f"{m.integrated_lufs:.1f} LUFS",
            limit=f"{m.target_lufs:.1f} ± {m.loudness_tolerance_lu} LUFS",
        ),
        QACheck(
            name="true_peak",
            passed=m.true_peak_dbtp <= m.target_true_peak_dbtp + m.true_peak_tolerance_db,
            value=f"{m.true_peak_dbtp:.1f} dBTP",
            limit=f"≤ {m.target_true_peak_dbtp + m.true_peak_tolerance_db:.1f} dBTP",
        ),
    ]


def _captions(m: Measured) -> list[QACheck]:
    checks: list[QACheck] = []
    video_seconds = m.video_frames / m.fps
    previous_end = 0.0
    problems: list[str] = []
    for index, cue in enumerate(m.cues, start=1):
        if cue.start < 0 or cue.end > video_seconds + 1e-3:
            problems.append(f"cue {index} ends at {cue.end:.3f} s, after the video")
        if cue.start < previous_end - 1e-6:
            problems.append(f"cue {index} overlaps the cue before it")
        if m.speech and not any(start < cue.end and cue.start < end for start, end in m.speech):
            problems.append(f"cue {index} ({cue.start:.2f}-{cue.end:.2f} s) overlaps no speech")
        if len(cue.lines) > m.max_lines:
            problems.append(f"cue {index} has {len(cue.lines)} lines")
        long_lines = [
            line for line in cue.lines if len(line) > m.max_chars_per_line and " " in line
        ]
        if long_lines:
            problems.append(f"cue {index} has a line of {len(long_lines[0])} characters")
        previous_end = cue.end
    checks.append(
        QACheck(
            name="captions",
            passed=not problems,
            value="; ".join(problems[:3]) or f"{len(m.cues)} cues",
            limit=f"inside the video, no overlaps, ≤ {m.max_lines} lines of "
            f"≤ {m.max_chars_per_line} characters",
        )
    )
    return checks


def _placeholders(m: Measured) -> list[QACheck]:
    return [
        QACheck(
            name="placeholders",
            passed=m.allow_placeholders or not m.placeholders,
            value=", ".join(m.placeholders) or "none",
            limit="allowed by the profile"
            if m.allow_placeholders
            else "none allowed by the profile",
        )
    ]


def run_checks(measured: Measured) -> list[QACheck]:
    return [
        *_timing(measured),
        *_loudness(measured),
        *_captions(measured),
        *_placeholders(measured),
    ]
