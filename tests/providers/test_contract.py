"""One contract, every provider: the same suite over each, against its own fake service."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sparkle_motion.errors import ProviderError, WebhookRejected
from sparkle_motion.providers import ClipRequest, JobRef, Provider
from tests.plugins.scripted import Scripted
from tests.render.media import probe
from tests.service.helpers import wait_for

MakeRequest = Callable[..., ClipRequest]


@pytest.fixture(params=["fal", "scripted"])
def provider(request: pytest.FixtureRequest) -> Iterator[Provider]:
    """Each provider, on the fake service that follows its documented API."""
    if request.param == "scripted":
        yield Scripted()
        return
    made: Callable[..., Provider] = request.getfixturevalue("make_provider")  # on the fake FAL
    yield made()


def finish(provider: Provider, ref: JobRef) -> None:
    wait_for(lambda: provider.status(ref).phase == "completed", timeout=30.0, interval=0.02)


def test_it_states_what_it_can_do(provider: Provider) -> None:
    caps = provider.capabilities()
    assert caps.provider_id == provider.provider_id
    assert caps.kind == "video" and caps.max_clip_duration_sec > 0
    assert caps.max_width > 0 and caps.max_height > 0
    assert isinstance(provider, Provider) and provider.configured()


def test_it_prices_a_request_before_anything_is_sent(
    provider: Provider, clip_request: MakeRequest
) -> None:
    estimate = provider.estimate(clip_request())
    assert estimate.usd > 0 and 0 <= estimate.confidence <= 1
    assert (
        provider.estimate(clip_request(seconds=2.0)).usd
        <= provider.estimate(clip_request(seconds=8.0)).usd
    )


def test_a_job_is_submitted_followed_and_fetched_at_least_as_long_as_asked(
    provider: Provider, clip_request: MakeRequest, tmp_path: Path
) -> None:
    asked = clip_request()
    ref = provider.submit(asked)
    assert (ref.provider_id, ref.shot_id, ref.request_id) == (
        provider.provider_id,
        asked.shot_id,
        asked.request_id,
    )
    assert JobRef.model_validate_json(ref.model_dump_json()) == ref  # it survives being persisted
    finish(provider, ref)
    result = provider.fetch(ref, tmp_path / "clip.mp4")
    assert result.path == tmp_path / "clip.mp4" and result.model
    info = probe(result.path)
    assert float(info.duration) >= asked.seconds - 0.05


# A prompt each fake keeps waiting (never finished unless released or cancelled).
_HELD = "[fault:hold] A held shot."


def test_a_cancelled_job_delivers_no_clip(
    provider: Provider, clip_request: MakeRequest, tmp_path: Path
) -> None:
    ref = provider.submit(clip_request(prompt=_HELD))
    provider.cancel(ref)
    provider.cancel(ref)  # never an error, whatever the job's state
    wait_for(lambda: provider.status(ref).phase in ("cancelled", "completed"), timeout=30.0)
    with pytest.raises(ProviderError):
        provider.fetch(ref, tmp_path / "clip.mp4")
    assert not (tmp_path / "clip.mp4").exists()


def test_a_forged_webhook_is_refused(provider: Provider) -> None:
    with pytest.raises(WebhookRejected):
        provider.verify_webhook({"content-type": "application/json"}, b'{"request_id": "x"}')


def test_every_failure_is_classed(provider: Provider, clip_request: MakeRequest) -> None:
    too_long = clip_request(seconds=provider.capabilities().max_clip_duration_sec + 30)
    with pytest.raises(ProviderError) as refused:
        provider.submit(too_long)  # a provider never changes a shot's length to fit
    assert refused.value.error_class == "fatal"
