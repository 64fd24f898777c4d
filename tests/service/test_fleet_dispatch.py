"""With a broker configured, the service sends RenderPackages to the workers: same bytes."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from tests.service.conftest import ServerFactory
from tests.service.helpers import ADMIN, auth, package, preview_small_inputs, wait_status
from tests.workers.fleet import Workers, redis_db

pytestmark = pytest.mark.slow
__all__ = ["redis_db"]  # the fixture


def rendered(client: httpx.Client, request_id: str) -> tuple[dict[str, object], bytes]:
    body = package(request_id, inputs=preview_small_inputs(shots=3))
    assert client.post("/v1/render-packages", json=body).status_code == 202
    done = wait_status(client, request_id, ("completed", "degraded", "failed"), timeout=300)
    assert done["status"] == "completed", done["errors"]
    video = client.get(done["artifact_uris"]["video"])
    assert video.status_code == 200
    return done, video.content


def test_the_service_sends_packages_to_the_workers(
    serve: ServerFactory, redis_db: str, tmp_path: Path
) -> None:
    site = f"s{uuid.uuid4().hex[:8]}"
    fleet = Workers(redis_db, None, site, {})
    try:
        fleet.start("w0")
        fleet.start("w1")
        on_fleet = serve(broker_url=redis_db, site_id=site)
        with httpx.Client(base_url=on_fleet.url, headers=auth(ADMIN), timeout=60) as client:
            done, video = rendered(client, "fleet-1")
            status = client.get("/status", params={"run_id": done["run_id"]}).json()
        assert [s["stage"] for s in status["stages"]] == ["fleet"]
        assert "render_output" in done["lineage_hashes"]
    finally:
        fleet.stop()
    in_process = serve(artifact_root=tmp_path / "alone")
    with httpx.Client(base_url=in_process.url, headers=auth(ADMIN), timeout=60) as client:
        _, alone = rendered(client, "alone-1")
    assert video == alone
