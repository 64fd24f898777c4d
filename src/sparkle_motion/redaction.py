"""Structlog processors that keep credentials out of every log line.

``redact`` blanks fields whose *name* says they hold a credential;
``SecretScrubber`` blanks known secret *values* (API keys, the webhook
secret, bearer tokens) wherever they appear inside a string field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, MutableMapping
from typing import Any

__all__ = ["REDACTED", "SecretScrubber", "redact"]

REDACTED = "[redacted]"
_SECRET_KEYS = re.compile(r"(key|token|secret|password|authorization)", re.IGNORECASE)
_BEARER = re.compile(r"(?i)\bbearer\s+[^\s\"',;]+")


def redact(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Never write a credential to a log, whatever the caller passed."""
    for name in list(event):
        if _SECRET_KEYS.search(name):
            event[name] = REDACTED
    return event


class SecretScrubber:
    """A processor that replaces known secret values and bearer tokens inside any field."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first, so a secret that contains another is blanked whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def scrub(self, value: Any) -> Any:
        if isinstance(value, str):
            for secret in self._secrets:
                value = value.replace(secret, REDACTED)
            return _BEARER.sub(f"Bearer {REDACTED}", value)
        if isinstance(value, dict):
            return {key: self.scrub(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.scrub(item) for item in value]
        return value

    def __call__(
        self, _logger: Any, _method: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        for name, value in list(event.items()):
            event[name] = self.scrub(value)
        return event
