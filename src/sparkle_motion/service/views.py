"""How a job reads over the API: render-package status, run status, run lists."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sparkle_motion.errors import CallbackRefused, MissingInput, QuotaExceeded
from sparkle_motion.service.execute import manifest_of
from sparkle_motion.service.models import (
    Callback,
    ControlAck,
    JobError,
    RenderPackageOut,
    RunItem,
    RunStatusOut,
    StageRecord,
    StepExecutionRecord,
)
from sparkle_motion.service.state import Service
from sparkle_motion.service.store import Job
from sparkle_motion.service.webhooks import check_callback_url

__all__ = [
    "admit",
    "check_callbacks",
    "download_url",
    "job_or_404",
    "package_out",
    "run_item",
    "run_status",
]

_DESIRED = {
    "video": ("video",),
    "captions": ("captions_srt", "captions_vtt"),
    "audio_stems": ("stem_voice", "stem_music", "stem_effects"),
}


def download_url(job: Job, sha: str) -> str:
    return f"/artifacts/{sha}?run_id={quote(job.job_id)}"


def job_or_404(service: Service, tenant_id: str, run_id: str) -> Job:
    job = service.store.get(tenant_id, run_id)
    if job is None:
        raise MissingInput(
            f"no run {run_id!r}", where="this tenant", hint="list runs with GET /runs"
        )
    return job


def admit(service: Service, tenant_id: str) -> None:
    """The soft storage quota: over it, a tenant's new work is refused (running work goes on)."""
    used = service.storage.usage(tenant_id)
    if used > service.settings.quota_storage_bytes:
        raise QuotaExceeded(
            f"tenant {tenant_id} stores {used} bytes, over its quota of "
            f"{service.settings.quota_storage_bytes}",
            where=f"tenant {tenant_id}",
            hint="delete projects you no longer need, or ask for a larger quota",
        )


def check_callbacks(service: Service, callbacks: list[Callback]) -> None:
    if callbacks and service.settings.webhook_secret is None:
        raise CallbackRefused(
            "this service has no webhook secret, so it cannot sign callbacks",
            where="callbacks",
            hint="the operator sets SPARKLE_WEBHOOK_SECRET",
        )
    for callback in callbacks:
        check_callback_url(
            callback.url,
            allow_private=service.settings.webhook_allow_private,
            resolve=service.webhooks.resolve,
        )


def _errors(job: Job) -> list[JobError]:
    return [
        JobError(
            code=e["code"], message=e["message"], stage=e.get("stage"), recoverable=e["recoverable"]
        )
        for e in job.result.get("errors", [])
    ]


def package_out(job: Job) -> RenderPackageOut:
    desired = job.spec.desired_outputs
    outputs: dict[str, Any] = job.result.get("outputs", {})
    uris: dict[str, str] = {}
    for wanted in desired:
        for name in _DESIRED.get(wanted, ()):
            if name in outputs:
                uris[name] = download_url(job, outputs[name]["sha256"])
    if "run_summary" in desired and job.result.get("run_summary_hash"):
        uris["run_summary"] = download_url(job, job.result["run_summary_hash"])
    if "render_output" in outputs:
        uris["render_output"] = download_url(job, outputs["render_output"]["sha256"])
    return RenderPackageOut(
        request_id=job.request_id or job.job_id,
        run_id=job.job_id,
        tenant_id=job.tenant_id,
        status=job.status,
        resumable=job.resumable,
        artifact_uris=uris,
        lineage_hashes=dict(job.result.get("artifacts", {})),
        run_summary=job.result.get("run_summary") if "run_summary" in desired else None,
        errors=_errors(job),
        created_at=job.created_at,
        updated_at=job.updated_at,
    )


def run_item(job: Job) -> RunItem:
    return RunItem(
        run_id=job.job_id,
        kind=job.kind,
        request_id=job.request_id,
        status=job.status,
        resumable=job.resumable,
        created_at=job.created_at,
        updated_at=job.updated_at,
    )


def run_status(service: Service, job: Job) -> RunStatusOut:
    manifest = manifest_of(job)
    history = [
        StepExecutionRecord(
            at=e.at, stage=e.stage, event=e.event, attempt=e.attempt, detail=e.detail
        )
        for e in (manifest.events if manifest else [])
    ]
    stages: dict[str, StageRecord] = {}
    for step in history:
        record = stages.setdefault(
            step.stage, StageRecord(stage=step.stage, status="running", attempts=0)
        )
        if step.event == "begin":
            record.attempts = max(record.attempts, step.attempt)
            record.started_at = record.started_at or step.at
            record.status, record.finished_at = "running", None
        elif step.event != "retry":
            record.status, record.finished_at = step.event, step.at
    controls = [
        ControlAck(
            action=event.data["action"],
            state=event.data["state"],
            at=event.at,
            stage=event.data.get("stage"),
        )
        for event in service.store.events(job, kinds=["control"])
    ]
    return RunStatusOut(
        run_id=job.job_id,
        kind=job.kind,
        request_id=job.request_id,
        status=job.status,
        resumable=job.resumable,
        stages=list(stages.values()),
        history=history,
        controls=controls,
        errors=_errors(job),
        upgrade=job.result.get("upgrade"),
        created_at=job.created_at,
        updated_at=job.updated_at,
    )
