"""RenderPackage v1 over HTTP: render, replay, conflicts, validation."""

from __future__ import annotations

import hashlib
import io

import av
import httpx
import pytest

from tests.service.helpers import (
    OPERATOR,
    LiveServer,
    auth,
    package,
    preview_small_inputs,
    render_inputs,
    wait_status,
)


@pytest.mark.slow
def test_a_render_package_renders_through_the_api(client: httpx.Client) -> None:
    body = package("full-1", inputs=preview_small_inputs(shots=2))
    body["desired_outputs"] = ["video", "captions", "audio_stems", "run_summary"]
    submitted = client.post("/v1/render-packages", json=body)
    assert submitted.status_code == 202, submitted.text
    assert submitted.json()["status"] == "queued"

    done = wait_status(client, "full-1", ("completed", "degraded", "failed"))
    assert done["status"] == "completed", done["errors"]
    assert set(done["artifact_uris"]) >= {
        "video",
        "captions_srt",
        "captions_vtt",
        "stem_voice",
        "stem_music",
        "run_summary",
    }
    assert {"shotlist", "asset_manifest", "render_plan", "render_output"} <= set(
        done["lineage_hashes"]
    )
    assert done["run_summary"]["status"] == "success"
    assert [s["stage"] for s in done["run_summary"]["stages"]] == [
        "frames",
        "voice",
        "clips",
        "assemble",
        "qa",
        "finalize",
    ]

    video = client.get(done["artifact_uris"]["video"])
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    with av.open(io.BytesIO(video.content)) as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height) == (640, 360)
        assert stream.frames == 72
    assert video.headers["accept-ranges"] == "bytes"
    part = client.get(done["artifact_uris"]["video"], headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.content == video.content[:100]
    assert part.headers["content-range"] == f"bytes 0-99/{len(video.content)}"
    srt = client.get(done["artifact_uris"]["captions_srt"]).text
    assert "Tea is ready." in srt

    listed = client.get("/artifacts", params={"run_id": done["run_id"]}).json()["artifacts"]
    named = {a["name"]: a for a in listed if a["name"]}
    assert named["video"]["hash"] == hashlib.sha256(video.content).hexdigest()


def test_replaying_an_idempotency_key_returns_the_first_result_without_rendering_again(
    client: httpx.Client,
) -> None:
    body = package("replay-1")
    first = client.post("/v1/render-packages", json=body)
    assert first.status_code == 202
    done = wait_status(client, "replay-1", ("completed",))
    again = client.post("/v1/render-packages", json=body)
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    assert again.json()["run_id"] == first.json()["run_id"]
    assert again.json()["lineage_hashes"] == done["lineage_hashes"]
    runs = client.get("/runs").json()["runs"]
    assert [r["run_id"] for r in runs] == [first.json()["run_id"]]


def test_the_same_key_with_another_body_is_a_conflict(client: httpx.Client) -> None:
    assert client.post("/v1/render-packages", json=package("c-1", key="k")).status_code == 202
    changed = package("c-2", key="k", desired_outputs=["video"])
    answer = client.post("/v1/render-packages", json=changed)
    assert answer.status_code == 409
    assert answer.json()["code"] == "SM108"
    other_key = client.post("/v1/render-packages", json=package("c-1", key="k2"))
    assert other_key.status_code == 409


def test_a_timing_lock_mismatch_is_refused(client: httpx.Client) -> None:
    inputs = render_inputs()
    inputs["render_plan"]["timing_lock_hash"] = "0" * 64
    answer = client.post("/v1/render-packages", json=package("lock-1", inputs=inputs))
    assert answer.status_code == 422
    assert answer.json()["code"] == "SM101"
    assert "timing_lock_hash" in answer.json()["message"]

    inputs = render_inputs()
    inputs["shotlist"]["shots"][0]["frames"] = 30  # a duration changed after locking
    answer = client.post("/v1/render-packages", json=package("lock-2", inputs=inputs))
    assert answer.status_code == 422 and "timing_lock_hash" in answer.json()["message"]


def test_prose_where_an_artifact_belongs_is_refused(client: httpx.Client) -> None:
    inputs: dict[str, object] = dict(render_inputs())
    inputs["shotlist"] = "Three shots of a kitchen, about a second each."
    answer = client.post("/v1/render-packages", json=package("prose-1", inputs=inputs))
    assert answer.status_code == 422
    body = answer.json()
    assert set(body) == {"code", "message", "details"} and body["code"] == "SM100"

    answer = client.post(
        "/v1/render-packages", json=package("prose-2", inputs={**render_inputs(), "notes": "hi"})
    )
    assert answer.status_code == 422


def test_a_registry_ref_renders_like_the_inline_artifact(client: httpx.Client) -> None:
    inputs = render_inputs()
    client.post("/v1/render-packages", json=package("ref-1", inputs=inputs))
    first = wait_status(client, "ref-1", ("completed",))
    refs = {name: {"ref": first["lineage_hashes"][name]} for name in inputs}
    client.post("/v1/render-packages", json=package("ref-2", inputs=refs))
    second = wait_status(client, "ref-2", ("completed",))
    assert second["lineage_hashes"]["render_output"] == first["lineage_hashes"]["render_output"]

    missing = {**refs, "shotlist": {"ref": "a" * 64}}
    answer = client.post("/v1/render-packages", json=package("ref-3", inputs=missing))
    assert answer.status_code == 422 and "registry" in answer.json()["message"]


def test_errors_have_one_shape(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url) as anonymous:
        for response in (
            anonymous.get("/v1/render-packages/x"),
            anonymous.get("/no/such/route"),
            anonymous.post("/v1/render-packages", json={}, headers=auth(OPERATOR)),
            anonymous.get("/v1/render-packages/nope", headers=auth(OPERATOR)),
            anonymous.delete("/api/health"),
        ):
            assert response.status_code in (401, 404, 405, 422)
            assert set(response.json()) == {"code", "message", "details"}
