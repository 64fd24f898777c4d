"""Idea files: the episodes they declare, how those are addressed, and reading them."""

from __future__ import annotations

import json

import pytest
import yaml

from sparkle_motion.errors import InvalidArtifact, MissingInput
from sparkle_motion.pipeline.project_folder import load_project
from sparkle_motion.pipeline.runner import Runner, RunRequest
from sparkle_motion.pipeline.stages import STAGES
from sparkle_motion.schemas import Canon, Script
from sparkle_motion.writing.idea import idea_episode_ids, parse_idea, read_idea_episode
from sparkle_motion.writing.sources import episode_ids_of, read_episode
from tests.conftest import tiny_script
from tests.writing_idea.conftest import IdeaProjectFactory, context, idea_data


@pytest.mark.parametrize(
    ("first", "count", "ids"),
    [
        ("ep01", 3, ["ep01", "ep02", "ep03"]),
        ("ep09", 2, ["ep09", "ep10"]),
        ("s1e1", 2, ["s1e1", "s1e2"]),
        ("pilot", 3, ["pilot", "pilot-2", "pilot-3"]),
        ("ep01", 1, ["ep01"]),
    ],
)
def test_an_idea_declares_its_episodes_counting_on_from_its_file_name(
    first: str, count: int, ids: list[str]
) -> None:
    assert idea_episode_ids(first, count) == ids


def test_the_project_lists_every_episode_an_idea_declares(
    make_idea_project: IdeaProjectFactory,
) -> None:
    folder = load_project(make_idea_project())
    assert sorted(folder.episodes) == ["ep01", "ep02", "ep03"]
    assert {path.name for path in folder.episodes.values()} == {"ep01.idea.yaml"}
    assert folder.episode("ep02") == ("ep02", folder.root / "episodes" / "ep01.idea.yaml")


def test_a_file_of_its_own_takes_a_declared_episode_over(
    make_idea_project: IdeaProjectFactory,
) -> None:
    root = make_idea_project(episodes={"ep02.script.json": tiny_script(episode_id="ep02")})
    folder = load_project(root)
    assert folder.episodes["ep02"].name == "ep02.script.json"
    assert folder.episodes["ep03"].name == "ep01.idea.yaml"


def test_a_broken_idea_file_still_stands_for_its_own_episode(
    make_idea_project: IdeaProjectFactory,
) -> None:
    root = make_idea_project()
    (root / "episodes" / "ep01.idea.yaml").write_text("premise: [unclosed\n")
    assert episode_ids_of(root / "episodes" / "ep01.idea.yaml") == ["ep01"]
    assert sorted(load_project(root).episodes) == ["ep01"]


def test_malformed_yaml_names_the_file_and_line() -> None:
    with pytest.raises(InvalidArtifact) as info:
        parse_idea(b"schema_version: 1.0.0\npremise: [oops\n", "episodes/ep01.idea.yaml")
    assert "episodes/ep01.idea.yaml:" in str(info.value) and "not valid YAML" in str(info.value)


def test_a_missing_field_names_its_path() -> None:
    data = idea_data()
    del data["setting"]
    with pytest.raises(InvalidArtifact, match=r"\$\.setting"):
        parse_idea(yaml.safe_dump(data).encode(), "ep01.idea.yaml")


def test_an_undeclared_episode_is_missing() -> None:
    data = yaml.safe_dump(idea_data(episodes=2)).encode()
    with pytest.raises(MissingInput, match="declares ep01, ep02, not ep03"):
        read_idea_episode(data, "episodes/ep01.idea.yaml", context("ep03"))


def test_an_idea_needs_two_living_characters() -> None:
    canon = Canon.from_data(
        {
            "schema_version": "1.0.0",
            "characters": [
                {"id": "elias", "name": "Elias", "status": "dead"},
                {"id": "osei", "name": "Osei", "status": "dead"},
            ],
        }
    )
    data = yaml.safe_dump(idea_data()).encode()
    with pytest.raises(InvalidArtifact, match="two characters"):
        read_idea_episode(data, "ep01.idea.yaml", context(canon=canon))


def test_read_episode_takes_every_kind_of_source() -> None:
    idea = read_episode(yaml.safe_dump(idea_data()).encode(), "x/ep02.idea.yaml", context("ep03"))
    assert idea.script.episode_id == "ep03"
    assert idea.story_arc is not None and idea.episode_plan is not None
    assert idea.episode_plan.number == 2  # ep02.idea.yaml's second episode
    plain = read_episode(Script.from_data(tiny_script()).to_json(), "x/ep01.script.json", context())
    assert plain.script.episode_id == "ep01" and plain.story_arc is None
    with pytest.raises(MissingInput, match="no reader"):
        read_episode(b"", "x/ep01.docx", context())


def test_a_resumed_run_keeps_the_arc_and_plan_of_a_skipped_write_stage(
    make_idea_project: IdeaProjectFactory,
) -> None:
    stages = [spec for spec in STAGES if spec.name in ("write", "safety")]
    root = make_idea_project()
    first = Runner(stages).run(RunRequest(project_dir=root, episode_id="ep02"))
    assert first.status == "success", first.error
    again = Runner(stages).run(RunRequest(project_dir=root, episode_id="ep02", resume=first.run_id))
    manifest = json.loads((again.run_dir / "manifest.json").read_text())
    assert {e["stage"] for e in manifest["events"] if e["event"] == "skipped"} == {
        "write",
        "safety",
    }
    for name in ("script", "story_arc", "episode_plan", "safety_report"):
        assert again.artifacts[name] == first.artifacts[name]
    checkpoint = json.loads((first.run_dir / "checkpoints" / "write.json").read_text())
    assert set(checkpoint["output_hashes"]) == {"script", "story_arc", "episode_plan"}
