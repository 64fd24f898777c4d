"""What the API takes in and gives back for projects, scenes, assets and approvals."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from sparkle_motion.service.models import Input

__all__ = [
    "ApprovalIn",
    "ApprovalOut",
    "AssetIn",
    "AssetOut",
    "AuditOut",
    "CharacterIn",
    "LicenseIn",
    "PendingApproval",
    "PendingOut",
    "ProjectIn",
    "ProjectOut",
    "ProjectUpdate",
    "SceneIn",
    "SceneOut",
    "SceneUpdate",
]

Id = r"^[a-z0-9][a-z0-9_-]{0,62}$"


class CharacterIn(Input):
    speaker_id: str = Field(pattern=Id)
    name: str = Field(min_length=1, max_length=200)


class ProjectIn(Input):
    project_id: str = Field(pattern=Id)
    config: dict[str, Any] = Field(description="project.yaml settings (docs/project.md)")
    characters: list[CharacterIn] = Field(default_factory=list, max_length=200)
    canon: dict[str, Any] | None = Field(None, description="canon.json (docs/project.md)")


class ProjectUpdate(Input):
    config: dict[str, Any] | None = None
    characters: list[CharacterIn] | None = Field(None, max_length=200)
    canon: dict[str, Any] | None = None


class ProjectOut(BaseModel):
    project_id: str
    config: dict[str, Any]
    characters: list[CharacterIn]
    canon: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime


class SceneIn(Input):
    episode_id: str = Field(pattern=Id)
    scene: dict[str, Any] = Field(description="a Script scene (docs/project.md)")
    position: int | None = Field(None, ge=0, le=1_000_000, description="default: last")
    target_seconds: float | None = Field(None, gt=0.0, le=7200.0)


class SceneUpdate(Input):
    scene: dict[str, Any] | None = None
    position: int | None = Field(None, ge=0, le=1_000_000)
    target_seconds: float | None = Field(None, gt=0.0, le=7200.0)


class SceneOut(BaseModel):
    id: str
    episode_id: str
    scene_id: str
    position: int
    target_seconds: float | None
    start_seconds: float | None = Field(
        description="where the scene starts in its episode, from the target_seconds before it"
    )
    scene: dict[str, Any]


class LicenseIn(Input):
    license_type: Literal["cc0", "cc-by", "cc-by-sa", "public_domain", "owned", "licensed"]
    attribution: str = Field(min_length=1, max_length=1000)
    purchase_record: str | None = Field(None, max_length=1000)
    provider_or_model: str | None = Field(None, max_length=200)
    retrieval_date: str | None = Field(None, max_length=50)
    redistributable: bool = False


class AssetIn(Input):
    path: str = Field(
        min_length=1,
        max_length=300,
        pattern=r"^(locations|music|sfx|characters|props)/[A-Za-z0-9_./-]+$",
        description="where under assets/ it goes, e.g. locations/cliff-path/dusk.png",
    )
    media_type: str = Field(pattern=r"^(image|audio)/[a-z0-9.+-]+$")
    content_base64: str = Field(min_length=1, max_length=70_000_000)
    license: LicenseIn


class AssetOut(BaseModel):
    id: str
    path: str
    sha256: str
    size: int
    media_type: str
    license: LicenseIn
    created_at: datetime


class PendingApproval(BaseModel):
    run_id: str
    checkpoint: str
    stage: str
    subject_hash: str
    waiting_since: str


class PendingOut(BaseModel):
    pending: list[PendingApproval]


class ApprovalIn(Input):
    decision: Literal["approve", "reject"]
    approver_id: str = Field(min_length=1, max_length=200)
    notes: str = Field("", max_length=5000)


class ApprovalOut(BaseModel):
    run_id: str
    checkpoint: str
    decision: Literal["approved", "rejected"]
    by: str
    at: str
    notes: str
    subject_hash: str


class AuditOut(BaseModel):
    run_id: str
    approvals: list[ApprovalOut]
