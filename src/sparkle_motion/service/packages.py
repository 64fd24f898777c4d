"""Turning a request's inputs into the RenderPackage the Video Engine renders.

Each input is an inline artifact (validated against its schema and version)
or a reference to an artifact already in the tenant's registry. The three
must belong to one episode, share the ShotList's timing_lock_hash and agree
with the profile's frame rate; local assets the plan names must be in the
tenant's registry, and are copied into the workspace before the render.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

import yaml

from sparkle_motion.atomic import write_atomic
from sparkle_motion.errors import AssetPathError, InputError, InvalidArtifact
from sparkle_motion.render.package import RenderPackage
from sparkle_motion.schemas import (
    Artifact,
    AssetManifest,
    RenderPlan,
    ShotList,
    canonical_json,
)
from sparkle_motion.service.models import ArtifactRef, InlinePlan

__all__ = ["BlobLookup", "body_hash", "materialize_local_assets", "package_from"]

A = TypeVar("A", bound=Artifact)

BlobLookup = Callable[[str], bytes | None]


def body_hash(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(dict(body))).hexdigest()


def _input(value: ArtifactRef | dict[str, Any], kind: type[A], name: str, lookup: BlobLookup) -> A:
    if not isinstance(value, ArtifactRef):
        return kind.from_data(value, source=f"inputs.{name}")
    data = lookup(value.ref)
    if data is None:
        raise InputError(
            f"no artifact {value.ref} in this tenant's registry",
            where=f"inputs.{name}.ref",
            hint="send the artifact inline, or a hash this tenant stored",
        )
    return kind.from_json(data, source=f"inputs.{name} ({value.ref[:12]})")


def package_from(plan: InlinePlan, lookup: BlobLookup) -> RenderPackage:
    """The shot list, asset manifest and render plan, validated and checked to fit together."""
    shotlist = _input(plan.shotlist, ShotList, "shotlist", lookup)
    manifest = _input(plan.asset_manifest, AssetManifest, "asset_manifest", lookup)
    render_plan = _input(plan.render_plan, RenderPlan, "render_plan", lookup)
    try:
        return RenderPackage.of(shotlist, manifest, render_plan)
    except InvalidArtifact as exc:
        raise InvalidArtifact(exc.message, where=f"inputs.{exc.where}", hint=exc.hint) from None


def _workspace_path(workspace: Path, uri: str) -> Path:
    path = PurePosixPath(uri)
    if path.is_absolute() or ".." in path.parts or not path.parts or path.parts[0] != "assets":
        raise AssetPathError(
            f"local asset uri {uri!r} must be a relative path under assets/",
            where="inputs.render_plan.assets",
            hint="name local assets assets/<path> and store them first",
        )
    return workspace.joinpath(*path.parts)


def materialize_local_assets(plan: RenderPlan, workspace: Path, lookup: BlobLookup) -> None:
    """Copy each local asset the plan names from the registry into the workspace."""
    for asset in plan.assets:
        if asset.source != "local":
            continue
        target = _workspace_path(workspace, asset.uri)
        data = lookup(asset.sha256) if asset.sha256 else None
        if data is None:
            raise InputError(
                f"local asset {asset.uri} is not in this tenant's registry",
                where=f"inputs.render_plan.assets[{asset.need_id}]",
                hint="upload it with POST /api/projects/{id}/assets, then name its sha256",
            )
        if target.is_file():
            if hashlib.sha256(target.read_bytes()).hexdigest() == asset.sha256:
                continue
            raise InputError(
                f"another asset already occupies {asset.uri} in this tenant's workspace",
                where=f"inputs.render_plan.assets[{asset.need_id}]",
                hint="give the asset a uri of its own",
            )
        write_atomic(target, data)
        if asset.license is not None:
            sidecar = target.with_name(target.name + ".license.yaml")
            text = yaml.safe_dump(asset.license.model_dump(mode="json"), sort_keys=True)
            write_atomic(sidecar, text.encode("utf-8"))
