"""The FAL provider against the fake FAL over real loopback HTTP: the queue, and its faults."""

from __future__ import annotations

import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest

from sparkle_motion.errors import (
    ContentRejected,
    ProviderFatal,
    ProviderRateLimited,
    ProviderTransient,
    WebhookRejected,
)
from sparkle_motion.providers import (
    ClipRequest,
    JobRef,
    Provider,
    ProviderConfig,
    call_with_retries,
)
from sparkle_motion.providers.fal import DEFAULT_MODEL, FalProvider
from sparkle_motion.providers.fal import make_provider as factory
from tests.providers.fake_fal import REJECTION_MSG, FakeFal
from tests.providers.servers import WebhookSink
from tests.render.media import probe
from tests.service.helpers import wait_for

MakeProvider = Callable[..., FalProvider]
MakeRequest = Callable[..., ClipRequest]


def wait_done(provider: FalProvider, ref: JobRef) -> None:
    wait_for(lambda: provider.status(ref).phase == "completed", timeout=30.0, interval=0.05)


def test_a_clip_is_submitted_followed_and_fetched(
    fake: FakeFal, make_provider: MakeProvider, clip_request: MakeRequest, tmp_path: Path
) -> None:
    provider = make_provider()
    assert isinstance(provider, Provider) and provider.configured() and provider.reachable()
    ref = provider.submit(clip_request())
    job = fake.jobs[ref.job_id]
    assert ref.status_url == f"{fake.url}/fal-ai/kling-video/requests/{ref.job_id}/status"
    assert (ref.shot_id, ref.request_id, ref.provider_id) == ("s1-wide", "req-1", "fal")
    # The model is sent what its schema documents: the prompt verbatim, the frame, and the
    # shortest duration covering the locked 3.2 s; Kling takes no seed.
    assert job.input["prompt"] == clip_request().prompt
    assert job.input["image_url"].startswith("data:image/png;base64,")
    assert job.input["duration"] == "5" and "seed" not in job.input
    wait_done(provider, ref)
    dest = tmp_path / "out" / "req-1" / "fal" / "s1-wide.mp4"
    result = provider.fetch(ref, dest)
    assert result.path == dest and result.model == DEFAULT_MODEL and result.cost_usd is None
    info = probe(dest)
    assert (info.width, info.height) == (320, 180)
    assert info.duration >= Fraction(5)  # longer than the shot: the caller trims it
    assert not list(dest.parent.glob(".*.tmp*"))
    downloads = [c for c in fake.calls if c.path.startswith("/files/")]
    assert downloads and "authorization" not in downloads[0].headers  # the key stays home


def test_a_webhook_url_is_passed_and_the_signed_webhook_verifies(
    fake: FakeFal, make_provider: MakeProvider, clip_request: MakeRequest, sink: WebhookSink
) -> None:
    provider = make_provider()
    ref = provider.submit(clip_request(), webhook_url=sink.url)
    assert fake.jobs[ref.job_id].webhook == sink.url
    (delivery,) = sink.wait(1)
    event = provider.verify_webhook(delivery.headers, delivery.body)
    assert event.job_id == ref.job_id and event.state.phase == "completed"
    assert str(event.payload["video"]["url"]).startswith(f"{fake.url}/files/")  # type: ignore[index]


def test_a_rotated_signing_key_is_fetched_again_from_the_fakes_jwks(
    fake: FakeFal, make_provider: MakeProvider, clip_request: MakeRequest, sink: WebhookSink
) -> None:
    provider = make_provider(jwks_refetch_after_seconds=0)
    held = provider.submit(clip_request(prompt="[fault:hold]"), webhook_url=sink.url)
    assert provider.status(held).phase == "queued"
    fake.release(held.job_id)
    (first,) = sink.wait(1)
    assert provider.verify_webhook(first.headers, first.body).job_id == held.job_id
    fake.rotate_key()
    provider.submit(clip_request(), webhook_url=sink.url)
    second = sink.wait(2)[1]
    assert provider.verify_webhook(second.headers, second.body).state.phase == "completed"
    assert fake.jwks_fetches == 2


