"""A RenderPackage on real workers over a real broker: same bytes as one process."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

import pytest
from celery import Celery

from sparkle_motion.cache import BlobCache
from sparkle_motion.registry import Registry, RegistryOutputs
from sparkle_motion.render.engine import render_episode
from sparkle_motion.render.media import FolderMedia
from sparkle_motion.render.package import RenderPackage
from sparkle_motion.schemas import AssetManifest, RenderPlan, ShotList, builtin_profiles
from sparkle_motion.settings import Settings
from sparkle_motion.workers.app import close_app, make_app
from sparkle_motion.workers.fanout import submit_package
from tests.service.helpers import render_inputs, wait_for
from tests.workers.fleet import RABBIT, Workers, postgres_url, redis_db

__all__ = ["postgres_url", "redis_db"]  # the fixtures

pytestmark = pytest.mark.slow


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def package(shots: int = 8) -> RenderPackage:
    inputs = render_inputs(
        shots=shots, frames=36, profile=builtin_profiles()["preview_small"], engine="silent"
    )
    return RenderPackage.of(
        ShotList.from_data(inputs["shotlist"]),
        AssetManifest.from_data(inputs["asset_manifest"]),
        RenderPlan.from_data(inputs["render_plan"]),
    )


def one_process(pack: RenderPackage, root: Path) -> Path:
    cache = BlobCache(root / ".sparkle" / "cache")
    with Registry.open(root / ".sparkle") as registry:
        rendered = render_episode(
            pack,
            media=FolderMedia(root, cache),
            cache=cache,
            store=RegistryOutputs(registry, "single"),
            work_dir=root / "work",
            out_dir=root / "out",
        )
    return rendered.files["video"]


def answering(app: Celery) -> set[str]:
    """The workers that answer a ping now (over a connection closed after)."""
    with app.connection_for_write() as connection:
        return set(app.control.inspect(timeout=1, connection=connection).ping() or {})


def fleet_render(
    broker: str, backend: str | None, tmp_path: Path, workers: int, **env: str
) -> dict[str, Any]:
    """The package rendered by ``workers`` worker processes; the assembly's answer."""
    site = f"t{uuid.uuid4().hex[:8]}"
    settings = Settings(broker_url=broker, result_backend=backend, site_id=site)
    app = make_app(settings)
    fleet = Workers(broker, backend, site, env)
    try:
        for n in range(workers):
            fleet.start(f"w{n}")
        names = {f"w{n}@test" for n in range(workers)}
        wait_for(lambda: names <= answering(app), timeout=60)
        pack = package()
        workspace = tmp_path / f"fleet-{workers}"
        result = submit_package(
            app,
            pack,
            workspace,
            workspace / "out",
            run_id="r1",
            database_url=env.get("SPARKLE_DATABASE_URL"),
        )
        done: dict[str, Any] = result.get(timeout=300)
        assert done["status"] == "complete" and done["shots"] == len(pack.shotlist.shots)
        return done
    finally:
        fleet.stop()
        close_app(app)


def test_a_package_fanned_out_to_two_workers_is_the_single_process_render(
    redis_db: str, tmp_path: Path
) -> None:
    single = sha(one_process(package(), tmp_path / "single"))
    two = fleet_render(redis_db, None, tmp_path, workers=2)
    assert sha(Path(two["video"])) == single
    assert len(two["processes"]) == 2, "both workers rendered shots"
    one = fleet_render(redis_db, None, tmp_path / "one", workers=1)
    assert sha(Path(one["video"])) == single and len(one["processes"]) == 1


def test_a_worker_killed_mid_shot_loses_nothing(redis_db: str, tmp_path: Path) -> None:
    single = sha(one_process(package(), tmp_path / "single"))
    shot = package().shotlist.shots[1].id
    done = fleet_render(redis_db, None, tmp_path, workers=1, SPARKLE_WORKER_FAILPOINT=shot)
    assert (tmp_path / "fleet-1" / ".sparkle" / "failpoints" / shot).exists()  # it died there
    assert sha(Path(done["video"])) == single  # the shot went back to the queue and was made


def test_rabbitmq_carries_the_tasks_too(redis_db: str, tmp_path: Path) -> None:
    single = sha(one_process(package(), tmp_path / "single"))
    assert sha(Path(fleet_render(RABBIT, redis_db, tmp_path, workers=2)["video"])) == single


@pytest.mark.postgres
def test_a_fleet_on_postgresql_keeps_its_registry_there(
    redis_db: str, postgres_url: str, tmp_path: Path
) -> None:
    single = sha(one_process(package(), tmp_path / "single"))
    done = fleet_render(redis_db, None, tmp_path, workers=2, SPARKLE_DATABASE_URL=postgres_url)
    assert sha(Path(done["video"])) == single
    assert not (tmp_path / "fleet-2" / ".sparkle" / "registry.sqlite3").exists()
    with Registry.open(tmp_path / "fleet-2" / ".sparkle", postgres_url) as registry:
        assert registry.has(done["render_output"])
