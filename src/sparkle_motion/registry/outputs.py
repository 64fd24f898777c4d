"""The registry as the place a render's deliverables are kept."""

from __future__ import annotations

from pathlib import Path

from sparkle_motion.registry.registry import Registry

__all__ = ["RegistryOutputs"]


class RegistryOutputs:
    """Stores a render's files in ``registry`` (indexed under ``run_id``), read back by hash."""

    def __init__(self, registry: Registry, run_id: str | None = None) -> None:
        self.registry = registry
        self.run_id = run_id

    def put_file(self, path: Path, *, kind: str) -> str:
        return self.registry.put_file(path, kind=kind, run_id=self.run_id, move=True).hash

    def path(self, sha: str) -> Path:
        return self.registry.blob_path(sha)
