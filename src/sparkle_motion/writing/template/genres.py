"""What each genre is made of, for the template writer. Plain data.

Slots in braces are filled by the writer: ``{a_thing}`` / ``{the_thing}``
(and capitalised ``{A_thing}`` / ``{The_thing}``), ``{A}``, ``{B}``, ``{C}``
(character names), ``{R}`` (who reveals the secret), ``{place}`` (a
location, "the harbour"), ``{world}`` (the setting's world).
"""

from __future__ import annotations

from dataclasses import dataclass

from sparkle_motion.writing.lexicon import mentions

__all__ = ["GENRES", "Genre", "genre_for"]


@dataclass(frozen=True)
class Genre:
    name: str
    keywords: tuple[str, ...]
    tone: str
    things: tuple[str, ...]
    """``name|description``: lines say "the name" after the first, full mention."""
    activities: tuple[str, ...]
    hiding: tuple[str, ...]
    traces: tuple[str, ...]
    plans: tuple[str, ...]
    secrets: tuple[str, ...]
    """``first person|third person`` (``{R}`` is who tells it), or one form for both."""
    threads: tuple[str, ...]
    central: tuple[str, ...]
    endings: tuple[str, ...]
    moods: tuple[str, str, str, str]
    """Music mood of the setup, complication, turn and resolution."""


_COMMON_HIDING = (
    "under a loose floorboard",
    "behind a row of old tins",
    "in the pocket of a forgotten coat",
    "wedged beneath the door",
    "at the bottom of a basket",
)

