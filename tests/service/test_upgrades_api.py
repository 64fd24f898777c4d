"""Upgrades through the service: estimate, approve the spend, FAL's webhooks finish the job."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sparkle_motion.providers.ledger import Ledger
from sparkle_motion.registry import Registry
from sparkle_motion.schemas import HUMAN_CHECKPOINTS
from sparkle_motion.service import create_app
from sparkle_motion.service.tenancy import TenantSpace
from tests.providers.fake_fal import TEST_KEY, FakeFal
from tests.service.conftest import service_settings
from tests.service.helpers import ADMIN, LiveServer, auth, free_port, wait_for, wait_run
from tests.service.test_projects_and_approvals import TINY_PROFILE, project, scene

pytestmark = pytest.mark.slow

HQ = {**TINY_PROFILE, "name": "hq_fal", "provider": "fal"}
TENANT = "acme"  # the tenant of the ADMIN key


@pytest.fixture
def fal(tmp_path: Path) -> Iterator[FakeFal]:
    with FakeFal(tmp_path / "fal", pad_seconds=0.2) as fake:
        yield fake


def start(tmp_path: Path, fal: FakeFal, **overrides: Any) -> LiveServer:
    port = free_port()
    settings = service_settings(
        tmp_path / "service",
        provider_urls={"fal": fal.url},
        provider_keys={"fal": TEST_KEY},
        provider_options={"fal": {"jwks_url": fal.jwks_url, "platform_url": fal.url}},
        public_url=f"http://127.0.0.1:{port}",
        provider_poll_seconds=0.2,
        provider_wait_seconds=4,
        **overrides,
    )
    return LiveServer(create_app(settings), port=port).__enter__()


@pytest.fixture
def served(tmp_path: Path, fal: FakeFal) -> Iterator[httpx.Client]:
    server = start(tmp_path, fal)
    try:
        with httpx.Client(base_url=server.url, headers=auth(ADMIN), timeout=60) as http:
            yield http
    finally:
        server.__exit__(None, None, None)


def rendered_project(client: httpx.Client) -> str:
    only_spend = {name: name == "approve_external_spend" for name in HUMAN_CHECKPOINTS}
    body = project(
        "tea",
        human_checkpoints=only_spend,
        profiles={"tiny": TINY_PROFILE, "hq_fal": HQ},
        cost_policy={"max_usd_per_episode": 20.0, "external_spend": "manual"},
    )
    assert client.post("/api/projects", json=body).status_code == 201
    for n, text in enumerate(["Tea is ready.", "Milk, no sugar.", "Biscuits?"], 1):
        added = client.post(
            "/api/projects/tea/scenes",
            json={"episode_id": "ep01", "scene": scene(f"s{n}", text)},
        )
        assert added.status_code == 201, added.text
    run_id = client.post("/invoke", json={"project_id": "tea", "episode_id": "ep01"}).json()[
        "run_id"
    ]
    done = wait_run(client, run_id, ("completed", "degraded", "failed"))
    assert done["status"] in ("completed", "degraded"), done["errors"]
    return run_id


def test_an_upgrade_waits_for_its_spend_and_a_late_clip_arrives_by_webhook(
    served: httpx.Client, fal: FakeFal, tmp_path: Path
) -> None:
    rendered_project(served)
    estimate = served.post(
        "/api/projects/tea/upgrades", json={"profile": "hq_fal", "dry_run": True}
    )
    assert estimate.status_code == 200, estimate.text
    looked = estimate.json()
    assert looked["needs_approval"] is True and looked["provider"] == "fal"
    assert looked["total_usd"] > 0 and len(looked["segments"]) >= 3

    held: list[str] = []

    def hold_the_first(_body: dict[str, Any]) -> set[str]:
        if held:
            return set()
        held.append("yes")
        return {"hold"}

    fal.job_faults = hold_the_first
    started = served.post("/api/projects/tea/upgrades", json={"profile": "hq_fal"})
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]
    wait_run(served, run_id, ("paused",))
    (pending,) = served.get("/approvals").json()["pending"]
    assert (pending["run_id"], pending["checkpoint"]) == (run_id, "approve_external_spend")
    assert fal.jobs == {}  # nothing sent before the approval
    approved = served.post(
        f"/approvals/{run_id}/approve_external_spend",
        json={"decision": "approve", "approver_id": "dana", "notes": "within budget"},
    )
    assert approved.status_code == 200, approved.text

    # the held job outlives the listening cap: the run rests, waiting for the provider
    wait_for(lambda: len(fal.jobs) == len(looked["segments"]), timeout=120)

    def resting() -> bool:
        status = served.get("/status", params={"run_id": run_id}).json()["status"]
        return status == "paused" and not served.get("/approvals").json()["pending"]

    wait_for(resting, timeout=120)
    (job,) = [j for j in fal.jobs.values() if j.status == "IN_QUEUE"]
    hook = f"/api/providers/fal/webhooks/{TENANT}"
    assert all(j.webhook and hook in j.webhook for j in fal.jobs.values())

    fal.release(job.id)  # FAL finishes it and calls back; the run goes on by itself
    done = wait_run(served, run_id, ("completed", "degraded", "failed"), timeout=180)
    assert done["status"] == "completed", done["errors"]
    assert fal.webhook_errors == []
    shown = served.get("/status", params={"run_id": run_id}).json()
    assert [s["stage"] for s in shown["stages"]] == ["estimate", "dispatch", "assemble"]
    result = shown["upgrade"]
    assert result["pending"] == [] and result["waiting"] is None
    assert len(result["video_segments"]) == len(looked["segments"])
    assert result["failed_segments"] == [] and result["needs_approval"] is True
    assert len(fal.jobs) == len(looked["segments"])  # nothing submitted twice

    books = TenantSpace((tmp_path / "service").resolve(), TENANT).engine_dir / ".sparkle"
    with Registry.open(books) as registry:
        ledger = Ledger(registry.engine)
        mine = ledger.find("fal", job.id)
        assert mine is not None and mine.phase == "delivered" and mine.tenant_id == TENANT
        events = [e.event for e in ledger.events(mine.key)]
    assert "pending" in events and "webhook" in events
    assert events[-2:] == ["delivered", "reconciled"]  # and FAL's bill counted
    assert mine.charged_usd == fal.billed_usd(job)


def test_a_webhook_is_answered_by_what_its_signature_and_keys_allow(
    served: httpx.Client, fal: FakeFal
) -> None:
    url = f"/api/providers/fal/webhooks/{TENANT}"
    body = json.dumps({"request_id": "nobody", "status": "OK", "payload": {}}).encode()
    forged = {**fal.signed("nobody", body), "X-Fal-Webhook-Signature": "00" * 64}
    fal.arm("jwks", "server_error")
    unreachable = served.post(url, content=body, headers=fal.signed("nobody", body))
    assert unreachable.status_code == 503, unreachable.text  # FAL delivers again later
    refused = served.post(url, content=body, headers=forged)
    assert refused.status_code == 401 and refused.json()["code"] == "SM113"
    unsigned = served.post(url, content=body)
    assert unsigned.status_code == 401
    unknown = served.post(url, content=body, headers=fal.signed("nobody", body))
    assert unknown.status_code == 404  # a job the ledger does not know (yet)
    assert served.post("/api/providers/nope/webhooks/acme", content=body).status_code == 404
    assert served.post("/api/providers/fal/webhooks/nobody", content=body).status_code == 404
