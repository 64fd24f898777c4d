"""Fountain syntax, element by element, as docs/fountain.md describes it."""

from __future__ import annotations

import pytest

from sparkle_motion.errors import CanonClaimError, FountainError, InputError
from sparkle_motion.schemas import ActionElement, DialogueElement, Script
from sparkle_motion.writing.fountain import export_fountain, parse_fountain, read_fountain
from sparkle_motion.writing.fountain.emphasis import parse_lines
from sparkle_motion.writing.fountain.lexer import Note, lex
from sparkle_motion.writing.fountain.tags import parenthetical_tags
from tests.conftest import tiny_script
from tests.writing.helpers import parse, reimported


def elements(script: Script) -> list[ActionElement | DialogueElement]:
    return [element for scene in script.scenes for element in scene.elements]


def lines(script: Script) -> list[DialogueElement]:
    return [e for e in elements(script) if isinstance(e, DialogueElement)]


def actions(script: Script) -> list[ActionElement]:
    return [e for e in elements(script) if isinstance(e, ActionElement)]


# -- scene headings -----------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "location", "interior", "time"),
    [
        ("INT. KITCHEN - NIGHT", "Kitchen", True, "night"),
        ("EXT. CLIFF PATH - DUSK", "Cliff path", False, "dusk"),
        ("EST. HARBOUR TOWN - DAWN", "Harbour town", False, "dawn"),
        ("INT./EXT. CAR - DAY", "Car", True, "day"),
        ("INT/EXT CAR - DAY", "Car", True, "day"),
        ("I/E CAR – NIGHT", "Car", True, "night"),
        ("ext. the mill - morning", "The mill", False, "morning"),
        ("INT HOUSE", "House", True, "day"),
        ("INT. Joe's Diner - NIGHT", "Joe's Diner", True, "night"),
    ],
)
def test_a_heading_gives_place_and_time(
    heading: str, location: str, interior: bool, time: str
) -> None:
    [scene] = parse(f"{heading}\n\nSomething happens.\n").scenes
    assert (scene.heading, scene.location, scene.interior, scene.time_of_day) == (
        heading,
        location,
        interior,
        time,
    )


def test_scene_numbers_and_forced_headings() -> None:
    script = parse(
        ".FLASHBACK - 1985 #1A#\n\nA boy on a bike.\n\n"
        "INT. ATTIC - DAY #I-2.b#\n\nDust.\n\n...and then silence.\n"
    )
    first, second = script.scenes
    assert (first.heading, first.number, first.location, first.interior) == (
        "FLASHBACK - 1985",
        "1A",
        "Flashback",
        True,
    )
    assert (second.heading, second.number) == ("INT. ATTIC - DAY", "I-2.b")
    assert [a.text for a in actions(script)][-1] == "...and then silence."
    assert [s.id for s in script.scenes] == ["s1", "s2"]


def test_continuous_and_later_keep_the_previous_time() -> None:
    script = parse(
        "EXT. YARD - NIGHT\n\nRain.\n\nINT. HALL - CONTINUOUS\n\nDrips.\n\n"
        "INT. HALL - MOMENTS LATER\n\nA towel.\n"
    )
    assert [s.time_of_day for s in script.scenes] == ["night", "night", "night"]


def test_content_before_the_first_heading_gets_a_default_scene() -> None:
    script = parse("The sea.\n\nINT. BOAT - DAY\n\nWaves.\n")
    assert [(s.heading, s.location, s.location_id) for s in script.scenes] == [
        ("", "Unspecified", "unspecified"),
        ("INT. BOAT - DAY", "Boat", "boat"),
    ]


# -- action and characters ----------------------------------------------------


def test_an_all_caps_line_with_nothing_after_it_is_action() -> None:
    script = parse("INT. HALL - DAY\n\nTHE DOOR SLAMS.\n\nBOB\nWho's there?\n")
    assert [type(e).__name__ for e in elements(script)] == ["ActionElement", "DialogueElement"]
    assert actions(script)[0].text == "THE DOOR SLAMS."


