"""Fountain emphasis: ``*italic*``, ``**bold**``, ``***bold italic***``, ``_underline_``.

Markup becomes :class:`TextSpan` ranges over plain text and back. The rules:

- a run of one, two or three ``*`` (or a single ``_``) is a delimiter; longer
  runs are literal text;
- a delimiter opens when the next character is not a space, and closes when
  the previous one is not a space (``He dialed *69 and *23`` stays literal);
- a closer pairs with the nearest open delimiter of the same kind; openers
  left between them, and any never closed, are literal text;
- emphasis never crosses a line break;
- a backslash before ``*``, ``_`` or ``\\`` makes that character literal; any
  other backslash is literal itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, cast

from sparkle_motion.schemas import TextSpan

__all__ = ["normalize_spans", "parse_lines", "plain", "render_lines"]

_Style = Literal["italic", "bold", "bold_italic", "underline"]
_ESCAPABLE = frozenset("*_\\")
_STYLES = {("*", 1): "italic", ("*", 2): "bold", ("*", 3): "bold_italic", ("_", 1): "underline"}
_MARKERS = {style: char * length for (char, length), style in _STYLES.items()}


@dataclass
class _Delimiter:
    char: str
    length: int
    can_open: bool
    can_close: bool
    partner: int | None = None


_Token = str | _Delimiter


def _tokens(line: str) -> list[_Token]:
    tokens: list[_Token] = []
    literal: list[str] = []
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line) and line[i + 1] in _ESCAPABLE:
            literal.append(line[i + 1])
            i += 2
            continue
        if ch not in "*_":
            literal.append(ch)
            i += 1
            continue
        end = i
        while end < len(line) and line[end] == ch:
            end += 1
        length = end - i
        if (ch, length) not in _STYLES:
            literal.append(line[i:end])
            i = end
            continue
        before = line[i - 1] if i > 0 else " "
        after = line[end] if end < len(line) else " "
        if literal:
            tokens.append("".join(literal))
            literal = []
        tokens.append(_Delimiter(ch, length, not after.isspace(), not before.isspace()))
        i = end
    if literal:
        tokens.append("".join(literal))
    return tokens


def _pair(tokens: list[_Token]) -> None:
    openers: list[tuple[int, _Delimiter]] = []
    for index, token in enumerate(tokens):
        if isinstance(token, str):
            continue
        match = None
        if token.can_close:
            kind = (token.char, token.length)
            match = next(
                (
                    depth
                    for depth in range(len(openers) - 1, -1, -1)
                    if (openers[depth][1].char, openers[depth][1].length) == kind
                ),
                None,
            )
        if match is not None:
            opener_index, opener = openers[match]
            del openers[match:]
            opener.partner = index
            token.partner = opener_index
        elif token.can_open:
            openers.append((index, token))


def _parse_line(line: str, offset: int) -> tuple[str, list[TextSpan]]:
    tokens = _tokens(line)
    _pair(tokens)
    out: list[str] = []
    length = 0
    starts: dict[int, int] = {}
    spans: list[TextSpan] = []
    for index, token in enumerate(tokens):
        if isinstance(token, str):
            out.append(token)
            length += len(token)
        elif token.partner is None:
            marker = token.char * token.length
            out.append(marker)
            length += len(marker)
        elif token.partner > index:
            starts[index] = length
        else:
            start = starts[token.partner]
            if length > start:
                style = _STYLES[(token.char, token.length)]
                spans.append(TextSpan(start=offset + start, end=offset + length, style=style))
    return "".join(out), spans


def normalize_spans(spans: Sequence[TextSpan]) -> list[TextSpan]:
    """Sorted, without duplicates; italic and bold over one range become bold_italic."""
    by_range: dict[tuple[int, int], set[str]] = {}
    for span in spans:
        by_range.setdefault((span.start, span.end), set()).add(span.style)
    result: list[TextSpan] = []
    for (start, end), styles in by_range.items():
        if {"italic", "bold"} <= styles:
            styles = (styles - {"italic", "bold"}) | {"bold_italic"}
        result.extend(TextSpan(start=start, end=end, style=cast(_Style, style)) for style in styles)
    return sorted(result, key=lambda s: (s.start, -s.end, s.style))


def parse_lines(lines: Sequence[str]) -> tuple[str, list[TextSpan]]:
    """Marked-up lines → plain text joined by newlines, and its spans."""
    texts: list[str] = []
    spans: list[TextSpan] = []
    offset = 0
    for line in lines:
        text, line_spans = _parse_line(line, offset)
        texts.append(text)
        spans.extend(line_spans)
        offset += len(text) + 1
    return "\n".join(texts), normalize_spans(spans)


def plain(text: str) -> str:
    """The text of one line with its emphasis markup taken out."""
    return _parse_line(text, 0)[0]


def _escape(text: str, following: str) -> str:
    out: list[str] = []
    for index, ch in enumerate(text):
        nxt = text[index + 1] if index + 1 < len(text) else following
        if ch in "*_" or (ch == "\\" and nxt in _ESCAPABLE):
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _render_line(text: str, spans: Sequence[TextSpan]) -> str:
    events: dict[int, tuple[list[TextSpan], list[TextSpan]]] = {}
    for span in spans:
        events.setdefault(span.start, ([], []))[0].append(span)
        events.setdefault(span.end, ([], []))[1].append(span)
    cuts = sorted({0, len(text), *events})
    open_stack: list[TextSpan] = []
    pieces: list[str] = []
    for position, cut in enumerate(cuts):
        opening, closing = events.get(cut, ([], []))
        markers: list[str] = []
        for span in reversed(list(open_stack)):
            if span in closing:
                open_stack.remove(span)
                markers.append(_MARKERS[span.style])
        for span in sorted(opening, key=lambda s: (-s.end, s.style)):
            open_stack.append(span)
            markers.append(_MARKERS[span.style])
        following_cut = cuts[position + 1] if position + 1 < len(cuts) else len(text)
        segment = text[cut:following_cut]
        next_marker = ""
        if position + 1 < len(cuts):
            next_opening, next_closing = events.get(following_cut, ([], []))
            if next_opening or next_closing:
                next_marker = "*"
        pieces.append("".join(markers))
        pieces.append(_escape(segment, next_marker))
    return "".join(pieces)


def render_lines(text: str, spans: Sequence[TextSpan]) -> list[str]:
    """Plain text and spans → marked-up lines; ``parse_lines`` reads them back."""
    lines = text.split("\n")
    rendered: list[str] = []
    offset = 0
    for line in lines:
        end = offset + len(line)
        local = [
            TextSpan(
                start=max(s.start, offset) - offset, end=min(s.end, end) - offset, style=s.style
            )
            for s in spans
            if s.start < end and s.end > offset and s.end > s.start
        ]
        rendered.append(_render_line(line, normalize_spans(local)))
        offset = end + 1
    return rendered
