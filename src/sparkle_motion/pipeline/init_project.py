"""``sparkle-motion init``: a new project folder that renders as it is."""

from __future__ import annotations

import secrets
from pathlib import Path

import yaml

from sparkle_motion.atomic import write_atomic
from sparkle_motion.canon.canon_file import export_bytes
from sparkle_motion.canon.keys import new_project_id
from sparkle_motion.errors import InputError, ProjectError
from sparkle_motion.schemas import HUMAN_CHECKPOINTS, Canon, Project, Script
from sparkle_motion.writing.idea_text import idea_from_text, idea_yaml

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


def _starter_canon() -> Canon:
    return Canon.model_validate(
        {
            "schema_version": Canon.SCHEMA_VERSION,
            "characters": [{"id": "ada", "name": "Ada"}, {"id": "ben", "name": "Ben"}],
            "locations": [{"id": "workshop", "name": "Workshop"}],
        }
    )


def init_project(target: Path, *, title: str | None = None, idea: str | None = None) -> Path:
    """A new project: a starter script, or with ``idea`` an editable ``ep01.idea.yaml``.

    Its id (the title's slug and a random part) is made once and then kept: the
    canon is filed under it, so the title can change.
    """
    target = target.resolve()
    if (target / "project.yaml").exists():
        raise ProjectError(
            "a project already exists here", where=str(target), hint="choose an empty folder"
        )
    if idea is not None and not idea.strip():
        raise InputError(
            "the idea is empty", where="--idea", hint='e.g. --idea "a robot who runs a bakery"'
        )
    name = title or target.name.replace("-", " ").replace("_", " ").title() or "My Show"
    seed = 1
    from_idea = idea_from_text(idea, seed=seed, title=name) if idea is not None else None
    project = {
        "schema_version": Project.SCHEMA_VERSION,
        "id": new_project_id(name, secrets.token_hex(4)),
        "title": name,
        "genre": from_idea.genre if from_idea else "drama",
        "target_duration": 60 if from_idea else 20,
        "seed": seed,
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
    # The starter episode's cast and place are canon already, so it proposes no canon diff.
    canon = Canon.new() if from_idea is not None else _starter_canon()
    write_atomic(target / "canon.json", export_bytes(canon))
    if from_idea is not None:
        text = idea_yaml(from_idea, project=target.name, first="ep01")
        write_atomic(target / "episodes" / "ep01.idea.yaml", text.encode("utf-8"))
    else:
        starter = _starter_script(name).to_json() + b"\n"
        write_atomic(target / "episodes" / "ep01.script.json", starter)
    return target
