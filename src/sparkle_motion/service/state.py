"""Everything one running service holds, built from its settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, text

from sparkle_motion.errors import SparkleError
from sparkle_motion.ffmpeg import ffmpeg_version
from sparkle_motion.pipeline.configured_providers import load_configured_providers
from sparkle_motion.pipeline.context import Progress, RunControl
from sparkle_motion.pipeline.project_folder import STATE_DIR
from sparkle_motion.providers.contract import Provider
from sparkle_motion.registry import Registry
from sparkle_motion.registry.engine import create_index_engine, index_url, migrate
from sparkle_motion.service.execute import Execution, execute
from sparkle_motion.service.models import ReadyCheck
from sparkle_motion.service.packages import BlobLookup
from sparkle_motion.service.pool import JobPool
from sparkle_motion.service.projects import ProjectStore
from sparkle_motion.service.store import Job, JobStore
from sparkle_motion.service.tenancy import StorageMeter, TenantSpace
from sparkle_motion.service.upgrade_job import UpgradeSetup, execute_upgrade
from sparkle_motion.service.webhooks import Resolver, WebhookSender
from sparkle_motion.settings import Settings

__all__ = ["Service", "build_service"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Service:
    settings: Settings
    engine: Engine
    store: JobStore
    projects: ProjectStore
    pool: JobPool
    webhooks: WebhookSender
    storage: StorageMeter
    upgrades: UpgradeSetup
    closing: ExitStack = field(default_factory=ExitStack)

    @property
    def providers(self) -> Mapping[str, Provider]:
        return self.upgrades.providers

    def ledger_dir(self, tenant_id: str) -> Path:
        """The state folder whose registry keeps the tenant's spend ledger."""
        return self.upgrades.ledger_dir(tenant_id)

    @property
    def artifact_root(self) -> Path:
        return self.settings.artifact_root.resolve()

    def space(self, tenant_id: str) -> TenantSpace:
        return TenantSpace(self.artifact_root, tenant_id)

    def registry_roots(self, tenant_id: str) -> list[Path]:
        space = self.space(tenant_id)
        roots = [space.engine_dir / STATE_DIR]
        roots += sorted((space.root / "projects").glob(f"*/{STATE_DIR}"))
        return [root for root in roots if root.is_dir()]

    def lookup(self, tenant_id: str) -> BlobLookup:
        """Bytes of an artifact stored in one of this tenant's registries, else None."""

        def find(sha: str) -> bytes | None:
            for root in self.registry_roots(tenant_id):
                with Registry.open(root, self.settings.database_url) as registry:
                    if registry.has(sha):
                        return registry.get_bytes(sha)
            return None

        return find

    def store_upload(self, tenant_id: str) -> Callable[[str, bytes, Mapping[str, Any]], None]:
        root = self.space(tenant_id).engine_dir / STATE_DIR

        def sink(_sha: str, data: bytes, params: Mapping[str, Any]) -> None:
            with Registry.open(root, self.settings.database_url) as registry:
                registry.put_bytes(data, kind="asset/upload", params=params)

        return sink

    def start(self) -> None:
        self.pool.recover(resume_interrupted=self.settings.resume_interrupted)
        self.webhooks.start()
        self.pool.start()

    def stop(self) -> None:
        self.pool.stop()
        self.webhooks.stop()
        self.closing.close()  # the providers' shared HTTP client
        self.engine.dispose()

    def readiness(self) -> dict[str, ReadyCheck]:
        checks: dict[str, ReadyCheck] = {}
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            checks["database"] = ReadyCheck(ok=True)
        except Exception as exc:
            checks["database"] = ReadyCheck(ok=False, detail=type(exc).__name__)
        try:
            checks["ffmpeg"] = ReadyCheck(ok=True, detail=ffmpeg_version())
        except SparkleError as exc:
            checks["ffmpeg"] = ReadyCheck(ok=False, detail=exc.message)
        alive = self.pool.alive()
        checks["workers"] = ReadyCheck(
            ok=alive == self.pool.workers, detail=f"{alive} of {self.pool.workers} alive"
        )
        return checks


def build_service(
    settings: Settings,
    *,
    http_client: httpx.Client | None = None,
    resolve: Resolver | None = None,
    providers: Mapping[str, Provider] | None = None,
) -> Service:
    """The service for ``settings``; ``providers`` replaces the configured ones (tests)."""
    root = settings.artifact_root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    engine = create_index_engine(index_url(root, settings.database_url))
    migrate(engine)
    store = JobStore(engine, _utc_now)
    closing = ExitStack()
    if providers is None:
        providers = closing.enter_context(load_configured_providers(settings)).providers

    def ledger_dir(tenant_id: str) -> Path:
        folder = TenantSpace(root, tenant_id).engine_dir / STATE_DIR
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    upgrades = UpgradeSetup(
        providers=providers,
        database_url=settings.database_url,
        cache_max_bytes=settings.cache_max_bytes,
        public_url=settings.public_url,
        poll_seconds=settings.provider_poll_seconds,
        wait_seconds=settings.provider_wait_seconds,
        ledger_dir=ledger_dir,
    )

    fleet = None
    if settings.broker_url:  # RenderPackages go to the workers; the rest stays here
        from sparkle_motion.workers.app import close_app, make_app

        fleet = make_app(settings)
        closing.callback(close_app, fleet)

    def run(job: Job, control: RunControl, progress: Callable[[str], Progress]) -> Execution:
        if job.kind == "upgrade":
            return execute_upgrade(job, upgrades)
        return execute(
            job,
            control=control,
            database_url=settings.database_url,
            progress=progress,
            cache_max_bytes=settings.cache_max_bytes,
            fleet=fleet,
        )

    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    webhook_options: dict[str, Any] = {} if resolve is None else {"resolve": resolve}
    webhooks = WebhookSender(
        store,
        secret=secret,
        allow_private=settings.webhook_allow_private,
        max_attempts=settings.webhook_max_attempts,
        backoff=settings.webhook_backoff_seconds,
        backoff_max=settings.webhook_backoff_max_seconds,
        client=http_client,
        **webhook_options,
    )
    pool = JobPool(
        store,
        run,
        workers=settings.workers,
        quota=settings.quota_concurrent_jobs,
        listener=webhooks.notify,
    )
    return Service(
        settings=settings,
        engine=engine,
        store=store,
        projects=ProjectStore(engine, root, _utc_now),
        pool=pool,
        webhooks=webhooks,
        storage=StorageMeter(root),
        upgrades=upgrades,
        closing=closing,
    )
