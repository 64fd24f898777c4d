"""Caption cues: properties over generated speech, examples, and files that parse back."""

from __future__ import annotations

import html
import itertools
import math
from pathlib import Path

import pysubs2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkle_motion.render.captions import (
    CaptionStyle,
    Cue,
    TimedText,
    build_cues,
    wrap_words,
    write_srt,
    write_vtt,
)

STYLE = CaptionStyle()
GAP = STYLE.min_gap_frames / STYLE.fps
MS = 0.0005  # times are rounded to whole milliseconds

word = st.builds(
    lambda stem, end: stem + end,
    st.text("abcdefghijklmnopqrstuvwxyzÀéß'-", min_size=1, max_size=14),
    st.sampled_from(["", "", "", "", ",", ".", "?", "!", ";", ":", '."', "…"]),
)
sentence = st.lists(word, min_size=1, max_size=60).map(" ".join)


@st.composite
def speech(draw: st.DrawFn) -> list[TimedText]:
    """Lines spoken one after another, no faster than a brisk 15 characters a second."""
    lines, clock = [], draw(st.floats(0, 5))
    for text in draw(st.lists(sentence, min_size=0, max_size=6)):
        fastest = max(0.5, len(text) / 15)
        duration = draw(st.floats(fastest, fastest * 3))
        lines.append(TimedText(clock, clock + duration, text))
        clock += duration + draw(st.sampled_from([0.0, 0.02, 0.3, 1.0, 4.0]))
    return lines


def _owner_of_each_cue(lines: list[TimedText], cues: list[Cue]) -> list[int]:
    """Which spoken line each cue's words came from (cues keep words in order)."""
    owners, line_index, left = [], 0, len(lines[0].text.split()) if lines else 0
    for cue in cues:
        while left == 0:
            line_index += 1
            left = len(lines[line_index].text.split())
        owners.append(line_index)
        left -= len(cue.text.split())
        assert left >= 0, "a cue mixes words of two lines"
    return owners


@settings(max_examples=300, deadline=None)
@given(speech())
def test_cue_properties(lines: list[TimedText]) -> None:
    cues = build_cues(lines, STYLE)

    # words preserved, in order
    assert " ".join(c.text for c in cues).split() == " ".join(t.text for t in lines).split()

    for cue in cues:
        assert cue.start < cue.end
        for t in (cue.start, cue.end):
            assert t * 1000 == pytest.approx(round(t * 1000), abs=1e-6)
        assert 1 <= len(cue.lines) <= STYLE.max_lines
        for line in cue.lines:
            assert len(line) <= STYLE.max_chars_per_line or " " not in line

    for before, after in itertools.pairwise(cues):
        assert after.start - before.end >= GAP - 1e-9  # never overlap, always a gap

    for index, (cue, owner) in enumerate(zip(cues, _owner_of_each_cue(lines, cues), strict=True)):
        spoken = lines[owner]
        hold = max(STYLE.min_duration, len(cue.text) / STYLE.max_chars_per_second)
        assert cue.start >= spoken.start - MS
        limit = max(spoken.end, cue.start + hold)  # held for reading time...
        if owner + 1 < len(lines):  # ...but only up to the next line
            limit = min(limit, max(spoken.end, lines[owner + 1].start - GAP))
        assert cue.end <= limit + MS
        if cue.end - cue.start < STYLE.min_duration - MS:  # short only when the next is close
            assert index + 1 < len(cues)
            assert cues[index + 1].start - cue.end <= math.ceil(GAP * 1000) / 1000 + MS


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.builds(
            lambda start, length, text: TimedText(start, start + length, text),
            st.floats(0, 20),
            st.floats(0, 3),
            sentence,
        ),
        max_size=8,
    )
)
def test_even_overlapping_or_too_fast_speech_gives_ordered_gapped_cues(
    lines: list[TimedText],
) -> None:
    cues = build_cues(lines, STYLE)
    ordered = sorted(lines, key=lambda t: (t.start, t.end))
    assert " ".join(c.text for c in cues).split() == " ".join(t.text for t in ordered).split()
    for cue in cues:
        assert cue.start < cue.end
    for before, after in itertools.pairwise(cues):
        assert after.start - before.end >= GAP - 1e-9