def test_a_rate_limit_carries_retry_after_and_is_retried(
    fake: FakeFal, make_provider: MakeProvider, clip_request: MakeRequest
) -> None:
    provider = make_provider()
    fake.arm("submit", "rate_limit")
    with pytest.raises(ProviderRateLimited) as caught:
        provider.submit(clip_request(prompt="first [fault:hold]"))
    assert caught.value.retry_after == 2.0
    fake.arm("submit", "rate_limit")
    slept: list[float] = []
    ref = call_with_retries(
        lambda: provider.submit(clip_request(prompt="second [fault:hold]")), sleep=slept.append
    )
    assert slept == [2.0] and list(fake.jobs) == [ref.job_id]  # one job, not two


@pytest.mark.parametrize("route", ["submit", "status"])
def test_a_server_error_is_transient(
    route: str, fake: FakeFal, make_provider: MakeProvider, clip_request: MakeRequest
) -> None:
    provider = make_provider()
    ref = provider.submit(clip_request(prompt="[fault:hold]")) if route == "status" else None
    fake.arm(route, "server_error")
    with pytest.raises(ProviderTransient, match="HTTP 503"):
        provider.status(ref) if ref else provider.submit(clip_request())


def test_a_slow_answer_within_the_timeout_is_waited_for_and_one_past_it_is_transient(
    fake: FakeFal, make_provider: MakeProvider, clip_request: MakeRequest
) -> None:
    ref = make_provider(timeout=2.0).submit(clip_request(prompt="[fault:hold]"))
    fake.arm("status", "slow")  # answers after 0.6 s
    assert make_provider(timeout=2.0).status(ref).phase == "queued"
    fake.arm("status", "slow")
    with pytest.raises(ProviderTransient, match="no answer in time"):
        make_provider(timeout=0.3).status(ref)


def test_a_hung_call_is_transient_after_the_timeout(
    fake: FakeFal, make_provider: MakeProvider, clip_request: MakeRequest
) -> None:
    provider = make_provider(timeout=0.3)
    fake.arm("submit", "hung")
    started = time.monotonic()
    with pytest.raises(ProviderTransient, match="no answer in time"):
        provider.submit(clip_request())
    assert time.monotonic() - started < 5


def test_malformed_json_is_transient_for_a_read_and_fatal_for_a_submit(
    fake: FakeFal, make_provider: MakeProvider, clip_request: MakeRequest
) -> None:
    provider = make_provider()
    ref = provider.submit(clip_request(prompt="[fault:hold]"))
    fake.arm("status", "malformed_json")
    with pytest.raises(ProviderTransient, match="not the JSON object"):
        provider.status(ref)
    # A garbled answer to a submit may hide an accepted, billed job: never sent again.
    fake.arm("submit", "malformed_json")
    calls: list[int] = []

    def submit() -> JobRef:
        calls.append(1)
        return provider.submit(clip_request())

    with pytest.raises(ProviderFatal, match="FAL dashboard"):
        call_with_retries(submit, sleep=lambda _: None)
    assert calls == [1]


def test_a_content_rejection_is_raised_with_fals_words_and_never_retried(
    fake: FakeFal, make_provider: MakeProvider, clip_request: MakeRequest, tmp_path: Path
) -> None:
    provider = make_provider()
    ref = provider.submit(clip_request(prompt="[fault:content_rejected]"))
    wait_done(provider, ref)
    calls: list[int] = []

    def fetch() -> object:
        calls.append(1)
        return provider.fetch(ref, tmp_path / "clip.mp4")

    with pytest.raises(ContentRejected) as caught:
        call_with_retries(fetch, sleep=lambda _: None)
    assert caught.value.message == REJECTION_MSG and caught.value.code == "SM703"
    assert calls == [1] and not (tmp_path / "clip.mp4").exists()
    fake.arm("submit", "content_rejected")  # a refusal at the door reads the same
    with pytest.raises(ContentRejected, match="flagged by a content checker"):
        provider.submit(clip_request())


def test_a_queued_job_is_cancelled(
    fake: FakeFal, make_provider: MakeProvider, clip_request: MakeRequest, tmp_path: Path
) -> None:
    provider = make_provider()
    ref = provider.submit(clip_request(prompt="[fault:hold]"))
    assert provider.status(ref).phase == "queued" and provider.status(ref).queue_position == 0
    provider.cancel(ref)
    assert fake.jobs[ref.job_id].cancelled
    wait_done(provider, ref)
    with pytest.raises(ProviderFatal, match="client_cancelled"):
        provider.fetch(ref, tmp_path / "clip.mp4")
    provider.cancel(ref)  # ALREADY_COMPLETED: nothing left to stop, no error


