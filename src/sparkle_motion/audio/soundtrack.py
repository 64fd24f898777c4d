"""A stretch of soundtrack (a scene, say), mixed a block at a time: memory stays flat.

Voice lines and sound effects are placed on a timeline (:class:`.mix.Timeline`);
music beds play under stretches of it, crossfading where one gives way to
another, set ``music_level_db`` under the dialogue (by RMS) and ducked while
anyone speaks; an optional room tone fills the silences. The dialogue is
compressed before anything is set against it (:func:`compress_dialogue`),
the music and effects stems are made against it (:func:`mix_stems`), and the
mix is the three summed, gained and limited (:func:`level_mix`): 16-bit WAVs
of exactly ``length`` samples, the mix metered as it is written.

Everything a stretch needs from elsewhere comes in as plain numbers (the
dialogue level beds sit under, the mix's gain), and what it measured goes out
as plain numbers (:class:`Dialogue`, :class:`.loudness.Metered`) that join
with other stretches': an episode mixes its scenes apart and sets its levels
across them, and a new gain remakes only the mixes.
"""

from __future__ import annotations

import contextlib
import math
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sparkle_motion.atomic import atomic_path
from sparkle_motion.audio.limiter import PeakLimiter
from sparkle_motion.audio.loudness import (
    Metered,
    integrated_lufs,
    metering,
    momentary_filter,
    read_momentary,
)
from sparkle_motion.audio.mix import (
    DIALOGUE_COMPRESSOR,
    Placement,
    Timeline,
    control_hop,
    duck_curve,
    voice_activity,
)
from sparkle_motion.audio.music import MusicBed
from sparkle_motion.audio.wav import WavReader, to_int16, wav_writer
from sparkle_motion.errors import MediaError
from sparkle_motion.ffmpeg import BITEXACT_OUTPUT, stream_to_ffmpeg
from sparkle_motion.seeding import seed_int

__all__ = [
    "Bed",
    "Dialogue",
    "Soundtrack",
    "Stems",
    "compress_dialogue",
    "guess_gain",
    "level_mix",
    "level_step",
    "limiter_toll",
    "mix_soundtrack",
    "mix_stems",
    "room_tone",
]

_CONTROL_FRAMES_PER_BLOCK = 2048  # about 20 s a block at 48 kHz
_SPEECH_FLOOR = 1e-3  # samples quieter than this are pauses, not speech
_NO_SPEECH_RMS = 0.1  # the dialogue level a bed is set against when nobody speaks
MOOD_CROSSFADE_SECONDS = 1.0
LOOP_FADE_OUT_SECONDS = 3.0  # a library bed's fade at the end of its stretch
EFFECTS_FADE_OUT_SECONDS = 0.02  # effects still sounding when a stretch ends
_TONE_CHUNK = 1 << 16  # room tone noise is drawn per chunk, keyed by its index
_TONE_BOXES = (6, 17)  # two box filters: a soft low-passed hiss, like air in a room


@dataclass(frozen=True)
class Bed:
    """A music bed and the sample ranges of the timeline it plays under.

    ``source`` is a WAV at the mix rate, looped as needed; without one the
    generated pad of ``mood`` plays (:class:`.music.MusicBed`).
    """

    spans: tuple[tuple[int, int], ...]
    mood: str = "calm"
    source: Path | None = None


@dataclass(frozen=True)
class Soundtrack:
    """Everything that shapes an episode's sound, as plain values."""

    length: int  # samples
    rate: int
    seed: int
    voice: Sequence[Placement] = ()
    effects: Sequence[Placement] = ()
    beds: Sequence[Bed] = ()
    music_level_db: float = -20.0  # the beds' RMS under the dialogue's
    duck_db: float = 12.0
    room_tone_db: float | None = None  # the room tone's RMS under the dialogue's; None: none
    crossfade_seconds: float = MOOD_CROSSFADE_SECONDS


@dataclass(frozen=True)
class Stems:
    """Where the stems and the mix are written."""

    voice: Path
    music: Path
    effects: Path
    mix: Path


def _blocks(length: int, size: int) -> Iterator[tuple[int, int]]:
    for first in range(0, length, size):
        yield first, min(size, length - first)


