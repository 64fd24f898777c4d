"""The Celery application: one per process, configured from the settings.

Queues are per site and per resource: ``<site>.cpu`` (clips, assembly,
QA), ``<site>.local_ai`` (speech, local models), ``<site>.media`` (asset
resolution), ``<site>.external_ai`` (provider jobs). Every task is
acknowledged only once it is done and rejected back to its queue when its
worker dies (``acks_late``, ``reject_on_worker_lost``), and a worker takes
one task at a time (prefetch 1), so a killed worker loses nothing and
delays nobody else's tasks. Tasks carry ids and content hashes only; what
they make goes to the shared workspace (its cache and registry).
"""

from __future__ import annotations

from typing import Literal

from celery import Celery
from kombu import Queue

from sparkle_motion.settings import Settings

__all__ = [
    "RESOURCES",
    "TASKS",
    "Resource",
    "close_app",
    "make_app",
    "queue_name",
    "release_results",
]

Resource = Literal["cpu", "local_ai", "media", "external_ai"]
RESOURCES: tuple[Resource, ...] = ("cpu", "local_ai", "media", "external_ai")

# task name -> the resource whose queue it goes on
TASKS: dict[str, Resource] = {
    "sparkle_motion.render_shot": "cpu",
    "sparkle_motion.speak": "local_ai",
    "sparkle_motion.assemble": "cpu",
}


def queue_name(site: str, resource: Resource) -> str:
    return f"{site}.{resource}"


def _backend(broker: str, backend: str | None) -> str:
    if backend is not None:
        return backend
    # Redis keeps results itself; an AMQP broker answers them over reply queues.
    return broker if broker.startswith(("redis://", "rediss://")) else "rpc://"


def make_app(settings: Settings) -> Celery:
    """A Celery app for the settings' broker and site, with the tasks registered."""
    from sparkle_motion.workers import tasks

    if not settings.broker_url:
        raise ValueError("no broker: set SPARKLE_BROKER_URL (redis://... or amqp://...)")
    site = settings.site_id
    app = Celery("sparkle_motion", set_as_current=False)
    app.conf.update(
        broker_url=settings.broker_url,
        result_backend=_backend(settings.broker_url, settings.result_backend),
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_default_queue=queue_name(site, "cpu"),
        task_queues=[Queue(queue_name(site, resource)) for resource in RESOURCES],
        task_track_started=True,
        broker_connection_retry_on_startup=True,
        # nothing is scheduled further ahead than the broker keeps a task unacknowledged
        broker_transport_options={"visibility_timeout": settings.task_visibility_seconds},
        result_expires=24 * 3600,
        worker_hijack_root_logger=False,
    )
    app.conf.task_routes = {
        name: {"queue": queue_name(site, resource)} for name, resource in TASKS.items()
    }
    retried = (*tasks.TRANSIENT, ConnectionError)
    for name, function in (
        ("sparkle_motion.render_shot", tasks.render_shot_task),
        ("sparkle_motion.speak", tasks.speak),
        ("sparkle_motion.assemble", tasks.assemble),
    ):
        # only transient failures are retried: capped backoff, at most three more times
        register = app.task(
            name=name,
            autoretry_for=retried,
            retry_backoff=True,
            retry_backoff_max=60,
            max_retries=3,
        )
        register(function)
    return app


def release_results(app: Celery) -> None:
    """Close this thread's result-backend connections (Redis keeps a subscription and a
    pool of its own per backend, and a backend per thread); the next wait opens them
    again."""
    backend = app.backend
    consumer = getattr(backend, "result_consumer", None)
    if consumer is not None and getattr(consumer, "_pubsub", None) is not None:
        consumer.stop()
    client = getattr(backend, "client", None)
    pool = getattr(client, "connection_pool", None)
    if pool is not None:
        pool.disconnect()


def close_app(app: Celery) -> None:
    """Close the app's result connections (this thread's) and its broker pool, as a
    process that only sent tasks (the service, a test) must when it is done."""
    release_results(app)
    app.close()
