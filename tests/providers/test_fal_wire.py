"""The FAL provider's requests and its reading of FAL's answers, over httpx.MockTransport."""

from __future__ import annotations

import importlib.metadata
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

import sparkle_motion.providers.fal as fal_package
from sparkle_motion.errors import (
    ContentRejected,
    ProviderFatal,
    ProviderRateLimited,
    ProviderTransient,
)
from sparkle_motion.providers import ClipRequest, JobRef, ProviderConfig, load_providers
from sparkle_motion.providers.fal import (
    DEFAULT_MODEL,
    DEFAULT_QUEUE_URL,
    KNOWN_MODELS,
    FalProvider,
)
from sparkle_motion.providers.fal.models import clip_seconds, profile_for
from sparkle_motion.providers.fal.options import FalOptions
from tests.conftest import REPO

Handler = Callable[[httpx.Request], httpx.Response]
BASE = "https://queue.fal.run"
ROOT = f"{BASE}/fal-ai/kling-video/requests/abc"


def provider_with(handler: Handler, **options: Any) -> FalProvider:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return FalProvider(ProviderConfig(name="fal", api_key="sk-1", client=client, options=options))


def ref(**urls: str | None) -> JobRef:
    fields = {"status_url": f"{ROOT}/status", "response_url": ROOT, "cancel_url": f"{ROOT}/cancel"}
    return JobRef(provider_id="fal", job_id="abc", shot_id="s1", request_id="r1", **(fields | urls))


def answer(status: int, body: Any = None, **headers: str) -> Handler:
    return lambda _request: httpx.Response(status, json=body, headers=headers)


def test_submit_sends_the_documented_call(clip_request: Callable[..., ClipRequest]) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"request_id": "abc", "gateway_request_id": "abc"})

    job = provider_with(handler).submit(clip_request(seconds=7.5), webhook_url="https://me/hook")
    (request,) = seen
    assert request.method == "POST" and request.url.path == f"/{DEFAULT_MODEL}"
    assert request.url.params["fal_webhook"] == "https://me/hook"
    assert request.headers["authorization"] == "Key sk-1"
    body = json.loads(request.content)
    assert sorted(body) == ["duration", "image_url", "prompt"] and body["duration"] == "10"
    # FAL's status, result and cancel URLs keep only owner/app of the model id.
    assert (job.status_url, job.response_url, job.cancel_url) == (
        f"{ROOT}/status",
        ROOT,
        f"{ROOT}/cancel",
    )
    assert provider_with(handler).submit(clip_request()).job_id == "abc"
    assert "fal_webhook" not in seen[-1].url.params


def test_a_model_that_takes_a_seed_is_sent_it(clip_request: Callable[..., ClipRequest]) -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json={"request_id": "abc"})

    provider_with(handler, model="fal-ai/some-video/image-to-video").submit(clip_request())
    assert seen[0]["seed"] == 1234


def test_a_clip_longer_than_the_model_makes_is_refused_before_any_call(
    clip_request: Callable[..., ClipRequest],
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing may be sent")

    with pytest.raises(ProviderFatal, match="at most 10 s"):
        provider_with(handler).submit(clip_request(seconds=10.5))
    with pytest.raises(ProviderFatal, match="no storyboard frame"):
        provider_with(handler).submit(clip_request(image=None))


def test_an_end_frame_goes_where_the_model_takes_it(
    clip_request: Callable[..., ClipRequest], frame: Path
) -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json={"request_id": "abc"})

    pair = clip_request(shot_id="s1-wide+s1-close", end_image=frame)
    kling_1 = "fal-ai/kling-video/v1/standard/image-to-video"
    provider_with(handler, model=kling_1).submit(pair)
    assert seen[0]["tail_image_url"].startswith("data:image/png;base64,")
    assert provider_with(handler, model=kling_1).capabilities().end_frame
    # the default model documents no end frame: a pair is refused before any call
    assert not provider_with(handler).capabilities().end_frame
    with pytest.raises(ProviderFatal, match="takes no end frame"):
        provider_with(handler).submit(pair)
    other = "fal-ai/some-video/image-to-video"
    provider_with(handler, model=other, end_frame_field="end_image_url").submit(pair)
    assert "end_image_url" in seen[-1] and len(seen) == 2


@pytest.mark.parametrize(("seconds", "made"), [(0.5, 5), (5.0, 5), (5.01, 10), (10.0, 10)])
def test_the_shortest_covering_clip_is_asked_for(seconds: float, made: int) -> None:
    assert clip_seconds(profile_for(FalOptions()), seconds) == made


