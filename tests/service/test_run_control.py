"""Runs over HTTP: pause, resume and stop at stage boundaries; status; the event stream."""

from __future__ import annotations

import httpx
import pytest

from tests.service.conftest import ServerFactory, sse_events
from tests.service.helpers import package, render_inputs, wait_for, wait_run, wait_status

LONG = {"inputs": render_inputs(shots=16, frames=48)}


def _stage_begun(client: httpx.Client, run_id: str, stage: str) -> bool:
    text = client.get(f"/runs/{run_id}/events", params={"follow": "false"}).text
    return any(e.get("stage") == stage and e.get("event") == "begin" for e in sse_events(text))


def test_a_queued_run_pauses_and_stops_at_once(serve: ServerFactory) -> None:
    server = serve(workers=1, quota_concurrent_jobs=1)
    with httpx.Client(
        base_url=server.url, headers={"Authorization": "Bearer acme-admin-key-0001"}
    ) as client:
        blocker = client.post("/v1/render-packages", json=package("q-0", **LONG)).json()
        queued = client.post("/v1/render-packages", json=package("q-1")).json()
        paused = client.post("/control/pause", json={"run_id": queued["run_id"]}).json()
        assert paused == {
            "run_id": queued["run_id"],
            "action": "pause",
            "state": "applied",
            "status": "paused",
        }
        assert client.get("/status", params={"run_id": queued["run_id"]}).json()["resumable"]
        stopped = client.post("/control/stop", json={"run_id": queued["run_id"]}).json()
        assert stopped["status"] == "stopped"
        client.post("/control/stop", json={"run_id": blocker["run_id"]})
        wait_status(client, "q-0", ("stopped",))


@pytest.mark.slow
def test_pause_takes_effect_at_the_next_stage_boundary_and_resume_finishes(
    client: httpx.Client,
) -> None:
    run_id = client.post("/v1/render-packages", json=package("p-1", **LONG)).json()["run_id"]
    wait_for(lambda: _stage_begun(client, run_id, "frames"), interval=0.02)
    asked = client.post("/control/pause", json={"run_id": run_id}).json()
    assert asked["state"] == "requested"

    paused = wait_run(client, run_id, ("paused", "completed"))
    assert paused["status"] == "paused" and paused["resumable"]
    states = [(c["action"], c["state"]) for c in paused["controls"]]
    assert states == [("pause", "requested"), ("pause", "acknowledged")]
    stopped_before = paused["controls"][1]["stage"]
    assert paused["history"][-1]["event"] == "paused"
    assert paused["history"][-1]["stage"] == stopped_before
    assert paused["errors"][0]["code"] == "SM401"

    assert client.post("/control/resume", json={"run_id": run_id}).json()["state"] == "applied"
    done = wait_run(client, run_id, ("completed", "failed"))
    assert done["status"] == "completed", done["errors"]
    skipped = {h["stage"] for h in done["history"] if h["event"] == "skipped"}
    assert "frames" in skipped
    assert {s["stage"]: s["status"] for s in done["stages"]}["finalize"] == "success"

    events = sse_events(client.get(f"/runs/{run_id}/events").text)
    statuses = [e["status"] for e in events if e["type"] == "status"]
    assert statuses == ["queued", "in_progress", "paused", "queued", "in_progress", "completed"]


@pytest.mark.slow
def test_stop_cancels_the_run_and_its_pending_shots(client: httpx.Client) -> None:
    run_id = client.post("/v1/render-packages", json=package("s-1", **LONG)).json()["run_id"]
    wait_for(lambda: _stage_begun(client, run_id, "clips"), interval=0.02)
    client.post("/control/stop", json={"run_id": run_id})
    stopped = wait_run(client, run_id, ("stopped", "completed"))
    assert stopped["status"] == "stopped"
    assert stopped["errors"][0]["code"] == "SM402"
    assert ("stop", "acknowledged") in [(c["action"], c["state"]) for c in stopped["controls"]]
    clips = next(s for s in stopped["stages"] if s["stage"] == "clips")
    assert clips["status"] in ("failed", "success")  # cancelled inside, or stopped after it
    assert stopped["stages"][-1]["stage"] != "finalize"


def test_runs_are_listed_and_filtered(client: httpx.Client) -> None:
    first = client.post("/v1/render-packages", json=package("l-1")).json()
    wait_status(client, "l-1", ("completed",))
    listed = client.get("/runs", params={"status": "completed"}).json()["runs"]
    assert [r["run_id"] for r in listed] == [first["run_id"]]
    assert listed[0]["kind"] == "render_package" and listed[0]["request_id"] == "l-1"
    assert client.get("/runs", params={"status": "paused"}).json()["runs"] == []


def test_invoke_runs_an_inline_plan_and_streams_its_events(client: httpx.Client) -> None:
    answer = client.post("/invoke", json={"plan": render_inputs(), "mode": "run"})
    assert answer.status_code == 202
    run_id = answer.json()["run_id"]
    with client.stream("GET", f"/runs/{run_id}/events") as stream:
        text = "".join(stream.iter_text())
    events = sse_events(text)
    assert (events[-1]["type"], events[-1]["status"]) == ("status", "completed")
    stage_events = [(e["stage"], e["event"]) for e in events if e["type"] == "stage"]
    assert stage_events[:2] == [("frames", "begin"), ("frames", "success")]
    status = client.get("/status", params={"run_id": run_id}).json()
    assert [s["stage"] for s in status["stages"]] == [
        "frames",
        "voice",
        "clips",
        "assemble",
        "qa",
        "finalize",
    ]
    assert all(s["attempts"] == 1 and s["status"] == "success" for s in status["stages"])


def test_invoke_needs_something_to_run(client: httpx.Client) -> None:
    answer = client.post("/invoke", json={"mode": "dry"})
    assert answer.status_code == 422 and answer.json()["code"] == "SM100"
    assert client.post("/invoke", json={"resume_from": "nope"}).status_code == 404
