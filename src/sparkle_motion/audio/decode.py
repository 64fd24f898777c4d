"""Any sound file ffmpeg can read, as the mono 16-bit WAV the mix works on."""

from __future__ import annotations

from pathlib import Path

from sparkle_motion.atomic import atomic_path
from sparkle_motion.ffmpeg import BITEXACT_OUTPUT, run_ffmpeg

__all__ = ["decode_to_wav"]


def decode_to_wav(src: Path, dst: Path, sample_rate: int) -> None:
    """``src``'s first audio stream as mono 16-bit PCM at ``sample_rate``, written atomically."""
    with atomic_path(dst) as tmp:
        run_ffmpeg([
            "-threads", "1", "-filter_threads", "1", "-i", str(src),
            "-map", "0:a:0", "-ac", "1", "-ar", str(sample_rate), "-c:a", "pcm_s16le",
            *BITEXACT_OUTPUT, "-f", "wav", str(tmp),
        ])  # fmt: skip
