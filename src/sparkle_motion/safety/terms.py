"""The term list: categories of words and phrases a script may not use. Pure.

A term is a word or a phrase, matched without regard to case, accents or
spacing, on word boundaries (so a term never matches inside a longer word);
a trailing ``*`` matches any ending (``blorp*`` finds "blorptastic"). The
bundled list is deliberately small and mild; a project adds its own
categories and terms in ``project.yaml`` under ``safety.terms``, can drop
bundled terms with ``safety.allow``, or switch the bundled list off with
``safety.default_terms: false``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["DEFAULT_TERMS", "TermMatch", "TermPolicy", "normalize"]

DEFAULT_TERMS: dict[str, tuple[str, ...]] = {
    "profanity": ("fuck*", "motherfuck*", "shit", "shitty", "bullshit", "cunt*"),
}


def normalize(text: str) -> str:
    """Case folded, accents and invisible characters removed: what terms are matched against."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(
        ch for ch in decomposed if unicodedata.category(ch) not in ("Mn", "Cf", "Cc", "Co")
    )
    return kept.casefold()


def _pattern(term: str) -> re.Pattern[str]:
    words = normalize(term.strip()).rstrip("*").split()
    if not words:
        raise ValueError(f"the safety term {term!r} has no words")
    body = r"[\W_]+".join(re.escape(word) for word in words)
    tail = r"\w*" if term.strip().endswith("*") else ""
    return re.compile(rf"(?<!\w){body}{tail}(?!\w)")


@dataclass(frozen=True)
class TermMatch:
    category: str
    term: str
    matched: str


class TermPolicy:
    """Compiled categories of terms; ``find`` lists every term a text uses."""

    def __init__(self, terms: Mapping[str, Iterable[str]]) -> None:
        self._terms: list[tuple[str, str, re.Pattern[str]]] = [
            (category, term, _pattern(term))
            for category, entries in sorted(terms.items())
            for term in entries
            if term.strip()
        ]

    @classmethod
    def build(
        cls,
        *,
        default_terms: bool = True,
        terms: Mapping[str, Sequence[str]] | None = None,
        allow: Sequence[str] = (),
    ) -> TermPolicy:
        """The bundled list (unless switched off), plus ``terms``, minus ``allow``."""
        allowed = {normalize(a.strip()) for a in allow}
        merged: dict[str, list[str]] = {}
        for source in (DEFAULT_TERMS if default_terms else {}), (terms or {}):
            for category, entries in source.items():
                bucket = merged.setdefault(category, [])
                bucket += [t for t in entries if normalize(t.strip()) not in allowed]
        return cls(merged)

    def __len__(self) -> int:
        return len(self._terms)

    def find(self, text: str) -> list[TermMatch]:
        """Every use of a term in ``text``, in the order of the terms."""
        folded = normalize(text)
        return [
            TermMatch(category=category, term=term, matched=match.group(0))
            for category, term, pattern in self._terms
            for match in pattern.finditer(folded)
        ]