def test_a_character_needs_a_blank_line_before_it() -> None:
    script = parse("INT. HALL - DAY\n\nBob waits.\nBOB\nStill here.\n")
    assert [e.text for e in elements(script)] == ["Bob waits.\nBOB\nStill here."]


def test_forced_action_character_and_transition() -> None:
    script = parse(
        "INT. HALL - DAY\n\n!SCREAMS OUTSIDE.\nDOGS\n\n@McKAY\nQuiet.\n\n>FADE TO GREY.\n"
    )
    [action, line] = elements(script)
    assert action.text == "SCREAMS OUTSIDE.\nDOGS"
    assert (line.speaker_id, script.characters[0].name) == ("mckay", "McKAY")
    assert script.scenes[0].transition == "FADE TO GREY."


def test_transitions_end_scenes_and_fade_in_has_nothing_to_leave() -> None:
    script = parse("FADE IN:\n\nINT. A - DAY\n\nOne.\n\nCUT TO:\n\nINT. B - DAY\n\nTwo.\n")
    assert [s.transition for s in script.scenes] == ["CUT TO:", None]
    assert [a.text for a in actions(script)] == ["One.", "Two."]


def test_speakers_are_stable_across_contd_and_extensions() -> None:
    script = parse(
        "INT. A - DAY\n\nMARA\nOne.\n\nMARA (CONT'D)\nTwo.\n\nMARA (V.O.)\nThree.\n\n"
        "MARA (O.S.) (CONT'D)\nFour.\n\n@Mara\nFive.\n\nMARA (PRE-LAP)\nSix.\n"
    )
    assert [c.model_dump() for c in script.characters] == [{"speaker_id": "mara", "name": "Mara"}]
    assert [line.delivery for line in lines(script)] == [None, None, "vo", "os", None, "pre-lap"]
    assert script.scenes[0].present == ["mara"]


def test_off_screen_speakers_are_not_present_and_actions_name_who_acts() -> None:
    script = parse(
        "INT. A - DAY\n\nANN (V.O.)\nI remember.\n\nBo waves at the sky.\n\nBO\nHi, Ann.\n"
    )
    [action] = actions(script)
    assert action.characters == ["bo"]
    assert script.scenes[0].present == ["bo"]


def test_names_become_display_names_and_slugs() -> None:
    script = parse("INT. A - DAY\n\nDR. JEAN-LUC O'NEIL\nHello.\n\nZOË\nHi.\n\nR2D2\nBeep.\n")
    assert [(c.speaker_id, c.name) for c in script.characters] == [
        ("dr-jean-luc-oneil", "Dr. Jean-Luc O'Neil"),
        ("zoe", "Zoë"),
        ("r2d2", "R2d2"),
    ]


# -- dialogue, parentheticals, dual, lyrics -----------------------------------


@pytest.mark.parametrize(
    ("parenthetical", "emotion", "delivery"),
    [
        ("angry", ["angry"], None),
        ("whispering", [], "whisper"),
        ("quietly, sad", ["sad"], "quiet"),
        ("to Bo", [], None),
        ("beat", [], None),
        ("a long look at the sea", [], None),
        ("on the phone; furious", ["furious"], "phone"),
        ("wide-eyed", ["wide-eyed"], None),
    ],
)
def test_parentheticals_become_emotion_and_delivery(
    parenthetical: str, emotion: list[str], delivery: str | None
) -> None:
    assert parenthetical_tags(parenthetical) == (emotion, delivery)
    [line] = lines(parse(f"INT. A - DAY\n\nMARA\n({parenthetical})\nWell.\n"))
    assert (line.parenthetical, line.emotion, line.delivery) == (
        parenthetical,
        emotion,
        delivery,
    )


