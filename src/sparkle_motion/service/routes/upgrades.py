"""Upgrades over HTTP, and the providers' callbacks that finish them.

``POST /api/projects/{id}/upgrades`` starts an upgrade of a rendered episode
(or, with ``dry_run``, answers its estimate). A provider that calls back
posts to ``/api/providers/{name}/webhooks/{tenant}``: no API key there, the
provider's own signature is what is checked (SM113 answers 401; a failure
to fetch its keys answers 503, so the provider delivers again). A verified
event is recorded in the tenant's spend ledger; when it settles the last
job an upgrade paused for, that upgrade goes on.
"""

from __future__ import annotations

import uuid
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from sparkle_motion.errors import MissingInput, ProviderError, ProviderTransient, WebhookRejected
from sparkle_motion.providers.ledger import Ledger
from sparkle_motion.registry import Registry
from sparkle_motion.service.deps import Operator, ServiceDep
from sparkle_motion.service.job_spec import JobSpec
from sparkle_motion.service.models import ErrorBody, InvokeOut, UpgradeEstimateOut, UpgradeIn
from sparkle_motion.service.problems import ERROR_RESPONSES, HttpProblem
from sparkle_motion.service.state import Service
from sparkle_motion.service.store import Job, NewJob
from sparkle_motion.service.upgrade_job import PROVIDER_PENDING, estimate_out
from sparkle_motion.service.views import admit, check_callbacks

__all__ = ["router"]

router = APIRouter(tags=["upgrades"])

Name = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]


def _spec(body: UpgradeIn) -> JobSpec:
    return JobSpec(
        mode="upgrade",
        episode_id=body.episode_id,
        profile=body.profile,
        shots=list(body.shots),
        scenes=list(body.scenes),
        callbacks=body.callbacks,
    )


def _folder(service: Service, tenant_id: str, project_id: str) -> FilePath:
    service.projects.get(tenant_id, project_id)  # 404 for another tenant's, or none
    return service.projects.folder(tenant_id, project_id)


def _estimate(
    service: Service, tenant_id: str, project_id: str, body: UpgradeIn
) -> UpgradeEstimateOut:
    folder = _folder(service, tenant_id, project_id)
    request = service.upgrades.request(tenant_id, folder, _spec(body), dry_run=True)
    return UpgradeEstimateOut.model_validate(estimate_out(service.upgrades.run(request)))


def _start(service: Service, tenant_id: str, project_id: str, body: UpgradeIn) -> Job:
    admit(service, tenant_id)
    check_callbacks(service, body.callbacks)
    job, _ = service.store.create(
        NewJob(
            job_id=uuid.uuid4().hex,
            tenant_id=tenant_id,
            kind="upgrade",
            project_dir=str(_folder(service, tenant_id, project_id)),
            spec=_spec(body),
        )
    )
    service.webhooks.notify(job)
    service.pool.wake()
    return job


@router.post(
    "/api/projects/{project_id}/upgrades",
    status_code=202,
    response_model=InvokeOut | UpgradeEstimateOut,
    responses={**ERROR_RESPONSES, 200: {"model": UpgradeEstimateOut}},
)
async def upgrade(
    project_id: str, body: UpgradeIn, principal: Operator, service: ServiceDep
) -> InvokeOut | JSONResponse:
    """Upgrade a rendered episode's shots through the profile's provider (a run: poll it at
    /status, approve its spend at /approvals); with ``dry_run``, only its estimate (200)."""
    tenant = principal.tenant_id
    if body.dry_run:
        estimate = await run_in_threadpool(_estimate, service, tenant, project_id, body)
        return JSONResponse(estimate.model_dump(mode="json"), status_code=200)
    job = await run_in_threadpool(_start, service, tenant, project_id, body)
    return InvokeOut(run_id=job.job_id, status=job.status, resumable=job.resumable)


def _hear(
    service: Service, provider_id: str, tenant_id: str, headers: dict[str, str], body: bytes
) -> dict[str, str]:
    provider = service.providers.get(provider_id)
    if provider is None:
        raise MissingInput(f"no provider {provider_id!r}", where="webhook")
    if tenant_id not in {key.tenant_id for key in service.settings.api_keys.values()}:
        raise MissingInput(f"no tenant {tenant_id!r}", where="webhook")
    try:
        event = provider.verify_webhook(headers, body)
    except WebhookRejected as exc:
        raise HttpProblem(401, exc) from None
    except ProviderError as exc:  # its keys could not be fetched: not the sender's fault
        raise HttpProblem(503, exc) from None
    with Registry.open(service.ledger_dir(tenant_id), service.settings.database_url) as books:
        ledger = Ledger(books.engine)
        before = ledger.find(provider_id, event.job_id)
        job = ledger.hear(provider_id, event)
        if job is None:
            raise MissingInput(
                f"no {provider_id} job {event.job_id!r} for tenant {tenant_id}",
                where="webhook",
                hint="a job is known once its submission is recorded; the provider delivers again",
            )
        settled = all(
            entry.final or entry.phase == "completed"
            for entry in ledger.jobs(job.key.scope, job.key.request_id)
        )
    # "pending": the upgrade that waited for it has stopped waiting, so it must be sent on
    late = before is not None and before.phase == "pending"
    if settled and late and _finishing(service, tenant_id, job.key.request_id):
        raise HttpProblem(
            503,
            ProviderTransient(
                f"the upgrade of request {job.key.request_id} is still finishing a pass",
                where="webhook",
                hint="recorded; deliver again and the upgrade collects it",
            ),
        )
    if settled:
        _send_on(service, tenant_id, job.key.request_id)
    return {"job_id": event.job_id, "phase": job.phase}


def _upgrades_of(service: Service, tenant_id: str, request_id: str, status: str) -> list[Job]:
    found = []
    for job in service.store.list_jobs(tenant_id, status=status, limit=1000):
        if job.kind == "upgrade" and _request_of(job) in (request_id, None):
            found.append(job)
    return found


def _request_of(job: Job) -> str | None:
    upgrade = job.result.get("upgrade")
    found = upgrade.get("request_id") if isinstance(upgrade, dict) else None
    return found if isinstance(found, str) else None


def _finishing(service: Service, tenant_id: str, request_id: str) -> bool:
    """An upgrade of the request is running a pass, which may end paused for these very
    jobs: too late for it to see them, too early to resume it (the provider delivers
    again, by then it rests)."""
    return bool(_upgrades_of(service, tenant_id, request_id, "in_progress"))


def _send_on(service: Service, tenant_id: str, request_id: str) -> None:
    """Resume the upgrade that paused for these jobs (it collects their clips)."""
    for job in _upgrades_of(service, tenant_id, request_id, "paused"):
        upgrade = job.result.get("upgrade") or {}
        if upgrade.get("waiting") == PROVIDER_PENDING:
            service.pool.control(job, "resume")


@router.post(
    "/api/providers/{provider_id}/webhooks/{tenant_id}",
    responses={
        **ERROR_RESPONSES,
        401: {"model": ErrorBody, "description": "the signature does not verify (SM113)"},
        404: {"model": ErrorBody, "description": "no such provider, or no job it names"},
        503: {
            "model": ErrorBody,
            "description": "the provider's keys could not be fetched, or the upgrade is between "
            "passes: deliver again",
        },
    },
)
async def provider_webhook(
    provider_id: Name, tenant_id: Name, request: Request, service: ServiceDep
) -> dict[str, str]:
    """A provider's callback: verified by its own signature, recorded in the ledger."""
    body = await request.body()
    headers = dict(request.headers)
    return await run_in_threadpool(_hear, service, provider_id, tenant_id, headers, body)