@given(st.lists(word, min_size=1, max_size=30), st.integers(8, 60))
def test_wrap_uses_fewest_lines_and_keeps_words(words: list[str], width: int) -> None:
    lines = wrap_words(words, width)
    assert " ".join(lines).split() == words
    assert all(len(line) <= width or " " not in line for line in lines)
    greedy_count, current = 0, -1
    for w in words:  # the plain greedy fill: the fewest lines possible
        if current >= 0 and current + 1 + len(w) <= width:
            current += 1 + len(w)
        else:
            greedy_count, current = greedy_count + 1, len(w)
    assert len(lines) == greedy_count


def test_long_line_splits_at_sentence_end_and_shares_time_by_characters() -> None:
    text = (
        "The lamp has burned for a hundred years, and tonight it flickers. "
        "Mara, fetch the oil; we cannot let it die before the ship passes the rocks."
    )
    first, second = build_cues([TimedText(1.0, 9.0, text)], STYLE)
    assert first.text.endswith("flickers.")
    assert second.text.startswith("Mara,")
    assert first.start == 1.0 and second.end == 9.0
    share = (len(first.text) + 1) / len(text)
    assert second.start == pytest.approx(1.0 + 8.0 * share, abs=0.002)
    assert first.end == pytest.approx(second.start - 0.084, abs=0.002)


def test_balanced_two_line_wrap_and_overlong_words() -> None:
    # the longest line is as short as it can be: 32, where a greedy fill would give 40
    defiant = "I will not leave this lighthouse tonight, not for anyone"
    assert wrap_words(defiant.split(), 42) == (
        "I will not leave this lighthouse",
        "tonight, not for anyone",
    )
    lamp = "The lamp has burned for a hundred years, and tonight it"
    assert wrap_words(lamp.split(), 42) == (
        "The lamp has burned for a",  # equal split impossible: the slack goes on top
        "hundred years, and tonight it",
    )
    assert wrap_words(["aaaa", "bbbb", "cccc", "dddd"], 12) == ("aaaa bbbb", "cccc dddd")
    assert wrap_words(["Supercalifragilisticexpialidocious!"], 10) == (
        "Supercalifragilisticexpialidocious!",
    )


def test_short_cues_are_held_when_there_is_room() -> None:
    held, clipped, last = build_cues(
        [TimedText(0.0, 0.3, "Yes."), TimedText(2.0, 2.3, "No."), TimedText(2.5, 2.8, "Go!")],
        STYLE,
    )
    assert (held.start, held.end) == (0.0, 0.83)
    assert clipped.end == pytest.approx(2.5 - 0.084)
    assert last.end == pytest.approx(2.5 + 0.83)


def test_unsorted_and_blank_input() -> None:
    cues = build_cues(
        [TimedText(5, 6, "second"), TimedText(0, 1, "  "), TimedText(1, 2, "first")], STYLE
    )
    assert [c.text for c in cues] == ["first", "second"]
    assert build_cues([], STYLE) == []
    with pytest.raises(ValueError, match="start <= end"):
        TimedText(2.0, 1.0, "backwards")
    with pytest.raises(ValueError, match="positive"):
        CaptionStyle(fps=0)


CUES = [
    Cue(0.5, 2.25, ("Mara <whispers> & waits,", "then speaks.")),
    Cue(2.334, 3.5, ("Ça va? “Oui.”",)),
]


def test_srt_is_utf8_lf_and_parses_back(tmp_path: Path) -> None:
    path = tmp_path / "ep.srt"
    write_srt(CUES, path)
    raw = path.read_bytes()
    assert b"\r" not in raw and not raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8").startswith("1\n00:00:00,500 --> 00:00:02,250\nMara <whispers>")
    loaded = pysubs2.load(str(path), encoding="utf-8")
    assert [(e.start, e.end) for e in loaded] == [(500, 2250), (2334, 3500)]
    assert [e.text.split(r"\N") for e in loaded][1] == ["Ça va? “Oui.”"]


def test_vtt_escapes_markup_and_parses_back(tmp_path: Path) -> None:
    path = tmp_path / "ep.vtt"
    write_vtt(CUES, path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT\n\n")
    assert "00:00:02.334 --> 00:00:03.500" in text
    assert "Mara &lt;whispers&gt; &amp; waits," in text
    loaded = pysubs2.load(str(path), encoding="utf-8")
    assert [(e.start, e.end) for e in loaded] == [(500, 2250), (2334, 3500)]
    lines = [html.unescape(line) for line in loaded[0].text.split(r"\N")]
    assert lines == list(CUES[0].lines)
    assert [p.name for p in tmp_path.iterdir()] == ["ep.vtt"]  # no temporary left behind
