"""FAL's queue answers, read: job references, states, results and errors.

Pure functions over ``httpx`` responses and decoded JSON, following FAL's
queue docs (docs.fal.ai/model-apis/model-endpoints/queue) and its error
reference (docs.fal.ai/model-apis/errors).
"""

from __future__ import annotations

from typing import Any

import httpx

from sparkle_motion.errors import (
    ContentRejected,
    ProviderError,
    ProviderFatal,
    ProviderTransient,
)
from sparkle_motion.providers.contract import ClipRequest, JobRef, JobState
from sparkle_motion.providers.http import classify_response

__all__ = [
    "app_root",
    "failure",
    "job_ref",
    "job_state",
    "json_object",
    "policy_violation",
    "video_file",
]

_POLICY_VIOLATION = "content_policy_violation"


def app_root(model: str) -> str:
    """``owner/app`` of a model id: FAL's status, result and cancel URLs leave out the rest."""
    return "/".join(model.split("/")[:2])


def policy_violation(detail: object) -> str | None:
    """FAL's own words when an error ``detail`` list holds a content-policy violation."""
    if not isinstance(detail, list):
        return None
    for item in detail:
        if isinstance(item, dict) and item.get("type") == _POLICY_VIOLATION:
            message = item.get("msg")
            return message if isinstance(message, str) and message else _POLICY_VIOLATION
    return None


def _rejection(response: httpx.Response) -> str | None:
    if response.status_code != 422:  # FAL documents content_policy_violation as a 422
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return policy_violation(body.get("detail")) if isinstance(body, dict) else None


def failure(response: httpx.Response, *, what: str) -> ProviderError:
    """The classed error an unsuccessful answer from FAL stands for."""
    where = f"provider fal: {what}"
    rejected = _rejection(response)
    if rejected is not None:
        # The message is FAL's, unchanged: the content-safety gate reads it.
        return ContentRejected(
            rejected, where=where, hint="the content-safety gate decides; the shot keeps its clip"
        )
    error = classify_response(response, provider="fal", what=what)
    # FAL's optional X-Fal-Retryable says whether the same request may succeed later.
    retryable = response.headers.get("x-fal-retryable", "").strip().lower()
    if retryable == "false" and isinstance(error, ProviderTransient):
        return ProviderFatal(error.message, where=where, hint="FAL says retrying will not help")
    if retryable == "true" and isinstance(error, ProviderFatal):
        return ProviderTransient(error.message, where=where, hint="FAL says it may succeed later")
    return error


def _malformed(what: str, *, resubmit_risk: bool) -> ProviderError:
    message = "the answer is not the JSON object FAL's API documents"
    where = f"provider fal: {what}"
    if resubmit_risk:
        # A garbled answer to a submit may hide an accepted (and billed) job; sending the
        # request again could start a second one, so this is not retried.
        return ProviderFatal(
            message,
            where=where,
            hint="FAL may have accepted the job: look for it on the FAL dashboard first",
        )
    return ProviderTransient(message, where=where, hint="asking again is safe; try later")


def json_object(response: httpx.Response, *, what: str, resubmit_risk: bool) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise _malformed(what, resubmit_risk=resubmit_risk)
    return body


def _http_url(value: object) -> str | None:
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else None


def job_ref(
    body: dict[str, Any], request: ClipRequest, *, provider_id: str, base_url: str, model: str
) -> JobRef:
    """The reference to persist for a submitted job."""
    request_id = body.get("request_id")
    if not isinstance(request_id, str) or not request_id.strip():
        raise _malformed("submit", resubmit_risk=True)
    # Older FAL pages show a submit answer with the ids alone; the URLs then follow the
    # documented pattern on the queue host.
    root = f"{base_url}/{app_root(model)}/requests/{request_id}"
    return JobRef(
        provider_id=provider_id,
        job_id=request_id,
        shot_id=request.shot_id,
        request_id=request.request_id,
        status_url=_http_url(body.get("status_url")) or f"{root}/status",
        response_url=_http_url(body.get("response_url")) or root,
        cancel_url=_http_url(body.get("cancel_url")) or f"{root}/cancel",
    )


def job_state(body: dict[str, Any]) -> JobState:
    """A status answer as a job state. COMPLETED says the job ended, not that it succeeded:
    the result (or the webhook) says which."""
    status = body.get("status")
    if status == "IN_QUEUE":
        position = body.get("queue_position")
        known = type(position) is int and position >= 0
        return JobState(phase="queued", queue_position=position if known else None)
    if status == "IN_PROGRESS":
        return JobState(phase="in_progress")
    if status == "COMPLETED":
        return JobState(phase="completed")
    raise ProviderTransient(
        f"FAL reports a status its docs do not list: {status!r}",
        where="provider fal: status",
        hint="ask again later",
    )


def video_file(body: dict[str, Any]) -> tuple[str, int | None]:
    """Where a finished clip can be downloaded from, and its size when FAL gives it."""
    video = body.get("video")
    url = _http_url(video.get("url")) if isinstance(video, dict) else None
    if url is None or not isinstance(video, dict):
        raise ProviderFatal(
            "the result names no video to download (no video.url)",
            where="provider fal: fetch",
            hint="check that the model is an image-to-video model",
        )
    size = video.get("file_size")
    return url, size if type(size) is int and size > 0 else None
