"""What every check of the Canon Gate shares: the canon, indexed once, and the findings."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sparkle_motion.canon.facts import FactTable, to_table
from sparkle_motion.canon.history import CanonHistory
from sparkle_motion.canon.scenes import ClaimAt, SceneView
from sparkle_motion.schemas import Canon, CanonCharacter, CanonFinding, Script

__all__ = ["Gate"]


@dataclass
class Gate:
    script: Script
    canon: Canon
    canon_hash: str
    history: CanonHistory
    scenes: list[SceneView]
    findings: list[CanonFinding] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.characters: dict[str, CanonCharacter] = {c.id: c for c in self.canon.characters}
        self.table: FactTable = to_table(self.canon)
        self.names: dict[str, set[str]] = defaultdict(set)
        for character in self.canon.characters:
            for name in (character.name, *character.aliases):
                self.names[name.casefold()].add(character.id)
        self.cast = {c.speaker_id: c.name for c in self.script.characters}

    def name_of(self, who: str) -> str:
        entry = self.characters.get(who)
        return entry.name if entry else self.cast.get(who, who)

    def own_names(self, who: str) -> set[str]:
        entry = self.characters.get(who)
        return {entry.name.casefold(), *(a.casefold() for a in entry.aliases)} if entry else set()

    def source(self, path: str, detail: str = "") -> str:
        """Where the canon holds ``path``: its snapshot and the episode/scene that set it."""
        origin = self.history.origin(path)
        text = origin.describe() if origin else f"canon {self.canon_hash[:12]}"
        return f"{text}; {detail}" if detail else text

    def first_sight(self, who: str) -> tuple[SceneView | None, str | None]:
        for scene in self.scenes:
            if who in scene.speakers or who in scene.appears:
                return scene, scene.where(who)
        return None, None

    def block(
        self,
        code: str,
        message: str,
        *,
        fact: str,
        repair: str,
        scene: SceneView | None = None,
        line: str | None = None,
        claim: ClaimAt | None = None,
        canon_source: str = "",
        severity: str = "block",
    ) -> None:
        self.findings.append(
            CanonFinding.model_validate(
                {
                    "code": code,
                    "severity": severity,
                    "message": message,
                    "fact": fact,
                    "scene_id": scene.id if scene else None,
                    "line_id": claim.line if claim else line,
                    "repair": repair,
                    "canon_source": canon_source,
                    "script_path": claim.path if claim else (scene.path if scene else ""),
                    "source_line": claim.claim.source_line if claim else None,
                }
            )
        )

    def warn(
        self,
        code: str,
        message: str,
        *,
        fact: str,
        repair: str,
        scene: SceneView | None = None,
        line: str | None = None,
        canon_source: str = "",
    ) -> None:
        self.block(
            code,
            message,
            fact=fact,
            repair=repair,
            scene=scene,
            line=line,
            canon_source=canon_source,
            severity="warn",
        )
