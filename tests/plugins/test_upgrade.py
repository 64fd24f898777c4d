"""Upgrading a rendered episode: shots replaced, the rest kept, sound and captions untouched."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from sparkle_motion.cli import main
from sparkle_motion.errors import InputError
from sparkle_motion.ffmpeg import run_ffmpeg
from sparkle_motion.pipeline.provider_jobs import Waiting
from sparkle_motion.pipeline.upgrade import UpgradeOutcome, UpgradeRequest, upgrade_episode
from sparkle_motion.providers.ledger import Ledger
from sparkle_motion.registry import Registry
from tests.conftest import ProjectFactory, tiny_project_config
from tests.plugins.scripted import Scripted
from tests.render.media import probe

pytestmark = pytest.mark.slow

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


@pytest.fixture
def rendered(make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    project = make_project(
        project=tiny_project_config(
            profiles={"hq_scripted": HQ}, cost_policy={"max_usd_per_episode": 5.0}
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


def upgrade(project: Path, provider: Scripted, **options: Any) -> UpgradeOutcome:
    return upgrade_episode(
        UpgradeRequest(project_dir=project, profile="hq_scripted", waiting=waiting(), **options),
        providers={"scripted": provider},
    )


def test_an_upgrade_replaces_shots_keeps_the_rest_and_leaves_sound_and_captions(
    rendered: dict[str, Any], tmp_path: Path
) -> None:
    project, shots = rendered["project"], rendered["shots"]
    rejected, late = shots[0], shots[1]
    provider = Scripted(outcomes={rejected: "reject", late: "never"}, polls=2)
    outcome = upgrade(project, provider)
    output = outcome.output
    assert output is not None and output.status == "degraded"
    assert outcome.upgraded == shots[2:]
    kept = {k.shot_id: k.code for k in outcome.kept_preview}
    assert kept == {rejected: "SM703", late: "pending"}
    assert output.timing_lock_hash == rendered["output"]["timing_lock_hash"]
    assert output.frames == rendered["output"]["frames"]

    preview = rendered["output"]
    assert output.captions_srt.sha256 == preview["captions_srt"]["sha256"]
    assert output.captions_vtt.sha256 == preview["captions_vtt"]["sha256"]
    assert [s.sha256 for s in output.stems] == [s["sha256"] for s in preview["stems"]]
    video = outcome.files["video"]
    before = Path(rendered["report"]["outputs"]["video"])
    assert sound_of(video, tmp_path / "a.aac") == sound_of(before, tmp_path / "b.aac")
    assert sha(video) != sha(before)
    info = probe(video)
    assert (info.width, info.height, info.frames) == (640, 360, preview["frames"])

    # the ledger: what the provider billed for each delivered clip, to the cent
    with Registry.open(project / ".sparkle") as registry:
        ledger = Ledger(registry.engine)
        jobs = {j.key.shot_id: j for j in ledger.jobs(j_scope(project), outcome.request_id)}
    billed = sum(j.reported_usd or 0.0 for j in jobs.values())
    assert round(outcome.spent_usd, 2) == round(billed, 2) > 0
    assert jobs[rejected].phase == "rejected" and jobs[rejected].charged_usd == 0
    assert jobs[late].phase == "pending" and jobs[late].ref is not None


def j_scope(project: Path) -> str:
    from sparkle_motion.pipeline.project_folder import load_project

    loaded = load_project(project).project
    return loaded.id or loaded.title


def test_upgrading_again_submits_nothing_twice_and_collects_the_late_shot(
    rendered: dict[str, Any],
) -> None:
    project, shots = rendered["project"], rendered["shots"]
    provider = Scripted(outcomes={shots[0]: "never"}, polls=1)
    first = upgrade(project, provider)
    assert {k.code for k in first.kept_preview} == {"pending"}
    submitted = list(provider.submitted)
    provider.outcomes = {}  # the late one has finished meanwhile
    second = upgrade(project, provider)
    assert provider.submitted == submitted  # no second submission, no second charge
    assert second.kept_preview == [] and second.output is not None
    assert second.output.status == "complete" and second.upgraded == shots
    assert second.request_id == first.request_id


def test_the_budget_stops_dispatch(rendered: dict[str, Any]) -> None:
    project, shots = rendered["project"], rendered["shots"]
    config = project / "project.yaml"
    text = config.read_text().replace("max_usd_per_episode: 5.0", "max_usd_per_episode: 0.2")
    config.write_text(text)
    provider = Scripted()
    outcome = upgrade(project, provider)
    kept = [k for k in outcome.kept_preview if k.code == "budget"]
    assert kept and len(provider.submitted) + len(kept) == len(shots)
    assert sum(outcome.estimates[s] for s in provider.submitted) <= 0.2


def test_a_dry_run_estimates_and_sends_nothing(rendered: dict[str, Any]) -> None:
    provider = Scripted()
    outcome = upgrade(rendered["project"], provider, dry_run=True)
    assert provider.submitted == [] and outcome.output is None
    assert set(outcome.estimates) == set(rendered["shots"])
    assert all(value > 0 for value in outcome.estimates.values())


def test_an_upgrade_needs_an_hq_profile_and_a_budget(rendered: dict[str, Any]) -> None:
    project = rendered["project"]
    with pytest.raises(InputError, match="names no provider"):
        upgrade_episode(UpgradeRequest(project_dir=project, profile="preview_small"), providers={})
    with pytest.raises(InputError, match="no provider 'scripted'"):
        upgrade_episode(UpgradeRequest(project_dir=project, profile="hq_scripted"), providers={})
    config = project / "project.yaml"
    config.write_text(
        config.read_text().replace("max_usd_per_episode: 5.0", "max_usd_per_episode: 0")
    )
    with pytest.raises(InputError, match="sets no budget"):
        upgrade(project, Scripted())
