"""The audio package's public surface is complete and importable."""

from __future__ import annotations

import sparkle_motion.audio as audio
from sparkle_motion.audio import (
    beds,
    decode,
    dialogue,
    levels,
    loudness,
    meter,
    mix,
    music,
    normalization,
    room,
    soundtrack,
    speech_cache,
    stems,
    stretch,
    tts,
    voices,
    wav,
)

_MODULES = (
    beds,
    decode,
    dialogue,
    levels,
    loudness,
    meter,
    mix,
    music,
    normalization,
    room,
    soundtrack,
    speech_cache,
    stems,
    stretch,
    tts,
    voices,
    wav,
)


def test_all_names_exist_and_are_sorted() -> None:
    for name in audio.__all__:
        assert hasattr(audio, name), name
    # isort style, as ruff keeps it: constants first, then everything else in order
    assert audio.__all__ == sorted(audio.__all__, key=lambda n: (not n.isupper(), n))


# Constants stay in their modules; everything else a stage calls comes from the package.
_MODULE_ONLY = {
    "CLOSE_ENOUGH_LU",
    "EBUR128",
    "LIMITER_MARGIN_DB",
    "CACHE_FORMAT",
    "ENGINES",
    "MAX_PITCH_SEMITONES",
    "PEAK_FLOOR_DBTP",
    "SILENCE_LUFS",
}


def test_the_package_exports_every_function_and_type() -> None:
    for module in (loudness, mix, soundtrack, speech_cache, voices):
        assert set(module.__all__) - _MODULE_ONLY <= set(audio.__all__), module.__name__


def test_module_exports_exist() -> None:
    for module in _MODULES:
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
