"""A fake FAL on 127.0.0.1 that follows FAL's documented queue API and webhooks.

Routes as FAL documents them: ``POST /{model id}`` (``?fal_webhook=``),
``GET /{owner}/{app}/requests/{id}/status``, ``GET .../requests/{id}``,
``PUT .../requests/{id}/cancel``; plus the JWKS of its webhook-signing key and
a ``/files/`` host for result videos, made with the bundled ffmpeg a little
longer than the duration asked for. Faults come per request from the prompt
(``[fault:NAME]``, for a job's life) or from :meth:`FakeFal.arm` (the next
calls to one route).
"""

from __future__ import annotations

import base64
import io
import json
import re
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from sparkle_motion.ffmpeg import run_ffmpeg
from tests.providers.fake_fal_api import (
    REJECTION_MSG,
    TEST_KEY,
    input_problems,
    policy_violation,
    public_jwk,
    sign,
)
from tests.providers.servers import Exchange, Served

__all__ = ["REJECTION_MSG", "TEST_KEY", "FakeFal", "Job", "public_jwk", "sign"]

ROUTE_FAULTS = {"rate_limit", "server_error", "slow", "hung", "malformed_json", "content_rejected"}
JOB_FAULTS = {
    "content_rejected",  # the model refuses the content: result 422, webhook ERROR
    "early_webhook",  # the webhook goes out while the status says IN_PROGRESS, until finish()
    "duplicate_webhook",
    "bad_signature",
    "stale_timestamp",
    "hold",  # stays IN_QUEUE until released or cancelled
}
_FAULT = re.compile(r"\[fault:([a-z_]+)\]")
_REQUESTS = re.compile(r"^/([^/]+)/([^/]+)/requests/([^/]+)(/status|/cancel)?$")


@dataclass
class Job:
    id: str
    app: str
    input: dict[str, Any]
    webhook: str | None
    faults: set[str]
    status: str = "IN_QUEUE"
    result: tuple[int, dict[str, Any]] | None = None
    cancelled: bool = False
    release: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)


