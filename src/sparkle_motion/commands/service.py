"""``sparkle-motion serve`` and ``sparkle-motion config show``: thin over the service."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from sparkle_motion.settings import Settings

__all__ = ["config_app", "effective_settings", "redacted_config", "serve"]

config_app = typer.Typer(no_args_is_help=True, help="The service's effective configuration.")

ConfigFile = Annotated[
    Path | None,
    typer.Option(
        "--config-file",
        "-c",
        help="TOML config (default: $SPARKLE_CONFIG_FILE or ./sparkle-motion.toml if present).",
    ),
]


def effective_settings(config_file: Path | None) -> Settings:
    """The named file (which must exist), else the default file if it exists, over env."""
    from sparkle_motion.settings import load_settings

    if config_file is not None:
        return load_settings(config_file)
    default = load_settings().config_file
    return load_settings(default) if default.is_file() else load_settings()


def redacted_config(settings: Settings) -> dict[str, Any]:
    """Every setting; API keys show only their tenant and role, other secrets only if set."""
    from sparkle_motion.redaction import REDACTED
    from sparkle_motion.settings import SECRET_SETTINGS

    shown = settings.model_dump(mode="json", exclude=set(SECRET_SETTINGS))
    for name in SECRET_SETTINGS:
        shown[name] = None if getattr(settings, name, None) is None else REDACTED
    shown["api_keys"] = [
        {"key": REDACTED, "tenant_id": grant.tenant_id, "role": grant.role}
        for grant in settings.api_keys.values()
    ]
    shown["provider_keys"] = dict.fromkeys(sorted(settings.provider_keys), REDACTED)
    return dict(sorted(shown.items()))


@config_app.command("show")
def config_show(config_file: ConfigFile = None) -> None:
    """Print the effective configuration as JSON, secrets redacted."""
    print(json.dumps(redacted_config(effective_settings(config_file)), indent=2))


def serve(config_file: ConfigFile = None) -> None:
    """Run the Video Engine service (HTTP API and its worker pool) until interrupted."""
    import uvicorn

    from sparkle_motion.service import create_app
    from sparkle_motion.service.logs import configure_logging

    settings = effective_settings(config_file)
    configure_logging(settings, sys.stderr)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,
    )
