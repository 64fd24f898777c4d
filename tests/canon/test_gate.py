from __future__ import annotations

from typing import Any

import pytest

from sparkle_motion.canon.gate import check_script
from sparkle_motion.errors import CanonClaimError
from sparkle_motion.schemas import Canon, Script
from tests.conftest import tiny_script


def canon(**fields: Any) -> Canon:
    return Canon.from_data({"schema_version": "1.0.0", **fields})


def check(script: Script, snapshot: Canon):  # type: ignore[no-untyped-def]
    return check_script(script, snapshot, script_hash="s" * 64, canon_hash="c" * 64)


ALIVE = [{"id": "ann", "name": "Ann"}, {"id": "bo", "name": "Bo"}]


def test_a_consistent_script_passes() -> None:
    report = check(Script.from_data(tiny_script()), canon(characters=ALIVE))
    assert report.passed and report.findings == []


def test_a_dead_character_speaking_is_blocked_with_scene_and_line() -> None:
    dead = [
        {"id": "ann", "name": "Ann", "status": "dead", "died_at": {"episode": 1}},
        {"id": "bo", "name": "Bo"},
    ]
    report = check(Script.from_data(tiny_script()), canon(characters=dead))
    assert not report.passed
    blocks = [f for f in report.findings if f.severity == "block"]
    assert {(f.scene_id, f.line_id) for f in blocks} == {("s1", "l1"), ("s2", "l3")}
    assert all(f.fact == "characters.ann.status" and "speaks" in f.message for f in blocks)
    assert "episode 1" in blocks[0].message and blocks[0].repair


def test_a_dead_character_present_without_lines_is_blocked() -> None:
    dead = [{"id": "ann", "name": "Ann"}, {"id": "bo", "name": "Bo", "status": "dead"}]
    data = tiny_script()
    data["scenes"][0]["elements"] = data["scenes"][0]["elements"][:2]
    report = check(Script.from_data(data), canon(characters=dead))
    [finding] = [f for f in report.findings if f.severity == "block"]
    assert "appears" in finding.message and finding.scene_id == "s1"


def test_a_new_character_is_a_warning_not_a_block() -> None:
    report = check(Script.from_data(tiny_script()), canon(characters=ALIVE[:1]))
    assert report.passed
    [finding] = report.findings
    assert finding.code == "unknown_character" and finding.severity == "warn"


def test_a_different_name_for_a_canon_character_is_blocked_but_aliases_pass() -> None:
    renamed = [{"id": "ann", "name": "Annabel"}, {"id": "bo", "name": "Bo"}]
    assert not check(Script.from_data(tiny_script()), canon(characters=renamed)).passed
    aliased = [{"id": "ann", "name": "Annabel", "aliases": ["Ann"]}, {"id": "bo", "name": "Bo"}]
    assert check(Script.from_data(tiny_script()), canon(characters=aliased)).passed


@pytest.mark.parametrize(
    ("claim", "path", "problem"),
    [
        (
            {"kind": "state", "subject": "ann", "key": "age", "value": "old"},
            "value",
            "whole number",
        ),
        ({"kind": "state", "subject": "ann", "key": "mood"}, "value", "needs a value"),
        ({"kind": "state", "subject": "ann", "value": "x"}, "key", "needs a key"),
        ({"kind": "state", "subject": "ann", "key": "Mood!", "value": "x"}, "key", "not a claim"),
        (
            {"kind": "state", "subject": "ann", "key": "status", "value": "asleep"},
            "value",
            "status",
        ),
        ({"kind": "state", "subject": "ann", "key": "birth_date", "value": "May"}, "value", "date"),
        ({"kind": "event", "subject": "ann"}, "event", "needs an event"),
        ({"kind": "event", "event": "move", "subject": "ann"}, "objects", "location id"),
        ({"kind": "event", "event": "marriage", "subject": "ann"}, "objects", "other person"),
    ],
)
def test_a_malformed_claim_names_the_file_and_its_json_path(
    claim: dict[str, Any], path: str, problem: str
) -> None:
    data = tiny_script()
    data["scenes"][1]["claims"] = [
        {"kind": "state", "subject": "bo", "key": "x", "value": "y"},
        claim,
    ]
    with pytest.raises(CanonClaimError) as caught:
        check_script(
            Script.from_data(data),
            canon(characters=ALIVE),
            script_hash="s" * 64,
            canon_hash="c" * 64,
            source="episodes/ep01.script.json",
        )
    assert caught.value.where == "episodes/ep01.script.json"
    assert caught.value.message.startswith(f"$.scenes[1].claims[1].{path}: ")
    assert problem in caught.value.message


def test_findings_name_the_canon_source_and_the_script_location() -> None:
    dead = [{"id": "ann", "name": "Ann", "status": "dead", "died_at": {"episode": 1}}]
    data = tiny_script()
    data["scenes"][0]["claims"] = [
        {"kind": "state", "subject": "ann", "key": "mood", "value": "glum", "source_line": 12}
    ]
    report = check(Script.from_data(data), canon(characters=dead))
    claim_finding = next(f for f in report.findings if f.script_path.endswith("claims[0]"))
    assert claim_finding.source_line == 12 and claim_finding.scene_id == "s1"
    assert claim_finding.canon_source.startswith("canon cccccccccccc; dead since episode 1")
