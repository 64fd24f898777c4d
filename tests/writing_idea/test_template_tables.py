"""The template writer's word tables: packaged YAML, read once, and a slip in one is named."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources

import pytest

from sparkle_motion.errors import InvalidArtifact
from sparkle_motion.writing.template.genres import GENRES, GenreTable, genre_for, genre_table
from sparkle_motion.writing.template.tables import parse_table
from sparkle_motion.writing.template.voices import (
    INTENT_EMOTIONS,
    REGISTERS,
    RegisterTable,
    register_table,
)

DATA = resources.files("sparkle_motion.writing.template").joinpath("data")
GENRES_YAML = DATA.joinpath("genres.yaml").read_text(encoding="utf-8")
VOICES_YAML = DATA.joinpath("voices.yaml").read_text(encoding="utf-8")


def _edited(text: str, old: str, new: str) -> bytes:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1).encode("utf-8")


def test_the_packaged_tables_are_read_once_and_hold_every_genre_and_register() -> None:
    assert genre_table() is genre_table() and register_table() is register_table()
    assert "drama" in GENRES and len(GENRES) == len(list(GENRES)) >= 8
    assert list(REGISTERS)[:3] == ["blunt", "warm", "nervous"]
    for register in REGISTERS.values():
        assert set(register.lines) == set(INTENT_EMOTIONS)


def test_importing_the_writer_reads_no_table() -> None:
    probe = (
        "import sparkle_motion.writing.idea_text, sparkle_motion.writing.template\n"
        "from sparkle_motion.writing.template.genres import genre_table as g\n"
        "from sparkle_motion.writing.template.voices import register_table as r\n"
        "print(g.cache_info().currsize, r.cache_info().currsize)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "0"]


def test_a_text_that_names_no_genre_gets_the_fallback_and_ties_go_to_the_particular() -> None:
    assert genre_for("It said rain was coming").name == genre_table().fallback
    assert genre_for("a ghost and a dragon").name == "spooky"  # spooky stands above fantasy


def test_the_tables_are_frozen() -> None:
    with pytest.raises(ValueError, match="frozen"):
        GENRES["mystery"].tone = "grim"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("old", "new", "where", "what"),
    [
        ("    tone: wry\n", "    tnoe: wry\n", "$.genres.mystery.tnoe", "extra inputs"),
        (
            "      - search {place}\n",
            "      - search {plaec}\n",
            "$.genres.mystery.plans",
            "{plaec}",
        ),
        (
            "      - a single black glove\n",
            "      - a {thing}\n",
            "$.genres.mystery.traces",
            "takes no {slots}",
        ),
        (
            "moods: [calm, tense, warm, warm]",
            "moods: [calm]",
            "$.genres.drama.moods[1]",
            "required",
        ),
        ("fallback: drama", "fallback: western", "$", "'western' is not one of the genres"),
        ("\n  mystery:\n", "\n  mystery:\n    name: crime\n", "$.genres", "named by its key"),
    ],
)
def test_a_slip_in_the_genre_table_names_the_file_and_the_entry(
    old: str, new: str, where: str, what: str
) -> None:
    with pytest.raises(InvalidArtifact) as raised:
        parse_table(_edited(GENRES_YAML, old, new), "data/genres.yaml", GenreTable)
    message = str(raised.value)
    assert message.startswith("error SM101: data/genres.yaml: ") and f"{where}" in message
    assert what in message and "the comment at the top of the file" in message


@pytest.mark.parametrize(
    ("old", "new", "what"),
    [
        (
            "      close:\n        - Done. Good work.\n",
            "      closing:\n        - Done.\n",
            "missing ['close'], unknown ['closing']",
        ),
        (
            "      close:\n        - Done. Good work.\n        - That's that, then.\n",
            "",
            "missing ['close'], unknown none",
        ),
        (
            "        - Huh. Didn't see that coming.\n",
            "        - Huh. {Thread}, then.\n",
            "lines.react: 'Huh. {Thread}, then.': {Thread} is not one of its slots",
        ),
        ('    openers: ["Look.", ', '    openers: ["Look {other}.", ', "takes no {slots}"),
    ],
)
def test_a_slip_in_the_register_table_names_the_register(old: str, new: str, what: str) -> None:
    with pytest.raises(InvalidArtifact) as raised:
        parse_table(_edited(VOICES_YAML, old, new), "data/voices.yaml", RegisterTable)
    assert "data/voices.yaml: $.registers.blunt" in str(raised.value)
    assert what in str(raised.value)


def test_broken_yaml_names_its_line() -> None:
    broken = _edited(VOICES_YAML, '"Right.", ', '"Right., ')
    with pytest.raises(InvalidArtifact, match=r"data/voices\.yaml:\d+: not valid YAML"):
        parse_table(broken, "data/voices.yaml", RegisterTable)
