"""The in-process worker pool: threads that claim queued jobs and run them.

Jobs live in the database, not in memory: a worker claims the oldest queued
job whose tenant is under its concurrent-jobs quota (a soft quota: the rest
wait queued), runs it, and commits where it came to rest. Pause and stop
reach a live run through its :class:`RunControl`; the runner honours them at
the next stage boundary. At start-up, jobs a killed server left in progress
are marked ``interrupted`` (resumable) and queued ones are picked up again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import structlog

from sparkle_motion.pipeline.context import Progress, RunControl
from sparkle_motion.service.execute import Execution
from sparkle_motion.service.store import RESUMABLE, Job, JobStore

__all__ = ["Executor", "JobPool"]

Executor = Callable[[Job, RunControl, Callable[[str], Progress]], Execution]
Listener = Callable[[Job], None]
_log = structlog.get_logger("sparkle_motion.service.pool")


class _StageProgress:
    """Turns the runner's per-stage progress into job events (for /status and SSE)."""

    def __init__(self, store: JobStore, job: Job, stage: str) -> None:
        self.store, self.job, self.stage = store, job, stage
        self.count = 0
        store.add_event(job, "stage", {"stage": stage, "event": "begin"})

    def total(self, count: int) -> None:
        self.count = count

    def advance(self, count: int = 1) -> None:
        pass

    def finish(self) -> None:
        self.store.add_event(self.job, "stage", {"stage": self.stage, "event": "success"})


class JobPool:
    def __init__(
        self,
        store: JobStore,
        executor: Executor,
        *,
        workers: int,
        quota: int,
        listener: Listener | None = None,
        poll_seconds: float = 0.5,
    ) -> None:
        self.store = store
        self.executor = executor
        self.workers = workers
        self.quota = quota
        self.listener = listener or (lambda _job: None)
        self.poll_seconds = poll_seconds
        self._threads: list[threading.Thread] = []
        self._controls: dict[str, RunControl] = {}
        self._controls_lock = threading.Lock()
        self._claim_lock = threading.Lock()
        self._wake = threading.Condition()
        self._stopping = threading.Event()

    # -- life ---------------------------------------------------------------

    def recover(self, *, resume_interrupted: bool) -> list[Job]:
        """After a restart: in-progress jobs become interrupted (or queued again)."""
        recovered = []
        for job in self.store.with_status(["in_progress"]):
            moved = self.store.transition(
                job,
                "queued" if resume_interrupted else "interrupted",
                expect=["in_progress"],
                detail={"reason": "the server stopped while the run was in progress"},
            )
            if moved is not None:
                recovered.append(moved)
                self.listener(moved)
        return recovered

    def start(self) -> None:
        for number in range(self.workers):
            thread = threading.Thread(
                target=self._work, name=f"sparkle-worker-{number}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def alive(self) -> int:
        return sum(thread.is_alive() for thread in self._threads)

    def stop(self, timeout: float = 30.0) -> None:
        """Live runs stop at their next stage boundary and are left interrupted."""
        self._stopping.set()
        with self._controls_lock:
            for control in self._controls.values():
                control.pause_requested.set()
        self.wake()
        for thread in self._threads:
            thread.join(timeout)

    def wake(self) -> None:
        with self._wake:
            self._wake.notify_all()

    # -- control ------------------------------------------------------------

    def control(self, job: Job, action: str) -> tuple[str, Job]:
        """Apply pause, resume or stop; ('applied' | 'requested', the job as it is now)."""
        for _ in range(5):  # a job can be claimed between our read and our write
            current = self.store.get_any(job.job_id) or job
            moved = self._control_once(current, action)
            if moved is not None:
                return moved
        return "requested", self.store.get_any(job.job_id) or job

    def _control_once(self, job: Job, action: str) -> tuple[str, Job] | None:
        if job.status == "in_progress":
            with self._controls_lock:
                control = self._controls.get(job.job_id)
            if control is None:
                return None
            if action == "resume":
                control.pause_requested.clear()
            elif action == "pause":
                control.pause_requested.set()
            else:
                control.stop_requested.set()
            self.store.add_event(job, "control", {"action": action, "state": "requested"})
            return "requested", job
        target = {
            ("pause", "queued"): "paused",
            ("stop", "queued"): "stopped",
            **{("stop", status): "stopped" for status in ("paused", "interrupted")},
            **{("resume", status): "queued" for status in RESUMABLE},
        }.get((action, job.status))
        if target is None:
            return "applied", job  # nothing to do: already there or finished
        moved = self.store.transition(job, target, expect=[job.status], detail={"reason": action})
        if moved is None:
            return None
        self.store.add_event(moved, "control", {"action": action, "state": "applied"})
        self.listener(moved)
        if target == "queued":
            self.wake()
        return "applied", moved

    # -- work ---------------------------------------------------------------

    def _claim(self) -> tuple[Job, RunControl] | None:
        with self._claim_lock:
            running = self.store.running_counts()
            for job in self.store.with_status(["queued"]):
                if running.get(job.tenant_id, 0) >= self.quota:
                    continue
                control = RunControl()
                with self._controls_lock:  # before the claim, so no pause can miss the run
                    self._controls[job.job_id] = control
                claimed = self.store.transition(job, "in_progress", expect=["queued"])
                if claimed is not None:
                    return claimed, control
                with self._controls_lock:
                    self._controls.pop(job.job_id, None)
        return None

    def _work(self) -> None:
        while not self._stopping.is_set():
            try:
                claimed = self._claim()
            except Exception:  # the database blinked; try again shortly
                _log.exception("claim_failed")
                claimed = None
            if claimed is None:
                with self._wake:
                    self._wake.wait(self.poll_seconds)
                continue
            self.listener(claimed[0])
            self._run(*claimed)

    def _run(self, job: Job, control: RunControl) -> None:
        structlog.contextvars.bind_contextvars(tenant_id=job.tenant_id, run_id=job.job_id)
        try:
            _log.info("job_start", kind=job.kind)
            execution = self.executor(
                job, control, lambda stage: _StageProgress(self.store, job, stage)
            )
            if self._stopping.is_set() and execution.status == "paused":
                execution.status = "interrupted"  # the server stopped it, not a person
            self._finish(job, execution)
        finally:
            with self._controls_lock:
                self._controls.pop(job.job_id, None)
            structlog.contextvars.unbind_contextvars("tenant_id", "run_id")

    def _finish(self, job: Job, execution: Execution) -> None:
        detail: dict[str, Any] = dict(execution.detail)
        moved = self.store.transition(
            job, execution.status, expect=["in_progress"], result=execution.result, detail=detail
        )
        if moved is None:
            return
        reason = detail.get("reason")
        if reason in ("pause", "stop") and execution.status in ("paused", "stopped"):
            self.store.add_event(
                moved,
                "control",
                {"action": reason, "state": "acknowledged", "stage": detail.get("stage")},
            )
        _log.info("job_rest", status=execution.status)
        self.listener(moved)
