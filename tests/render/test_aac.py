"""A soundtrack's AAC encoded as two halves at once: same length, no seam to hear."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkle_motion.audio.wav import read_wav, write_wav
from sparkle_motion.errors import MediaError
from sparkle_motion.ffmpeg import run_ffmpeg
from sparkle_motion.render.aac import (
    AUDIO_BITRATE,
    FRAME,
    adts_packets,
    encode_split,
    encoder_args,
    quiet_cut,
)

RATE = 48000


def _speechlike(seconds: float) -> np.ndarray:
    """Bursts of a gliding tone with pauses, over a soft chord: something like a mix."""
    t = np.arange(round(seconds * RATE)) / RATE
    bursts = (np.sin(2 * np.pi * 0.7 * t) > 0.2).astype(np.float64)
    voice = 0.4 * bursts * np.sin(2 * np.pi * (180 + 40 * np.sin(2 * np.pi * 0.3 * t)) * t)
    bed = 0.03 * (np.sin(2 * np.pi * 220 * t) + np.sin(2 * np.pi * 277 * t))
    return (voice + bed).astype(np.float32)


def _decode(adts: Path, folder: Path) -> np.ndarray:
    wav = folder / f"{adts.stem}.wav"
    run_ffmpeg(["-f", "aac", "-i", str(adts), "-ac", "1", "-c:a", "pcm_s16le", str(wav)])
    samples, _ = read_wav(wav)
    return samples


def _single(source: Path, out: Path) -> None:
    """One encode with the render's own encoder settings: the baseline the halves match."""
    run_ffmpeg(["-i", str(source), *encoder_args(AUDIO_BITRATE), "-f", "adts", str(out)])


def _snr(reference: np.ndarray, decoded: np.ndarray) -> float:
    error = decoded[: reference.size] - reference
    return 10 * math.log10(float(np.sum(reference**2)) / float(np.sum(error**2)))


def test_two_halves_decode_like_one_encode(tmp_path: Path) -> None:
    sound = _speechlike(20.0)
    source = tmp_path / "mix.wav"
    write_wav(sound, source, RATE)
    cut = 480 * FRAME  # ~10.2 s
    encode_split(source, tmp_path / "split.aac", cut, "96k")
    split = _decode(tmp_path / "split.aac", tmp_path)
    # Same frames as one encode, which starts with a priming frame the split drops.
    _single(source, tmp_path / "one.aac")
    one = _decode(tmp_path / "one.aac", tmp_path)[FRAME:]
    assert split.size == math.ceil(sound.size / FRAME) * FRAME
    assert 0 <= split.size - sound.size < FRAME  # at most one frame over
    body = slice(FRAME, sound.size)  # the first frame has no overlap partner
    assert _snr(sound[body], split[body]) > _snr(sound[body], one[body]) - 1.0
    seam = slice(cut - 4 * FRAME, cut + 4 * FRAME)
    assert np.max(np.abs(split[seam] - sound[seam])) < 4 * np.max(np.abs(one[seam] - sound[seam]))


def test_the_same_sound_gives_the_same_bytes(tmp_path: Path) -> None:
    source = tmp_path / "mix.wav"
    write_wav(_speechlike(12.0), source, RATE)
    encode_split(source, tmp_path / "a.aac", 300 * FRAME, "96k")
    encode_split(source, tmp_path / "b.aac", 300 * FRAME, "96k")
    assert (tmp_path / "a.aac").read_bytes() == (tmp_path / "b.aac").read_bytes()
    assert len(adts_packets((tmp_path / "a.aac").read_bytes())) == math.ceil(12 * RATE / FRAME)


@given(st.integers(0, 3000), st.lists(st.tuples(st.integers(0, 3000), st.integers(1, 200))))
@settings(max_examples=60, deadline=None)
def test_a_cut_falls_on_a_frame_with_room_for_both_rolls(
    seconds_tenths: int, pauses: list[tuple[int, int]]
) -> None:
    total = seconds_tenths * RATE // 10
    gaps = [(start * RATE // 10, (start + length) * RATE // 10) for start, length in pauses]
    cut = quiet_cut(total, gaps)
    if cut is not None:
        assert cut % FRAME == 0
        assert 8 * FRAME <= cut <= total - 8 * FRAME


def test_the_cut_is_in_the_pause_nearest_the_middle() -> None:
    total = 60 * RATE
    cut = quiet_cut(total, [(5 * RATE, 6 * RATE), (29 * RATE, 30 * RATE), (50 * RATE, 51 * RATE)])
    assert cut is not None and 29 * RATE <= cut <= 30 * RATE
    assert quiet_cut(5 * RATE, []) is None  # too short to split


def test_bad_streams_and_cuts_are_refused(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="ADTS"):
        adts_packets(b"\x00" * 20)
    source = tmp_path / "mix.wav"
    write_wav(_speechlike(3.0), source, RATE)
    with pytest.raises(MediaError, match="cannot cut"):
        encode_split(source, tmp_path / "x.aac", 1000, "96k")
