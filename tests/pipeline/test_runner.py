"""The runner with small stages: checkpoints, retries, failure, resume, approvals."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from sparkle_motion.errors import ApprovalPending, StageError, TransientError
from sparkle_motion.pipeline.context import StageContext, StageResult, StageSpec
from sparkle_motion.pipeline.runner import Runner, RunRequest
from sparkle_motion.pipeline.runs import record_approval
from sparkle_motion.registry import Registry
from sparkle_motion.schemas import QACheck, QAReport, Script
from sparkle_motion.seeding import rng
from tests.conftest import ProjectFactory, tiny_project_config


def read_script(ctx: StageContext) -> StageResult:
    return StageResult(outputs={"script": Script.from_json(ctx.episode_source.read_bytes())})


def count_lines(ctx: StageContext) -> StageResult:
    script = ctx.input("script", Script)
    lines = sum(len(s.elements) for s in script.scenes)
    ctx.progress.total(1)
    ctx.progress.advance()
    return StageResult(
        outputs={
            "report": QAReport.new(
                passed=True,
                checks=[QACheck(name="elements", passed=True, value=str(lines), limit="")],
                measurements={
                    "random": rng(ctx.project.seed, "count", script.content_hash()).random()
                },
            )
        }
    )


def stages(
    second: Callable[[StageContext], StageResult] = count_lines, approval: str | None = None
) -> list[StageSpec]:
    return [
        StageSpec("write", read_script, inputs=(), outputs=("script",)),
        StageSpec("count", second, inputs=("script",), outputs=("report",), approval=approval),
    ]


def events(run_dir: Path) -> list[tuple[str, str]]:
    manifest = json.loads((run_dir / "manifest.json").read_text())
    return [(e["stage"], e["event"]) for e in manifest["events"]]


def test_a_run_writes_checkpoints_manifest_summary_and_logs(make_project: ProjectFactory) -> None:
    root = make_project()
    outcome = Runner(stages()).run(RunRequest(project_dir=root))
    assert outcome.status == "success" and outcome.error is None
    for stage in ("write", "count"):
        checkpoint = json.loads((outcome.run_dir / "checkpoints" / f"{stage}.json").read_text())
        assert checkpoint["status"] == "success" and checkpoint["attempt"] == 1
        assert checkpoint["input_hashes"]["project"]
        log_lines = (outcome.run_dir / "logs" / f"{stage}.jsonl").read_text().splitlines()
        assert json.loads(log_lines[-1])["event"] == "stage_success"
    assert events(outcome.run_dir) == [
        ("write", "begin"),
        ("write", "success"),
        ("count", "begin"),
        ("count", "success"),
    ]
    summary = json.loads((outcome.run_dir / "run_summary.json").read_text())
    assert summary["status"] == "success"
    assert [s["stage"] for s in summary["stages"]] == ["write", "count"]
    with Registry.open(root / ".sparkle") as registry:
        lineage = registry.lineage(outcome.artifacts["report"])
        assert lineage[0].kind == "qa_report"
        assert {r.kind for r in lineage} == {"qa_report", "script", "project", "source/episode"}


def test_stage_randomness_is_seeded_not_timed(make_project: ProjectFactory) -> None:
    root = make_project()
    first = Runner(stages()).run(RunRequest(project_dir=root))
    second = Runner(stages()).run(RunRequest(project_dir=root))
    assert first.run_id != second.run_id
    assert first.artifacts == second.artifacts


def test_transient_errors_are_retried_and_recorded(make_project: ProjectFactory) -> None:
    calls = []

    def flaky(ctx: StageContext) -> StageResult:
        calls.append(1)
        if len(calls) == 1:
            raise TransientError("the disk hiccuped")
        return count_lines(ctx)

    outcome = Runner(stages(flaky)).run(RunRequest(project_dir=make_project()))
    assert outcome.status == "success" and len(calls) == 2
    assert ("count", "retry") in events(outcome.run_dir)
    assert outcome.summary is not None and outcome.summary.stages[1].attempts == 2


def test_a_failed_stage_stops_the_run_and_resume_finishes_it(make_project: ProjectFactory) -> None:
    root = make_project()
    broken = {"yes": True}

    def sometimes(ctx: StageContext) -> StageResult:
        if broken["yes"]:
            raise StageError("the lamp is out", where="stage count")
        return count_lines(ctx)

    failed = Runner(stages(sometimes)).run(RunRequest(project_dir=root))
    assert failed.status == "failed" and isinstance(failed.error, StageError)
    checkpoint = json.loads((failed.run_dir / "checkpoints" / "count.json").read_text())
    assert checkpoint["status"] == "failed" and "the lamp is out" in checkpoint["error"]
    assert not (failed.run_dir / "artifacts" / "report.json").exists()

    broken["yes"] = False
    resumed = Runner(stages(sometimes)).run(RunRequest(project_dir=root, resume=failed.run_id))
    assert resumed.status == "success" and resumed.run_id == failed.run_id
    assert events(resumed.run_dir)[-3:] == [
        ("write", "skipped"),
        ("count", "begin"),
        ("count", "success"),
    ]
    fresh = Runner(stages()).run(RunRequest(project_dir=root))
    assert fresh.artifacts == resumed.artifacts


def test_an_unexpected_exception_becomes_a_stage_error_with_the_traceback_logged(
    make_project: ProjectFactory,
) -> None:
    def buggy(ctx: StageContext) -> StageResult:
        raise ZeroDivisionError("oops")

    outcome = Runner(stages(buggy)).run(RunRequest(project_dir=make_project()))
    assert isinstance(outcome.error, StageError) and "ZeroDivisionError" in str(outcome.error)
    log = (outcome.run_dir / "logs" / "count.jsonl").read_text()
    assert "Traceback" in log


def test_changed_input_is_not_skipped_on_resume(make_project: ProjectFactory) -> None:
    root = make_project()
    first = Runner(stages()).run(RunRequest(project_dir=root))
    source = root / "episodes" / "ep01.script.json"
    source.write_text(source.read_text().replace("Milk or lemon?", "Sugar?"))
    again = Runner(stages()).run(RunRequest(project_dir=root, resume=first.run_id))
    assert [e for e in events(again.run_dir)[4:] if e[1] == "skipped"] == []
    assert again.artifacts["script"] != first.artifacts["script"]


def test_an_enabled_human_checkpoint_pauses_until_approved(make_project: ProjectFactory) -> None:
    root = make_project(
        project=tiny_project_config(human_checkpoints={"approve_shotlist_timing_lock": True})
    )
    spec = stages(approval="approve_shotlist_timing_lock")
    paused = Runner(spec).run(RunRequest(project_dir=root))
    assert paused.status == "paused" and isinstance(paused.error, ApprovalPending)
    assert f"approve {paused.run_id} approve_shotlist_timing_lock" in str(paused.error)

    approval = record_approval(root, paused.run_id, "approve_shotlist_timing_lock", by="Dana")
    assert approval.subject_hash == paused.artifacts["report"]
    done = Runner(spec).run(RunRequest(project_dir=root, resume=paused.run_id))
    assert done.status == "success"
    manifest = json.loads((done.run_dir / "manifest.json").read_text())
    assert manifest["approvals"][0]["by"] == "Dana"


def test_resume_of_an_unknown_run_is_an_input_error(make_project: ProjectFactory) -> None:
    from sparkle_motion.errors import MissingInput

    root = make_project()
    with pytest.raises(MissingInput, match="no run"):
        Runner(stages()).run(RunRequest(project_dir=root, resume="nope"))


def test_a_new_run_gives_a_project_without_an_id_one(make_project: ProjectFactory) -> None:
    root = make_project()
    config = root / "project.yaml"
    before = config.read_text()
    assert "id:" not in before
    quiet = Runner(stages()).run(RunRequest(project_dir=root))
    assert config.read_text() == before  # no give_ids: project.yaml is left alone
    notes: list[str] = []
    Runner(stages(), give_ids=notes.append).run(RunRequest(project_dir=root, resume=quiet.run_id))
    assert config.read_text() == before and notes == []  # a resumed run sees what it started with
    done = Runner(stages(), give_ids=notes.append).run(RunRequest(project_dir=root))
    assert done.status == "success"
    after = config.read_text()
    assert after.startswith(before) and after.count("\n") == before.count("\n") + 1
    assert len(notes) == 1 and "now has 'id:" in notes[0]
