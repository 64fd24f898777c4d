"""Measuring rendered media with PyAV: what is in the file, not what the code meant."""

from __future__ import annotations

import hashlib
import math
import struct
import wave
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from numpy.typing import NDArray

Frame = NDArray[np.uint8]


@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int
    codec: str
    pix_fmt: str
    rate: Fraction
    frames: int  # counted by decoding
    duration: Fraction  # from the stream header, in seconds
    audio_codec: str | None
    audio_duration: Fraction | None
    audio_samples: int | None  # counted by decoding


def _duration(stream: av.stream.Stream) -> Fraction:
    assert stream.duration is not None and stream.time_base is not None
    return Fraction(stream.duration) * stream.time_base


def probe(path: Path) -> VideoInfo:
    with av.open(str(path)) as container:
        frames = sum(1 for _ in container.decode(video=0))
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        samples = sum(f.samples for f in container.decode(audio)) if audio else None
        assert video.average_rate is not None
        return VideoInfo(
            width=video.codec_context.width,
            height=video.codec_context.height,
            codec=video.codec_context.name,
            pix_fmt=str(video.codec_context.pix_fmt),
            rate=Fraction(video.average_rate),
            frames=frames,
            duration=_duration(video),
            audio_codec=audio.codec_context.name if audio else None,
            audio_duration=_duration(audio) if audio else None,
            audio_samples=samples,
        )


def decode_rgb(path: Path) -> list[Frame]:
    with av.open(str(path)) as container:
        return [
            np.asarray(f.to_ndarray(format="rgb24"), dtype=np.uint8)
            for f in container.decode(container.streams.video[0])
        ]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_tone(path: Path, seconds: Fraction, rate: int = 48000) -> None:
    """A quiet 440 Hz mono WAV lasting exactly ``seconds``."""
    count = int(seconds * rate)
    samples = (round(6000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(count))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples))


def top_level_boxes(path: Path) -> list[str]:
    """The MP4 file's top-level box types, in file order."""
    kinds = []
    with path.open("rb") as handle:
        while header := handle.read(8):
            size, kind = struct.unpack(">I4s", header)
            if size == 1:  # a 64-bit size follows
                size = struct.unpack(">Q", handle.read(8))[0] - 8
            kinds.append(kind.decode("latin-1"))
            handle.seek(size - 8, 1)
    return kinds
