"""The provider job ledger, on every registry backend: plan, submit, finish, count the spend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sparkle_motion.providers.contract import JobRef
from sparkle_motion.providers.ledger import JobKey, Ledger
from sparkle_motion.registry import Registry


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
