"""Providers are plugins: an entry point each, built-in ones loaded the same way.

A distribution offers a provider in the ``sparkle_motion.providers`` entry
point group; the entry point names a factory, a callable that takes the
provider's :class:`ProviderConfig` and returns a
:class:`~sparkle_motion.providers.contract.Provider`. Sparkle Motion's own
providers are listed in its ``pyproject.toml`` exactly so. A plugin that fails
to import, whose factory raises, or that returns something that is not a
provider is reported (:attr:`Loaded.broken`) and skipped; the others load.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from sparkle_motion.providers.contract import Provider

__all__ = ["ENTRY_POINT_GROUP", "BrokenPlugin", "Loaded", "ProviderConfig", "load_providers"]

ENTRY_POINT_GROUP = "sparkle_motion.providers"


@dataclass(frozen=True)
class ProviderConfig:
    """What a provider is given: where its service is, its key, an HTTP client to use."""

    name: str
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    client: httpx.Client | None = None  # injected in tests; a provider makes its own if None
    options: Mapping[str, Any] = field(default_factory=dict)


ProviderFactory = Callable[[ProviderConfig], Provider]


@dataclass(frozen=True)
class BrokenPlugin:
    name: str
    target: str  # the entry point's value, e.g. "package.module:factory"
    error: str


@dataclass
class Loaded:
    providers: dict[str, Provider] = field(default_factory=dict)
    broken: list[BrokenPlugin] = field(default_factory=list)


def _entry_points() -> Iterable[importlib.metadata.EntryPoint]:
    return importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)


def load_providers(
    configs: Mapping[str, ProviderConfig] | None = None,
    *,
    entry_points: Iterable[importlib.metadata.EntryPoint] | None = None,
) -> Loaded:
    """Every provider the installed plugins offer, each made with its config (or a bare one)."""
    configs = configs or {}
    loaded = Loaded()
    found = sorted(entry_points if entry_points is not None else _entry_points(), key=_key)
    for point in found:
        if point.name in loaded.providers:
            loaded.broken.append(
                BrokenPlugin(point.name, point.value, "another plugin already offers this name")
            )
            continue
        config = configs.get(point.name, ProviderConfig(name=point.name))
        try:
            factory = point.load()
            provider = factory(config)
        except Exception as exc:  # a broken plugin must not take the others down
            loaded.broken.append(
                BrokenPlugin(point.name, point.value, f"{type(exc).__name__}: {exc}")
            )
            continue
        if not isinstance(provider, Provider):
            error = f"its factory returned a {type(provider).__name__}, not a provider"
            loaded.broken.append(BrokenPlugin(point.name, point.value, error))
            continue
        loaded.providers[point.name] = provider
    return loaded


def _key(point: importlib.metadata.EntryPoint) -> tuple[str, str]:
    return point.name, point.value
