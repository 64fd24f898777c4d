"""AssetManifest → resolved assets, tier by tier.

For every need: the local library (the project's ``assets/`` folder, then
each configured library root's), then the content-addressed asset cache
(assets once found in a shared library root), then something generated on
this machine (a storyboard plate, a drawn figure, a prop card, a music pad,
speech), and last a flagged placeholder.

Naming conventions in a library (relative to its ``assets/`` folder)::

    locations/<location_id>/<time_of_day>.<png|jpg|jpeg|webp>
    locations/<location_id>.<png|jpg|jpeg|webp>
    characters/<id>/<framing>-<expression>.<png|webp>   e.g. close-up-worried.png
    characters/<id>/<framing>.png, characters/<id>/<expression>.png,
    characters/<id>/default.png, characters/<id>.png
    props/<prop>.<png|jpg|jpeg|webp>
    sfx/<effect>.<wav|flac|ogg|mp3>
    music/<mood>.<wav|flac|ogg|mp3>, music/bed.<wav|flac|ogg|mp3>

A scene may name its background explicitly; a named file that is missing
becomes a flagged placeholder, while a name that escapes the project is
refused. Every local file needs a ``<file>.license.yaml`` sidecar unless a
``rights_overrides`` entry with an approver lets it through (recorded).
A sound effect nobody has is a flagged placeholder: the preview stays silent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sparkle_motion.errors import AssetRightsError
from sparkle_motion.media.paths import confine
from sparkle_motion.media.rights import GENERATED_LICENSE, read_license
from sparkle_motion.schemas import AssetManifest, AssetNeed, License, ResolvedAsset, RightsOverride

__all__ = [
    "IMAGE_SUFFIXES",
    "SOUND_SUFFIXES",
    "AssetCache",
    "Inspector",
    "Library",
    "resolve_assets",
    "slug",
]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
SOUND_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3")


def slug(text: str) -> str:
    """A file-name form of a name: lower case, words joined by hyphens."""
    cleaned = "".join(ch if ch.isalnum() else "-" for ch in text.lower())
    return "-".join(part for part in cleaned.split("-") if part) or "unnamed"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


Inspector = Callable[[Path, str], str | None]
"""Looks into a local file of a given need kind; returns what is wrong with it, or None."""


class AssetCache(Protocol):
    """Content-addressed memory of assets found in shared library roots."""

    def lookup(self, need: AssetNeed) -> ResolvedAsset | None: ...

    def remember(self, need: AssetNeed, asset: ResolvedAsset, path: Path) -> None: ...


@dataclass(frozen=True)
class Library:
    """Where local assets may come from: the project folder and extra roots."""

    project_dir: Path
    extra_roots: tuple[Path, ...] = ()
    overrides: Mapping[str, RightsOverride] = field(default_factory=dict)

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

    def in_project(self, path: Path) -> bool:
        return path.is_relative_to(self.project_dir.resolve())

    def find(self, stems: Sequence[str], suffixes: Sequence[str]) -> Path | None:
        for root in self.roots:
            for stem in stems:
                for suffix in suffixes:
                    candidate = root / "assets" / f"{stem}{suffix}"
                    if candidate.is_file():
                        return confine(str(candidate), root, self.roots)
        return None

    def license_of(self, path: Path, display: str) -> tuple[License, str]:
        """The file's licence and a note; an override lets a refused file through."""
        try:
            return read_license(path, display=display), ""
        except AssetRightsError:
            override = self.overrides.get(display)
            if override is None:
                raise
            return License(
                license_type="rights_override",
                attribution=f"approved by {override.approver}"
                + (f": {override.reason}" if override.reason else ""),
            ), f"licence overridden by {override.approver}"


