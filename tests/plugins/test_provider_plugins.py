"""Providers as plugins: loading, broken plugins, retries, and failures classed."""

from __future__ import annotations

import importlib.metadata
import json
import sys
import types
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
import pytest

import sparkle_motion.providers as providers_package
from sparkle_motion.errors import (
    ContentRejected,
    ProviderError,
    ProviderFatal,
    ProviderRateLimited,
    ProviderTransient,
)
from sparkle_motion.providers import (
    Capabilities,
    ClipRequest,
    ClipResult,
    CostEstimate,
    JobRef,
    JobState,
    Provider,
    ProviderConfig,
    WebhookEvent,
    call_with_retries,
    load_providers,
    output_name,
    provider_configs,
)
from sparkle_motion.providers.http import classify_response, retry_after_seconds, transport_errors
from sparkle_motion.providers.retry import delay_before


class Echo:
    """A provider that makes nothing, for the loader: it keeps the contract's shape."""

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config

    @property
    def provider_id(self) -> str:
        return self.config.name

    def capabilities(self) -> Capabilities:
        return Capabilities(
            provider_id=self.config.name,
            kind="video",
            model="echo-1",
            max_clip_duration_sec=5,
            max_width=1280,
            max_height=720,
        )

    def configured(self) -> bool:
        return self.config.api_key is not None

    def reachable(self) -> bool:
        return True

    def estimate(self, request: ClipRequest) -> CostEstimate:
        return CostEstimate(usd=0.0, seconds=1.0, confidence=1.0)

    def submit(self, request: ClipRequest, *, webhook_url: str | None = None) -> JobRef:
        return JobRef(provider_id="echo", job_id="j", shot_id=request.shot_id, request_id="r")

    def status(self, ref: JobRef) -> JobState:
        return JobState(phase="completed")

    def fetch(self, ref: JobRef, dest: Path) -> ClipResult:
        return ClipResult(path=dest, model="echo-1")

    def cancel(self, ref: JobRef) -> None:
        pass

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        return WebhookEvent(job_id="j", state=JobState(phase="completed"))


def make_echo(config: ProviderConfig) -> Provider:
    return Echo(config)


def make_broken(config: ProviderConfig) -> Provider:
    raise RuntimeError("no model weights at the configured path")


def make_nothing(config: ProviderConfig) -> object:
    return object()


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """This test module, importable by name, as the home of some plugins."""
    module = types.ModuleType("sparkle_test_plugins")
    module.__dict__.update(make_echo=make_echo, make_broken=make_broken, make_nothing=make_nothing)
    monkeypatch.setitem(sys.modules, "sparkle_test_plugins", module)
    yield "sparkle_test_plugins"


def point(name: str, value: str) -> importlib.metadata.EntryPoint:
    return importlib.metadata.EntryPoint(name, value, "sparkle_motion.providers")


def test_plugins_load_with_their_config_and_broken_ones_are_reported(plugins: str) -> None:
    loaded = load_providers(
        {"echo": ProviderConfig(name="echo", api_key="k")},
        entry_points=[
            point("echo", f"{plugins}:make_echo"),
            point("gpu", f"{plugins}:make_broken"),
            point("junk", f"{plugins}:make_nothing"),
            point("gone", "sparkle_no_such_module:make"),
            point("echo", f"{plugins}:make_nothing"),  # a second plugin of the same name
        ],
    )
    assert list(loaded.providers) == ["echo"] and loaded.providers["echo"].configured()
    errors = {b.name: b.error for b in loaded.broken}
    assert errors["gpu"] == "RuntimeError: no model weights at the configured path"
    assert "not a provider" in errors["junk"]
    assert errors["gone"].startswith("ModuleNotFoundError")
    assert "already offers" in errors["echo"]


def test_the_built_in_providers_are_offered_as_entry_points() -> None:
    names = {p.name for p in importlib.metadata.entry_points(group="sparkle_motion.providers")}
    assert "fal" in names


def test_configs_come_from_urls_and_keys() -> None:
    configs = provider_configs({"fal": "http://127.0.0.1:9"}, {"fal": "key", "other": "k2"})
    assert configs["fal"].base_url == "http://127.0.0.1:9" and configs["fal"].api_key == "key"
    assert configs["other"].base_url is None
    assert "key" not in repr(configs["fal"])


