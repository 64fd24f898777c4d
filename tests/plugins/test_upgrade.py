"""Upgrading a rendered episode: shots replaced, the rest kept, sound and captions untouched."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sparkle_motion.errors import InputError
from sparkle_motion.pipeline.upgrade import UpgradeRequest, upgrade_episode
from sparkle_motion.providers.ledger import Ledger
from sparkle_motion.registry import Registry
from sparkle_motion.schemas import SafetyReport
from tests.plugins.scripted import Scripted
from tests.plugins.upgrading import rendered, scope_of, sha, sound_of, upgrade
from tests.render.media import probe

pytestmark = pytest.mark.slow
__all__ = ["rendered"]  # the fixture


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
        jobs = {j.key.shot_id: j for j in ledger.jobs(scope_of(project), outcome.request_id)}
    billed = sum(j.reported_usd or 0.0 for j in jobs.values())
    assert round(outcome.spent_usd, 2) == round(billed, 2) > 0
    assert jobs[rejected].phase == "rejected" and jobs[rejected].charged_usd == 0
    assert jobs[late].phase == "pending" and jobs[late].ref is not None

    # the rejection goes to the content-safety gate: the prompt and the reason, for review
    report = SafetyReport.from_json(outcome.files["provider_safety_report"].read_bytes())
    (finding,) = report.findings
    assert (finding.category, finding.source, finding.field) == (
        "provider_rejection",
        "provider:scripted",
        "prompt",
    )
    assert "content policy" in finding.term and finding.matched
    assert not report.passed and report.publishable == preview["publishable"]
    assert output.lineage["provider_safety_report"] == report.content_hash()
    assert provider.tried.count(rejected) == 1
    again = upgrade(project, provider)  # never reworded or sent again
    assert provider.tried.count(rejected) == 1
    assert {k.shot_id: k.code for k in again.kept_preview}[rejected] == "SM703"


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


def test_an_end_frame_provider_gets_pairs_of_frames_and_each_shot_its_part(
    rendered: dict[str, Any], tmp_path: Path
) -> None:
    project = rendered["project"]
    shotlist = json.loads(
        Path(rendered["report"]["outputs"]["render_output"]).with_name("shotlist.json").read_text()
    )
    shots = {s["id"]: s for s in shotlist["shots"]}
    provider = Scripted(end_frame=True)
    looked = upgrade(project, provider, dry_run=True)
    pairs = [s for s in looked.estimate.segments if len(s.shot_ids) == 2]
    assert pairs, looked.estimate.decisions
    for segment in looked.estimate.segments:
        assert len({shots[s]["scene_id"] for s in segment.shot_ids}) == 1
    pair = pairs[0]
    rejected = next(s for s in looked.estimate.segments if s is not pair)
    provider.outcomes = {rejected.segment_id: "reject"}
    outcome = upgrade(project, provider)
    asked = {r.shot_id: r for r in provider.requests}
    request = asked[pair.segment_id]
    assert request.image is not None and request.end_image is not None
    assert request.image != request.end_image and " Then: " in request.prompt
    assert request.seconds == pytest.approx(sum(shots[s]["frames"] for s in pair.shot_ids) / 24)
    # a delivered pair upgrades both its shots; a rejected segment keeps all of its own
    assert set(pair.shot_ids) <= set(outcome.upgraded)
    kept = {k.shot_id: k.code for k in outcome.kept_preview}
    assert all(kept[s] == "SM703" for s in rejected.shot_ids)
    assert pair.segment_id in outcome.video_segments
    (failed,) = outcome.failed_segments
    assert failed["segment_id"] == rejected.segment_id and failed["code"] == "SM703"
    assert outcome.output is not None
    info = probe(outcome.files["video"])
    assert info.frames == rendered["output"]["frames"]  # every shot at its locked length
    with Registry.open(project / ".sparkle") as registry:
        jobs = {
            j.key.shot_id: j
            for j in Ledger(registry.engine).jobs(scope_of(project), outcome.request_id)
        }
    assert set(jobs) == {s.segment_id for s in looked.estimate.segments}


def test_whole_scenes_can_be_chosen(rendered: dict[str, Any]) -> None:
    project, shots = rendered["project"], rendered["shots"]
    scene = shots[0].split("-")[0]
    looked = upgrade(project, Scripted(), dry_run=True, scenes=(scene,))
    assert list(looked.estimates) == [s for s in shots if s.startswith(f"{scene}-")]
    both = upgrade(project, Scripted(), dry_run=True, scenes=(scene,), shots=(shots[-1],))
    assert list(both.estimates)[-1] == shots[-1]
    with pytest.raises(InputError, match="no scene 'nowhere'"):
        upgrade(project, Scripted(), dry_run=True, scenes=("nowhere",))
