"""What the API takes in and gives back for render packages, runs and health.

Input models refuse unknown fields; output models are what the OpenAPI
spec promises. Artifacts travel as inline JSON objects (validated against
their schema by the service) or as registry references, never as prose.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ArtifactInput",
    "ArtifactOut",
    "ArtifactRef",
    "ArtifactsOut",
    "Callback",
    "ControlAck",
    "ControlIn",
    "ControlOut",
    "DeliveryOut",
    "ErrorBody",
    "HealthOut",
    "InlinePlan",
    "InvokeIn",
    "InvokeOut",
    "JobError",
    "LoggingOptions",
    "ReadyCheck",
    "ReadyOut",
    "RenderPackageIn",
    "RenderPackageOut",
    "RunItem",
    "RunListOut",
    "RunStatusOut",
    "StageRecord",
    "StepExecutionRecord",
    "TenantOut",
]

JobStatus = Literal[
    "queued", "in_progress", "paused", "interrupted", "completed", "degraded", "failed", "stopped"
]
SHA256 = r"^[0-9a-f]{64}$"
DesiredOutput = Literal["video", "captions", "audio_stems", "run_summary"]
RequestId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(BaseModel):
    """The one shape of every error the service answers."""

    code: str = Field(description="stable error code, see docs/errors.md")
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class ArtifactRef(Input):
    """An artifact already in the tenant's registry, by its sha256."""

    ref: str = Field(pattern=SHA256)


ArtifactInput = Annotated[
    ArtifactRef | dict[str, Any],
    Field(description="an inline artifact (a JSON object with schema_version) or {ref: sha256}"),
]


class InlinePlan(Input):
    shotlist: ArtifactInput
    asset_manifest: ArtifactInput
    render_plan: ArtifactInput


class Callback(Input):
    url: str = Field(min_length=1, max_length=2000)
    events: list[str] = Field(
        default_factory=list, max_length=20, description="statuses to send; empty sends all"
    )


class LoggingOptions(Input):
    level: Literal["debug", "info", "warning", "error"] = "info"
    include_stage_logs: bool = False


def _default_outputs() -> list[DesiredOutput]:
    return ["video", "captions", "run_summary"]


class RenderPackageIn(Input):
    request_id: RequestId
    idempotency_key: str = Field(min_length=1, max_length=200)
    tenant_id: str | None = Field(None, description="defaults to the API key's tenant")
    render_profile: str | None = Field(None, description="must match the render plan's profile")
    inputs: InlinePlan
    desired_outputs: list[DesiredOutput] = Field(default_factory=_default_outputs, max_length=4)
    callbacks: list[Callback] = Field(default_factory=list, max_length=5)
    logging_options: LoggingOptions = Field(default_factory=LoggingOptions)


class JobError(BaseModel):
    code: str
    message: str
    stage: str | None = None
    recoverable: bool


class RenderPackageOut(BaseModel):
    request_id: str
    run_id: str
    tenant_id: str
    status: JobStatus
    resumable: bool
    artifact_uris: dict[str, str] = Field(default_factory=dict)
    lineage_hashes: dict[str, str] = Field(default_factory=dict)
    run_summary: dict[str, Any] | None = None
    errors: list[JobError] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime


class DeliveryOut(BaseModel):
    delivery_id: str
    url: str
    event: str
    attempt: int
    status_code: int | None
    error: str | None
    at: datetime


class InvokeIn(Input):
    project_id: str | None = Field(None, max_length=64)
    episode_id: str | None = Field(None, max_length=100)
    plan: InlinePlan | None = None
    mode: Literal["run", "dry"] = "run"
    resume_from: str | None = Field(None, max_length=64)
    profile: str | None = Field(None, max_length=100)
    callbacks: list[Callback] = Field(default_factory=list, max_length=5)


class UpgradeIn(Input):
    episode_id: str | None = Field(None, max_length=100, description="default: the first")
    profile: str = Field(max_length=100, description="an hq profile: one that names a provider")
    shots: list[Annotated[str, Field(max_length=128)]] = Field(
        default_factory=list, max_length=2000, description="default: every shot but the cards"
    )
    scenes: list[Annotated[str, Field(max_length=128)]] = Field(
        default_factory=list, max_length=500, description="every shot of these scenes, as well"
    )
    dry_run: bool = Field(False, description="answer the estimate; send and spend nothing")
    callbacks: list[Callback] = Field(default_factory=list, max_length=5)


class SegmentEstimateOut(BaseModel):
    segment_id: str = Field(description="a shot's id, or two that follow each other, by '+'")
    shot_ids: list[str]
    scene_id: str
    request: int
    seconds: float
    usd: float


class UpgradeEstimateOut(BaseModel):
    request_id: str
    provider: str
    model: str
    total_usd: float
    budget_usd: float
    spent_usd: float
    needs_approval: bool = Field(
        description="the upgrade will wait for approve_external_spend before sending anything"
    )
    segments: list[SegmentEstimateOut]
    too_long: list[str] = Field(description="shots longer than the provider makes: not sent")
    decisions: list[str] = Field(description="how the storyboard frames were grouped")


class InvokeOut(BaseModel):
    run_id: str
    status: JobStatus
    resumable: bool


class StageRecord(BaseModel):
    stage: str
    status: str
    attempts: int
    started_at: str | None = None
    finished_at: str | None = None


class StepExecutionRecord(BaseModel):
    at: str
    stage: str
    event: str
    attempt: int
    detail: str = ""


class ControlAck(BaseModel):
    action: Literal["pause", "resume", "stop"]
    state: Literal["requested", "applied", "acknowledged"]
    at: datetime
    stage: str | None = None


class RunStatusOut(BaseModel):
    run_id: str
    kind: Literal["render_package", "run", "upgrade"]
    request_id: str | None
    status: JobStatus
    resumable: bool
    stages: list[StageRecord] = Field(default_factory=list)
    history: list[StepExecutionRecord] = Field(default_factory=list)
    controls: list[ControlAck] = Field(default_factory=list)
    errors: list[JobError] = Field(default_factory=list)
    upgrade: dict[str, Any] | None = Field(
        None,
        description="an upgrade's estimate, the shots upgraded, those that kept their preview "
        "clip (and why), those still pending at the provider",
    )
    created_at: datetime
    updated_at: datetime


class RunItem(BaseModel):
    run_id: str
    kind: Literal["render_package", "run", "upgrade"]
    request_id: str | None
    status: JobStatus
    resumable: bool
    created_at: datetime
    updated_at: datetime


class RunListOut(BaseModel):
    runs: list[RunItem]


class ArtifactOut(BaseModel):
    hash: str
    kind: str
    size: int
    name: str | None = Field(None, description="the output's name (video, captions_srt, ...)")
    download_url: str


class ArtifactsOut(BaseModel):
    run_id: str
    artifacts: list[ArtifactOut]


class ControlIn(Input):
    run_id: str = Field(min_length=1, max_length=64)


class ControlOut(BaseModel):
    run_id: str
    action: Literal["pause", "resume", "stop"]
    state: Literal["requested", "applied"]
    status: JobStatus


class HealthOut(BaseModel):
    status: Literal["ok"]


class ReadyCheck(BaseModel):
    ok: bool
    detail: str = ""


class ReadyOut(BaseModel):
    status: Literal["ready", "not_ready"]
    checks: dict[str, ReadyCheck]


class TenantOut(BaseModel):
    tenant_id: str
    role: Literal["viewer", "operator", "admin"]
    running_jobs: int
    live_jobs: int
    storage_bytes: int
    quota_concurrent_jobs: int
    quota_storage_bytes: int
