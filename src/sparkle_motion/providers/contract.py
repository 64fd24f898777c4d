"""The one contract every external or heavy generator keeps.

A provider says what it can do (:class:`Capabilities`), what a request will
cost before anything is sent (:class:`CostEstimate`), and runs requests as
asynchronous jobs: :meth:`Provider.submit` answers at once with a
:class:`JobRef` that the caller persists before it waits; :meth:`Provider.status`
polls it; :meth:`Provider.fetch` downloads the result; :meth:`Provider.cancel`
gives up on it. A provider that calls back verifies the callback itself
(:meth:`Provider.verify_webhook`). Every failure is one of the classed
:class:`~sparkle_motion.errors.ProviderError` leaves: transient and rate-limit
failures may be retried (:mod:`.retry`), content rejections and fatal ones
never are.

A provider never changes a shot's duration: it is asked for a clip of the
locked length and whatever it returns is conformed to it by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Capabilities",
    "ClipRequest",
    "ClipResult",
    "CostEstimate",
    "JobRef",
    "JobState",
    "Provider",
    "ProviderKind",
    "ReportsCosts",
    "WebhookEvent",
    "output_name",
]

ProviderKind = Literal["video", "image", "tts", "lipsync"]
JobPhase = Literal["queued", "in_progress", "completed", "failed", "cancelled"]


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Capabilities(_Value):
    """What a provider can make, as its manifest says."""

    provider_id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    kind: ProviderKind
    model: str = Field(min_length=1, description="the model (and version) it runs")
    max_clip_duration_sec: float = Field(gt=0)
    aspect_ratios: list[str] = Field(default_factory=list)
    fps: list[int] = Field(default_factory=list)
    audio: bool = False
    image_to_video: bool = False
    end_frame: bool = Field(
        False,
        description="takes an end frame as well: a segment may move from one shot's frame "
        "to the next one's",
    )
    text_to_video: bool = False
    max_width: int = Field(gt=0)
    max_height: int = Field(gt=0)
    local: bool = Field(
        False,
        description="runs on this machine or the operator's own hosts (a routing class's "
        "'local'); an external service otherwise",
    )
    terms: str = Field(
        "", description="the licence terms of what it makes, as the provider states them"
    )


class CostEstimate(_Value):
    """What one request will cost, before it is sent."""

    usd: float = Field(ge=0)
    seconds: float = Field(ge=0, description="wall time the provider is expected to take")
    confidence: float = Field(ge=0, le=1, description="1: the price list says so; lower: a guess")


_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
_SEGMENT = r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,255}$"  # shot ids joined by "+"


class ClipRequest(_Value):
    """One clip asked of a video provider: a shot (or a segment of shots) at locked length."""

    request_id: str = Field(pattern=_NAME)
    shot_id: str = Field(pattern=_SEGMENT, description="the shot, or the segment's shots")
    seconds: float = Field(gt=0, description="the locked duration; never changed")
    width: int = Field(gt=0)
    height: int = Field(gt=0)
    fps: int = Field(gt=0)
    prompt: str
    seed: int
    image: Path | None = Field(None, description="the storyboard frame, for image-to-video")
    end_image: Path | None = Field(
        None, description="the next shot's frame, where the clip ends (end_frame providers)"
    )
    input_hashes: dict[str, str] = Field(default_factory=dict)


class JobRef(_Value):
    """What the caller persists the moment a job is accepted, to find it again after a crash."""

    provider_id: str
    job_id: str
    shot_id: str
    request_id: str
    status_url: str | None = None
    response_url: str | None = None
    cancel_url: str | None = None


class JobState(_Value):
    phase: JobPhase
    queue_position: int | None = None
    detail: str = ""
    rejected: bool = Field(False, description="failed because the provider refused the content")


class ClipResult(_Value):
    """A finished clip on disk and what the provider said about it."""

    path: Path
    media_type: str = "video/mp4"
    model: str
    cost_usd: float | None = Field(None, description="the provider's own figure, when it gives one")
    seed: int | None = None


class WebhookEvent(_Value):
    """A verified callback: which job, and where it now is."""

    job_id: str
    state: JobState
    payload: dict[str, object] = Field(default_factory=dict)


def output_name(request_id: str, provider_id: str, shot_id: str) -> str:
    """Where a provider's clip is kept: ``{request_id}/{provider_id}/{shot_id}.mp4``."""
    return f"{request_id}/{provider_id}/{shot_id}.mp4"


@runtime_checkable
class Provider(Protocol):
    """An external or heavy generator. Plugins provide a factory that makes one (see
    :mod:`.loader`)."""

    @property
    def provider_id(self) -> str: ...

    def capabilities(self) -> Capabilities: ...

    def configured(self) -> bool:
        """True when it has what it needs to be called (a base URL, a key if it wants one)."""
        ...

    def reachable(self) -> bool:
        """True when its service answers now (a short health call)."""
        ...

    def estimate(self, request: ClipRequest) -> CostEstimate: ...

    def submit(self, request: ClipRequest, *, webhook_url: str | None = None) -> JobRef: ...

    def status(self, ref: JobRef) -> JobState: ...

    def fetch(self, ref: JobRef, dest: Path) -> ClipResult: ...

    def cancel(self, ref: JobRef) -> None: ...

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """The event a callback carries, once its signature verifies; else WebhookRejected."""
        ...


@runtime_checkable
class ReportsCosts(Protocol):
    """A provider that can say what it billed for its jobs, after the fact (optional).

    The spend ledger counts the estimate until then; with this, it counts what
    the provider reports (:func:`~sparkle_motion.pipeline.provider_jobs.reconcile`).
    """

    def reported_costs(self, refs: Sequence[JobRef]) -> dict[str, float]:
        """Job id -> USD billed, for each of ``refs`` the provider has a record of so far."""
        ...
