"""FAL webhook verification: signatures, the timestamp window, and FAL's keys cached and rotated."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sparkle_motion.errors import ProviderTransient, WebhookRejected
from sparkle_motion.providers import ProviderConfig
from sparkle_motion.providers.fal import FalProvider
from tests.providers.fake_fal_api import public_jwk, sign

NOW = 1_750_000_000.0
JWKS_URL = "https://keys.example/.well-known/jwks.json"


class Keys:
    """A JWKS endpoint behind a MockTransport, counting its fetches."""

    def __init__(self) -> None:
        self.published = [Ed25519PrivateKey.generate()]
        self.fetches = 0
        self.down = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert str(request.url) == JWKS_URL
        if self.down:
            return httpx.Response(503, json={"detail": "unavailable"})
        self.fetches += 1
        return httpx.Response(
            200, json={"keys": [public_jwk(k, f"k{i}") for i, k in enumerate(self.published)]}
        )


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def keys() -> Keys:
    return Keys()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def provider(keys: Keys, clock: Clock) -> FalProvider:
    config = ProviderConfig(
        name="fal",
        api_key="k",
        client=httpx.Client(transport=httpx.MockTransport(keys)),
        options={"jwks_url": JWKS_URL, "jwks_cache_seconds": 600},
    )
    return FalProvider(config, clock=clock)


def webhook(
    key: Ed25519PrivateKey, *, at: float = NOW, request_id: str = "req-9", **body: Any
) -> tuple[dict[str, str], bytes]:
    payload = {"video": {"url": "https://v3.fal.media/files/x/out.mp4"}}
    data = json.dumps(
        {"request_id": request_id, "gateway_request_id": request_id, "status": "OK"}
        | {"payload": payload}
        | body
    ).encode()
    return sign(key, request_id, int(at), data), data


def test_a_signed_webhook_verifies_and_gives_its_event(provider: FalProvider, keys: Keys) -> None:
    headers, body = webhook(keys.published[0])
    event = provider.verify_webhook(headers, body)
    assert event.job_id == "req-9" and event.state.phase == "completed"
    assert event.payload == {"video": {"url": "https://v3.fal.media/files/x/out.mp4"}}
    lowered = {name.lower(): value for name, value in headers.items()}
    assert provider.verify_webhook(lowered, body) == event  # header names in any case


def test_a_duplicate_delivery_gives_the_same_event(provider: FalProvider, keys: Keys) -> None:
    headers, body = webhook(keys.published[0])
    assert provider.verify_webhook(headers, body) == provider.verify_webhook(headers, body)
    assert keys.fetches == 1  # the keys are cached


def test_an_altered_body_or_a_foreign_key_is_rejected(
    provider: FalProvider, keys: Keys, clock: Clock
) -> None:
    headers, body = webhook(keys.published[0])
    with pytest.raises(WebhookRejected, match="none of the keys published") as caught:
        provider.verify_webhook(headers, body.replace(b'"OK"', b'"ERROR"'))
    assert caught.value.code == "SM113" and JWKS_URL in caught.value.message
    clock.now += 60
    with pytest.raises(WebhookRejected, match="none of the keys"):
        provider.verify_webhook(*webhook(Ed25519PrivateKey.generate(), at=clock.now))
    assert keys.fetches == 2  # one refetch, in case the key was new


def test_forged_webhooks_cannot_make_it_refetch_the_keys_often(
    provider: FalProvider, keys: Keys, clock: Clock
) -> None:
    for _ in range(5):
        clock.now += 1
        with pytest.raises(WebhookRejected):
            provider.verify_webhook(*webhook(Ed25519PrivateKey.generate(), at=clock.now))
    assert keys.fetches == 1  # inside jwks_refetch_after_seconds (30 s) nothing is refetched


def test_a_rotated_key_is_picked_up_by_one_refetch(
    provider: FalProvider, keys: Keys, clock: Clock
) -> None:
    provider.verify_webhook(*webhook(keys.published[0]))
    keys.published = [Ed25519PrivateKey.generate()]  # FAL rotates
    clock.now += 45
    event = provider.verify_webhook(*webhook(keys.published[0], at=clock.now))
    assert event.state.phase == "completed" and keys.fetches == 2


def test_the_keys_are_fetched_again_when_the_cache_expires(
    provider: FalProvider, keys: Keys, clock: Clock
) -> None:
    provider.verify_webhook(*webhook(keys.published[0]))
    clock.now += 601
    provider.verify_webhook(*webhook(keys.published[0], at=clock.now))
    assert keys.fetches == 2


@pytest.mark.parametrize("offset", [-301, 301])
def test_a_timestamp_outside_the_window_is_rejected(
    provider: FalProvider, keys: Keys, offset: int
) -> None:
    with pytest.raises(WebhookRejected, match="301 s from now; at most 300 s"):
        provider.verify_webhook(*webhook(keys.published[0], at=NOW + offset))
    provider.verify_webhook(*webhook(keys.published[0], at=NOW + 299))


def test_the_window_is_configurable(keys: Keys, clock: Clock) -> None:
    config = ProviderConfig(
        name="fal",
        client=httpx.Client(transport=httpx.MockTransport(keys)),
        options={"jwks_url": JWKS_URL, "webhook_tolerance_seconds": 30},
    )
    strict = FalProvider(config, clock=clock)
    with pytest.raises(WebhookRejected, match="at most 30 s"):
        strict.verify_webhook(*webhook(keys.published[0], at=NOW - 31))


@pytest.mark.parametrize(
    ("drop", "change", "reason"),
    [
        ("X-Fal-Webhook-Signature", None, "missing header.*x-fal-webhook-signature"),
        ("X-Fal-Webhook-User-Id", None, "missing header.*x-fal-webhook-user-id"),
        (None, ("X-Fal-Webhook-Timestamp", "yesterday"), "not Unix seconds"),
        (None, ("X-Fal-Webhook-Signature", "zz-not-hex"), "not hexadecimal"),
        (None, ("X-Fal-Webhook-User-Id", "someone-else"), "none of the keys"),
        # each header is part of the signed message: changing one breaks the signature
        (None, ("X-Fal-Webhook-Request-Id", "req-other"), "none of the keys"),
        (None, ("X-Fal-Webhook-Timestamp", str(int(NOW) + 1)), "none of the keys"),
    ],
)
def test_missing_or_malformed_headers_are_rejected(
    provider: FalProvider,
    keys: Keys,
    drop: str | None,
    change: tuple[str, str] | None,
    reason: str,
) -> None:
    headers, body = webhook(keys.published[0])
    if drop:
        del headers[drop]
    if change:
        headers[change[0]] = change[1]
    with pytest.raises(WebhookRejected, match=reason):
        provider.verify_webhook(headers, body)


def test_an_error_webhook_is_a_failed_job_and_a_policy_refusal_says_so(
    provider: FalProvider, keys: Keys
) -> None:
    detail = [{"loc": ["body", "prompt"], "msg": "Flagged.", "type": "content_policy_violation"}]
    headers, body = webhook(
        keys.published[0],
        status="ERROR",
        error="Invalid status code: 422",
        payload={"detail": detail},
    )
    event = provider.verify_webhook(headers, body)
    assert (
        event.state.phase == "failed" and event.state.detail == "content_policy_violation: Flagged."
    )
    headers, body = webhook(keys.published[0], status="ERROR", error="Invalid status code: 500")
    assert provider.verify_webhook(headers, body).state.detail == "Invalid status code: 500"


def test_an_unserialisable_payload_is_still_a_completed_job(
    provider: FalProvider, keys: Keys
) -> None:
    headers, body = webhook(keys.published[0], payload=None, payload_error="not JSON serializable")
    event = provider.verify_webhook(headers, body)
    assert event.state.phase == "completed" and event.payload == {}
    assert event.state.detail == "not JSON serializable"


def test_a_signed_body_that_is_not_fals_shape_is_rejected(
    provider: FalProvider, keys: Keys
) -> None:
    with pytest.raises(WebhookRejected, match="not the webhook FAL documents"):
        provider.verify_webhook(*webhook(keys.published[0], status="DONE"))


def test_keys_that_cannot_be_fetched_are_a_transient_failure(
    provider: FalProvider, keys: Keys
) -> None:
    keys.down = True
    with pytest.raises(ProviderTransient, match="HTTP 503"):
        provider.verify_webhook(*webhook(keys.published[0]))


def test_unusable_keys_in_the_jwks_are_skipped(clock: Clock) -> None:
    key = Ed25519PrivateKey.generate()
    good = public_jwk(key, "k1")
    jwks = {
        "keys": [{"kty": "RSA", "crv": "P-256", "x": "AAAA"}, {"x": "!!"}, {"kid": "no-x"}, good]
    }
    client = httpx.Client(transport=httpx.MockTransport(lambda _: httpx.Response(200, json=jwks)))
    config = ProviderConfig(name="fal", client=client, options={"jwks_url": JWKS_URL})
    assert FalProvider(config, clock=clock).verify_webhook(*webhook(key)).job_id == "req-9"
