"""A quiet, deterministic music bed: a few slow chords on a soft pad.

The mood picks the key, the mode and the chord changes; the seed picks the
progression, where it starts, the chorus detune and every oscillator phase.
Each chord of the progression is rendered once and reused when it comes round.
Chords cross-fade over two seconds along smootherstep curves (flat at both
ends, no transcendental) and every oscillator starts at zero amplitude, so
there are no clicks at chord changes.

Determinism: random choices come from :func:`.seeding.unit` of (seed, mood, label),
not from a random generator whose stream could change; oscillators read wavetables
built once from :func:`math.sin`, and the signal path is elementwise numpy
arithmetic only, so no SIMD transcendental or reduction order reaches the output.
Oscillator phases are 32-bit fixed-point integers read from a 65536-entry table.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sparkle_motion.errors import MediaError
from sparkle_motion.seeding import unit as seeded_unit

__all__ = ["MOOD_NAMES", "MusicBed", "generate_music_bed"]

_TABLE_BITS = 16
_TABLE_SIZE = 1 << _TABLE_BITS
_PHASE_BITS = 32
_PHASE_ONE = 1 << _PHASE_BITS
_PAD_HARMONICS = (1.0, 0.08, 1.0 / 9.0, 0.03, 1.0 / 25.0)  # a soft, triangle-like pad
_BASS_HARMONICS = (1.0, 0.15, 0.05)
_PAD_LEVEL = 0.028
_BASS_LEVEL = 0.04
# Each note is two oscillators a little apart in pitch, the second quieter:
# a slow shimmer, never the full on-off beating of two equal ones.
_CHORUS = ((-1.0, 0.7), (1.0, 0.3))
_CROSSFADE_SECONDS = 2.0
_FADE_IN_SECONDS = 2.0
_FADE_OUT_SECONDS = 3.0


# Chords by their roman-numeral names, in semitones above the key's root.
# fmt: off
_CHORDS: dict[str, tuple[int, ...]] = {
    "I": (0, 4, 7), "ii": (2, 5, 9), "IV": (5, 9, 12), "V": (7, 11, 14), "vi": (9, 12, 16),
    "Imaj7": (0, 4, 7, 11), "Iadd9": (0, 4, 7, 14), "ii7": (2, 5, 9, 12),
    "IVmaj7": (5, 9, 12, 16), "vi7": (9, 12, 16, 19),
    "i": (0, 3, 7), "isus2": (0, 2, 7), "bII": (1, 5, 8), "iv": (5, 8, 12), "v": (7, 10, 14),
    "bVI": (8, 12, 15), "bVII": (10, 14, 17),
}
# fmt: on


@dataclass(frozen=True)
class _Mood:
    root: int  # MIDI note of the key's tonic
    center: int  # MIDI note the pad voices gather around
    chord_seconds: float
    progressions: tuple[str, ...]  # chord names separated by spaces

    def chords(self, progression: str) -> tuple[tuple[int, ...], ...]:
        return tuple(_CHORDS[name] for name in progression.split())


_MOODS: dict[str, _Mood] = {
    "calm": _Mood(48, 62, 6.0, ("I V vi IV", "I IV vi V", "vi IV I V", "I ii IV I")),
    "warm": _Mood(
        51, 62, 5.0, ("Imaj7 IVmaj7 vi7 ii7", "Iadd9 vi7 IVmaj7 Imaj7", "Imaj7 ii7 IVmaj7 Iadd9")
    ),
    "tense": _Mood(45, 57, 4.0, ("i bVI iv V", "i bII i V", "i iv bVI bII")),
    "mysterious": _Mood(50, 60, 7.0, ("isus2 bVII IV i", "i bII v isus2", "i IV bVII v")),
}


MOOD_NAMES: tuple[str, ...] = tuple(sorted(_MOODS))
"""The moods :func:`generate_music_bed` knows; any other name plays ``calm``."""


@functools.cache
def _sine() -> NDArray[np.float64]:
    values = [math.sin(2.0 * math.pi * i / _TABLE_SIZE) for i in range(_TABLE_SIZE)]
    return np.array(values, dtype=np.float64)


@functools.cache
def _wavetable(harmonics: tuple[float, ...]) -> NDArray[np.float64]:
    """One cycle of a sum of harmonics, peak 1, built from one sine table by exact indexing."""
    steps = np.arange(_TABLE_SIZE, dtype=np.int64)
    table = np.zeros(_TABLE_SIZE, dtype=np.float64)
    for number, amplitude in enumerate(harmonics, start=1):
        table += amplitude * _sine()[(steps * number) % _TABLE_SIZE]
    table /= float(np.abs(table).max())
    table.setflags(write=False)
    return table


def _oscillator(
    table: NDArray[np.float64], freq: float, index: NDArray[np.int64], rate: int, phase: float
) -> NDArray[np.float64]:
    """``table`` played at ``freq`` Hz at sample ``index``, starting at ``phase`` cycles.

    The phase is a 32-bit fixed-point integer, so it is exact and the same on
    every machine; its top bits pick the table entry.
    """
    step = round(freq / rate * _PHASE_ONE)
    offset = int(phase * _PHASE_ONE) % _PHASE_ONE
    accumulator = (index * step + offset) & (_PHASE_ONE - 1)
    played: NDArray[np.float64] = table[accumulator >> (_PHASE_BITS - _TABLE_BITS)]
    return played


def _midi_hz(note: float) -> float:
    return 440.0 * math.pow(2.0, (note - 69.0) / 12.0)


def _fold(note: int, low: int) -> int:
    """``note`` moved by octaves into [low, low + 12)."""
    return low + (note - low) % 12


def _ramp(t: NDArray[np.float64], start: float, length: float) -> NDArray[np.float64]:
    """0 before ``start``, 1 after ``start + length``, a smootherstep between.

    The curve is a polynomial (no transcendental), flat at both ends, and a
    fade-out ``1 - ramp`` plus the next fade-in sums to exactly one.
    """
    u = np.clip((t - start) / length, 0.0, 1.0)
    return u * u * u * (u * (u * 6.0 - 15.0) + 10.0)


def _faded(
    sound: NDArray[np.float64],
    first: int,
    start: float,
    end: float,
    fade_in: float,
    rate: int,
    fade_out: float | None = None,
) -> NDArray[np.float64]:
    """``sound`` (beginning at sample ``first``) faded in from ``start`` and out until ``end``.

    Only the samples inside the two fades are computed; the rest pass unchanged.
    """
    fade_out = fade_in if fade_out is None else fade_out
    shaped = sound.copy()
    head = min(sound.size, max(0, math.ceil((start + fade_in) * rate) - first))
    t = np.arange(first, first + head, dtype=np.int64) / rate
    shaped[:head] *= _ramp(t, start, fade_in)
    tail = max(0, min(sound.size, math.floor((end - fade_out) * rate) - first))
    t = np.arange(first + tail, first + sound.size, dtype=np.int64) / rate
    shaped[tail:] *= 1.0 - _ramp(t, end - fade_out, fade_out)
    return shaped


def _chord(
    spec: _Mood,
    chord: tuple[int, ...],
    index: NDArray[np.int64],
    rate: int,
    detune: float,
    unit: functools.partial[float],
) -> NDArray[np.float64]:
    """One chord's pad and bass notes, each a pair of detuned oscillators."""
    pad_level = _PAD_LEVEL / math.sqrt(len(chord) / 3.0)
    low = spec.center - 6
    notes: list[tuple[int, tuple[float, ...], float]] = [
        (_fold(spec.root + step, low), _PAD_HARMONICS, pad_level) for step in chord
    ]
    notes.append((_fold(spec.root + chord[0], 36), _BASS_HARMONICS, _BASS_LEVEL))
    sound = np.zeros(index.size, dtype=np.float64)
    for number, (note, harmonics, level) in enumerate(notes):
        for side, share in _CHORUS:
            freq = _midi_hz(note) * (1.0 + side * detune)
            phase = unit("phase", number, side)
            sound += share * level * _oscillator(_wavetable(harmonics), freq, index, rate, phase)
    swell_hz = 0.05 + 0.04 * unit("swell")
    swell = _oscillator(_wavetable((1.0,)), swell_hz, index, rate, unit("swell phase"))
    return sound * (1.0 + 0.12 * swell)


