"""Structured JSON logs, one file per stage in the run folder."""

from __future__ import annotations

import re
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import structlog

__all__ = ["redact", "stage_logger"]

_SECRET_KEYS = re.compile(r"(key|token|secret|password|authorization)", re.IGNORECASE)


def redact(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Never write a credential to a log, whatever the caller passed."""
    for name in list(event):
        if _SECRET_KEYS.search(name):
            event[name] = "[redacted]"
    return event


@contextmanager
def stage_logger(path: Path, **bound: Any) -> Iterator[Any]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        logger = structlog.wrap_logger(
            structlog.PrintLogger(file=handle),
            processors=[
                structlog.processors.add_log_level,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                redact,
                structlog.processors.JSONRenderer(sort_keys=True),
            ],
        )
        yield logger.bind(**bound)
