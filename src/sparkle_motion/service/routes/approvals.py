"""Human checkpoints over HTTP: what waits, approve or reject, and the audit trail.

The runner pauses at a stage whose approval is enabled; approvals are recorded
in the run manifest by ``pipeline.runs.record_approval``, and an approval (or
a rejection, which then fails the run) sends the run on at once.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from sparkle_motion.errors import MissingInput
from sparkle_motion.pipeline.runs import record_approval
from sparkle_motion.service.deps import Operator, ServiceDep, Viewer
from sparkle_motion.service.execute import manifest_of
from sparkle_motion.service.problems import ERROR_RESPONSES
from sparkle_motion.service.project_models import (
    ApprovalIn,
    ApprovalOut,
    AuditOut,
    PendingApproval,
    PendingOut,
)
from sparkle_motion.service.state import Service
from sparkle_motion.service.store import Job
from sparkle_motion.service.views import job_or_404

__all__ = ["router"]

router = APIRouter(prefix="/approvals", tags=["approvals"], responses=ERROR_RESPONSES)


def _pending(job: Job) -> PendingApproval | None:
    manifest = manifest_of(job)
    if job.status != "paused" or manifest is None or manifest.waiting_for is None:
        return None
    waiting = manifest.waiting_for
    return PendingApproval(
        run_id=job.job_id,
        checkpoint=waiting.checkpoint,
        stage=waiting.stage,
        subject_hash=waiting.subject_hash,
        waiting_since=waiting.since,
    )


@router.get("", response_model=PendingOut)
def pending(principal: Viewer, service: ServiceDep) -> PendingOut:
    """Runs of this tenant paused at a human checkpoint."""
    found = [_pending(job) for job in service.store.list_jobs(principal.tenant_id, status="paused")]
    return PendingOut(pending=[p for p in found if p is not None])


def _decide(
    service: Service, tenant_id: str, run_id: str, checkpoint: str, body: ApprovalIn
) -> ApprovalOut:
    job = job_or_404(service, tenant_id, run_id)
    waiting = _pending(job)
    if waiting is None or waiting.checkpoint != checkpoint:
        raise MissingInput(
            f"run {run_id} is not waiting for {checkpoint}",
            where=f"run {run_id}",
            hint="list what waits with GET /approvals",
        )
    approval = record_approval(
        Path(job.project_dir),
        run_id,
        checkpoint,
        by=body.approver_id,
        approve=body.decision == "approve",
        notes=body.notes,
    )
    service.store.add_event(
        job,
        "approval",
        {"checkpoint": checkpoint, "decision": approval.decision, "by": approval.by},
    )
    service.pool.control(job, "resume")
    return ApprovalOut(run_id=run_id, **approval.model_dump())


@router.post("/{run_id}/{checkpoint}", response_model=ApprovalOut)
async def decide(
    run_id: str, checkpoint: str, body: ApprovalIn, principal: Operator, service: ServiceDep
) -> ApprovalOut:
    """Approve or reject; the run goes on (a rejection ends it as failed)."""
    return await run_in_threadpool(_decide, service, principal.tenant_id, run_id, checkpoint, body)


@router.get("/{run_id}", response_model=AuditOut)
def audit(run_id: str, principal: Viewer, service: ServiceDep) -> AuditOut:
    """Every approval and rejection recorded for the run: who, when, notes, subject."""
    job = job_or_404(service, principal.tenant_id, run_id)
    manifest = manifest_of(job)
    approvals = manifest.approvals if manifest else []
    return AuditOut(
        run_id=run_id, approvals=[ApprovalOut(run_id=run_id, **a.model_dump()) for a in approvals]
    )