def test_outputs_are_named_by_request_provider_and_shot() -> None:
    assert output_name("req-1", "fal", "s2-close") == "req-1/fal/s2-close.mp4"


def test_the_public_surface_is_complete() -> None:
    public = {
        name
        for name in dir(providers_package)
        if not name.startswith("_")
        and not isinstance(getattr(providers_package, name), types.ModuleType)
    }
    assert sorted(public) == sorted(providers_package.__all__)


# -- retries ---------------------------------------------------------------------------------


def flaky(errors: list[ProviderError]) -> tuple[list[int], object]:
    calls: list[int] = []

    def call() -> str:
        calls.append(1)
        if errors:
            raise errors.pop(0)
        return "made"

    return calls, call


def test_transient_failures_and_rate_limits_are_retried_with_capped_backoff() -> None:
    waits: list[float] = []
    heard: list[tuple[int, str]] = []
    calls, call = flaky([ProviderTransient("503"), ProviderRateLimited("429", retry_after=7.0)])
    result = call_with_retries(
        call,  # type: ignore[arg-type]
        sleep=waits.append,
        on_retry=lambda attempt, error, delay: heard.append((attempt, error.code)),
    )
    assert result == "made" and len(calls) == 3
    assert waits == [1.0, 7.0]  # the second waits for the provider's Retry-After
    assert heard == [(2, "SM701"), (3, "SM702")]


def test_three_attempts_at_most_then_the_last_error() -> None:
    waits: list[float] = []
    calls, call = flaky([ProviderTransient(f"down {n}") for n in range(5)])
    with pytest.raises(ProviderTransient, match="down 2"):
        call_with_retries(call, sleep=waits.append)  # type: ignore[arg-type]
    assert len(calls) == 3 and waits == [1.0, 2.0]


@pytest.mark.parametrize("error", [ContentRejected("policy"), ProviderFatal("401")])
def test_rejections_and_fatal_errors_are_never_retried(error: ProviderError) -> None:
    waits: list[float] = []
    calls, call = flaky([error])
    with pytest.raises(type(error)):
        call_with_retries(call, sleep=waits.append)  # type: ignore[arg-type]
    assert len(calls) == 1 and waits == []


def test_no_wait_is_longer_than_a_minute() -> None:
    assert delay_before(3, ProviderRateLimited("429", retry_after=3600.0)) == 60.0
    assert delay_before(12, ProviderTransient("503")) == 60.0


# -- HTTP answers classed --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (429, ProviderRateLimited),
        (408, ProviderTransient),
        (500, ProviderTransient),
        (503, ProviderTransient),
        (401, ProviderFatal),
        (422, ProviderFatal),
    ],
)
def test_http_answers_are_classed(status: int, kind: type[ProviderError]) -> None:
    response = httpx.Response(status, headers={"Retry-After": "12"}, text="no")
    error = classify_response(response, provider="p", what="submit")
    assert type(error) is kind and error.where == "provider p: submit"
    if kind is ProviderRateLimited:
        assert isinstance(error, ProviderRateLimited) and error.retry_after == 12.0


def test_retry_after_reads_seconds_and_dates() -> None:
    assert retry_after_seconds("5") == 5.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT", now=lambda: 1445412500.0) == 10.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_network_failures_are_transient() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = httpx.Client(transport=httpx.MockTransport(refuse))
    with (
        pytest.raises(ProviderTransient, match="connection failed"),
        transport_errors(provider="p", what="status"),
    ):
        client.get("http://127.0.0.1:9/status")


# -- the command line ------------------------------------------------------------------------


def test_providers_list_shows_each_plugin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sparkle_motion.cli import main

    monkeypatch.setenv("SPARKLE_PROVIDER_KEYS", json.dumps({"fal": "test-key"}))
    monkeypatch.setenv("SPARKLE_PROVIDER_URLS", json.dumps({"fal": "http://127.0.0.1:9"}))
    assert main(["providers", "list", "--json", "--offline"]) == 0
    listing = json.loads(capsys.readouterr().out)
    fal = next(p for p in listing["providers"] if p["name"] == "fal")
    assert fal["configured"] is True and fal["reachable"] is None
    assert fal["capabilities"]["kind"] == "video"
    assert "test-key" not in json.dumps(listing)
