"""The block-by-block episode mix: stems, levels, ducking, beds, room tone, flat memory."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkle_motion.audio.beds import _Weight
from sparkle_motion.audio.dialogue import Dialogue, compress_dialogue
from sparkle_motion.audio.levels import guess_gain, level_mix, level_step
from sparkle_motion.audio.limiter import PeakLimiter, limit_peaks
from sparkle_motion.audio.loudness import Metered, integrated_lufs
from sparkle_motion.audio.mix import Placement, Timeline
from sparkle_motion.audio.music import MusicBed
from sparkle_motion.audio.room import room_tone
from sparkle_motion.audio.soundtrack import mix_soundtrack
from sparkle_motion.audio.stems import mix_stems
from sparkle_motion.audio.stretch import Bed, Soundtrack, Stems
from sparkle_motion.audio.wav import read_wav, write_wav
from tests.audio.signals import rms_db, write_tone

RATE = 16000


def _stems(folder: Path) -> Stems:
    folder.mkdir(parents=True, exist_ok=True)
    return Stems(
        voice=folder / "voice.wav",
        music=folder / "music.wav",
        effects=folder / "effects.wav",
        mix=folder / "mix.wav",
    )


@pytest.fixture(scope="module")
def line(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two seconds of a steady 'voice' at the speech engine's rate."""
    return write_tone(tmp_path_factory.mktemp("line") / "line.wav", 200.0, 2.0, 22050, 0.3)


def _track(line: Path, seconds: float = 20.0, **changes: object) -> Soundtrack:
    fields: dict[str, object] = {
        "length": round(seconds * RATE),
        "rate": RATE,
        "seed": 3,
        "voice": [Placement(line, 4.0), Placement(line, 12.0)],
        "beds": [Bed(spans=((0, round(seconds * RATE)),), mood="calm")],
    }
    fields.update(changes)
    return Soundtrack(**fields)  # type: ignore[arg-type]


def _read(path: Path) -> np.ndarray:
    samples, rate = read_wav(path)
    assert rate == RATE
    return samples


def test_stems_have_the_length_and_the_mix_is_their_sum(line: Path, tmp_path: Path) -> None:
    stems = _stems(tmp_path)
    mix_soundtrack(_track(line, room_tone_db=-30.0), stems)
    voice, music, effects, mix = (
        _read(p) for p in (stems.voice, stems.music, stems.effects, stems.mix)
    )
    assert voice.size == music.size == effects.size == mix.size == 20 * RATE
    total = np.clip(voice + music + effects, -1.0, 1.0)
    assert np.max(np.abs(mix - total)) <= 3 / 32768  # each stem rounded to 16 bits on its own


def test_music_sits_under_the_dialogue_and_ducks_while_anyone_speaks(
    line: Path, tmp_path: Path
) -> None:
    stems = _stems(tmp_path)
    mix_soundtrack(_track(line, music_level_db=-20.0, duck_db=12.0), stems)
    voice, music = _read(stems.voice), _read(stems.music)
    speech = rms_db(voice, RATE, 4.2, 5.8)
    clear = rms_db(music, RATE, 8.0, 11.0)  # nobody speaks from 6.5 s to 11.5 s
    ducked = rms_db(music, RATE, 4.2, 5.8)
    assert -26.0 < clear - speech < -14.0
    assert 9.0 < clear - ducked < 15.0


def test_two_moods_crossfade_where_they_meet(line: Path, tmp_path: Path) -> None:
    cut = 10 * RATE
    beds = [
        Bed(spans=((0, cut),), mood="calm"),
        Bed(spans=((cut, 20 * RATE),), mood="tense"),
    ]
    weight = [_Weight(bed.spans, 20 * RATE, RATE) for bed in beds]
    at = np.arange(0, 20 * RATE, 997)
    shares = [w.block(0, 20 * RATE)[at] for w in weight]
    assert np.allclose(shares[0] + shares[1], 1.0)
    middle = [w.block(cut, 1)[0] for w in weight]
    assert middle == [0.5, 0.5]
    assert weight[0].block(0, 1)[0] == 1.0 and weight[1].block(20 * RATE - 1, 1)[0] == 1.0
    stems = _stems(tmp_path)
    mix_soundtrack(_track(line, beds=beds, voice=[]), stems)
    assert np.count_nonzero(_read(stems.music)) > 0.9 * 20 * RATE


def test_room_tone_is_off_unless_asked_and_sits_at_its_level(line: Path, tmp_path: Path) -> None:
    quiet = _stems(tmp_path / "off")
    mix_soundtrack(_track(line), quiet)
    assert not _read(quiet.effects).any()
    toned = _stems(tmp_path / "on")
    mix_soundtrack(_track(line, room_tone_db=-30.0), toned)
    speech = rms_db(_read(toned.voice), RATE, 4.2, 5.8)
    hiss = rms_db(_read(toned.effects), RATE, 0.0, 20.0)
    assert abs(hiss - (speech - 30.0)) < 1.5


