"""The docs describe what exists: every error code, setting, variable and command."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest
from pydantic import BaseModel

import sparkle_motion.errors as errors
from sparkle_motion.cli import app
from sparkle_motion.schemas import (
    AssetManifest,
    CaptionSettings,
    CostPolicy,
    MusicSettings,
    Project,
    ProviderLimits,
    QASettings,
    RenderPlan,
    RenderProfile,
    RoomToneSettings,
    SafetySettings,
    Script,
    ShotList,
    TimingSettings,
)
from sparkle_motion.schemas.base import Artifact
from sparkle_motion.settings import ENVIRONMENT_VARIABLES
from tests.conftest import REPO

DOCS = REPO / "docs"


def error_classes() -> list[type[errors.SparkleError]]:
    return [
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.SparkleError)
    ]


def test_every_error_code_is_documented_once_with_its_exit_status() -> None:
    text = (DOCS / "errors.md").read_text()
    codes = [cls.code for cls in error_classes()]
    assert len(codes) == len(set(codes)), "two error classes share a code"
    for cls in error_classes():
        row = re.search(rf"^\| {cls.code} \| {cls.__name__} \| (\d) \|", text, re.M)
        assert row, f"{cls.code} {cls.__name__} is not in docs/errors.md"
        assert int(row.group(1)) == cls.exit_code


@pytest.mark.parametrize(
    "model",
    [
        Project,
        RenderProfile,
        TimingSettings,
        CaptionSettings,
        MusicSettings,
        RoomToneSettings,
        SafetySettings,
        QASettings,
        CostPolicy,
        ProviderLimits,
    ],
)
def test_every_project_setting_is_documented(model: type[BaseModel]) -> None:
    text = (DOCS / "project.md").read_text()
    for name in model.model_fields:
        assert f"`{name}`" in text, f"{model.__name__}.{name} is not in docs/project.md"


def test_every_environment_variable_is_documented() -> None:
    readme = (REPO / "README.md").read_text()
    for name in ENVIRONMENT_VARIABLES:
        assert f"`{name}`" in readme


def test_every_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    names += [
        f"{g.name} {c.name}"
        for g in app.registered_groups
        for c in (g.typer_instance.registered_commands if g.typer_instance else [])
    ]
    for name in names:
        assert f"`sparkle-motion {name}" in readme, f"{name} is not in the README"


def test_the_migration_anchor_exists() -> None:
    anchor = Artifact.MIGRATION_HINT.split("#", 1)[1]
    headings = re.findall(r"^#+ (.+)$", (DOCS / "schemas.md").read_text(), re.M)
    assert anchor in [h.lower().replace(" ", "-") for h in headings]


def test_the_script_example_in_the_docs_is_valid() -> None:
    [example] = re.findall(r"```json\n(.*?)```", (DOCS / "project.md").read_text(), re.S)
    Script.from_data(json.loads(example), source="docs/project.md")


def test_the_engine_example_in_the_rendering_docs_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.service.helpers import render_inputs

    text = (DOCS / "rendering.md").read_text()
    example = text.split("## The engine as a library", 1)[1].split("```python", 1)[1]
    inputs = render_inputs(shots=2)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my-show").mkdir()
    exec(
        example.split("```", 1)[0],
        {
            "Path": Path,
            "shotlist": ShotList.from_data(inputs["shotlist"]),
            "asset_manifest": AssetManifest.from_data(inputs["asset_manifest"]),
            "render_plan": RenderPlan.from_data(inputs["render_plan"]),
        },
    )
    assert capsys.readouterr().out.strip() == "complete out/ep01.mp4"
    assert (tmp_path / "out" / "ep01.mp4").stat().st_size > 0
