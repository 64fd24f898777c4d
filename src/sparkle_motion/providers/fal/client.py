"""The FAL provider: image-to-video clips through FAL's queue API.

A job is submitted to ``POST {queue}/{model id}`` (with ``fal_webhook`` when
a callback URL is given) and then followed through the ``status_url``,
``response_url`` and ``cancel_url`` FAL answers with. Every call goes
through the shared transport and status classification; a content-policy
rejection is raised as :class:`~sparkle_motion.errors.ContentRejected` with
FAL's own message. The API key is sent to the queue host only, never to the
file URL a result points at.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from sparkle_motion.atomic import atomic_path
from sparkle_motion.errors import ProviderFatal, ProviderTransient
from sparkle_motion.providers.contract import (
    Capabilities,
    ClipRequest,
    ClipResult,
    CostEstimate,
    JobRef,
    JobState,
    WebhookEvent,
)
from sparkle_motion.providers.fal import billing, models, wire
from sparkle_motion.providers.fal.options import DEFAULT_QUEUE_URL, FalOptions
from sparkle_motion.providers.fal.webhooks import JwksCache, WebhookVerifier, webhook_event
from sparkle_motion.providers.http import transport_errors
from sparkle_motion.providers.loader import ProviderConfig

__all__ = ["FalProvider"]

_CHUNK = 1 << 20
_REACHABLE_TIMEOUT = 5.0
_NO_SUCH_REQUEST = "00000000-0000-0000-0000-000000000000"


class FalProvider:
    """A :class:`~sparkle_motion.providers.contract.Provider` for one FAL model."""

    def __init__(self, config: ProviderConfig, *, clock: Callable[[], float] = time.time) -> None:
        self._id = config.name
        self._key = config.api_key or None
        self._base = (config.base_url or DEFAULT_QUEUE_URL).rstrip("/")
        self.options = FalOptions.parse(config.options)
        self._profile = models.profile_for(self.options)
        self._timeout = httpx.Timeout(self.options.timeout, connect=min(self.options.timeout, 10))
        # Making a client opens no connection: nothing touches the network until a call.
        self._owns_client = config.client is None
        self._client = config.client or httpx.Client(timeout=self._timeout)
        jwks = JwksCache(
            self._client,
            self.options.jwks_url,
            max_age=self.options.jwks_cache_seconds,
            refetch_after=self.options.jwks_refetch_after_seconds,
            timeout=self.options.timeout,
            clock=clock,
        )
        self._verifier = WebhookVerifier(
            jwks, tolerance=self.options.webhook_tolerance_seconds, clock=clock
        )

    @property
    def provider_id(self) -> str:
        return self._id

    def capabilities(self) -> Capabilities:
        return models.capabilities(self._id, self._profile)

    def configured(self) -> bool:
        return self._key is not None

    def reachable(self) -> bool:
        # A status read of a request that cannot exist: the queue answers (404) without
        # any work being submitted or billed.
        url = f"{self._requests(_NO_SUCH_REQUEST)}/status"
        timeout = min(self.options.timeout, _REACHABLE_TIMEOUT)
        try:
            response = self._client.get(url, headers=self._headers(url), timeout=timeout)
        except httpx.HTTPError:
            return False
        return response.status_code < 500

    def estimate(self, request: ClipRequest) -> CostEstimate:
        return models.estimate(self._profile, self.options, request)

    def submit(self, request: ClipRequest, *, webhook_url: str | None = None) -> JobRef:
        body = models.model_input(self._profile, request)
        url = f"{self._base}/{self._profile.model}"
        params = {"fal_webhook": webhook_url} if webhook_url else None
        response = self._send("POST", url, what="submit", json=body, params=params)
        if not response.is_success:
            raise wire.failure(response, what="submit")
        answer = wire.json_object(response, what="submit", resubmit_risk=True)
        return wire.job_ref(
            answer, request, provider_id=self._id, base_url=self._base, model=self._profile.model
        )

    def status(self, ref: JobRef) -> JobState:
        url = ref.status_url or f"{self._requests(ref.job_id)}/status"
        response = self._send("GET", url, what="status")
        if not response.is_success:
            raise wire.failure(response, what="status")
        return wire.job_state(wire.json_object(response, what="status", resubmit_risk=False))

    def fetch(self, ref: JobRef, dest: Path) -> ClipResult:
        """The finished clip, downloaded to ``dest`` (whole or not at all).

        The result is asked for at once: a caller fetches when its own status poll
        says the job ended. A webhook may arrive before the status reads COMPLETED,
        and FAL's result call answers 400 until it does; so a 400 alone makes the
        status be read, and a job not yet finished is a transient failure.
        """
        response = self._send("GET", ref.response_url or self._requests(ref.job_id), what="fetch")
        if response.status_code == 400:
            state = self.status(ref)
            if state.phase != "completed":
                raise ProviderTransient(
                    f"job {ref.job_id} is still {state.phase}",
                    where="provider fal: fetch",
                    hint="fetch it once the status says completed",
                )
        if not response.is_success:
            raise wire.failure(response, what="fetch")
        result = wire.json_object(response, what="fetch", resubmit_risk=False)
        video_url, size = wire.video_file(result)
        self._download(video_url, dest, size)
        # The result is the model's own output, which states no cost (the spend ledger
        # reconciles with FAL's billing events); models that take a seed report the one used.
        seed = result.get("seed")
        return ClipResult(
            path=dest,
            model=self._profile.model,
            cost_usd=None,
            seed=seed if type(seed) is int else None,
        )

    def cancel(self, ref: JobRef) -> None:
        url = ref.cancel_url or f"{self._requests(ref.job_id)}/cancel"
        response = self._send("PUT", url, what="cancel")
        if response.is_success:  # 202 CANCELLATION_REQUESTED (or OK)
            return
        if response.status_code == 400 and _status_field(response) == "ALREADY_COMPLETED":
            return  # nothing left to stop
        raise wire.failure(response, what="cancel")

    def reported_costs(self, refs: Sequence[JobRef]) -> dict[str, float]:
        """What FAL billed for each job, from its billing events (see :mod:`.billing`)."""
        found: dict[str, float] = {}
        ids = [ref.job_id for ref in refs]
        for start in range(0, len(ids), billing.BATCH):
            batch = ids[start : start + billing.BATCH]
            pages = billing.billing_pages(
                self._send, self.options.platform_url, batch, now=datetime.now(UTC)
            )
            found |= billing.billed_usd(pages, refs)
        return found

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        return webhook_event(self._verifier.verify(headers, body))

    def close(self) -> None:
        """Close the HTTP client it made (an injected one is its owner's to close)."""
        if self._owns_client:
            self._client.close()

    # -- calls --------------------------------------------------------------------------------

    def _requests(self, job_id: str) -> str:
        return f"{self._base}/{wire.app_root(self._profile.model)}/requests/{job_id}"

    def _headers(self, url: str) -> dict[str, str]:
        """The key, for FAL's own hosts only: the queue and the Platform API."""
        ours = _same_origin(url, self._base) or _same_origin(url, self.options.platform_url)
        if self._key is None or not ours:
            return {}
        return {"Authorization": f"Key {self._key}"}

    def _send(self, method: str, url: str, *, what: str, **kwargs: Any) -> httpx.Response:
        """One call, the key sent only to the queue host, network failures classed."""
        with transport_errors(provider="fal", what=what):
            return self._client.request(
                method, url, headers=self._headers(url), timeout=self._timeout, **kwargs
            )

    def _download(self, url: str, dest: Path, size: int | None) -> None:
        with (
            atomic_path(dest) as tmp,
            transport_errors(provider="fal", what="download the clip"),
            self._client.stream("GET", url, timeout=self._timeout) as response,
        ):
            if not response.is_success:
                response.read()
                raise wire.failure(response, what="download the clip")
            written = 0
            with tmp.open("wb") as out:
                for chunk in response.iter_bytes(_CHUNK):
                    out.write(chunk)
                    written += len(chunk)
            if written == 0 or (size is not None and written != size):
                raise ProviderTransient(
                    f"the clip arrived with {written} bytes"
                    + (f" of {size}" if size is not None else ""),
                    where="provider fal: download the clip",
                    hint="the download was cut short; fetch again",
                )


def _same_origin(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def _status_field(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    value = body.get("status") if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def make_provider(config: ProviderConfig) -> FalProvider:
    """The entry point's factory: a FAL provider from its config."""
    if config.base_url is not None and not config.base_url.startswith(("https://", "http://")):
        raise ProviderFatal(
            f"the FAL base URL {config.base_url!r} is not an http(s) URL",
            where="provider fal: config",
            hint='set SPARKLE_PROVIDER_URLS to e.g. {"fal": "https://queue.fal.run"}',
        )
    return FalProvider(config)
