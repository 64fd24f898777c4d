"""RenderPackage v1: a shot list, asset manifest and render plan in; a video out."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from sparkle_motion.errors import AccessDenied, IdempotencyConflict, InvalidArtifact, MissingInput
from sparkle_motion.service.deps import Operator, ServiceDep, Viewer
from sparkle_motion.service.job_spec import JobSpec, PackageSpec
from sparkle_motion.service.models import DeliveryOut, RenderPackageIn, RenderPackageOut
from sparkle_motion.service.packages import body_hash, materialize_local_assets, package_from
from sparkle_motion.service.problems import ERROR_RESPONSES
from sparkle_motion.service.store import NewJob
from sparkle_motion.service.views import admit, check_callbacks, package_out

__all__ = ["router"]

router = APIRouter(tags=["render packages"])


def _submit(
    body: RenderPackageIn, tenant_id: str, service: ServiceDep
) -> tuple[RenderPackageOut, bool]:
    digest = body_hash(body.model_dump(mode="json"))
    earlier = service.store.find(
        tenant_id, idempotency_key=body.idempotency_key, request_id=body.request_id
    )
    if earlier is not None:
        if earlier.body_hash != digest or earlier.idempotency_key != body.idempotency_key:
            raise IdempotencyConflict(
                "this idempotency key or request id was used with a different request",
                where=f"request {body.request_id}",
                hint="send the original body again to read its result, or use a new key",
            )
        return package_out(earlier), True
    admit(service, tenant_id)
    check_callbacks(service, body.callbacks)
    package = package_from(body.inputs, service.lookup(tenant_id))
    plan = package.render_plan
    if body.render_profile is not None and body.render_profile != plan.profile.name:
        raise InvalidArtifact(
            f"render_profile {body.render_profile!r} is not the render plan's profile "
            f"{plan.profile.name!r}",
            where="render_profile",
            hint="resolve the plan for that profile, or leave render_profile out",
        )
    workspace = service.space(tenant_id).ensure_engine()
    materialize_local_assets(plan, workspace, service.lookup(tenant_id))
    job, replayed = service.store.create(
        NewJob(
            job_id=uuid.uuid4().hex,
            tenant_id=tenant_id,
            kind="render_package",
            project_dir=str(workspace),
            request_id=body.request_id,
            idempotency_key=body.idempotency_key,
            body_hash=digest,
            spec=JobSpec(
                package=PackageSpec.of(package),
                desired_outputs=body.desired_outputs,
                callbacks=body.callbacks,
                logging=body.logging_options,
            ),
        )
    )
    if not replayed:
        service.webhooks.notify(job)
        service.pool.wake()
    return package_out(job), replayed


@router.post(
    "/v1/render-packages",
    status_code=202,
    response_model=RenderPackageOut,
    responses={
        200: {"model": RenderPackageOut, "description": "a replay: the earlier request's status"},
        **ERROR_RESPONSES,
    },
)
async def submit_render_package(
    body: RenderPackageIn, principal: Operator, service: ServiceDep, response: Response
) -> RenderPackageOut:
    """Queue a render. Replaying an idempotency key answers 200 with the first result."""
    if body.tenant_id is not None and body.tenant_id != principal.tenant_id:
        raise AccessDenied(
            "the API key belongs to another tenant than tenant_id",
            where="tenant_id",
            hint="leave tenant_id out, or use that tenant's key",
        )
    out, replayed = await run_in_threadpool(_submit, body, principal.tenant_id, service)
    if replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return out


def _package_job(service: ServiceDep, tenant_id: str, request_id: str) -> RenderPackageOut:
    job = service.store.by_request(tenant_id, request_id)
    if job is None or job.kind != "render_package":
        raise MissingInput(
            f"no render package {request_id!r}",
            where="this tenant",
            hint="list runs with GET /runs",
        )
    return package_out(job)


@router.get(
    "/v1/render-packages/{request_id}", response_model=RenderPackageOut, responses=ERROR_RESPONSES
)
def get_render_package(request_id: str, principal: Viewer, service: ServiceDep) -> RenderPackageOut:
    """Status, artifact URIs, lineage hashes, the run summary and errors."""
    return _package_job(service, principal.tenant_id, request_id)


@router.get(
    "/v1/render-packages/{request_id}/deliveries",
    response_model=list[DeliveryOut],
    responses=ERROR_RESPONSES,
)
def get_deliveries(request_id: str, principal: Viewer, service: ServiceDep) -> list[DeliveryOut]:
    """Every webhook delivery attempt made for this package, oldest first."""
    out = _package_job(service, principal.tenant_id, request_id)
    job = service.store.get(principal.tenant_id, out.run_id)
    assert job is not None
    return [
        DeliveryOut(
            delivery_id=d.delivery_id,
            url=d.url,
            event=d.event,
            attempt=d.attempt,
            status_code=d.status_code,
            error=d.error,
            at=d.at,
        )
        for d in service.store.deliveries(job)
    ]
