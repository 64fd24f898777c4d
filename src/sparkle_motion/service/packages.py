"""Turning a RenderPackage's inputs into the three artifacts the Video Engine renders.

Each input is an inline artifact (validated against its schema and version)
or a reference to an artifact already in the tenant's registry. The three
must belong to one episode and share the ShotList's timing_lock_hash; local
assets the plan names must be in the tenant's registry, and are copied into
the workspace before the render.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from sparkle_motion.errors import AssetPathError, InputError, InvalidArtifact
from sparkle_motion.pipeline.atomic import write_atomic
from sparkle_motion.schemas import (
    Artifact,
    AssetManifest,
    RenderPlan,
    ShotList,
    canonical_json,
)
from sparkle_motion.service.models import ArtifactRef, InlinePlan

__all__ = [
    "SEED_TYPES",
    "BlobLookup",
    "body_hash",
    "check_locks",
    "materialize_local_assets",
    "resolve_plan",
    "seeds_from_spec",
]

SEED_TYPES: dict[str, type[Artifact]] = {
    "shotlist": ShotList,
    "asset_manifest": AssetManifest,
    "render_plan": RenderPlan,
}

BlobLookup = Callable[[str], bytes | None]


def body_hash(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(dict(body))).hexdigest()


def resolve_plan(plan: InlinePlan, lookup: BlobLookup) -> dict[str, Artifact]:
    """The shot list, asset manifest and render plan, validated and lock-checked."""
    seeds: dict[str, Artifact] = {}
    for name, kind in SEED_TYPES.items():
        value = getattr(plan, name)
        if isinstance(value, ArtifactRef):
            data = lookup(value.ref)
            if data is None:
                raise InputError(
                    f"no artifact {value.ref} in this tenant's registry",
                    where=f"inputs.{name}.ref",
                    hint="send the artifact inline, or a hash this tenant stored",
                )
            seeds[name] = kind.from_json(data, source=f"inputs.{name} ({value.ref[:12]})")
        else:
            seeds[name] = kind.from_data(value, source=f"inputs.{name}")
    check_locks(seeds)
    return seeds


def check_locks(seeds: Mapping[str, Artifact]) -> None:
    shotlist = seeds["shotlist"]
    assert isinstance(shotlist, ShotList)
    for name in ("asset_manifest", "render_plan"):
        artifact = seeds[name]
        lock = getattr(artifact, "timing_lock_hash", None)
        if lock != shotlist.timing_lock_hash:
            raise InvalidArtifact(
                f"$.timing_lock_hash: {str(lock)[:12]} does not match the shot list's "
                f"{shotlist.timing_lock_hash[:12]}",
                where=f"inputs.{name}",
                hint="plan the asset manifest and render plan again from this shot list",
            )
        if getattr(artifact, "episode_id", None) != shotlist.episode_id:
            raise InvalidArtifact(
                f"$.episode_id: {getattr(artifact, 'episode_id', None)!r} is not the shot "
                f"list's {shotlist.episode_id!r}",
                where=f"inputs.{name}",
            )


def seeds_from_spec(spec: Mapping[str, Any]) -> dict[str, Artifact]:
    return {
        name: kind.from_data(spec["seeds"][name], source=f"job seeds.{name}")
        for name, kind in SEED_TYPES.items()
    }


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
