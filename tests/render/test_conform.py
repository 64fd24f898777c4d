"""A provider's clip bends to the shot's locked length, size and rate, or is refused."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from sparkle_motion.errors import ProviderFatal
from sparkle_motion.ffmpeg import run_ffmpeg
from sparkle_motion.render.conform import conform_clip
from tests.render.media import decode_rgb, probe


def clip(path: Path, seconds: float, *, size: str = "320x240", rate: int = 30) -> Path:
    run_ffmpeg(
        [
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size={size}:rate={rate}:duration={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"sine=duration={seconds}",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-c:a",
            "aac",
            "-shortest",
            str(path),
        ]
    )
    return path


SHOT = {"width": 160, "height": 90, "fps": 24, "frames": 48, "crf": 30, "preset": "ultrafast"}


def test_a_longer_clip_is_trimmed_to_the_locked_length(tmp_path: Path) -> None:
    done = conform_clip(clip(tmp_path / "long.mp4", 2.6), tmp_path / "out.mp4", **SHOT)
    assert done.stretch == 1.0 and done.frames == 48
    info = probe(tmp_path / "out.mp4")
    assert (info.width, info.height, info.frames, info.rate) == (160, 90, 48, 24)
    assert info.pix_fmt == "yuv420p" and info.audio_codec is None


def test_a_little_short_clip_is_slowed_to_fit(tmp_path: Path) -> None:
    done = conform_clip(
        clip(tmp_path / "short.mp4", 1.9, size="640x640"), tmp_path / "out.mp4", **SHOT
    )
    assert 1.0 < done.stretch <= 1.1
    info = probe(tmp_path / "out.mp4")
    assert (info.width, info.height, info.frames) == (160, 90, 48)


def test_a_clip_much_too_short_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    with pytest.raises(ProviderFatal, match="more than 10% longer"):
        conform_clip(clip(tmp_path / "short.mp4", 1.0), tmp_path / "out.mp4", **SHOT)
    assert not (tmp_path / "out.mp4").exists()


def test_not_a_video_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"<html>rate limited</html>")
    with pytest.raises(ProviderFatal, match="cannot be read as video"):
        conform_clip(bad, tmp_path / "out.mp4", **SHOT)


def test_conforming_is_deterministic(tmp_path: Path) -> None:
    source = clip(tmp_path / "in.mp4", 2.2)
    conform_clip(source, tmp_path / "a.mp4", **SHOT)
    conform_clip(source, tmp_path / "b.mp4", **SHOT)
    digest = [hashlib.sha256((tmp_path / n).read_bytes()).hexdigest() for n in ("a.mp4", "b.mp4")]
    assert digest[0] == digest[1]


def test_fades_dip_the_clip_to_black_at_its_ends(tmp_path: Path) -> None:
    conform_clip(clip(tmp_path / "in.mp4", 2.2), tmp_path / "out.mp4", **SHOT, fades=(6, 6))
    pictures = decode_rgb(tmp_path / "out.mp4")
    means = [float(p.mean()) for p in pictures]
    assert len(means) == 48 and means[0] < 20 and means[-1] < 20
    assert means[0] < means[3] < means[10] and means[-1] < means[-4] < means[-12]


def test_a_segments_clip_is_fitted_whole_and_cut_at_the_shots_boundaries(tmp_path: Path) -> None:
    source = clip(tmp_path / "segment.mp4", 3.4)
    whole = {**SHOT, "frames": 72}
    conform_clip(source, tmp_path / "whole.mp4", **whole)
    first = {**SHOT, "frames": 24}
    second = {**SHOT, "frames": 48}
    conform_clip(source, tmp_path / "a.mp4", **first, span=(0, 72))
    done = conform_clip(source, tmp_path / "b.mp4", **second, span=(24, 72), fades=(0, 6))
    assert done.frames == 48 and done.seconds == 2.0
    assert probe(tmp_path / "a.mp4").frames == 24 and probe(tmp_path / "b.mp4").frames == 48
    frames = decode_rgb(tmp_path / "whole.mp4")
    part = decode_rgb(tmp_path / "b.mp4")

    # the second shot starts where the first ends in the whole clip (within encoding noise)
    def gap(a: Any, b: Any) -> float:
        return float(abs(a.astype(int) - b.astype(int)).mean())

    assert gap(part[0], frames[24]) < 8 < gap(part[0], frames[0])
    assert part[-1].mean() < 20  # and ends faded to black, as its preview clip does
    with pytest.raises(ValueError, match="outside"):
        conform_clip(source, tmp_path / "c.mp4", **second, span=(48, 72))
