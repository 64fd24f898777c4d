"""Content safety: the text policy check a Script passes before it is rendered."""

from sparkle_motion.safety.check import (
    Classifier,
    ClassifierFlag,
    blocked_message,
    check_script,
    script_texts,
)
from sparkle_motion.safety.terms import DEFAULT_TERMS, TermMatch, TermPolicy, normalize

__all__ = [
    "DEFAULT_TERMS",
    "Classifier",
    "ClassifierFlag",
    "TermMatch",
    "TermPolicy",
    "blocked_message",
    "check_script",
    "normalize",
    "script_texts",
]
