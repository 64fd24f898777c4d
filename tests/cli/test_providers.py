"""How the commands make their providers from the settings (``providers list``, ``upgrade``)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from sparkle_motion.pipeline import configured_providers
from sparkle_motion.pipeline.configured_providers import load_configured_providers
from sparkle_motion.providers.loader import Loaded, ProviderConfig
from sparkle_motion.settings import Settings


def test_providers_get_the_settings_urls_keys_and_options_with_overrides_on_top(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    given: dict[str, ProviderConfig] = {}

    def load(configs: Mapping[str, ProviderConfig]) -> Loaded:
        given.update(configs)
        return Loaded()

    monkeypatch.setattr(configured_providers, "load_providers", load)
    settings = Settings(
        provider_urls={"fal": "http://127.0.0.1:9/"},
        provider_keys={"fal": "k-1"},
        provider_options={"fal": {"model": "fast", "steps": 4}, "other": {"model": "m"}},
    )
    with load_configured_providers(settings, {"fal": {"model": "slow"}, "new": {"seed": 1}}):
        client = given["fal"].client
        assert client is not None and not client.is_closed  # shared by the providers
    assert client.is_closed and given["new"].client is client  # and closed after
    assert given["fal"].base_url == "http://127.0.0.1:9/" and given["fal"].api_key == "k-1"
    assert dict(given["fal"].options) == {"model": "slow", "steps": 4}
    assert dict(given["other"].options) == {"model": "m"}
    assert dict(given["new"].options) == {"seed": 1}
    assert settings.provider_options["fal"] == {"model": "fast", "steps": 4}  # not changed

    given.clear()
    with load_configured_providers(settings):
        pass
    assert dict(given["fal"].options) == {"model": "fast", "steps": 4} and "new" not in given
