"""Runs: invoke, status, artifacts (with range downloads), control, list, event stream."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query
from fastapi.responses import FileResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from sparkle_motion.errors import ArtifactNotFound, InputError, SparkleError
from sparkle_motion.pipeline.project_folder import STATE_DIR
from sparkle_motion.registry import Registry
from sparkle_motion.service.deps import Operator, ServiceDep, Viewer
from sparkle_motion.service.job_spec import JobSpec, PackageSpec
from sparkle_motion.service.models import (
    ArtifactOut,
    ArtifactsOut,
    ControlIn,
    ControlOut,
    InvokeIn,
    InvokeOut,
    RunListOut,
    RunStatusOut,
)
from sparkle_motion.service.packages import materialize_local_assets, package_from
from sparkle_motion.service.problems import ERROR_RESPONSES
from sparkle_motion.service.state import Service
from sparkle_motion.service.store import LIVE, Job, NewJob
from sparkle_motion.service.views import (
    admit,
    check_callbacks,
    download_url,
    job_or_404,
    run_item,
    run_status,
)

__all__ = ["router"]

router = APIRouter(tags=["runs"])

RunId = Annotated[str, Query(min_length=1, max_length=64, description="the run id")]
_MEDIA_TYPES = {
    "media/mp4": "video/mp4",
    "media/video": "video/mp4",
    "media/png": "image/png",
    "media/wav": "audio/wav",
    "media/stem_voice": "audio/wav",
    "media/stem_music": "audio/wav",
    "media/captions_srt": "application/x-subrip",
    "media/captions_vtt": "text/vtt",
}
_DOWNLOAD_TYPES = sorted({*_MEDIA_TYPES.values(), "application/json", "application/octet-stream"})


def _invoke(body: InvokeIn, tenant_id: str, service: Service) -> Job:
    if body.resume_from is not None:
        job = job_or_404(service, tenant_id, body.resume_from)
        return service.pool.control(job, "resume")[1]
    admit(service, tenant_id)
    check_callbacks(service, body.callbacks)
    spec = JobSpec(mode=body.mode, profile=body.profile, callbacks=body.callbacks)
    if body.plan is not None:
        package = package_from(body.plan, service.lookup(tenant_id))
        spec = spec.model_copy(update={"package": PackageSpec.of(package)})
        project_dir = service.space(tenant_id).ensure_engine()
        materialize_local_assets(package.render_plan, project_dir, service.lookup(tenant_id))
    elif body.project_id is not None and body.episode_id is not None:
        project_dir = service.projects.write_episode(tenant_id, body.project_id, body.episode_id)
        spec = spec.model_copy(update={"episode_id": body.episode_id})
    else:
        raise InputError(
            "say what to run: project_id and episode_id, or an inline plan, or resume_from",
            where="body",
        )
    job, _ = service.store.create(
        NewJob(
            job_id=uuid.uuid4().hex,
            tenant_id=tenant_id,
            kind="run",
            project_dir=str(project_dir),
            spec=spec,
        )
    )
    service.webhooks.notify(job)
    service.pool.wake()
    return job


@router.post("/invoke", status_code=202, response_model=InvokeOut, responses=ERROR_RESPONSES)
async def invoke(body: InvokeIn, principal: Operator, service: ServiceDep) -> InvokeOut:
    """Start a run of a project's episode or of an inline plan (or resume one)."""
    job = await run_in_threadpool(_invoke, body, principal.tenant_id, service)
    return InvokeOut(run_id=job.job_id, status=job.status, resumable=job.resumable)


@router.get("/status", response_model=RunStatusOut, responses=ERROR_RESPONSES)
def status(run_id: RunId, principal: Viewer, service: ServiceDep) -> RunStatusOut:
    """Stages with status, attempts and timings; the step history; control acknowledgements."""
    return run_status(service, job_or_404(service, principal.tenant_id, run_id))