def test_durations_can_be_configured_for_another_model() -> None:
    profile = profile_for(FalOptions(model="fal-ai/other/i2v", durations=(8, 4, 6)))
    assert profile.durations == (4, 6, 8) and clip_seconds(profile, 4.5) == 6
    known = profile_for(FalOptions(durations=(10, 5)))  # the rest of a known model's profile stays
    assert known == replace(KNOWN_MODELS[DEFAULT_MODEL], durations=(5, 10))


@pytest.mark.parametrize(
    ("body", "phase", "position"),
    [
        ({"status": "IN_QUEUE", "queue_position": 3}, "queued", 3),
        ({"status": "IN_QUEUE"}, "queued", None),
        ({"status": "IN_PROGRESS", "logs": []}, "in_progress", None),
        ({"status": "COMPLETED", "metrics": {"inference_time": 1.5}}, "completed", None),
    ],
)
def test_status_answers_are_read(body: dict[str, Any], phase: str, position: int | None) -> None:
    state = provider_with(answer(200 if phase == "completed" else 202, body)).status(ref())
    assert (state.phase, state.queue_position) == (phase, position)


def test_an_unknown_status_is_transient() -> None:
    with pytest.raises(ProviderTransient, match="'PAUSED'"):
        provider_with(answer(200, {"status": "PAUSED"})).status(ref())


def test_urls_missing_from_a_ref_are_built_from_the_model() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"status": "COMPLETED"})

    provider_with(handler).status(ref(status_url=None))
    assert seen == [f"{ROOT}/status"]


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (429, {"Retry-After": "7"}, ProviderRateLimited),
        (503, {}, ProviderTransient),
        (503, {"X-Fal-Retryable": "false"}, ProviderFatal),
        (500, {"X-Fal-Error-Type": "runner_server_error"}, ProviderTransient),
        (401, {}, ProviderFatal),
        (404, {}, ProviderFatal),
        (422, {"X-Fal-Retryable": "true"}, ProviderTransient),
    ],
)
def test_failures_are_classed(status: int, headers: dict[str, str], expected: type) -> None:
    with pytest.raises(expected) as caught:
        provider_with(answer(status, {"detail": "no"}, **headers)).status(ref())
    if isinstance(caught.value, ProviderRateLimited):
        assert caught.value.retry_after == 7.0


def test_a_policy_violation_is_a_rejection_even_among_other_errors() -> None:
    detail = [
        {"loc": ["body", "duration"], "msg": "bad", "type": "one_of"},
        {
            "loc": ["body", "image_url"],
            "msg": "The image was flagged.",
            "type": "content_policy_violation",
        },
    ]
    with pytest.raises(ContentRejected) as caught:
        provider_with(answer(422, {"detail": detail}, **{"X-Fal-Retryable": "true"})).status(ref())
    assert caught.value.message == "The image was flagged."
    with pytest.raises(ProviderFatal):  # other 422s are plain refusals
        provider_with(answer(422, {"detail": detail[:1]})).status(ref())


def result_then_file(result: dict[str, Any], file: bytes) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/status"):
            return httpx.Response(200, json={"status": "COMPLETED"})
        if request.url.host == "queue.fal.run":
            return httpx.Response(200, json=result)
        assert "authorization" not in request.headers  # the key goes to the queue host only
        return httpx.Response(200, content=file)

    return handler


def test_fetch_downloads_the_video_and_reports_a_seed(tmp_path: Path) -> None:
    result = {"video": {"url": "https://v3.fal.media/files/a/out.mp4", "file_size": 4}, "seed": 77}
    serve = result_then_file(result, b"mp4!")
    paths: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        return serve(request)

    clip = provider_with(handler).fetch(ref(), tmp_path / "c.mp4")
    assert clip.path.read_bytes() == b"mp4!" and clip.seed == 77 and clip.cost_usd is None
    # the caller has just polled the status: a ready result is not preceded by another poll
    assert paths == ["/fal-ai/kling-video/requests/abc", "/files/a/out.mp4"]


