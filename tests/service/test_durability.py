"""A server killed with SIGKILL loses no finished artifact; its live runs come back resumable."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.service.conftest import sse_events
from tests.service.helpers import (
    ADMIN,
    ServerProcess,
    auth,
    free_port,
    package,
    render_inputs,
    wait_for,
    wait_status,
)


@pytest.fixture
def process(tmp_path: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path, free_port(), workers=1)
    yield server
    server.terminate()


@pytest.mark.slow
def test_sigkill_keeps_finished_artifacts_and_shows_live_runs_resumable(
    process: ServerProcess,
) -> None:
    process.start()
    with httpx.Client(base_url=process.url, headers=auth(ADMIN), timeout=30) as client:
        client.post("/v1/render-packages", json=package("done-1"))
        done = wait_status(client, "done-1", ("completed",))
        video = client.get(done["artifact_uris"]["video"]).content
        long = package("live-1", inputs=render_inputs(shots=16, frames=48))
        live = client.post("/v1/render-packages", json=long).json()["run_id"]
        queued = client.post("/v1/render-packages", json=package("queued-1")).json()["run_id"]

        def clips_begun() -> bool:
            text = client.get(f"/runs/{live}/events", params={"follow": "false"}).text
            return any(e.get("stage") == "clips" for e in sse_events(text))

        wait_for(clips_begun, interval=0.02)
    process.kill()

    process.start()
    with httpx.Client(base_url=process.url, headers=auth(ADMIN), timeout=30) as client:
        again = client.get("/v1/render-packages/done-1").json()
        assert again["status"] == "completed"
        assert again["lineage_hashes"] == done["lineage_hashes"]
        after = client.get(again["artifact_uris"]["video"]).content
        assert hashlib.sha256(after).hexdigest() == hashlib.sha256(video).hexdigest()

        interrupted = client.get("/status", params={"run_id": live}).json()
        assert interrupted["status"] == "interrupted" and interrupted["resumable"]
        assert interrupted["stages"][0] == {**interrupted["stages"][0], "status": "success"}
        runs = {r["run_id"]: r for r in client.get("/runs").json()["runs"]}
        assert runs[live]["resumable"]
        # a job that never started is simply picked up again
        wait_for(
            lambda: client.get("/status", params={"run_id": queued}).json()["status"] == "completed"
        )

        client.post("/control/resume", json={"run_id": live})
        resumed = wait_status(client, "live-1", ("completed", "failed"), timeout=180)
        assert resumed["status"] == "completed", resumed["errors"]
        history = client.get("/status", params={"run_id": live}).json()["history"]
        assert ("frames", "skipped") in [(h["stage"], h["event"]) for h in history]
