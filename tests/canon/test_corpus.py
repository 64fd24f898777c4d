"""The regression corpus: every contradiction is blocked precisely; every valid script passes."""

from __future__ import annotations

import pytest

from sparkle_motion.canon.facts import apply_changes
from sparkle_motion.canon.gate import check_script
from sparkle_motion.canon.propose import propose_diff
from sparkle_motion.canon.validate import canon_problems
from sparkle_motion.schemas import CanonReport
from tests.canon.corpus import CANON, CANON_HASH, CONTRADICTIONS, HISTORY, VALID, Scenario


def gate(scenario: Scenario) -> CanonReport:
    return check_script(
        scenario.script,
        CANON,
        script_hash="s" * 64,
        canon_hash=CANON_HASH,
        history=HISTORY,
        source=f"{scenario.name}.script.json",
    )


def test_the_corpus_is_as_large_as_promised() -> None:
    assert len(CONTRADICTIONS) >= 30 and len(VALID) >= 15
    assert len({s.name for s in CONTRADICTIONS + VALID}) == len(CONTRADICTIONS) + len(VALID)
    assert canon_problems(CANON) == []


@pytest.mark.parametrize("scenario", CONTRADICTIONS, ids=lambda s: s.name)
def test_each_contradiction_is_blocked_naming_fact_scene_and_line(scenario: Scenario) -> None:
    report = gate(scenario)
    assert not report.passed
    blocks = [f for f in report.findings if f.severity == "block"]
    first = blocks[0]
    assert (first.code, first.fact, first.scene_id, first.line_id) == (
        scenario.code,
        scenario.fact,
        scenario.scene,
        scenario.line,
    ), [f.model_dump() for f in blocks]
    assert first.message and first.repair and first.canon_source
    assert first.script_path.startswith(f"$.scenes[{int(scenario.scene[1:]) - 1}]")


@pytest.mark.parametrize("scenario", VALID, ids=lambda s: s.name)
def test_each_valid_script_passes_and_its_diff_applies(scenario: Scenario) -> None:
    report = gate(scenario)
    assert report.passed, [f.model_dump() for f in report.findings if f.severity == "block"]

    proposal = propose_diff(
        scenario.script, CANON, canon_hash=CANON_HASH, script_hash="s" * 64, history=HISTORY
    )
    diff = proposal.diff
    changed = {c.path for c in [*diff.added, *diff.modified, *diff.removed]}
    assert scenario.changes <= changed
    assert all(c.justification and c.provenance.get("episode") for c in diff.modified)
    applied = apply_changes(CANON, [*diff.added, *diff.modified, *diff.removed])
    assert applied == proposal.result
    assert diff.result_snapshot == applied.content_hash()
    assert canon_problems(applied) == []

    again = check_script(
        scenario.script,
        applied,
        script_hash="s" * 64,
        canon_hash=diff.result_snapshot,
        history=HISTORY,
    )
    assert again.passed, "a script must agree with the canon its own diff makes"
