"""``canon.json``: the canon's import and export form.

Export writes the canon in normal form (collections sorted by key), fields in
schema order, defaults left out, two-space indents, UTF-8, one trailing
newline. Importing an exported file gives the same snapshot (same hash) and
exporting that again gives the same bytes.
"""

from __future__ import annotations

import json

from sparkle_motion.canon.facts import normalize
from sparkle_motion.canon.validate import check_canon
from sparkle_motion.schemas import Canon, canonical_json

__all__ = ["export_bytes", "read_canon"]


def read_canon(data: bytes, source: str) -> Canon:
    """Parse, validate and normalize a canon file; InvalidArtifact names file and JSON path."""
    canon = Canon.from_json(data, source=source)
    check_canon(canon, source)
    return normalize(canon)


def export_bytes(canon: Canon) -> bytes:
    # Through the canonical bytes first, so free-form values (a state's value) have
    # sorted keys and fixed floats whichever way the canon was built.
    settled = Canon.model_validate_json(canonical_json(normalize(canon).model_dump(mode="json")))
    document = settled.model_dump(mode="json", exclude_defaults=True)
    document["schema_version"] = settled.schema_version
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
