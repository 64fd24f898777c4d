"""WAV in and out, and resampling."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sparkle_motion.audio.resample import resample, resampled_length
from sparkle_motion.audio.wav import join_wavs, read_wav, to_int16, write_wav
from sparkle_motion.errors import MediaError
from tests.audio.signals import tone


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.int16, st.integers(0, 500)))
def test_int16_round_trip_is_exact(
    tmp_path_factory: pytest.TempPathFactory, samples: np.ndarray
) -> None:
    path = tmp_path_factory.mktemp("wav") / "x.wav"
    write_wav(samples, path, 8000)
    back, rate = read_wav(path)
    assert rate == 8000 and back.dtype == np.float32
    assert np.array_equal(to_int16(back), samples)


def test_float_mapping_and_clipping() -> None:
    pcm = to_int16(np.array([0.0, 0.5, -0.5, 1.0, -1.0, 3.0, -3.0], dtype=np.float32))
    assert pcm.tolist() == [0, 16384, -16384, 32767, -32768, 32767, -32768]


def test_same_samples_same_bytes(tmp_path: Path) -> None:
    samples = tone(440.0, 0.1, 22050)
    write_wav(samples, tmp_path / "a.wav", 22050)
    write_wav(samples, tmp_path / "b.wav", 22050)
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()
    assert len((tmp_path / "a.wav").read_bytes()) == 44 + 2 * samples.size


def test_reads_stereo_24_bit_as_mono(tmp_path: Path) -> None:
    left, right = 0x200000, -0x100000  # 0.25 and -0.125 of full scale
    frame = left.to_bytes(3, "little", signed=True) + right.to_bytes(3, "little", signed=True)
    with wave.open(str(tmp_path / "s.wav"), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(3)
        out.setframerate(44100)
        out.writeframes(frame * 10)
    samples, rate = read_wav(tmp_path / "s.wav")
    assert rate == 44100 and samples.shape == (10,)
    assert samples[0] == pytest.approx((0.25 - 0.125) / 2)


@pytest.mark.parametrize("content", [b"", b"RIFF1234WAVE", b"hello world" * 20])
def test_unreadable_wav_is_a_media_error(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "bad.wav").write_bytes(content)
    with pytest.raises(MediaError):
        read_wav(tmp_path / "bad.wav")


def test_truncated_wav_is_a_media_error(tmp_path: Path) -> None:
    write_wav(tone(440.0, 0.1, 8000), tmp_path / "t.wav", 8000)
    data = (tmp_path / "t.wav").read_bytes()
    (tmp_path / "t.wav").write_bytes(data[:-100])
    with pytest.raises(MediaError, match="truncated"):
        read_wav(tmp_path / "t.wav")


def test_missing_wav(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="not found"):
        read_wav(tmp_path / "nope.wav")


@pytest.mark.parametrize(
    "samples",
    [
        np.zeros((2, 10), dtype=np.float32),
        np.array([np.nan], dtype=np.float32),
        np.zeros(3, dtype=np.int32),
    ],
)
def test_write_refuses_bad_samples(tmp_path: Path, samples: np.ndarray) -> None:
    with pytest.raises(MediaError):
        write_wav(samples, tmp_path / "x.wav", 8000)
    assert not any(tmp_path.iterdir())  # nothing left behind


@pytest.mark.parametrize(
    ("src", "dst"), [(22050, 48000), (48000, 22050), (44100, 48000), (16000, 48000), (22050, 12345)]
)
def test_resample_keeps_a_tone(src: int, dst: int) -> None:
    x = tone(440.0, 1.0, src)
    y = resample(x, src, dst)  # 22050 -> 12345 has 823 phases: no simple ratio
    assert y.size == dst
    expected = tone(440.0, 1.0, dst)
    inner = slice(dst // 20, -dst // 20)  # away from the edges
    assert np.abs(y[inner] - expected[inner]).max() < 2e-3


def test_resample_is_deterministic_and_identity_at_same_rate() -> None:
    x = tone(1000.0, 0.3, 22050)
    assert np.array_equal(resample(x, 22050, 48000), resample(x, 22050, 48000))
    assert np.array_equal(resample(x, 22050, 22050), x)


def test_resample_removes_what_the_new_rate_cannot_hold() -> None:
    x = tone(15000.0, 0.5, 48000)  # above 11025 Hz, the Nyquist frequency of 22050
    y = resample(x, 48000, 22050)
    assert np.sqrt(np.mean(y[1000:-1000].astype(np.float64) ** 2)) < 1e-3


@settings(max_examples=50, deadline=None)
@given(
    st.integers(0, 3000),
    st.sampled_from([8000, 11025, 16000, 22050, 24000, 44100, 48000]),
    st.sampled_from([8000, 22050, 44100, 48000]),
)
def test_resample_length(length: int, src: int, dst: int) -> None:
    y = resample(np.zeros(length, dtype=np.float32), src, dst)
    assert y.size == resampled_length(length, src, dst)
    assert abs(y.size / dst - length / src) <= 0.5 / dst + 1e-12


def test_joined_wavs_are_their_samples_end_to_end(tmp_path: Path) -> None:
    parts = [tone(300.0, seconds, 16000, 0.3) for seconds in (0.5, 0.0, 1.25)]
    paths = [tmp_path / f"{n}.wav" for n in range(len(parts))]
    for samples, path in zip(parts, paths, strict=True):
        write_wav(samples, path, 16000)
    join_wavs(paths, tmp_path / "joined.wav", 16000)
    write_wav(np.concatenate(parts), tmp_path / "whole.wav", 16000)
    assert (tmp_path / "joined.wav").read_bytes() == (tmp_path / "whole.wav").read_bytes()
    join_wavs([], tmp_path / "none.wav", 16000)
    assert read_wav(tmp_path / "none.wav")[0].size == 0


def test_only_like_wavs_join(tmp_path: Path) -> None:
    write_wav(tone(300.0, 0.1, 16000), tmp_path / "a.wav", 16000)
    write_wav(tone(300.0, 0.1, 22050), tmp_path / "b.wav", 22050)
    with pytest.raises(MediaError, match="at 16000 Hz") as raised:
        join_wavs([tmp_path / "a.wav", tmp_path / "b.wav"], tmp_path / "out.wav", 16000)
    assert "b.wav" in str(raised.value)
    assert not (tmp_path / "out.wav").exists()
