"""espeak-ng's voices as a speech engine, when the espeak-ng program is installed.

espeak-ng is a formant synthesizer: robotic next to the bundled neural
voice, but with a hundred-odd voices of distinct timbre (``en-us``,
``en-gb+f3``, ``en-us+m7``, …), which a writer can give to a cast larger than
pitch and pace variants tell apart. It is chosen per speaker in
``project.yaml`` (``engine: espeak``, ``model: <voice>``), never by default:
what a project sounds like must not depend on what a machine has installed.

Its output is the same bytes for the same text, voice and speed; the
engine id names the program's version, so another espeak-ng misses the
speech cache. Lines are finished as every engine's are
(:func:`.finish.finish_line`).
"""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
from numpy.typing import NDArray

from sparkle_motion.audio.delivery import delivery_identity, style_of
from sparkle_motion.audio.finish import finish_line
from sparkle_motion.audio.pitch import pitch_identity
from sparkle_motion.audio.speech_text import clean_text, silence_for
from sparkle_motion.audio.voices import Voice
from sparkle_motion.errors import SpeechError

__all__ = ["ESPEAK_RATE", "EspeakEngine"]

ESPEAK_RATE = 22050  # espeak-ng speaks at this rate, whatever the voice
_WORDS_PER_MINUTE = 165  # the pace of length_scale 1: a little under espeak's brisk 175
_SPEED_RANGE = (80, 450)  # what espeak-ng accepts
_TIMEOUT_SECONDS = 60.0
_INSTALL_HINT = (
    "install espeak-ng (Debian/Ubuntu: apt install espeak-ng; macOS: brew install espeak-ng) "
    "or give the speaker a piper voice"
)


class EspeakEngine:
    """The espeak-ng program, found on ``PATH`` (or given), one process per line."""

    def __init__(self, program: str = "espeak-ng") -> None:
        self._program = shutil.which(program)  # None: not installed
        self._engine_id: str | None = None

    @property
    def available(self) -> bool:
        return self._program is not None

    def _run(self, args: list[str], text: str | None = None, where: str = "espeak-ng") -> bytes:
        if self._program is None:
            raise SpeechError("espeak-ng is not installed", where=where, hint=_INSTALL_HINT)
        try:
            done = subprocess.run(
                [self._program, *args],
                input=None if text is None else text.encode("utf-8"),
                capture_output=True,
                timeout=_TIMEOUT_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SpeechError(f"espeak-ng could not run: {exc}", where=where) from exc
        if done.returncode != 0:
            problem = done.stderr.decode("utf-8", "replace").strip()[-300:]
            raise SpeechError(
                f"espeak-ng failed: {problem or f'exit status {done.returncode}'}",
                where=where,
                hint="list the voices it has with: espeak-ng --voices=en",
            )
        return done.stdout

    @property
    def engine_id(self) -> str:
        """espeak-ng's version, the pace rule, and the finishing steps' versions."""
        if self._engine_id is None:
            banner = self._run(["--version"]).decode("utf-8", "replace")
            found = re.search(r"text-to-speech:\s*(\S+)", banner)
            version = found.group(1) if found else banner.strip()[:40]
            self._engine_id = (
                f"espeak-ng {version} wpm={_WORDS_PER_MINUTE}; pitch {pitch_identity()}; "
                f"delivery {delivery_identity()}"
            )
        return self._engine_id

    @property
    def sample_rate(self) -> int:
        return ESPEAK_RATE

    def synthesize(self, text: str, voice: Voice) -> NDArray[np.int16]:
        """Speak ``text`` in ``voice.model`` (an espeak-ng voice name) at the voice's pace."""
        words = clean_text(text)
        pace = voice.length_scale * style_of(voice.delivery).pace
        speed = round(min(max(_WORDS_PER_MINUTE / pace, _SPEED_RANGE[0]), _SPEED_RANGE[1]))
        wav = self._run(
            ["-v", voice.model, "-s", str(speed), "--stdin", "--stdout"],
            words,
            where=f"espeak-ng voice {voice.model}",
        )
        audio = _samples(wav, voice.model)
        peak = float(np.max(np.abs(audio))) if audio.size else 0.0
        if peak < 1e-8:  # nothing pronounceable: a pause as long as reading it
            return silence_for(text, voice.length_scale, ESPEAK_RATE)
        return finish_line(audio / peak, voice, ESPEAK_RATE)


def _samples(wav: bytes, voice_name: str) -> NDArray[np.float64]:
    """The 16-bit mono samples of the WAV espeak-ng streams (its header's lengths are
    placeholders: everything after the data chunk's header is sound)."""
    at = wav.find(b"data", 12)
    if wav[:4] != b"RIFF" or at < 0:
        raise SpeechError(
            "espeak-ng gave no sound",
            where=f"voice {voice_name}",
            hint="list the installed voices with: espeak-ng --voices",
        )
    rate = int.from_bytes(wav[24:28], "little")
    channels, width = int.from_bytes(wav[22:24], "little"), int.from_bytes(wav[34:36], "little")
    if (rate, channels, width) != (ESPEAK_RATE, 1, 16):
        raise SpeechError(
            f"espeak-ng spoke {channels} channels of {width} bits at {rate} Hz, expected "
            f"mono 16-bit at {ESPEAK_RATE} Hz",
            where=f"voice {voice_name}",
        )
    data = wav[at + 8 :]
    pcm = np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2")
    return pcm.astype(np.float64) / 32768.0
