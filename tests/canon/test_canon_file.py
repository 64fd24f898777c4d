"""canon.json: import and export round-trip byte for byte; bad files say where they are bad."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from sparkle_motion.canon.canon_file import export_bytes, read_canon
from sparkle_motion.errors import InvalidArtifact, UnsupportedSchemaVersion
from sparkle_motion.schemas import Canon
from tests.conftest import REPO
from tests.strategies import canons

EXAMPLES = sorted((REPO / "examples").glob("*/canon.json"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(canons())
def test_export_then_import_gives_the_same_snapshot_and_the_same_bytes(canon: Canon) -> None:
    data = export_bytes(canon)
    again = read_canon(data, "canon.json")
    assert again.content_hash() == read_canon(export_bytes(again), "x").content_hash()
    assert export_bytes(again) == data
    assert data.endswith(b"\n") and not data.endswith(b"\n\n")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_every_example_canon_imports(path: Path) -> None:
    canon = read_canon(path.read_bytes(), str(path))
    assert read_canon(export_bytes(canon), "again") == canon


def test_the_series_example_is_in_export_form() -> None:
    path = REPO / "examples" / "lantern-ferry" / "canon.json"
    assert export_bytes(read_canon(path.read_bytes(), str(path))) == path.read_bytes()


def _document(**changes: object) -> bytes:
    data: dict[str, object] = {
        "schema_version": "1.0.0",
        "characters": [{"id": "mara", "name": "Mara"}, {"id": "tom", "name": "Tom"}],
    }
    data.update(changes)
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b"{not json", "not valid JSON: Expecting property name"),
        (_document(characters=[{"id": "Mara!", "name": "M"}]), "$.characters[0].id"),
        (_document(characters=[{"id": "m"}]), "$.characters[0].name: field required"),
        (
            _document(
                characters=[{"id": "m", "name": "M", "status": "alive", "died_at": {"episode": 2}}]
            ),
            "$.characters[0].died_at: m is alive but has a date of death",
        ),
        (
            _document(characters=[{"id": "m", "name": "M", "birth_date": "2001-02-30"}]),
            "$.characters[0].birth_date: '2001-02-30' is not a real date",
        ),
        (
            _document(relationships=[{"a": "mara", "b": "zed", "kind": "friend"}]),
            "$.relationships[0].b: 'zed' is not a canon character",
        ),
        (
            _document(
                calendar=[
                    {"at": {"episode": 1}, "date": "2024-06-01"},
                    {"at": {"episode": 2}, "date": "2023-01-01"},
                ]
            ),
            "$.calendar[1].date: 2023-01-01 comes before 2024-06-01",
        ),
        (
            _document(world_rules=[{"id": "r", "text": "t", "forbids": "event"}]),
            "$.world_rules[0]: value error, world rule 'r' forbids an event but names none",
        ),
        (
            _document(
                characters=[{"id": "m", "name": "M", "birth_date": "2000-01-01", "age": 40}],
                calendar=[{"at": {"episode": 1}, "date": "2024-06-01"}],
            ),
            "$.characters[0].age: m is 40 but born 2000-01-01 makes them 24 then",
        ),
    ],
)
def test_a_malformed_canon_names_the_file_and_the_json_path(data: bytes, where: str) -> None:
    with pytest.raises(InvalidArtifact) as caught:
        read_canon(data, "show/canon.json")
    assert caught.value.where == "show/canon.json"
    assert where in caught.value.message


def test_an_older_major_version_is_refused() -> None:
    with pytest.raises(UnsupportedSchemaVersion):
        read_canon(b'{"schema_version": "0.9.0"}', "canon.json")
