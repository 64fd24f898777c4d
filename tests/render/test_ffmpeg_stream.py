"""Streaming into ffmpeg: failures carry ffmpeg's own words, and nothing deadlocks."""

from __future__ import annotations

import pytest

from sparkle_motion.errors import MediaError
from sparkle_motion.ffmpeg import stream_to_ffmpeg

RAW_16 = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-video_size", "16x16", "-i", "pipe:0"]
FRAME = bytes(16 * 16 * 3)


def test_dying_ffmpeg_becomes_a_media_error_with_its_stderr() -> None:
    args = [*RAW_16, "-c:v", "no_such_codec", "-f", "null", "-"]
    with (
        pytest.raises(MediaError, match="no_such_codec") as caught,
        stream_to_ffmpeg(args) as stdin,
    ):
        for _ in range(20_000):  # far more than the pipe holds
            stdin.write(FRAME)
    assert isinstance(caught.value.__cause__, BrokenPipeError)
    assert "exited with" in str(caught.value)


def test_ffmpeg_that_stops_reading_early_is_an_error() -> None:
    args = [*RAW_16, "-frames:v", "2", "-f", "null", "-"]
    with pytest.raises(MediaError, match="stopped reading"), stream_to_ffmpeg(args) as stdin:
        for _ in range(20_000):
            stdin.write(FRAME)


@pytest.mark.timeout(60)
def test_a_chatty_ffmpeg_does_not_deadlock() -> None:
    # showinfo logs a line per frame: ~200 kB of stderr, more than a pipe buffers
    args = [*RAW_16, "-loglevel", "info", "-vf", "showinfo", "-f", "null", "-"]
    with stream_to_ffmpeg(args) as stdin:
        for _ in range(600):
            stdin.write(FRAME)


def test_an_exception_in_the_block_propagates_unchanged() -> None:
    with pytest.raises(KeyError, match="ours"), stream_to_ffmpeg([*RAW_16, "-f", "null", "-"]) as s:
        s.write(FRAME)
        raise KeyError("ours")