def test_a_block_with_several_parentheticals_makes_several_lines() -> None:
    script = parse(
        "INT. A - DAY\n\nMARA\n(softly)\nFirst.\nStill first.\n(beat)\n(angry)\nSecond.\n(smiles)\n"
    )
    assert [(e.type, e.text) for e in elements(script)] == [
        ("dialogue", "First.\nStill first."),
        ("dialogue", "Second."),
        ("action", "MARA (smiles)"),
    ]
    assert lines(script)[1].parenthetical == "beat, angry"


def test_dual_dialogue_marks_the_second_speaker() -> None:
    script = parse("INT. A - DAY\n\nANN\nNow!\n\nBO ^\nNow!\n")
    assert [(line.speaker_id, line.dual) for line in lines(script)] == [
        ("ann", False),
        ("bo", True),
    ]


def test_lyrics_in_dialogue_and_on_their_own() -> None:
    script = parse("INT. A - DAY\n\nANN\n~La la la\n~Tra la\nThat's all.\n\n~Hum hum\n")
    assert [(e.type, e.text, e.lyric) for e in elements(script)] == [
        ("dialogue", "La la la\nTra la", True),
        ("dialogue", "That's all.", False),
        ("action", "Hum hum", True),
    ]


def test_centered_text() -> None:
    [action] = actions(parse("INT. A - DAY\n\n> THE END <\n>**FIN**<\n"))
    assert (action.text, action.centered, [s.style for s in action.spans]) == (
        "THE END\nFIN",
        True,
        ["bold"],
    )


# -- emphasis -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("marked", "text", "spans"),
    [
        (
            "*a* **b** ***c*** _d_",
            "a b c d",
            [(0, 1, "italic"), (2, 3, "bold"), (4, 5, "bold_italic"), (6, 7, "underline")],
        ),
        ("_**both**_", "both", [(0, 4, "bold"), (0, 4, "underline")]),
        ("**bold *in* bold**", "bold in bold", [(0, 12, "bold"), (5, 7, "italic")]),
        ("dial *69 and *23", "dial *69 and *23", []),
        ("dial *69 and 23*", "dial 69 and 23", [(5, 14, "italic")]),
        ("\\*not\\* \\_this\\_", "*not* _this_", []),
        ("a\\b", "a\\b", []),
        ("****", "****", []),
        ("*open\nclose*", "*open\nclose*", []),
    ],
)
def test_emphasis_becomes_spans(marked: str, text: str, spans: list[tuple[int, int, str]]) -> None:
    plain, found = parse_lines(marked.split("\n"))
    assert plain == text
    assert [(s.start, s.end, s.style) for s in found] == spans


def test_spoken_text_never_holds_markup_notes_or_boneyard() -> None:
    [line] = lines(
        parse(
            "INT. A - DAY\n\nMARA\nI *really* [[too much?]] mean /* cut this */ it.\n"
            "[[a note\nover lines]]\nTruly.\n"
        )
    )
    assert line.text == "I really mean it.\nTruly."
    assert [(s.start, s.end) for s in line.spans] == [(2, 8)]


# -- notes, boneyard, claims --------------------------------------------------


def test_notes_go_to_the_scene_and_claims_to_the_element_they_follow() -> None:
    script = parse(
        "[[canon: mara.age = 34]]\n\nINT. A - DAY\n\n[[scene note]]\n\n"
        "Mara sits. [[canon: mara.location = a]]\n\nMARA\n[[tired]]\nHello.\n\n"
        "[[canon: event death bo]]\n"
    )
    [scene] = script.scenes
    assert scene.notes == ["scene note", "tired"]
    assert [(c.kind, c.subject, c.element_id, c.source_line) for c in scene.claims] == [
        ("state", "mara", None, 1),
        ("state", "mara", "a1", 7),
        ("event", "bo", "l1", 13),
    ]


def test_a_note_between_character_and_dialogue_keeps_the_dialogue() -> None:
    script = parse("INT. A - DAY\n\nBO\n[[loud]]\n(angry)\nGo.\n")
    assert [(line.speaker_id, line.text) for line in lines(script)] == [("bo", "Go.")]


