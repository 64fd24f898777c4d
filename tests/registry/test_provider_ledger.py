"""The provider job ledger, on every registry backend: plan, submit, finish, count the spend."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from tests.registry.conftest import OpenRegistry

from sparkle_motion.providers.contract import JobRef, JobState, WebhookEvent
from sparkle_motion.providers.ledger import JobKey, Ledger
from sparkle_motion.registry import Registry
from sparkle_motion.schemas import ProviderLimits


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def key(shot: str, scope: str = "show") -> JobKey:
    return JobKey(scope, "upgrade-1", "fal", shot)


def test_a_job_is_planned_once_and_keeps_its_ref_across_processes(registry: Registry) -> None:
    ledger = Ledger(registry.engine, Clock())
    planned = ledger.plan(key("s1"), estimate_usd=0.35)
    assert planned.phase == "planned" and planned.ref is None and planned.charged_usd == 0.0
    assert ledger.plan(key("s1"), estimate_usd=9.99).estimate_usd == 0.35  # already planned
    ref = JobRef(provider_id="fal", job_id="req-abc", shot_id="s1", request_id="upgrade-1")
    ledger.update(key("s1"), "submitted", phase="submitted", job_ref=ref, attempts=1)
    again = Ledger(registry.engine).get(key("s1"))  # another process, later
    assert again is not None and again.ref == ref and again.phase == "submitted"
    assert [e.event for e in ledger.events(key("s1"))] == ["planned", "submitted"]
    assert ledger.events(key("s1"))[1].detail == {
        "phase": "submitted",
        "job_ref": "req-abc",
        "attempts": 1,
    }


def test_the_spend_counts_what_each_job_cost_to_the_cent(registry: Registry) -> None:
    clock = Clock()
    ledger = Ledger(registry.engine, clock)
    for shot, estimate in (("s1", 0.35), ("s2", 0.35), ("s3", 0.70)):
        ledger.plan(key(shot), estimate_usd=estimate)
    ledger.update(key("s1"), "delivered", phase="delivered", reported_usd=0.28, charged_usd=0.28)
    ledger.update(key("s2"), "failed", phase="failed", charged_usd=0.35, error_code="SM701")
    ledger.update(key("s3"), "cancelled", phase="cancelled", charged_usd=0.0)
    ledger.plan(key("s1", scope="other show"), estimate_usd=5.0)
    ledger.update(key("s1", scope="other show"), "delivered", charged_usd=5.0)
    assert round(ledger.spent("show"), 2) == 0.63
    assert round(ledger.spent("show", request_id="upgrade-1"), 2) == 0.63
    assert ledger.spent("show", since=clock.now + timedelta(hours=1)) == 0.0
    assert [j.key.shot_id for j in ledger.jobs("show", "upgrade-1")] == ["s1", "s2", "s3"]
    assert [j.final for j in ledger.jobs("show", "upgrade-1")] == [True, True, True]


def submitted(ledger: Ledger, shot: str) -> None:
    ref = JobRef(provider_id="fal", job_id=f"req-{shot}", shot_id=shot, request_id="upgrade-1")
    ledger.update(key(shot), "submitted", phase="submitted", job_ref=ref)


def test_a_providers_slots_hold_for_every_process_sharing_the_ledger(
    open_registry: OpenRegistry,
) -> None:
    one, other = Ledger(open_registry().engine), Ledger(open_registry().engine)  # two processes
    for shot in ("s1", "s2", "s3"):
        one.plan(key(shot), estimate_usd=0.1)
    limits = ProviderLimits(max_concurrent=2)
    assert one.claim(key("s1"), limits) and other.claim(key("s2"), limits)
    assert not one.claim(key("s3"), limits) and not other.claim(key("s3"), limits)
    submitted(one, "s1")
    assert not other.claim(key("s3"), limits)  # s1 is still in flight
    one.update(key("s1"), "delivered", phase="delivered")
    assert other.claim(key("s3"), limits)
    assert one.get(key("s3")).phase == "submitting"  # type: ignore[union-attr]
    # another provider's jobs do not count against this one's
    elsewhere = JobKey("show", "upgrade-1", "other", "s9")
    one.plan(elsewhere, estimate_usd=0.1)
    assert one.claim(elsewhere, limits)


def test_claims_racing_from_threads_never_take_more_slots_than_there_are(
    open_registry: OpenRegistry,
) -> None:
    ledgers = [Ledger(open_registry().engine) for _ in range(4)]
    shots = [f"s{n}" for n in range(12)]
    for shot in shots:
        ledgers[0].plan(key(shot), estimate_usd=0.1)
    limits = ProviderLimits(max_concurrent=3)
    with ThreadPoolExecutor(max_workers=4) as pool:
        taken = list(
            pool.map(lambda n: ledgers[n % 4].claim(key(shots[n]), limits), range(len(shots)))
        )
    assert sum(taken) == 3


def test_the_rate_limit_counts_submissions_in_the_last_minute(registry: Registry) -> None:
    clock = Clock()
    ledger = Ledger(registry.engine, clock)
    for shot in ("s1", "s2", "s3"):
        ledger.plan(key(shot), estimate_usd=0.1)
    limits = ProviderLimits(max_per_minute=2)
    assert ledger.claim(key("s1"), limits) and ledger.claim(key("s2"), limits)
    assert not ledger.claim(key("s3"), limits)
    clock.now += timedelta(seconds=61)
    assert ledger.claim(key("s3"), limits)


def test_a_slot_left_by_a_dead_process_is_free_after_a_while(registry: Registry) -> None:
    clock = Clock()
    ledger = Ledger(registry.engine, clock)
    for shot in ("s1", "s2"):
        ledger.plan(key(shot), estimate_usd=0.1)
    limits = ProviderLimits(max_concurrent=1)
    assert ledger.claim(key("s1"), limits)  # and its process died before sending it
    assert not ledger.claim(key("s2"), limits)
    assert ledger.claim(key("s1"), limits)  # its own job takes its slot again
    clock.now += timedelta(minutes=11)
    assert ledger.claim(key("s2"), limits)


def test_a_webhook_finds_its_job_by_the_providers_id_and_a_repeat_changes_nothing(
    registry: Registry,
) -> None:
    ledger = Ledger(registry.engine, Clock())
    for shot in ("s1", "s2", "s3"):
        ledger.plan(key(shot), estimate_usd=0.1)
        submitted(ledger, shot)
    assert ledger.find("fal", "req-s2").key == key("s2")  # type: ignore[union-attr]
    assert ledger.find("fal", "nobody") is None and ledger.find("other", "req-s2") is None
    done = WebhookEvent(job_id="req-s1", state=JobState(phase="completed"))
    assert ledger.hear("fal", done).phase == "completed"  # type: ignore[union-attr]
    assert ledger.hear("fal", done).phase == "completed"  # type: ignore[union-attr]
    refused = JobState(phase="failed", detail="content_policy_violation: nudity", rejected=True)
    rejected = ledger.hear("fal", WebhookEvent(job_id="req-s2", state=refused))
    assert rejected is not None and (rejected.phase, rejected.error_code) == ("rejected", "SM703")
    crashed = WebhookEvent(job_id="req-s3", state=JobState(phase="failed", detail="OOM"))
    assert ledger.hear("fal", crashed).error_code == "SM704"  # type: ignore[union-attr]
    assert ledger.hear("fal", WebhookEvent(job_id="unknown", state=refused)) is None
    events = [e.event for e in ledger.events(key("s1"))]
    assert events == ["planned", "submitted", "webhook", "webhook_repeat"]


def test_a_tenants_spend_adds_up_across_its_projects(registry: Registry) -> None:
    ledger = Ledger(registry.engine, Clock())
    for scope, tenant, usd in (("a", "t1", 0.5), ("b", "t1", 0.25), ("c", "t2", 9.0)):
        ledger.plan(key("s1", scope=scope), estimate_usd=usd, tenant_id=tenant)
        ledger.update(key("s1", scope=scope), "delivered", charged_usd=usd)
    assert ledger.spent(tenant_id="t1") == 0.75 and ledger.spent(tenant_id="t2") == 9.0
    assert ledger.get(key("s1", scope="a")).tenant_id == "t1"  # type: ignore[union-attr]
