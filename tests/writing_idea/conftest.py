"""Ideas, writing contexts and idea projects for the writing tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from sparkle_motion.schemas import Canon, CardSettings, Idea, TimingSettings
from sparkle_motion.writing.base import Writer, WritingContext
from sparkle_motion.writing.template import TemplateWriter
from tests.conftest import tiny_project_config, write_tree

IdeaProjectFactory = Callable[..., Path]


def idea_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema_version": "1.0.0",
        "title": "The Keeper's Light",
        "premise": "A lighthouse keeper finds the lamp signalling ships that sank long ago.",
        "genre": "mystery",
        "tone": "wry",
        "episodes": 3,
        "characters": [
            {"id": "mara", "name": "Mara", "voice": "blunt", "personality": "the keeper"},
            {"id": "elias", "name": "Elias", "voice": "warm", "personality": "her brother"},
            {"id": "osei", "name": "Osei", "voice": "curious", "personality": "a harbour kid"},
        ],
        "setting": {
            "world": "a windswept coast",
            "locations": [
                {"id": "lamp-room", "name": "Lamp room", "interior": True, "time_of_day": "night"},
                {
                    "id": "cliff-path",
                    "name": "Cliff path",
                    "interior": False,
                    "time_of_day": "dusk",
                },
                {"id": "harbour", "name": "Harbour", "interior": False, "time_of_day": "day"},
            ],
        },
    }
    data.update(overrides)
    return data


def make_idea(**overrides: Any) -> Idea:
    return Idea.from_data(idea_data(**overrides))


def context(
    episode_id: str = "ep01",
    *,
    seed: int = 7,
    target: float = 60.0,
    canon: Canon | None = None,
    writer: Writer | None = None,
    cards: CardSettings | None = CardSettings(),  # noqa: B008 - frozen, as projects have them
) -> WritingContext:
    return WritingContext(
        episode_id=episode_id,
        seed=seed,
        target_duration=target,
        canon=canon or Canon.new(),
        timing=TimingSettings(),
        writer=writer or TemplateWriter(),
        cards=cards,
    )


@pytest.fixture
def make_idea_project(tmp_path: Path) -> IdeaProjectFactory:
    """A project whose episodes/ holds ``ep01.idea.yaml`` (and any ``extra`` episode files)."""

    def make(
        name: str = "idea-show",
        *,
        idea: Mapping[str, Any] | None = None,
        project: Mapping[str, Any] | None = None,
        canon: Mapping[str, Any] | None = None,
        episodes: Mapping[str, Any] | None = None,
    ) -> Path:
        root = tmp_path / name
        root.mkdir()
        write_tree(
            root,
            {
                "project.yaml": dict(project or tiny_project_config(target_duration=30)),
                "canon.json": dict(canon or {"schema_version": "1.0.0"}),
                "episodes": {"ep01.idea.yaml": dict(idea or idea_data()), **(episodes or {})},
            },
        )
        return root

    return make
