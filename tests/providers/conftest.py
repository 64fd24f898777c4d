"""The fake FAL, a webhook receiver, a storyboard frame, and a provider pointed at the fake."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from sparkle_motion.providers import ClipRequest, ProviderConfig
from sparkle_motion.providers.fal import FalProvider
from tests.providers.fake_fal import TEST_KEY, FakeFal
from tests.providers.servers import WebhookSink


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[FakeFal]:
    with FakeFal(tmp_path / "fal") as server:
        yield server


@pytest.fixture
def sink() -> Iterator[WebhookSink]:
    with WebhookSink() as receiver:
        yield receiver


@pytest.fixture
def frame(tmp_path: Path) -> Path:
    path = tmp_path / "frame.png"
    Image.new("RGB", (320, 180), (40, 90, 160)).save(path)
    return path


@pytest.fixture
def clip_request(frame: Path) -> Callable[..., ClipRequest]:
    def make(**changes: Any) -> ClipRequest:
        fields: dict[str, Any] = {
            "request_id": "req-1",
            "shot_id": "s1-wide",
            "seconds": 3.2,
            "width": 320,
            "height": 180,
            "fps": 24,
            "prompt": "Slow push in on Ann pouring tea; warm morning light.",
            "seed": 1234,
            "image": frame,
        }
        return ClipRequest(**(fields | changes))

    return make


@pytest.fixture
def make_provider(fake: FakeFal) -> Iterator[Callable[..., FalProvider]]:
    """Providers on the fake, over real loopback HTTP; each with its own client."""
    clients: list[httpx.Client] = []

    def make(*, key: str | None = TEST_KEY, **options: Any) -> FalProvider:
        clients.append(httpx.Client())
        config = ProviderConfig(
            name="fal",
            base_url=fake.url,
            api_key=key,
            client=clients[-1],
            options={
                "jwks_url": fake.jwks_url,
                "platform_url": fake.url,
                "timeout": 1.0,
                **options,
            },
        )
        return FalProvider(config)

    yield make
    for client in clients:
        client.close()
