"""What a FAL provider can be told, beyond its URL and key: checked when it is made.

Every option has a default that works against FAL itself; a misspelt or
out-of-range option is refused when the provider is made, so the plugin
loader reports it instead of a run failing later.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "DEFAULT_JWKS_URL",
    "DEFAULT_MODEL",
    "DEFAULT_PLATFORM_URL",
    "DEFAULT_QUEUE_URL",
    "FalOptions",
]

# FAL's queue host and the URL of its webhook-signing keys, as its docs give them
# (docs.fal.ai/model-apis/model-endpoints/queue and .../webhooks).
DEFAULT_QUEUE_URL = "https://queue.fal.run"
DEFAULT_JWKS_URL = "https://rest.alpha.fal.ai/.well-known/jwks.json"
DEFAULT_MODEL = "fal-ai/kling-video/v2.1/standard/image-to-video"
# FAL's Platform APIs (docs.fal.ai/platform-apis), where its billing events are read.
DEFAULT_PLATFORM_URL = "https://api.fal.ai"

_DAY = 24 * 60 * 60.0


class FalOptions(BaseModel):
    """The ``options`` of a FAL provider's config."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str = Field(
        DEFAULT_MODEL, pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$"
    )
    jwks_url: str = Field(DEFAULT_JWKS_URL, pattern=r"^https?://")
    platform_url: str = Field(
        DEFAULT_PLATFORM_URL,
        pattern=r"^https?://",
        description="FAL's Platform API, whose billing events reconcile the spend ledger",
    )
    usd_per_second: float | None = Field(
        None, ge=0, description="the price per second of clip; overrides the built-in price list"
    )
    timeout: float = Field(30.0, gt=0, le=600, description="seconds any one HTTP call may take")
    durations: tuple[int, ...] | None = Field(
        None, min_length=1, description="the clip lengths the model makes, when not built in"
    )
    end_frame_field: str | None = Field(
        None,
        pattern=r"^[a-z][a-z0-9_]{0,63}$",
        description="the input field that takes a clip's end frame (tail_image_url, say), "
        "for a model not built in",
    )
    expected_wall_seconds: float = Field(
        180.0, gt=0, description="how long a job is guessed to take, for the estimate"
    )
    # FAL asks that its keys be cached no longer than a day.
    jwks_cache_seconds: float = Field(3600.0, gt=0, le=_DAY)
    jwks_refetch_after_seconds: float = Field(
        30.0, ge=0, description="least time between forced refetches of the keys"
    )
    webhook_tolerance_seconds: float = Field(300.0, gt=0, le=3600)

    @classmethod
    def parse(cls, options: Mapping[str, Any]) -> FalOptions:
        return cls.model_validate(dict(options))