class FakeFal:
    def __init__(
        self,
        workdir: Path,
        *,
        pad_seconds: float = 0.4,
        slow_seconds: float = 0.6,
        retry_after: str = "2",
        early_gap: float = 30.0,
    ) -> None:
        self.files = workdir / "files"
        self.files.mkdir(parents=True, exist_ok=True)
        self.pad_seconds, self.slow_seconds = pad_seconds, slow_seconds
        self.retry_after, self.early_gap = retry_after, early_gap
        self.jobs: dict[str, Job] = {}
        self.calls: list[Exchange] = []
        self.jwks_fetches = 0
        self.webhook_errors: list[str] = []
        self.usd_per_second = 0.056  # its price list, for the billing events
        self.unbilled: set[str] = set()  # jobs whose billing events have not arrived yet
        self._armed: dict[str, list[str]] = defaultdict(list)
        # a test's own choice of a job's faults, from what was submitted (say, its prompt)
        self.job_faults: Callable[[dict[str, Any]], set[str]] | None = None
        self._key = Ed25519PrivateKey.generate()
        self._published = [(self._key, "key-1")]
        self._workers: list[threading.Thread] = []
        self._served = Served(self._handle)
        self.url = self._served.url
        self.jwks_url = f"{self.url}/.well-known/jwks.json"

    # -- test controls ------------------------------------------------------------------------

    def arm(self, route: str, fault: str, times: int = 1) -> None:
        """The next ``times`` calls to ``route`` (submit|status|result|cancel|jwks|file) fail."""
        assert fault in ROUTE_FAULTS, fault
        self._armed[route] += [fault] * times

    def rotate_key(self) -> None:
        """Sign with a new key and publish only it, as after a rotation."""
        self._key = Ed25519PrivateKey.generate()
        self._published = [(self._key, f"key-{len(self._published) + 1}")]

    def signed(self, request_id: str, body: bytes) -> dict[str, str]:
        """The headers of a webhook this FAL would send now for ``body``."""
        return sign(self._key, request_id, int(time.time()), body)

    def release(self, job_id: str) -> None:
        """Let a held job leave the queue."""
        self.jobs[job_id].release.set()

    def finish(self, job_id: str) -> None:
        """Let a job whose webhook went out early say COMPLETED."""
        self.jobs[job_id].finished.set()

    def __enter__(self) -> FakeFal:
        self._served.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        for job in self.jobs.values():
            job.release.set()
            job.finished.set()
        self._served.stop()
        for worker in self._workers:
            worker.join(30)

    # -- routes -------------------------------------------------------------------------------

    def _handle(self, ex: Exchange) -> None:
        self.calls.append(ex)
        route, answer = self._route(ex)
        if not self._fault(ex, route):
            answer()

    def _route(self, ex: Exchange) -> tuple[str, Callable[[], None]]:
        """Which route a call is for, and how it is answered when no fault is armed."""
        if ex.method == "GET" and ex.path == "/.well-known/jwks.json":
            return "jwks", lambda: self._jwks(ex)
        if ex.method == "GET" and ex.path.startswith("/files/"):
            path = self.files / ex.path.removeprefix("/files/")
            return "file", lambda: ex.respond(200, path.read_bytes(), {"Content-Type": "video/mp4"})
        if ex.headers.get("authorization") != f"Key {TEST_KEY}":
            return "auth", lambda: ex.respond(401, {"detail": "Invalid or missing API key"})
        if ex.method == "GET" and ex.path == "/v1/models/billing-events":
            return "billing", lambda: self._billing(ex)
        found = _REQUESTS.match(ex.path)
        if found is None and ex.method == "POST":
            return "submit", lambda: self._submit(ex)
        owner, app, job_id, tail = found.groups() if found else ("", "", "", None)
        job = self.jobs.get(job_id)
        if job is None or job.app != f"{owner}/{app}":
            return "missing", lambda: ex.respond(404, {"detail": "Request not found"})
        if ex.method == "GET" and tail == "/status":
            return "status", lambda: self._status(ex, job)
        if ex.method == "GET" and tail is None:
            return "result", lambda: self._result(ex, job)
        if ex.method == "PUT" and tail == "/cancel":
            return "cancel", lambda: self._cancel(ex, job)
        return "other", lambda: ex.respond(405, {"detail": "Method not allowed"})

    def billed_usd(self, job: Job) -> float | None:
        """What this FAL bills a job: its clip's seconds at the price, less a discount; a
        job that made nothing (rejected, cancelled) costs nothing."""
        if job.result is None or job.result[0] != 200:
            return None
        return round(int(job.input.get("duration", "5")) * self.usd_per_second * 0.9, 6)

    def _billing(self, ex: Exchange) -> None:
        wanted = [value for name, value in ex.params if name == "request_id"]
        if not wanted or len(wanted) > 50 or "start" not in ex.query:
            ex.respond(422, {"detail": "request_id (1 to 50) and start are required"})
            return
        events = []
        for job_id in wanted:
            job = self.jobs.get(job_id)
            usd = self.billed_usd(job) if job is not None else None
            if job is None or usd is None or job_id in self.unbilled:
                continue
            events.append(
                {
                    "request_id": job_id,
                    "endpoint_id": job.app,
                    "timestamp": "2026-12-04T12:00:00Z",
                    "output_units": float(job.input.get("duration", "5")),
                    "unit_price": self.usd_per_second,
                    "percent_discount": 10.0,
                    "cost_estimate_nano_usd": round(usd * 1_000_000_000),
                }
            )
        # one event a page, so the cursor is followed
        start = int(ex.query.get("cursor", "0"))
        more = start + 1 < len(events)
        ex.respond(
            200,
            {
                "billing_events": events[start : start + 1],
                "next_cursor": str(start + 1) if more else None,
                "has_more": more,
            },
        )

    def _jwks(self, ex: Exchange) -> None:
        self.jwks_fetches += 1
        ex.respond(200, {"keys": [public_jwk(key, kid) for key, kid in self._published]})

    def _fault(self, ex: Exchange, route: str) -> bool:
        """Answer with the next armed fault for ``route``; True when that was the answer."""
        if not self._armed[route]:
            return False
        fault = self._armed[route].pop(0)
        if fault == "slow":
            time.sleep(self.slow_seconds)
            return False
        if fault == "hung":
            self._served.stopping.wait()
        elif fault == "rate_limit":
            ex.respond(429, {"detail": "Too many requests"}, {"Retry-After": self.retry_after})
        elif fault == "server_error":
            body = {
                "detail": "No runner could be allocated",
                "error_type": "runner_scheduling_failure",
            }
            ex.respond(503, body, {"X-Fal-Error-Type": "runner_scheduling_failure"})
        elif fault == "malformed_json":
            ex.respond(
                200, b'{"request_id": "1234", "status_', {"Content-Type": "application/json"}
            )
        elif fault == "content_rejected":
            ex.respond(422, policy_violation())
        return True

    def _submit(self, ex: Exchange) -> None:
        model = ex.path.strip("/")
        try:
            body = ex.json()
        except ValueError:
            body = None
        problems = input_problems(model, body)
        if problems:
            ex.respond(422, {"detail": problems})
            return
        faults = set(_FAULT.findall(body["prompt"])) & JOB_FAULTS
        if self.job_faults is not None:
            faults |= self.job_faults(body) & JOB_FAULTS
        job = Job(
            str(uuid.uuid4()),
            "/".join(model.split("/")[:2]),
            body,
            ex.query.get("fal_webhook"),
            faults,
        )
        self.jobs[job.id] = job
        worker = threading.Thread(target=self._run, args=(job,), daemon=True)
        self._workers.append(worker)
        worker.start()
        ex.respond(200, {"request_id": job.id, "gateway_request_id": job.id, **self._urls(job)})

    def _urls(self, job: Job) -> dict[str, str]:
        root = f"{self.url}/{job.app}/requests/{job.id}"
        return {
            "response_url": root,
            "status_url": f"{root}/status",
            "cancel_url": f"{root}/cancel",
        }

    def _status(self, ex: Exchange, job: Job) -> None:
        body: dict[str, Any] = {"status": job.status, "request_id": job.id, **self._urls(job)}
        if job.status == "IN_QUEUE":
            body["queue_position"] = 0
        ex.respond(200 if job.status == "COMPLETED" else 202, body)

    def _result(self, ex: Exchange, job: Job) -> None:
        if job.status != "COMPLETED" or job.result is None:
            ex.respond(400, {"detail": "Request is still in progress"})
        else:
            ex.respond(*job.result)

    def _cancel(self, ex: Exchange, job: Job) -> None:
        if job.status == "COMPLETED":
            ex.respond(400, {"status": "ALREADY_COMPLETED"})
            return
        if job.status == "IN_QUEUE":
            job.cancelled = True
            job.release.set()
        ex.respond(202, {"status": "CANCELLATION_REQUESTED"})

    # -- the work -----------------------------------------------------------------------------

    def _run(self, job: Job) -> None:
        if "hold" in job.faults:
            job.release.wait()
        if job.cancelled or self._served.stopping.is_set():
            # FAL does not document what a cancelled request's result is; its request-error
            # reference lists client_cancelled (499), used here.
            body = {"detail": "The request was cancelled", "error_type": "client_cancelled"}
            job.result, job.status = (499, body), "COMPLETED"
            return
        job.status = "IN_PROGRESS"
        if "content_rejected" in job.faults:
            job.result = (422, policy_violation())
        else:
            job.result = (200, {"video": self._render(job)})
        if "early_webhook" in job.faults:
            self._send_webhook(job)
            job.finished.wait(self.early_gap)
            job.status = "COMPLETED"
            return
        job.status = "COMPLETED"
        for _ in range(2 if "duplicate_webhook" in job.faults else 1):
            self._send_webhook(job)

    def _render(self, job: Job) -> dict[str, Any]:
        encoded = job.input["image_url"].split(",", 1)[1]
        with Image.open(io.BytesIO(base64.b64decode(encoded))) as image:
            width, height = (side // 2 * 2 for side in image.size)
        seconds = int(job.input.get("duration", "5")) + self.pad_seconds
        out = self.files / f"{job.id}.mp4"
        source = f"testsrc2=size={width}x{height}:rate=24:duration={seconds}"
        encode = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
        run_ffmpeg(["-f", "lavfi", "-i", source, *encode, str(out)])
        size = out.stat().st_size
        url = f"{self.url}/files/{out.name}"
        return {"url": url, "content_type": "video/mp4", "file_name": out.name, "file_size": size}

    def _send_webhook(self, job: Job) -> None:
        if job.webhook is None or job.result is None:
            return
        status, output = job.result
        body: dict[str, Any] = {"request_id": job.id, "gateway_request_id": job.id}
        if status == 200:
            body |= {"status": "OK", "payload": output}
        else:
            body |= {
                "status": "ERROR",
                "error": f"Invalid status code: {status}",
                "payload": output,
            }
        data = json.dumps(body).encode()
        stamp = int(time.time()) - (600 if "stale_timestamp" in job.faults else 0)
        key = Ed25519PrivateKey.generate() if "bad_signature" in job.faults else self._key
        try:
            httpx.post(
                job.webhook, content=data, headers=sign(key, job.id, stamp, data), timeout=10
            )
        except httpx.HTTPError as exc:
            self.webhook_errors.append(repr(exc))
