"""The term list: what matches, what does not, and how a project configures it.

Blocked words in these tests are made up ("blorptastic", "snorkel wumpus"),
standing in for the slurs a real list would hold.
"""

from __future__ import annotations

import pytest

from sparkle_motion.safety import DEFAULT_TERMS, TermPolicy, normalize

POLICY = TermPolicy({"test-slur": ["blorp*", "snorkel wumpus"], "test-word": ["zib"]})


def found(text: str, policy: TermPolicy = POLICY) -> list[tuple[str, str, str]]:
    return [(m.category, m.term, m.matched) for m in policy.find(text)]


@pytest.mark.parametrize(
    "text",
    [
        "You are blorptastic.",
        "BLORP!",
        "what a Blorping day",
        "a snorkel wumpus",
        "a SNORKEL\n  wumpus",
        "a snorkel-wumpus",
        "zib",
        "zib, zab",
        "blörp",  # accents do not hide a term
        "blo\u200brp",  # neither do zero-width characters
        "ｂｌｏｒｐ",  # nor full-width letters
    ],
)
def test_terms_match_whatever_the_case_spacing_accents_or_tricks(text: str) -> None:
    assert found(text)


@pytest.mark.parametrize(
    "text",
    ["zibbet", "azib", "snorkel and wumpus", "a snorkelwumpus", "unblorp", "Hello there."],
)
def test_terms_never_match_inside_other_words(text: str) -> None:
    assert found(text) == []


def test_a_match_names_its_category_term_and_words() -> None:
    assert found("Blorptastic! And a snorkel wumpus.") == [
        ("test-slur", "blorp*", "blorptastic"),
        ("test-slur", "snorkel wumpus", "snorkel wumpus"),
    ]


def test_the_bundled_list_is_on_by_default_and_can_be_allowed_or_switched_off() -> None:
    assert DEFAULT_TERMS and all(DEFAULT_TERMS.values())
    term = next(iter(DEFAULT_TERMS["profanity"])).rstrip("*")
    assert found(f"oh {term}", TermPolicy.build())
    assert found(f"oh {term}", TermPolicy.build(allow=[f"{term}*", term])) == []
    assert found(f"oh {term}", TermPolicy.build(default_terms=False)) == []


def test_project_terms_add_to_the_bundled_list() -> None:
    policy = TermPolicy.build(terms={"test-slur": ["blorp*"]})
    assert len(policy) == sum(len(v) for v in DEFAULT_TERMS.values()) + 1
    assert found("blorpy", policy) == [("test-slur", "blorp*", "blorpy")]


def test_a_term_without_words_is_refused() -> None:
    with pytest.raises(ValueError, match="no words"):
        TermPolicy({"x": ["*"]})


def test_normalize_folds_case_and_accents() -> None:
    assert normalize("Crème BRÛLÉE") == "creme brulee"