def test_each_note_keeps_the_line_it_opens_on_across_lines_and_the_boneyard() -> None:
    lexed = lex("Hi [[one\nnote]] there [[two]] /* cut\nout */ [[three\nx]]\nBye.\n", "s")
    assert [(line.number, line.text.strip(), line.notes, line.before) for line in lexed.lines] == [
        (1, "Hi", [], []),
        (2, "there", [Note("one note", 1), Note("two", 2)], []),
        (5, "Bye.", [], [Note("three x", 3)]),
        (6, "", [], []),
    ]


def test_the_boneyard_hides_whole_scenes() -> None:
    script = parse(
        "INT. A - DAY\n\nKept.\n\n/*\nINT. B - DAY\n\nGone.\n*/\n\nINT. C - DAY\n\nKept too.\n"
    )
    assert [s.heading for s in script.scenes] == ["INT. A - DAY", "INT. C - DAY"]


def test_a_malformed_claim_names_the_line() -> None:
    with pytest.raises(CanonClaimError) as info:
        parse("INT. A - DAY\n\nHi.\n\n\n[[canon: Mara.status = dead]]\n")
    assert "ep01.fountain:6" in str(info.value)


# -- sections, synopses, page breaks, title page -----------------------------


def test_sections_synopses_and_page_breaks() -> None:
    script = parse(
        "# Act One\n\n= Setup.\n\n## Arrival\n\nINT. A - DAY\n\n= Ann comes home.\n\nHi.\n\n"
        "===\n\n# Act Two\n\nINT. B - DAY\n\nBye.\n"
    )
    assert [(s.section, s.synopsis) for s in script.scenes] == [
        ("Act One / Arrival", "Setup.\nAnn comes home."),
        ("Act Two", None),
    ]


def test_the_title_page() -> None:
    script = parse(
        "Title:\n    *The* Long\n    Night\nAuthor: A. Writer\nDraft date: May\n\n"
        "INT. A - DAY\n\nHi.\n"
    )
    assert script.title == "The Long Night"
    assert script.title_page == {
        "Title": "*The* Long\nNight",
        "Author": "A. Writer",
        "Draft date": "May",
    }


@pytest.mark.parametrize(
    "opening",
    ["FADE IN:", "As the girl runs: a truck tips over.", "MARA: hi", "INT. HOUSE: DAY"],
)
def test_an_opening_with_a_colon_is_not_a_title_page(opening: str) -> None:
    script = parse(f"{opening}\n\nHi.\n")
    assert script.title_page == {}
    assert reimported(script) == script


# -- whitespace, line endings, encodings --------------------------------------


def test_crlf_bom_tabs_and_trailing_spaces_read_like_plain_text() -> None:
    plain = parse("INT. A - DAY\n\n    Indented.\n\nBO\n(sad)\nHello.\n  \nAgain.\n")
    messy = read_fountain(
        b"\xef\xbb\xbfINT. A - DAY   \r\n\r\n\tIndented.  \r\n\r\n  BO  \r\n\t(sad)\r\n"
        b"Hello.\r\n  \r\nAgain.\r\n",
        "ep01.fountain",
    )
    assert messy == plain
    assert actions(plain)[0].text == "    Indented."
    assert lines(plain)[0].text == "Hello.\n\nAgain."


def test_two_spaces_keep_action_together_but_a_blank_line_splits_it() -> None:
    script = parse("INT. A - DAY\n\nOne.\n  \nStill one.\n\nTwo.\n")
    assert [a.text for a in actions(script)] == ["One.\n\nStill one.", "Two."]


# -- ids ----------------------------------------------------------------------


