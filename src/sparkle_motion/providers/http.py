"""What an HTTP answer or a network failure means for a provider call.

Providers speak their own APIs, but the transport's failures mean the same
everywhere: a 429 is a rate limit (with its ``Retry-After``), a 408, a 5xx,
a timeout or a lost connection are transient, any other 4xx is fatal (a bad
key, an unknown model, a refused input). A provider that tells content
rejections apart (a policy error in its body) raises
:class:`~sparkle_motion.errors.ContentRejected` itself before asking here.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from sparkle_motion.errors import (
    ProviderError,
    ProviderFatal,
    ProviderRateLimited,
    ProviderTransient,
)

__all__ = ["classify_response", "retry_after_seconds", "transport_errors"]

_BODY_SHOWN = 300


def retry_after_seconds(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """A ``Retry-After`` header in seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())


def classify_response(response: httpx.Response, *, provider: str, what: str) -> ProviderError:
    """The classed error an unsuccessful answer stands for."""
    status = response.status_code
    text = response.text[:_BODY_SHOWN].strip()
    where = f"provider {provider}: {what}"
    message = f"HTTP {status}" + (f": {text}" if text else "")
    if status == 429:
        return ProviderRateLimited(
            message,
            where=where,
            hint="lower the provider's concurrency, or try again later",
            retry_after=retry_after_seconds(response.headers.get("retry-after")),
        )
    if status == 408 or status >= 500:
        return ProviderTransient(message, where=where, hint="the provider may recover; try later")
    return ProviderFatal(
        message, where=where, hint="check the provider's key, model and request settings"
    )


@contextmanager
def transport_errors(*, provider: str, what: str) -> Iterator[None]:
    """Network failures inside the block become transient provider errors."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise ProviderTransient(
            f"no answer in time ({type(exc).__name__})",
            where=f"provider {provider}: {what}",
            hint="the provider may be slow or down; try later",
        ) from exc
    except httpx.TransportError as exc:
        raise ProviderTransient(
            f"the connection failed ({type(exc).__name__}: {exc})",
            where=f"provider {provider}: {what}",
            hint="check the provider's URL and the network",
        ) from exc
