"""Canon claims written in a screenplay: the grammar, a pure parser and its inverse.

A claim is one line of text (in Fountain, the inside of a ``[[ ... ]]`` note)::

    claim        := "canon:" ( state | event )
    state        := id "." key "=" value
    event        := "event" event-name subject { object }
    id, key,
    event-name,
    subject,
    object       := slug
    slug         := [a-z0-9][a-z0-9_-]*
    value        := any text, not empty; surrounding spaces are dropped

Spaces and tabs may stand between any two parts (``mara.status=dead`` and
``mara . status = dead`` are the same claim); the words of an event are
separated by at least one space. ``canon:`` is matched without regard to
case; everything after it is case-sensitive, so ids must be lower case.

Examples::

    canon: mara.status = dead          -> state  mara.status = "dead"
    canon: lighthouse.lamp = lit again -> state  lighthouse.lamp = "lit again"
    canon: event death mara            -> event  death of mara
    canon: event meets mara bo         -> event  meets, subject mara, objects [bo]

A text that starts with ``canon:`` but breaks the grammar is a
:class:`~sparkle_motion.errors.CanonClaimError` naming where it was found
and what was expected. Text that does not start with ``canon:`` is not a
claim (:func:`is_claim` tells the two apart).
"""

from __future__ import annotations

import re

from sparkle_motion.errors import CanonClaimError
from sparkle_motion.schemas import CanonClaim

__all__ = ["CLAIM_PREFIX", "format_claim", "is_claim", "parse_claim"]

CLAIM_PREFIX = "canon:"
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")
_STATE = re.compile(r"^(?P<id>[^.=\s]+)\s*\.\s*(?P<key>[^=\s]+)\s*=(?P<value>.*)$", re.S)
_HINT = "write canon: <id>.<key> = <value> or canon: event <event> <subject> [<object> ...]"


def is_claim(text: str) -> bool:
    """Whether a note's text is meant as a claim (it starts with ``canon:``)."""
    return text.lstrip().lower().startswith(CLAIM_PREFIX)


def _slug(word: str, role: str, where: str | None) -> str:
    if _SLUG.fullmatch(word) is None:
        raise CanonClaimError(
            f"{role} {word!r} is not an id (expected lower-case letters, digits, - and _, "
            "starting with a letter or digit)",
            where=where,
            hint=_HINT,
        )
    return word


def parse_claim(
    text: str,
    *,
    where: str | None = None,
    source_line: int | None = None,
    element_id: str | None = None,
) -> CanonClaim:
    """The claim ``text`` states; ``where`` (``file:line``) is named in errors."""
    stripped = text.strip()
    if not stripped.lower().startswith(CLAIM_PREFIX):
        raise CanonClaimError(
            f"{stripped[:40]!r} is not a canon claim (expected it to start with canon:)",
            where=where,
            hint=_HINT,
        )
    body = stripped[len(CLAIM_PREFIX) :].strip()
    if not body:
        raise CanonClaimError("the claim is empty", where=where, hint=_HINT)
    words = body.split()
    if words[0] == "event" and "=" not in body:
        if len(words) < 3:
            raise CanonClaimError(
                f"the event claim {body!r} names no subject "
                "(expected event <event> <subject> [<object> ...])",
                where=where,
                hint=_HINT,
            )
        return CanonClaim(
            kind="event",
            event=_slug(words[1], "event", where),
            subject=_slug(words[2], "subject", where),
            objects=[_slug(word, "object", where) for word in words[3:]],
            source_line=source_line,
            element_id=element_id,
        )
    match = _STATE.match(body)
    if match is None:
        raise CanonClaimError(
            f"cannot read {body!r} (expected <id>.<key> = <value>)", where=where, hint=_HINT
        )
    value = match["value"].strip()
    if not value:
        raise CanonClaimError(
            f"the claim {body!r} has no value after = (expected <id>.<key> = <value>)",
            where=where,
            hint=_HINT,
        )
    return CanonClaim(
        kind="state",
        subject=_slug(match["id"], "id", where),
        key=_slug(match["key"], "key", where),
        value=value,
        source_line=source_line,
        element_id=element_id,
    )


def format_claim(claim: CanonClaim) -> str:
    """The claim as text in the grammar above; ``parse_claim`` reads it back unchanged."""
    if claim.kind == "event":
        words = [claim.event or "event", claim.subject, *claim.objects]
        return f"{CLAIM_PREFIX} event {' '.join(words)}"
    value = " ".join((claim.value or "").split())
    return f"{CLAIM_PREFIX} {claim.subject}.{claim.key or 'state'} = {value}"
