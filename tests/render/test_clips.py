"""Encoded shots, measured by decoding them."""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray
from PIL import Image

from sparkle_motion.errors import MediaError
from sparkle_motion.render import clips
from sparkle_motion.render.assemble import concat_clips
from sparkle_motion.render.clips import (
    GOP_SECONDS,
    clip_frames,
    encode_clip,
    fade_gain,
    still_segments,
)
from sparkle_motion.render.frames import Figure, FrameSpec, render_frame
from sparkle_motion.render.motion import camera_rects

from .media import Frame, decode_rgb, probe, sha256

W, H, FPS = 320, 180, 24


@pytest.fixture(scope="module")
def still() -> Image.Image:
    figures = (Figure("Mara", (201, 52, 47)), Figure("Tom", (40, 96, 210)))
    return render_frame(
        FrameSpec(
            W, H, "Harbour", "day", False, "two_shot", figures, beat="They argue", slate="SC 1"
        )
    )


def encode(source: Image.Image | Path, out: Path, **options: object) -> Path:
    settings: dict[str, object] = {"width": W, "height": H, "fps": FPS, "n_frames": 12}
    settings["movement"] = "push_in"
    settings.update(options)
    encode_clip(source, out, **settings)  # type: ignore[arg-type]
    return out


def test_clip_has_exact_frames_size_rate_and_codec(tmp_path: Path, still: Image.Image) -> None:
    info = probe(encode(still, tmp_path / "shot.mp4", n_frames=30))
    assert (info.width, info.height) == (W, H)
    assert (info.codec, info.pix_fmt) == ("h264", "yuv420p")
    assert info.rate == FPS
    assert info.frames == 30
    assert info.duration == Fraction(30, FPS)
    assert info.audio_codec is None


def test_same_inputs_same_bytes(tmp_path: Path, still: Image.Image) -> None:
    one = encode(still, tmp_path / "one.mp4", movement="pan_left", fade_in_frames=3)
    two = encode(still, tmp_path / "two.mp4", movement="pan_left", fade_in_frames=3)
    assert sha256(one) == sha256(two)
    other = encode(still, tmp_path / "other.mp4", movement="pan_right", fade_in_frames=3)
    assert sha256(one) != sha256(other)


def _gray(frame: Frame) -> NDArray[np.float64]:
    gray: NDArray[np.float64] = np.asarray(frame, dtype=np.float64).mean(axis=-1)
    return gray


def _shift(a: Frame, b: Frame) -> tuple[float, float]:
    """How far the picture moved from ``a`` to ``b`` (phase correlation, sub-pixel)."""
    ga, gb = _gray(a), _gray(b)
    window = np.outer(np.hanning(ga.shape[0]), np.hanning(ga.shape[1]))
    fa, fb = np.fft.fft2((ga - ga.mean()) * window), np.fft.fft2((gb - gb.mean()) * window)
    cross = fb * np.conj(fa)
    peak = np.fft.ifft2(cross / (np.abs(cross) + 1e-9)).real
    py, px = np.unravel_index(int(np.argmax(peak)), peak.shape)

    def refine(before: float, at: float, after: float) -> float:
        curve = before - 2 * at + after
        return 0.5 * (before - after) / curve if curve else 0.0

    rows, cols = peak.shape
    dx = px + refine(peak[py, (px - 1) % cols], peak[py, px], peak[py, (px + 1) % cols])
    dy = py + refine(peak[(py - 1) % rows, px], peak[py, px], peak[(py + 1) % rows, px])
    return (dx - cols if dx > cols / 2 else dx), (dy - rows if dy > rows / 2 else dy)


