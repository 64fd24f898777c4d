"""Worker processes and a broker database of their own, for the fleet's tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
import redis

from tests.postgres import fresh_schema, postgres_server

REDIS = "redis://127.0.0.1:6379"
RABBIT = "amqp://guest:guest@127.0.0.1:5672//"


class Workers:
    """``sparkle-motion worker`` processes on a broker, stopped at the end."""

    def __init__(self, broker: str, backend: str | None, site: str, env: dict[str, str]) -> None:
        self.env = {
            **os.environ,
            **env,
            "SPARKLE_BROKER_URL": broker,
            "SPARKLE_SITE_ID": site,
            **({"SPARKLE_RESULT_BACKEND": backend} if backend else {}),
        }
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, name: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", "sparkle_motion.cli", "worker", "--name", f"{name}@test"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def redis_db() -> Iterator[str]:
    """A Redis database of its own (flushed after), on the real server on loopback."""
    db = 1 + uuid.uuid4().int % 14
    url = f"{REDIS}/{db}"
    yield url
    with redis.Redis.from_url(url) as client:
        client.flushdb()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema on the real PostgreSQL on loopback, as a SQLAlchemy URL (dropped after)."""
    with fresh_schema(postgres_server(), prefix="fleet") as url:
        yield url
