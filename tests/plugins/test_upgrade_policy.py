"""What an upgrade may spend and where it may go: approval, caps, limits, routing, webhooks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from sparkle_motion.cli import main
from sparkle_motion.errors import GateBlocked, InputError
from sparkle_motion.pipeline.approvals import record_approval
from sparkle_motion.pipeline.provider_jobs import Waiting
from sparkle_motion.pipeline.run_folder import RunFolder
from sparkle_motion.providers.contract import JobState, WebhookEvent
from sparkle_motion.providers.ledger import Ledger
from sparkle_motion.registry import Registry
from sparkle_motion.schemas import RunSummary, UpgradeEstimate
from tests.conftest import ProjectFactory
from tests.plugins.scripted import Scripted
from tests.plugins.upgrading import Ticks, render_tiny, scope_of, upgrade

pytestmark = pytest.mark.slow


def set_policy(project: Path, **policy: Any) -> None:
    config = project / "project.yaml"
    data = yaml.safe_load(config.read_text())
    data["cost_policy"] = {**data["cost_policy"], **policy}
    config.write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.fixture
def tiny(make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    return render_tiny(make_project, capsys, external_spend="manual")


def test_manual_spend_waits_for_approval_with_its_estimate_then_goes_on(
    tiny: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    project, provider = tiny["project"], Scripted()
    first = upgrade(project, provider)
    assert first.status == "paused" and provider.submitted == [] and first.output is None
    run = RunFolder.of(project / ".sparkle", first.run_id)
    manifest = run.read_manifest()
    assert manifest.kind == "upgrade" and manifest.status == "paused"
    assert manifest.upgrade_of == tiny["report"]["run_id"]
    waiting = manifest.waiting_for
    assert waiting is not None and waiting.checkpoint == "approve_external_spend"
    estimate = UpgradeEstimate.from_json(run.artifact_path("upgrade_estimate").read_bytes())
    assert waiting.subject_hash == estimate.content_hash()
    assert [s.segment_id for s in estimate.segments] == tiny["shots"]  # one frame each
    assert estimate.total_usd == pytest.approx(sum(first.estimates.values()))
    assert estimate.budget_usd == 5.0

    # a dry run says it will wait; approving (on the CLI) lets it go on
    looked = upgrade(project, provider, dry_run=True)
    assert looked.needs_approval and looked.estimate.content_hash() == estimate.content_hash()
    capsys.readouterr()
    args = ["approve", first.run_id, "approve_external_spend", "--by", "ana"]
    assert main([*args, "--project", str(project)]) == 0
    assert "sparkle-motion upgrade" in capsys.readouterr().out
    second = upgrade(project, provider)
    assert second.status == "complete" and second.upgraded == tiny["shots"]
    assert second.run_id == first.run_id
    assert run.read_manifest().status == "success"


def test_a_rejected_spend_ends_the_upgrade_blocked(tiny: dict[str, Any]) -> None:
    project, provider = tiny["project"], Scripted()
    first = upgrade(project, provider)
    record_approval(project, first.run_id, "approve_external_spend", by="ana", approve=False)
    with pytest.raises(GateBlocked, match="rejected by ana"):
        upgrade(project, provider)
    assert provider.submitted == []
    manifest = RunFolder.of(project / ".sparkle", first.run_id).read_manifest()
    assert manifest.status == "blocked"


def test_a_threshold_waits_only_for_an_estimate_above_it(tiny: dict[str, Any]) -> None:
    project = tiny["project"]
    set_policy(project, external_spend="threshold", spend_threshold_usd=1000.0)
    assert upgrade(project, Scripted(), dry_run=True).needs_approval is False
    set_policy(project, spend_threshold_usd=0.01)
    assert upgrade(project, Scripted(), dry_run=True).needs_approval is True


def test_the_checkpoint_off_never_waits(tiny: dict[str, Any]) -> None:
    project = tiny["project"]
    config = project / "project.yaml"
    data = yaml.safe_load(config.read_text())
    data["human_checkpoints"]["approve_external_spend"] = False
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    assert upgrade(project, Scripted()).status == "complete"


def test_the_summary_counts_local_and_external_work_and_cost_per_provider(
    tiny: dict[str, Any],
) -> None:
    project = tiny["project"]
    set_policy(project, external_spend="auto")
    provider = Scripted(outcomes={tiny["shots"][0]: "fail"})
    outcome = upgrade(project, provider)
    summary = RunSummary.from_json(
        RunFolder.of(project / ".sparkle", outcome.run_id).summary_path.read_bytes()
    )
    shots = json.loads(
        Path(tiny["report"]["outputs"]["render_output"]).with_name("shotlist.json").read_text()
    )["shots"]
    assert summary.shots_external == len(tiny["shots"]) - 1
    assert summary.shots_local == len(shots) - summary.shots_external
    (usage,) = summary.providers
    assert usage.provider == "scripted" and usage.local is False
    assert (usage.jobs, usage.delivered, usage.failed) == (len(tiny["shots"]), usage.jobs - 1, 1)
    assert usage.cost_usd == pytest.approx(outcome.spent_usd) and usage.cost_usd > 0
    assert usage.reported_usd == pytest.approx(usage.cost_usd)
    assert usage.seconds > 0
    assert [stage.stage for stage in summary.stages] == ["estimate", "dispatch", "assemble"]
    assert summary.cost_usd == pytest.approx(outcome.spent_usd)
    # the preview's own summary: every shot local, nothing spent
    preview = RunSummary.from_json(
        RunFolder.of(project / ".sparkle", tiny["report"]["run_id"]).summary_path.read_bytes()
    )
    assert preview.shots_local == len(shots) and preview.shots_external == 0


def test_the_daily_cap_counts_the_tenants_spend_across_upgrades(tiny: dict[str, Any]) -> None:
    project, shots = tiny["project"], tiny["shots"]
    set_policy(project, external_spend="auto")
    first = upgrade(project, Scripted(), shots=(shots[0],))
    assert first.upgraded == [shots[0]]
    spent = first.spent_usd
    # a second request (other shots) may add only what is left of today's cap
    set_policy(project, max_usd_per_day=round(spent + 0.01, 4))
    provider = Scripted()
    second = upgrade(project, provider, shots=tuple(shots[1:]))
    kept = {k.code for k in second.kept_preview}
    assert provider.submitted == [] and kept == {"daily_cap"}
    assert second.output is not None and second.output.status == "degraded"


def test_a_bill_past_the_daily_cap_cancels_the_jobs_still_running(tiny: dict[str, Any]) -> None:
    project, shots = tiny["project"], tiny["shots"]
    looked = upgrade(project, Scripted(), dry_run=True)
    first, second = (looked.estimates[s] for s in shots[:2])
    # room for the first two estimates, not the third; the first bills three times its price
    set_policy(project, external_spend="auto", max_usd_per_day=round(first + second + 1e-4, 4))
    provider = Scripted(bill_factor=3.0, outcomes={shots[1]: "never"}, polls=2)
    patient = Waiting(poll_seconds=1, deadline_seconds=10_000, sleep=lambda _s: None, clock=Ticks())
    outcome = upgrade(project, provider, waiting=patient)
    kept = {k.shot_id: k.code for k in outcome.kept_preview}
    assert outcome.upgraded == [shots[0]]
    assert provider.submitted == shots[:2]  # the third did not fit today's cap
    assert kept[shots[1]] == "daily_cap" and provider.cancelled == [shots[1]]
    assert all(kept[s] == "daily_cap" for s in shots[2:])


def test_a_provider_with_one_slot_runs_one_job_at_a_time(tiny: dict[str, Any]) -> None:
    project = tiny["project"]
    set_policy(project, external_spend="auto", providers={"scripted": {"max_concurrent": 1}})
    provider = Scripted(polls=2)
    patient = Waiting(poll_seconds=1, deadline_seconds=10_000, sleep=lambda _s: None, clock=Ticks())
    outcome = upgrade(project, provider, waiting=patient)
    assert outcome.upgraded == tiny["shots"] and provider.most_in_flight == 1
    unlimited = Scripted(polls=2)
    set_policy(project, providers={})
    upgrade(project, unlimited, shots=tuple(tiny["shots"]), run_id="again")
    # the ledger had them all delivered: nothing was sent the second time
    assert unlimited.submitted == []


def test_always_local_work_is_never_sent_out(tiny: dict[str, Any]) -> None:
    project = tiny["project"]
    set_policy(project, routing={"video": "always_local"})
    with pytest.raises(InputError, match="always_local"):
        upgrade(project, Scripted())
    set_policy(project, routing={"video": "external_only"})
    assert upgrade(project, Scripted(), dry_run=True).estimates


def test_a_webhook_supersedes_the_poll(tiny: dict[str, Any]) -> None:
    project, shots = tiny["project"], tiny["shots"]
    set_policy(project, external_spend="auto")
    provider = Scripted(outcomes=dict.fromkeys(shots, "never"))
    clock = Ticks()
    heard: list[str] = []

    def webhook_arrives(_seconds: float) -> None:
        """Between polls, the service records the provider's webhooks in the ledger."""
        if heard:
            return
        provider.outcomes = {}
        with Registry.open(project / ".sparkle") as registry:
            ledger = Ledger(registry.engine)
            for job in ledger.jobs(scope_of(project), outcome_id(project)):
                assert job.ref is not None
                event = WebhookEvent(job_id=job.ref.job_id, state=JobState(phase="completed"))
                heard.append(ledger.hear("scripted", event).phase)  # type: ignore[union-attr]
                assert ledger.hear("scripted", event) is not None  # a repeat changes nothing

    waiting = Waiting(poll_seconds=1000, sleep=webhook_arrives, clock=clock)
    outcome = upgrade(project, provider, waiting=waiting)
    assert heard == ["completed"] * len(shots)
    assert outcome.upgraded == shots
    assert provider.status_calls == len(shots)  # one poll each, before the webhooks came
    with Registry.open(project / ".sparkle") as registry:
        ledger = Ledger(registry.engine)
        (job,) = [
            j
            for j in ledger.jobs(scope_of(project), outcome.request_id)
            if j.key.shot_id == shots[0]
        ]
        events = [event.event for event in ledger.events(job.key)]
    assert events.count("webhook") == 1 and events.count("webhook_repeat") == 1
    assert events[-1] == "delivered"