class _Weight:
    """A bed's share at each sample: 1 under its spans, 0 elsewhere, crossfaded.

    The on/off mask's centred moving average over ``width`` samples (edges
    repeat), from the mask's running integral, which is piecewise linear with
    slopes 0 and 1, so every value is exact in float64.
    """

    def __init__(self, spans: Sequence[tuple[int, int]], length: int, width: int) -> None:
        merged: list[list[int]] = []
        for begin, end in sorted((max(0, b), min(length, e)) for b, e in spans):
            if begin >= end:
                continue
            if merged and begin <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([begin, end])
        self.width, self.before = width, width // 2
        first_on = float(bool(merged) and merged[0][0] == 0)
        last_on = float(bool(merged) and merged[-1][1] == length)
        far = float(length + 2 * width + 2)
        xs, ys, covered = [-far, 0.0], [-far * first_on, 0.0], 0.0
        for begin, end in merged:
            xs += [float(begin), float(end)]
            ys += [covered, covered + (end - begin)]
            covered += end - begin
        xs += [float(length), float(length) + far]
        ys += [covered, covered + far * last_on]
        self._xs, self._ys = np.array(xs), np.array(ys)
        self.share = covered / length if length else 0.0  # of the timeline, overlaps once

    def block(self, first: int, count: int) -> NDArray[np.float32]:
        at = np.arange(first, first + count, dtype=np.float64)
        after = self.width - self.before
        upper = np.interp(at + after, self._xs, self._ys)
        lower = np.interp(at - self.before, self._xs, self._ys)
        weight: NDArray[np.float32] = ((upper - lower) / self.width).astype(np.float32)
        return weight


def _end_fade(first: int, count: int, length: int, width: int) -> NDArray[np.float32] | None:
    """Gains that take a stretch of ``length`` samples out over its last ``width`` (a half
    cosine), for samples ``first`` to ``first + count``; None where the block is untouched."""
    start = length - width
    if width <= 0 or first + count <= start:
        return None
    at = np.arange(first, first + count, dtype=np.float64)
    done = np.clip((at - start) / width, 0.0, 1.0)
    gains: NDArray[np.float32] = (0.5 + 0.5 * np.cos(np.pi * done)).astype(np.float32)
    return gains


