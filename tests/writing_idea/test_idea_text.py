"""From one line of text to an editable idea: deterministic, sensible, round-trippable."""

from __future__ import annotations

import pytest

from sparkle_motion.writing.idea import parse_idea
from sparkle_motion.writing.idea_text import DEFAULT_EPISODES, idea_from_text, idea_yaml
from sparkle_motion.writing.template.voices import REGISTERS

LIGHTHOUSE = "A retired lighthouse keeper discovers the light is signalling ships that sank"


def test_the_same_line_and_seed_give_the_same_idea_byte_for_byte() -> None:
    first = idea_from_text(LIGHTHOUSE, seed=1, title="Keeper")
    again = idea_from_text(f"  {LIGHTHOUSE}  ", seed=1, title="Keeper")
    assert first.to_json() == again.to_json()


def test_another_seed_draws_other_names() -> None:
    names = {
        tuple(c.name for c in idea_from_text(LIGHTHOUSE, seed=seed).characters) for seed in range(5)
    }
    assert len(names) > 1


def test_an_idea_has_everything_a_creator_edits() -> None:
    idea = idea_from_text(LIGHTHOUSE, seed=1, title="Keeper")
    assert idea.title == "Keeper"
    assert idea.premise.startswith("A retired lighthouse keeper") and idea.premise.endswith(".")
    assert idea.episodes == DEFAULT_EPISODES
    assert len(idea.characters) == 3
    assert len({c.id for c in idea.characters}) == 3
    assert len({c.voice for c in idea.characters}) == 3
    assert all(c.voice in REGISTERS and c.personality for c in idea.characters)
    assert idea.setting.world == "a windswept coast"
    assert [loc.id for loc in idea.setting.locations] == ["lamp-room", "cliff-path", "harbour"]


@pytest.mark.parametrize(
    ("text", "genre", "tone"),
    [
        ("A detective hunts a stolen painting through the city", "mystery", "wry"),
        ("A funny show about two roommates and a prank war", "comedy", "whimsical"),
        ("Kids explore a haunted manor", "spooky", "tense"),
        ("A robot learns to paint on a space station", "science fiction", "earnest"),
        ("A young witch opens a potion shop", "fantasy", "earnest"),
        ("Two sisters keep the family bakery open", "drama", "warm"),
        ("A tender story of first love at a seaside wedding", "romance", "earnest"),
    ],
)
def test_genre_and_tone_are_guessed_from_keywords(text: str, genre: str, tone: str) -> None:
    idea = idea_from_text(text, seed=3)
    assert (idea.genre, idea.tone) == (genre, tone)


def test_short_keywords_match_whole_words_only() -> None:
    # "ai" is a science fiction keyword; it must not fire inside "rain" or "said".
    assert idea_from_text("It said rain was coming to the farm", seed=1).genre == "drama"


def test_a_named_lead_keeps_its_name() -> None:
    idea = idea_from_text("A robot named Pip runs a bakery", seed=1)
    assert idea.characters[0].name == "Pip" and idea.characters[0].id == "pip"
    assert "Pip" not in [c.name for c in idea.characters[1:]]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("a 4-part mystery on a train", 4),
        ("six episodes of chaos in a cafe", 6),
        ("a one-off story about a ghost", 1),
        ("a show about a farm", DEFAULT_EPISODES),
    ],
)
def test_the_episode_count_is_read_from_the_line(text: str, count: int) -> None:
    assert idea_from_text(text, seed=1).episodes == count


def test_the_yaml_is_commented_and_reads_back_as_the_same_idea() -> None:
    idea = idea_from_text(LIGHTHOUSE, seed=1, title="Keeper")
    text = idea_yaml(idea, project="keeper", first="ep01")
    assert text.startswith("# The idea behind this show.")
    assert "sparkle-motion run keeper --episode ep02" in text
    assert parse_idea(text.encode(), "ep01.idea.yaml") == idea


def test_an_empty_line_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        idea_from_text("   ", seed=1)
