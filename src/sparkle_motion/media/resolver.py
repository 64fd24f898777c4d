"""AssetManifest → resolved assets: local library first, then generated, then placeholder.

Naming conventions in the local library (relative to ``assets/`` of the
project or of any configured library root)::

    locations/<location_key>/<time_of_day>.<png|jpg|jpeg|webp>
    locations/<location_key>.<png|jpg|jpeg|webp>
    music/<mood>.<wav|flac|ogg|mp3>
    music/bed.<wav|flac|ogg|mp3>

A scene may also name its background explicitly (``background:`` in the
script); a named file that is missing becomes a flagged placeholder, while
a name that escapes the project is refused. Every local file needs a
``<file>.license.yaml`` sidecar.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sparkle_motion.media.paths import confine
from sparkle_motion.media.rights import GENERATED_LICENSE, read_license
from sparkle_motion.schemas import AssetManifest, AssetNeed, ResolvedAsset

__all__ = ["IMAGE_SUFFIXES", "SOUND_SUFFIXES", "Library", "resolve_assets"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
SOUND_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Library:
    """Where local assets may come from: the project folder and extra roots."""

    project_dir: Path
    extra_roots: tuple[Path, ...] = ()

    @property
    def roots(self) -> tuple[Path, ...]:
        return (self.project_dir, *self.extra_roots)

    def display(self, path: Path) -> str:
        """Project files by their project-relative path, library files by absolute path."""
        project = self.project_dir.resolve()
        if path.is_relative_to(project):
            return path.relative_to(project).as_posix()
        return path.as_posix()

    def path(self, uri: str) -> Path:
        """The file a local asset's URI names (the inverse of :meth:`display`)."""
        candidate = Path(uri)
        return candidate if candidate.is_absolute() else self.project_dir / candidate

    def find(self, stems: Sequence[str], suffixes: Sequence[str]) -> Path | None:
        for root in self.roots:
            for stem in stems:
                for suffix in suffixes:
                    candidate = root / "assets" / f"{stem}{suffix}"
                    if candidate.is_file():
                        return confine(str(candidate), root, self.roots)
        return None


def _local(need: AssetNeed, path: Path, library: Library, fallbacks: list[str]) -> ResolvedAsset:
    display = library.display(path)
    return ResolvedAsset(
        need_id=need.id,
        kind=need.kind,
        source="local",
        uri=display,
        sha256=_sha256(path),
        fallbacks=fallbacks,
        license=read_license(path, display=display),
    )


def _generated(need: AssetNeed, what: str, fallbacks: list[str]) -> ResolvedAsset:
    return ResolvedAsset(
        need_id=need.id,
        kind=need.kind,
        source="generated",
        uri=f"generated:{what}/{need.key}",
        fallbacks=fallbacks,
        license=GENERATED_LICENSE,
    )


def _placeholder(need: AssetNeed, why: str) -> ResolvedAsset:
    return ResolvedAsset(
        need_id=need.id,
        kind=need.kind,
        source="placeholder",
        uri=f"placeholder:{need.key}",
        placeholder=True,
        note=why,
        license=GENERATED_LICENSE,
    )


def _background(need: AssetNeed, library: Library) -> ResolvedAsset:
    fallbacks = [f"generated:storyboard/{need.key}", f"placeholder:{need.key}"]
    if need.requested:
        path = confine(need.requested, library.project_dir, library.roots)
        if not path.is_file():
            return _placeholder(need, f"requested file {need.requested} is missing")
        return _local(need, path, library, fallbacks)
    location, _, time_of_day = need.key.partition("/")
    found = library.find(
        [f"locations/{location}/{time_of_day}", f"locations/{location}"], IMAGE_SUFFIXES
    )
    if found is not None:
        return _local(need, found, library, fallbacks)
    return _generated(need, "storyboard", fallbacks[1:])


def _music(need: AssetNeed, library: Library) -> ResolvedAsset:
    fallbacks = [f"generated:music/{need.key}"]
    found = library.find([f"music/{need.key}", "music/bed"], SOUND_SUFFIXES)
    if found is not None:
        return _local(need, found, library, fallbacks)
    return _generated(need, "music", [])


def resolve_assets(manifest: AssetManifest, library: Library) -> list[ResolvedAsset]:
    """One resolved asset per need, in manifest order."""
    resolved: list[ResolvedAsset] = []
    for need in manifest.needs:
        if need.kind == "background":
            resolved.append(_background(need, library))
        elif need.kind == "music":
            resolved.append(_music(need, library))
        elif need.kind == "character":
            resolved.append(_generated(need, "figure", [f"placeholder:{need.key}"]))
        else:
            resolved.append(_generated(need, "speech", []))
    return resolved
