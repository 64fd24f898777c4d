"""Bad media is named, not rendered: each case becomes a clear, stable problem."""

from __future__ import annotations

import wave
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from sparkle_motion.pipeline.media_check import inspect_asset


def empty_wav(path: Path) -> None:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(48000)
        handle.writeframes(b"")


@pytest.mark.parametrize(
    ("name", "kind", "make", "problem"),
    [
        (
            "corrupt.png",
            "background",
            lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 40),
            "cannot be decoded",
        ),
        ("pretend.png", "prop", lambda p: p.write_bytes(b"GIF89a but not really"), "not an image"),
        ("notes.png", "character", lambda p: p.write_text("hello"), "not an image"),
        ("zero.wav", "music", lambda p: p.write_bytes(b""), "cannot read it as sound"),
        ("empty.wav", "sfx", empty_wav, "lasts 0.000 s"),
        ("text.ogg", "sfx", lambda p: p.write_text("not a sound"), "cannot read it as sound"),
    ],
)
def test_broken_files_are_named(
    tmp_path: Path, name: str, kind: str, make: Callable[[Path], object], problem: str
) -> None:
    path = tmp_path / name
    make(path)
    found = inspect_asset(path, kind)
    assert found is not None and problem in found
    assert found == inspect_asset(path, kind)  # stable: it ends up in an artifact


def test_an_oversized_image_is_refused_without_decoding(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    Image.new("1", (10000, 10000)).save(path)
    found = inspect_asset(path, "background")
    assert found is not None and "too large" in found


def test_tiny_images_and_real_sounds_are_fine(tmp_path: Path) -> None:
    Image.new("RGB", (1, 1), (200, 10, 10)).save(tmp_path / "dot.png")
    assert inspect_asset(tmp_path / "dot.png", "background") is None
    with wave.open(str(tmp_path / "tone.wav"), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(48000)
        handle.writeframes(b"\x00\x10" * 48000)
    assert inspect_asset(tmp_path / "tone.wav", "music") is None