class _Looped:
    """A WAV played round and round from sample 0 of the timeline, taken out at its end.

    A file has its own start; its loop is cut wherever the stretch ends, so
    the last ``LOOP_FADE_OUT_SECONDS`` (a quarter of a short stretch) fade out.
    """

    def __init__(self, reader: WavReader, length: int) -> None:
        self.reader, self.length = reader, length
        self.fade = min(round(LOOP_FADE_OUT_SECONDS * reader.rate), length // 4)

    def rms(self) -> float:
        """The file's RMS: the level of its loop."""
        total, size = 0.0, self.reader.frames
        for first in range(0, size, 1 << 20):
            sound = self.reader.read(first, min(1 << 20, size - first)).astype(np.float64)
            total += float(np.dot(sound, sound))
        return math.sqrt(total / size) if size else 0.0

    def block(self, first: int, count: int) -> NDArray[np.float32]:
        out = np.zeros(count, dtype=np.float32)
        size = self.reader.frames
        filled = 0
        while size and filled < count:
            offset = (first + filled) % size
            take = min(size - offset, count - filled)
            out[filled : filled + take] = self.reader.read(offset, take)
            filled += take
        fade = _end_fade(first, count, self.length, self.fade)
        if fade is not None:
            out *= fade
        return out


class _Music:
    """The beds summed, each weighted by where it plays, before level and ducking."""

    def __init__(self, track: Soundtrack, files: contextlib.ExitStack) -> None:
        """Library beds are opened on ``files``, which closes them."""
        self._parts: list[tuple[_Looped | MusicBed, _Weight | None]] = []
        width = max(1, round(track.crossfade_seconds * track.rate))
        for bed in sorted(track.beds, key=lambda b: (b.mood, str(b.source))):
            player: _Looped | MusicBed
            if bed.source is not None:
                reader = files.enter_context(WavReader(bed.source))
                if reader.rate != track.rate:
                    raise MediaError(
                        f"a music bed must be at the mix rate {track.rate} Hz, got {reader.rate}",
                        where=str(bed.source),
                    )
                player = _Looped(reader, track.length)
            else:
                player = MusicBed(bed.mood, track.length / track.rate, track.seed, track.rate)
            weight = _Weight(bed.spans, track.length, width) if len(track.beds) > 1 else None
            self._parts.append((player, weight))

    def rms(self) -> float:
        """The beds' level together: each one's RMS, weighted by the time it plays."""
        power = sum(
            (weight.share if weight is not None else 1.0) * player.rms() ** 2
            for player, weight in self._parts
        )
        return math.sqrt(power)

    def block(self, first: int, count: int) -> NDArray[np.float32]:
        out = np.zeros(count, dtype=np.float32)
        for player, weight in self._parts:
            sound = player.block(first, count)
            if weight is not None:
                sound *= weight.block(first, count)
            out += sound
        return out


def _tone_chunk(seed: int, index: int) -> NDArray[np.int64]:
    """Chunk ``index`` of the tone's noise: odd integers spread evenly over ±2**32."""
    # The chunk index is -1 for the filters' run-in before sample 0.
    key = seed_int(seed, "room-tone", index)
    raw = np.random.PCG64(np.random.SeedSequence(key)).random_raw(_TONE_CHUNK)
    top: NDArray[np.int64] = (raw >> np.uint64(32)).astype(np.int64)
    return 2 * top - ((1 << 32) - 1)


def room_tone(seed: int, first: int, count: int) -> NDArray[np.float64]:
    """Samples ``first`` to ``first + count`` of an endless soft hiss at RMS 1.

    Uniform noise from a counter-keyed generator (any stretch can be made on
    its own), low-passed by two box filters in integer arithmetic, so a
    stretch is exactly the same however the timeline is cut into blocks.
    """
    if count <= 0:
        return np.zeros(0, dtype=np.float64)
    reach = sum(width - 1 for width in _TONE_BOXES)
    lo = first - reach
    chunks = range(lo // _TONE_CHUNK, (first + count - 1) // _TONE_CHUNK + 1)
    noise = np.concatenate([_tone_chunk(seed, k) for k in chunks])
    skip = lo - chunks[0] * _TONE_CHUNK
    noise = noise[skip : skip + count + reach]
    kernel = np.ones(1)
    for width in _TONE_BOXES:
        noise = np.convolve(noise, np.ones(width, dtype=np.int64), mode="valid")
        kernel = np.convolve(kernel, np.ones(width))
    # The noise is uniform over ±2**32 (variance 2**64 / 3); the filters' gain is |kernel|.
    rms = math.sqrt(float(np.dot(kernel, kernel)) * 2.0**64 / 3.0)
    out: NDArray[np.float64] = noise.astype(np.float64) / rms
    return out


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
    block = control_hop(track.rate) * _CONTROL_FRAMES_PER_BLOCK
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
            for first, count in _blocks(track.length, block):
                placed = to_int16(voices.block(first, count))
                stdin.write(placed.astype("<i2", copy=False).tobytes())
        momentary = read_momentary(log)[0]
    power, samples = 0.0, 0
    with WavReader(dst) as reader:
        for first, count in _blocks(track.length, block):
            loud = reader.read(first, count)
            loud = loud[np.abs(loud) > _SPEECH_FLOOR].astype(np.float64)
            power += float(np.dot(loud, loud))
            samples += loud.size
    return Dialogue(power, samples, momentary)


def _activity(path: Path, length: int, block: int, hop: int) -> NDArray[np.float64]:
    """The dialogue's activity per control frame, 0 to 1 (see :func:`.mix.voice_activity`)."""
    with WavReader(path) as reader:
        parts = [
            voice_activity(reader.read(first, count), hop)
            for first, count in _blocks(length, block)
        ]
    return np.concatenate(parts) if parts else np.zeros(0)


def limiter_toll(voice: Path, gain_db: float, limiter: PeakLimiter) -> tuple[float, float]:
    """The power of ``voice``'s speech at ``gain_db``, before and after ``limiter``.

    What the limiter takes off the dialogue is ``10 log10(after / before)``,
    summed over stretches first. The limiter works only near peaks, so this
    costs little (a few seconds an hour of dialogue); a sample of the
    blocks would not do, since speech is spread unevenly over a scene.
    """
    before = after = 0.0
    scale = np.float32(10.0 ** (gain_db / 20.0))
    with WavReader(voice) as reader:

        def louder(first: int, count: int) -> NDArray[np.float32]:
            samples: NDArray[np.float32] = reader.read(first, count) * scale
            return samples

        block = control_hop(reader.rate) * _CONTROL_FRAMES_PER_BLOCK
        for first, count in _blocks(reader.frames, block):
            raised = louder(first, count)
            speech = np.abs(raised) > _SPEECH_FLOOR * float(scale)
            loud = raised[speech].astype(np.float64)
            held = limiter.block(louder, first, count)[speech].astype(np.float64)
            before += float(np.dot(loud, loud))
            after += float(np.dot(held, held))
    return before, after


def guess_gain(
    target_lufs: float, dialogue_lufs: float, tolls: Iterable[tuple[float, float]]
) -> float:
    """The gain that should land the mix on ``target_lufs``, from the dialogue's loudness.

    The dialogue carries the episode's loudness (the beds sit 20 dB under
    it): the gain to the target from it, plus what the limiter takes off it
    (``tolls``, from :func:`limiter_toll` at the gain to the target), a little
    more since a higher gain is limited a little harder.
    """
    before = after = 0.0
    for was, held in tolls:
        before += was
        after += held
    loss = 10.0 * math.log10(after / before) if before > 0.0 and after > 0.0 else 0.0
    return target_lufs - dialogue_lufs - 1.2 * loss


def level_step(db: float, step: float = 0.1) -> float:
    """``db`` to the nearest multiple of ``step`` dB.

    Levels set for the whole episode (the dialogue's RMS, the normalizing
    gain) move a little with any edit; in steps, a small edit elsewhere leaves
    them, and every scene mixed at them, as they were.
    """
    return round(round(db / step) * step, 6)  # 5.9, not 5.8999999999999995


class _Delayed:
    """Limits a stream one block late, so each block sees the start of the next."""

    def __init__(self, limiter: PeakLimiter, scale: np.float32) -> None:
        self.limiter, self.scale = limiter, scale
        self._blocks: list[tuple[int, NDArray[np.float32]]] = []  # at most three, in order

    def _read(self, first: int, count: int) -> NDArray[np.float32]:
        out = np.zeros(count, dtype=np.float32)
        for start, samples in self._blocks:
            lo, hi = max(first, start), min(first + count, start + samples.size)
            if lo < hi:
                out[lo - first : hi - first] = samples[lo - start : hi - start] * self.scale
        return out

    def push(self, first: int, samples: NDArray[np.float32]) -> NDArray[np.float32] | None:
        """Take the next block; give back the one before it, limited (None at the start)."""
        self._blocks = [*self._blocks[-2:], (first, samples)]
        if len(self._blocks) < 2:
            return None
        start, previous = self._blocks[-2]
        return self.limiter.block(self._read, start, previous.size)

    def flush(self) -> NDArray[np.float32] | None:
        """The last block, limited."""
        if not self._blocks:
            return None
        start, last = self._blocks[-1]
        return self.limiter.block(self._read, start, last.size)


def mix_stems(track: Soundtrack, stems: Stems, reference: float) -> None:
    """The music and effects stems of ``track``, set against its dialogue.

    The beds sit ``track.music_level_db`` under ``reference`` (the dialogue's
    RMS; a nominal level without dialogue) and duck under the compressed
    dialogue in ``stems.voice`` (:func:`compress_dialogue`); room tone joins
    the effects. Nothing here depends on the mix's gain: :func:`level_mix`
    makes the mix from the three stems.
    """
    if track.length < 0 or track.rate <= 0:
        raise MediaError(f"cannot mix {track.length} samples at {track.rate} Hz")
    hop = control_hop(track.rate)
    block = hop * _CONTROL_FRAMES_PER_BLOCK
    reference = reference or _NO_SPEECH_RMS
    curve = duck_curve(
        _activity(stems.voice, track.length, block, hop), hop, depth_db=track.duck_db
    )
    tone = reference * 10 ** (track.room_tone_db / 20) if track.room_tone_db is not None else 0.0
    effects = Timeline(track.effects, track.rate)
    effects_fade = min(round(EFFECTS_FADE_OUT_SECONDS * track.rate), track.length)
    with contextlib.ExitStack() as files:
        music = _Music(track, files)
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
            cut = _end_fade(first, count, track.length, effects_fade)
            if cut is not None:  # an effect running past the end stops without a click
                sound *= cut
            if tone:
                sound += (room_tone(track.seed, first, count) * tone).astype(np.float32)
            return _Parts(to_int16(bed), to_int16(sound))

        # The next block is made on a worker while this one is written (numpy lets go
        # of the interpreter while it works on whole blocks).
        for made in _ahead(parts, _blocks(track.length, block)):
            music_out.write(made.music)
            effects_out.write(made.effects)


def level_mix(stems: Stems, *, gain_db: float = 0.0, limiter: PeakLimiter | None = None) -> Metered:
    """The mix: the voice, music and effects stems summed, times ``gain_db``, through
    ``limiter`` when there is one, else clipped to full scale, into ``stems.mix``.

    Returns its loudness, metered as it is written. A stretch's stems are made
    once (:func:`mix_stems`); a new gain costs only this pass.
    """
    gain = np.float32(10.0 ** (gain_db / 20.0))
    with contextlib.ExitStack() as files:
        voice, music, effects = (
            files.enter_context(WavReader(path))
            for path in (stems.voice, stems.music, stems.effects)
        )
        rate, length = voice.rate, voice.frames
        if (music.rate, effects.rate, music.frames, effects.frames) != (rate, rate, length, length):
            raise MediaError(
                "the stems to mix differ in rate or length", where=str(stems.music.parent)
            )
        mix_out = files.enter_context(wav_writer(stems.mix, rate))
        meter = files.enter_context(metering(rate, momentary=True))
        delayed = _Delayed(limiter, gain) if limiter is not None else None

        def write(samples: NDArray[np.float32] | None) -> None:
            if samples is not None:
                pcm = to_int16(samples)  # once, for both
                mix_out.write(pcm)
                meter.write(pcm)

        for first, count in _blocks(length, control_hop(rate) * _CONTROL_FRAMES_PER_BLOCK):
            mixed = voice.read(first, count)
            mixed += music.read(first, count)
            mixed += effects.read(first, count)
            if delayed is not None:
                write(delayed.push(first, mixed))
                continue
            if gain != 1.0:
                mixed *= gain
            write(np.clip(mixed, -1.0, 1.0, out=mixed))
        if delayed is not None:
            write(delayed.flush())
    assert meter.result is not None  # set on leaving metering()
    return Metered(meter.result, meter.momentary)


def mix_soundtrack(track: Soundtrack, stems: Stems) -> Metered:
    """A stretch on its own: its dialogue compressed into ``stems.voice``, then mixed.

    The beds are set under this stretch's own dialogue and the mix is the
    plain sum, clipped; an episode sets its levels across its scenes instead.
    """
    dialogue = compress_dialogue(track, stems.voice)
    mix_stems(track, stems, dialogue.rms)
    return level_mix(stems)


@dataclass(frozen=True)
class _Parts:
    """One block of the music and effects stems, made and converted, ready to be written."""

    music: NDArray[np.int16]
    effects: NDArray[np.int16]


def _ahead(
    make: Callable[[int, int], _Parts], blocks: Iterable[tuple[int, int]]
) -> Iterator[_Parts]:
    """``make`` over ``blocks`` in order, each made on a worker while the last is used."""
    with ThreadPoolExecutor(max_workers=1) as worker:
        pending: Future[_Parts] | None = None
        for first, count in blocks:
            submitted = worker.submit(make, first, count)
            if pending is not None:
                yield pending.result()
            pending = submitted
        if pending is not None:
            yield pending.result()
