"""A stretch's music and effects stems, set against its compressed dialogue.

The beds (:class:`.beds.BedMix`) sit ``music_level_db`` under the dialogue
(by RMS) and duck while anyone speaks; the effects are placed on a timeline,
with room tone (:func:`.room.room_tone`) filling the silences. Nothing here
depends on the mix's gain, so a new gain never remakes the stems.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sparkle_motion.audio.beds import BedMix
from sparkle_motion.audio.mix import Timeline, control_hop, duck_curve, voice_activity
from sparkle_motion.audio.room import room_tone
from sparkle_motion.audio.stretch import Soundtrack, Stems, block_size, blocks, end_fade
from sparkle_motion.audio.wav import WavReader, to_int16, wav_writer
from sparkle_motion.errors import MediaError

__all__ = ["EFFECTS_FADE_OUT_SECONDS", "mix_stems"]

_NO_SPEECH_RMS = 0.1  # the dialogue level a bed is set against when nobody speaks
EFFECTS_FADE_OUT_SECONDS = 0.02  # effects still sounding when a stretch ends


def _activity(path: Path, length: int, block: int, hop: int) -> NDArray[np.float64]:
    """The dialogue's activity per control frame, 0 to 1 (see :func:`.mix.voice_activity`)."""
    with WavReader(path) as reader:
        parts = [
            voice_activity(reader.read(first, count), hop) for first, count in blocks(length, block)
        ]
    return np.concatenate(parts) if parts else np.zeros(0)


def mix_stems(track: Soundtrack, stems: Stems, reference: float) -> None:
    """The music and effects stems of ``track``, set against its dialogue.

    The beds sit ``track.music_level_db`` under ``reference`` (the dialogue's
    RMS; a nominal level without dialogue) and duck under the compressed
    dialogue in ``stems.voice`` (:func:`.dialogue.compress_dialogue`); room
    tone joins the effects. :func:`.levels.level_mix` makes the mix from the
    three stems.
    """
    if track.length < 0 or track.rate <= 0:
        raise MediaError(f"cannot mix {track.length} samples at {track.rate} Hz")
    hop = control_hop(track.rate)
    block = block_size(track.rate)
    reference = reference or _NO_SPEECH_RMS
    curve = duck_curve(
        _activity(stems.voice, track.length, block, hop), hop, depth_db=track.duck_db
    )
    tone = reference * 10 ** (track.room_tone_db / 20) if track.room_tone_db is not None else 0.0
    effects = Timeline(track.effects, track.rate)
    effects_fade = min(round(EFFECTS_FADE_OUT_SECONDS * track.rate), track.length)
    with contextlib.ExitStack() as files:
        music = BedMix(track, files)
        bed_rms = music.rms() if track.beds else 0.0
        scale = np.float32(
            reference * 10 ** (track.music_level_db / 20) / bed_rms if bed_rms > 0 else 0.0
        )
        music_out = files.enter_context(wav_writer(stems.music, track.rate))
        effects_out = files.enter_context(wav_writer(stems.effects, track.rate))

        def parts(first: int, count: int) -> _Parts:
            if track.beds:
                bed = curve.apply(music.block(first, count) * scale, first)
            else:
                bed = np.zeros(count, dtype=np.float32)
            sound = effects.block(first, count)
            cut = end_fade(first, count, track.length, effects_fade)
            if cut is not None:  # an effect running past the end stops without a click
                sound *= cut
            if tone:
                sound += (room_tone(track.seed, first, count) * tone).astype(np.float32)
            return _Parts(to_int16(bed), to_int16(sound))

        # The next block is made on a worker while this one is written (numpy lets go
        # of the interpreter while it works on whole blocks).
        for made in _ahead(parts, blocks(track.length, block)):
            music_out.write(made.music)
            effects_out.write(made.effects)


@dataclass(frozen=True)
class _Parts:
    """One block of the music and effects stems, made and converted, ready to be written."""

    music: NDArray[np.int16]
    effects: NDArray[np.int16]


def _ahead(
    make: Callable[[int, int], _Parts], ranges: Iterable[tuple[int, int]]
) -> Iterator[_Parts]:
    """``make`` over ``ranges`` in order, each made on a worker while the last is used."""
    with ThreadPoolExecutor(max_workers=1) as worker:
        pending: Future[_Parts] | None = None
        for first, count in ranges:
            submitted = worker.submit(make, first, count)
            if pending is not None:
                yield pending.result()
            pending = submitted
        if pending is not None:
            yield pending.result()