class MusicBed:
    """A mood's pad over ``seconds``, made on demand any stretch at a time.

    ``block(first, count)`` gives exactly those samples of the whole bed, so
    an episode of any length is mixed a block at a time in flat memory.
    ``mood`` is ``calm``, ``tense``, ``warm`` or ``mysterious`` (any other is
    ``calm``); the same (mood, seconds, seed, rate) always gives the same samples.
    """

    def __init__(self, mood: str, seconds: float, seed: int, sample_rate: int = 48000) -> None:
        if not math.isfinite(seconds) or seconds < 0:
            raise MediaError(f"music bed length must be 0 s or more, got {seconds!r}")
        if sample_rate <= 0:
            raise MediaError(f"sample rate must be positive, got {sample_rate}")
        self.seed = int(seed)  # a numpy integer must give what the same Python int gives
        self.seconds, self.rate = seconds, sample_rate
        self.total = round(seconds * sample_rate)
        name = mood.strip().lower()
        self.name = name if name in _MOODS else "calm"
        self.spec = _MOODS[self.name]
        choices = len(self.spec.progressions)
        choice = int(seeded_unit(self.seed, self.name, "progression") * choices)
        self.progression = self.spec.chords(self.spec.progressions[choice])
        self.offset = int(seeded_unit(self.seed, self.name, "offset") * len(self.progression))
        self.detune = 0.0005 + 0.001 * seeded_unit(self.seed, self.name, "detune")
        self.fade = min(_CROSSFADE_SECONDS, self.spec.chord_seconds / 2.0)
        span = math.ceil((self.spec.chord_seconds + self.fade) * sample_rate) + 2
        self._local = np.arange(span, dtype=np.int64)
        self._rendered: dict[int, NDArray[np.float64]] = {}  # the progression comes round
        self.fade_in = min(_FADE_IN_SECONDS, seconds / 4.0)
        self.fade_out = min(_FADE_OUT_SECONDS, seconds / 4.0)
        self._head = min(self.total, math.ceil(self.fade_in * sample_rate))
        self._tail = max(self._head, math.floor((seconds - self.fade_out) * sample_rate))

    def _chord_sound(self, number: int) -> NDArray[np.float64]:
        position = (number + self.offset) % len(self.progression)
        if position not in self._rendered:
            unit = functools.partial(seeded_unit, self.seed, self.name, position)
            self._rendered[position] = _chord(
                self.spec, self.progression[position], self._local, self.rate, self.detune, unit
            )
        return self._rendered[position]

    def rms(self) -> float:
        """The bed's level: its RMS over one turn of the progression after the fade-in.

        The pad's level is steady from chord to chord, so one turn measures
        it for a bed of any length (and a longer episode does not move it).
        """
        start = min(self.total, math.ceil(self.fade_in * self.rate))
        turn = math.ceil(len(self.progression) * self.spec.chord_seconds * self.rate)
        stop = min(self._tail, start + turn)
        if stop <= start:
            start, stop = 0, self.total
        if stop <= start:
            return 0.0
        sound = self.block(start, stop - start).astype(np.float64)
        return math.sqrt(float(np.dot(sound, sound)) / sound.size)

    def block(self, first: int, count: int) -> NDArray[np.float32]:
        """Samples ``first`` to ``first + count`` of the bed (silence outside it), float32."""
        out = np.zeros(max(0, count), dtype=np.float32)
        lo, hi = max(0, first), min(self.total, first + count)
        if lo >= hi:
            return out
        rate, length = self.rate, self.spec.chord_seconds
        numbers = math.ceil(self.seconds / length) + 1
        # Chord n sounds from n*length - fade/2 to that plus length + fade.
        earliest = max(0, math.floor((lo / rate - self.fade / 2.0) / length) - 1)
        latest = min(numbers, math.ceil((hi / rate + self.fade / 2.0) / length) + 1)
        for number in range(earliest, latest):
            start = number * length - self.fade / 2.0
            end = start + length + self.fade
            origin = math.floor(start * rate)
            begin = max(lo, origin, 0)
            stop = min(hi, math.ceil(end * rate), self.total)
            if begin >= stop:
                continue
            sound = self._chord_sound(number)[begin - origin : stop - origin]
            out[begin - first : stop - first] += _faded(
                sound, begin, start, end, self.fade, rate
            ).astype(np.float32)
        # The bed fades in over its head and out over its tail; the rest passes unchanged.
        for begin, stop in ((0, self._head), (self._tail, self.total)):
            begin, stop = max(begin, lo), min(stop, hi)
            if begin < stop:
                piece = out[begin - first : stop - first].astype(np.float64)
                out[begin - first : stop - first] = _faded(
                    piece, begin, 0.0, self.seconds, self.fade_in, rate, self.fade_out
                )
        return out


def generate_music_bed(
    mood: str, seconds: float, seed: int, sample_rate: int = 48000
) -> NDArray[np.float32]:
    """A quiet pad of slow chords, float32 mono, peaking well below -12 dBFS.

    The whole of :class:`MusicBed` at once; see there for the moods.
    """
    bed = MusicBed(mood, seconds, seed, sample_rate)
    return bed.block(0, bed.total)
