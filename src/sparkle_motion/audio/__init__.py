"""Audio primitives: speech engines, the speech cache, mixing, music beds, loudness.

This layer knows nothing of stories: plain values in, WAV files and arrays
out, byte for byte the same for the same inputs.
"""

from sparkle_motion.audio.decode import decode_to_wav
from sparkle_motion.audio.delivery import DELIVERIES, delivery_for
from sparkle_motion.audio.dialogue import Dialogue, compress_dialogue
from sparkle_motion.audio.levels import guess_gain, level_mix, level_step, limiter_toll
from sparkle_motion.audio.loudness import (
    Loudness,
    Metered,
    integrated_lufs,
    loudness_range,
    momentary_filter,
    parse_summary,
    read_momentary,
)
from sparkle_motion.audio.meter import LoudnessMeter, measure, measure_parallel, metering
from sparkle_motion.audio.mix import (
    GainCurve,
    Placement,
    Timeline,
    control_hop,
    duck,
    duck_curve,
    mix_voice_timeline,
    voice_activity,
)
from sparkle_motion.audio.music import MusicBed, generate_music_bed
from sparkle_motion.audio.normalization import normalize
from sparkle_motion.audio.room import room_tone
from sparkle_motion.audio.soundtrack import mix_soundtrack
from sparkle_motion.audio.speech_cache import SpeechCache, SpeechClip
from sparkle_motion.audio.stems import mix_stems
from sparkle_motion.audio.stretch import Bed, Soundtrack, Stems
from sparkle_motion.audio.tts import (
    EspeakEngine,
    PiperEngine,
    SilentEngine,
    SpeechEngine,
    engine_for,
    release_engines,
)
from sparkle_motion.audio.voices import Voice, default_voice_for, voice_for
from sparkle_motion.audio.wav import read_wav, write_wav

__all__ = [
    "DELIVERIES",
    "Bed",
    "Dialogue",
    "EspeakEngine",
    "GainCurve",
    "Loudness",
    "LoudnessMeter",
    "Metered",
    "MusicBed",
    "PiperEngine",
    "Placement",
    "SilentEngine",
    "Soundtrack",
    "SpeechCache",
    "SpeechClip",
    "SpeechEngine",
    "Stems",
    "Timeline",
    "Voice",
    "compress_dialogue",
    "control_hop",
    "decode_to_wav",
    "default_voice_for",
    "delivery_for",
    "duck",
    "duck_curve",
    "engine_for",
    "generate_music_bed",
    "guess_gain",
    "integrated_lufs",
    "level_mix",
    "level_step",
    "limiter_toll",
    "loudness_range",
    "measure",
    "measure_parallel",
    "metering",
    "mix_soundtrack",
    "mix_stems",
    "mix_voice_timeline",
    "momentary_filter",
    "normalize",
    "parse_summary",
    "read_momentary",
    "read_wav",
    "release_engines",
    "room_tone",
    "voice_activity",
    "voice_for",
    "write_wav",
]
