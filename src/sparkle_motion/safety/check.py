"""The text policy check on a Script: every finding named by scene and line. Pure.

The term list always runs; classifiers (a :class:`Classifier` is anything
with a ``name`` and a ``classify(text)`` method) can be added for what a
list cannot catch. ``fail_closed`` blocks on any finding; ``warn_only``
records them and marks the episode as not publishable.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from sparkle_motion.safety.terms import TermPolicy
from sparkle_motion.schemas import DialogueElement, SafetyFinding, SafetyReport, Script

__all__ = ["Classifier", "ClassifierFlag", "blocked_message", "check_script", "script_texts"]

SafetyMode = Literal["fail_closed", "warn_only"]


@dataclass(frozen=True)
class ClassifierFlag:
    category: str
    label: str
    score: float


class Classifier(Protocol):
    """A hook for a model that flags text a term list cannot (none ships yet)."""

    name: str

    def classify(self, text: str) -> Sequence[ClassifierFlag]: ...


@dataclass(frozen=True)
class _Text:
    field: str
    text: str
    scene_id: str | None = None
    line_id: str | None = None


def script_texts(script: Script) -> Iterator[_Text]:
    """Every piece of the script that is seen or heard, with where it is."""
    if script.title:
        yield _Text("title", script.title)
    for character in script.characters:
        yield _Text("character", character.name)
    for scene in script.scenes:
        if scene.heading:
            yield _Text("heading", scene.heading, scene.id)
        yield _Text("location", scene.location, scene.id)
        for element in scene.elements:
            yield _Text("text", element.text, scene.id, element.id)
            if isinstance(element, DialogueElement) and element.parenthetical:
                yield _Text("parenthetical", element.parenthetical, scene.id, element.id)


def check_script(
    script: Script,
    policy: TermPolicy,
    *,
    mode: SafetyMode,
    script_hash: str,
    classifiers: Sequence[Classifier] = (),
) -> SafetyReport:
    findings: list[SafetyFinding] = []
    for piece in script_texts(script):
        for match in policy.find(piece.text):
            findings.append(
                SafetyFinding(
                    category=match.category,
                    term=match.term,
                    matched=match.matched,
                    field=piece.field,
                    scene_id=piece.scene_id,
                    line_id=piece.line_id,
                )
            )
        for classifier in classifiers:
            for flag in classifier.classify(piece.text):
                findings.append(
                    SafetyFinding(
                        category=flag.category,
                        term=flag.label,
                        matched=piece.text[:80],
                        field=piece.field,
                        scene_id=piece.scene_id,
                        line_id=piece.line_id,
                        source=classifier.name,
                        score=flag.score,
                    )
                )
    return SafetyReport.new(
        script_hash=script_hash,
        mode=mode,
        passed=not findings,
        publishable=not findings,
        findings=findings,
    )


def _where(finding: SafetyFinding) -> str:
    if finding.line_id:
        return f"scene {finding.scene_id}, line {finding.line_id}"
    if finding.scene_id:
        return f"scene {finding.scene_id} ({finding.field})"
    return f"the script's {finding.field}"


def blocked_message(report: SafetyReport) -> str | None:
    """What stops the run, naming the first finding's scene and line; None if nothing does."""
    if report.mode != "fail_closed" or not report.findings:
        return None
    first = report.findings[0]
    more = f" (and {len(report.findings) - 1} more)" if len(report.findings) > 1 else ""
    return (
        f"the safety check blocked the script: {first.matched!r} ({first.category}, "
        f"term {first.term!r}) in {_where(first)}{more}; repair: reword the line, or set "
        "safety_mode: warn_only to render it marked as not publishable"
    )
