"""Where a scene's sound goes: its lines, effects and music beds, from the scene's start.

Pure: the shot list, the plan and the speech's hashes in, plain values out.
A scene's layout is also its cache key's material, so it holds content
hashes, never paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sparkle_motion.schemas import MediaSet, RenderPlan, ResolvedAsset, Shot, ShotList
from sparkle_motion.seeding import seed_int

__all__ = ["SFX_GAIN_DB", "SFX_OFFSET_SECONDS", "SceneLayout", "scene_layouts"]

SFX_OFFSET_SECONDS = 0.15
SFX_GAIN_DB = -6.0


@dataclass(frozen=True)
class SceneLayout:
    """One scene's sound as plain values (its key) and how to lay it out (on a miss)."""

    id: str
    length: int  # samples
    lines: tuple[tuple[str, float], ...]  # (speech sha256, seconds from the scene's start)
    effects: tuple[tuple[ResolvedAsset, float], ...]
    beds: tuple[tuple[str, ResolvedAsset | None, tuple[tuple[int, int], ...]], ...]
    seed: int

    def material(self) -> dict[str, Any]:
        """Everything but the dialogue that shapes the scene's mix."""
        return {
            "length": self.length,
            "effects": [[a.sha256 or a.uri, start] for a, start in self.effects],
            "beds": [[m, a.sha256 or a.uri if a else None, list(s)] for m, a, s in self.beds],
            "seed": self.seed,
        }


def scene_layouts(
    shotlist: ShotList, plan: RenderPlan, voice: MediaSet, rate: int, only: str | None = None
) -> list[SceneLayout]:
    """The shots grouped by scene, each scene's lines, effects and beds from its start
    (with ``only``, that one scene's: the others' lines need not be spoken)."""
    starts, fps = shotlist.shot_starts(), shotlist.fps
    groups: list[list[Shot]] = []
    for shot in shotlist.shots:
        if groups and groups[-1][0].scene_id == shot.scene_id:
            groups[-1].append(shot)
        else:
            groups.append([shot])
    scenes = []
    for shots in groups:
        if only is not None and shots[0].scene_id != only:
            continue
        begin = starts[shots[0].id]
        end = starts[shots[-1].id] + shots[-1].frames
        lines: list[tuple[str, float]] = []
        effects: list[tuple[ResolvedAsset, float]] = []
        spans: dict[str, list[tuple[int, int]]] = {}
        for shot in shots:
            offset = (starts[shot.id] - begin) / fps
            lines += [(voice.item(line.line_id).sha256, offset + line.start) for line in shot.lines]
            for effect in shot.sfx:
                found = plan.asset(f"sfx/{effect}")
                if found is not None and not found.placeholder and found.source != "generated":
                    effects.append((found, offset + SFX_OFFSET_SECONDS))
            span = (round(offset * rate), round((offset + shot.frames / fps) * rate))
            spans.setdefault(shot.music_mood, []).append(span)
        beds = tuple(
            (mood, plan.asset(f"music/{mood}"), tuple(ranges))
            for mood, ranges in sorted(spans.items())
        )
        scenes.append(
            SceneLayout(
                id=shots[0].scene_id,
                length=round(end / fps * rate) - round(begin / fps * rate),
                lines=tuple(lines),
                effects=tuple(effects),
                beds=beds,
                seed=seed_int(plan.seed, "scene", shots[0].scene_id),
            )
        )
    return scenes
