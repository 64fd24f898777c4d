"""The artifact base class, schema versions and canonical JSON.

Every artifact embeds ``schema_version`` (semver). Readers accept the
current MAJOR at any MINOR (unknown fields are ignored), reject an older
MAJOR with a migration hint and a newer MAJOR with an upgrade hint, and
reject missing or malformed fields with the JSON path and the reason, all
in one line.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from sparkle_motion.errors import InvalidArtifact, UnsupportedSchemaVersion

__all__ = [
    "Artifact",
    "Model",
    "canonical_json",
    "content_hash",
    "parse_semver",
]

_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
_FLOAT_DIGITS = 6


def parse_semver(text: str) -> tuple[int, int, int]:
    match = _SEMVER.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a semantic version like 1.0.0")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def _stable(value: Any) -> Any:
    """Floats rounded to fixed digits so tiny binary noise never changes a hash."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("artifacts hold only finite numbers")
        rounded = round(value, _FLOAT_DIGITS)
        return 0.0 if rounded == 0 else rounded
    if isinstance(value, dict):
        return {str(key): _stable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_stable(item) for item in value]
    return value


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8, floats to 6 places."""
    return json.dumps(
        _stable(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Model(BaseModel):
    """A nested value inside an artifact: immutable, unknown fields ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


def _one_line(exc: ValidationError, source: str) -> InvalidArtifact:
    errors = exc.errors(include_url=False)
    first = errors[0]
    path = "$" + "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"]
    )
    message = f"{path}: {first['msg'].lower()}"
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return InvalidArtifact(message, where=source, hint="fix the field and run the command again")


class Artifact(Model):
    """A versioned JSON document exchanged between stages."""

    KIND: ClassVar[str] = "artifact"
    SCHEMA_VERSION: ClassVar[str] = "1.0.0"
    MIGRATION_HINT: ClassVar[str] = "see docs/schemas.md#migrating-from-an-older-major-version"

    schema_version: str

    @classmethod
    def new(cls, **fields: Any) -> Self:
        return cls(schema_version=cls.SCHEMA_VERSION, **fields)

    @classmethod
    def check_version(cls, data: Any, source: str) -> None:
        if not isinstance(data, dict):
            raise InvalidArtifact(
                f"$: expected a JSON object for a {cls.KIND}, got {type(data).__name__}",
                where=source,
            )
        version = data.get("schema_version")
        if version is None:
            raise InvalidArtifact(
                "$.schema_version: field required",
                where=source,
                hint=f'add "schema_version": "{cls.SCHEMA_VERSION}"',
            )
        try:
            major = parse_semver(str(version))[0]
        except ValueError as exc:
            raise InvalidArtifact(f"$.schema_version: {exc}", where=source) from exc
        current = parse_semver(cls.SCHEMA_VERSION)[0]
        if major < current:
            raise UnsupportedSchemaVersion(
                f"{cls.KIND} schema {version} is an older major version; this Sparkle Motion "
                f"reads {current}.x",
                where=source,
                hint=cls.MIGRATION_HINT,
            )
        if major > current:
            raise UnsupportedSchemaVersion(
                f"{cls.KIND} schema {version} is newer than this Sparkle Motion reads "
                f"({current}.x)",
                where=source,
                hint="upgrade Sparkle Motion to read it",
            )

    @classmethod
    def from_data(cls, data: Any, source: str = "<memory>") -> Self:
        """Validate parsed JSON/YAML; every failure is one InputError line."""
        cls.check_version(data, source)
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise _one_line(exc, source) from None

    @classmethod
    def from_json(cls, text: str | bytes, source: str = "<memory>") -> Self:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidArtifact(
                f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                where=source,
            ) from None
        except UnicodeDecodeError as exc:
            raise InvalidArtifact(f"not UTF-8 text: {exc.reason}", where=source) from None
        return cls.from_data(data, source)

    def to_json(self) -> bytes:
        """The canonical bytes: what is stored, hashed and written to disk."""
        return canonical_json(self.model_dump(mode="json"))

    def content_hash(self) -> str:
        return content_hash(self.to_json())
