"""Who is calling (API key → tenant and role) and where a tenant's files live.

Everything a tenant makes lives under ``<artifact_root>/artifacts/<tenant_id>/``:
``engine/`` is the workspace project the Video Engine renders packages in,
``projects/<project_id>/`` are the tenant's project folders. Every query the
service makes is filtered by tenant, and another tenant's resource answers
404 exactly like a missing one.
"""

from __future__ import annotations

import hmac
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from sparkle_motion.atomic import write_atomic
from sparkle_motion.errors import AccessDenied
from sparkle_motion.schemas import HUMAN_CHECKPOINTS
from sparkle_motion.settings import ApiKey

__all__ = ["ROLES", "Principal", "StorageMeter", "TenantSpace", "authenticate"]

ROLES = ("viewer", "operator", "admin")


@dataclass(frozen=True)
class Principal:
    tenant_id: str
    role: str

    def require(self, role: str) -> None:
        if ROLES.index(self.role) < ROLES.index(role):
            raise AccessDenied(
                f"this needs the {role} role; the key has {self.role}",
                where=f"tenant {self.tenant_id}",
                hint=f"use a key with the {role} role",
            )


def authenticate(keys: Mapping[str, ApiKey], presented: str | None) -> Principal:
    """The principal of a presented key; compared in constant time against every key."""
    if not presented:
        raise AccessDenied(
            "no API key", where="Authorization header", hint="send Authorization: Bearer KEY"
        )
    found: ApiKey | None = None
    for key, grant in keys.items():
        if hmac.compare_digest(key.encode(), presented.encode()):
            found = grant
    if found is None:
        raise AccessDenied(
            "unknown API key", where="Authorization header", hint="check the key you were given"
        )
    return Principal(tenant_id=found.tenant_id, role=found.role)


class TenantSpace:
    def __init__(self, artifact_root: Path, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        self.root = artifact_root.resolve() / "artifacts" / tenant_id

    @property
    def engine_dir(self) -> Path:
        return self.root / "engine"

    def project_dir(self, project_id: str) -> Path:
        return self.root / "projects" / project_id

    def ensure_engine(self) -> Path:
        """The workspace project packages render in: checkpoints off, defaults elsewhere."""
        config = self.engine_dir / "project.yaml"
        if not config.is_file():
            text = yaml.safe_dump(
                {
                    "schema_version": "1.0.0",
                    "title": f"Video Engine workspace of {self.tenant_id}",
                    "human_checkpoints": dict.fromkeys(HUMAN_CHECKPOINTS, False),
                },
                sort_keys=False,
            )
            write_atomic(config, text.encode("utf-8"))
        return self.engine_dir


def _folder_bytes(root: Path) -> int:
    total = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            try:
                total += (Path(folder) / name).lstat().st_size
            except OSError:
                continue  # a temp file renamed away while we walked
    return total


class StorageMeter:
    """Bytes under each tenant's folder, measured at most every ``max_age`` seconds."""

    def __init__(
        self,
        artifact_root: Path,
        *,
        max_age: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.artifact_root = artifact_root
        self.max_age = max_age
        self.clock = clock
        self._seen: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def usage(self, tenant_id: str) -> int:
        with self._lock:
            cached = self._seen.get(tenant_id)
            if cached is not None and self.clock() - cached[0] < self.max_age:
                return cached[1]
        size = _folder_bytes(TenantSpace(self.artifact_root, tenant_id).root)
        with self._lock:
            self._seen[tenant_id] = (self.clock(), size)
        return size
