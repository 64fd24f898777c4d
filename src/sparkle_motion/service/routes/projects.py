"""Projects, their scenes (ordered, with timing) and their licensed assets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from sparkle_motion.service.deps import Admin, Operator, ServiceDep, Viewer
from sparkle_motion.service.problems import ERROR_RESPONSES
from sparkle_motion.service.project_models import (
    AssetIn,
    AssetOut,
    ProjectIn,
    ProjectOut,
    ProjectUpdate,
    SceneIn,
    SceneOut,
    SceneUpdate,
)
from sparkle_motion.service.views import admit

__all__ = ["router"]

router = APIRouter(prefix="/api/projects", tags=["projects"], responses=ERROR_RESPONSES)

EpisodeFilter = Annotated[str | None, Query(max_length=100)]


@router.post("", status_code=201, response_model=ProjectOut)
def create_project(body: ProjectIn, principal: Operator, service: ServiceDep) -> ProjectOut:
    """A new project; ``config`` holds the project.yaml settings."""
    admit(service, principal.tenant_id)
    return service.projects.create(principal.tenant_id, body)


@router.get("", response_model=list[ProjectOut])
def list_projects(principal: Viewer, service: ServiceDep) -> list[ProjectOut]:
    return service.projects.list_projects(principal.tenant_id)


@router.get("/{project_id}", response_model=ProjectOut)
def get_project(project_id: str, principal: Viewer, service: ServiceDep) -> ProjectOut:
    return service.projects.get(principal.tenant_id, project_id)


@router.patch("/{project_id}", response_model=ProjectOut)
def update_project(
    project_id: str, body: ProjectUpdate, principal: Operator, service: ServiceDep
) -> ProjectOut:
    return service.projects.update(principal.tenant_id, project_id, body)


@router.delete("/{project_id}", status_code=204, response_class=Response)
def delete_project(project_id: str, principal: Admin, service: ServiceDep) -> Response:
    """Deletes the project, its scenes and assets; its past runs stay readable."""
    service.projects.delete(principal.tenant_id, project_id)
    return Response(status_code=204)


@router.get("/{project_id}/scenes", response_model=list[SceneOut])
def list_scenes(
    project_id: str, principal: Viewer, service: ServiceDep, episode_id: EpisodeFilter = None
) -> list[SceneOut]:
    """Scenes in episode order, each with where it starts by the target lengths before it."""
    return service.projects.scenes(principal.tenant_id, project_id, episode_id)


@router.post("/{project_id}/scenes", status_code=201, response_model=SceneOut)
def add_scene(project_id: str, body: SceneIn, principal: Operator, service: ServiceDep) -> SceneOut:
    return service.projects.add_scene(principal.tenant_id, project_id, body)


@router.get("/{project_id}/scenes/{scene_id}", response_model=SceneOut)
def get_scene(project_id: str, scene_id: str, principal: Viewer, service: ServiceDep) -> SceneOut:
    return service.projects.scene(principal.tenant_id, project_id, scene_id)


@router.patch("/{project_id}/scenes/{scene_id}", response_model=SceneOut)
def update_scene(
    project_id: str, scene_id: str, body: SceneUpdate, principal: Operator, service: ServiceDep
) -> SceneOut:
    return service.projects.update_scene(principal.tenant_id, project_id, scene_id, body)


@router.delete("/{project_id}/scenes/{scene_id}", status_code=204, response_class=Response)
def delete_scene(
    project_id: str, scene_id: str, principal: Operator, service: ServiceDep
) -> Response:
    service.projects.delete_scene(principal.tenant_id, project_id, scene_id)
    return Response(status_code=204)


@router.get("/{project_id}/assets", response_model=list[AssetOut])
def list_assets(project_id: str, principal: Viewer, service: ServiceDep) -> list[AssetOut]:
    return service.projects.assets(principal.tenant_id, project_id)


@router.post("/{project_id}/assets", status_code=201, response_model=AssetOut)
async def upload_asset(
    project_id: str, body: AssetIn, principal: Operator, service: ServiceDep
) -> AssetOut:
    """Upload a file (base64) with its licence; refused without ``license``."""
    tenant = principal.tenant_id
    await run_in_threadpool(admit, service, tenant)
    return await run_in_threadpool(
        service.projects.add_asset, tenant, project_id, body, service.store_upload(tenant)
    )


@router.get("/{project_id}/assets/{asset_id}", response_model=AssetOut)
def get_asset(project_id: str, asset_id: str, principal: Viewer, service: ServiceDep) -> AssetOut:
    return service.projects.asset(principal.tenant_id, project_id, asset_id)


@router.delete("/{project_id}/assets/{asset_id}", status_code=204, response_class=Response)
def delete_asset(project_id: str, asset_id: str, principal: Admin, service: ServiceDep) -> Response:
    service.projects.delete_asset(principal.tenant_id, project_id, asset_id)
    return Response(status_code=204)
