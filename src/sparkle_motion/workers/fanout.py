"""A RenderPackage on the fleet: a fan-out of shots and speech, a fan-in to assembly.

The package's artifacts go into the workspace's registry first (the tasks
carry only their hashes); then one task per shot and one for the speech run
on any worker of the site's queues, and when all have finished the assembly
task makes the episode from what they left in the shared cache. Two renders
of one package, in one process or across workers, give the same bytes: every
task makes its part from the package alone, under the same content keys.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from celery import Celery, chord, group
from celery.result import AsyncResult

from sparkle_motion.registry import Registry
from sparkle_motion.render.package import RenderPackage
from sparkle_motion.workers.tasks import PACKAGE_PARTS, STATE_DIR

__all__ = ["PACKAGE_PARTS", "store_package", "submit_package"]


def store_package(
    package: RenderPackage, workspace: Path, *, run_id: str, database_url: str | None = None
) -> dict[str, str]:
    """The package's three artifacts in the workspace's registry: name -> content hash."""
    with Registry.open(workspace / STATE_DIR, database_url) as registry:
        return {
            name: registry.put_artifact(getattr(package, name), run_id=run_id).hash
            for name in PACKAGE_PARTS
        }


def submit_package(
    app: Celery,
    package: RenderPackage,
    workspace: Path,
    out_dir: Path,
    *,
    run_id: str,
    database_url: str | None = None,
) -> AsyncResult[dict[str, Any]]:
    """Send the package to the fleet; the assembly task's result (see :func:`.tasks.assemble`)."""
    root = str(workspace.resolve())
    hashes = store_package(package, workspace, run_id=run_id, database_url=database_url)
    header = group(
        app.signature("sparkle_motion.speak", (root, hashes, run_id)),
        *(
            app.signature("sparkle_motion.render_shot", (root, hashes, run_id, shot.id))
            for shot in package.shotlist.shots
        ),
    )
    finish = app.signature("sparkle_motion.assemble", (root, hashes, run_id, str(out_dir)))
    return chord(header, app=app)(finish)
