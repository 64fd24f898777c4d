"""What a job is asked to do, as stored with it: one typed model instead of loose keys."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from sparkle_motion.render.package import RenderPackage
from sparkle_motion.schemas import AssetManifest, RenderPlan, ShotList
from sparkle_motion.service.models import Callback, DesiredOutput, LoggingOptions

__all__ = ["JobSpec", "PackageSpec"]


class PackageSpec(BaseModel):
    """A RenderPackage's three artifacts, validated when the job was made."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    shotlist: dict[str, Any]
    asset_manifest: dict[str, Any]
    render_plan: dict[str, Any]

    @classmethod
    def of(cls, package: RenderPackage) -> PackageSpec:
        return cls(
            shotlist=package.shotlist.model_dump(mode="json"),
            asset_manifest=package.asset_manifest.model_dump(mode="json"),
            render_plan=package.render_plan.model_dump(mode="json"),
        )

    def package(self) -> RenderPackage:
        return RenderPackage.of(
            ShotList.from_data(self.shotlist, source="job package.shotlist"),
            AssetManifest.from_data(self.asset_manifest, source="job package.asset_manifest"),
            RenderPlan.from_data(self.render_plan, source="job package.render_plan"),
        )


class JobSpec(BaseModel):
    """A job renders a project's episode (through the pipeline), a RenderPackage (through
    the Video Engine alone), or upgrades an episode's shots through a provider."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    episode_id: str | None = None
    mode: Literal["run", "dry", "upgrade"] = "run"
    profile: str | None = None
    shots: list[str] = Field(default_factory=list, description="an upgrade's chosen shots")
    scenes: list[str] = Field(default_factory=list, description="an upgrade's chosen scenes")
    # "seeds" is what jobs stored before this model called the package
    package: PackageSpec | None = Field(None, validation_alias=AliasChoices("package", "seeds"))
    desired_outputs: list[DesiredOutput] = Field(default_factory=list)
    callbacks: list[Callback] = Field(default_factory=list)
    logging: LoggingOptions = Field(default_factory=LoggingOptions)

    def stored(self) -> dict[str, Any]:
        """The JSON stored with the job."""
        return self.model_dump(mode="json", exclude_none=True)
