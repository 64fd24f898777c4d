"""An upgrade job: a tenant's rendered episode, some shots asked of a provider.

The job's id is the upgrade run's id; the spend ledger is the tenant's (its
workspace registry, or the shared database), so the daily cap and each
provider's limits add up across the tenant's projects. With a public URL
set, the provider calls back (the webhook route records it in that ledger)
and the job polls for at most the listening cap; a job still running then
leaves the upgrade paused for the provider, and its webhook sends it on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sparkle_motion.errors import SparkleError
from sparkle_motion.pipeline.provider_jobs import Waiting
from sparkle_motion.pipeline.upgrade import UpgradeOutcome, UpgradeRequest, upgrade_episode
from sparkle_motion.providers.contract import Provider
from sparkle_motion.service.job_spec import JobSpec
from sparkle_motion.service.outcome import Execution, crashed, error_entry, output_entries
from sparkle_motion.service.store import Job

__all__ = ["PROVIDER_PENDING", "UpgradeSetup", "estimate_out", "execute_upgrade", "webhook_path"]

PROVIDER_PENDING = "provider_pending"


def webhook_path(provider_id: str, tenant_id: str) -> str:
    return f"/api/providers/{provider_id}/webhooks/{tenant_id}"


@dataclass(frozen=True)
class UpgradeSetup:
    """What every upgrade job of one service shares."""

    providers: Mapping[str, Provider]
    database_url: str | None
    cache_max_bytes: int
    public_url: str | None
    poll_seconds: float
    wait_seconds: float
    ledger_dir: Callable[[str], Path]  # the tenant's ledger state folder

    def request(
        self,
        tenant_id: str,
        project_dir: Path,
        spec: JobSpec,
        *,
        run_id: str | None = None,
        dry_run: bool = False,
    ) -> UpgradeRequest:
        callback = (
            self.public_url.rstrip("/") + webhook_path("{provider}", tenant_id)
            if self.public_url
            else None
        )
        return UpgradeRequest(
            project_dir=project_dir,
            profile=spec.profile or "",
            episode_id=spec.episode_id,
            shots=tuple(spec.shots),
            scenes=tuple(spec.scenes),
            dry_run=dry_run,
            waiting=Waiting(
                poll_seconds=self.poll_seconds,
                deadline_seconds=self.wait_seconds,
                listening=callback is not None,
            ),
            tenant_id=tenant_id,
            run_id=run_id,
            webhook_url=callback,
            ledger_dir=self.ledger_dir(tenant_id),
        )

    def run(self, request: UpgradeRequest) -> UpgradeOutcome:
        return upgrade_episode(
            request,
            providers=self.providers,
            database_url=self.database_url,
            cache_max_bytes=self.cache_max_bytes,
        )


def estimate_out(outcome: UpgradeOutcome) -> dict[str, Any]:
    estimate = outcome.estimate
    return {
        "request_id": outcome.request_id,
        "provider": estimate.provider,
        "model": estimate.model,
        "total_usd": estimate.total_usd,
        "budget_usd": estimate.budget_usd,
        "spent_usd": round(outcome.spent_usd, 6),
        "needs_approval": outcome.needs_approval,
        "segments": [segment.model_dump(mode="json") for segment in estimate.segments],
        "too_long": list(estimate.too_long),
        "decisions": list(estimate.decisions),
    }


def _outputs(outcome: UpgradeOutcome) -> dict[str, Any]:
    output = outcome.output
    return {} if output is None else output_entries(output, output.content_hash())


def execute_upgrade(job: Job, setup: UpgradeSetup) -> Execution:
    """Run (or go on with) the upgrade to its next resting point."""
    request = setup.request(job.tenant_id, Path(job.project_dir), job.spec, run_id=job.job_id)
    try:
        outcome = setup.run(request)
    except SparkleError as exc:
        return Execution("failed", {"errors": [error_entry(exc)]}, {"stage": exc.stage})
    except Exception as exc:
        return crashed(exc)
    result: dict[str, Any] = {
        "upgrade": {
            **estimate_out(outcome),
            "upgraded": outcome.upgraded,
            "kept_preview": [kept.model_dump(mode="json") for kept in outcome.kept_preview],
            "pending": outcome.pending,
            "video_segments": outcome.video_segments,
            "failed_segments": outcome.failed_segments,
            "waiting": PROVIDER_PENDING if outcome.pending and outcome.waiting is None else None,
        },
        "outputs": _outputs(outcome),
        "run_summary": outcome.summary.model_dump(mode="json") if outcome.summary else None,
        "errors": [],
    }
    if outcome.waiting is not None:
        return Execution("paused", result, {"reason": "approval", "stage": "estimate"})
    if outcome.pending:
        # the clips still being made come by webhook, which sends the job on
        return Execution("paused", result, {"reason": PROVIDER_PENDING, "stage": "dispatch"})
    output = outcome.output
    return Execution("degraded" if output and output.status == "degraded" else "completed", result)
