"""AssetManifest (what is needed) and RenderPlan (where each need comes from)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from sparkle_motion.schemas.base import Artifact, Model
from sparkle_motion.schemas.project import (
    CaptionSettings,
    QASettings,
    RenderProfile,
    VoiceSetting,
)

__all__ = [
    "AssetManifest",
    "AssetNeed",
    "CastMember",
    "License",
    "RenderPlan",
    "ResolvedAsset",
    "character_variant",
    "framing_slug",
]

AssetKind = Literal["background", "character", "prop", "sfx", "music", "vo_line"]
AssetSource = Literal["local", "cache", "generated", "placeholder"]


def framing_slug(framing: str) -> str:
    """``over_the_shoulder`` → ``over-the-shoulder``: the file-name form."""
    return framing.replace("_", "-")


def character_variant(speaker_id: str, framing: str, expression: str) -> str:
    """The need key of a character as one shot shows it (``character/<this>`` is its need id)."""
    slug = "".join(ch if ch.isalnum() else "-" for ch in expression.lower()).strip("-") or "neutral"
    return f"{speaker_id}/{framing_slug(framing)}-{slug}"


class AssetNeed(Model):
    """One picture or sound the shots need. Names no provider."""

    id: str
    kind: AssetKind
    key: str
    description: str = ""
    shots: list[str] = Field(default_factory=list)
    requested: str | None = None
    speaker_id: str | None = None
    text: str | None = None
    tags: list[str] = Field(default_factory=list)


class AssetManifest(Artifact):
    KIND: ClassVar[str] = "asset_manifest"

    episode_id: str
    timing_lock_hash: str
    needs: list[AssetNeed] = Field(default_factory=list)


class License(Model):
    license_type: str
    attribution: str = ""
    purchase_record: str | None = None
    provider_or_model: str | None = None
    retrieval_date: str | None = None
    redistributable: bool = False


class ResolvedAsset(Model):
    need_id: str
    kind: AssetKind
    source: AssetSource
    uri: str
    sha256: str | None = None
    fallbacks: list[str] = Field(default_factory=list)
    placeholder: bool = False
    note: str = ""
    license: License | None = None


class CastMember(Model):
    """How a speaking or visible character looks and is named on screen."""

    name: str
    color: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")


class RenderPlan(Artifact):
    """Everything the Video Engine needs besides the shot list and the asset manifest:
    the profile (size, frame rate, encoder, loudness target), every need resolved to a
    file or a generated stand-in, the voices, the cast, the sound levels, the caption
    style and the quality tolerances. The engine reads nothing else."""

    KIND: ClassVar[str] = "render_plan"
    SCHEMA_VERSION: ClassVar[str] = "1.1.0"  # 1.1: captions and qa

    episode_id: str
    profile: RenderProfile
    timing_lock_hash: str
    seed: int
    assets: list[ResolvedAsset] = Field(default_factory=list)
    voices: dict[str, VoiceSetting] = Field(default_factory=dict)
    cast: dict[str, CastMember] = Field(default_factory=dict)
    music_level_db: float = -20.0
    music_duck_db: float = 12.0
    room_tone_db: float | None = None  # the room tone's level under the dialogue; None: none
    captions: CaptionSettings = CaptionSettings()
    qa: QASettings = QASettings()

    def asset(self, need_id: str) -> ResolvedAsset | None:
        return next((a for a in self.assets if a.need_id == need_id), None)

    def placeholders(self) -> list[ResolvedAsset]:
        return [a for a in self.assets if a.placeholder]
