"""Audio primitives: speech engines, the speech cache, mixing, music beds, loudness.

This layer knows nothing of stories: plain values in, WAV files and arrays
out, byte for byte the same for the same inputs.
"""

from sparkle_motion.audio.delivery import DELIVERIES, delivery_for
from sparkle_motion.audio.loudness import Loudness, measure, normalize
from sparkle_motion.audio.mix import Placement, compress_dialogue, duck, mix_voice_timeline
from sparkle_motion.audio.music import generate_music_bed
from sparkle_motion.audio.speech_cache import SpeechCache, SpeechClip
from sparkle_motion.audio.tts import PiperEngine, SilentEngine, SpeechEngine, engine_for
from sparkle_motion.audio.voices import Voice, default_voice_for
from sparkle_motion.audio.wav import read_wav, write_wav

__all__ = [
    "DELIVERIES",
    "Loudness",
    "PiperEngine",
    "Placement",
    "SilentEngine",
    "SpeechCache",
    "SpeechClip",
    "SpeechEngine",
    "Voice",
    "compress_dialogue",
    "default_voice_for",
    "delivery_for",
    "duck",
    "engine_for",
    "generate_music_bed",
    "measure",
    "mix_voice_timeline",
    "normalize",
    "read_wav",
    "write_wav",
]