def test_past_the_listening_cap_a_job_is_pending_and_its_webhook_finishes_it(
    tiny: dict[str, Any],
) -> None:
    project, shots = tiny["project"], tiny["shots"]
    set_policy(project, external_spend="auto")
    provider = Scripted(outcomes={shots[0]: "never"})
    waiting = Waiting(poll_seconds=10, listening=True, sleep=lambda _s: None, clock=Ticks())
    first = upgrade(project, provider, waiting=waiting)
    assert first.pending == [shots[0]]
    polled = provider.status_calls
    provider.outcomes = {}
    with Registry.open(project / ".sparkle") as registry:
        ledger = Ledger(registry.engine)
        job = ledger.find("scripted", f"job-{shots[0]}")
        assert job is not None and job.phase == "pending"
        event = WebhookEvent(job_id=f"job-{shots[0]}", state=JobState(phase="completed"))
        assert ledger.hear("scripted", event).phase == "completed"  # type: ignore[union-attr]
    second = upgrade(project, provider, waiting=waiting)
    assert second.upgraded == shots and provider.status_calls == polled  # no poll needed


def outcome_id(project: Path) -> str:
    """The one upgrade request of the project (its run folder's estimate names it)."""
    (run,) = [
        path
        for path in (project / ".sparkle" / "runs").iterdir()
        if (path / "artifacts" / "upgrade_estimate.json").is_file()
    ]
    estimate = UpgradeEstimate.from_json((run / "artifacts/upgrade_estimate.json").read_bytes())
    return estimate.request_id
