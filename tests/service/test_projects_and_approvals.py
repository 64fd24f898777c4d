"""Projects, scenes and assets over HTTP, and human checkpoints approved through the API."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import httpx
import pytest

from sparkle_motion.schemas import HUMAN_CHECKPOINTS
from tests.service.helpers import wait_run

TINY_PROFILE = {
    "name": "tiny",
    "width": 160,
    "height": 90,
    "crf": 30,
    "preset": "ultrafast",
    "slate": False,
}


def project(project_id: str = "tea", **config: Any) -> dict[str, Any]:
    return {
        "project_id": project_id,
        "config": {
            "title": "Tea",
            "target_duration": 4,
            "render_profiles": ["tiny"],
            "profiles": {"tiny": TINY_PROFILE},
            "voices": {"ann": {"engine": "silent"}},
            **config,
        },
        "characters": [{"speaker_id": "ann", "name": "Ann"}],
    }


def scene(scene_id: str, text: str) -> dict[str, Any]:
    return {
        "id": scene_id,
        "location": "Kitchen",
        "time_of_day": "day",
        "present": ["ann"],
        "elements": [
            {"type": "dialogue", "id": f"{scene_id}-l1", "speaker_id": "ann", "text": text}
        ],
    }


def test_project_and_scene_crud_with_order_and_timing(client: httpx.Client) -> None:
    created = client.post("/api/projects", json=project())
    assert created.status_code == 201, created.text
    assert client.post("/api/projects", json=project()).status_code == 409
    assert [p["project_id"] for p in client.get("/api/projects").json()] == ["tea"]

    second = client.post(
        "/api/projects/tea/scenes",
        json={
            "episode_id": "ep01",
            "scene": scene("s2", "Later."),
            "position": 5,
            "target_seconds": 3,
        },
    ).json()
    first = client.post(
        "/api/projects/tea/scenes",
        json={
            "episode_id": "ep01",
            "scene": scene("s1", "First."),
            "position": 1,
            "target_seconds": 2.5,
        },
    ).json()
    listed = client.get("/api/projects/tea/scenes").json()
    assert [s["scene_id"] for s in listed] == ["s1", "s2"]
    assert [s["start_seconds"] for s in listed] == [0.0, 2.5]

    moved = client.patch(f"/api/projects/tea/scenes/{first['id']}", json={"position": 9}).json()
    assert moved["position"] == 9
    assert [s["scene_id"] for s in client.get("/api/projects/tea/scenes").json()] == ["s2", "s1"]
    assert client.get(f"/api/projects/tea/scenes/{second['id']}").json()["scene"]["id"] == "s2"

    bad = client.post("/api/projects/tea/scenes", json={"episode_id": "ep01", "scene": {"id": "x"}})
    assert bad.status_code == 422 and bad.json()["code"] == "SM101"

    updated = client.patch("/api/projects/tea", json={"config": {"title": "Tea, again"}})
    assert updated.json()["config"]["title"] == "Tea, again"
    assert client.delete(f"/api/projects/tea/scenes/{second['id']}").status_code == 204
    assert client.delete("/api/projects/tea").status_code == 204
    assert client.get("/api/projects/tea").status_code == 404


def test_an_asset_upload_needs_its_licence(client: httpx.Client, tmp_path: Path) -> None:
    client.post("/api/projects", json=project())
    content = base64.b64encode(b"\x89PNG fake bytes").decode()
    upload = {
        "path": "locations/kitchen/day.png",
        "media_type": "image/png",
        "content_base64": content,
    }
    refused = client.post("/api/projects/tea/assets", json=upload)
    assert refused.status_code == 422 and "license" in refused.json()["message"]
    no_attribution = {**upload, "license": {"license_type": "cc0", "attribution": ""}}
    assert client.post("/api/projects/tea/assets", json=no_attribution).status_code == 422

    licence = {"license_type": "cc-by", "attribution": "Painted by A. Painter"}
    stored = client.post("/api/projects/tea/assets", json={**upload, "license": licence})
    assert stored.status_code == 201, stored.text
    asset = stored.json()
    assert asset["license"]["attribution"] == "Painted by A. Painter"
    folder = tmp_path / "service" / "artifacts" / "acme" / "projects" / "tea" / "assets"
    assert (folder / "locations/kitchen/day.png").read_bytes() == b"\x89PNG fake bytes"
    assert "cc-by" in (folder / "locations/kitchen/day.png.license.yaml").read_text()
    escaping = {**upload, "path": "locations/../../../etc/passwd", "license": licence}
    assert client.post("/api/projects/tea/assets", json=escaping).status_code == 422
    assert client.delete(f"/api/projects/tea/assets/{asset['id']}").status_code == 204
    assert client.get("/api/projects/tea/assets").json() == []


def _paused_project_run(client: httpx.Client, project_id: str) -> str:
    only_timing = {name: name == "approve_shotlist_timing_lock" for name in HUMAN_CHECKPOINTS}
    client.post("/api/projects", json=project(project_id, human_checkpoints=only_timing))
    client.post(
        f"/api/projects/{project_id}/scenes",
        json={"episode_id": "ep01", "scene": scene("s1", "Tea is ready.")},
    )
    run_id: str = client.post(
        "/invoke", json={"project_id": project_id, "episode_id": "ep01"}
    ).json()["run_id"]
    paused = wait_run(client, run_id, ("paused", "failed"))
    assert paused["status"] == "paused", paused["errors"]
    return run_id


@pytest.mark.slow
def test_a_run_waits_for_approval_and_the_audit_trail_keeps_it(client: httpx.Client) -> None:
    run_id = _paused_project_run(client, "tea")
    pending = client.get("/approvals").json()["pending"]
    assert [(p["run_id"], p["checkpoint"], p["stage"]) for p in pending] == [
        (run_id, "approve_shotlist_timing_lock", "shotlist")
    ]
    assert len(pending[0]["subject_hash"]) == 64

    wrong = client.post(
        f"/approvals/{run_id}/approve_canon_diff",
        json={"decision": "approve", "approver_id": "dana"},
    )
    assert wrong.status_code == 404
    decided = client.post(
        f"/approvals/{run_id}/approve_shotlist_timing_lock",
        json={"decision": "approve", "approver_id": "dana", "notes": "timing looks right"},
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["subject_hash"] == pending[0]["subject_hash"]
    done = wait_run(client, run_id, ("completed", "degraded", "failed"))
    assert done["status"] in ("completed", "degraded"), done["errors"]
    audit = client.get(f"/approvals/{run_id}").json()["approvals"]
    assert [(a["decision"], a["by"], a["notes"]) for a in audit] == [
        ("approved", "dana", "timing looks right")
    ]
    assert client.get("/approvals").json()["pending"] == []


def test_a_rejection_ends_the_run(client: httpx.Client) -> None:
    run_id = _paused_project_run(client, "tea")
    rejected = client.post(
        f"/approvals/{run_id}/approve_shotlist_timing_lock",
        json={"decision": "reject", "approver_id": "sam", "notes": "too fast"},
    )
    assert rejected.json()["decision"] == "rejected"
    failed = wait_run(client, run_id, ("failed", "completed"))
    assert failed["status"] == "failed"
    assert failed["errors"][0]["code"] == "SM300" and not failed["errors"][0]["recoverable"]