def test_ids_are_positional_so_editing_words_changes_none() -> None:
    text = "INT. A - DAY\n\nAnn sits.\n\nANN\nHi.\n\nINT. B - DAY\n\nBo runs.\n\nBO\nBye.\n"
    before = parse(text)
    after = parse(text.replace("Hi.", "Hello there, everyone."))
    ids = [[e.id for e in s.elements] for s in before.scenes]
    assert ids == [["a1", "l1"], ["a2", "l2"]]
    assert [[e.id for e in s.elements] for s in after.scenes] == ids
    inserted = parse(text.replace("Ann sits.", "Ann sits.\n\nShe yawns."))
    assert [[e.id for e in s.elements] for s in inserted.scenes] == [
        ["a1", "a2", "l1"],
        ["a3", "l2"],
    ]


# -- errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ("INT. A - DAY\n\nHi.\n\n/* never closed\n\nmore\n", 5, "expected */"),
        ("INT. A - DAY\n\nHi [[open\n\nmore\n", 3, "expected ]]"),
        ("INT. A - DAY\n\nHi [[open\n", 3, "expected ]]"),
        (
            "INT. A - DAY\n\nHi.\n\nINT. B - DAY\n\nINT. C - DAY\n\nBye.\n",
            5,
            "no action or dialogue",
        ),
        ("", 1, "no action or dialogue"),
        ("# Only a section\n\n= and a synopsis\n", 1, "no action or dialogue"),
    ],
)
def test_malformed_input_is_one_line_naming_file_line_and_expectation(
    text: str, line: int, expected: str
) -> None:
    with pytest.raises(FountainError) as info:
        parse(text)
    assert isinstance(info.value, InputError) and isinstance(info.value, ValueError)
    message = info.value.one_line()
    assert f"ep01.fountain:{line}:" in message
    assert expected in message
    assert "\n" not in message


def test_bytes_that_are_not_utf8_name_their_line() -> None:
    with pytest.raises(FountainError, match=r"ep01\.fountain:3: not UTF-8"):
        read_fountain(b"INT. A - DAY\n\nCaf\xe9.\n", "ep01.fountain")


def test_the_episode_id_is_the_file_name() -> None:
    script = read_fountain(b"INT. A - DAY\n\nHi.\n", "episodes/ep07-b.fountain")
    assert script.episode_id == "ep07-b"
    with pytest.raises(FountainError, match=r"rename the file, e\.g\. pilot-draft\.fountain"):
        read_fountain(b"INT. A - DAY\n\nHi.\n", "episodes/Pilot Draft.fountain")
    with pytest.raises(FountainError, match="not an episode id"):
        parse_fountain("INT. A - DAY\n\nHi.\n", episode_id="Ep 1")


# -- export -------------------------------------------------------------------


def test_export_is_deterministic_fountain() -> None:
    script = parse(
        "Author: Me\nTitle: T\n\nINT. A - DAY #3#\n\nANN (V.O.)\n(sad)\n*Hi*.\n\nCUT TO:\n\n"
        ".DREAM\n\n!BOOM\nBANG\n"
    )
    text = export_fountain(script)
    assert text == (
        "Title: T\nAuthor: Me\n\nINT. A - DAY #3#\n\nANN (V.O.)\n(sad)\n*Hi*.\n\nCUT TO:\n\n"
        ".DREAM\n\n!BOOM\nBANG\n"
    )
    assert export_fountain(parse(text)) == text


def test_a_script_written_as_json_exports_to_fountain_that_reads_back() -> None:
    original = Script.from_data(tiny_script())
    again = reimported(original)
    assert [(s.location, s.interior, s.time_of_day) for s in again.scenes] == [
        ("Kitchen", True, "day"),
        ("Garden", False, "dusk"),
    ]
    assert [(e.type, e.text) for e in elements(again)] == [
        (e.type, e.text) for e in elements(original)
    ]
    assert [line.emotion for line in lines(again)] == [line.emotion for line in lines(original)]
    assert again.characters == original.characters


def test_a_first_action_that_looks_like_a_title_page_is_forced() -> None:
    script = parse("!Episode Code: 7\n\nINT. A - DAY\n\nHi.\n")
    assert script.title_page == {}
    text = export_fountain(script)
    assert text.startswith("!Episode Code: 7\n")
    assert reimported(script) == script