@pytest.mark.parametrize(
    ("status", "expected", "match"),
    [("IN_PROGRESS", ProviderTransient, "still in_progress"), ("COMPLETED", ProviderFatal, "400")],
)
def test_a_result_refused_with_400_is_transient_only_while_the_job_runs(
    tmp_path: Path, status: str, expected: type, match: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/status"):
            return httpx.Response(200, json={"status": status})
        return httpx.Response(400, json={"detail": "Request is still in progress"})

    with pytest.raises(expected, match=match):
        provider_with(handler).fetch(ref(), tmp_path / "c.mp4")
    assert not (tmp_path / "c.mp4").exists()


@pytest.mark.parametrize(
    ("result", "file", "expected"),
    [
        (
            {"video": {"url": "https://v3.fal.media/f.mp4", "file_size": 9}},
            b"mp4!",
            ProviderTransient,
        ),
        ({"video": {"url": "https://v3.fal.media/f.mp4"}}, b"", ProviderTransient),
        ({"images": []}, b"", ProviderFatal),
        ({"video": {"url": "file:///etc/passwd"}}, b"", ProviderFatal),
    ],
)
def test_a_bad_result_leaves_nothing_behind(
    tmp_path: Path, result: dict[str, Any], file: bytes, expected: type
) -> None:
    dest = tmp_path / "c.mp4"
    dest.write_bytes(b"old")
    with pytest.raises(expected):
        provider_with(result_then_file(result, file)).fetch(ref(), dest)
    assert dest.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["c.mp4"]


def test_cancel_accepts_a_job_already_done_and_classes_other_failures() -> None:
    provider_with(answer(202, {"status": "CANCELLATION_REQUESTED"})).cancel(ref())
    provider_with(answer(400, {"status": "ALREADY_COMPLETED"})).cancel(ref())
    with pytest.raises(ProviderFatal, match="NOT_FOUND"):
        provider_with(answer(404, {"status": "NOT_FOUND"})).cancel(ref())


def test_the_key_is_not_sent_to_another_host() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"status": "IN_PROGRESS"})

    provider_with(handler).status(ref(status_url="https://elsewhere.example/status"))
    assert "authorization" not in seen[0].headers


def test_the_estimate_prices_the_clip_fal_makes(clip_request: Callable[..., ClipRequest]) -> None:
    unused = answer(500)
    listed = provider_with(unused).estimate(clip_request(seconds=3.2))
    assert (listed.usd, listed.confidence) == (0.28, 0.8)  # 5 s at $0.056
    assert provider_with(unused).estimate(clip_request(seconds=6)).usd == 0.56
    priced = provider_with(unused, usd_per_second=0.1).estimate(clip_request())
    assert (priced.usd, priced.confidence) == (0.5, 1.0)
    guessed = provider_with(unused, model="fal-ai/new/i2v").estimate(clip_request())
    assert guessed.confidence < 0.5 and guessed.usd == 0.28
    assert provider_with(unused, expected_wall_seconds=40).estimate(clip_request()).seconds == 40


def test_capabilities_follow_the_model() -> None:
    caps = provider_with(answer(500)).capabilities()
    assert (caps.provider_id, caps.kind, caps.model) == ("fal", "video", DEFAULT_MODEL)
    assert caps.max_clip_duration_sec == 10 and caps.image_to_video and not caps.text_to_video
    other = provider_with(answer(500), model="fal-ai/kling-video/v1/standard/image-to-video")
    assert other.capabilities().model.endswith("v1/standard/image-to-video")


@pytest.mark.parametrize(
    "options",
    [{"modle": "x/y"}, {"timeout": 0}, {"jwks_cache_seconds": 90_000}, {"model": "no slash"}],
)
def test_bad_options_are_refused_when_the_provider_is_made(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        FalProvider(ProviderConfig(name="fal", options=options))


def test_it_loads_as_the_fal_plugin_with_defaults() -> None:
    (point,) = [
        p
        for p in importlib.metadata.entry_points(group="sparkle_motion.providers")
        if p.name == "fal"
    ]
    loaded = load_providers({"fal": ProviderConfig(name="fal", api_key="sk")}, entry_points=[point])
    provider = loaded.providers["fal"]
    assert not loaded.broken and provider.configured()
    assert isinstance(provider, FalProvider) and provider.options.jwks_url.startswith(
        "https://rest."
    )
    provider.close()
    broken = load_providers(
        {"fal": ProviderConfig(name="fal", base_url="ftp://x")}, entry_points=[point]
    )
    assert "not an http(s) URL" in broken.broken[0].error
    assert DEFAULT_QUEUE_URL == "https://queue.fal.run"


def test_the_public_surface_is_complete() -> None:
    names = {n for n in dir(fal_package) if not n.startswith("_")}
    modules = {"billing", "client", "models", "options", "webhooks", "wire"}
    assert sorted(names - modules) == sorted(fal_package.__all__)


def test_closing_leaves_an_injected_client_to_its_owner() -> None:
    client = httpx.Client(transport=httpx.MockTransport(answer(200)))
    FalProvider(ProviderConfig(name="fal", client=client)).close()
    assert not client.is_closed
    client.close()


def test_every_option_is_documented() -> None:
    text = (REPO / "docs" / "providers.md").read_text()
    for name in FalOptions.model_fields:
        assert f"| `{name}` |" in text, f"option {name} is not in docs/providers.md"
