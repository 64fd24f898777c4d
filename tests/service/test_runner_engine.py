"""The runner's additions for the service: seeded runs, a caller's run id, pause and stop."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from sparkle_motion.errors import InputError, RunPaused, RunStopped
from sparkle_motion.pipeline.context import RunControl, StageContext, StageResult, StageSpec
from sparkle_motion.pipeline.runner import Runner, RunRequest
from sparkle_motion.pipeline.stages import VIDEO_ENGINE_STAGES
from sparkle_motion.pipeline.stages.rendering import clips_stage
from sparkle_motion.schemas import QACheck, QAReport, ShotList
from sparkle_motion.service.packages import SEED_TYPES
from tests.service.helpers import render_inputs


def seeds(**overrides: Any) -> dict[str, Any]:
    return {
        name: SEED_TYPES[name].from_data(data) for name, data in render_inputs(**overrides).items()
    }


def workspace(tmp_path: Path) -> Path:
    (tmp_path / "project.yaml").write_text("schema_version: '1.0.0'\ntitle: engine\n")
    return tmp_path


def report(ctx: StageContext) -> StageResult:
    shots = len(ctx.input("shotlist", ShotList).shots)
    check = QACheck(name="shots", passed=True, value=str(shots), limit="")
    return StageResult(outputs={"report": QAReport.new(passed=True, checks=[check])})


def events(run_dir: Path) -> list[tuple[str, str]]:
    manifest = json.loads((run_dir / "manifest.json").read_text())
    return [(e["stage"], e["event"]) for e in manifest["events"]]


def test_a_seeded_run_starts_from_artifacts_under_the_callers_run_id(tmp_path: Path) -> None:
    given = seeds()
    spec = [StageSpec("count", report, inputs=("shotlist",), outputs=("report",))]
    outcome = Runner(spec).run(
        RunRequest(project_dir=workspace(tmp_path), seeds=given, run_id="job-1")
    )
    assert outcome.status == "success" and outcome.run_id == "job-1"
    assert outcome.artifacts["shotlist"] == given["shotlist"].content_hash()
    stored = outcome.run_dir / "artifacts" / "render_plan.json"
    assert stored.read_bytes() == given["render_plan"].to_json()
    checkpoint = json.loads((outcome.run_dir / "checkpoints" / "count.json").read_text())
    assert checkpoint["input_hashes"]["shotlist"] == outcome.artifacts["shotlist"]


def test_seeds_must_share_an_episode(tmp_path: Path) -> None:
    mixed = {**seeds(), "render_plan": seeds(episode_id="ep02")["render_plan"]}
    with pytest.raises(InputError, match="one episode"):
        Runner(VIDEO_ENGINE_STAGES).run(RunRequest(project_dir=workspace(tmp_path), seeds=mixed))


def test_pause_and_stop_take_effect_at_the_next_stage_boundary(tmp_path: Path) -> None:
    control = RunControl()

    def then_pause(ctx: StageContext) -> StageResult:
        control.pause_requested.set()
        return report(ctx)

    def rename(ctx: StageContext) -> StageResult:
        return StageResult(outputs={"other": report(ctx).outputs["report"]})

    spec = [
        StageSpec("first", then_pause, inputs=("shotlist",), outputs=("report",)),
        StageSpec("second", rename, inputs=("shotlist",), outputs=("other",)),
    ]
    root = workspace(tmp_path)
    paused = Runner(spec, control=control).run(RunRequest(project_dir=root, seeds=seeds()))
    assert paused.status == "paused" and isinstance(paused.error, RunPaused)
    assert events(paused.run_dir)[-1] == ("second", "paused")
    assert "other" not in paused.artifacts

    control.pause_requested.clear()
    control.stop_requested.set()
    stopped = Runner(spec, control=control).run(
        RunRequest(project_dir=root, seeds=seeds(), resume=paused.run_id)
    )
    assert stopped.status == "failed" and isinstance(stopped.error, RunStopped)

    done = Runner(spec, control=RunControl()).run(
        RunRequest(project_dir=root, seeds=seeds(), resume=paused.run_id)
    )
    assert done.status == "success"
    assert ("first", "skipped") in events(done.run_dir)
    assert events(done.run_dir)[-1] == ("second", "success")


def test_a_stop_cancels_clips_not_yet_encoded(tmp_path: Path) -> None:
    control = RunControl()
    encoded: list[str] = []
    lock = threading.Lock()
    real_clips = clips_stage

    def stop_after_first(ctx: StageContext) -> StageResult:
        class Counting:
            def total(self, count: int) -> None:
                pass

            def advance(self, count: int = 1) -> None:
                with lock:
                    encoded.append("clip")
                control.stop_requested.set()

            def finish(self) -> None:
                pass

        ctx.progress = Counting()
        return real_clips(ctx)

    stages = [
        spec
        if spec.name != "clips"
        else StageSpec("clips", stop_after_first, inputs=spec.inputs, outputs=spec.outputs)
        for spec in VIDEO_ENGINE_STAGES
    ]
    outcome = Runner(stages, control=control).run(
        RunRequest(project_dir=workspace(tmp_path), seeds=seeds(shots=12))
    )
    assert isinstance(outcome.error, RunStopped)
    assert 1 <= len(encoded) < 12
    checkpoint = json.loads((outcome.run_dir / "checkpoints" / "clips.json").read_text())
    assert checkpoint["status"] == "failed" and "SM402" in checkpoint["error"]