@given(st.integers(0, 2**32), st.integers(-50_000, 300_000), st.integers(1, 70_000))
@settings(max_examples=25, deadline=None)
def test_room_tone_is_the_same_however_it_is_cut(seed: int, first: int, split: int) -> None:
    whole = room_tone(seed, first, 80_000)
    cut = min(split, 80_000)
    parts = np.concatenate(
        [room_tone(seed, first, cut), room_tone(seed, first + cut, 80_000 - cut)]
    )
    assert np.array_equal(whole, parts)


@given(st.sampled_from(["calm", "warm", "tense", "mysterious"]), st.integers(4_000, 200_000))
@settings(max_examples=12, deadline=None)
def test_a_music_bed_made_in_blocks_is_the_bed_made_at_once(mood: str, size: int) -> None:
    bed = MusicBed(mood, 20.0, seed=9, sample_rate=RATE)
    whole = bed.block(0, bed.total)
    parts = np.concatenate([bed.block(i, size) for i in range(0, bed.total, size)])
    assert np.array_equal(whole, parts[: bed.total])


def test_a_timeline_read_in_blocks_is_the_timeline_read_at_once(line: Path) -> None:
    placements = [Placement(line, 0.3), Placement(line, 1.1, -6.0), Placement(line, 9.0)]
    whole = Timeline(placements, RATE).block(0, 12 * RATE)
    timeline = Timeline(placements, RATE)
    parts = np.concatenate([timeline.block(i, 7001) for i in range(0, 12 * RATE, 7001)])
    assert np.array_equal(whole, parts[: 12 * RATE])


def test_the_same_soundtrack_gives_the_same_bytes(line: Path, tmp_path: Path) -> None:
    first, second = _stems(tmp_path / "a"), _stems(tmp_path / "b")
    mix_soundtrack(_track(line, room_tone_db=-35.0), first)
    mix_soundtrack(_track(line, room_tone_db=-35.0), second)
    for name in ("voice", "music", "effects", "mix"):
        assert getattr(first, name).read_bytes() == getattr(second, name).read_bytes()


