"""Signed webhook deliveries of job status changes, retried with capped backoff.

Each delivery is a POST of JSON with these headers:

- ``Sparkle-Webhook-Id``: the delivery id, the same on every retry (de-duplicate on it)
- ``Sparkle-Webhook-Timestamp``: Unix seconds when this attempt was signed
- ``Sparkle-Webhook-Event``: e.g. ``render_package.completed``
- ``Sparkle-Webhook-Signature``: ``v1=`` + hex HMAC-SHA256 of ``"{timestamp}.{body}"``

Every attempt is recorded. A callback URL must be http(s) and resolve to
public addresses unless the config allows private ones; it is checked when
the job is submitted and again before every attempt. Redirects are not followed.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import ipaddress
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
import structlog

from sparkle_motion.errors import CallbackRefused
from sparkle_motion.service.store import Job, JobStore

__all__ = [
    "HEADER_EVENT",
    "HEADER_ID",
    "HEADER_SIGNATURE",
    "HEADER_TIMESTAMP",
    "WebhookSender",
    "check_callback_url",
    "sign",
    "verify",
]

HEADER_ID = "Sparkle-Webhook-Id"
HEADER_TIMESTAMP = "Sparkle-Webhook-Timestamp"
HEADER_EVENT = "Sparkle-Webhook-Event"
HEADER_SIGNATURE = "Sparkle-Webhook-Signature"
_log = structlog.get_logger("sparkle_motion.service.webhooks")

Resolver = Callable[[str, int], list[str]]


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, *, now: float, tolerance: int = 300
) -> bool:
    """What a receiver does: a fresh timestamp and a matching signature."""
    try:
        stamp = int(timestamp)
    except ValueError:
        return False
    if abs(now - stamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, stamp, body), signature)


def _resolve(host: str, port: int) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def check_callback_url(url: str, *, allow_private: bool, resolve: Resolver = _resolve) -> None:
    """Refuse URLs that are not http(s) or that reach private, loopback or reserved hosts."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CallbackRefused(
            "a callback URL must be an absolute http or https URL",
            where=url[:200],
            hint="e.g. https://example.com/hooks/sparkle",
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = resolve(parts.hostname, port)
    except (OSError, ValueError) as exc:
        raise CallbackRefused(
            f"the callback host does not resolve: {exc}", where=url[:200]
        ) from None
    if allow_private:
        return
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global or ip.is_multicast:
            raise CallbackRefused(
                f"the callback host resolves to a non-public address ({ip})",
                where=url[:200],
                hint="use a public URL, or set SPARKLE_WEBHOOK_ALLOW_PRIVATE=true",
            )


@dataclass(order=True)
class _Attempt:
    due: float
    number: int = field(compare=False)
    job: Job = field(compare=False)
    url: str = field(compare=False)
    event: str = field(compare=False)
    delivery_id: str = field(compare=False)
    body: bytes = field(compare=False)


class WebhookSender:
    """One thread that sends due attempts in order and schedules the retries."""

    def __init__(
        self,
        store: JobStore,
        *,
        secret: str | None,
        allow_private: bool,
        max_attempts: int,
        backoff: float,
        backoff_max: float,
        client: httpx.Client | None = None,
        resolve: Resolver = _resolve,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.secret = secret
        self.allow_private = allow_private
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.client = client or httpx.Client(timeout=10.0, follow_redirects=False)
        self.resolve = resolve
        self.clock = clock
        self._queue: list[_Attempt] = []
        self._wake = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="sparkle-webhooks", daemon=True)

    def delay(self, attempt: int) -> float:
        """Seconds before attempt ``attempt + 1``: doubling from ``backoff``, capped."""
        return float(min(self.backoff_max, self.backoff * 2 ** (attempt - 1)))

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        self._thread.join(10.0)
        self.client.close()

    def notify(self, job: Job) -> None:
        """Queue one delivery per callback that wants this status."""
        callbacks = job.spec.callbacks
        if not callbacks or self.secret is None:
            return
        prefix = "render_package" if job.kind == "render_package" else "run"
        payload = {
            "event": f"{prefix}.{job.status}",
            "run_id": job.job_id,
            "request_id": job.request_id,
            "tenant_id": job.tenant_id,
            "status": job.status,
            "at": job.updated_at.isoformat(timespec="milliseconds"),
        }
        body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        for callback in callbacks:
            if callback.events and job.status not in callback.events:
                continue
            self._push(
                _Attempt(
                    due=self.clock(),
                    number=1,
                    job=job,
                    url=callback.url,
                    event=str(payload["event"]),
                    delivery_id=uuid.uuid4().hex,
                    body=body,
                )
            )

    def _push(self, attempt: _Attempt) -> None:
        with self._wake:
            heapq.heappush(self._queue, attempt)
            self._wake.notify_all()

    def _next(self) -> _Attempt | None:
        with self._wake:
            while not self._stopping:
                if self._queue and self._queue[0].due <= self.clock():
                    return heapq.heappop(self._queue)
                wait = self._queue[0].due - self.clock() if self._queue else 1.0
                self._wake.wait(max(0.01, min(wait, 1.0)))
        return None

    def _run(self) -> None:
        while (attempt := self._next()) is not None:
            try:
                self._send(attempt)
            except Exception:  # one broken delivery must not end the sender
                _log.exception("webhook_crash", url=attempt.url)

    def _send(self, attempt: _Attempt) -> None:
        assert self.secret is not None
        status_code: int | None = None
        error: str | None = None
        retry = True
        try:
            check_callback_url(attempt.url, allow_private=self.allow_private, resolve=self.resolve)
            stamp = int(self.clock())
            response = self.client.post(
                attempt.url,
                content=attempt.body,
                headers={
                    "Content-Type": "application/json",
                    HEADER_ID: attempt.delivery_id,
                    HEADER_TIMESTAMP: str(stamp),
                    HEADER_EVENT: attempt.event,
                    HEADER_SIGNATURE: sign(self.secret, stamp, attempt.body),
                },
            )
            status_code = response.status_code
            if 200 <= status_code < 300:
                retry = False
            else:
                error = f"HTTP {status_code}"
        except CallbackRefused as exc:
            error, retry = exc.message, False
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        self.store.record_delivery(
            attempt.job,
            delivery_id=attempt.delivery_id,
            url=attempt.url,
            event=attempt.event,
            attempt=attempt.number,
            status_code=status_code,
            error=error,
        )
        _log.info(
            "webhook_attempt",
            tenant_id=attempt.job.tenant_id,
            webhook_event=attempt.event,
            attempt=attempt.number,
            status_code=status_code,
            error=error,
        )
        if retry and attempt.number < self.max_attempts:
            self._push(
                _Attempt(
                    due=self.clock() + self.delay(attempt.number),
                    number=attempt.number + 1,
                    job=attempt.job,
                    url=attempt.url,
                    event=attempt.event,
                    delivery_id=attempt.delivery_id,
                    body=attempt.body,
                )
            )
