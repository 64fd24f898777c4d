"""FAL's webhooks, verified: Ed25519 signatures against its published keys.

As FAL documents it (docs.fal.ai/model-apis/model-endpoints/webhooks), a
webhook carries four headers: ``X-Fal-Webhook-Request-Id``,
``X-Fal-Webhook-User-Id``, ``X-Fal-Webhook-Timestamp`` (Unix seconds) and
``X-Fal-Webhook-Signature`` (hex). The signed message is those three values
and the hex SHA-256 of the raw body, joined by newlines, as UTF-8. The keys
are a JWKS whose entries hold a base64url Ed25519 public key in ``x``; a
signature is good if any of them verifies it. FAL names no key in its
headers, so "an unknown key" is a signature none of the cached keys verify:
the keys are then fetched again, once (FAL rotates them), and no more often
than ``refetch_after`` so forged webhooks cannot make us hammer FAL.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sparkle_motion.errors import WebhookRejected
from sparkle_motion.providers.contract import JobState, WebhookEvent
from sparkle_motion.providers.fal.wire import failure, json_object, policy_violation
from sparkle_motion.providers.http import transport_errors

__all__ = ["SIGNATURE_HEADERS", "JwksCache", "WebhookVerifier", "signed_message", "webhook_event"]

SIGNATURE_HEADERS = (
    "x-fal-webhook-request-id",
    "x-fal-webhook-user-id",
    "x-fal-webhook-timestamp",
    "x-fal-webhook-signature",
)
_WHERE = "provider fal: webhook"


def signed_message(request_id: str, user_id: str, timestamp: str, body: bytes) -> bytes:
    return "\n".join([request_id, user_id, timestamp, hashlib.sha256(body).hexdigest()]).encode()


def _public_key(jwk: object) -> Ed25519PublicKey | None:
    if not isinstance(jwk, dict) or jwk.get("crv", "Ed25519") != "Ed25519":
        return None
    encoded = jwk.get("x")
    if not isinstance(encoded, str):
        return None
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        return None


class JwksCache:
    """FAL's public keys, fetched with the injected client and kept ``max_age`` seconds."""

    def __init__(
        self,
        client: httpx.Client,
        url: str,
        *,
        max_age: float,
        refetch_after: float,
        timeout: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client, self.url, self._timeout, self._clock = client, url, timeout, clock
        self._max_age, self._refetch_after = max_age, refetch_after
        self._keys: list[Ed25519PublicKey] = []
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    def keys(self) -> list[Ed25519PublicKey]:
        with self._lock:
            now = self._clock()
            if self._fetched_at is None or now - self._fetched_at >= self._max_age:
                self._fetch(now)
            return list(self._keys)

    def refetch(self) -> list[Ed25519PublicKey] | None:
        """Fresh keys, unless they were fetched too recently to have changed; then None."""
        with self._lock:
            now = self._clock()
            if self._fetched_at is not None and now - self._fetched_at < self._refetch_after:
                return None
            self._fetch(now)
            return list(self._keys)

    def _fetch(self, now: float) -> None:
        # A failure here is FAL's or the network's, not the sender's: it is transient, so the
        # receiver can answer 5xx and FAL delivers again (it retries for two hours).
        with transport_errors(provider="fal", what="fetch webhook keys"):
            response = self._client.get(self.url, timeout=self._timeout)
        if response.status_code != 200:
            raise failure(response, what="fetch webhook keys")
        body = json_object(response, what="fetch webhook keys", resubmit_risk=False)
        found = body.get("keys")
        keys = [key for key in map(_public_key, found if isinstance(found, list) else []) if key]
        self._keys, self._fetched_at = keys, now


class WebhookVerifier:
    def __init__(
        self, jwks: JwksCache, *, tolerance: float, clock: Callable[[], float] = time.time
    ) -> None:
        self._jwks, self._tolerance, self._clock = jwks, tolerance, clock

    def verify(self, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
        """The webhook's JSON body, once its signature verifies; else WebhookRejected."""
        lowered = {name.lower(): value for name, value in headers.items()}
        missing = [name for name in SIGNATURE_HEADERS if not lowered.get(name, "").strip()]
        if missing:
            raise _rejected(f"missing header(s) {', '.join(missing)}")
        request_id, user_id, timestamp, signature_hex = (
            lowered[name].strip() for name in SIGNATURE_HEADERS
        )
        self._check_time(timestamp)
        try:
            signature = bytes.fromhex(signature_hex)
        except ValueError:
            raise _rejected("X-Fal-Webhook-Signature is not hexadecimal") from None
        message = signed_message(request_id, user_id, timestamp, body)
        if not _any_verifies(self._jwks.keys(), signature, message):
            fresh = self._jwks.refetch()
            if fresh is None or not _any_verifies(fresh, signature, message):
                raise _rejected(
                    f"the signature verifies with none of the keys published at {self._jwks.url}"
                    " (a forged or altered webhook, or one signed by a key FAL no longer lists)"
                )
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise _rejected("the signed body is not a JSON object")
        return parsed

    def _check_time(self, timestamp: str) -> None:
        try:
            sent = int(timestamp)
        except ValueError:
            raise _rejected(f"X-Fal-Webhook-Timestamp {timestamp!r} is not Unix seconds") from None
        skew = abs(self._clock() - sent)
        if skew > self._tolerance:
            raise _rejected(
                f"the timestamp {sent} is {skew:.0f} s from now; at most "
                f"{self._tolerance:.0f} s is accepted (a replayed or delayed webhook)"
            )


def _any_verifies(keys: list[Ed25519PublicKey], signature: bytes, message: bytes) -> bool:
    for key in keys:
        try:
            key.verify(signature, message)
        except InvalidSignature:
            continue
        return True
    return False


def _rejected(reason: str) -> WebhookRejected:
    return WebhookRejected(
        reason, where=_WHERE, hint="only FAL's signed webhooks are accepted; the event is ignored"
    )


def webhook_event(body: dict[str, Any]) -> WebhookEvent:
    """The event a verified webhook body tells: OK is a finished job, ERROR a failed one.

    The same delivery, sent twice, gives the same event; telling repeats apart
    is the job ledger's work (by ``job_id``).
    """
    request_id = body.get("request_id")
    status = body.get("status")
    payload = body.get("payload")
    payload = payload if isinstance(payload, dict) else {}
    if not isinstance(request_id, str) or not request_id or status not in ("OK", "ERROR"):
        raise _rejected("the body is not the webhook FAL documents (request_id, status OK|ERROR)")
    if status == "OK":
        # A payload FAL could not serialise comes as null with payload_error; the queue
        # still holds the result.
        detail = body.get("payload_error")
        state = JobState(phase="completed", detail=detail if isinstance(detail, str) else "")
        return WebhookEvent(job_id=request_id, state=state, payload=payload)
    violation = policy_violation(payload.get("detail"))
    error = body.get("error")
    detail = (
        f"content_policy_violation: {violation}"
        if violation is not None
        else (error if isinstance(error, str) and error else "FAL reported an error")
    )
    state = JobState(phase="failed", detail=detail, rejected=violation is not None)
    return WebhookEvent(job_id=request_id, state=state, payload=payload)
