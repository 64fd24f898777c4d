"""A stretch of soundtrack (a scene, say), mixed a block at a time: memory stays flat.

Voice lines and sound effects are placed on a timeline (:class:`.mix.Timeline`);
music beds play under stretches of it, crossfading where one gives way to
another, set ``music_level_db`` under the dialogue (by RMS) and ducked while
anyone speaks; an optional room tone fills the silences. The dialogue is
compressed before anything is set against it (:func:`.dialogue.compress_dialogue`),
the music and effects stems are made against it (:func:`.stems.mix_stems`), and
the mix is the three summed, gained and limited (:func:`.levels.level_mix`):
16-bit WAVs of exactly ``length`` samples, the mix metered as it is written.

Everything a stretch needs from elsewhere comes in as plain numbers (the
dialogue level beds sit under, the mix's gain), and what it measured goes out
as plain numbers (:class:`.dialogue.Dialogue`, :class:`.loudness.Metered`) that
join with other stretches': an episode mixes its scenes apart and sets its
levels across them, and a new gain remakes only the mixes. The files a
stretch plays (effects, library beds) are WAVs at the mix rate, which
:func:`.decode.decode_to_wav` makes of any audio file.
"""

from __future__ import annotations

from sparkle_motion.audio.dialogue import compress_dialogue
from sparkle_motion.audio.levels import level_mix
from sparkle_motion.audio.loudness import Metered
from sparkle_motion.audio.stems import mix_stems
from sparkle_motion.audio.stretch import Soundtrack, Stems

__all__ = ["mix_soundtrack"]


def mix_soundtrack(track: Soundtrack, stems: Stems) -> Metered:
    """A stretch on its own: its dialogue compressed into ``stems.voice``, then mixed.

    The beds are set under this stretch's own dialogue and the mix is the
    plain sum, clipped; an episode sets its levels across its scenes instead.
    """
    dialogue = compress_dialogue(track, stems.voice)
    mix_stems(track, stems, dialogue.rms)
    return level_mix(stems)
