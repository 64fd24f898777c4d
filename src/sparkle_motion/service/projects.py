"""Projects, their scenes and assets: rows in the registry database, mirrored into
the tenant's project folder (project.yaml, canon.json, episodes/, assets/) that
runs read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import shutil
import threading
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import Engine, RowMapping, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from sparkle_motion.atomic import write_atomic
from sparkle_motion.canon.keys import tenant_project_id
from sparkle_motion.errors import IdempotencyConflict, InputError, InvalidArtifact, MissingInput
from sparkle_motion.pipeline.canon_project import carry_title_canon
from sparkle_motion.registry.engine import write_transaction
from sparkle_motion.schemas import Canon, Project, Scene, Script, canonical_json
from sparkle_motion.service.project_models import (
    AssetIn,
    AssetOut,
    CharacterIn,
    LicenseIn,
    ProjectIn,
    ProjectOut,
    ProjectUpdate,
    SceneIn,
    SceneOut,
    SceneUpdate,
)
from sparkle_motion.service.store import dumps
from sparkle_motion.service.tables import assets, projects, scenes
from sparkle_motion.service.tenancy import TenantSpace

__all__ = ["ProjectStore"]

Clock = Callable[[], datetime]
AssetSink = Callable[[str, bytes, Mapping[str, Any]], None]


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _config(data: Mapping[str, Any], where: str) -> Project:
    return Project.from_data({"schema_version": "1.0.0", **data}, source=where)


def _scene(data: Mapping[str, Any], where: str) -> Scene:
    try:
        return Scene.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        path = "$" + "".join(f".{part}" for part in first["loc"])
        raise InvalidArtifact(f"{path}: {first['msg'].lower()}", where=where) from None


def _not_found(what: str, name: str) -> MissingInput:
    return MissingInput(f"no {what} {name!r}", where="this tenant", hint=f"list the {what}s first")


class ProjectStore:
    def __init__(self, engine: Engine, artifact_root: Path, clock: Clock) -> None:
        self.engine = engine
        self.artifact_root = artifact_root
        self.clock = clock
        self._lock = threading.Lock()

    def folder(self, tenant_id: str, project_id: str) -> Path:
        return TenantSpace(self.artifact_root, tenant_id).project_dir(project_id)

    # -- projects -------------------------------------------------------------

    def _row(self, tenant_id: str, project_id: str) -> RowMapping:
        query = select(projects).where(
            projects.c.project_id == project_id, projects.c.tenant_id == tenant_id
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            raise _not_found("project", project_id)
        return row

    @staticmethod
    def _out(row: RowMapping) -> ProjectOut:
        return ProjectOut(
            project_id=row["project_id"],
            config=json.loads(row["config"]),
            characters=[CharacterIn(**c) for c in json.loads(row["characters"])],
            canon=json.loads(row["canon"]) if row["canon"] else None,
            created_at=_utc(row["created_at"]),
            updated_at=_utc(row["updated_at"]),
        )

    def _write_folder(self, tenant_id: str, out: ProjectOut) -> None:
        root = self.folder(tenant_id, out.project_id)
        # The canon is kept under the project's id, and titles repeat across tenants.
        canon_id = tenant_project_id(tenant_id, out.project_id)
        # Runs share this database unless it is SQLite; then each folder has its own.
        shared = None if self.engine.dialect.name == "sqlite" else self.engine
        carry_title_canon(root, canon_id, shared, by="service")
        config = {"schema_version": "1.0.0", **out.config, "id": canon_id}
        write_atomic(root / "project.yaml", yaml.safe_dump(config, sort_keys=True).encode())
        canon = out.canon or {"schema_version": "1.0.0"}
        write_atomic(root / "canon.json", canonical_json(canon))

    def create(self, tenant_id: str, body: ProjectIn) -> ProjectOut:
        _config(body.config, "config")
        if body.canon is not None:
            Canon.from_data(body.canon, source="canon")
        if (self.folder(tenant_id, body.project_id) / "project.yaml").exists():
            self._forget_folder(tenant_id, body.project_id)
        now = self.clock()
        try:
            with self._lock, write_transaction(self.engine) as connection:
                connection.execute(
                    insert(projects).values(
                        project_id=body.project_id,
                        tenant_id=tenant_id,
                        config=dumps(body.config),
                        characters=dumps([c.model_dump() for c in body.characters]),
                        canon=dumps(body.canon) if body.canon is not None else None,
                        created_at=now,
                        updated_at=now,
                    )
                )
        except IntegrityError:
            raise IdempotencyConflict(
                f"a project {body.project_id!r} already exists",
                where="project_id",
                hint="choose another id, or PATCH the project",
            ) from None
        out = self.get(tenant_id, body.project_id)
        self._write_folder(tenant_id, out)
        return out

    def get(self, tenant_id: str, project_id: str) -> ProjectOut:
        return self._out(self._row(tenant_id, project_id))

    def list_projects(self, tenant_id: str) -> list[ProjectOut]:
        query = select(projects).where(projects.c.tenant_id == tenant_id)
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(projects.c.project_id)).mappings().all()
        return [self._out(row) for row in rows]

    def update(self, tenant_id: str, project_id: str, body: ProjectUpdate) -> ProjectOut:
        self._row(tenant_id, project_id)
        values: dict[str, Any] = {"updated_at": self.clock()}
        if body.config is not None:
            _config(body.config, "config")
            values["config"] = dumps(body.config)
        if body.characters is not None:
            values["characters"] = dumps([c.model_dump() for c in body.characters])
        if body.canon is not None:
            Canon.from_data(body.canon, source="canon")
            values["canon"] = dumps(body.canon)
        with self._lock, write_transaction(self.engine) as connection:
            connection.execute(
                update(projects)
                .where(projects.c.project_id == project_id, projects.c.tenant_id == tenant_id)
                .values(**values)
            )
        out = self.get(tenant_id, project_id)
        self._write_folder(tenant_id, out)
        return out

    def delete(self, tenant_id: str, project_id: str) -> None:
        self._row(tenant_id, project_id)
        with self._lock, write_transaction(self.engine) as connection:
            connection.execute(delete(scenes).where(scenes.c.project_id == project_id))
            connection.execute(delete(assets).where(assets.c.project_id == project_id))
            connection.execute(
                delete(projects).where(
                    projects.c.project_id == project_id, projects.c.tenant_id == tenant_id
                )
            )
        self._forget_folder(tenant_id, project_id)

    def _forget_folder(self, tenant_id: str, project_id: str) -> None:
        """A deleted project's folder keeps its runs (they are evidence) but not its setup."""
        root = self.folder(tenant_id, project_id)
        for name in ("project.yaml", "canon.json"):
            (root / name).unlink(missing_ok=True)
        for sub in ("episodes", "assets"):
            shutil.rmtree(root / sub, ignore_errors=True)

    # -- scenes ---------------------------------------------------------------

    def _scene_rows(self, project_id: str, episode_id: str | None = None) -> list[RowMapping]:
        query = select(scenes).where(scenes.c.project_id == project_id)
        if episode_id is not None:
            query = query.where(scenes.c.episode_id == episode_id)
        query = query.order_by(scenes.c.episode_id, scenes.c.position, scenes.c.scene_id)
        with self.engine.connect() as connection:
            return list(connection.execute(query).mappings().all())

    def scenes(self, tenant_id: str, project_id: str, episode_id: str | None) -> list[SceneOut]:
        self._row(tenant_id, project_id)
        out: list[SceneOut] = []
        clock: dict[str, float | None] = {}
        for row in self._scene_rows(project_id, episode_id):
            start = clock.setdefault(row["episode_id"], 0.0)
            out.append(
                SceneOut(
                    id=row["id"],
                    episode_id=row["episode_id"],
                    scene_id=row["scene_id"],
                    position=row["position"],
                    target_seconds=row["target_seconds"],
                    start_seconds=start,
                    scene=json.loads(row["data"]),
                )
            )
            seconds = row["target_seconds"]
            clock[row["episode_id"]] = None if start is None or seconds is None else start + seconds
        return out

    def scene(self, tenant_id: str, project_id: str, scene_pk: str) -> SceneOut:
        for item in self.scenes(tenant_id, project_id, None):
            if item.id == scene_pk:
                return item
        raise _not_found("scene", scene_pk)

    def add_scene(self, tenant_id: str, project_id: str, body: SceneIn) -> SceneOut:
        self._row(tenant_id, project_id)
        scene = _scene(body.scene, "scene")
        scene_pk = uuid.uuid4().hex
        try:
            with self._lock, write_transaction(self.engine) as connection:
                position = body.position
                if position is None:
                    last = connection.execute(
                        select(func.max(scenes.c.position)).where(
                            scenes.c.project_id == project_id,
                            scenes.c.episode_id == body.episode_id,
                        )
                    ).scalar_one_or_none()
                    position = 0 if last is None else int(last) + 1
                connection.execute(
                    insert(scenes).values(
                        id=scene_pk,
                        project_id=project_id,
                        episode_id=body.episode_id,
                        scene_id=scene.id,
                        position=position,
                        target_seconds=body.target_seconds,
                        data=dumps(scene.model_dump(mode="json", exclude_none=True)),
                    )
                )
        except IntegrityError:
            raise IdempotencyConflict(
                f"episode {body.episode_id} already has a scene {scene.id!r}",
                where="scene.id",
                hint="give the scene another id, or PATCH the existing one",
            ) from None
        return self.scene(tenant_id, project_id, scene_pk)

    def update_scene(
        self, tenant_id: str, project_id: str, scene_pk: str, body: SceneUpdate
    ) -> SceneOut:
        current = self.scene(tenant_id, project_id, scene_pk)
        values: dict[str, Any] = {}
        if body.scene is not None:
            scene = _scene(body.scene, "scene")
            if scene.id != current.scene_id:
                raise InputError("a scene's id cannot change", where="scene.id")
            values["data"] = dumps(scene.model_dump(mode="json", exclude_none=True))
        if body.position is not None:
            values["position"] = body.position
        if body.target_seconds is not None:
            values["target_seconds"] = body.target_seconds
        if values:
            with self._lock, write_transaction(self.engine) as connection:
                connection.execute(update(scenes).where(scenes.c.id == scene_pk).values(**values))
        return self.scene(tenant_id, project_id, scene_pk)

    def delete_scene(self, tenant_id: str, project_id: str, scene_pk: str) -> None:
        self.scene(tenant_id, project_id, scene_pk)
        with self._lock, write_transaction(self.engine) as connection:
            connection.execute(delete(scenes).where(scenes.c.id == scene_pk))

    def write_episode(self, tenant_id: str, project_id: str, episode_id: str) -> Path:
        """Assemble the episode's Script from its scenes, in order, into episodes/."""
        project = self.get(tenant_id, project_id)
        rows = self._scene_rows(project_id, episode_id)
        if not rows:
            raise MissingInput(
                f"episode {episode_id!r} of project {project_id!r} has no scenes",
                where="episode_id",
                hint=f"add scenes with POST /api/projects/{project_id}/scenes",
            )
        script = Script.from_data(
            {
                "schema_version": "1.0.0",
                "episode_id": episode_id,
                "title": str(project.config.get("title", "")),
                "characters": [c.model_dump() for c in project.characters],
                "scenes": [json.loads(row["data"]) for row in rows],
            },
            source=f"project {project_id} episode {episode_id}",
        )
        root = self.folder(tenant_id, project_id)
        self._write_folder(tenant_id, project)
        path = root / "episodes" / f"{episode_id}.script.json"
        write_atomic(path, script.to_json())
        return root

    # -- assets ---------------------------------------------------------------

    @staticmethod
    def _asset_out(row: RowMapping) -> AssetOut:
        return AssetOut(
            id=row["id"],
            path=row["path"],
            sha256=row["sha256"],
            size=row["size"],
            media_type=row["media_type"],
            license=LicenseIn(**json.loads(row["license"])),
            created_at=_utc(row["created_at"]),
        )

    def assets(self, tenant_id: str, project_id: str) -> list[AssetOut]:
        self._row(tenant_id, project_id)
        query = select(assets).where(assets.c.project_id == project_id).order_by(assets.c.path)
        with self.engine.connect() as connection:
            return [self._asset_out(r) for r in connection.execute(query).mappings()]

    def asset(self, tenant_id: str, project_id: str, asset_id: str) -> AssetOut:
        for item in self.assets(tenant_id, project_id):
            if item.id == asset_id:
                return item
        raise _not_found("asset", asset_id)

    def add_asset(
        self, tenant_id: str, project_id: str, body: AssetIn, sink: AssetSink
    ) -> AssetOut:
        self._row(tenant_id, project_id)
        if ".." in body.path.split("/") or "//" in body.path or body.path.endswith("/"):
            raise InputError("an asset path may not contain '..' or empty parts", where="path")
        try:
            data = base64.b64decode(body.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InputError("content_base64 is not valid base64", where="content_base64") from None
        if not data:
            raise InputError("the asset is empty", where="content_base64")
        digest = hashlib.sha256(data).hexdigest()
        licence = body.license.model_dump(mode="json")
        asset_id = uuid.uuid4().hex
        try:
            with self._lock, write_transaction(self.engine) as connection:
                connection.execute(
                    insert(assets).values(
                        id=asset_id,
                        project_id=project_id,
                        path=body.path,
                        sha256=digest,
                        size=len(data),
                        media_type=body.media_type,
                        license=dumps(licence),
                        created_at=self.clock(),
                    )
                )
        except IntegrityError:
            raise IdempotencyConflict(
                f"the project already has an asset at {body.path}",
                where="path",
                hint="delete it first, or choose another path",
            ) from None
        target = self.folder(tenant_id, project_id) / "assets" / body.path
        write_atomic(target, data)
        sidecar = target.with_name(target.name + ".license.yaml")
        write_atomic(sidecar, yaml.safe_dump(licence, sort_keys=True).encode())
        sink(digest, data, {"project_id": project_id, "path": f"assets/{body.path}"})
        return self.asset(tenant_id, project_id, asset_id)

    def delete_asset(self, tenant_id: str, project_id: str, asset_id: str) -> None:
        item = self.asset(tenant_id, project_id, asset_id)
        with self._lock, write_transaction(self.engine) as connection:
            connection.execute(delete(assets).where(assets.c.id == asset_id))
        target = self.folder(tenant_id, project_id) / "assets" / item.path
        target.unlink(missing_ok=True)
        target.with_name(target.name + ".license.yaml").unlink(missing_ok=True)
