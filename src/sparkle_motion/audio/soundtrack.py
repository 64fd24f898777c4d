"""The episode's soundtrack, mixed a block at a time: memory stays flat for any length.

Voice lines and sound effects are placed on a timeline (:class:`.mix.Timeline`);
music beds play under stretches of it, crossfading where one gives way to
another, set ``music_level_db`` under the dialogue (by RMS) and ducked while
anyone speaks; an optional room tone fills the silences. The dialogue is
compressed before anything is set against it. Out come three stems and their
sum, 16-bit WAVs of exactly ``length`` samples.

The passes, each streaming over the timeline: the placed voice, its
compression (ffmpeg), its level and activity (a 100 Hz curve, the only
whole-episode array), the music's level, and the mix itself.
"""

from __future__ import annotations

import contextlib
import math
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sparkle_motion.audio.limiter import PeakLimiter
from sparkle_motion.audio.loudness import (
    CLOSE_ENOUGH_LU,
    EBUR128,
    Loudness,
    LoudnessMeter,
    metering,
    parse_summary,
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
from sparkle_motion.audio.wav import WavReader, WavWriter, atomic_output, to_int16, wav_writer
from sparkle_motion.errors import MediaError
from sparkle_motion.ffmpeg import BITEXACT_OUTPUT, stream_to_ffmpeg

__all__ = ["Bed", "Leveling", "Mixed", "Soundtrack", "Stems", "mix_soundtrack", "room_tone"]

_CONTROL_FRAMES_PER_BLOCK = 2048  # about 20 s a block at 48 kHz
_SPEECH_FLOOR = 1e-3  # samples quieter than this are pauses, not speech
_NO_SPEECH_RMS = 0.1  # the dialogue level a bed is set against when nobody speaks
MOOD_CROSSFADE_SECONDS = 1.0
_TOLL_STRIDE = 3  # blocks the limiter's toll is estimated from: one in three
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


def _place_and_compress(voices: Timeline, length: int, block: int, dst: Path) -> Loudness:
    """The placed lines, piped block by block through ffmpeg's dialogue compressor into ``dst``.

    ffmpeg compresses on another core while the next block is placed, and
    measures the result's loudness (sample peak) on the way out.
    """
    log: list[bytes] = []
    with atomic_output(dst) as tmp, stream_to_ffmpeg([
        "-loglevel", "info", "-nostats",
        "-f", "s16le", "-ar", str(voices.rate), "-ac", "1", "-i", "pipe:0",
        "-threads", "1", "-filter_threads", "1",
        "-af", f"{DIALOGUE_COMPRESSOR},{EBUR128}sample",
        "-ac", "1", "-ar", str(voices.rate), "-c:a", "pcm_s16le",
        *BITEXACT_OUTPUT, "-f", "wav", str(tmp),
    ], log=log) as stdin:  # fmt: skip
        for first, count in _blocks(length, block):
            stdin.write(to_int16(voices.block(first, count)).astype("<i2", copy=False).tobytes())
    return parse_summary(b"".join(log).decode("utf-8", "replace"), "the dialogue", true_peak=False)


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

    def block(self, first: int, count: int) -> NDArray[np.float32]:
        at = np.arange(first, first + count, dtype=np.float64)
        after = self.width - self.before
        upper = np.interp(at + after, self._xs, self._ys)
        lower = np.interp(at - self.before, self._xs, self._ys)
        weight: NDArray[np.float32] = ((upper - lower) / self.width).astype(np.float32)
        return weight


class _Looped:
    """A WAV played round and round from sample 0 of the timeline."""

    def __init__(self, reader: WavReader) -> None:
        self.reader = reader

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
        return out


def _share(spans: Sequence[tuple[int, int]], length: int) -> float:
    """The fraction of ``length`` samples that ``spans`` cover (overlaps counted once)."""
    covered, reach = 0, 0
    for begin, end in sorted((max(0, b), min(length, e)) for b, e in spans):
        begin = max(begin, reach)
        if end > begin:
            covered += end - begin
            reach = end
    return covered / length if length else 0.0


class _Music:
    """The beds summed, each weighted by where it plays, before level and ducking."""

    def __init__(self, track: Soundtrack) -> None:
        self._readers: list[WavReader] = []
        self._parts: list[tuple[_Looped | MusicBed, _Weight | None]] = []
        self._shares: list[float] = []  # the part of the timeline each bed plays under
        width = max(1, round(track.crossfade_seconds * track.rate))
        for bed in sorted(track.beds, key=lambda b: (b.mood, str(b.source))):
            player: _Looped | MusicBed
            if bed.source is not None:
                reader = WavReader(bed.source)
                if reader.rate != track.rate:
                    reader.close()
                    raise MediaError(
                        f"a music bed must be at the mix rate {track.rate} Hz, got {reader.rate}",
                        where=str(bed.source),
                    )
                self._readers.append(reader)
                player = _Looped(reader)
            else:
                player = MusicBed(bed.mood, track.length / track.rate, track.seed, track.rate)
            weight = _Weight(bed.spans, track.length, width) if len(track.beds) > 1 else None
            self._parts.append((player, weight))
            self._shares.append(_share(bed.spans, track.length) if weight is not None else 1.0)

    def rms(self) -> float:
        """The beds' level together: each one's RMS, weighted by the time it plays."""
        power = sum(
            share * player.rms() ** 2
            for (player, _), share in zip(self._parts, self._shares, strict=True)
        )
        return math.sqrt(power)

    def close(self) -> None:
        for reader in self._readers:
            reader.close()

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
    # SeedSequence takes only non-negative integers: shift the chunk index (it is -1
    # for the filters' run-in before sample 0) and fold the seed.
    key = [seed % (1 << 64), 0x700E, index + (1 << 40)]
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
class Leveling:
    """Normalize while mixing: the gain is guessed from the dialogue before the mix is made.

    The dialogue carries the episode's loudness (the bed sits 20 dB under it),
    so its measured loudness, less what the limiter will take at that gain
    (found by running the limiter over the dialogue), gives a gain that
    usually lands the mix on ``target_lufs`` at the first try.
    """

    target_lufs: float
    limiter: PeakLimiter
    final: Path  # the normalized mix


@dataclass(frozen=True)
class Mixed:
    """What :func:`mix_soundtrack` measured: the raw sum and, when leveled, the final mix."""

    raw: Loudness | None  # the raw sum's loudness, measured unless the leveled mix was made
    gain_db: float = 0.0
    leveled: Loudness | None = None
    landed: bool = False  # the leveled mix is within a quarter LU of the target


@dataclass(frozen=True)
class _Dialogue:
    rms: float  # over its speech, not its pauses
    activity: NDArray[np.float64]  # per control frame, 0 to 1
    loudness: Loudness


def _dialogue(path: Path, length: int, block: int, hop: int, loudness: Loudness) -> _Dialogue:
    """One pass over the compressed dialogue: its level and activity."""
    total, counted = 0.0, 0
    activity = []
    with WavReader(path) as reader:
        for first, count in _blocks(length, block):
            samples = reader.read(first, count)
            loud = samples[np.abs(samples) > _SPEECH_FLOOR].astype(np.float64)
            total += float(np.dot(loud, loud))
            counted += loud.size
            activity.append(voice_activity(samples, hop))
    return _Dialogue(
        rms=math.sqrt(total / counted) if counted else 0.0,
        activity=np.concatenate(activity) if activity else np.zeros(0),
        loudness=loudness,
    )


def _limiter_toll(
    path: Path, length: int, block: int, gain_db: float, limiter: PeakLimiter
) -> float:
    """What ``limiter`` takes off the dialogue's speech at ``gain_db`` (dB, 0 or less).

    Every ``_TOLL_STRIDE``-th block is looked at: a sample of minutes of speech
    gives the ratio as well as the whole, at a fraction of the time.
    """
    before = after = 0.0
    scale = np.float32(10.0 ** (gain_db / 20.0))
    with WavReader(path) as reader:

        def louder(first: int, count: int) -> NDArray[np.float32]:
            samples: NDArray[np.float32] = reader.read(first, count) * scale
            return samples

        for first, count in list(_blocks(length, block))[::_TOLL_STRIDE]:
            raised = louder(first, count)
            speech = np.abs(raised) > _SPEECH_FLOOR * float(scale)
            loud = raised[speech].astype(np.float64)
            held = limiter.block(louder, first, count)[speech].astype(np.float64)
            before += float(np.dot(loud, loud))
            after += float(np.dot(held, held))
    return 10.0 * math.log10(after / before) if before > 0.0 and after > 0.0 else 0.0


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


def _guess_gain(target_lufs: float, voice: Loudness, loss_db: float) -> float:
    """The gain that should land the mix: to the target from the dialogue, plus the limiter's
    toll, a little more since a higher gain is limited a little harder."""
    return target_lufs - voice.integrated_lufs - 1.2 * loss_db


def mix_soundtrack(track: Soundtrack, stems: Stems, level: Leveling | None = None) -> Mixed:
    """Write the voice, music and effects stems and their sum (clipped to full scale).

    With ``level`` the normalized mix is made in the same pass at a gain
    guessed from the dialogue (see :class:`Leveling`) and measured; when it
    missed the target, the caller normalizes ``stems.mix`` starting from that
    try (see :func:`.loudness.normalize`). Without, the sum is measured.
    """
    if track.length < 0 or track.rate <= 0:
        raise MediaError(f"cannot mix {track.length} samples at {track.rate} Hz")
    hop = control_hop(track.rate)
    block = hop * _CONTROL_FRAMES_PER_BLOCK
    # Scratch files sit beside the stems, so the compressed dialogue becomes the voice
    # stem by a rename.
    with tempfile.TemporaryDirectory(prefix=".sparkle-mix-", dir=stems.mix.parent) as scratch:
        compressed = Path(scratch) / "voice.wav"
        voices = Timeline(track.voice, track.rate)
        spoken = _place_and_compress(voices, track.length, block, compressed)
        dialogue = _dialogue(compressed, track.length, block, hop, spoken)
        limiter = level.limiter if level is not None and not dialogue.loudness.silent else None
        guess = 0.0
        if level is not None and limiter is not None:
            first_guess = level.target_lufs - dialogue.loudness.integrated_lufs
            toll = _limiter_toll(compressed, track.length, block, first_guess, limiter)
            guess = _guess_gain(level.target_lufs, dialogue.loudness, toll)
        reference = dialogue.rms or _NO_SPEECH_RMS
        curve = duck_curve(dialogue.activity, hop, depth_db=track.duck_db)
        music = _Music(track)
        files_stack = contextlib.ExitStack()
        files_stack.callback(music.close)
        bed_rms = music.rms() if track.beds else 0.0
        scale = np.float32(
            reference * 10 ** (track.music_level_db / 20) / bed_rms if bed_rms > 0 else 0.0
        )
        tone = (
            reference * 10 ** (track.room_tone_db / 20) if track.room_tone_db is not None else 0.0
        )
        effects = Timeline(track.effects, track.rate)
        raw: Loudness | None = None
        with files_stack as files:
            voice_in = files.enter_context(WavReader(compressed))
            music_out = files.enter_context(wav_writer(stems.music, track.rate))
            effects_out = files.enter_context(wav_writer(stems.effects, track.rate))
            mix_out = files.enter_context(wav_writer(stems.mix, track.rate))
            leveled = (
                _Leveled.open(files, level, guess, track.rate)
                if level is not None and limiter is not None
                else None
            )
            # Unleveled, the raw mix's loudness is what the caller needs: measure it now.
            meter = files.enter_context(metering(track.rate)) if leveled is None else None

            def parts(first: int, count: int) -> _Parts:
                voice = voice_in.read(first, count)
                if track.beds:
                    bed = curve.apply(music.block(first, count) * scale, first)
                else:
                    bed = np.zeros(count, dtype=np.float32)
                sound = effects.block(first, count)
                if tone:
                    sound += (room_tone(track.seed, first, count) * tone).astype(np.float32)
                mixed = voice.copy()
                mixed += bed
                mixed += sound
                np.clip(mixed, -1.0, 1.0, out=mixed)
                return _Parts(first, to_int16(bed), to_int16(sound), mixed, to_int16(mixed))

            # The next block is made on a worker while this one is written and leveled
            # (numpy lets go of the interpreter while it works on whole blocks).
            for made in _ahead(parts, _blocks(track.length, block)):
                music_out.write(made.music)
                effects_out.write(made.effects)
                mix_out.write(made.mix_pcm)
                if meter is not None:
                    meter.write(made.mix_pcm)
                if leveled is not None:
                    leveled.push(made.first, made.mix)
            if leveled is not None:
                leveled.finish()
        if meter is not None:
            raw = meter.result
        compressed.replace(stems.voice)  # the compressed dialogue is the voice stem
    if leveled is None:
        assert raw is not None  # measured when there is no leveling
        return Mixed(raw=raw)
    return Mixed(raw=raw, gain_db=guess, leveled=leveled.result, landed=leveled.landed)


@dataclass(frozen=True)
class _Parts:
    """One block of the mix, made and converted, ready to be written."""

    first: int
    music: NDArray[np.int16]
    effects: NDArray[np.int16]
    mix: NDArray[np.float32]
    mix_pcm: NDArray[np.int16]


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


class _Leveled:
    """The normalized mix made alongside the raw one: written and measured."""

    def __init__(self, level: Leveling, gain_db: float, rate: int, out: WavWriter) -> None:
        self.level, self._out = level, out
        self._delayed = _Delayed(level.limiter, np.float32(10.0 ** (gain_db / 20.0)))
        self._metering: AbstractContextManager[LoudnessMeter] | None = metering(rate)
        self._meter = self._metering.__enter__()  # left by hand: read before the pass ends
        self.result: Loudness | None = None
        self.landed = False

    @classmethod
    def open(
        cls, files: contextlib.ExitStack, level: Leveling, gain_db: float, rate: int
    ) -> _Leveled:
        leveled = cls(level, gain_db, rate, files.enter_context(wav_writer(level.final, rate)))
        files.push(leveled._on_exit)
        return leveled

    def _write(self, samples: NDArray[np.float32] | None) -> None:
        if samples is None:
            return
        pcm = to_int16(samples)  # once, for both
        self._out.write(pcm)
        self._meter.write(pcm)

    def push(self, first: int, mixed: NDArray[np.float32]) -> None:
        self._write(self._delayed.push(first, mixed))

    def finish(self) -> None:
        self._write(self._delayed.flush())
        metering_, self._metering = self._metering, None
        if metering_ is not None:
            metering_.__exit__(None, None, None)
        self.result = self._meter.result
        assert self.result is not None  # set on leaving metering()
        self.landed = self.result.silent or (
            abs(self.level.target_lufs - self.result.integrated_lufs) <= CLOSE_ENOUGH_LU
        )

    def _on_exit(self, kind: object, error: object, trace: object) -> bool:
        """An error anywhere in the mix stops the meter's ffmpeg."""
        metering_, self._metering = self._metering, None
        if metering_ is not None:
            failure = error if isinstance(error, BaseException) else RuntimeError("mix stopped")
            metering_.__exit__(type(failure), failure, None)
        return False
