"""Asking a provider for shots' clips: submit once, wait with a deadline, fetch, conform.

Every job goes through the ledger: planned with its estimate, its JobRef
recorded as soon as the provider accepts it (before any wait), each status
and failure an event. A job the ledger already knows is never submitted
again: a killed upgrade run again polls the jobs it had submitted, and a
delivered clip is taken from the cache. Only transient failures and rate
limits are retried; a rejection is kept for the content-safety gate, and
any failure leaves the shot its preview clip.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sparkle_motion.cache import BlobCache, cache_key
from sparkle_motion.errors import ContentRejected, ProviderError, ProviderFatal
from sparkle_motion.fingerprint import code_fingerprint
from sparkle_motion.providers.contract import (
    ClipRequest,
    JobRef,
    Provider,
    ReportsCosts,
    output_name,
)
from sparkle_motion.providers.ledger import UNSETTLED, JobKey, Ledger, LedgerJob
from sparkle_motion.providers.retry import call_with_retries
from sparkle_motion.registry import Registry
from sparkle_motion.render.conform import conform_clip
from sparkle_motion.schemas import KeptPreview, ProviderLimits, RenderProfile

__all__ = ["Part", "ShotJob", "Spend", "Waiting", "reconcile", "run_jobs"]

_CONFORM_CODE = "sparkle_motion.render.conform"


@dataclass(frozen=True)
class Part:
    """One shot of a job's clip: where it starts in the clip and how long it is."""

    shot_id: str
    first: int
    frames: int
    fades: tuple[int, int] = (0, 0)  # the preview clip's, so scene changes still dip to black


@dataclass(frozen=True)
class ShotJob:
    """One clip to ask for (a shot, or a segment of shots): the request, its ledger key,
    and the shots it must fill."""

    request: ClipRequest
    key: JobKey
    parts: tuple[Part, ...]
    estimate_usd: float

    @property
    def frames(self) -> int:
        return sum(part.frames for part in self.parts)

    @classmethod
    def one_shot(
        cls,
        request: ClipRequest,
        key: JobKey,
        frames: int,
        estimate_usd: float,
        fades: tuple[int, int] = (0, 0),
    ) -> ShotJob:
        return cls(request, key, (Part(request.shot_id, 0, frames, fades),), estimate_usd)


@dataclass(frozen=True)
class Waiting:
    """How to wait: between polls, and for how long in all before a job is left pending.

    While a webhook listener is active (``listening``), polling stops at
    ``listen_cap_seconds``: a job still running then is *pending*, and its
    webhook finishes it later. Between polls the ledger is read every
    ``tick_seconds``, so a webhook is acted on as soon as it is recorded.
    """

    poll_seconds: float = 10.0
    deadline_seconds: float = 600.0
    listening: bool = False
    listen_cap_seconds: float = 90.0
    tick_seconds: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def limit(self) -> float:
        if self.listening:
            return min(self.deadline_seconds, self.listen_cap_seconds)
        return self.deadline_seconds


@dataclass(frozen=True)
class Spend:
    """What an upgrade may spend: its budget, the tenant's day, the provider's limits."""

    budget_usd: float
    tenant_id: str = "local"
    day_cap_usd: float | None = None
    limits: ProviderLimits = field(default_factory=ProviderLimits)


@dataclass
class _Run:
    provider: Provider
    ledger: Ledger
    cache: BlobCache
    registry: Registry
    profile: RenderProfile
    raw_dir: Path


def _kept(job: LedgerJob | None, shot_id: str) -> KeptPreview:
    if job is None:
        return KeptPreview(shot_id=shot_id, code="budget", reason="not sent: over the budget")
    if job.phase in UNSETTLED:
        return KeptPreview(
            shot_id=shot_id,
            code="pending",
            reason="the provider had not finished by the deadline; upgrading again collects it",
        )
    return KeptPreview(shot_id=shot_id, code=job.error_code or job.phase, reason=job.error or "")


def _failed(run: _Run, key: JobKey, error: ProviderError) -> LedgerJob:
    phase = "rejected" if isinstance(error, ContentRejected) else "failed"
    return run.ledger.update(
        key, phase, phase=phase, error_code=error.code, error=error.one_line(), charged_usd=0.0
    )


