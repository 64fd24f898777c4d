"""A live service on loopback per test, in a temporary artifact root."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sparkle_motion.service import create_app
from sparkle_motion.settings import Settings
from tests.service.helpers import ADMIN, KEYS, WEBHOOK_SECRET, LiveServer, auth

ServerFactory = Callable[..., LiveServer]


def service_settings(root: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "artifact_root": root,
        "workers": 2,
        "api_keys": KEYS,
        "webhook_secret": WEBHOOK_SECRET,
        "webhook_allow_private": True,
        "webhook_backoff_seconds": 0.05,
        "webhook_backoff_max_seconds": 0.2,
        "webhook_max_attempts": 4,
        "quota_concurrent_jobs": 2,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerFactory]:
    """Start servers with settings overrides; all are stopped at the end of the test."""
    for name in ("API_KEYS", "WEBHOOK_SECRET", "ARTIFACT_ROOT", "DATABASE_URL", "FAILPOINT"):
        monkeypatch.delenv(f"SPARKLE_{name}", raising=False)
    started: list[LiveServer] = []

    def start(**overrides: Any) -> LiveServer:
        settings = service_settings(tmp_path / "service", **overrides)
        server = LiveServer(create_app(settings)).__enter__()
        started.append(server)
        return server

    yield start
    for server in reversed(started):
        server.__exit__(None, None, None)


@pytest.fixture
def server(serve: ServerFactory) -> LiveServer:
    return serve()


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers=auth(ADMIN), timeout=30) as http:
        yield http


def sse_events(text: str) -> list[dict[str, Any]]:
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "data" in fields:
            events.append({"type": fields.get("event"), **json.loads(fields["data"])})
    return events
