"""Measure a rendered file with ffmpeg itself (the wheel ships no ffprobe)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sparkle_motion.errors import MediaError
from sparkle_motion.ffmpeg import run_ffmpeg

__all__ = ["StreamReading", "probe_stream"]


@dataclass(frozen=True)
class StreamReading:
    frames: int
    seconds: float


def probe_stream(path: Path, stream: str) -> StreamReading:
    """Count the packets and the duration of ``stream`` ("v" or "a") by remuxing to null."""
    result = run_ffmpeg(
        [
            "-i",
            str(path),
            "-map",
            f"0:{stream}:0",
            "-c",
            "copy",
            "-f",
            "null",
            "-",
            "-progress",
            "pipe:1",
            "-nostats",
        ],
    )
    values: dict[str, str] = {}
    for line in result.stdout.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip()
    if values.get("progress") != "end":
        raise MediaError(f"could not read the {stream} stream to its end", where=str(path))

    def number(key: str) -> int:
        text = values.get(key, "0")
        return 0 if text == "N/A" else int(text)  # N/A: the stream has no packets

    try:
        return StreamReading(frames=number("frame"), seconds=number("out_time_us") / 1_000_000)
    except ValueError as exc:
        raise MediaError(f"unexpected ffmpeg progress output: {exc}", where=str(path)) from None
