"""The ``canon_gate`` stage and the ``approve_canon_diff`` checkpoint.

The stage checks the script against the canon (see ``canon.gate``), blocks
the run on a contradiction, and otherwise proposes the script's CanonDiff.
With ``approve_canon_diff`` off (and not in a dry run) the diff is applied at
once; with it on, the runner pauses until ``sparkle-motion approve RUN_ID
approve_canon_diff --by NAME``, whose decision :func:`settle_canon_diff` records
in the store (an approval writes the new snapshot and ``canon.json``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sparkle_motion.canon.episodes import EpisodeLog
from sparkle_motion.canon.scenes import read_scenes
from sparkle_motion.canon.store import CanonStore
from sparkle_motion.errors import GateBlocked
from sparkle_motion.pipeline.canon_project import (
    ProjectCanon,
    canon_key,
    judge,
    open_project_canon,
    sync_canon_file,
    write_canon_file,
)
from sparkle_motion.pipeline.context import StageContext, StageResult
from sparkle_motion.pipeline.project_folder import ProjectFolder
from sparkle_motion.registry import Registry
from sparkle_motion.schemas import Approval, Artifact, CanonReport, Script
from sparkle_motion.settings import load_settings

__all__ = ["AUTO_APPROVER", "CHECKPOINT", "canon_diff_pending", "canon_gate", "settle_canon_diff"]

CHECKPOINT = "approve_canon_diff"
AUTO_APPROVER = "auto (approve_canon_diff is off)"


def canon_gate(ctx: StageContext) -> StageResult:
    script = ctx.input("script", Script)
    read_scenes(script, None, str(ctx.episode_source))  # a malformed claim stops us here
    store = CanonStore(ctx.registry.engine, canon_key(ctx.project))
    sync_canon_file(ctx.folder, store)
    judgement = judge(
        script, store, script_hash=ctx.input_hashes["script"], source=str(ctx.episode_source)
    )
    report = judgement.report
    for finding in report.findings:
        ctx.log.info("canon_finding", **finding.model_dump())
    blocking = [f for f in report.findings if f.severity == "block"]
    if blocking:
        first = blocking[0]
        where = f" (scene {first.scene_id}, line {first.line_id})" if first.scene_id else ""
        return StageResult(
            outputs={"canon_report": report},
            blocked=f"the canon gate found {len(blocking)} contradiction(s): "
            f"{first.message}{where}; canon: {first.canon_source}; repair: {first.repair}",
        )
    notes = []
    if not ctx.dry_run:
        EpisodeLog(ctx.registry.engine, store.project).record(script)
    if judgement.needs_approval and judgement.proposal is not None:
        subject = report.content_hash()
        change = judgement.change()
        store.propose(
            subject,
            change,
            judgement.proposal.result,
            head_version=judgement.head.version if judgement.head else None,
            episode_id=script.episode_id,
            run_id=ctx.run_id,
        )
        counts = f"{len(change.added)} added, {len(change.modified)} modified, "
        counts += f"{len(change.removed)} removed"
        if ctx.project.checkpoint_enabled(CHECKPOINT):
            notes.append(f"canon diff proposed ({counts}); waiting for {CHECKPOINT}")
        elif not ctx.dry_run:
            snapshot = store.decide(subject, approve=True, by=AUTO_APPROVER, run_id=ctx.run_id)
            if snapshot is not None:
                write_canon_file(ctx.folder, snapshot)
                notes.append(f"canon snapshot {snapshot.version} written ({counts})")
    return StageResult(outputs={"canon_report": report}, notes=notes)


def canon_diff_pending(folder: ProjectFolder, registry: Registry, subject: Artifact) -> bool:
    """Whether approving the report's diff would still change the canon."""
    if not isinstance(subject, CanonReport) or subject.proposed is None:
        return False
    head = CanonStore(registry.engine, canon_key(folder.project)).head()
    return head is None or head.hash != subject.proposed.result_snapshot


def settle_canon_diff(
    project_dir: Path, run_id: str, approval: Approval, database_url: str | None = None
) -> None:
    """Record a decision on a run's canon diff; an approval writes the new snapshot."""
    url = database_url if database_url is not None else load_settings().database_url
    with open_project_canon(project_dir, url) as project:
        if approval.decision == "approved":
            _recheck_if_moved(project, approval.subject_hash)
        snapshot = project.store.decide(
            approval.subject_hash,
            approve=approval.decision == "approved",
            by=approval.by,
            notes=approval.notes,
            at=datetime.fromisoformat(approval.at),
            run_id=run_id,
        )
        if snapshot is not None:
            write_canon_file(project.folder, snapshot)


def _recheck_if_moved(project: ProjectCanon, subject: str) -> None:
    """The gate runs again before approval when the canon moved since the diff was proposed."""
    proposed = project.store.proposal(subject)
    head = project.store.head()
    if proposed is None or head is None or proposed.head_version == head.version:
        return
    report = CanonReport.from_json(project.registry.get_bytes(subject), source=subject)
    script = Script.from_json(project.registry.get_bytes(report.script_hash), source="script")
    again = judge(script, project.store, script_hash=report.script_hash).report
    blocking = [f for f in again.findings if f.severity == "block"]
    if blocking:
        first = blocking[0]
        raise GateBlocked(
            f"the canon changed since this diff was proposed and {script.episode_id} now "
            f"contradicts it: {first.message}",
            where=f"scene {first.scene_id}" if first.scene_id else script.episode_id,
            hint=f"{first.repair}; then run the episode again",
        )
