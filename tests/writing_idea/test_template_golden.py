"""What the template writer writes, pinned word for word.

The other template tests check properties (on time, in register, true to
canon); these catch any change in the words themselves: an edit to the
genre or voice tables, to the seeding, or to the way parts become scenes.
A change that alters the writing on purpose rewrites the goldens with
``SPARKLE_UPDATE_GOLDEN=1 python -m pytest -n 0 tests/writing_idea/test_template_golden.py``
— read the diff, and say in the commit why the story changed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from sparkle_motion.writing.idea_text import idea_from_text, idea_yaml
from sparkle_motion.writing.template import TemplateWriter
from tests.writing_idea.conftest import context, idea_data, make_idea

GOLDENS = Path(__file__).resolve().parent / "goldens"
IDS = ["ep01", "ep02", "ep03"]
FREE_VOICES = ["quiet, a little sad", "gentle and slow", "blunt"]


def _free_voices() -> dict[str, Any]:
    data = idea_data()
    data["characters"] = [
        {**character, "voice": voice}
        for character, voice in zip(data["characters"], FREE_VOICES, strict=True)
    ]
    return data


# name: (idea overrides, episode number, seed, target seconds)
CASES: dict[str, tuple[dict[str, Any], int, int, float]] = {
    "keeper-ep01": ({}, 1, 7, 60.0),
    "keeper-ep03-final": ({}, 3, 7, 90.0),
    "keeper-ep02-long-searches": ({}, 2, 5, 150.0),
    "keeper-free-voices-ep02": (_free_voices(), 2, 3, 45.0),
    "comedy-ep01-short": ({"genre": "comedy", "tone": "whimsical"}, 1, 11, 30.0),
}


def _check(name: str, text: str) -> None:
    golden = GOLDENS / name
    if os.environ.get("SPARKLE_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden {golden.name}: run with SPARKLE_UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8"), (
        f"the writer no longer writes {golden.name}; if that is on purpose, "
        "run with SPARKLE_UPDATE_GOLDEN=1 and read the diff"
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_template_writer_writes_the_golden_episode(name: str) -> None:
    overrides, number, seed, target = CASES[name]
    idea = make_idea(**overrides)
    ctx = context(IDS[number - 1], seed=seed, target=target)
    written = TemplateWriter().write(idea, IDS, number, ctx)
    assert written.story_arc is not None and written.episode_plan is not None
    artifacts = {
        "script": json.loads(written.script.to_json()),
        "episode_plan": json.loads(written.episode_plan.to_json()),
        "story_arc": json.loads(written.story_arc.to_json()),
    }
    _check(f"{name}.json", json.dumps(artifacts, indent=2, ensure_ascii=False) + "\n")


def test_a_line_of_text_becomes_the_golden_idea() -> None:
    line = "A lighthouse keeper finds the lamp signalling ships that sank long ago, in 4 episodes."
    _check("lighthouse.idea.yaml", idea_yaml(idea_from_text(line, seed=1, title="Keeper")))
