"""Properties: any text ends in a Script or a line-numbered InputError; scripts round-trip."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sparkle_motion.errors import InputError
from sparkle_motion.schemas import Script
from sparkle_motion.writing.fountain import export_fountain, parse_fountain, read_fountain
from tests.strategies import fountain_scripts
from tests.writing.helpers import reimported, without_source_lines

# Lines that mean something in Fountain, to be shuffled into nonsense.
FRAGMENTS = [
    *[""] * 4,
    "  ",
    "\t",
    "INT. HOUSE - DAY",
    "EXT. A - NIGHT #2#",
    ".FLASH",
    "...",
    "MARA",
    "   BO (V.O.)",
    "@McX ^",
    "BO ^",
    "(quietly)",
    "(to Bo",
    "x)",
    "Hello *there*",
    "_u_ **b** \\*",
    "~la la",
    ">CENTER<",
    "> FADE OUT",
    "CUT TO:",
    "FADE IN:",
    "!FORCED",
    "# Act",
    "## Seq",
    "= syn",
    "===",
    "[[note]]",
    "[[canon: mara.status = dead]]",
    "[[canon: event death mara]]",
    "[[canon: Bad claim]]",
    "Title: X",
    "    continued",
    "a [[n]] b",
    "/* bone */ x",
    "x /*",
    "*/ y",
    "[[a",
    "b]]",
    "Mara waves.",
    "THE END.",
    "=",
    "#",
    "!",
    ">",
    "~",
    "()",
    "MARA: hi",
    "I/E CAR - DAY",
    "est. x",
    "*a *b* c*",
]
screenplay_like = st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("\n".join)
any_text = st.one_of(st.text(max_size=200), screenplay_like, screenplay_like.map(str.upper))
LINE_NUMBERED = re.compile(r"^ep01\.fountain:\d+$")


def _imports_or_says_where(text: str) -> Script | None:
    try:
        return parse_fountain(text, episode_id="ep01", source="ep01.fountain")
    except InputError as error:
        assert error.where is not None and LINE_NUMBERED.match(error.where), error.one_line()
        assert "\n" not in error.one_line()
        assert "please report" not in error.one_line(), error.one_line()
        return None


@given(any_text)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_is_a_script_or_a_line_numbered_input_error(text: str) -> None:
    script = _imports_or_says_where(text)
    if script is not None:
        again = reimported(script)
        assert without_source_lines(again) == without_source_lines(script)
        assert export_fountain(again) == export_fountain(script)


@given(st.binary(max_size=200) | screenplay_like.map(lambda t: t.encode("utf-16")))
@settings(max_examples=150, deadline=None)
def test_any_bytes_are_a_script_or_a_line_numbered_input_error(data: bytes) -> None:
    try:
        read_fountain(data, "ep01.fountain")
    except InputError as error:
        assert error.where is not None and LINE_NUMBERED.match(error.where), error.one_line()


@given(fountain_scripts())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_script_fountain_can_carry_comes_back_unchanged(script: Script) -> None:
    again = reimported(script)
    assert without_source_lines(again) == script
    assert export_fountain(again) == export_fountain(script)


@given(fountain_scripts())
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_text_never_carries_markup_or_notes(script: Script) -> None:
    for scene in reimported(script).scenes:
        for element in scene.elements:
            for marker in ("*", "_", "[[", "]]", "/*"):
                assert marker not in element.text
