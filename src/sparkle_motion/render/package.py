"""A RenderPackage: the three artifacts the Video Engine renders, checked to belong together."""

from __future__ import annotations

from dataclasses import dataclass

from sparkle_motion.errors import InvalidArtifact
from sparkle_motion.schemas import AssetManifest, RenderPlan, Shot, ShotList

__all__ = ["RenderPackage"]


@dataclass(frozen=True)
class RenderPackage:
    """A shot list, its asset manifest and its render plan.

    Build one with :meth:`of`, which refuses three artifacts that do not fit
    together: another episode, another timing lock, or a shot list planned at
    another frame rate than the profile renders (the profile is the one truth
    for size and frame rate), or lines whose speakers the plan gives no voice.
    """

    shotlist: ShotList
    asset_manifest: AssetManifest
    render_plan: RenderPlan

    @classmethod
    def of(
        cls, shotlist: ShotList, asset_manifest: AssetManifest, render_plan: RenderPlan
    ) -> RenderPackage:
        for name, artifact in (("asset_manifest", asset_manifest), ("render_plan", render_plan)):
            if artifact.episode_id != shotlist.episode_id:
                raise InvalidArtifact(
                    f"$.episode_id: {artifact.episode_id!r} is not the shot list's "
                    f"{shotlist.episode_id!r}",
                    where=name,
                    hint="pass the shot list, asset manifest and render plan of one episode",
                )
            if artifact.timing_lock_hash != shotlist.timing_lock_hash:
                raise InvalidArtifact(
                    f"$.timing_lock_hash: {artifact.timing_lock_hash[:12]} does not match the "
                    f"shot list's {shotlist.timing_lock_hash[:12]}",
                    where=name,
                    hint="plan the asset manifest and render plan again from this shot list",
                )
        profile = render_plan.profile
        if shotlist.fps != profile.fps:
            raise InvalidArtifact(
                f"$.fps: the shot list is timed at {shotlist.fps} fps, the render plan's "
                f"profile {profile.name!r} renders {profile.fps} fps",
                where="shotlist",
                hint="plan the shot list for this profile (sparkle-motion run --profile "
                f"{profile.name}), or resolve the plan with a {shotlist.fps} fps profile",
            )
        voiceless = sorted(
            {
                line.speaker_id
                for shot in shotlist.shots
                for line in shot.lines
                if line.speaker_id not in render_plan.voices
            }
        )
        if voiceless:
            raise InvalidArtifact(
                f"$.voices: no voice for {', '.join(voiceless)}, who speak in the shot list",
                where="render_plan",
                hint="resolve the render plan again from this shot list's script",
            )
        return cls(shotlist, asset_manifest, render_plan)

    @property
    def episode_id(self) -> str:
        return self.shotlist.episode_id

    def shot(self, shot_id: str) -> Shot:
        for shot in self.shotlist.shots:
            if shot.id == shot_id:
                return shot
        raise InvalidArtifact(
            f"no shot {shot_id!r} in episode {self.episode_id}",
            where="shot_id",
            hint=f"one of: {', '.join(s.id for s in self.shotlist.shots[:8])}"
            + (", …" if len(self.shotlist.shots) > 8 else ""),
        )

    def scene_ids(self) -> list[str]:
        """The scenes in playing order (each once)."""
        return list(dict.fromkeys(shot.scene_id for shot in self.shotlist.shots))
