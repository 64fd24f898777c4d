"""FAL's billing events, read: what each queue request was billed.

As FAL documents its Platform API (docs.fal.ai/platform-apis/v1/models/
billing-events): ``GET {platform}/v1/models/billing-events`` with up to 50
``request_id`` parameters (repeated), ``start`` and ``end`` (ISO 8601),
``limit`` and ``cursor``; the answer is ``billing_events`` (each with its
``request_id``, ``endpoint_id``, ``output_units``, ``unit_price`` and
``cost_estimate_nano_usd``), ``next_cursor`` and ``has_more``. The key must
be an Admin-scoped one. Not first-party documented, and so not relied on:
how far back ``start`` may reach (a 90-day limit is reported elsewhere) and
the error body's shape (answers are classed by status, as the queue's are).
FAL names its figure an estimate; it is the closest to the bill the API
gives, and is what the ledger counts once it is there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from sparkle_motion.errors import ProviderFatal
from sparkle_motion.providers.contract import JobRef
from sparkle_motion.providers.fal import wire

__all__ = ["BATCH", "billed_usd", "billing_pages"]

BATCH = 50  # request ids per call, as documented
LOOK_BACK = timedelta(days=30)
_NANO = 1_000_000_000

Send = Callable[..., httpx.Response]


def billing_pages(
    send: Send, platform_url: str, job_ids: Sequence[str], *, now: datetime
) -> Iterator[dict[str, Any]]:
    """Every page of billing events for ``job_ids`` (at most :data:`BATCH` of them)."""
    url = f"{platform_url.rstrip('/')}/v1/models/billing-events"
    params: list[tuple[str, str]] = [("request_id", job) for job in job_ids]
    params += [
        ("start", (now - LOOK_BACK).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")),
        ("limit", str(10 * BATCH)),
    ]
    cursor: str | None = None
    while True:
        page = [*params, *([("cursor", cursor)] if cursor else [])]
        response = send("GET", url, what="read billing events", params=page)
        if response.status_code in (401, 403):
            raise ProviderFatal(
                f"FAL refused to show billing events ({response.status_code})",
                where="provider fal: read billing events",
                hint="reading them needs an Admin-scoped FAL key; until then the spend "
                "ledger counts the estimates",
            )
        if not response.is_success:
            raise wire.failure(response, what="read billing events")
        body = wire.json_object(response, what="read billing events", resubmit_risk=False)
        yield body
        cursor = body.get("next_cursor") if body.get("has_more") else None
        if not isinstance(cursor, str) or not cursor:
            return


def billed_usd(pages: Iterator[dict[str, Any]], refs: Sequence[JobRef]) -> dict[str, float]:
    """Job id -> USD, summed over its billing events (a request may have several)."""
    wanted = {ref.job_id for ref in refs}
    nano: dict[str, int] = {}
    for page in pages:
        events = page.get("billing_events")
        for event in events if isinstance(events, list) else []:
            if not isinstance(event, dict):
                continue
            job, cost = event.get("request_id"), event.get("cost_estimate_nano_usd")
            if job in wanted and isinstance(cost, int | float) and cost >= 0:
                nano[job] = nano.get(job, 0) + round(cost)
    return {job: value / _NANO for job, value in nano.items()}