@pytest.mark.parametrize(
    ("movement", "axis"), [("pan_right", 0), ("pan_left", 0), ("tilt_down", 1), ("tilt_up", 1)]
)
def test_measured_camera_motion_follows_the_eased_path(
    tmp_path: Path, still: Image.Image, movement: str, axis: int
) -> None:
    frames = decode_rgb(encode(still, tmp_path / "pan.mp4", movement=movement, n_frames=48))
    measured = [-_shift(a, b)[axis] for a, b in itertools.pairwise(frames)]
    rects = camera_rects(movement, 48, still.width, still.height, W, H)
    scale = (W, H)[axis] / rects[0][2 + axis]
    expected = [(b[axis] - a[axis]) * scale for a, b in itertools.pairwise(rects)]
    assert max(abs(m - e) for m, e in zip(measured, expected, strict=True)) < 0.35
    assert sum(measured) == pytest.approx(sum(expected), rel=0.08)
    middle = abs(measured[len(measured) // 2])
    assert abs(measured[0]) < 0.2 * middle and abs(measured[-1]) < 0.2 * middle


def test_push_in_has_no_jumps_between_frames(tmp_path: Path, still: Image.Image) -> None:
    frames = decode_rgb(encode(still, tmp_path / "push.mp4", n_frames=48))
    change = [float(np.abs(_gray(b) - _gray(a)).mean()) for a, b in itertools.pairwise(frames)]
    for i, value in enumerate(change):
        neighbours = sorted(change[max(0, i - 3) : i] + change[i + 1 : i + 4])
        typical = neighbours[len(neighbours) // 2]
        assert value <= 2.0 * typical + 0.3, (i, change)
    assert change[0] < 0.25 * max(change) and change[-1] < 0.25 * max(change)  # eased
    assert all(c < 3 for c in change)  # the whole push is gentle


def test_static_shot_holds_still(tmp_path: Path, still: Image.Image) -> None:
    frames = decode_rgb(encode(still, tmp_path / "static.mp4", movement="static"))
    for frame in frames:  # only coding noise differs from the first frame
        assert float(np.abs(_gray(frame) - _gray(frames[0])).mean()) < 0.3


def test_fades_from_and_to_black(tmp_path: Path, still: Image.Image) -> None:
    clip = encode(still, tmp_path / "fade.mp4", n_frames=20, fade_in_frames=6, fade_out_frames=6)
    levels = [float(_gray(f).mean()) for f in decode_rgb(clip)]
    assert levels[0] < 3 and levels[-1] < 3
    assert min(levels[6:14]) > 60
    assert levels[:7] == sorted(levels[:7])
    assert levels[-7:] == sorted(levels[-7:], reverse=True)


GOP = GOP_SECONDS * FPS


@given(st.integers(1, 8 * GOP), st.integers(0, 3 * GOP), st.integers(0, 3 * GOP))
def test_still_segments_cover_the_shot_on_gop_boundaries(
    n_frames: int, fade_in: int, fade_out: int
) -> None:
    pieces = still_segments(n_frames, GOP, fade_in, fade_out)
    assert [i for piece in pieces for i in piece] == list(range(n_frames))
    assert all(piece.start % GOP == 0 for piece in pieces)
    if len(pieces) > 1:  # only worth it when a plain GOP repeats
        plain = [
            p for p in pieces if all(fade_gain(i, n_frames, fade_in, fade_out) == 1 for i in p)
        ]
        assert sum(len(p) == GOP for p in plain) >= 2


def test_still_segments_split_fades_from_the_repeated_gop() -> None:
    n = 4 * GOP + 10
    assert still_segments(n, GOP, 6, 6) == [
        range(0, GOP),  # holds the fade-in
        range(GOP, 2 * GOP),
        range(2 * GOP, 3 * GOP),
        range(3 * GOP, 4 * GOP),
        range(4 * GOP, n),  # the remainder, with the fade-out
    ]
    assert still_segments(2 * GOP + 10, GOP, 6, 6) == [range(2 * GOP + 10)]  # one plain GOP


def _timestamps(path: Path) -> list[Fraction]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.time_base is not None
        return [Fraction(f.pts or 0) * stream.time_base for f in container.decode(stream)]


def test_still_shot_encodes_its_plain_gop_once(
    tmp_path: Path, still: Image.Image, monkeypatch: pytest.MonkeyPatch
) -> None:
    encodes: list[list[str]] = []
    real = clips.stream_to_ffmpeg

    def counting(args: list[str]) -> object:
        encodes.append(args)
        return real(args)

    monkeypatch.setattr(clips, "stream_to_ffmpeg", counting)
    n, fades = 4 * GOP + 10, {"fade_in_frames": 6, "fade_out_frames": 6}
    one = encode(still, tmp_path / "one.mp4", movement="static", n_frames=n, **fades)
    assert len(encodes) == 3  # fade-in GOP, the plain GOP once, the rest
    two = encode(still, tmp_path / "two.mp4", movement="static", n_frames=n, **fades)
    assert sha256(one) == sha256(two)

    info = probe(one)
    assert (info.frames, info.duration) == (n, Fraction(n, FPS))
    assert _timestamps(one) == [Fraction(i, FPS) for i in range(n)]
    frames = decode_rgb(one)
    levels = [float(_gray(f).mean()) for f in frames]
    assert levels[0] < 3 and levels[-1] < 3
    assert levels[:7] == sorted(levels[:7]) and levels[-7:] == sorted(levels[-7:], reverse=True)
    assert levels[3] == pytest.approx(levels[GOP] / 2, abs=3)  # half way through the fade-in
    assert min(levels[6:-6]) > 60
    plain = [frames[k * GOP : (k + 1) * GOP] for k in (1, 2, 3)]
    assert all(
        np.array_equal(a, b) for gop in plain[1:] for a, b in zip(plain[0], gop, strict=True)
    )
    seam = float(np.abs(_gray(frames[2 * GOP - 1]) - _gray(frames[2 * GOP])).mean())
    assert seam < 0.3  # a repeated GOP follows itself without a jump


def test_gop_shared_clips_join_by_stream_copy(tmp_path: Path, still: Image.Image) -> None:
    # three plain GOPs, encoded once, and a remainder
    shared = encode(still, tmp_path / "still.mp4", movement="static", n_frames=3 * GOP + 5)
    moving = encode(still, tmp_path / "pan.mp4", movement="pan_left", n_frames=30)
    joined = tmp_path / "joined.mp4"
    concat_clips([shared, moving, shared], joined)
    n = 2 * (3 * GOP + 5) + 30
    info = probe(joined)
    assert (info.frames, info.duration) == (n, Fraction(n, FPS))
    assert _timestamps(joined) == [Fraction(i, FPS) for i in range(n)]


@pytest.mark.parametrize("movement", ["pan_left", "tilt_up"])
def test_one_axis_moves_sample_like_a_direct_resize(still: Image.Image, movement: str) -> None:
    big = still.resize((2 * W, 2 * H), Image.Resampling.LANCZOS)
    frames = clip_frames(big, width=W, height=H, n_frames=12, movement=movement)
    for frame, (x, y, w, h) in zip(
        frames, camera_rects(movement, 12, 2 * W, 2 * H, W, H), strict=True
    ):
        direct = big.resize((W, H), Image.Resampling.BILINEAR, box=(x, y, x + w, y + h))
        difference = np.abs(np.asarray(frame, dtype=int) - np.asarray(direct, dtype=int))
        assert difference.max() <= 1  # the passes run in another order: rounding only


def test_single_frame_and_a_path_source(tmp_path: Path, still: Image.Image) -> None:
    source = tmp_path / "still.png"
    still.save(source)
    info = probe(encode(source, tmp_path / "one.mp4", n_frames=1))
    assert (info.frames, info.duration) == (1, Fraction(1, FPS))


def test_huge_source_is_reduced_and_still_sharp(tmp_path: Path) -> None:
    big = Image.new("RGB", (4096, 2304), (20, 20, 20))
    big.paste((250, 250, 250), (2048, 0, 4096, 2304))  # right half white
    frames = decode_rgb(encode(big, tmp_path / "big.mp4", movement="static", n_frames=2))
    row = _gray(frames[0])[H // 2]
    assert row[: W // 2 - 4].max() < 40 and row[W // 2 + 4 :].min() > 220


def test_atomic_output_on_success_and_failure(tmp_path: Path, still: Image.Image) -> None:
    out = tmp_path / "shot.mp4"
    encode(still, out)
    assert [p.name for p in tmp_path.iterdir()] == ["shot.mp4"]
    before = out.read_bytes()
    with pytest.raises(MediaError, match="no-such-preset"):
        encode(still, out, preset="no-such-preset", movement="static")
    assert out.read_bytes() == before  # the old file survives a failed encode
    assert [p.name for p in tmp_path.iterdir()] == ["shot.mp4"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"width": 321}, "even"),
        ({"fps": 0}, "fps"),
        ({"n_frames": 0}, "n_frames"),
        ({"fade_in_frames": -1}, "fade"),
        ({"crf": 60}, "crf"),
    ],
)
def test_bad_parameters_are_media_errors(
    tmp_path: Path, still: Image.Image, options: dict[str, object], message: str
) -> None:
    with pytest.raises(MediaError, match=message):
        encode(still, tmp_path / "bad.mp4", **options)
    assert not any(tmp_path.iterdir())
