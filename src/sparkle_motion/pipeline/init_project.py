"""``sparkle-motion init``: a new project folder that renders as it is."""

from __future__ import annotations

from pathlib import Path

import yaml

from sparkle_motion.errors import ProjectError
from sparkle_motion.pipeline.atomic import write_atomic
from sparkle_motion.schemas import HUMAN_CHECKPOINTS, Canon, Script

__all__ = ["init_project"]


def _starter_script(title: str) -> Script:
    return Script.model_validate(
        {
            "schema_version": Script.SCHEMA_VERSION,
            "episode_id": "ep01",
            "title": title,
            "characters": [
                {"speaker_id": "ada", "name": "Ada"},
                {"speaker_id": "ben", "name": "Ben"},
            ],
            "scenes": [
                {
                    "id": "s1",
                    "heading": "INT. WORKSHOP - DAY",
                    "location": "Workshop",
                    "interior": True,
                    "time_of_day": "day",
                    "present": ["ada", "ben"],
                    "elements": [
                        {
                            "type": "action",
                            "id": "a1",
                            "text": "Ada sets a small brass robot on the bench.",
                        },
                        {
                            "type": "dialogue",
                            "id": "l1",
                            "speaker_id": "ada",
                            "text": "It walked three steps this morning. Three whole steps.",
                        },
                        {
                            "type": "dialogue",
                            "id": "l2",
                            "speaker_id": "ben",
                            "emotion": ["amazed"],
                            "text": "Then let's see the fourth.",
                        },
                    ],
                }
            ],
        }
    )


def init_project(target: Path, *, title: str | None = None) -> Path:
    target = target.resolve()
    if (target / "project.yaml").exists():
        raise ProjectError(
            "a project already exists here", where=str(target), hint="choose an empty folder"
        )
    name = title or target.name.replace("-", " ").replace("_", " ").title() or "My Show"
    project = {
        "schema_version": "1.0.0",
        "title": name,
        "genre": "drama",
        "target_duration": 20,
        "seed": 1,
        "render_profiles": ["preview_local"],
        "human_checkpoints": dict.fromkeys(HUMAN_CHECKPOINTS, True),
        "safety_mode": "fail_closed",
    }
    for folder in ("episodes", "assets/locations", "assets/music", "assets/characters"):
        (target / folder).mkdir(parents=True, exist_ok=True)
    write_atomic(
        target / "project.yaml",
        yaml.safe_dump(project, sort_keys=False, allow_unicode=True).encode(),
    )
    write_atomic(target / "canon.json", Canon.new().to_json() + b"\n")
    write_atomic(target / "episodes" / "ep01.script.json", _starter_script(name).to_json() + b"\n")
    return target
