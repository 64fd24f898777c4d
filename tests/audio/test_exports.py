"""The audio package's public surface is complete and importable."""

from __future__ import annotations

import importlib
import pkgutil

import sparkle_motion.audio as audio
from sparkle_motion.audio import loudness, mix, soundtrack, speech_cache, voices

# Every module of the package, found rather than listed, so a new one is checked too.
_MODULES = tuple(
    importlib.import_module(f"{audio.__name__}.{info.name}")
    for info in pkgutil.iter_modules(audio.__path__)
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
    assert len(_MODULES) >= 17  # the package's modules were found
    for module in _MODULES:
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
