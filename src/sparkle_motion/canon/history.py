"""What the canon's past says about its present: where each fact came from, what it replaced.

Built from the chain of diffs that made the snapshots (the store keeps them),
so the gate can name the snapshot and the episode/scene that established a
fact, and can tell when a script leans on a fact that was since removed or
changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sparkle_motion.canon.facts import split_path
from sparkle_motion.canon.time import TimeKey
from sparkle_motion.schemas import CanonDiff

__all__ = ["CanonHistory", "FactOrigin", "HistoryStep", "Superseded", "build_history"]


@dataclass(frozen=True)
class FactOrigin:
    snapshot: int
    snapshot_hash: str
    where: str  # "ep03 scene s4 (line a7)" or "import of canon.json by Dana"

    def describe(self) -> str:
        return f"snapshot {self.snapshot} ({self.snapshot_hash[:12]}), from {self.where}"


@dataclass(frozen=True)
class Superseded:
    """A value the canon once held at ``path`` and no longer does."""

    path: str
    value: Any
    replaced_by: Any  # None when the fact was removed
    until: TimeKey | None  # the story time of the change, when known
    origin: FactOrigin


@dataclass(frozen=True)
class HistoryStep:
    """One snapshot and the diff that produced it from its parent (None for the first)."""

    version: int
    hash: str
    diff: CanonDiff | None
    actor: str


@dataclass(frozen=True)
class CanonHistory:
    origins: Mapping[str, FactOrigin] = field(default_factory=dict)
    superseded: Mapping[str, tuple[Superseded, ...]] = field(default_factory=dict)

    def origin(self, path: str) -> FactOrigin | None:
        """Where ``path`` (or, failing that, its entity) was last set."""
        found = self.origins.get(path)
        if found is None and path.count(".") >= 2:
            collection, key, _ = split_path(path)
            found = self.origins.get(f"{collection}.{key}")
        return found

    def replaced(self, path: str) -> tuple[Superseded, ...]:
        return self.superseded.get(path, ())


def _where(provenance: Mapping[str, str], actor: str) -> str:
    episode = provenance.get("episode")
    if not episode:
        return provenance.get("source", f"a change by {actor}")
    text = episode
    if provenance.get("scene"):
        text += f" scene {provenance['scene']}"
    if provenance.get("line"):
        text += f" (line {provenance['line']})"
    return text


def _until(provenance: Mapping[str, str]) -> TimeKey | None:
    at = provenance.get("at", "")
    episode, _, scene = at.partition(":")
    if not episode.isdigit():
        return None
    return int(episode), int(scene) if scene.isdigit() else 0


def build_history(steps: Iterable[HistoryStep]) -> CanonHistory:
    """Replay the diffs oldest first; later changes override earlier origins."""
    origins: dict[str, FactOrigin] = {}
    superseded: dict[str, list[Superseded]] = {}
    for step in steps:
        if step.diff is None:
            continue
        for change in [*step.diff.added, *step.diff.modified, *step.diff.removed]:
            origin = FactOrigin(step.version, step.hash, _where(change.provenance, step.actor))
            if change.after is not None:
                origins[change.path] = origin
            else:
                origins.pop(change.path, None)
            if change.before is None:
                continue
            entries = [(change.path, change.before, change.after)]
            if isinstance(change.before, dict):  # an entity: remember its fields too
                after = change.after if isinstance(change.after, dict) else {}
                entries += [
                    (f"{change.path}.{name}", value, after.get(name))
                    for name, value in change.before.items()
                    if after.get(name) != value
                ]
            for path, value, replaced_by in entries:
                superseded.setdefault(path, []).append(
                    Superseded(path, value, replaced_by, _until(change.provenance), origin)
                )
    return CanonHistory(
        origins=origins, superseded={path: tuple(items) for path, items in superseded.items()}
    )
