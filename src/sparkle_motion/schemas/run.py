"""Run bookkeeping: checkpoints, stage events, the run manifest and summary.

These are the only documents that hold wall-clock times; the artifacts of
the chain never do.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from sparkle_motion.schemas.base import Artifact, Model

__all__ = [
    "Approval",
    "Checkpoint",
    "ModelUsage",
    "ProviderUsage",
    "RunManifest",
    "RunSummary",
    "StageEvent",
    "StageSummary",
    "Waiting",
]

RunStatus = Literal["running", "success", "failed", "blocked", "paused"]


class Checkpoint(Artifact):
    KIND: ClassVar[str] = "checkpoint"

    stage: str
    status: Literal["begin", "success", "failed"]
    attempt: int = Field(ge=1)
    error: str | None = None
    input_hashes: dict[str, str] = Field(default_factory=dict)
    output_hashes: dict[str, str] = Field(default_factory=dict)


class StageEvent(Model):
    at: str
    stage: str
    event: Literal["begin", "success", "failed", "skipped", "retry", "paused", "blocked"]
    attempt: int = 1
    detail: str = ""


class Approval(Model):
    checkpoint: str
    decision: Literal["approved", "rejected"]
    by: str
    at: str
    notes: str = ""
    subject_hash: str = ""


class Waiting(Model):
    """What a paused run waits for: an approval of one stage's output."""

    checkpoint: str
    stage: str
    subject: str  # the artifact's name in the run, e.g. "shotlist"
    subject_hash: str
    since: str


class RunManifest(Artifact):
    KIND: ClassVar[str] = "run_manifest"
    SCHEMA_VERSION: ClassVar[str] = "1.2.0"  # 1.1: waiting_for; 1.2: kind, upgrade_of

    run_id: str
    project_dir: str
    episode_id: str
    profile: str
    kind: Literal["episode", "upgrade"] = "episode"
    upgrade_of: str | None = None
    """An upgrade's: the run whose render it upgrades."""
    status: RunStatus = "running"
    events: list[StageEvent] = Field(default_factory=list)
    approvals: list[Approval] = Field(default_factory=list)
    waiting_for: Waiting | None = None
    """Set while the run is paused at a human checkpoint; cleared when it goes on."""


class StageSummary(Model):
    stage: str
    status: Literal["success", "skipped", "failed", "blocked", "paused", "not_run"]
    wall_seconds: float = 0.0
    attempts: int = 0
    cache_hits: int = 0
    cache_misses: int = 0
    error: str | None = None


class ModelUsage(Model):
    """What one stage spent on a language model: requests, tokens, money."""

    stage: str = ""
    model: str
    requests: int = 0
    cached_requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0


class ProviderUsage(Model):
    """What one generator did in a run: jobs sent, clips delivered, seconds made, money."""

    provider: str
    local: bool = Field(description="ran on this machine or the operator's hosts")
    jobs: int = 0
    delivered: int = 0
    failed: int = 0
    seconds: float = Field(0.0, description="seconds of video it delivered")
    estimate_usd: float = 0.0
    cost_usd: float = Field(0.0, description="what the spend ledger counts for this run")
    reported_usd: float | None = Field(
        None, description="the provider's own figure, where it gave one for every job"
    )


class RunSummary(Artifact):
    KIND: ClassVar[str] = "run_summary"
    SCHEMA_VERSION: ClassVar[str] = "1.1.0"  # 1.1: shots_local, shots_external, providers

    run_id: str
    episode_id: str
    status: RunStatus
    started_at: str
    finished_at: str
    wall_seconds: float
    stages: list[StageSummary] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    cost_usd: float = 0.0
    usage: list[ModelUsage] = Field(default_factory=list)
    outputs: dict[str, str] = Field(default_factory=dict)
    shots_local: int = Field(0, description="shots whose clip was made on this machine")
    shots_external: int = Field(0, description="shots whose clip an external provider made")
    providers: list[ProviderUsage] = Field(default_factory=list)
