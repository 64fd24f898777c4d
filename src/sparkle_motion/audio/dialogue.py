"""A stretch's dialogue: its lines placed and compressed into the voice stem, and measured.

The dialogue is compressed before anything is set against it: the beds sit
under its level and duck under it (:func:`.stems.mix_stems`), and the mix's
gain is guessed from its loudness (:func:`.levels.guess_gain`). What it
measured goes out as plain numbers (:class:`Dialogue`) that join with other
stretches'.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sparkle_motion.atomic import atomic_path
from sparkle_motion.audio.loudness import integrated_lufs, momentary_filter, read_momentary
from sparkle_motion.audio.mix import DIALOGUE_COMPRESSOR, Timeline
from sparkle_motion.audio.stretch import Soundtrack, block_size, blocks
from sparkle_motion.audio.wav import WavReader, to_int16
from sparkle_motion.errors import MediaError
from sparkle_motion.ffmpeg import BITEXACT_OUTPUT, stream_to_ffmpeg

__all__ = ["SPEECH_FLOOR", "Dialogue", "compress_dialogue"]

SPEECH_FLOOR = 1e-3  # samples quieter than this are pauses, not speech


@dataclass(frozen=True)
class Dialogue:
    """A stretch's compressed dialogue as measured: what the episode's levels are set from.

    Plain numbers, so that stretches measured apart (and cached) join up: the
    speech's power and length give the dialogue's RMS, the momentary loudness
    its integrated loudness (:func:`.loudness.integrated_lufs`).
    """

    speech_power: float  # the sum of squares of the samples louder than the speech floor
    speech_samples: int
    momentary: tuple[float, ...]  # ebur128's momentary loudness (LUFS), one every 100 ms

    @classmethod
    def joined(cls, parts: Iterable[Dialogue]) -> Dialogue:
        power, samples, momentary = 0.0, 0, list[float]()
        for part in parts:
            power += part.speech_power
            samples += part.speech_samples
            momentary += part.momentary
        return cls(power, samples, tuple(momentary))

    @property
    def rms(self) -> float:
        """The RMS of the speech, pauses left out (0 without speech)."""
        return math.sqrt(self.speech_power / self.speech_samples) if self.speech_samples else 0.0

    @property
    def integrated_lufs(self) -> float:
        return integrated_lufs(self.momentary)


def compress_dialogue(track: Soundtrack, dst: Path) -> Dialogue:
    """Place ``track``'s lines, compress them (ffmpeg's dialogue compressor) into ``dst``.

    The placed lines are piped block by block: ffmpeg compresses and meters on
    another core while the next block is placed. The result is the voice stem.
    """
    if track.length < 0 or track.rate <= 0:
        raise MediaError(f"cannot mix {track.length} samples at {track.rate} Hz")
    block = block_size(track.rate)
    voices = Timeline(track.voice, track.rate)
    with (
        tempfile.TemporaryDirectory(prefix="sparkle-dialogue-") as scratch,
        atomic_path(dst) as tmp,
    ):
        log = Path(scratch) / "momentary.txt"
        with stream_to_ffmpeg([
            "-loglevel", "error", "-nostats",
            "-f", "s16le", "-ar", str(track.rate), "-ac", "1", "-i", "pipe:0",
            "-threads", "1", "-filter_threads", "1",
            "-af", f"{DIALOGUE_COMPRESSOR},{momentary_filter('sample', log)}",
            "-ac", "1", "-ar", str(track.rate), "-c:a", "pcm_s16le",
            *BITEXACT_OUTPUT, "-f", "wav", str(tmp),
        ]) as stdin:  # fmt: skip
            for first, count in blocks(track.length, block):
                placed = to_int16(voices.block(first, count))
                stdin.write(placed.astype("<i2", copy=False).tobytes())
        momentary = read_momentary(log)[0]
    power, samples = 0.0, 0
    with WavReader(dst) as reader:
        for first, count in blocks(track.length, block):
            loud = reader.read(first, count)
            loud = loud[np.abs(loud) > SPEECH_FLOOR].astype(np.float64)
            power += float(np.dot(loud, loud))
            samples += loud.size
    return Dialogue(power, samples, momentary)