def test_a_webhook_before_the_status_says_completed_makes_fetch_wait(
    fake: FakeFal,
    make_provider: MakeProvider,
    clip_request: MakeRequest,
    sink: WebhookSink,
    tmp_path: Path,
) -> None:
    provider = make_provider()
    ref = provider.submit(clip_request(prompt="[fault:early_webhook]"), webhook_url=sink.url)
    (delivery,) = sink.wait(1)
    assert provider.verify_webhook(delivery.headers, delivery.body).state.phase == "completed"
    with pytest.raises(ProviderTransient, match="still in_progress"):
        provider.fetch(ref, tmp_path / "clip.mp4")
    fake.finish(ref.job_id)
    wait_done(provider, ref)
    assert provider.fetch(ref, tmp_path / "clip.mp4").path.stat().st_size > 0


def test_duplicate_bad_and_stale_webhooks_from_the_fake(
    fake: FakeFal, make_provider: MakeProvider, clip_request: MakeRequest, sink: WebhookSink
) -> None:
    provider = make_provider()
    for fault in ("duplicate_webhook", "bad_signature", "stale_timestamp"):
        provider.submit(
            clip_request(prompt=f"[fault:{fault}] [fault:content_rejected]"), webhook_url=sink.url
        )
    deliveries = sink.wait(4)
    outcomes: dict[str, list[object]] = {}
    for delivery in deliveries:
        job = fake.jobs[delivery.headers["x-fal-webhook-request-id"]]
        (fault,) = job.faults - {"content_rejected"}
        try:
            outcomes.setdefault(fault, []).append(
                provider.verify_webhook(delivery.headers, delivery.body)
            )
        except WebhookRejected as exc:
            outcomes.setdefault(fault, []).append(exc.message)
    first, second = outcomes["duplicate_webhook"]
    assert first == second and first.state.phase == "failed"  # type: ignore[attr-defined]
    assert "content_policy_violation" in first.state.detail  # type: ignore[attr-defined]
    assert "none of the keys" in str(outcomes["bad_signature"][0])
    assert "from now" in str(outcomes["stale_timestamp"][0])


def test_an_unreachable_or_keyless_provider_says_so(make_provider: MakeProvider) -> None:
    keyless = make_provider(key=None)
    assert not keyless.configured() and keyless.reachable()  # it answers, it refuses the work
    with pytest.raises(ProviderFatal, match="HTTP 401"):
        keyless.status(JobRef(provider_id="fal", job_id="x", shot_id="s", request_id="r"))
    gone = factory(ProviderConfig(name="fal", base_url="http://127.0.0.1:9", api_key="k"))
    try:
        assert gone.configured() and not gone.reachable()
        with pytest.raises(ProviderTransient, match="the connection failed"):
            gone.status(JobRef(provider_id="fal", job_id="x", shot_id="s", request_id="r"))
    finally:
        gone.close()


def test_billing_events_say_what_each_job_cost(
    fake: FakeFal,
    make_provider: Callable[..., FalProvider],
    clip_request: Callable[..., ClipRequest],
) -> None:
    provider = make_provider()
    refs = [provider.submit(clip_request(shot_id=f"s{n}")) for n in range(3)]
    for ref in refs:
        wait_done(provider, ref)
    fake.unbilled = {refs[2].job_id}  # its events have not arrived yet
    billed = provider.reported_costs(refs)
    assert billed == {ref.job_id: fake.billed_usd(fake.jobs[ref.job_id]) for ref in refs[:2]}
    calls = [c for c in fake.calls if c.path == "/v1/models/billing-events"]
    assert len(calls) == 2  # one event a page: the cursor was followed
    assert [v for n, v in calls[0].params if n == "request_id"] == [r.job_id for r in refs]
    assert calls[0].headers["authorization"].startswith("Key ")


def test_billing_events_need_an_admin_key(
    fake: FakeFal, make_provider: Callable[..., FalProvider]
) -> None:
    provider = make_provider(key="not-an-admin-key")
    ref = JobRef(provider_id="fal", job_id="x", shot_id="s1", request_id="r")
    with pytest.raises(ProviderFatal, match="Admin-scoped"):
        provider.reported_costs([ref])
