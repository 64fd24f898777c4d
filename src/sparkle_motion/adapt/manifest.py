"""ShotList → AssetManifest: every picture and sound the shots need. Pure.

Names no provider: the resolver decides where each need comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sparkle_motion.schemas import AssetManifest, AssetNeed, Script, ShotList

__all__ = ["build_manifest"]


@dataclass
class _Gathered:
    description: str
    shots: list[str] = field(default_factory=list)
    requested: str | None = None


def build_manifest(shotlist: ShotList, script: Script) -> AssetManifest:
    backgrounds: dict[str, _Gathered] = {}
    characters: dict[str, _Gathered] = {}
    moods: dict[str, _Gathered] = {}
    lines: list[AssetNeed] = []
    for shot in shotlist.shots:
        place = "interior" if shot.interior else "exterior"
        background = backgrounds.setdefault(
            f"{shot.location_key}/{shot.time_of_day}",
            _Gathered(f"{shot.location}, {place}, {shot.time_of_day}"),
        )
        background.shots.append(shot.id)
        background.requested = background.requested or shot.background_ref
        for who in shot.characters:
            characters.setdefault(who, _Gathered(script.character_name(who))).shots.append(shot.id)
        moods.setdefault(shot.music_mood, _Gathered(f"a {shot.music_mood} music bed")).shots.append(
            shot.id
        )
        lines.extend(
            AssetNeed(
                id=f"vo/{line.line_id}",
                kind="vo_line",
                key=line.line_id,
                description=f"{script.character_name(line.speaker_id)} says a line",
                shots=[shot.id],
                speaker_id=line.speaker_id,
                text=line.text,
                tags=[*line.emotion, *([line.delivery] if line.delivery else [])],
            )
            for line in shot.lines
        )
    needs = [
        AssetNeed(
            id=f"background/{key}",
            kind="background",
            key=key,
            description=g.description,
            shots=g.shots,
            requested=g.requested,
        )
        for key, g in backgrounds.items()
    ]
    needs += [
        AssetNeed(
            id=f"character/{key}",
            kind="character",
            key=key,
            speaker_id=key,
            description=f"{g.description}, in {len(g.shots)} shot(s)",
            shots=g.shots,
        )
        for key, g in characters.items()
    ]
    needs += lines
    needs += [
        AssetNeed(
            id=f"music/{key}",
            kind="music",
            key=key,
            description=f"{g.description} under {len(g.shots)} shot(s)",
            shots=g.shots,
        )
        for key, g in moods.items()
    ]
    return AssetManifest.new(
        episode_id=shotlist.episode_id, timing_lock_hash=shotlist.timing_lock_hash, needs=needs
    )
