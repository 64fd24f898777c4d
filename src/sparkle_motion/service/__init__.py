"""The Video Engine service: RenderPackage v1, runs, projects, approvals, webhooks.

``create_app(settings)`` builds the FastAPI app; ``sparkle-motion serve`` runs it.
"""

from sparkle_motion.service.app import create_app

__all__ = ["create_app"]
