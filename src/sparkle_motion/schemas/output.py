"""What rendering makes: media sets between stages, QA, and the RenderOutput."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from sparkle_motion.schemas.base import Artifact, Model

__all__ = [
    "KeptPreview",
    "LoudnessReading",
    "MediaItem",
    "MediaSet",
    "OutputFile",
    "QACheck",
    "QAReport",
    "RenderOutput",
]


class MediaItem(Model):
    key: str
    sha256: str
    media_type: str
    seconds: float | None = None
    note: str = ""


class MediaSet(Artifact):
    """Per-shot media one stage made (frames, speech, clips), by content hash."""

    KIND: ClassVar[str] = "media_set"

    stage: str
    items: list[MediaItem] = Field(default_factory=list)
    metrics: dict[str, float] = Field(default_factory=dict)

    def item(self, key: str) -> MediaItem:
        for entry in self.items:
            if entry.key == key:
                return entry
        raise KeyError(key)


class QACheck(Model):
    name: str
    passed: bool
    value: str
    limit: str
    shot_id: str | None = None


class QAReport(Artifact):
    KIND: ClassVar[str] = "qa_report"

    passed: bool
    checks: list[QACheck] = Field(default_factory=list)
    measurements: dict[str, float] = Field(default_factory=dict)
    overridden: list[str] = Field(default_factory=list)


class OutputFile(Model):
    uri: str
    sha256: str
    media_type: str
    role: str | None = None
    """What a stem carries: ``voice``, ``music`` or ``effects`` (None for other files)."""


class LoudnessReading(Model):
    integrated_lufs: float
    true_peak_dbtp: float
    target_lufs: float
    target_true_peak_dbtp: float


class KeptPreview(Model):
    """A shot an upgrade meant to replace that kept its preview clip, and why."""

    shot_id: str
    code: str  # the error code: SM703 rejected, SM701 transient, ... or "pending"
    reason: str


class SegmentEstimate(Model):
    """One clip an upgrade will ask for: a shot, or two that follow each other in a scene."""

    segment_id: str
    shot_ids: list[str]
    scene_id: str
    request: int = Field(ge=0, description="the request (of one to three segments) it goes in")
    seconds: float
    usd: float


class UpgradeEstimate(Artifact):
    """What an upgrade will ask of its provider and cost, before anything is sent: the
    subject of ``approve_external_spend``."""

    KIND: ClassVar[str] = "upgrade_estimate"

    request_id: str
    episode_id: str
    profile: str
    provider: str
    model: str
    segments: list[SegmentEstimate] = Field(default_factory=list)
    too_long: list[str] = Field(
        default_factory=list, description="shots longer than the provider makes: not sent"
    )
    decisions: list[str] = Field(default_factory=list, description="how frames were grouped")
    total_usd: float
    budget_usd: float
    confidence: float = Field(1.0, ge=0, le=1, description="the provider's confidence, lowest")


class RenderOutput(Artifact):
    KIND: ClassVar[str] = "render_output"
    SCHEMA_VERSION: ClassVar[str] = "1.1.0"  # 1.1: stems name their role; upgrades

    episode_id: str
    profile: str
    timing_lock_hash: str
    status: Literal["complete", "degraded"]
    video: OutputFile
    captions_srt: OutputFile
    captions_vtt: OutputFile
    stems: list[OutputFile] = Field(default_factory=list)
    duration_seconds: float
    frames: int
    loudness: LoudnessReading
    placeholders: list[str] = Field(default_factory=list)
    publishable: bool = True
    """False when the safety check found something and the run went on (``warn_only``)."""
    qa: QAReport
    lineage: dict[str, str] = Field(default_factory=dict)
    upgraded: list[str] = Field(default_factory=list)
    """Shots whose clip came from the profile's provider (an upgrade)."""
    kept_preview: list[KeptPreview] = Field(default_factory=list)
    """Shots an upgrade meant to replace that kept their preview clip (status ``degraded``)."""

    def stem(self, role: str) -> OutputFile | None:
        """The stem that carries ``role`` (``voice``, ``music``, ``effects``), if there is one.

        Outputs written before stems named their role list them as voice, music, effects.
        """
        for index, stem in enumerate(self.stems):
            named = stem.role or ("voice", "music", "effects")[index % 3]
            if named == role:
                return stem
        return None