GENRES: dict[str, Genre] = {
    genre.name: genre
    for genre in (
        Genre(
            name="mystery",
            keywords=(
                "mystery",
                "detective",
                "clue",
                "murder",
                "missing",
                "secret",
                "vanish",
                "stolen",
                "case",
                "sleuth",
                "puzzle",
                "riddle",
            ),
            tone="wry",
            things=(
                "brass key",
                "sealed letter",
                "torn photograph",
                "silver locket",
                "pocket watch|that runs backwards",
                "ledger|with a page cut out",
            ),
            activities=(
                "sorts a box of old letters",
                "studies a wall of pinned notes",
                "polishes a magnifying glass",
                "checks the locks one by one",
                "copies names into a notebook",
            ),
            hiding=_COMMON_HIDING,
            traces=(
                "a trail of wet footprints",
                "a smear of blue chalk",
                "a single black glove",
                "a scorched corner of paper",
                "the smell of pipe smoke",
            ),
            plans=(
                "find out who was here",
                "search {place}",
                "ask who came by last night",
                "set a trap and wait",
                "match the handwriting",
            ),
            secrets=(
                "I've seen {the_thing} before|{R} has seen {the_thing} before",
                "{the_thing} was never lost, only hidden",
                "someone at {place} wanted it found",
                "the note inside is in my hand|the note inside is in {R}'s hand",
            ),
            threads=(
                "who left {the_thing} behind",
                "why {the_thing} was hidden",
                "what the missing page said",
                "who keeps watching {place}",
                "what {C} is not telling us",
            ),
            central=("who has been leaving clues for {A}", "what {world} is hiding"),
            endings=(
                "{The_thing} clicks shut. Somewhere, a door closes.",
                "{A} pins {the_thing} to the wall among the other clues.",
                "The lamp gutters. Outside, footsteps hurry away.",
            ),
            moods=("mysterious", "tense", "tense", "calm"),
        ),
        Genre(
            name="comedy",
            keywords=(
                "comedy",
                "funny",
                "prank",
                "silly",
                "chaos",
                "sitcom",
                "mishap",
                "roommate",
                "disaster",
                "hilarious",
            ),
            tone="whimsical",
            things=(
                "prize-winning marrow",
                "borrowed trophy",
                "birthday cake|with one candle",
                "singing fish|on a plaque",
                "wedding cake topper",
                "lucky sock",
            ),
            activities=(
                "juggles three oranges badly",
                "practises a speech to a mop",
                "balances a teacup on one finger",
                "argues with a vending machine",
                "irons a shirt with great ceremony",
            ),
            hiding=("inside the tea cosy", "under a sleeping cat", *_COMMON_HIDING[:3]),
            traces=(
                "a trail of icing",
                "one muddy welly",
                "a very guilty-looking dog",
                "a note that just says sorry",
                "glitter, everywhere",
            ),
            plans=(
                "blame the cat",
                "swap it for a fake",
                "search {place}",
                "throw a party as a distraction",
                "confess everything, eventually",
            ),
            secrets=(
                "I hid it myself, for a joke|{R} hid it, for a joke",
                "{the_thing} was a fake all along",
                "I entered it in the contest under a false name"
                "|{R} entered it in the contest under a false name",
                "the whole thing was my idea|the whole thing was {R}'s idea",
            ),
            threads=(
                "who really won the contest",
                "where the other sock went",
                "why {C} keeps winking",
                "who ordered forty pizzas",
            ),
            central=(
                "whether {A} can keep a secret for one whole week",
                "who is behind the chaos in {world}",
            ),
            endings=(
                "{The_thing} falls over. Everyone pretends not to notice.",
                "A cheer goes up. Nobody is quite sure why.",
                "{A} takes a bow to an empty room.",
            ),
            moods=("warm", "tense", "warm", "warm"),
        ),
        Genre(
            name="adventure",
            keywords=(
                "adventure",
                "quest",
                "treasure",
                "journey",
                "expedition",
                "pirate",
                "explore",
                "map",
                "jungle",
                "voyage",
                "island",
            ),
            tone="earnest",
            things=(
                "torn chart",
                "compass|that points the wrong way",
                "carved stone disc",
                "rope ladder",
                "coin|with two heads",
                "sealed bottle",
            ),
            activities=(
                "checks the knots on a rope",
                "packs a bag with care",
                "traces a route on a map",
                "sharpens a pencil with a knife",
                "counts the supplies twice",
            ),
            hiding=("inside a hollow tree", "under the last step", *_COMMON_HIDING[:3]),
            traces=(
                "fresh tracks in the mud",
                "a cut rope",
                "an empty campfire, still warm",
                "a torn flag",
                "a boot print far too big",
            ),
            plans=(
                "cross to {place} before dark",
                "follow the river",
                "climb down and look",
                "split up and meet at {place}",
                "trade for a better map",
            ),
            secrets=(
                "I've been here before|{R} has been here before",
                "{the_thing} is only half of it",
                "the map was drawn by my grandmother|the map was drawn by {R}'s grandmother",
                "someone else is racing us",
            ),
            threads=(
                "where the other half of {the_thing} is",
                "who cut the rope",
                "what waits beyond {place}",
                "who drew the map",
            ),
            central=("what lies at the end of the map", "who first hid the treasure of {world}"),
            endings=(
                "The wind turns. {A} folds {the_thing} away.",
                "Far off, a bell rings across the water.",
                "{A} and {B} look out at the long road ahead.",
            ),
            moods=("warm", "tense", "mysterious", "warm"),
        ),
        Genre(
            name="science fiction",
            keywords=(
                "robot",
                "space",
                "alien",
                "planet",
                "future",
                "station",
                "android",
                "starship",
                "galaxy",
                "ai",
                "laboratory",
                "time travel",
                "mars",
            ),
            tone="earnest",
            things=(
                "recording|from the relay",
                "drone|that came back wrong",
                "memory chip",
                "glowing seed pod",
                "cracked helmet",
                "spare power cell",
            ),
            activities=(
                "runs a diagnostic on a flickering panel",
                "recalibrates the scanner",
                "logs the night readings",
                "rewires a humming console",
                "tests the airlock seals",
            ),
            hiding=(
                "inside a maintenance hatch",
                "behind the coolant pipes",
                "in the spare parts locker",
                "under the navigation desk",
            ),
            traces=(
                "a scorch mark on the floor",
                "a door left open to the vacuum",
                "a log entry nobody wrote",
                "a handprint on the glass, on the outside",
            ),
            plans=(
                "trace the signal to {place}",
                "reboot the whole system",
                "ask the station computer",
                "go outside and look",
                "decode the pattern",
            ),
            secrets=(
                "I sent the signal|{R} sent the signal",
                "{the_thing} is a message from the future",
                "the readings were changed by hand",
                "I'm not who the crew think I am|{R} is not who the crew think",
            ),
            threads=(
                "who wrote the missing log",
                "what the signal is counting down to",
                "why {the_thing} came back",
                "who else is on board",
            ),
            central=("who is calling from beyond the relay", "what {world} was built to hide"),
            endings=(
                "The lights steady. {The_thing} blinks once, then goes dark.",
                "On the screen, a new line of text appears.",
                "The station hums. Far away, something answers.",
            ),
            moods=("mysterious", "tense", "tense", "calm"),
        ),
        Genre(
            name="fantasy",
            keywords=(
                "dragon",
                "wizard",
                "magic",
                "witch",
                "kingdom",
                "fairy",
                "spell",
                "castle",
                "knight",
                "sorcer",
                "enchanted",
                "elf",
                "potion",
            ),
            tone="earnest",
            things=(
                "map|that redraws itself",
                "cracked wand",
                "egg|warm to the touch",
                "ring|of blue glass",
                "feather|that will not burn",
                "talking mirror",
            ),
            activities=(
                "stirs a pot that smells of thunder",
                "reads a spellbook upside down",
                "feeds sparks to a sleepy lantern",
                "sweeps up a drift of stardust",
                "mends a broom with string",
            ),
            hiding=(
                "inside a hollow stair",
                "beneath a mossy stone",
                "under the old well",
                *_COMMON_HIDING[:2],
            ),
            traces=(
                "a ring of scorched grass",
                "silver footprints that fade",
                "a single black feather",
                "frost in the middle of summer",
            ),
            plans=(
                "ask the old oak",
                "take it to {place}",
                "break the spell at moonrise",
                "follow the old road",
                "trade a secret for a secret",
            ),
            secrets=(
                "I made a promise to the dragon|{R} made a promise to the dragon",
                "{the_thing} chose {A}",
                "I cast the spell, long ago|{R} cast the spell long ago",
                "the queen wants it back",
            ),
            threads=(
                "who cast the first spell",
                "what the dragon wants",
                "why {the_thing} chose {A}",
                "what sleeps beneath {place}",
            ),
            central=("who will wear the crown of {world}", "why the magic is fading"),
            endings=(
                "{The_thing} glows once, softly, and is still.",
                "A star falls over the hills. {A} makes a wish.",
                "The lanterns flicker back to life, one by one.",
            ),
            moods=("mysterious", "tense", "mysterious", "warm"),
        ),
        Genre(
            name="spooky",
            keywords=(
                "ghost",
                "haunted",
                "monster",
                "creepy",
                "spooky",
                "vampire",
                "witching",
                "graveyard",
                "spirit",
                "curse",
                "horror",
            ),
            tone="tense",
            things=(
                "music box|that plays by itself",
                "portrait|with moving eyes",
                "candle|that will not go out",
                "old doll",
                "key|cold as ice",
            ),
            activities=(
                "lights the last of the candles",
                "counts the creaking stairs",
                "nails a loose shutter closed",
                "listens at the cellar door",
                "reads old names on the wall",
            ),
            hiding=("behind a loose brick", "under the cellar steps", *_COMMON_HIDING[:3]),
            traces=(
                "cold handprints on the window",
                "a child's laugh, then silence",
                "wet footprints leading nowhere",
                "the smell of lilies",
            ),
            plans=(
                "spend the night in {place}",
                "lay the spirit to rest",
                "find out whose name is on the grave",
                "burn sage and hope",
            ),
            secrets=(
                "I can hear the voices too|{R} can hear the voices too",
                "{the_thing} belonged to the first owner",
                "the house remembers {A}",
                "I moved in here for a reason|{R} moved in for a reason",
            ),
            threads=(
                "whose voice calls at midnight",
                "why the clocks all stop at three",
                "what waits in {place}",
                "who the music box belonged to",
            ),
            central=("what haunts {world}", "why {A} was called back home"),
            endings=(
                "The music stops. In the dark, something sighs.",
                "{The_thing} is quiet, for now.",
                "A door upstairs opens, slowly, by itself.",
            ),
            moods=("mysterious", "tense", "tense", "mysterious"),
        ),
        Genre(
            name="romance",
            keywords=(
                "love",
                "romance",
                "date",
                "wedding",
                "crush",
                "heart",
                "kiss",
                "valentine",
                "sweetheart",
                "marry",
            ),
            tone="warm",
            things=(
                "unsent letter",
                "pressed flower",
                "concert ticket|for two",
                "scarf|left on a bench",
                "mixtape|with no label",
            ),
            activities=(
                "rearranges the same three flowers",
                "writes and crosses out a note",
                "waters a plant that is already wet",
                "practises a smile in a spoon",
            ),
            hiding=("between the pages of a novel", *_COMMON_HIDING[:4]),
            traces=(
                "a lipstick mark on a cup",
                "two cups, still warm",
                "a note with only a time on it",
            ),
            plans=(
                "say it out loud",
                "return it in person",
                "meet at {place} at eight",
                "write a better letter",
                "ask {C} for help",
            ),
            secrets=(
                "I wrote {the_thing}|{R} wrote {the_thing}",
                "I've known all along|{R} has known all along",
                "{the_thing} was meant for {A}",
                "I'm leaving on Friday|{R} is leaving on Friday",
            ),
            threads=(
                "who wrote the letter",
                "whether {B} will stay",
                "what {C} saw at {place}",
                "why {the_thing} was never used",
            ),
            central=(
                "whether {A} and {B} will say what they feel",
                "who is writing the letters of {world}",
            ),
            endings=(
                "{A} smiles, and does not look away.",
                "Rain starts. Neither of them moves.",
                "{The_thing} sits between them, finally opened.",
            ),
            moods=("warm", "tense", "warm", "warm"),
        ),
        Genre(
            name="drama",
            keywords=(
                "drama",
                "family",
                "sister",
                "brother",
                "mother",
                "father",
                "grief",
                "home",
                "retired",
                "struggle",
                "friendship",
                "bakery",
                "farm",
            ),
            tone="warm",
            things=(
                "unopened letter",
                "family recipe book",
                "old photograph",
                "shop key|on a red ribbon",
                "watch|that stopped at noon",
                "folded deed",
            ),
            activities=(
                "wipes down the same clean counter",
                "sorts through a drawer of bills",
                "fixes a wobbly chair",
                "waters the window boxes",
                "reads an old postcard again",
            ),
            hiding=_COMMON_HIDING,
            traces=(
                "an empty chair at the table",
                "a note in a hurried hand",
                "a door left unlocked",
                "a coat missing from its hook",
            ),
            plans=(
                "talk to {C}",
                "sell the shop",
                "go to {place} and ask",
                "keep it quiet for now",
                "tell the whole family",
            ),
            secrets=(
                "I've known about {the_thing} for years|{R} knew about {the_thing} for years",
                "the shop was never paid for",
                "{the_thing} was meant for {A}",
                "I've been saving to leave|{R} has been saving to leave",
            ),
            threads=(
                "who sent the letter",
                "whether the shop can be saved",
                "what {C} decided",
                "why {B} never came back",
            ),
            central=("whether {A} can hold the family together", "what {world} owes {A}"),
            endings=(
                "{A} sets {the_thing} on the table, where everyone can see it.",
                "The kettle whistles. For once, nobody hurries.",
                "Outside, the street lamps come on one by one.",
            ),
            moods=("calm", "tense", "warm", "warm"),
        ),
    )
}


# When two genres match as often, the more particular one wins.
_SPECIFICITY = (
    "spooky", "fantasy", "science fiction", "mystery", "romance", "comedy", "adventure", "drama",
)  # fmt: skip


def genre_for(text: str) -> Genre:
    """The genre a word names, else the one whose keywords the text mentions most; drama."""
    lowered = text.lower().strip()
    if lowered in GENRES:
        return GENRES[lowered]
    scores = {
        name: mentions(lowered, name) * 2 + sum(mentions(lowered, w) for w in genre.keywords)
        for name, genre in GENRES.items()
    }
    best = max(_SPECIFICITY, key=lambda name: (scores[name], -_SPECIFICITY.index(name)))
    return GENRES[best] if scores[best] else GENRES["drama"]