@dataclass
class _Resolver:
    library: Library
    cache: AssetCache | None
    inspect: Inspector | None

    def local(self, need: AssetNeed, path: Path, fallbacks: list[str]) -> ResolvedAsset:
        display = self.library.display(path)
        problem = self.inspect(path, need.kind) if self.inspect is not None else None
        if problem is not None:
            return _placeholder(need, f"{display} cannot be used: {problem}; fix or remove it")
        license_, note = self.library.license_of(path, display)
        asset = ResolvedAsset(
            need_id=need.id,
            kind=need.kind,
            source="local",
            uri=display,
            sha256=_sha256(path),
            fallbacks=fallbacks,
            license=license_,
            note=note,
        )
        if self.cache is not None and not self.library.in_project(path):
            self.cache.remember(need, asset, path)
        return asset

    def found_or_cached(
        self, need: AssetNeed, stems: Sequence[str], suffixes: Sequence[str], fallbacks: list[str]
    ) -> ResolvedAsset | None:
        path = self.library.find(stems, suffixes)
        if path is not None:
            return self.local(need, path, fallbacks)
        if self.cache is not None:
            return self.cache.lookup(need)
        return None

    def background(self, need: AssetNeed) -> ResolvedAsset:
        fallbacks = [f"generated:storyboard/{need.key}", f"placeholder:{need.key}"]
        if need.requested:
            path = confine(need.requested, self.library.project_dir, self.library.roots)
            if not path.is_file():
                return _placeholder(need, f"requested file {need.requested} is missing")
            return self.local(need, path, fallbacks)
        location, _, time_of_day = need.key.partition("/")
        stems = [f"locations/{location}/{time_of_day}", f"locations/{location}"]
        return self.found_or_cached(need, stems, IMAGE_SUFFIXES, fallbacks) or _generated(
            need, "storyboard", fallbacks[1:]
        )

    def character(self, need: AssetNeed) -> ResolvedAsset:
        who, _, variant = need.key.partition("/")
        framing, expression = [*need.tags, "", ""][:2]
        stems = [f"characters/{who}/{variant}"]
        stems += [f"characters/{who}/{slug(part)}" for part in (framing, expression) if part]
        stems += [f"characters/{who}/default", f"characters/{who}"]
        fallbacks = [f"generated:figure/{who}", f"placeholder:{need.key}"]
        return self.found_or_cached(need, stems, IMAGE_SUFFIXES, fallbacks) or _generated(
            need, "figure", fallbacks[1:]
        )

    def prop(self, need: AssetNeed) -> ResolvedAsset:
        fallbacks = [f"generated:prop-card/{need.key}"]
        return self.found_or_cached(
            need, [f"props/{slug(need.key)}"], IMAGE_SUFFIXES, fallbacks
        ) or _generated(need, "prop-card", [])

    def sfx(self, need: AssetNeed) -> ResolvedAsset:
        found = self.found_or_cached(need, [f"sfx/{slug(need.key)}"], SOUND_SUFFIXES, [])
        return found or _placeholder(
            need,
            f"no sound for {need.key!r} in the library (assets/sfx/{slug(need.key)}.wav); "
            "the preview is silent there",
        )

    def music(self, need: AssetNeed) -> ResolvedAsset:
        fallbacks = [f"generated:music/{need.key}"]
        stems = [f"music/{slug(need.key)}", "music/bed"]
        return self.found_or_cached(need, stems, SOUND_SUFFIXES, fallbacks) or _generated(
            need, "music", []
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


def resolve_assets(
    manifest: AssetManifest,
    library: Library,
    cache: AssetCache | None = None,
    inspect: Inspector | None = None,
) -> list[ResolvedAsset]:
    """One resolved asset per need, in manifest order.

    ``inspect`` looks into each local file first: a broken one (a corrupt or
    oversized image, an empty or undecodable sound) becomes a flagged
    placeholder that says what is wrong, instead of failing the render later.
    """
    resolver = _Resolver(library, cache, inspect)
    by_kind = {
        "background": resolver.background,
        "character": resolver.character,
        "prop": resolver.prop,
        "sfx": resolver.sfx,
        "music": resolver.music,
    }
    return [
        by_kind[need.kind](need) if need.kind in by_kind else _generated(need, "speech", [])
        for need in manifest.needs
    ]
