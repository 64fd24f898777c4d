"""What the index says about one artifact, and the checks a put must pass first."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sparkle_motion.errors import InputError
from sparkle_motion.registry.store import is_sha256

__all__ = ["ORIGINS", "ArtifactRecord", "NewArtifact", "canonical_json", "describe"]

ORIGINS = ("local", "external")
_SEMVER = re.compile(r"\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?")


@dataclass(frozen=True)
class ArtifactRecord:
    """One indexed artifact. Holds no wall-clock time: the index keeps that apart."""

    hash: str
    kind: str
    schema_version: str | None
    parents: tuple[str, ...]
    params: Mapping[str, Any] = field(hash=False)
    origin: str
    provenance: Mapping[str, Any] | None = field(hash=False)
    run_ids: tuple[str, ...]
    size: int


@dataclass(frozen=True)
class NewArtifact:
    """A validated description of bytes about to be stored (everything but the bytes)."""

    kind: str
    schema_version: str | None
    parents: tuple[str, ...]
    params_json: str
    origin: str
    provenance_json: str | None
    run_id: str | None


def canonical_json(value: Mapping[str, Any], *, what: str) -> str:
    """Sorted keys, no spaces, no NaN: equal values always give equal text."""
    try:
        return json.dumps(
            dict(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"{what} must be JSON-serialisable: {exc}",
            where=what,
            hint="use only str, int, float, bool, None, lists and string-keyed mappings",
        ) from exc


def describe(
    *,
    kind: str,
    schema_version: str | None,
    parents: Sequence[str],
    params: Mapping[str, Any] | None,
    origin: str,
    provenance: Mapping[str, Any] | None,
    run_id: str | None,
) -> NewArtifact:
    """Check a put's keywords before any byte is written; InputError says which is wrong."""
    _require_text(kind, "kind", limit=100, example='e.g. "script" or "media/png"')
    if schema_version is not None and not _SEMVER.fullmatch(schema_version):
        raise InputError(
            f"schema_version {schema_version!r} is not semver",
            where="schema_version",
            hint='write MAJOR.MINOR.PATCH, e.g. "1.0.0", or None for media blobs',
        )
    if origin not in ORIGINS:
        raise InputError(
            f"origin {origin!r} is neither of {', '.join(ORIGINS)}",
            where="origin",
            hint='"external" means a provider made it; everything else is "local"',
        )
    malformed = [parent for parent in parents if not is_sha256(parent)]
    if malformed:
        raise InputError(
            f"parent {malformed[0]!r} is not a full sha256 hash",
            where="parents",
            hint="expand short hashes with Registry.resolve_prefix",
        )
    if run_id is not None:
        _require_text(run_id, "run_id", limit=200, example="or pass None for no run")
    return NewArtifact(
        kind=kind,
        schema_version=schema_version,
        parents=tuple(parents),
        params_json=canonical_json(params or {}, what="params"),
        origin=origin,
        provenance_json=None
        if provenance is None
        else canonical_json(provenance, what="provenance"),
        run_id=run_id,
    )


def _require_text(value: str, name: str, *, limit: int, example: str) -> None:
    if not value.strip() or len(value) > limit:
        raise InputError(
            f"{name} must be 1 to {limit} characters and not blank, got {value!r}",
            where=name,
            hint=example,
        )
