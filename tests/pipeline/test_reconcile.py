"""The spend ledger counts what a provider reports it billed, once it reports it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sparkle_motion.errors import ProviderFatal
from sparkle_motion.pipeline.provider_jobs import reconcile
from sparkle_motion.providers.contract import JobRef
from sparkle_motion.providers.ledger import JobKey, Ledger
from sparkle_motion.registry import Registry
from tests.plugins.scripted import Scripted


class Billing(Scripted):
    """A provider whose bills arrive after the fact."""

    bills: dict[str, float] | None = None
    asked: list[list[str]]

    def reported_costs(self, refs: Sequence[JobRef]) -> dict[str, float]:
        self.asked.append([ref.job_id for ref in refs])
        if self.bills is None:
            raise ProviderFatal("needs an admin key", where="billing")
        return {job: usd for job, usd in self.bills.items() if job in {r.job_id for r in refs}}


def settled(ledger: Ledger, shot: str, phase: str, estimate: float) -> JobKey:
    key = JobKey("show", "req", "scripted", shot)
    ledger.plan(key, estimate)
    ref = JobRef(provider_id="scripted", job_id=f"job-{shot}", shot_id=shot, request_id="req")
    ledger.update(key, "submitted", phase="submitted", job_ref=ref)
    ledger.update(key, phase, phase=phase, charged_usd=estimate if phase == "delivered" else 0.0)
    return key


def test_billed_jobs_count_their_bill_and_the_rest_wait_for_theirs(tmp_path: Path) -> None:
    with Registry.open(tmp_path / ".sparkle") as registry:
        ledger = Ledger(registry.engine)
        a = settled(ledger, "a", "delivered", 0.28)
        b = settled(ledger, "b", "delivered", 0.28)
        c = settled(ledger, "c", "failed", 0.28)
        provider = Billing()
        provider.asked = []
        provider.bills = None
        assert reconcile(provider, ledger, "show", "req") == 0  # it cannot be asked yet
        assert "reconcile_failed" in [e.event for e in ledger.events(a)]
        assert ledger.spent("show") == 0.56
        provider.bills = {"job-a": 0.252, "job-c": 0.1}  # b's bill has not come
        assert reconcile(provider, ledger, "show", "req") == 2
        assert ledger.get(a).charged_usd == 0.252  # type: ignore[union-attr]
        assert ledger.get(c).charged_usd == 0.1  # type: ignore[union-attr]  (a billed failure)
        assert ledger.get(b).reported_usd is None  # type: ignore[union-attr]
        assert round(ledger.spent("show"), 6) == round(0.252 + 0.28 + 0.1, 6)
        provider.bills["job-b"] = 0.25
        assert reconcile(provider, ledger, "show", "req") == 1
        assert provider.asked[-1] == ["job-b"]  # only what is still unreported
        assert reconcile(provider, ledger, "show", "req") == 0
        (event,) = [e for e in ledger.events(a) if e.event == "reconciled"]
        assert event.detail["estimate_usd"] == 0.28 and event.detail["reported_usd"] == 0.252
    assert reconcile(Scripted(), ledger, "show", "req") == 0  # a provider that cannot tell
