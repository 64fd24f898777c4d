"""ShotList → AssetManifest: every picture and sound the shots need. Pure.

Needs, by kind:

- ``background``: one plate per location and time of day.
- ``character``: a character pack, one need per character, framing and
  expression the shots show (``character/mara/close-up-worried``).
- ``prop``: every prop named by an action beat.
- ``sfx``: every sound effect named by an action beat.
- ``vo_line``: every spoken line, with speaker, text and delivery tags.
- ``music``: one bed per mood.

Names no provider: the resolver decides where each need comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sparkle_motion.schemas import (
    AssetManifest,
    AssetNeed,
    Script,
    ShotList,
    character_variant,
    framing_slug,
)

__all__ = ["build_manifest", "character_variant", "framing_slug"]


@dataclass
class _Gathered:
    description: str
    shots: list[str] = field(default_factory=list)
    requested: str | None = None
    speaker_id: str | None = None
    tags: list[str] = field(default_factory=list)


def build_manifest(shotlist: ShotList, script: Script) -> AssetManifest:
    gathered: dict[tuple[str, str], _Gathered] = {}

    def need(kind: str, key: str, description: str, shot_id: str) -> _Gathered:
        entry = gathered.setdefault((kind, key), _Gathered(description))
        if shot_id not in entry.shots:
            entry.shots.append(shot_id)
        return entry

    lines: list[AssetNeed] = []
    for shot in shotlist.shots:
        if shot.framing == "card":  # title and end cards need only their music
            need("music", shot.music_mood, f"a {shot.music_mood} music bed", shot.id)
            continue
        place = "interior" if shot.interior else "exterior"
        background = need(
            "background",
            f"{shot.location_key}/{shot.time_of_day}",
            f"{shot.location}, {place}, {shot.time_of_day}",
            shot.id,
        )
        background.requested = background.requested or shot.background_ref
        for who in shot.characters:
            expression = shot.expressions.get(who, "neutral")
            key = character_variant(who, shot.framing, expression)
            entry = need(
                "character",
                key,
                f"{script.character_name(who)}, {shot.framing.replace('_', ' ')}, {expression}",
                shot.id,
            )
            entry.speaker_id = who
            entry.tags = [shot.framing, expression]
        for prop in shot.props:
            need("prop", prop, f"{prop}, seen close", shot.id)
        for effect in shot.sfx:
            need("sfx", effect, f"the sound of {effect}", shot.id)
        need("music", shot.music_mood, f"a {shot.music_mood} music bed", shot.id)
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
    needs: list[AssetNeed] = []
    for kind in ("background", "character", "prop", "sfx", "vo_line", "music"):
        if kind == "vo_line":
            needs.extend(lines)
            continue
        needs.extend(
            AssetNeed.model_validate(
                {
                    "id": f"{kind}/{key}",
                    "kind": kind,
                    "key": key,
                    "description": g.description,
                    "shots": g.shots,
                    "requested": g.requested,
                    "speaker_id": g.speaker_id,
                    "tags": g.tags,
                }
            )
            for (k, key), g in gathered.items()
            if k == kind
        )
    return AssetManifest.new(
        episode_id=shotlist.episode_id, timing_lock_hash=shotlist.timing_lock_hash, needs=needs
    )
