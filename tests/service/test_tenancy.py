"""Tenants never see, reference or control each other's runs, artifacts or projects."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.service.conftest import ServerFactory
from tests.service.helpers import (
    ADMIN,
    OTHER,
    VIEWER,
    LiveServer,
    auth,
    package,
    wait_status,
)


def test_another_tenant_can_neither_read_nor_reference_nor_control(
    server: LiveServer, tmp_path: Path
) -> None:
    with (
        httpx.Client(base_url=server.url, headers=auth(ADMIN)) as acme,
        httpx.Client(base_url=server.url, headers=auth(OTHER)) as globex,
    ):
        acme.post("/v1/render-packages", json=package("secret-1"))
        done = wait_status(acme, "secret-1", ("completed",))
        run_id, video = done["run_id"], done["artifact_uris"]["video"]
        acme.post("/api/projects", json={"project_id": "tea", "config": {"title": "Tea"}})

        assert acme.get(video).status_code == 200
        for response in (
            globex.get("/v1/render-packages/secret-1"),
            globex.get("/v1/render-packages/secret-1/deliveries"),
            globex.get("/status", params={"run_id": run_id}),
            globex.get("/artifacts", params={"run_id": run_id}),
            globex.get(video),
            globex.get(f"/runs/{run_id}/events"),
            globex.get(f"/approvals/{run_id}"),
            globex.post("/control/stop", json={"run_id": run_id}),
            globex.post("/control/resume", json={"run_id": run_id}),
            globex.post("/invoke", json={"resume_from": run_id}),
            globex.get("/api/projects/tea"),
            globex.get("/api/projects/tea/scenes"),
            globex.post("/invoke", json={"project_id": "tea", "episode_id": "ep01"}),
        ):
            assert response.status_code == 404, (response.request.url, response.text)
        assert globex.get("/runs").json()["runs"] == []
        assert globex.get("/api/projects").json() == []

        refs = {
            name: {"ref": done["lineage_hashes"][name]}
            for name in ("shotlist", "asset_manifest", "render_plan")
        }
        stolen = globex.post("/v1/render-packages", json=package("steal", inputs=refs))
        assert stolen.status_code == 422 and "registry" in stolen.json()["message"]

        # the same request id in another tenant is another request
        mine = globex.post("/v1/render-packages", json=package("secret-1"))
        assert mine.status_code == 202 and mine.json()["run_id"] != run_id
        wait_status(globex, "secret-1", ("completed",))

    root = tmp_path / "service" / "artifacts"
    assert (root / "acme" / "engine" / ".sparkle" / "runs" / run_id / "output").is_dir()
    assert not (root / "globex" / "engine" / ".sparkle" / "runs" / run_id).exists()


def test_roles_limit_what_a_key_may_do(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, headers=auth(VIEWER)) as viewer:
        assert viewer.get("/runs").status_code == 200
        refused = viewer.post("/v1/render-packages", json=package("v-1"))
        assert refused.status_code == 403 and refused.json()["code"] == "SM107"
        assert viewer.post("/control/stop", json={"run_id": "x"}).status_code == 403
    with httpx.Client(base_url=server.url, headers=auth(OTHER)) as operator:
        operator.post("/api/projects", json={"project_id": "p", "config": {"title": "P"}})
        assert operator.delete("/api/projects/p").status_code == 403
        claimed = operator.post("/v1/render-packages", json=package("t-1", tenant_id="acme"))
        assert claimed.status_code == 403
    with httpx.Client(base_url=server.url) as anonymous:
        missing = anonymous.get("/runs")
        assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
        wrong = anonymous.get("/runs", headers=auth("not-a-key-at-all-really"))
        assert wrong.status_code == 401 and wrong.json()["message"] == "unknown API key"
        assert anonymous.get("/api/health").json() == {"status": "ok"}


def test_soft_quotas(serve: ServerFactory) -> None:
    server = serve(quota_storage_bytes=1, quota_concurrent_jobs=1, workers=2)
    with httpx.Client(base_url=server.url, headers=auth(ADMIN)) as acme:
        first = acme.post("/v1/render-packages", json=package("quota-1"))
        assert first.status_code == 202  # nothing stored yet
        wait_status(acme, "quota-1", ("completed",))
        assert acme.get("/api/tenant").json()["quota_concurrent_jobs"] == 1
    # The storage meter caches for a few seconds; a fresh server measures at once.
    server.__exit__(None, None, None)
    again = serve(quota_storage_bytes=1)
    with httpx.Client(base_url=again.url, headers=auth(ADMIN)) as acme:
        over = acme.post("/v1/render-packages", json=package("quota-2"))
        assert over.status_code == 429 and over.json()["code"] == "SM600"
        assert acme.get("/v1/render-packages/quota-1").json()["status"] == "completed"
        assert acme.get("/api/tenant").json()["storage_bytes"] > 1
    with httpx.Client(base_url=again.url, headers=auth(OTHER)) as globex:
        assert globex.post("/v1/render-packages", json=package("g-1")).status_code == 202
