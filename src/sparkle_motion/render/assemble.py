"""Join encoded clips and add the soundtrack, without re-encoding the video.

Both steps write their output atomically and bit-exactly, with the ``moov``
atom up front (``+faststart``) so the file starts playing while it downloads.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from sparkle_motion.atomic import atomic_path
from sparkle_motion.errors import MediaError
from sparkle_motion.ffmpeg import BITEXACT_OUTPUT, run_ffmpeg
from sparkle_motion.render.aac import AUDIO_BITRATE, encoder_args

__all__ = [
    "burn_captions",
    "concat_clips",
    "concat_list",
    "mux_adts",
    "mux_audio",
]

_MP4_OUT = ("-movflags", "+faststart", *BITEXACT_OUTPUT, "-f", "mp4")


def _require(path: Path, what: str) -> None:
    if not path.is_file():
        raise MediaError(f"{what} does not exist", where=str(path))


def concat_list(clips: Sequence[Path]) -> str:
    """The concat demuxer's list file naming ``clips`` by absolute path."""
    lines = ["ffconcat version 1.0"]
    for clip in clips:
        quoted = str(clip.resolve()).replace("'", "'\\''")
        lines.append(f"file '{quoted}'")
    return "\n".join(lines) + "\n"


def concat_clips(clips: Sequence[Path], out: Path, *, adts: Path | None = None) -> None:
    """Join ``clips`` end to end into ``out`` by stream copy, with ``adts``'s sound if given.

    The clips must share codec settings, size and frame rate (as clips from
    :func:`.clips.encode_clip` with the same parameters do). An already
    encoded AAC stream (ADTS) is copied in beside them in the same pass.
    """
    if not clips:
        raise MediaError("there are no clips to join", where=str(out))
    for clip in clips:
        _require(clip, "a clip to join")
    sound, maps = [], ["-map", "0"]
    if adts is not None:
        _require(adts, "the encoded soundtrack")
        sound, maps = ["-f", "aac", "-i", str(adts)], ["-map", "0:v:0", "-map", "1:a:0"]
    with tempfile.TemporaryDirectory(prefix="sm-concat-") as folder:
        listing = Path(folder) / "clips.ffconcat"
        listing.write_text(concat_list(clips), encoding="utf-8")
        with atomic_path(out) as tmp:
            run_ffmpeg([
                "-f", "concat", "-safe", "0", "-i", str(listing), *sound, *maps,
                "-c", "copy", *_MP4_OUT, str(tmp),
            ])  # fmt: skip


def mux_audio(
    video: Path, audio_wav: Path, out: Path, *, audio_bitrate: str = AUDIO_BITRATE
) -> None:
    """``video``'s picture (copied) with ``audio_wav`` encoded to AAC-LC, into ``out``.

    The caller guarantees both are the same length; nothing is trimmed.
    """
    _require(video, "the video to add sound to")
    _require(audio_wav, "the soundtrack")
    with atomic_path(out) as tmp:
        run_ffmpeg([
            "-i", str(video), "-i", str(audio_wav),
            "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", *encoder_args(audio_bitrate),
            *_MP4_OUT, str(tmp),
        ])  # fmt: skip


def mux_adts(video: Path, adts: Path, out: Path) -> None:
    """``video``'s picture with an AAC stream (ADTS) already encoded, both copied, into ``out``."""
    _require(video, "the video to add sound to")
    _require(adts, "the encoded soundtrack")
    with atomic_path(out) as tmp:
        run_ffmpeg([
            "-i", str(video), "-f", "aac", "-i", str(adts),
            "-map", "0:v:0", "-map", "1:a:0", "-c", "copy", *_MP4_OUT, str(tmp),
        ])  # fmt: skip


def burn_captions(
    video: Path, ass: Path, out: Path, *, fonts_dir: Path, crf: int = 20, preset: str = "veryfast"
) -> None:
    """``video`` re-encoded with the captions of ``ass`` drawn in by libass.

    Fonts come only from ``fonts_dir`` (the bundled font), never from the
    system, so the picture is the same on every machine. ffmpeg runs in a
    scratch folder holding copies of both under fixed names, so no path ever
    needs filter-graph escaping.
    """
    _require(video, "the video to caption")
    _require(ass, "the captions")
    with tempfile.TemporaryDirectory(prefix="sparkle-burn-") as scratch, atomic_path(out) as tmp:
        work = Path(scratch)
        shutil.copyfile(ass, work / "captions.ass")
        shutil.copytree(fonts_dir, work / "fonts")
        run_ffmpeg([
            "-filter_threads", "1", "-i", str(video.resolve()),
            "-map", "0:v:0", "-vf", "ass=filename=captions.ass:fontsdir=fonts",
            "-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p",
            "-threads", "1", "-x264-params", "threads=1:lookahead-threads=1:sliced-threads=0",
            "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709",
            "-color_range", "tv",
            *_MP4_OUT, str(tmp.resolve()),
        ], cwd=work)  # fmt: skip
