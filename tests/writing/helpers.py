"""Small helpers shared by the Fountain tests."""

from __future__ import annotations

from sparkle_motion.schemas import Script
from sparkle_motion.writing.fountain import export_fountain, parse_fountain


def without_source_lines(script: Script) -> Script:
    """The script with claims' ``source_line`` cleared: it points into the file it came from."""
    scenes = [
        scene.model_copy(
            update={"claims": [c.model_copy(update={"source_line": None}) for c in scene.claims]}
        )
        for scene in script.scenes
    ]
    return script.model_copy(update={"scenes": scenes})


def reimported(script: Script) -> Script:
    return parse_fountain(export_fountain(script), episode_id=script.episode_id, source="export")


def parse(text: str, source: str = "ep01.fountain") -> Script:
    return parse_fountain(text, episode_id="ep01", source=source)