@router.get("/runs", response_model=RunListOut, responses=ERROR_RESPONSES)
def list_runs(
    principal: Viewer,
    service: ServiceDep,
    status: Annotated[
        Literal[
            "queued",
            "in_progress",
            "paused",
            "interrupted",
            "completed",
            "degraded",
            "failed",
            "stopped",
        ]
        | None,
        Query(),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> RunListOut:
    """The tenant's runs, oldest first."""
    jobs = service.store.list_jobs(principal.tenant_id, status=status, limit=limit, offset=offset)
    return RunListOut(runs=[run_item(job) for job in jobs])


def _registry(service: Service, job: Job) -> Registry:
    return Registry.open(job.project_dir_path / STATE_DIR, service.settings.database_url)


@router.get("/artifacts", response_model=ArtifactsOut, responses=ERROR_RESPONSES)
def artifacts(run_id: RunId, principal: Viewer, service: ServiceDep) -> ArtifactsOut:
    """Every artifact and output of the run, with its hash and download URL."""
    job = job_or_404(service, principal.tenant_id, run_id)
    names = {v["sha256"]: k for k, v in job.result.get("outputs", {}).items()}
    names.update({sha: name for name, sha in job.result.get("artifacts", {}).items()})
    if job.result.get("run_summary_hash"):
        names[job.result["run_summary_hash"]] = "run_summary"
    if not (job.project_dir_path / STATE_DIR).is_dir():
        return ArtifactsOut(run_id=job.job_id, artifacts=[])
    with _registry(service, job) as registry:
        records = registry.by_run(job.job_id)
    return ArtifactsOut(
        run_id=job.job_id,
        artifacts=[
            ArtifactOut(
                hash=r.hash,
                kind=r.kind,
                size=r.size,
                name=names.get(r.hash),
                download_url=download_url(job, r.hash),
            )
            for r in records
        ],
    )


@router.get(
    "/artifacts/{sha256}",
    response_class=FileResponse,
    responses={
        200: {"content": {t: {} for t in _DOWNLOAD_TYPES}, "description": "the bytes"},
        206: {"content": {t: {} for t in _DOWNLOAD_TYPES}, "description": "a byte range"},
        416: {"description": "the range is not satisfiable"},
        **ERROR_RESPONSES,
    },
)
def download(sha256: str, run_id: RunId, principal: Viewer, service: ServiceDep) -> FileResponse:
    """An artifact of the run; honours Range requests (video seeking)."""
    job = job_or_404(service, principal.tenant_id, run_id)
    missing = ArtifactNotFound(
        f"run {run_id} has no artifact {sha256[:64]!r}",
        where=f"run {run_id}",
        hint=f"list them with GET /artifacts?run_id={run_id}",
    )
    if not (job.project_dir_path / STATE_DIR).is_dir():
        raise missing
    with _registry(service, job) as registry:
        try:
            record = registry.record(sha256)
            path = registry.blob_path(sha256)
        except SparkleError:
            raise missing from None
    if job.job_id not in record.run_ids:
        raise missing
    media_type = _MEDIA_TYPES.get(record.kind) or (
        "application/json" if record.schema_version else "application/octet-stream"
    )
    return FileResponse(path, media_type=media_type)


def _control(action: str, body: ControlIn, tenant_id: str, service: Service) -> ControlOut:
    job = job_or_404(service, tenant_id, body.run_id)
    state, current = service.pool.control(job, action)
    return ControlOut(
        run_id=current.job_id,
        action=action,
        state=state,
        status=current.status,
    )


@router.post("/control/pause", response_model=ControlOut, responses=ERROR_RESPONSES)
async def pause(body: ControlIn, principal: Operator, service: ServiceDep) -> ControlOut:
    """Pause: a queued run at once, a live one at its next stage boundary."""
    return await run_in_threadpool(_control, "pause", body, principal.tenant_id, service)


@router.post("/control/resume", response_model=ControlOut, responses=ERROR_RESPONSES)
async def resume(body: ControlIn, principal: Operator, service: ServiceDep) -> ControlOut:
    """Resume a paused, interrupted, stopped or failed run: finished stages are skipped."""
    return await run_in_threadpool(_control, "resume", body, principal.tenant_id, service)


@router.post("/control/stop", response_model=ControlOut, responses=ERROR_RESPONSES)
async def stop(body: ControlIn, principal: Operator, service: ServiceDep) -> ControlOut:
    """Stop at the next stage boundary; per-shot work not yet started is cancelled."""
    return await run_in_threadpool(_control, "stop", body, principal.tenant_id, service)


@router.get(
    "/runs/{run_id}/events",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
            "description": "server-sent events: status, stage and control events",
        },
        **ERROR_RESPONSES,
    },
)
async def events(
    run_id: str,
    principal: Viewer,
    service: ServiceDep,
    last_event_id: Annotated[str | None, Header(max_length=20)] = None,
    follow: bool = True,
) -> StreamingResponse:
    """The run's events as they happen; ends when the run comes to rest."""
    job = await run_in_threadpool(job_or_404, service, principal.tenant_id, run_id)
    after = int(last_event_id) if last_event_id and last_event_id.isdigit() else 0

    async def stream() -> AsyncIterator[str]:
        nonlocal after
        while True:
            current = await run_in_threadpool(service.store.get, job.tenant_id, job.job_id)
            for event in await run_in_threadpool(service.store.events, job, after=after):
                data = json.dumps({"at": event.at.isoformat(), **event.data}, sort_keys=True)
                yield f"id: {event.id}\nevent: {event.kind}\ndata: {data}\n\n"
                after = event.id
            if not follow or current is None or current.status not in LIVE:
                return
            await asyncio.sleep(0.25)

    return StreamingResponse(stream(), media_type="text/event-stream")
