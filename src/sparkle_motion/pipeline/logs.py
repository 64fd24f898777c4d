"""Structured JSON logs, one file per stage in the run folder."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import structlog

from sparkle_motion.redaction import redact

__all__ = ["redact", "stage_logger"]


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
