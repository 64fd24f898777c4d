"""Bad still images become clear MediaErrors, without decoding what they claim to hold."""

from __future__ import annotations

import struct
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sparkle_motion.errors import MediaError
from sparkle_motion.render.clips import encode_clip
from sparkle_motion.render.images import load_image

from .media import decode_rgb


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def declared_png(path: Path, width: int, height: int) -> Path:
    """A PNG header claiming ``width`` x ``height`` with no pixel data behind it."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IEND", b""))
    return path


def encode(source: Image.Image | Path, out: Path) -> None:
    encode_clip(source, out, width=64, height=36, fps=24, n_frames=3, movement="push_in")


@pytest.mark.parametrize(("width", "height"), [(20000, 20000), (17000, 16), (16, 16385)])
def test_absurd_declared_sizes_are_refused_unread(tmp_path: Path, width: int, height: int) -> None:
    huge = declared_png(tmp_path / "huge.png", width, height)
    started = time.perf_counter()
    with pytest.raises(MediaError, match="too large") as caught:
        encode(huge, tmp_path / "out.mp4")
    assert time.perf_counter() - started < 2
    assert "huge.png" in str(caught.value)
    assert not (tmp_path / "out.mp4").exists()


def test_corrupt_and_truncated_files(tmp_path: Path) -> None:
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 20)
    with pytest.raises(MediaError, match=r"junk\.png"):
        load_image(junk)
    whole = tmp_path / "whole.png"
    Image.effect_noise((64, 64), 40).convert("RGB").save(whole)
    cut = tmp_path / "cut.png"
    cut.write_bytes(whole.read_bytes()[:300])
    with pytest.raises(MediaError, match="cannot be decoded"):
        load_image(cut)
    with pytest.raises(MediaError, match="does not exist"):
        load_image(tmp_path / "missing.png")
    notes = tmp_path / "notes.png"
    notes.write_text("this is text, whatever the name says")
    with pytest.raises(MediaError, match="not an image"):
        encode(notes, tmp_path / "out.mp4")


def test_empty_image_object_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="empty"):
        encode(Image.new("RGB", (0, 0)), tmp_path / "out.mp4")


def test_one_pixel_image_scales_to_a_full_frame(tmp_path: Path) -> None:
    dot = tmp_path / "dot.png"
    Image.new("RGB", (1, 1), (200, 40, 40)).save(dot)
    encode(dot, tmp_path / "dot.mp4")
    frames = decode_rgb(tmp_path / "dot.mp4")
    assert len(frames) == 3
    mean = np.asarray(frames[1], dtype=np.float64).reshape(-1, 3).mean(axis=0)
    assert np.allclose(mean, (200, 40, 40), atol=6)


def test_transparency_is_flattened_onto_black(tmp_path: Path) -> None:
    glass = tmp_path / "glass.png"
    rgba = Image.new("RGBA", (8, 8), (255, 255, 255, 0))
    rgba.paste((0, 255, 0, 255), (0, 0, 4, 8))
    rgba.save(glass)
    image = load_image(glass)
    assert image.mode == "RGB"
    assert image.getpixel((0, 0)) == (0, 255, 0)
    assert image.getpixel((7, 7)) == (0, 0, 0)
