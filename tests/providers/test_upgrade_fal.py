"""The bundled example upgraded through FAL (the fake): N-2 clips from FAL, two kept, sound kept."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from sparkle_motion.ffmpeg import run_ffmpeg
from sparkle_motion.providers.ledger import Ledger
from sparkle_motion.providers.prompts import DEFAULT_TEMPLATE, fill_prompt
from sparkle_motion.registry import Registry
from sparkle_motion.schemas import RenderPlan, ShotList
from tests.providers.fake_fal import TEST_KEY, FakeFal

pytestmark = pytest.mark.slow

HQ = {"name": "hq_fal", "width": 640, "height": 360, "crf": 23, "provider": "fal"}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cli(args: list[str], fake: FakeFal, **options: Any) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "SPARKLE_PROVIDER_KEYS": json.dumps({"fal": TEST_KEY}),
        "SPARKLE_PROVIDER_URLS": json.dumps({"fal": fake.url}),
        "SPARKLE_PROVIDER_OPTIONS": json.dumps(
            {"fal": {"jwks_url": fake.jwks_url, "platform_url": fake.url}}
        ),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "sparkle_motion.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **options,
    )


def run(args: list[str], fake: FakeFal) -> dict[str, Any]:
    process = cli([*args, "--json"], fake)
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err[-3000:]
    report: dict[str, Any] = json.loads(out)
    return report


@pytest.fixture
def example(example_project: Path) -> Path:
    config = example_project / "project.yaml"
    data = yaml.safe_load(config.read_text())
    data["profiles"] = {"hq_fal": HQ}
    data["cost_policy"] = {"max_usd_per_episode": 25.0}
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    return example_project


def prompts(project: Path, report: dict[str, Any]) -> dict[str, str]:
    artifacts = Path(report["outputs"]["render_output"]).parent
    shotlist = ShotList.from_json((artifacts / "shotlist.json").read_bytes())
    plan = RenderPlan.from_json((artifacts / "render_plan.json").read_bytes())
    names = {who: member.name for who, member in plan.cast.items()}
    style = yaml.safe_load((project / "project.yaml").read_text())["visual_style"]
    return {
        shot.id: fill_prompt(DEFAULT_TEMPLATE, shot, names, style)
        for shot in shotlist.shots
        if shot.framing != "card" and shot.frames / shotlist.fps <= 10
    }


def sound(video: Path, out: Path) -> str:
    run_ffmpeg(["-i", str(video), "-map", "0:a:0", "-c", "copy", "-f", "adts", str(out)])
    return sha(out)


def test_an_upgrade_through_fal_keeps_a_rejected_and_a_late_shot_and_the_sound(
    example: Path, tmp_path: Path
) -> None:
    with FakeFal(tmp_path / "fal") as fake:
        preview = run(["run", str(example)], fake)
        asked = prompts(example, preview)
        unique = [s for s, p in asked.items() if list(asked.values()).count(p) == 1]
        rejected, late = unique[0], unique[1]
        fake.job_faults = lambda body: (
            {"content_rejected"}
            if body["prompt"] == asked[rejected]
            else {"hold"}
            if body["prompt"] == asked[late]
            else set()
        )
        report = run(
            ["upgrade", str(example), "--profile", "hq_fal", "--wait", "45", "--poll", "0.2"],
            fake,
        )
    assert report["status"] == "degraded"
    kept = {k["shot_id"]: k["code"] for k in report["kept_preview"]}
    assert kept[rejected] == "SM703" and kept[late] == "pending", report["kept_preview"]
    assert set(report["upgraded"]) == set(asked) - {rejected, late}
    assert len(report["upgraded"]) == len(asked) - 2
    before = json.loads(Path(preview["outputs"]["render_output"]).read_text())
    after = json.loads(Path(report["outputs"]["render_output"]).read_text())
    assert after["captions_srt"]["sha256"] == before["captions_srt"]["sha256"]
    assert [s["sha256"] for s in after["stems"]] == [s["sha256"] for s in before["stems"]]
    assert sound(Path(report["outputs"]["video"]), tmp_path / "a.aac") == sound(
        Path(preview["outputs"]["video"]), tmp_path / "b.aac"
    )
    # The ledger, to the cent: what FAL's billing events say it billed for each clip it
    # made (below the estimate: a discount), nothing for the rejected one, and the late one
    # still at its estimate until it is billed.
    with Registry.open(example / ".sparkle") as registry:
        ledger = Ledger(registry.engine)
        jobs = ledger.jobs("lighthouse", report["request_id"])
        events = {j.key.shot_id: [e.event for e in ledger.events(j.key)] for j in jobs}
    delivered = [j for j in jobs if j.phase == "delivered"]
    billed = {job.id: fake.billed_usd(job) for job in fake.jobs.values()}
    for job in delivered:
        assert job.ref is not None and job.reported_usd == billed[job.ref.job_id]
        assert job.charged_usd == job.reported_usd < job.estimate_usd
        assert "reconciled" in events[job.key.shot_id]
    assert round(sum(j.charged_usd for j in jobs), 2) == round(report["spent_usd"], 2)
    assert round(report["spent_usd"], 2) == round(
        sum(billed[j.ref.job_id] or 0 for j in delivered if j.ref), 2
    )
    (usage,) = report["providers"]
    assert usage["reported_usd"] == pytest.approx(report["spent_usd"])


def test_a_killed_upgrade_resumes_its_jobs_without_submitting_them_again(
    example: Path, tmp_path: Path
) -> None:
    with FakeFal(tmp_path / "fal") as fake:
        run(["run", str(example)], fake)
        fake.job_faults = lambda body: {"hold"}  # every job waits in the queue
        process = cli(
            ["upgrade", str(example), "--profile", "hq_fal", "--wait", "600", "--poll", "0.2"],
            fake,
            start_new_session=True,
        )
        deadline = time.monotonic() + 300
        while not fake.jobs or any(j.status != "IN_QUEUE" for j in fake.jobs.values()):
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.2)
        time.sleep(2.0)  # every shot submitted and its job recorded
        submitted = len(fake.jobs)
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()  # reaped, its pipes closed
        fake.job_faults = None
        for job in list(fake.jobs.values()):
            fake.release(job.id)
        report = run(["upgrade", str(example), "--profile", "hq_fal", "--poll", "0.2"], fake)
        assert len(fake.jobs) == submitted  # no second submission, so no second charge
    assert report["status"] == "complete", report["kept_preview"]
    assert len(report["upgraded"]) == submitted
