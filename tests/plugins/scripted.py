"""A provider whose outcomes a test scripts per shot, making real clips with ffmpeg.

It keeps the contract's shape exactly (the contract suite checks it); what
each shot does is set in ``outcomes``: ``ok`` (a clip a little longer than
asked, after ``polls`` status calls), ``reject`` (a content rejection at
submit), ``never`` (it never finishes), ``fail`` (the job fails), ``short``
(a clip far too short to conform).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sparkle_motion.errors import ContentRejected, ProviderFatal, ProviderTransient, WebhookRejected
from sparkle_motion.ffmpeg import run_ffmpeg
from sparkle_motion.providers import (
    Capabilities,
    ClipRequest,
    ClipResult,
    CostEstimate,
    JobRef,
    JobState,
    WebhookEvent,
)

USD_PER_SECOND = 0.05


@dataclass
class Scripted:
    outcomes: dict[str, str] = field(default_factory=dict)
    polls: int = 1
    end_frame: bool = False  # takes an end frame, so segments hold two shots
    bill_factor: float = 0.8  # what it bills, against its list price
    submitted: list[str] = field(default_factory=list)
    tried: list[str] = field(default_factory=list)  # every submission, refused ones too
    cancelled: list[str] = field(default_factory=list)
    status_calls: int = 0
    most_in_flight: int = 0  # the most jobs it held unfinished at once
    _live: set[str] = field(default_factory=set)
    _asked: dict[str, ClipRequest] = field(default_factory=dict)
    _seen: dict[str, int] = field(default_factory=dict)

    @property
    def requests(self) -> list[ClipRequest]:
        """What it was asked, in order."""
        return list(self._asked.values())

    @property
    def provider_id(self) -> str:
        return "scripted"

    def capabilities(self) -> Capabilities:
        return Capabilities(
            provider_id="scripted",
            kind="video",
            model="scripted-1",
            max_clip_duration_sec=10,
            image_to_video=True,
            end_frame=self.end_frame,
            max_width=1920,
            max_height=1080,
        )

    def configured(self) -> bool:
        return True

    def reachable(self) -> bool:
        return True

    def estimate(self, request: ClipRequest) -> CostEstimate:
        return CostEstimate(usd=round(request.seconds * USD_PER_SECOND, 4), seconds=5, confidence=1)

    def submit(self, request: ClipRequest, *, webhook_url: str | None = None) -> JobRef:
        self.tried.append(request.shot_id)
        if request.seconds > self.capabilities().max_clip_duration_sec:
            raise ProviderFatal(f"{request.seconds} s is longer than it makes", where="scripted")
        if self._outcome(request) == "reject":
            raise ContentRejected("the prompt was refused by the content policy", where="scripted")
        self.submitted.append(request.shot_id)
        job = f"job-{request.shot_id}"
        self._live.add(job)
        self.most_in_flight = max(self.most_in_flight, len(self._live))
        self._asked[job] = request
        return JobRef(
            provider_id="scripted",
            job_id=job,
            shot_id=request.shot_id,
            request_id=request.request_id,
        )

    def status(self, ref: JobRef) -> JobState:
        self.status_calls += 1
        return self._state(ref)

    def _state(self, ref: JobRef) -> JobState:
        if ref.shot_id in self.cancelled:
            return JobState(phase="cancelled")
        outcome = self._outcome(self._asked[ref.job_id])
        self._seen[ref.job_id] = self._seen.get(ref.job_id, 0) + 1
        if outcome == "never" or self._seen[ref.job_id] < self.polls:
            return JobState(phase="in_progress")
        if outcome == "fail":
            self._live.discard(ref.job_id)
            return JobState(phase="failed", detail="the model crashed")
        return JobState(phase="completed")

    def fetch(self, ref: JobRef, dest: Path) -> ClipResult:
        if self._state(ref).phase != "completed":
            raise ProviderTransient(f"job {ref.job_id} has no clip to fetch", where="scripted")
        self._live.discard(ref.job_id)
        asked = self._asked[ref.job_id]
        seconds = 0.2 if self.outcomes.get(ref.shot_id) == "short" else asked.seconds + 0.3
        run_ffmpeg(
            [
                "-f",
                "lavfi",
                "-i",
                f"testsrc2=size={asked.width}x{asked.height}:rate=30:duration={seconds}",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-threads",
                "1",
                str(dest),
            ]
        )
        cost = round(asked.seconds * USD_PER_SECOND * self.bill_factor, 4)
        return ClipResult(path=dest, model="scripted-1", cost_usd=cost, seed=asked.seed)

    def _outcome(self, request: ClipRequest) -> str:
        """The shot's scripted outcome; a prompt may hold the job as the fakes do."""
        return (
            "never"
            if "[fault:hold]" in request.prompt
            else self.outcomes.get(request.shot_id, "ok")
        )

    def cancel(self, ref: JobRef) -> None:
        self.cancelled.append(ref.shot_id)

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        raise WebhookRejected("the scripted provider sends no webhooks", where="scripted")
