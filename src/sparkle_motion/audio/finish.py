"""A spoken line's last steps, whatever engine spoke it: headroom, pitch, delivery, volume.

Lines come out of an engine as float audio peaking at full scale; here they
are set to peak at -3 dBFS, pitch-shifted at constant duration (see
:mod:`sparkle_motion.audio.pitch`), given their delivery's filters, then the
voice's volume.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sparkle_motion.audio.delivery import style_of
from sparkle_motion.audio.pitch import apply_filters, shift_pitch
from sparkle_motion.audio.voices import Voice

__all__ = ["HEADROOM_DB", "finish_line"]

HEADROOM_DB = 3.0  # lines peak at -3 dBFS, so up to +3 dB of volume never clips


def finish_line(audio: NDArray[np.floating], voice: Voice, sample_rate: int) -> NDArray[np.int16]:
    """Headroom, pitch, delivery, then volume: float speech to the final int16 line."""
    style = style_of(voice.delivery)
    level = 32767.0 * 10.0 ** (-HEADROOM_DB / 20.0)
    pcm = np.clip(np.round(audio.astype(np.float64) * level), -32768, 32767).astype(np.int16)
    semitones = voice.pitch_semitones + style.pitch_semitones
    if semitones != 0.0:
        pcm = shift_pitch(pcm, sample_rate, semitones)
    if style.filters:
        pcm = apply_filters(pcm, sample_rate, style.filters)
    volume = voice.volume_db + style.volume_db
    if volume != 0.0:
        gained = np.round(pcm.astype(np.float64) * 10.0 ** (volume / 20.0))
        pcm = np.clip(gained, -32768, 32767).astype(np.int16)
    finished: NDArray[np.int16] = pcm
    return finished
