"""The providers this installation is set up to call, made from its settings."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

from sparkle_motion.providers.configs import provider_configs
from sparkle_motion.providers.loader import Loaded, load_providers
from sparkle_motion.settings import Settings

__all__ = ["load_configured_providers"]


@contextmanager
def load_configured_providers(
    settings: Settings, overrides: Mapping[str, Mapping[str, Any]] | None = None
) -> Iterator[Loaded]:
    """Every provider plugin, made with the settings' URLs, keys and options, sharing one
    HTTP client that is closed when the block ends.

    ``overrides`` are options laid over the settings' for the providers they name.
    """
    keys = {name: key.get_secret_value() for name, key in settings.provider_keys.items()}
    options = {name: dict(values) for name, values in settings.provider_options.items()}
    for name, extra in (overrides or {}).items():
        options[name] = {**options.get(name, {}), **extra}
    with httpx.Client() as client:
        yield load_providers(provider_configs(settings.provider_urls, keys, options, client))
