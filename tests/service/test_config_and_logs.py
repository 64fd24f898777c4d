"""Configuration (TOML, env, .env secrets, config show) and logs that never leak a key."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import structlog

from sparkle_motion.cli import main
from sparkle_motion.errors import InputError
from sparkle_motion.redaction import SecretScrubber, redact
from sparkle_motion.service import create_app
from sparkle_motion.service.logs import configure_logging
from sparkle_motion.settings import load_settings
from tests.service.conftest import service_settings
from tests.service.helpers import ADMIN, OTHER, WEBHOOK_SECRET, LiveServer, auth, package

KEYS_JSON = json.dumps({"k" * 20: {"tenant_id": "acme", "role": "admin"}})


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("API_KEYS", "WEBHOOK_SECRET", "PORT", "WORKERS", "CONFIG_FILE", "ARTIFACT_ROOT"):
        monkeypatch.delenv(f"SPARKLE_{name}", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_toml_then_env_then_dotenv_secrets(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = clean_env / "service.toml"
    config.write_text('port = 9001\nworkers = 3\nartifact_root = "data"\n')
    (clean_env / ".env").write_text(f"SPARKLE_API_KEYS='{KEYS_JSON}'\n")
    monkeypatch.setenv("SPARKLE_WORKERS", "4")
    settings = load_settings(config)
    assert (settings.port, settings.workers, settings.artifact_root) == (9001, 4, Path("data"))
    assert settings.api_keys["k" * 20].tenant_id == "acme"
    assert "k" * 20 not in repr(settings)


def test_secrets_are_refused_in_the_toml_file(clean_env: Path) -> None:
    config = clean_env / "service.toml"
    config.write_text('webhook_secret = "oops"\n')
    with pytest.raises(InputError, match="SPARKLE_WEBHOOK_SECRET"):
        load_settings(config)
    config.write_text("port = 'not a port'\n")
    with pytest.raises(InputError, match="setting port"):
        load_settings(config)


def test_config_show_redacts_secrets(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SPARKLE_API_KEYS", KEYS_JSON)
    monkeypatch.setenv("SPARKLE_WEBHOOK_SECRET", "whsec-very-secret-value")
    (clean_env / "sparkle-motion.toml").write_text("port = 9002\n")
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    shown = json.loads(out)
    assert shown["port"] == 9002
    assert shown["api_keys"] == [{"key": "[redacted]", "tenant_id": "acme", "role": "admin"}]
    assert shown["webhook_secret"] == "[redacted]"
    assert "k" * 20 not in out and "very-secret" not in out
    assert main(["config", "show", "-c", "missing.toml"]) == 2


@pytest.fixture
def captured_logs(tmp_path: Path) -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging(service_settings(tmp_path / "service"), stream)
    yield stream
    structlog.reset_defaults()


def test_service_logs_carry_the_tenant_and_no_credential(
    captured_logs: io.StringIO, tmp_path: Path
) -> None:
    settings = service_settings(tmp_path / "service")
    with LiveServer(create_app(settings)) as server:
        with httpx.Client(base_url=server.url, headers=auth(ADMIN)) as client:
            client.get("/runs")
            client.post("/v1/render-packages", json=package("log-1", callbacks=[]))
        httpx.get(f"{server.url}/runs", headers=auth(OTHER))
        structlog.get_logger().info(
            "careless", note=f"called with Bearer {ADMIN} and {WEBHOOK_SECRET}", api_key=OTHER
        )
    text = captured_logs.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    requests = [line for line in lines if line["event"] == "request"]
    assert {r["tenant_id"] for r in requests} == {"acme", "globex"}
    for secret in (ADMIN, OTHER, WEBHOOK_SECRET):
        assert secret not in text
    careless = next(line for line in lines if line["event"] == "careless")
    assert careless["api_key"] == "[redacted]" and "[redacted]" in careless["note"]


def test_the_redaction_processors() -> None:
    event = {"event": "x", "Authorization": "Bearer abc", "token_count": 3, "note": "fine"}
    assert redact(None, "info", dict(event)) == {
        "event": "x",
        "Authorization": "[redacted]",
        "token_count": "[redacted]",
        "note": "fine",
    }
    scrub = SecretScrubber(["s3cr3t-value", ""])
    cleaned = scrub(None, "info", {"a": "x s3cr3t-value y", "b": ["bearer zzz"], "c": {"d": 1}})
    assert cleaned == {"a": "x [redacted] y", "b": ["Bearer [redacted]"], "c": {"d": 1}}
