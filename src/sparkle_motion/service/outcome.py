"""Where a job came to rest, as the API reports it: status, errors, output files."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any

from sparkle_motion.errors import GateBlocked, InputError, SparkleError
from sparkle_motion.schemas import OutputFile, RenderOutput

__all__ = ["Execution", "crashed", "error_entry", "output_entries"]


@dataclass
class Execution:
    status: str
    result: dict[str, Any] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)


def crashed(exc: Exception) -> Execution:
    """An unexpected error fails the job; the server and its other jobs go on."""
    crash = {
        "code": "SM000",
        "message": f"unexpected {type(exc).__name__}: {exc}",
        "stage": None,
        "recoverable": True,
        "traceback": traceback.format_exc(limit=5),
    }
    return Execution("failed", {"errors": [crash]})


def error_entry(error: SparkleError) -> dict[str, Any]:
    return {
        "code": error.code,
        "message": error.message,
        "stage": error.stage,
        "recoverable": not isinstance(error, InputError | GateBlocked),
    }


def output_entries(output: RenderOutput | None, output_hash: str | None) -> dict[str, Any]:
    """Each delivered file (video, captions, every stem by its role) and the RenderOutput."""
    if output is None or output_hash is None:
        return {}
    files: dict[str, OutputFile] = {
        "video": output.video,
        "captions_srt": output.captions_srt,
        "captions_vtt": output.captions_vtt,
    }
    for role in ("voice", "music", "effects"):
        stem = output.stem(role)
        if stem is not None:
            files[f"stem_{role}"] = stem
    entries: dict[str, Any] = {
        name: {"sha256": f.sha256, "uri": f.uri, "media_type": f.media_type}
        for name, f in files.items()
    }
    entries["render_output"] = {
        "sha256": output_hash,
        "uri": "render_output.json",
        "media_type": "application/json",
        "status": output.status,
    }
    return entries
