"""Liveness, readiness, and what the calling tenant uses against its quotas."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from sparkle_motion.service.deps import ServiceDep, Viewer
from sparkle_motion.service.models import HealthOut, ReadyOut, TenantOut
from sparkle_motion.service.problems import ERROR_RESPONSES

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/api/health", response_model=HealthOut)
def health() -> HealthOut:
    """The process is alive."""
    return HealthOut(status="ok")


@router.get(
    "/ready",
    response_model=ReadyOut,
    responses={503: {"model": ReadyOut, "description": "a dependency is not ready"}},
)
def ready(service: ServiceDep) -> JSONResponse:
    """The database answers, ffmpeg runs, and every worker thread is alive."""
    checks = service.readiness()
    ok = all(check.ok for check in checks.values())
    body = ReadyOut(status="ready" if ok else "not_ready", checks=checks)
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if ok else 503)


@router.get("/api/tenant", response_model=TenantOut, responses=ERROR_RESPONSES)
def tenant(principal: Viewer, service: ServiceDep) -> TenantOut:
    """The calling key's tenant and role, its jobs and storage against its soft quotas."""
    settings = service.settings
    return TenantOut(
        tenant_id=principal.tenant_id,
        role=principal.role,
        running_jobs=service.store.running_counts().get(principal.tenant_id, 0),
        live_jobs=service.store.live_count(principal.tenant_id),
        storage_bytes=service.storage.usage(principal.tenant_id),
        quota_concurrent_jobs=settings.quota_concurrent_jobs,
        quota_storage_bytes=settings.quota_storage_bytes,
    )