def _submit(run: _Run, job: ShotJob, webhook_url: str | None) -> LedgerJob:
    attempts = 0

    def submit() -> JobRef:
        nonlocal attempts
        attempts += 1
        return run.provider.submit(job.request, webhook_url=webhook_url)

    def heard(attempt: int, error: ProviderError, delay: float) -> None:
        run.ledger.update(job.key, "retry", detail={"error": error.one_line(), "delay": delay})

    try:
        ref = call_with_retries(submit, on_retry=heard)
    except ProviderError as error:
        return _failed(run, job.key, error)
    return run.ledger.update(
        job.key, "submitted", phase="submitted", job_ref=ref, attempts=attempts
    )


def _clip_key(run: _Run, job: ShotJob, ref: JobRef, part: Part) -> str:
    profile = run.profile
    return cache_key(
        kind="provider-clip",
        provider=ref.provider_id,
        job=ref.job_id,
        shot=part.shot_id,
        span=[part.first, part.frames, job.frames],
        fades=list(part.fades),
        fps=profile.fps,
        size=[profile.width, profile.height],
        crf=profile.crf,
        preset=profile.preset,
        code=code_fingerprint(_CONFORM_CODE),
    )


def _clips(run: _Run, job: ShotJob, ref: JobRef) -> dict[str, str] | None:
    """Each of the job's shots' conformed clip in the cache, if they are all there."""
    found = {part.shot_id: run.cache.get(_clip_key(run, job, ref, part)) for part in job.parts}
    if any(sha is None for sha in found.values()):
        return None
    return {shot: sha for shot, sha in found.items() if sha is not None}


def _deliver(run: _Run, job: ShotJob, ref: JobRef) -> LedgerJob:
    """Fetch the finished clip, keep the provider's file with its provenance, and conform
    it to each of its shots."""
    request = job.request
    raw = run.raw_dir / output_name(request.request_id, ref.provider_id, request.shot_id)
    raw.parent.mkdir(parents=True, exist_ok=True)
    try:
        result = call_with_retries(lambda: run.provider.fetch(ref, raw))
        for part in job.parts:
            with run.cache.incoming(".mp4") as conformed:
                conform_clip(
                    result.path,
                    conformed,
                    width=run.profile.width,
                    height=run.profile.height,
                    fps=run.profile.fps,
                    frames=part.frames,
                    crf=run.profile.crf,
                    preset=run.profile.preset,
                    fades=part.fades,
                    span=(part.first, job.frames) if len(job.parts) > 1 else None,
                    where=f"provider {ref.provider_id}: shot {part.shot_id}",
                )
                run.cache.put_file(_clip_key(run, job, ref, part), conformed, move=True)
    except ProviderError as error:
        return _failed(run, job.key, error)
    charged = result.cost_usd if result.cost_usd is not None else job.estimate_usd
    record = run.registry.put_file(
        result.path,
        kind="media/provider_clip",
        run_id=request.request_id,
        params={"name": output_name(request.request_id, ref.provider_id, request.shot_id)},
        provenance={
            "provider": ref.provider_id,
            "model": result.model,
            "job_id": ref.job_id,
            "shots": [part.shot_id for part in job.parts],
            "fetched_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "cost_usd": charged,
            "seed": result.seed if result.seed is not None else request.seed,
            "input_hashes": dict(request.input_hashes),
        },
    )
    return run.ledger.update(
        job.key,
        "delivered",
        phase="delivered",
        reported_usd=result.cost_usd,
        charged_usd=charged,
        output_sha256=record.hash,
    )


def _cancel(
    run: _Run, job: ShotJob, entry: LedgerJob | None, *, code: str, reason: str
) -> LedgerJob:
    if entry is not None and entry.ref is not None:
        try:
            run.provider.cancel(entry.ref)
        except ProviderError as error:
            run.ledger.update(job.key, "cancel_failed", detail={"error": error.one_line()})
    return run.ledger.update(
        job.key,
        "cancelled",
        phase="cancelled",
        error_code=code,
        error=f"cancelled: {reason}",
    )


