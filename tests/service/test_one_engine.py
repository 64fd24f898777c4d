"""One engine, three callers: the command line, the engine call, the service give one video."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import httpx
import pytest
import yaml

from sparkle_motion.cache import BlobCache
from sparkle_motion.registry import Registry, RegistryOutputs
from sparkle_motion.render.engine import render_episode
from sparkle_motion.render.media import FolderMedia
from sparkle_motion.render.package import RenderPackage
from sparkle_motion.schemas import AssetManifest, RenderPlan, ShotList
from tests.conftest import run_json
from tests.service.conftest import ServerFactory
from tests.service.helpers import ADMIN, auth, wait_status

pytestmark = pytest.mark.slow

PACKAGE = ("shotlist", "asset_manifest", "render_plan")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _upload_local_assets(client: httpx.Client, project: Path, plan: RenderPlan) -> None:
    """The plan's local files, uploaded with their licences to a service project."""
    created = client.post(
        "/api/projects",
        json={"project_id": "keeper", "config": {"title": "The Keeper's Light"}},
    )
    assert created.status_code == 201, created.text
    for asset in plan.assets:
        if asset.source != "local":
            continue
        path = project / asset.uri
        licence = yaml.safe_load(path.with_name(path.name + ".license.yaml").read_text())
        stored = client.post(
            "/api/projects/keeper/assets",
            json={
                "path": asset.uri.removeprefix("assets/"),
                "media_type": "audio/ogg" if path.suffix == ".ogg" else "image/png",
                "content_base64": base64.b64encode(path.read_bytes()).decode(),
                "license": {k: v for k, v in licence.items() if k != "redistributable"},
            },
        )
        assert stored.status_code == 201, stored.text


def test_the_cli_the_engine_call_and_the_service_make_the_same_video(
    example_project: Path, tmp_path: Path, serve: ServerFactory
) -> None:
    report = run_json(example_project)
    through_cli = Path(report["outputs"]["video"]).read_bytes()
    artifacts = Path(report["outputs"]["render_output"]).parent
    inputs = {name: json.loads((artifacts / f"{name}.json").read_text()) for name in PACKAGE}
    package = RenderPackage.of(
        ShotList.from_data(inputs["shotlist"]),
        AssetManifest.from_data(inputs["asset_manifest"]),
        RenderPlan.from_data(inputs["render_plan"]),
    )
    assert any(asset.source == "local" for asset in package.render_plan.assets)

    # The engine alone, on the same three artifacts, with nothing cached.
    with Registry.open(tmp_path / "engine" / "store") as registry:
        cache = BlobCache(tmp_path / "engine" / "cache")
        rendered = render_episode(
            package,
            media=FolderMedia(example_project, cache),
            cache=cache,
            store=RegistryOutputs(registry),
            work_dir=tmp_path / "engine" / "work",
            out_dir=tmp_path / "engine" / "out",
        )
    assert cache.hits == 0
    assert sha(rendered.files["video"].read_bytes()) == sha(through_cli)

    # The service, given the artifacts inline and the local files uploaded.
    server = serve(workers=1)
    with httpx.Client(base_url=server.url, headers=auth(ADMIN), timeout=60) as client:
        _upload_local_assets(client, example_project, package.render_plan)
        body = {
            "request_id": "keeper-1",
            "idempotency_key": "keeper-1",
            "inputs": inputs,
            "desired_outputs": ["video", "captions", "audio_stems"],
        }
        assert client.post("/v1/render-packages", json=body).status_code == 202
        finished = wait_status(client, "keeper-1", ("completed", "degraded", "failed"), 300)
        assert finished["status"] == "completed", finished["errors"]
        through_service = client.get(finished["artifact_uris"]["video"]).content
        assert set(finished["artifact_uris"]) >= {"captions_srt", "stem_effects"}
    assert sha(through_service) == sha(through_cli)
