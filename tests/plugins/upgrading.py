"""What the upgrade tests share: a rendered tiny project, a clock that ticks, one call."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from sparkle_motion.cli import main
from sparkle_motion.ffmpeg import run_ffmpeg
from sparkle_motion.pipeline.project_folder import load_project
from sparkle_motion.pipeline.provider_jobs import Waiting
from sparkle_motion.pipeline.upgrade import UpgradeOutcome, UpgradeRequest, upgrade_episode
from tests.conftest import ProjectFactory, tiny_project_config
from tests.plugins.scripted import Scripted

HQ = {"name": "hq_scripted", "width": 640, "height": 360, "crf": 23, "provider": "scripted"}


class Ticks:
    """A clock that moves a second every time it is read, and a sleep that waits for nothing."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def waiting() -> Waiting:
    return Waiting(poll_seconds=10, deadline_seconds=30, sleep=lambda _s: None, clock=Ticks())


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sound_of(video: Path, out: Path) -> str:
    run_ffmpeg(["-i", str(video), "-map", "0:a:0", "-c", "copy", "-f", "adts", str(out)])
    return sha(out)


def render_tiny(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str], **policy: Any
) -> dict[str, Any]:
    """The tiny project with an hq profile, rendered; its report, shots and output."""
    project = make_project(
        project=tiny_project_config(
            profiles={"hq_scripted": HQ},
            cost_policy={"max_usd_per_episode": 5.0, "external_spend": "auto", **policy},
            human_checkpoints={
                "approve_shotlist_timing_lock": False,
                "approve_canon_diff": False,
                "approve_external_spend": True,
            },
        )
    )
    assert main(["run", str(project), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    shots = json.loads(
        Path(report["outputs"]["render_output"]).with_name("shotlist.json").read_text()
    )
    return {
        "project": project,
        "report": report,
        "shots": [s["id"] for s in shots["shots"] if s["framing"] != "card"],
        "output": json.loads(Path(report["outputs"]["render_output"]).read_text()),
    }


@pytest.fixture
def rendered(make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    return render_tiny(make_project, capsys)


def scope_of(project: Path) -> str:
    loaded = load_project(project).project
    return loaded.id or loaded.title


def upgrade(project: Path, provider: Scripted, **options: Any) -> UpgradeOutcome:
    return upgrade_episode(
        UpgradeRequest(
            project_dir=project, profile="hq_scripted", **{"waiting": waiting(), **options}
        ),
        providers={"scripted": provider},
    )