def test_a_library_bed_loops_under_the_episode(tmp_path: Path, line: Path) -> None:
    loop = write_tone(tmp_path / "loop.wav", 330.0, 3.0, RATE, 0.2)
    stems = _stems(tmp_path / "out")
    mix_soundtrack(_track(line, beds=[Bed(spans=((0, 20 * RATE),), source=loop)]), stems)
    music = _read(stems.music)
    assert rms_db(music, RATE, 13.0, 16.0) > -60.0  # still playing after several loops
    # Cut wherever the stretch ends, the loop fades out over its last three seconds.
    assert rms_db(music, RATE, 19.0, 19.8) < rms_db(music, RATE, 13.0, 16.0) - 10.0
    assert np.max(np.abs(music[-RATE // 100 :])) < 1e-3


def test_an_effect_running_past_the_end_stops_without_a_click(tmp_path: Path, line: Path) -> None:
    boom = write_tone(tmp_path / "boom.wav", 90.0, 5.0, RATE, 0.5)
    stems = _stems(tmp_path / "out")
    mix_soundtrack(_track(line, seconds=4.0, effects=[Placement(boom, 1.0)]), stems)
    effects = _read(stems.effects)
    assert rms_db(effects, RATE, 2.0, 3.0) > -12.0
    assert abs(effects[-1]) < 1e-3  # faded to nothing over the last 20 ms


def _peak_memory(line: Path, folder: Path, seconds: float) -> int:
    voice = [Placement(line, start) for start in np.arange(1.0, seconds - 3.0, 5.0)]
    track = _track(line, seconds, voice=voice, room_tone_db=-40.0)
    tracemalloc.start()
    try:
        mix_soundtrack(track, _stems(folder))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_memory_stays_flat_whatever_the_length(line: Path, tmp_path: Path) -> None:
    short = _peak_memory(line, tmp_path / "short", 60.0)
    long = _peak_memory(line, tmp_path / "long", 600.0)
    assert long < 1.5 * short  # ten times the length, about the same memory
    assert long < 64 * 2**20


def test_silence_mixes_to_silence(tmp_path: Path) -> None:
    stems = _stems(tmp_path)
    mix_soundtrack(Soundtrack(length=RATE, rate=RATE, seed=1), stems)
    assert not _read(stems.mix).any()
    mix_soundtrack(Soundtrack(length=0, rate=RATE, seed=1), _stems(tmp_path / "empty"))
    assert _read(tmp_path / "empty" / "mix.wav").size == 0


@pytest.mark.parametrize("mood", ["calm", "warm", "tense", "mysterious"])
def test_a_bed_s_level_is_one_turn_of_its_chords_whatever_its_length(mood: str) -> None:
    short, long = MusicBed(mood, 60.0, 4, RATE), MusicBed(mood, 600.0, 4, RATE)
    assert short.rms() == long.rms() > 0.0
    whole = long.block(0, long.total).astype(np.float64)
    assert 20 * np.log10(long.rms() / np.sqrt(np.mean(whole**2))) == pytest.approx(0.0, abs=0.5)


def test_dialogue_compression_brings_soft_and_loud_words_together(tmp_path: Path) -> None:
    """The voice stem is the placed dialogue through the compressor: soft words come up."""
    rate = 48000
    t = np.arange(rate * 2) / rate
    words = np.sin(2 * np.pi * 200 * t).astype(np.float32)
    words[:rate] *= 0.05  # a soft word, then a loud one
    words[rate:] *= 0.5
    write_wav(words, tmp_path / "words.wav", rate)

    def squeeze(folder: Path) -> np.ndarray:
        stems = _stems(tmp_path / folder)
        track = Soundtrack(
            length=words.size, rate=rate, seed=1, voice=[Placement(tmp_path / "words.wav", 0.0)]
        )
        mix_soundtrack(track, stems)
        return read_wav(stems.voice)[0]

    squeezed = squeeze(Path("a"))
    assert squeezed.shape == words.shape and squeezed.dtype == np.float32

    def level(x: np.ndarray) -> float:
        return float(20 * np.log10(np.sqrt(np.mean(x.astype(np.float64) ** 2))))

    before = level(words[60000:]) - level(words[12000:48000])
    after = level(squeezed[60000:]) - level(squeezed[12000:48000])
    assert after < before - 4
    assert np.array_equal(squeezed, squeeze(Path("b")))


def test_a_gained_mix_is_held_under_the_limiter_s_ceiling(line: Path, tmp_path: Path) -> None:
    track = _track(line)
    ceiling = 10 ** (-3.0 / 20)

    def mixed(name: str, gain_db: float | None) -> tuple[Stems, Metered]:
        stems = _stems(tmp_path / name)
        dialogue = compress_dialogue(track, stems.voice)
        limiter = PeakLimiter(RATE, ceiling) if gain_db is not None else None
        mix_stems(track, stems, dialogue.rms)
        return stems, level_mix(stems, gain_db=gain_db or 0.0, limiter=limiter)

    plain, as_is = mixed("plain", None)
    _, lowered = mixed("softer", -6.0)
    louder, raised = mixed("louder", 12.0)
    # Gain goes on the sum; the stems stay as they were.
    assert np.array_equal(_read(plain.music), _read(louder.music))
    level = integrated_lufs(as_is.momentary)
    assert integrated_lufs(lowered.momentary) - level == pytest.approx(-6.0, abs=0.1)
    assert np.max(np.abs(_read(louder.mix))) <= ceiling + 1 / 32768
    assert 0.0 < integrated_lufs(raised.momentary) - level < 12.0  # the limiter took its toll
    assert raised.loudness.integrated_lufs == pytest.approx(
        integrated_lufs(raised.momentary), abs=0.1
    )


def test_dialogues_measured_apart_join_into_the_whole(line: Path, tmp_path: Path) -> None:
    one = compress_dialogue(_track(line, voice=[Placement(line, 4.0)]), tmp_path / "1.wav")
    two = compress_dialogue(_track(line, voice=[Placement(line, 2.0)]), tmp_path / "2.wav")
    both = Dialogue.joined([one, two])
    assert both.speech_samples == one.speech_samples + two.speech_samples
    assert both.rms == pytest.approx(one.rms, rel=0.01)  # the same line twice: the same level
    assert len(both.momentary) == len(one.momentary) + len(two.momentary) == 400
    assert both.integrated_lufs == pytest.approx(one.integrated_lufs, abs=0.1)
    assert Dialogue.joined([]).rms == 0.0


@given(st.floats(-60.0, 60.0), st.floats(-0.49, 0.49), st.sampled_from([0.1, 0.5]))
def test_levels_move_in_steps(db: float, nudge: float, size: float) -> None:
    step = level_step(db, size)
    assert abs(step - db) <= size / 2 + 1e-9
    assert level_step(step, size) == step == round(step, 6)
    assert level_step(step + nudge * size, size) == step  # a small move stays in its step


def test_the_gain_guess_adds_the_limiter_s_toll() -> None:
    assert guess_gain(-16.0, -24.0, []) == 8.0
    assert guess_gain(-16.0, -24.0, [(1.0, 1.0)]) == 8.0
    # A limiter that took nine tenths of the speech's power (10 dB) off it.
    assert guess_gain(-16.0, -24.0, [(2.0, 0.2), (0.0, 0.0)]) == pytest.approx(8.0 + 12.0)


def test_a_limited_mix_is_the_whole_sum_limited_at_once(line: Path, tmp_path: Path) -> None:
    """Block by block, one block late, the limiter gives what it gives the whole signal."""
    track = _track(line, seconds=50.0, room_tone_db=-30.0)  # three blocks at 16 kHz
    stems = _stems(tmp_path)
    mix_stems(track, stems, compress_dialogue(track, stems.voice).rms)
    ceiling = 10 ** (-6.0 / 20)
    level_mix(stems, gain_db=9.0, limiter=PeakLimiter(RATE, ceiling))
    summed = _read(stems.voice) + _read(stems.music) + _read(stems.effects)
    raised = summed * np.float32(10 ** (9.0 / 20))
    assert np.max(np.abs(raised)) > 1.5 * ceiling  # the limiter has work to do
    whole = limit_peaks(raised, RATE, ceiling)
    assert np.max(np.abs(_read(stems.mix) - whole)) <= 1 / 32768
