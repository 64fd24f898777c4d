"""Voices are validated values; default voices are distinct and natural."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sparkle_motion.audio.delivery import delivery_for
from sparkle_motion.audio.voices import Voice, default_voice_for
from sparkle_motion.errors import SpeechError


def test_defaults() -> None:
    assert Voice() == Voice(engine="piper", model="joe", length_scale=1.0)
    assert default_voice_for(0) == Voice()


@pytest.mark.parametrize(
    "bad",
    [
        {"engine": "espeak-ultra"},
        {"model": " "},
        {"length_scale": 0.0},
        {"length_scale": math.nan},
        {"pitch_semitones": 13.0},
        {"volume_db": math.inf},
    ],
)
def test_invalid_voices_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(SpeechError):
        Voice(**bad)  # type: ignore[arg-type]


def test_first_voices_are_pairwise_distinct() -> None:
    voices = [default_voice_for(i) for i in range(8)]
    assert len({(v.pitch_semitones, v.length_scale) for v in voices}) == 8
    for a in range(4):
        for b in range(a + 1, 4):
            assert abs(voices[a].pitch_semitones - voices[b].pitch_semitones) >= 1.25


@given(st.integers(min_value=0, max_value=10_000))
def test_every_default_voice_is_natural_and_deterministic(index: int) -> None:
    voice = default_voice_for(index)
    assert voice == default_voice_for(index)
    assert voice.engine == "piper" and voice.model == "joe"
    assert -3.0 <= voice.pitch_semitones <= 3.0
    assert 0.9 <= voice.length_scale <= 1.12
    assert voice.volume_db == 0.0


def test_later_speakers_still_vary() -> None:
    later = {
        (default_voice_for(i).pitch_semitones, default_voice_for(i).length_scale)
        for i in range(8, 40)
    }
    assert len(later) >= 28


def test_negative_speaker_index() -> None:
    with pytest.raises(SpeechError):
        default_voice_for(-1)


def test_delivery_tags_map_to_styles() -> None:
    assert delivery_for("vo") == ""
    assert delivery_for("O.S.") == "offscreen"
    assert delivery_for(None, ["angry", "whispering"]) == "whisper"
    assert delivery_for("radio", ["shouting"]) == "radio"
    assert delivery_for(None, ["shouts"]) == "shout"
    assert delivery_for(None, ["sad"]) == ""


def test_an_unknown_delivery_is_refused() -> None:
    with pytest.raises(SpeechError, match="delivery"):
        Voice(delivery="sing")
