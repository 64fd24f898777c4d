"""SafetyReport: what the text policy check found in a Script."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from sparkle_motion.schemas.base import Artifact, Model

__all__ = ["SafetyFinding", "SafetyReport"]


class SafetyFinding(Model):
    category: str
    term: str
    """The configured term (or the classifier's label) that matched."""
    matched: str
    """The words of the script that matched."""
    field: str
    """Where in the script: ``title``, ``character``, ``heading``, ``location``, ``text``,
    ``parenthetical``."""
    scene_id: str | None = None
    line_id: str | None = None
    source: str = "terms"
    """``terms`` for the term list, else the classifier's name."""
    score: float | None = None


class SafetyReport(Artifact):
    KIND: ClassVar[str] = "safety_report"

    script_hash: str
    mode: Literal["fail_closed", "warn_only"]
    passed: bool
    """No finding at all."""
    publishable: bool
    """False when the run went on past findings (``warn_only``)."""
    findings: list[SafetyFinding] = Field(default_factory=list)
