"""Shared fixtures: project folders made from dicts, and the bundled example."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "lighthouse"

ProjectFactory = Callable[..., Path]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real command line in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "sparkle_motion.cli", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, **(env or {})},
    )


def run_json(project: Path, *extra: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """``sparkle-motion run PROJECT --json``, which must succeed; its report."""
    done = cli("run", str(project), "--json", *extra, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout))


def write_tree(root: Path, tree: Mapping[str, Any]) -> None:
    """Write a folder from a dict: dict values are folders, str/bytes are files.

    ``.yaml`` and ``.json`` names may hold plain Python values, written in that format.
    """
    for name, value in tree.items():
        path = root / name
        if isinstance(value, Mapping) and not name.endswith((".json", ".yaml")):
            path.mkdir(parents=True, exist_ok=True)
            write_tree(path, value)
        elif isinstance(value, bytes):
            path.write_bytes(value)
        elif isinstance(value, str):
            path.write_text(value, encoding="utf-8")
        elif name.endswith(".yaml"):
            path.write_text(yaml.safe_dump(value, sort_keys=False), encoding="utf-8")
        else:
            path.write_text(json.dumps(value, indent=2), encoding="utf-8")


def tiny_script(**overrides: Any) -> dict[str, Any]:
    script: dict[str, Any] = {
        "schema_version": "1.0.0",
        "episode_id": "ep01",
        "title": "Tiny",
        "characters": [{"speaker_id": "ann", "name": "Ann"}, {"speaker_id": "bo", "name": "Bo"}],
        "scenes": [
            {
                "id": "s1",
                "location": "Kitchen",
                "interior": True,
                "time_of_day": "day",
                "present": ["ann", "bo"],
                "elements": [
                    {"type": "action", "id": "a1", "text": "Ann pours tea."},
                    {"type": "dialogue", "id": "l1", "speaker_id": "ann", "text": "Milk or lemon?"},
                    {
                        "type": "dialogue",
                        "id": "l2",
                        "speaker_id": "bo",
                        "text": "Neither, thank you. Just the tea.",
                    },
                ],
            },
            {
                "id": "s2",
                "location": "Garden",
                "interior": False,
                "time_of_day": "dusk",
                "elements": [
                    {
                        "type": "dialogue",
                        "id": "l3",
                        "speaker_id": "ann",
                        "emotion": ["happy"],
                        "text": "The roses came back.",
                    },
                ],
            },
        ],
    }
    script.update(overrides)
    return script


def tiny_project_config(**overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "schema_version": "1.0.0",
        "title": "Tiny",
        "target_duration": 12,
        "seed": 3,
        "render_profiles": ["preview_small"],
        "human_checkpoints": {
            "approve_shotlist_timing_lock": False,
            "approve_canon_diff": False,
        },
    }
    config.update(overrides)
    return config


@pytest.fixture
def make_project(tmp_path: Path) -> ProjectFactory:
    """A project folder from dicts; defaults to a tiny two-scene episode at 640x360."""

    def make(
        name: str = "show",
        *,
        project: Mapping[str, Any] | None = None,
        script: Mapping[str, Any] | None = None,
        canon: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Path:
        root = tmp_path / name
        root.mkdir()
        write_tree(
            root,
            {
                "project.yaml": dict(project or tiny_project_config()),
                "canon.json": dict(canon or {"schema_version": "1.0.0"}),
                "episodes": {"ep01.script.json": dict(script or tiny_script())},
                **(extra or {}),
            },
        )
        return root

    return make


@pytest.fixture
def example_project(tmp_path: Path) -> Path:
    """A fresh copy of the bundled example (no .sparkle state)."""
    target = tmp_path / "lighthouse"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".sparkle"))
    return target
