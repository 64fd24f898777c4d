"""``sparkle-motion upgrade``: replace shots' clips with a provider's, nothing else."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sparkle_motion.commands.edges import stdout_console

if TYPE_CHECKING:
    from sparkle_motion.pipeline.upgrade import UpgradeOutcome

__all__ = ["upgrade"]


def upgrade(
    project_dir: Annotated[Path, typer.Argument(help="The project folder.")],
    profile: Annotated[str, typer.Option(help="An hq profile: one that names a provider.")],
    episode: Annotated[str | None, typer.Option(help="Episode id (default: the first).")] = None,
    shots: Annotated[
        str | None, typer.Option(help="Comma-separated shot ids (default: all but the cards).")
    ] = None,
    scenes: Annotated[
        str | None, typer.Option(help="Comma-separated scene ids: every shot of them.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Estimate only; send nothing, spend nothing.")
    ] = False,
    wait: Annotated[
        float,
        typer.Option(
            help="Seconds to wait for the provider; later clips are collected by upgrading again."
        ),
    ] = 600.0,
    poll: Annotated[float, typer.Option(help="Seconds between status calls.")] = 10.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Upgrade a rendered episode's shots through a provider; the sound, captions and timing
    stay the preview's, and a shot that does not come back keeps its preview clip."""
    from sparkle_motion.pipeline.configured_providers import load_configured_providers
    from sparkle_motion.pipeline.project_folder import load_project
    from sparkle_motion.pipeline.provider_jobs import Waiting
    from sparkle_motion.pipeline.upgrade import UpgradeRequest, upgrade_episode
    from sparkle_motion.settings import load_settings

    settings = load_settings()
    # the profile's options (its model, say) over the service's for that provider
    chosen = load_project(project_dir).project.profile(profile)
    overrides = {chosen.provider: chosen.provider_options} if chosen.provider is not None else {}
    with load_configured_providers(settings, overrides) as loaded:
        outcome = upgrade_episode(
            UpgradeRequest(
                project_dir=project_dir,
                profile=profile,
                episode_id=episode,
                shots=_listed(shots),
                scenes=_listed(scenes),
                dry_run=dry_run,
                waiting=Waiting(poll_seconds=poll, deadline_seconds=wait),
            ),
            providers=loaded.providers,
            database_url=settings.database_url,
            cache_max_bytes=settings.cache_max_bytes,
        )
    report: dict[str, Any] = {
        "request_id": outcome.request_id,
        "run_id": outcome.run_id,
        "provider": outcome.provider_id,
        "estimate_usd": outcome.estimate.total_usd,
        "budget_usd": outcome.estimate.budget_usd,
        "spent_usd": round(outcome.spent_usd, 6),
        "estimates": outcome.estimates,
        "needs_approval": outcome.needs_approval,
        "upgraded": outcome.upgraded,
        "kept_preview": [k.model_dump(mode="json") for k in outcome.kept_preview],
        "video_segments": outcome.video_segments,
        "failed_segments": outcome.failed_segments,
        "decisions": outcome.estimate.decisions,
        "status": outcome.status,
        "outputs": {name: str(path.resolve()) for name, path in sorted(outcome.files.items())},
    }
    if outcome.summary is not None:
        report["providers"] = [p.model_dump(mode="json") for p in outcome.summary.providers]
    if as_json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        _print(outcome, report)
    if outcome.waiting is not None:
        raise outcome.waiting


def _listed(text: str | None) -> tuple[str, ...]:
    return tuple(item.strip() for item in (text or "").split(",") if item.strip())


def _print(outcome: UpgradeOutcome, report: dict[str, Any]) -> None:
    console = stdout_console()
    console.print(
        f"upgrade {outcome.request_id} through {outcome.provider_id}: {report['status']}; "
        f"estimate {report['estimate_usd']:.2f} USD (budget {report['budget_usd']:.2f}), "
        f"spent {report['spent_usd']:.2f} USD"
    )
    if outcome.status == "estimated" and outcome.needs_approval:
        console.print("  it will wait for approve_external_spend before anything is sent")
    for shot in outcome.upgraded:
        console.print(f"  {shot}: upgraded")
    for kept in outcome.kept_preview:
        console.print(f"  {kept.shot_id}: kept its preview clip ({kept.code}: {kept.reason})")
    for name, path in report["outputs"].items():
        print(f"{name}: {path}")  # plain print: a path must never be wrapped