def _poll(run: _Run, job: ShotJob, entry: LedgerJob) -> LedgerJob:
    ref = entry.ref
    if ref is None:  # pragma: no cover - only submitted jobs are polled
        return entry
    try:
        state = call_with_retries(lambda: run.provider.status(ref))
    except ProviderError as error:
        return _failed(run, job.key, error)
    if state.phase == "completed":
        return _deliver(run, job, ref)
    if state.phase in ("failed", "cancelled"):
        return run.ledger.update(
            job.key,
            state.phase,
            phase=state.phase,
            error_code=ProviderFatal.code,
            error=state.detail,
        )
    if state.phase != entry.phase:
        return run.ledger.update(job.key, "status", phase="in_progress", detail={"at": state.phase})
    return entry


def _midnight(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _over(ledger: Ledger, spend: Spend, scope: str, request_id: str) -> tuple[str, str] | None:
    """Whether what has been billed already passes the upgrade's budget or the tenant's
    day: its code and why, if so."""
    if ledger.spent(scope, request_id=request_id) > spend.budget_usd + 1e-9:
        return "budget", "the upgrade's spend reached its budget"
    if spend.day_cap_usd is not None:
        today = ledger.spent(tenant_id=spend.tenant_id, since=_midnight(ledger.clock()))
        if today > spend.day_cap_usd + 1e-9:
            return "daily_cap", f"the tenant's {spend.day_cap_usd:.2f} USD a day is spent"
    return None


def _settled(run: _Run, job: ShotJob, entry: LedgerJob, heard: LedgerJob) -> LedgerJob:
    """What became of a live job, as the ledger now tells (a webhook may have settled it)."""
    if heard.phase == "completed" and heard.ref is not None:
        return _deliver(run, job, heard.ref)  # the webhook supersedes the poll
    return heard if heard.final else entry


def run_jobs(
    jobs: Sequence[ShotJob],
    *,
    provider: Provider,
    ledger: Ledger,
    cache: BlobCache,
    registry: Registry,
    profile: RenderProfile,
    raw_dir: Path,
    spend: Spend,
    waiting: Waiting | None = None,
    webhook_url: str | None = None,
) -> tuple[dict[str, str], list[KeptPreview]]:
    """Each job's conformed clip (shot id -> sha256 in the cache), and the shots kept.

    Jobs go out as the provider's limits allow (a slot each, see
    :meth:`Ledger.claim`) and within the budget and the tenant's daily cap;
    each live job is polled every ``poll_seconds`` and the ledger is read in
    between, so a webhook that settles a job ends its wait at once.
    """
    wait = waiting or Waiting()
    run = _Run(provider, ledger, cache, registry, profile, raw_dir)
    entries: dict[str, LedgerJob | None] = {}
    if not jobs:
        return {}, []
    scope, request_id = jobs[0].key.scope, jobs[0].key.request_id
    ledgered = {entry.key: entry for entry in ledger.jobs(scope, request_id)}
    # what jobs already in the ledger were counted at, and what new ones add
    counted = sum(entry.estimate_usd for entry in ledgered.values())
    queue: list[ShotJob] = []
    over: dict[str, KeptPreview] = {}
    for job in jobs:
        shot_id = job.request.shot_id
        known = ledgered.get(job.key)
        if known is None:
            if counted + job.estimate_usd > spend.budget_usd + 1e-9:
                over[shot_id] = KeptPreview(  # at the cap: nothing new goes out
                    shot_id=shot_id, code="budget", reason="not sent: over the budget"
                )
                continue
            known = ledger.plan(job.key, job.estimate_usd, tenant_id=spend.tenant_id)
            counted += job.estimate_usd
        if known.phase in ("planned", "submitting"):  # submitting: its process died sending it
            queue.append(job)
        elif known.phase == "delivered" and known.ref and _clips(run, job, known.ref) is None:
            known = _deliver(run, job, known.ref)  # evicted since: fetched again, paid once
        elif known.phase == "completed" and known.ref is not None:
            known = _deliver(run, job, known.ref)  # a webhook said so while nobody waited
        entries[shot_id] = known
    started = wait.clock()
    polled: dict[str, float] = {}
    by_shot = {job.request.shot_id: job for job in jobs}

    def live() -> list[str]:
        return [
            shot
            for shot, entry in entries.items()
            if entry is not None and not entry.final and entry.ref is not None
        ]

    while True:
        while queue:  # send what the limits and the caps allow now
            job = queue[0]
            shot_id = job.request.shot_id
            if spend.day_cap_usd is not None:
                today = ledger.spent(
                    tenant_id=spend.tenant_id, since=_midnight(ledger.clock()), committed=True
                )
                if today + job.estimate_usd > spend.day_cap_usd + 1e-9:
                    for held in queue:
                        ledger.update(held.key, "daily_cap", phase="planned")
                        over[held.request.shot_id] = KeptPreview(
                            shot_id=held.request.shot_id,
                            code="daily_cap",
                            reason=f"not sent: the tenant's {spend.day_cap_usd:.2f} USD a "
                            "day is spent",
                        )
                    queue.clear()
                    break
            if not ledger.claim(job.key, spend.limits):
                break  # the provider is at its limit: wait for a slot
            entries[shot_id] = _submit(run, job, webhook_url)
            queue.pop(0)
        now = wait.clock()
        heard = {entry.key: entry for entry in ledger.jobs(scope, request_id)}
        for shot_id in live():
            entry = entries[shot_id]
            assert entry is not None
            job = by_shot[shot_id]
            entry = _settled(run, job, entry, heard[job.key])
            if not entry.final and now - polled.get(shot_id, -math.inf) >= wait.poll_seconds:
                polled[shot_id] = now
                entry = _poll(run, job, entry)
            entries[shot_id] = entry
        stop = _over(ledger, spend, scope, request_id) if live() else None
        if stop is not None:  # a provider billed more than estimated: stop here
            code, reason = stop
            for shot_id in live():
                entries[shot_id] = _cancel(
                    run, by_shot[shot_id], entries[shot_id], code=code, reason=reason
                )
            for held in queue:
                over[held.request.shot_id] = KeptPreview(
                    shot_id=held.request.shot_id, code=code, reason=f"not sent: {reason}"
                )
            queue.clear()
        if not live() and not queue:
            break
        if wait.clock() - started >= wait.limit():
            break
        wait.sleep(wait.tick_seconds if live() else wait.poll_seconds)
    for shot_id in live():
        entries[shot_id] = ledger.update(by_shot[shot_id].key, "pending", phase="pending")
    for job in queue:
        over[job.request.shot_id] = KeptPreview(
            shot_id=job.request.shot_id,
            code="pending",
            reason="not sent by the deadline: the provider was at its limit",
        )
    delivered: dict[str, str] = {}
    for job in jobs:
        entry = entries.get(job.request.shot_id)
        if entry is not None and entry.phase == "delivered" and entry.ref is not None:
            delivered |= _clips(run, job, entry.ref) or {}
    kept = [
        over[job.request.shot_id].model_copy(update={"shot_id": part.shot_id})
        if job.request.shot_id in over
        else _kept(entries.get(job.request.shot_id), part.shot_id)
        for job in jobs
        for part in job.parts
        if part.shot_id not in delivered
    ]
    return delivered, kept


def reconcile(provider: Provider, ledger: Ledger, scope: str, request_id: str) -> int:
    """Count what the provider reports it billed for the request's settled jobs, where it
    reports it, instead of their estimates; how many jobs it reconciled.

    A provider may report late (or not at all): jobs it has no record of yet
    keep their estimate, and upgrading again asks once more. One that cannot
    be asked (a key without the right, say) leaves the estimates and says so
    in each job's events.
    """
    if not isinstance(provider, ReportsCosts):
        return 0
    settled = [
        job
        for job in ledger.jobs(scope, request_id)
        if job.ref is not None and job.final and job.reported_usd is None
    ]
    if not settled:
        return 0
    try:
        billed = provider.reported_costs([job.ref for job in settled if job.ref is not None])
    except ProviderError as error:
        for job in settled:
            ledger.update(job.key, "reconcile_failed", detail={"error": error.one_line()})
        return 0
    reconciled = 0
    for job in settled:
        usd = billed.get(job.ref.job_id) if job.ref is not None else None
        if usd is None:
            continue
        ledger.update(
            job.key,
            "reconciled",
            detail={"estimate_usd": job.estimate_usd, "counted_usd": job.charged_usd},
            reported_usd=usd,
            charged_usd=usd,
        )
        reconciled += 1
    return reconciled
