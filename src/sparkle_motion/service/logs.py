"""The service's structured logs: JSON lines carrying tenant_id, never a credential."""

from __future__ import annotations

from typing import TextIO

import structlog
from pydantic import SecretStr

from sparkle_motion.redaction import SecretScrubber, redact
from sparkle_motion.settings import Settings

__all__ = ["configure_logging", "secrets_of"]


def secrets_of(settings: Settings) -> list[str]:
    """The API keys and every other secret setting that is set."""
    values = list(settings.api_keys)
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            values.append(value.get_secret_value())
    return values


def configure_logging(settings: Settings, stream: TextIO) -> None:
    """Process-wide: every structlog logger writes redacted JSON lines to ``stream``."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            redact,
            SecretScrubber(secrets_of(settings)),
            structlog.processors.JSONRenderer(sort_keys=True),
        ],
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )
