"""Each provider's configuration, from the process settings' URLs and keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from sparkle_motion.providers.loader import ProviderConfig

__all__ = ["provider_configs"]


def provider_configs(
    urls: Mapping[str, str],
    keys: Mapping[str, str],
    options: Mapping[str, Mapping[str, Any]] | None = None,
    client: httpx.Client | None = None,
) -> dict[str, ProviderConfig]:
    """A config for every provider named in ``urls``, ``keys`` or ``options``.

    Keys come from the environment or ``.env`` only (``SPARKLE_PROVIDER_KEYS``);
    a provider with none is not configured, and says so when listed. ``client``,
    when given, is the HTTP client they share (its owner closes it).
    """
    named = sorted({*urls, *keys, *(options or {})})
    return {
        name: ProviderConfig(
            name=name,
            base_url=urls.get(name),
            api_key=keys.get(name),
            options=dict((options or {}).get(name, {})),
            client=client,
        )
        for name in named
    }
