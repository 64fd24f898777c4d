"""Human checkpoints: a run pauses for an approval, and a person records one.

A stage with an ``approval`` (and a project that keeps that checkpoint on)
pauses the run after the stage succeeds: the manifest's ``waiting_for`` says
which checkpoint, which stage and which artifact (by hash). Approving records
the decision in the manifest; resuming the run goes on (a rejection ends it
blocked). Nothing reads the events' wording to find what a run waits for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sparkle_motion.errors import ApprovalPending, GateBlocked, InputError
from sparkle_motion.pipeline.context import StageSpec
from sparkle_motion.pipeline.project_folder import STATE_DIR
from sparkle_motion.pipeline.run_folder import RunFolder
from sparkle_motion.pipeline.run_state import RunState
from sparkle_motion.schemas import HUMAN_CHECKPOINTS, Approval, RunManifest, Waiting

__all__ = ["await_approval", "await_decision", "record_approval"]

Now = Callable[[], datetime]


def await_approval(spec: StageSpec, state: RunState, now: Now) -> None:
    """Go on if the stage's output is approved; else pause the run (or end it, if rejected)."""
    assert spec.approval is not None
    subject = spec.outputs[0]
    state.manifest, pending = await_decision(
        state.run,
        state.manifest,
        checkpoint=spec.approval,
        stage=spec.name,
        subject=subject,
        subject_hash=state.available.hash(subject),
        now=now,
        hint=f"sparkle-motion approve {state.run_id} {spec.approval} --by NAME, then "
        f"sparkle-motion run PROJECT_DIR --resume {state.run_id}",
    )
    if pending is not None:
        raise pending


def await_decision(
    run: RunFolder,
    manifest: RunManifest,
    *,
    checkpoint: str,
    stage: str,
    subject: str,
    subject_hash: str,
    now: Now,
    hint: str,
) -> tuple[RunManifest, ApprovalPending | None]:
    """The manifest, and None, if ``subject`` (by its hash) is approved at ``checkpoint``;
    else the manifest waiting for it (written) and the ApprovalPending to raise (its
    ``hint`` says how to go on). A rejection ends the run blocked (GateBlocked)."""
    decisions = [
        a
        for a in manifest.approvals
        if a.checkpoint == checkpoint and a.subject_hash == subject_hash
    ]
    if decisions and decisions[-1].decision == "approved":
        if manifest.waiting_for is not None:
            manifest = manifest.model_copy(update={"waiting_for": None})
            run.write_manifest(manifest)
        return manifest, None
    if decisions:
        raise GateBlocked(
            f"{checkpoint} was rejected by {decisions[-1].by}"
            + (f": {decisions[-1].notes}" if decisions[-1].notes else ""),
            where=f"run {run.run_id}",
            hint="change the input and start a new run",
            stage=stage,
        )
    at = now()
    waiting = Waiting(
        checkpoint=checkpoint,
        stage=stage,
        subject=subject,
        subject_hash=subject_hash,
        since=at.isoformat(timespec="milliseconds"),
    )
    manifest = manifest.model_copy(update={"waiting_for": waiting})
    manifest = run.add_event(
        manifest, at=at, stage=stage, event="paused", detail=f"waiting for {checkpoint}"
    )
    return manifest, ApprovalPending(
        f"the run waits for {checkpoint} of {subject} {subject_hash[:12]}",
        where=f"run {run.run_id}",
        hint=hint,
        stage=stage,
    )


def record_approval(
    project_dir: Path,
    run_id: str,
    checkpoint: str,
    *,
    by: str,
    approve: bool = True,
    notes: str = "",
    now: datetime | None = None,
    database_url: str | None = None,
) -> Approval:
    """Approve (or reject) what a paused run waits for; resuming the run continues it.

    A decision on ``approve_canon_diff`` is recorded in the canon store first (in
    ``database_url``, default: the configured one); approval writes the new snapshot.
    """
    # The canon store is needed for one checkpoint only; the runner imports this module.
    from sparkle_motion.pipeline.stages.canon_gate import settle_canon_diff

    if checkpoint not in HUMAN_CHECKPOINTS:
        raise InputError(
            f"unknown checkpoint {checkpoint!r}", hint=f"one of: {', '.join(HUMAN_CHECKPOINTS)}"
        )
    if not by.strip():
        raise InputError("an approval needs the approver's name", hint="pass --by NAME")
    run = RunFolder.of(project_dir.resolve() / STATE_DIR, run_id)
    manifest = run.read_manifest()
    waiting = manifest.waiting_for
    if waiting is None or waiting.checkpoint != checkpoint:
        raise InputError(f"run {run_id} is not waiting for {checkpoint}", where=str(project_dir))
    approval = Approval(
        checkpoint=checkpoint,
        decision="approved" if approve else "rejected",
        by=by.strip(),
        at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        notes=notes,
        subject_hash=waiting.subject_hash,
    )
    if checkpoint == "approve_canon_diff":  # the decision changes the canon store first
        settle_canon_diff(project_dir, run_id, approval, database_url)
    run.write_manifest(manifest.model_copy(update={"approvals": [*manifest.approvals, approval]}))
    return approval
