"""``sparkle-motion providers``: the generators this installation can call."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sparkle_motion.commands.edges import stdout_console

if TYPE_CHECKING:
    from sparkle_motion.providers.loader import Loaded

__all__ = ["providers_app"]

providers_app = typer.Typer(no_args_is_help=True, help="External and GPU generators (plugins).")


def _listing(check_reachable: bool) -> dict[str, Any]:
    from sparkle_motion.pipeline.configured_providers import load_configured_providers
    from sparkle_motion.settings import load_settings

    with load_configured_providers(load_settings()) as loaded:
        return _describe(loaded, check_reachable)


def _describe(loaded: Loaded, check_reachable: bool) -> dict[str, Any]:
    providers = []
    for name, provider in sorted(loaded.providers.items()):
        configured = provider.configured()
        providers.append(
            {
                "name": name,
                "capabilities": provider.capabilities().model_dump(mode="json"),
                "configured": configured,
                "reachable": provider.reachable() if configured and check_reachable else None,
            }
        )
    broken = [{"name": b.name, "target": b.target, "error": b.error} for b in loaded.broken]
    return {"providers": providers, "broken": broken}


@providers_app.command("list")
def providers_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    offline: Annotated[
        bool, typer.Option("--offline", help="Do not call the providers to see if they answer.")
    ] = False,
) -> None:
    """Every provider plugin: what it makes, whether it is configured and reachable."""
    listing = _listing(check_reachable=not offline)
    if as_json:
        print(json.dumps(listing, indent=2, sort_keys=True))
        return
    from rich.table import Table

    table = Table(title="providers")
    for column in ("name", "kind", "model", "max clip", "configured", "reachable"):
        table.add_column(column)
    for entry in listing["providers"]:
        caps = entry["capabilities"]
        reachable = entry["reachable"]
        table.add_row(
            entry["name"],
            caps["kind"],
            caps["model"],
            f"{caps['max_clip_duration_sec']:g} s",
            "yes" if entry["configured"] else "no (no key)",
            "-" if reachable is None else "yes" if reachable else "no",
        )
    console = stdout_console()
    console.print(table)
    for broken in listing["broken"]:
        console.print(f"broken plugin {broken['name']} ({broken['target']}): {broken['error']}")
