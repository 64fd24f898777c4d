"""Fixtures for the audio tests: one piper engine per session, and tone files."""

from __future__ import annotations

from pathlib import Path

import pytest

from sparkle_motion.audio.tts import SpeechEngine, engine_for
from sparkle_motion.audio.voices import Voice


@pytest.fixture(scope="session")
def piper() -> SpeechEngine:
    """The process-wide piper engine, loaded (about 2 s) once for the whole session."""
    engine = engine_for(Voice())
    engine.synthesize("Ready.", Voice())
    return engine


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A session-wide scratch folder for inputs that many tests (and hypothesis examples) share."""
    return tmp_path_factory.mktemp("audio")
