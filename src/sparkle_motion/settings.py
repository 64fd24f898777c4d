"""Process settings from the environment (and a .env file). Built on demand, never at import.

Every environment variable Sparkle Motion reads is named here. The service
also reads a TOML file (``sparkle-motion serve -c FILE``): its values rank
below the environment and .env, and it may not hold secrets.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from sparkle_motion.errors import InputError

__all__ = [
    "ENVIRONMENT_VARIABLES",
    "SECRET_SETTINGS",
    "ApiKey",
    "Settings",
    "load_settings",
    "read_config_file",
]

ENVIRONMENT_VARIABLES = {
    "SPARKLE_DATABASE_URL": "registry database; SQLite under .sparkle/ when unset",
    "SPARKLE_FFMPEG": "path of an ffmpeg binary to use instead of the bundled one",
    "SPARKLE_FAILPOINT": "test hook: kill the process inside a stage (stage or stage:n)",
    "SPARKLE_CACHE_MAX_BYTES": "the size past which a run's end evicts least used cache (20 GiB)",
    "SPARKLE_STATE_DIR": "the command line's own folder; crash logs go to its logs/",
    "SPARKLE_CONFIG_FILE": "the service's TOML file when serve gets no -c (./sparkle-motion.toml)",
    "SPARKLE_HOST": "address the service binds to (127.0.0.1)",
    "SPARKLE_PORT": "port the service listens on (8000)",
    "SPARKLE_ARTIFACT_ROOT": "the service's folder: its database and artifacts/{tenant_id}/",
    "SPARKLE_WORKERS": "render jobs the service runs at once (2)",
    "SPARKLE_PROVIDER_URLS": "JSON object: provider name to its service base URL",
    "SPARKLE_PROVIDER_OPTIONS": "JSON object: provider name to its options (model, prices)",
    "SPARKLE_PROVIDER_KEYS": "secret, env or .env only: JSON object, provider name to its API key",
    "SPARKLE_PUBLIC_URL": "the service's address as providers reach it, for their webhooks",
    "SPARKLE_PROVIDER_POLL_SECONDS": "seconds between an upgrade's status calls (10)",
    "SPARKLE_PROVIDER_WAIT_SECONDS": "how long an upgrade waits without a webhook listener (600)",
    "SPARKLE_BROKER_URL": "the fleet's broker, redis://... or amqp://...; unset: one process",
    "SPARKLE_RESULT_BACKEND": "where task results go (default: the Redis broker, or rpc://)",
    "SPARKLE_SITE_ID": "the site whose queues workers serve and the service sends to (local)",
    "SPARKLE_TASK_VISIBILITY_SECONDS": "seconds the broker waits for an unacknowledged task (3600)",
    "SPARKLE_WORKER_FAILPOINT": "test hook: a worker kills itself when it first renders this shot",
    "SPARKLE_API_KEYS": "secret, env or .env only: JSON object, API key to {tenant_id, role}",
    "SPARKLE_WEBHOOK_SECRET": "secret, env or .env only: the HMAC-SHA256 key signing webhooks",
    "SPARKLE_WEBHOOK_ALLOW_PRIVATE": "true lets callback URLs resolve to private or loopback hosts",
    "SPARKLE_WEBHOOK_MAX_ATTEMPTS": "delivery attempts per webhook event (6)",
    "SPARKLE_WEBHOOK_BACKOFF_SECONDS": "delay before the first webhook retry, then doubled (1)",
    "SPARKLE_WEBHOOK_BACKOFF_MAX_SECONDS": "the longest delay between webhook retries (60)",
    "SPARKLE_QUOTA_CONCURRENT_JOBS": "jobs of one tenant running at once; more wait queued (2)",
    "SPARKLE_QUOTA_STORAGE_BYTES": "bytes stored past which new work is refused (10 GiB)",
    "SPARKLE_RESUME_INTERRUPTED": "true: at start-up, resume the runs a killed server left running",
    "SPARKLE_LLM_BASE_URL": "writer: llm: the chat completions server (http://127.0.0.1:11434/v1)",
    "SPARKLE_LLM_MODEL": "writer: llm: the model name the server knows",
    "SPARKLE_LLM_API_KEY": "secret, env or .env only: the model server's API key (if it needs one)",
    "SPARKLE_LLM_TIMEOUT": "seconds to wait for one model reply (120)",
    "SPARKLE_LLM_MAX_ATTEMPTS": "replies asked for before unusable ones fail the write stage (3)",
    "SPARKLE_LLM_INPUT_USD_PER_MTOK": "price of a million prompt tokens, for the run summary (0)",
    "SPARKLE_LLM_OUTPUT_USD_PER_MTOK": "price of a million reply tokens, for the run summary (0)",
}

# Settings that only the environment or .env may set, never the TOML file.
SECRET_SETTINGS = ("api_keys", "webhook_secret", "llm_api_key", "provider_keys")


class ApiKey(BaseModel):
    """What one API key may do: act for one tenant with one role."""

    tenant_id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    role: Literal["viewer", "operator", "admin"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SPARKLE_", env_file=".env", extra="ignore")

    database_url: str | None = None
    config_file: Path = Path("sparkle-motion.toml")
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    artifact_root: Path = Path("sparkle-service")
    workers: int = Field(2, ge=1, le=64)
    provider_urls: dict[str, str] = Field(default_factory=dict)
    provider_keys: dict[str, SecretStr] = Field(default_factory=dict, repr=False)
    provider_options: dict[str, dict[str, str | int | float | bool]] = Field(default_factory=dict)
    public_url: str | None = Field(
        None,
        pattern=r"^https?://[^\s/]+(/[^\s]*)?$",
        description="the service's address as providers reach it; with it, provider jobs "
        "call back to {public_url}/api/providers/{name}/webhooks/{tenant}",
    )
    broker_url: str | None = Field(
        None, description="the fleet's broker (redis://... or amqp://...); none: one process"
    )
    result_backend: str | None = Field(
        None, description="where task results go; default: the Redis broker, or rpc:// on AMQP"
    )
    site_id: str = Field("local", pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    task_visibility_seconds: int = Field(
        3600, ge=60, description="how long the broker waits for an unacknowledged task"
    )
    provider_poll_seconds: float = Field(10.0, gt=0.0, le=600.0)
    provider_wait_seconds: float = Field(600.0, gt=0.0, le=86400.0)
    api_keys: dict[str, ApiKey] = Field(default_factory=dict, repr=False)
    webhook_secret: SecretStr | None = None
    webhook_allow_private: bool = False
    webhook_max_attempts: int = Field(6, ge=1, le=20)
    webhook_backoff_seconds: float = Field(1.0, gt=0.0, le=600.0)
    webhook_backoff_max_seconds: float = Field(60.0, gt=0.0, le=3600.0)
    quota_concurrent_jobs: int = Field(2, ge=1, le=1000)
    quota_storage_bytes: int = Field(10 * 2**30, ge=0)
    resume_interrupted: bool = False
    # cache.DEFAULT_MAX_BYTES (a test says so); importing it would load the schemas
    cache_max_bytes: int = Field(20 * 2**30, ge=0)
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout: float = Field(120.0, gt=0.0, le=3600.0)
    llm_max_attempts: int = Field(3, ge=1, le=10)
    llm_input_usd_per_mtok: float = Field(0.0, ge=0.0)
    llm_output_usd_per_mtok: float = Field(0.0, ge=0.0)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Keyword arguments carry the TOML file's values, which the environment overrides.
        return env_settings, dotenv_settings, file_secret_settings, init_settings

    @model_validator(mode="after")
    def _key_only_over_safe_transport(self) -> Settings:
        """A key goes over https, or over plain http only to this machine."""
        url = self.llm_base_url
        if url is None:
            return self
        scheme, _, rest = url.partition("://")
        if scheme not in ("http", "https") or not rest:
            raise ValueError("SPARKLE_LLM_BASE_URL must be an http:// or https:// URL")
        host = rest.split("/", 1)[0].rsplit("@", 1)[-1].rsplit(":", 1)[0].strip("[]")
        loopback = host in ("localhost", "127.0.0.1", "::1") or host.startswith("127.")
        if self.llm_api_key is not None and scheme == "http" and not loopback:
            raise ValueError(
                "SPARKLE_LLM_API_KEY would travel unencrypted: use https:// for "
                "SPARKLE_LLM_BASE_URL (plain http is only for servers on this machine)"
            )
        return self

    @field_validator("api_keys")
    @classmethod
    def _long_keys(cls, value: dict[str, ApiKey]) -> dict[str, ApiKey]:
        if any(len(key) < 16 for key in value):
            raise ValueError("every API key must be at least 16 characters long")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("SPARKLE_DATABASE_URL must be a sqlite:// or postgresql:// URL")
        return value


def read_config_file(path: Path) -> dict[str, object]:
    """The TOML file's settings; a secret in it is refused (they belong in env or .env)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the config file: {exc.strerror}", where=str(path)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid TOML: {exc}", where=str(path)) from None
    secrets = [name for name in SECRET_SETTINGS if name in data]
    if secrets:
        raise InputError(
            f"{secrets[0]} is a secret and may not be in the config file",
            where=str(path),
            hint=f"set SPARKLE_{secrets[0].upper()} in the environment or .env instead",
        )
    return data


def load_settings(config_file: Path | None = None) -> Settings:
    """Settings from the environment and .env, over ``config_file``'s (TOML) when given."""
    values = read_config_file(config_file) if config_file is not None else {}
    try:
        settings = Settings(**values)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        name = ".".join(str(part) for part in first["loc"])
        raise InputError(
            f"setting {name}: {first['msg'].lower()}",
            where=str(config_file) if config_file else f"SPARKLE_{name.upper()}",
            hint="see the configuration table in README.md",
        ) from None
    return (
        settings
        if config_file is None
        else settings.model_copy(update={"config_file": config_file})
    )
