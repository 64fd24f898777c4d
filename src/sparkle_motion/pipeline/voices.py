"""Which voice speaks for whom: project settings first, distinct defaults after."""

from __future__ import annotations

from sparkle_motion.audio import default_voice_for
from sparkle_motion.schemas import Project, Script, VoiceSetting

__all__ = ["cast_voices"]


def cast_voices(project: Project, script: Script) -> dict[str, VoiceSetting]:
    """A voice for every character of the script, in the script's character order."""
    voices: dict[str, VoiceSetting] = {}
    for index, character in enumerate(script.characters):
        configured = project.voices.get(character.speaker_id)
        if configured is not None:
            voices[character.speaker_id] = configured
            continue
        default = default_voice_for(index)
        voices[character.speaker_id] = VoiceSetting(
            engine="piper",
            model=default.model,
            length_scale=default.length_scale,
            pitch_semitones=default.pitch_semitones,
            volume_db=default.volume_db,
        )
    return voices
