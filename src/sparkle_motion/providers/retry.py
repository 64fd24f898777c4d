"""Retrying a provider call: only what may succeed later, a few times, never for long.

Transient failures and rate limits are retried, at most three attempts in
all, after capped exponential delays (1 s, 2 s, … never over 60 s); a rate
limit's ``Retry-After`` is honoured (up to the cap). Content rejections and
fatal errors go back to the caller at once: a rejection is for the
content-safety gate, never to be retried or reworded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from sparkle_motion.errors import ProviderError, ProviderRateLimited, ProviderTransient

__all__ = ["MAX_ATTEMPTS", "MAX_DELAY_SECONDS", "call_with_retries", "delay_before"]

MAX_ATTEMPTS = 3
MAX_DELAY_SECONDS = 60.0
_FIRST_DELAY_SECONDS = 1.0

T = TypeVar("T")


def delay_before(attempt: int, error: ProviderError) -> float:
    """Seconds to wait before ``attempt`` (2, 3, …) after ``error``."""
    delay = _FIRST_DELAY_SECONDS * 2.0 ** (attempt - 2)
    if isinstance(error, ProviderRateLimited) and error.retry_after is not None:
        delay = max(delay, error.retry_after)
    return min(delay, MAX_DELAY_SECONDS)


def call_with_retries(
    call: Callable[[], T],
    *,
    attempts: int = MAX_ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[int, ProviderError, float], None] | None = None,
) -> T:
    """``call()``, retried on transient failures and rate limits; the last error if all fail.

    ``on_retry(next_attempt, error, delay)`` hears each retry before its wait
    (for the job ledger).
    """
    attempt = 1
    while True:
        try:
            return call()
        except (ProviderTransient, ProviderRateLimited) as error:
            if attempt >= attempts:
                raise
            attempt += 1
            delay = delay_before(attempt, error)
            if on_retry is not None:
                on_retry(attempt, error, delay)
            sleep(delay)
