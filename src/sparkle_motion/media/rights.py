"""Licence sidecars: ``<file>.license.yaml`` next to every local asset."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from sparkle_motion.errors import AssetRightsError
from sparkle_motion.schemas import License

__all__ = ["GENERATED_LICENSE", "read_license", "sidecar_for"]

GENERATED_LICENSE = License(
    license_type="generated_local",
    attribution="made by Sparkle Motion on this machine",
    provider_or_model="sparkle-motion preview_local",
    redistributable=True,
)

_KNOWN_TYPES = {"cc0", "cc-by", "cc-by-sa", "public_domain", "owned", "licensed", "generated_local"}


def sidecar_for(asset: Path) -> Path:
    return asset.with_name(asset.name + ".license.yaml")


def read_license(asset: Path, *, display: str) -> License:
    """The asset's licence, or AssetRightsError naming the file and what is missing."""
    sidecar = sidecar_for(asset)
    kinds = ", ".join(sorted(_KNOWN_TYPES))
    hint = (
        f"write {sidecar.name} next to it with license_type (one of {kinds}), "
        "attribution and redistributable"
    )
    if not sidecar.is_file():
        raise AssetRightsError("asset has no licence sidecar", where=display, hint=hint)
    try:
        data = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise AssetRightsError(f"licence sidecar is not valid YAML: {exc}", where=display) from None
    if not isinstance(data, dict):
        raise AssetRightsError("licence sidecar must be a mapping", where=display, hint=hint)
    missing = [name for name in ("license_type", "attribution") if not data.get(name)]
    if missing:
        raise AssetRightsError(
            f"licence sidecar lacks {', '.join(missing)}", where=display, hint=hint
        )
    if str(data["license_type"]).lower() not in _KNOWN_TYPES:
        raise AssetRightsError(
            f"unknown license_type {data['license_type']!r}", where=display, hint=hint
        )
    try:
        # YAML turns dates and numbers into objects; the licence keeps them as written.
        return License.model_validate(
            {
                key: value if key == "redistributable" or value is None else str(value)
                for key, value in data.items()
            }
        )
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(part) for part in first["loc"])
        raise AssetRightsError(f"licence field {field}: {first['msg']}", where=display) from None
