"""docs/fountain.md says what the reader does: its example and claims are checked here."""

from __future__ import annotations

import re

from sparkle_motion.canon.claims import parse_claim
from sparkle_motion.schemas import ActionElement, DialogueElement
from tests.conftest import REPO
from tests.writing.helpers import parse

DOC = (REPO / "docs" / "fountain.md").read_text(encoding="utf-8")


def test_the_example_imports_as_the_doc_describes() -> None:
    [example] = re.findall(r"```fountain\n(.*?)```", DOC, re.S)
    script = parse(example)
    [scene] = script.scenes
    assert (scene.id, scene.heading, scene.number) == ("s1", "EXT. CLIFF PATH - DUSK", "1")
    assert (scene.location, scene.location_id, scene.interior, scene.time_of_day) == (
        "Cliff path",
        "cliff-path",
        False,
        "dusk",
    )
    assert (scene.present, scene.transition) == (["mara"], "CUT TO:")
    action, first, second = scene.elements
    assert isinstance(action, ActionElement) and isinstance(first, DialogueElement)
    assert isinstance(second, DialogueElement)
    assert (action.id, action.text, action.characters) == (
        "a1",
        "MARA climbs, lantern swinging.",
        ["mara"],
    )
    assert [(s.style, action.text[s.start : s.end]) for s in action.spans] == [
        ("italic", "swinging")
    ]
    assert (first.id, first.speaker_id, first.text, first.emotion) == (
        "l1",
        "mara",
        "Nearly there.",
        ["tired"],
    )
    assert (second.id, second.speaker_id, second.delivery) == ("l2", "bo", "vo")
    [claim] = scene.claims
    assert (claim.subject, claim.key, claim.value, claim.element_id, claim.source_line) == (
        "mara",
        "status",
        "alive",
        "l2",
        15,
    )
    assert [(c.speaker_id, c.name) for c in script.characters] == [("mara", "Mara"), ("bo", "Bo")]
    assert script.title == "The Keeper's Light"


def test_the_claim_examples_read_as_documented() -> None:
    examples = re.findall(r"^\[\[(canon: .*?)\]\]\s+(\w+): (.*)$", DOC, re.M)
    assert len(examples) == 4
    for text, kind, _ in examples:
        assert parse_claim(text).kind == kind
