"""The check over a whole Script: every finding by scene and line; the two modes."""

from __future__ import annotations

from collections.abc import Sequence

from sparkle_motion.safety import (
    ClassifierFlag,
    TermPolicy,
    blocked_message,
    check_script,
    script_texts,
)
from sparkle_motion.schemas import Script
from tests.conftest import tiny_script

POLICY = TermPolicy({"test-slur": ["blorp*"]})


def script_with(**where: str) -> Script:
    data = tiny_script()
    if "title" in where:
        data["title"] = where["title"]
    if "line" in where:
        data["scenes"][0]["elements"][2]["text"] = where["line"]
    if "action" in where:
        data["scenes"][1]["elements"].insert(
            0, {"type": "action", "id": "a9", "text": where["action"]}
        )
    if "heading" in where:
        data["scenes"][1]["heading"] = where["heading"]
    if "parenthetical" in where:
        data["scenes"][0]["elements"][1]["parenthetical"] = where["parenthetical"]
    return Script.from_data(data)


def test_a_clean_script_passes_and_is_publishable() -> None:
    report = check_script(script_with(), POLICY, mode="fail_closed", script_hash="abc")
    assert report.passed and report.publishable and report.findings == []
    assert blocked_message(report) is None


def test_findings_name_the_scene_the_line_and_the_field() -> None:
    script = script_with(
        line="You are blorptastic.",
        action="A blorp sign flickers.",
        heading="EXT. BLORP GARDEN - DUSK",
        parenthetical="blorpishly",
        title="Blorp",
    )
    report = check_script(script, POLICY, mode="fail_closed", script_hash="abc")
    where = [(f.field, f.scene_id, f.line_id, f.matched) for f in report.findings]
    assert where == [
        ("title", None, None, "blorp"),
        ("parenthetical", "s1", "l1", "blorpishly"),
        ("text", "s1", "l2", "blorptastic"),
        ("heading", "s2", None, "blorp"),
        ("text", "s2", "a9", "blorp"),
    ]
    assert not report.passed and not report.publishable
    assert report.script_hash == "abc" and report.mode == "fail_closed"


def test_fail_closed_blocks_naming_scene_and_line_and_a_repair() -> None:
    report = check_script(
        script_with(line="You are blorptastic."), POLICY, mode="fail_closed", script_hash="x"
    )
    message = blocked_message(report)
    assert message is not None
    assert "'blorptastic'" in message and "scene s1, line l2" in message
    assert "test-slur" in message and "warn_only" in message


def test_warn_only_records_but_does_not_block_and_is_not_publishable() -> None:
    report = check_script(
        script_with(line="You are blorptastic."), POLICY, mode="warn_only", script_hash="x"
    )
    assert blocked_message(report) is None
    assert report.findings and not report.passed and not report.publishable


class ShoutingClassifier:
    """A stand-in model: flags lines written in capitals."""

    name = "shouting"

    def classify(self, text: str) -> Sequence[ClassifierFlag]:
        return [ClassifierFlag("tone", "all-caps", 0.9)] if text.isupper() else []


def test_a_classifier_adds_its_findings_with_its_name_and_score() -> None:
    report = check_script(
        script_with(line="STOP RIGHT THERE."),
        POLICY,
        mode="fail_closed",
        script_hash="x",
        classifiers=[ShoutingClassifier()],
    )
    [finding] = [f for f in report.findings if f.line_id == "l2"]
    assert (finding.source, finding.category, finding.term, finding.score) == (
        "shouting",
        "tone",
        "all-caps",
        0.9,
    )


def test_every_seen_or_heard_text_is_checked() -> None:
    fields = {piece.field for piece in script_texts(script_with(parenthetical="softly"))}
    assert fields == {"title", "character", "location", "text", "parenthetical"}
