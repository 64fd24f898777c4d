"""The title page: ``Key: value`` lines at the very top, ended by a blank line.

A value continues on following lines indented by three or more spaces (or a
tab). So that a script opening with ``FADE IN:`` or an action line holding a
colon is not mistaken for one, the first block counts as a title page only
when every line is a key line or an indented continuation, the first key
has a value, and every key is a known one (Title, Credit, Author, ...) or a
short custom key of at most three capitalised words, not all in capitals
(``Episode Code:``; ``MARA: hi`` is not a title page).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from sparkle_motion.writing.fountain.emphasis import plain

__all__ = ["KNOWN_KEYS", "TitleLine", "read_title_page", "title_of", "write_title_page"]

KNOWN_KEYS = (
    "Title",
    "Credit",
    "Author",
    "Authors",
    "Source",
    "Draft date",
    "Date",
    "Contact",
    "Copyright",
    "Notes",
    "Revision",
    "Episode",
)
_KNOWN = {key.casefold(): rank for rank, key in enumerate(KNOWN_KEYS)}
_KEY = re.compile(r"[A-Za-z][A-Za-z0-9 '()_-]*")
_MAX_CUSTOM_WORDS = 3

TitleLine = tuple[int, str]
"""A physical line: its number and its text (tabs already expanded)."""


def _key_of(text: str) -> tuple[str, str] | None:
    colon = text.find(":")
    if colon <= 0 or text[:1].isspace():
        return None
    key = text[:colon].strip()
    if _KEY.fullmatch(key) is None:
        return None
    words = key.split()
    known = key.casefold() in _KNOWN
    capitalised = all(w[0].isupper() for w in words) and any(ch.islower() for ch in key)
    if not known and (len(words) > _MAX_CUSTOM_WORDS or not capitalised):
        return None
    return key, text[colon + 1 :].strip()


def _continues(text: str) -> bool:
    return text.startswith("   ") and bool(text.strip())


def read_title_page(lines: Sequence[TitleLine]) -> tuple[dict[str, str], int]:
    """The title page at the top of ``lines`` (empty if none) and where the body starts."""
    start = 0
    while start < len(lines) and not lines[start][1].strip():
        start += 1
    end = start
    while end < len(lines) and lines[end][1].strip():
        end += 1
    block = [text for _, text in lines[start:end]]
    if not block:
        return {}, 0
    first = _key_of(block[0])
    if first is None or not (first[1] or (len(block) > 1 and _continues(block[1]))):
        return {}, 0
    if not all(_key_of(text) is not None or _continues(text) for text in block):
        return {}, 0
    entries: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    current: list[str] = []
    for text in block:
        keyed = _key_of(text) if not _continues(text) else None
        if keyed is not None:
            key, value = keyed
            name = names.setdefault(key.casefold(), key)
            current = entries.setdefault(name, [])
            if value:
                current.append(value)
        else:
            current.append(text.strip())
    page = {key: "\n".join(values) for key, values in entries.items() if values}
    return page, end


def title_of(page: Mapping[str, str]) -> str:
    """The script's title: the Title entry, markup and notes left out, on one line."""
    value = next((v for k, v in page.items() if k.casefold() == "title"), "")
    without_notes = re.sub(r"\[\[.*?\]\]", " ", value, flags=re.S)
    return " ".join(plain(" ".join(without_notes.split())).split())


def _order(key: str) -> tuple[int, str, str]:
    return (_KNOWN.get(key.casefold(), len(_KNOWN)), key.casefold(), key)


def write_title_page(page: Mapping[str, str], title: str) -> list[str]:
    """Lines of a title page for ``page`` (plus ``title`` if the page has none)."""
    entries = {k: v for k, v in page.items() if v.strip() and _key_of(f"{k}: x") is not None}
    if title and not any(k.casefold() == "title" for k in entries):
        entries["Title"] = title
    lines: list[str] = []
    for key in sorted(entries, key=_order):
        values = [v.strip() for v in entries[key].split("\n") if v.strip()]
        if len(values) == 1:
            lines.append(f"{key}: {values[0]}")
        else:
            lines.append(f"{key}:")
            lines.extend(f"    {value}" for value in values)
    return lines
