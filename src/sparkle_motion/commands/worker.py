"""``sparkle-motion worker``: a fleet worker on the configured broker."""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["worker"]


def worker(
    site: Annotated[
        str | None, typer.Option(help="The site whose queues it serves (default: site_id).")
    ] = None,
    queues: Annotated[
        str, typer.Option(help="Comma-separated resources: cpu, local_ai, media, external_ai.")
    ] = "cpu,local_ai,media",
    concurrency: Annotated[int, typer.Option(min=1, help="Tasks at once.")] = 1,
    name: Annotated[
        str | None, typer.Option(help="The worker's name (default: site@host).")
    ] = None,
) -> None:
    """Serve the site's queues on the broker (SPARKLE_BROKER_URL): shots, speech, assembly."""
    from sparkle_motion.errors import InputError
    from sparkle_motion.settings import load_settings
    from sparkle_motion.workers.app import RESOURCES, make_app, queue_name

    settings = load_settings()
    if site is not None:
        settings = settings.model_copy(update={"site_id": site})
    if not settings.broker_url:
        raise InputError(
            "a worker needs a broker",
            where="SPARKLE_BROKER_URL",
            hint="e.g. SPARKLE_BROKER_URL=redis://127.0.0.1:6379/0",
        )
    wanted = [q.strip() for q in queues.split(",") if q.strip()]
    unknown = [q for q in wanted if q not in RESOURCES]
    if unknown or not wanted:
        raise InputError(
            f"unknown queue {unknown[0]!r}" if unknown else "no queue named",
            where="--queues",
            hint=f"one or more of: {', '.join(RESOURCES)}",
        )
    app = make_app(settings)
    names = ",".join(queue_name(settings.site_id, q) for q in wanted)  # type: ignore[arg-type]
    app.worker_main(
        [
            "worker",
            "--queues", names,
            "--concurrency", str(concurrency),
            "--pool", "prefork",
            "--hostname", name or f"{settings.site_id}@%h",
            "--loglevel", "INFO",
            "--without-gossip", "--without-mingle",
        ]
    )  # fmt: skip
