"""Caption cues from timed speech, and their SRT / WebVTT sidecars.

A spoken line longer than one caption is split at natural breaks (sentence
ends, then clause punctuation, then between words), its time shared out in
proportion to characters. Each cue is wrapped into balanced lines; a short
cue is held on screen for ``min_duration`` (or its reading time) when there
is room before the next; cues never overlap and keep a gap of
``min_gap_frames``. All times are whole milliseconds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pysubs2

from sparkle_motion.atomic import write_text_atomic

__all__ = [
    "CaptionStyle",
    "Cue",
    "TimedText",
    "build_cues",
    "split_words",
    "wrap_words",
    "write_srt",
    "write_vtt",
]

_CLOSERS = re.escape("'\"”’)]»")  # may follow the punctuation that ends a phrase
_SENTENCE_END = re.compile(rf"[.!?…][{_CLOSERS}]*$")
_CLAUSE_END = re.compile(rf"([,;:]|--|[—–])[{_CLOSERS}]*$")


@dataclass(frozen=True)
class TimedText:
    """A spoken line and when it is spoken, in seconds."""

    start: float
    end: float
    text: str

    def __post_init__(self) -> None:
        if not (math.isfinite(self.start) and math.isfinite(self.end)) or self.end < self.start:
            raise ValueError(
                f"a spoken line needs finite start <= end, got {self.start}..{self.end}"
            )


@dataclass(frozen=True)
class CaptionStyle:
    max_chars_per_line: int = 42
    max_lines: int = 2
    max_chars_per_second: float = 20.0
    min_duration: float = 0.83
    min_gap_frames: int = 2
    fps: int = 24

    def __post_init__(self) -> None:
        if self.max_chars_per_line < 1 or self.max_lines < 1 or self.fps < 1:
            raise ValueError("max_chars_per_line, max_lines and fps must be positive")
        if self.max_chars_per_second <= 0 or self.min_duration < 0 or self.min_gap_frames < 0:
            raise ValueError("reading speed must be positive; min_duration and gap not negative")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.lines)


def _joined(words: Sequence[str]) -> int:
    return sum(map(len, words)) + max(0, len(words) - 1)


def _greedy(words: Sequence[str], width: int) -> list[list[str]]:
    """Fill lines of at most ``width`` characters; a longer word gets a line of its own."""
    lines: list[list[str]] = []
    for word in words:
        if lines and _joined(lines[-1]) + 1 + len(word) <= width:
            lines[-1].append(word)
        else:
            lines.append([word])
    return lines


def wrap_words(words: Sequence[str], max_chars: int) -> tuple[str, ...]:
    """Wrap into the fewest lines of <= ``max_chars``, evened out, any slack on top."""
    if not words:
        return ()
    fewest = len(_greedy(words, max_chars))
    narrowest = min(max_chars, max(1, _joined(words) // fewest))
    for width in range(narrowest, max_chars + 1):
        # Filling from the end leaves the slack on the top line: a pyramid. Greedy
        # filling gives the fewest lines either way, so by max_chars this breaks.
        backwards = _greedy(words[::-1], width)
        if len(backwards) <= fewest:
            break
    return tuple(" ".join(line[::-1]) for line in backwards[::-1])


def _break_rank(word: str) -> int:
    if _SENTENCE_END.search(word):
        return 2
    return 1 if _CLAUSE_END.search(word) else 0


def split_words(words: Sequence[str], style: CaptionStyle) -> list[list[str]]:
    """Split ``words`` into chunks that each wrap into ``style.max_lines`` lines."""

    def fits(chunk: Sequence[str]) -> bool:
        return len(_greedy(chunk, style.max_chars_per_line)) <= style.max_lines

    chunks: list[list[str]] = []
    rest = list(words)
    while rest and not fits(rest):
        longest = 1
        while longest < len(rest) and fits(rest[: longest + 1]):
            longest += 1
        total = _joined(rest)
        target = total / math.ceil(total / max(1, _joined(rest[:longest])))
        cut = _choose_cut(rest, longest, target, total)
        chunks.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        chunks.append(rest)
    return chunks


def _choose_cut(words: Sequence[str], longest: int, target: float, total: int) -> int:
    """Where to end the next chunk: the best kind of break near ``target`` characters."""
    sizes = {i: _joined(words[:i]) for i in range(1, longest + 1)}
    for rank in (2, 1):
        natural = [
            i
            for i in sizes
            if _break_rank(words[i - 1]) >= rank
            and sizes[i] >= target / 2
            and total - sizes[i] - 1 >= target / 2
        ]
        if natural:
            return min(natural, key=lambda i: (abs(sizes[i] - target), -i))
    return min(sizes, key=lambda i: (abs(sizes[i] - target), -i))


@dataclass(frozen=True)
class _Piece:
    start: int  # ms
    end: int
    words: list[str]


def _pieces(line: TimedText, style: CaptionStyle) -> list[_Piece]:
    words = line.text.split()
    chunks = split_words(words, style)
    total = _joined(words)
    pieces, offset = [], 0
    span = line.end - line.start
    for chunk in chunks:
        begin, offset = offset, offset + _joined(chunk) + 1
        end = min(offset, total)
        pieces.append(
            _Piece(
                round((line.start + span * begin / total) * 1000),
                round((line.start + span * end / total) * 1000),
                chunk,
            )
        )
    return pieces


def build_cues(spoken: Sequence[TimedText], style: CaptionStyle) -> list[Cue]:
    """Caption cues for ``spoken`` (in any order), in time order."""
    pieces = [
        piece
        for line in sorted(spoken, key=lambda t: (t.start, t.end))
        if line.text.split()
        for piece in _pieces(line, style)
    ]
    gap = math.ceil(style.min_gap_frames * 1000 / style.fps)
    one_frame = math.ceil(1000 / style.fps)
    cues: list[Cue] = []
    previous_end: int | None = None
    for index, piece in enumerate(pieces):
        start = piece.start if previous_end is None else max(piece.start, previous_end + gap)
        chars = _joined(piece.words)
        hold = max(style.min_duration * 1000, chars * 1000 / style.max_chars_per_second)
        end = max(piece.end, start + math.ceil(hold))
        if index + 1 < len(pieces):
            end = min(end, pieces[index + 1].start - gap)
        # Speech faster than the gaps allow: show it for a frame, the next cue waits.
        end = max(end, start + one_frame)
        cues.append(
            Cue(start / 1000, end / 1000, wrap_words(piece.words, style.max_chars_per_line))
        )
        previous_end = end
    return cues


def _ssa(cues: Sequence[Cue], escape: bool) -> pysubs2.SSAFile:
    subs = pysubs2.SSAFile()
    for cue in cues:
        lines = cue.lines
        if escape:
            lines = tuple(
                line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                for line in lines
            )
        subs.append(
            pysubs2.SSAEvent(
                start=round(cue.start * 1000), end=round(cue.end * 1000), text=r"\N".join(lines)
            )
        )
    return subs


def write_ass(cues: Sequence[Cue], path: Path, *, width: int, height: int, font: str) -> None:
    """Advanced SubStation script for burning in: the bundled font, white on a soft box.

    Sizes follow the frame: the text is about 6.5 % of the height, sitting in
    the lower title-safe area, so a 640x360 preview and a 1920x1080 master look alike.
    """
    subs = _ssa(cues, escape=False)
    subs.info["PlayResX"] = str(width)
    subs.info["PlayResY"] = str(height)
    subs.info["WrapStyle"] = "2"  # our lines are already wrapped
    subs.info["ScaledBorderAndShadow"] = "yes"
    subs.styles["Default"] = pysubs2.SSAStyle(
        fontname=font,
        fontsize=round(0.065 * height),
        primarycolor=pysubs2.Color(255, 255, 255, 0),
        outlinecolor=pysubs2.Color(0, 0, 0, 0),
        backcolor=pysubs2.Color(0, 0, 0, 96),
        borderstyle=1,
        outline=max(1.0, 0.0035 * height),
        shadow=0.0,
        alignment=pysubs2.Alignment.BOTTOM_CENTER,
        marginv=round(0.06 * height),
        marginl=round(0.08 * width),
        marginr=round(0.08 * width),
    )
    write_text_atomic(path, subs.to_string("ass"))


def write_srt(cues: Sequence[Cue], path: Path) -> None:
    """SubRip sidecar: UTF-8, LF line ends, written atomically."""
    write_text_atomic(path, _ssa(cues, escape=False).to_string("srt", keep_ssa_tags=True))


def write_vtt(cues: Sequence[Cue], path: Path) -> None:
    """WebVTT sidecar (``&``, ``<`` and ``>`` escaped): UTF-8, LF line ends, written atomically."""
    write_text_atomic(path, _ssa(cues, escape=True).to_string("vtt", keep_ssa_tags=True))
