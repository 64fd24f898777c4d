"""The FastAPI app factory: one app, its service built from settings, routes mounted."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, Request, Response

from sparkle_motion import __version__
from sparkle_motion.service.problems import install_error_handlers
from sparkle_motion.service.routes import approvals, health, packages, projects, runs, upgrades
from sparkle_motion.service.state import Service, build_service
from sparkle_motion.settings import Settings

__all__ = ["create_app"]

_log = structlog.get_logger("sparkle_motion.service")


def create_app(settings: Settings, *, service: Service | None = None) -> FastAPI:
    """The app; its worker pool and webhook sender run for the app's lifespan."""
    built = service or build_service(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        built.start()
        _log.info("service_start", workers=settings.workers, root=str(built.artifact_root))
        try:
            yield
        finally:
            built.stop()
            _log.info("service_stop")

    app = FastAPI(
        title="Sparkle Motion Video Engine",
        version=__version__,
        description="RenderPackage v1, runs, projects, approvals. See docs/service.md.",
        lifespan=lifespan,
    )
    app.state.service = built
    install_error_handlers(app)

    @app.middleware("http")
    async def log_requests(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.monotonic()
        response = await call_next(request)
        _log.info(
            "request",
            method=request.method,
            path=request.url.path,
            status=response.status_code,
            tenant_id=getattr(request.state, "tenant_id", None),
            ms=round((time.monotonic() - started) * 1000, 1),
        )
        return response

    for module in (health, packages, runs, projects, approvals, upgrades):
        app.include_router(module.router)
    return app
