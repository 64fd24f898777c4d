"""Make the lighthouse example's sounds and prop picture (the committed files came from this).

    python tools/make_example_sounds.py examples/lighthouse/assets

Writes music/warm.ogg (a music-box lullaby), sfx/wind.ogg (gusting wind)
and props/storm-lantern.png. Everything is computed here from fixed seeds.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import imageio_ffmpeg
import numpy as np
from PIL import Image, ImageDraw

RATE = 48000


def music_box(seconds: float = 16.0) -> np.ndarray:
    """A slow lullaby in D major: plucked tones with a soft decay, two bars looped."""
    notes = [62, 66, 69, 74, 73, 69, 66, 69, 62, 67, 71, 74, 73, 71, 69, 66]
    step = seconds / len(notes)
    t = np.arange(int(seconds * RATE)) / RATE
    out = np.zeros_like(t)
    for index, note in enumerate(notes):
        start = index * step
        hz = 440.0 * 2 ** ((note - 69) / 12)
        local = t - start
        on = local >= 0
        env = np.where(on, np.exp(-np.clip(local, 0, None) * 2.2), 0.0)
        tone = np.sin(2 * np.pi * hz * local) + 0.3 * np.sin(2 * np.pi * 2 * hz * local)
        out += 0.22 * env * tone * np.clip(local * 200, 0, 1)
    fade = np.minimum(1.0, np.minimum(t, seconds - t) / 0.5)
    return out * fade


def wind(seconds: float = 8.0) -> np.ndarray:
    """Brown-ish noise, slowly swelling in gusts."""
    rng = np.random.default_rng(11)
    white = rng.normal(0, 1, int(seconds * RATE))
    brown = np.cumsum(white)
    brown -= np.convolve(brown, np.ones(4800) / 4800, mode="same")
    brown /= np.max(np.abs(brown))
    t = np.arange(brown.size) / RATE
    gusts = 0.55 + 0.45 * np.sin(2 * np.pi * t / 3.1) * np.sin(2 * np.pi * t / 7.3 + 1.0)
    fade = np.minimum(1.0, np.minimum(t, seconds - t) / 0.4)
    return 0.5 * brown * gusts * fade


def lantern() -> Image.Image:
    image = Image.new("RGBA", (600, 800), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((120, 180, 480, 700), fill=(255, 214, 120, 90))
    draw.rounded_rectangle(
        (200, 250, 400, 620),
        radius=40,
        fill=(255, 226, 150, 255),
        outline=(60, 50, 40, 255),
        width=14,
    )
    draw.ellipse((265, 380, 335, 500), fill=(255, 150, 40, 255))
    draw.rectangle((180, 620, 420, 680), fill=(70, 60, 50, 255))
    draw.rectangle((180, 200, 420, 250), fill=(70, 60, 50, 255))
    draw.arc((230, 80, 370, 260), start=180, end=360, fill=(60, 50, 40, 255), width=14)
    return image


def write_ogg(samples: np.ndarray, path: Path) -> None:
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "x.wav"
        with wave.open(str(wav), "wb") as handle:
            handle.setnchannels(1)
            handle.setsampwidth(2)
            handle.setframerate(RATE)
            handle.writeframes(pcm.tobytes())
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                imageio_ffmpeg.get_ffmpeg_exe(),
                "-y",
                "-loglevel",
                "error",
                "-i",
                str(wav),
                "-c:a",
                "libvorbis",
                "-q:a",
                "4",
                "-fflags",
                "+bitexact",
                "-map_metadata",
                "-1",
                str(path),
            ],
            check=True,
        )


if __name__ == "__main__":
    assets = Path(sys.argv[1])
    write_ogg(music_box(), assets / "music" / "warm.ogg")
    write_ogg(wind(), assets / "sfx" / "wind.ogg")
    (assets / "props").mkdir(parents=True, exist_ok=True)
    lantern().save(assets / "props" / "storm-lantern.png", optimize=True)
