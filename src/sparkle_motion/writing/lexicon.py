"""Word lists an idea is made from: names, tones and settings. Plain data."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["NAMES", "SETTINGS", "TONES", "SettingKit", "mentions"]


def mentions(text: str, keyword: str) -> bool:
    """Whether ``text`` uses ``keyword``: as a word start if it is long, else as a whole word."""
    tail = "" if len(keyword) >= 4 else r"\b"
    return re.search(rf"\b{re.escape(keyword)}{tail}", text, re.IGNORECASE) is not None


# Short, distinct, easy for a speech engine to say.
NAMES: tuple[str, ...] = (
    "Ada", "Ben", "Cleo", "Dev", "Elsa", "Finn", "Gus", "Hana", "Ivo", "Juno",
    "Kit", "Lena", "Milo", "Nia", "Otto", "Pia", "Quinn", "Rosa", "Sami", "Tess",
    "Uma", "Vic", "Wren", "Yara", "Zeke", "Bea", "Cal", "Dina", "Eli", "Faye",
    "Hugo", "Iris", "Jonah", "Lila", "Marek", "Noor", "Olive", "Rafe", "Suki", "Theo",
)  # fmt: skip

TONES: dict[str, tuple[str, ...]] = {
    "whimsical": ("whimsical", "silly", "funny", "cozy", "cosy", "playful", "quirky", "cute"),
    "tense": ("tense", "thriller", "dark", "grim", "danger", "deadly", "chase", "race"),
    "wry": ("wry", "dry", "satire", "sardonic", "ironic", "deadpan"),
    "earnest": ("earnest", "heartfelt", "moving", "tender", "sincere"),
    "warm": ("warm", "gentle", "family", "kind", "hopeful", "sweet"),
}


@dataclass(frozen=True)
class SettingKit:
    keywords: tuple[str, ...]
    world: str
    locations: tuple[tuple[str, str, bool, str], ...]
    """(id, name, interior, time of day)."""


SETTINGS: tuple[SettingKit, ...] = (
    SettingKit(("lighthouse", "keeper"), "a windswept coast",
               (("lamp-room", "Lamp room", True, "night"), ("cliff-path", "Cliff path", False,
                "dusk"), ("harbour", "Harbour", False, "day"))),
    SettingKit(("sea", "harbour", "harbor", "coast", "pirate", "island", "sail", "boat"),
               "a harbour town by the sea",
               (("harbour", "Harbour", False, "day"), ("ship-deck", "Ship deck", False, "dusk"),
                ("tavern", "Tavern", True, "night"))),
    SettingKit(("space", "station", "planet", "alien", "starship", "mars", "galaxy", "orbit"),
               "a station at the edge of known space",
               (("bridge", "Bridge", True, "night"), ("hangar", "Hangar", True, "day"),
                ("airlock", "Airlock", True, "night"))),
    SettingKit(("robot", "lab", "laboratory", "android", "scientist", "invent"),
               "a workshop town of tinkerers",
               (("workshop", "Workshop", True, "day"), ("rooftop", "Rooftop", False, "dusk"),
                ("market", "Market", False, "day"))),
    SettingKit(("forest", "woods", "fairy", "elf", "witch", "enchanted"), "an old forest",
               (("clearing", "Clearing", False, "day"), ("cottage", "Cottage", True, "night"),
                ("old-bridge", "Old bridge", False, "dusk"))),
    SettingKit(("castle", "kingdom", "dragon", "knight", "queen", "king", "prince"),
               "a small kingdom in the hills",
               (("great-hall", "Great hall", True, "day"), ("tower", "Tower", True, "night"),
                ("courtyard", "Courtyard", False, "dusk"))),
    SettingKit(("ghost", "haunted", "manor", "mansion", "graveyard", "vampire"),
               "a house on the hill",
               (("hallway", "Hallway", True, "night"), ("attic", "Attic", True, "night"),
                ("garden", "Garden", False, "dusk"))),
    SettingKit(("school", "class", "student", "teacher", "campus"), "a school by the river",
               (("classroom", "Classroom", True, "day"), ("library", "Library", True, "day"),
                ("playground", "Playground", False, "dusk"))),
    SettingKit(("bakery", "cafe", "café", "restaurant", "kitchen", "chef", "shop"),
               "a busy high street",
               (("shop-floor", "Shop floor", True, "day"), ("back-kitchen", "Back kitchen",
                True, "dawn"), ("high-street", "High street", False, "dusk"))),
    SettingKit(("detective", "city", "office", "police", "noir", "crime"), "a rain-soaked city",
               (("office", "Office", True, "night"), ("alley", "Alley", False, "night"),
                ("diner", "Diner", True, "day"))),
    SettingKit(("farm", "village", "countryside", "barn", "orchard"), "a village in the valley",
               (("farmyard", "Farmyard", False, "day"), ("barn", "Barn", True, "dusk"),
                ("village-green", "Village green", False, "day"))),
    SettingKit(("museum", "gallery", "archive", "library"), "an old museum",
               (("main-gallery", "Main gallery", True, "day"), ("archive", "Archive", True,
                "night"), ("museum-steps", "Museum steps", False, "dusk"))),
    SettingKit(("jungle", "treasure", "expedition", "explore", "quest", "journey", "map"),
               "wild country beyond the map",
               (("camp", "Camp", False, "dusk"), ("river-crossing", "River crossing", False,
                "day"), ("ruins", "Ruins", False, "day"))),
    SettingKit(("train", "railway", "station"), "a railway line across the plains",
               (("platform", "Platform", False, "dawn"), ("dining-car", "Dining car", True,
                "night"), ("signal-box", "Signal box", True, "day"))),
)  # fmt: skip
