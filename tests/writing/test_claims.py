"""The canon claim grammar: ``canon: <id>.<key> = <value>`` and ``canon: event ...``."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sparkle_motion.canon.claims import format_claim, is_claim, parse_claim
from sparkle_motion.errors import CanonClaimError, InputError
from sparkle_motion.schemas import CanonClaim

slugs = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,8}", fullmatch=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "canon: mara.status = dead",
            {"kind": "state", "subject": "mara", "key": "status", "value": "dead"},
        ),
        ("CANON:mara.age=34", {"kind": "state", "subject": "mara", "key": "age", "value": "34"}),
        (
            " canon: lamp . state = lit  again ",
            {"kind": "state", "subject": "lamp", "key": "state", "value": "lit  again"},
        ),
        (
            "canon: x.note = a = b",
            {"kind": "state", "subject": "x", "key": "note", "value": "a = b"},
        ),
        (
            "canon: event death mara",
            {"kind": "event", "subject": "mara", "event": "death", "objects": []},
        ),
        (
            "canon: event meets mara bo cat_2",
            {"kind": "event", "subject": "mara", "event": "meets", "objects": ["bo", "cat_2"]},
        ),
        (
            "canon: event.kind = odd",
            {"kind": "state", "subject": "event", "key": "kind", "value": "odd"},
        ),
    ],
)
def test_claims_read_by_the_grammar(text: str, expected: dict[str, object]) -> None:
    claim = parse_claim(text, source_line=7, element_id="a1")
    assert claim.model_dump(include=set(expected)) == expected
    assert (claim.source_line, claim.element_id) == (7, "a1")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("canon:", "empty"),
        ("canon: Mara.status = dead", "'Mara' is not an id"),
        ("canon: mara.Status = dead", "'Status' is not an id"),
        ("canon: mara status dead", "expected <id>.<key> = <value>"),
        ("canon: mara.status =", "no value"),
        ("canon: mara.status = ", "no value"),
        ("canon: event death", "names no subject"),
        ("canon: event Death mara", "event 'Death' is not an id"),
        ("canon: event death mara Bo", "object 'Bo' is not an id"),
        ("note: mara.status = dead", "expected it to start with canon:"),
    ],
)
def test_a_malformed_claim_is_an_input_error_saying_where_and_what(
    text: str, expected: str
) -> None:
    with pytest.raises(CanonClaimError) as info:
        parse_claim(text, where="ep01.fountain:12")
    assert isinstance(info.value, InputError)
    message = info.value.one_line()
    assert expected in message
    assert "ep01.fountain:12" in message
    assert "canon: <id>.<key> = <value>" in message


def test_is_claim_looks_only_at_the_prefix() -> None:
    assert is_claim("  Canon: anything")
    assert not is_claim("canonical: no")
    assert not is_claim("see canon: later")


@given(slugs, slugs, st.text(min_size=1).filter(lambda v: v.strip()))
def test_state_claims_format_and_read_back(subject: str, key: str, value: str) -> None:
    claim = CanonClaim(kind="state", subject=subject, key=key, value=" ".join(value.split()))
    assert parse_claim(format_claim(claim)) == claim


@given(slugs, slugs, st.lists(slugs, max_size=3))
def test_event_claims_format_and_read_back(event: str, subject: str, objects: list[str]) -> None:
    claim = CanonClaim(kind="event", subject=subject, event=event, objects=objects)
    assert parse_claim(format_claim(claim)) == claim
