"""The template writer's arc: what happens in every episode an idea declares. Pure.

Every choice comes from ``sparkle_motion.seeding`` with the project seed and
the idea's content hash, so the arc is the same whichever episode is being
written, and episode *k* can pick up exactly what episode *k-1* left open:
each episode resolves the previous episode's thread and opens a new one;
the last resolves the central question.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sparkle_motion import seeding
from sparkle_motion.schemas import Idea, IdeaCharacter, IdeaLocation
from sparkle_motion.writing.template.genres import Genre, genre_for
from sparkle_motion.writing.template.voices import (
    REGISTERS,
    Register,
    named_register,
    register_for,
)

__all__ = [
    "Arc",
    "EpisodeStory",
    "Role",
    "place_phrase",
    "plan_arc",
    "slug",
    "thing_slots",
    "with_article",
]


@dataclass(frozen=True)
class Role:
    id: str
    name: str
    register: Register
    age: int | None = None


@dataclass(frozen=True)
class EpisodeStory:
    number: int
    episode_id: str
    title: str
    thing: str
    hiding: str
    trace: str
    activity: str
    plan: str
    secret: str
    """As the revealer says it (first person)."""
    secret_told: str
    """As a summary tells it (third person)."""
    ending: str
    complication: str
    """``gone`` (the thing vanishes) or ``rival`` (the third character takes it)."""
    revealer: str
    locations: tuple[IdeaLocation, IdeaLocation, IdeaLocation, IdeaLocation]
    """Where the setup, complication, turn and resolution happen."""
    picked_up: tuple[str, ...]
    resolves: str | None
    opens: str | None
    unresolved: tuple[str, ...]
    final: bool


@dataclass(frozen=True)
class Arc:
    genre: Genre
    cast: tuple[Role, ...]
    world: str
    central: str
    episodes: tuple[EpisodeStory, ...]

    def role(self, ident: str) -> Role:
        return next(r for r in self.cast if r.id == ident)


def slug(text: str) -> str:
    parts = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(parts[:4]) or "thing"


def with_article(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def place_phrase(location: IdeaLocation) -> str:
    """How a line names a place: "the lamp room", or a proper name as it is."""
    name = location.name.strip()
    words = name.split()
    if words[0].lower() == "the":
        return "the " + " ".join(words[1:])
    if any(word[:1].isupper() for word in words[1:]):
        return name
    return "the " + name.lower()


def _roles(cast: Sequence[IdeaCharacter], seed: int) -> tuple[Role, ...]:
    """Everyone gets a register; a free-words voice never shares one if another is free."""
    roles: list[Role] = []
    taken: set[str] = set()
    for character in cast:
        register = register_for(character.voice, character.id, seed=seed)
        named = named_register(character.voice) is not None
        free = sorted(set(REGISTERS) - taken)
        if register.name in taken and not named and free:
            spare = seeding.rng(seed, "spare register", character.id).randrange(len(free))
            register = REGISTERS[free[spare]]
        taken.add(register.name)
        roles.append(Role(character.id, character.name, register, character.age))
    return tuple(roles)


def _cycle(rng: random.Random, pool: Sequence[str], count: int) -> list[str]:
    """``count`` picks from ``pool``, no repeat until the pool is used up."""
    picks: list[str] = []
    while len(picks) < count:
        batch = list(pool)
        rng.shuffle(batch)
        picks.extend(batch)
    return picks[:count]


def _fill(template: str, slots: dict[str, str]) -> str:
    return template.format_map(slots)


def thing_slots(thing: str) -> dict[str, str]:
    """``name|description`` as slots: the full phrase with "a", the name with "the"."""
    name, _, description = thing.partition("|")
    article = with_article(f"{name} {description}".strip())
    return {
        "thing": name,
        "a_thing": article,
        "A_thing": article[:1].upper() + article[1:],
        "the_thing": f"the {name}",
        "The_thing": f"The {name}",
    }


def _title(rng: random.Random, thing: str, hero: str, place: str) -> str:
    head = " ".join(word.title() for word in thing.partition("|")[0].split())
    options = (f"The {head}", f"{hero} and the {head}", f"Trouble at {place.title()}")
    return rng.choice(options)


def plan_arc(
    idea: Idea, cast: Sequence[IdeaCharacter], seed: int, episode_ids: Sequence[str]
) -> Arc:
    """The whole run of episodes: the same for the same idea, cast, seed and ids."""
    identity = idea.content_hash()
    rng = seeding.rng(seed, "arc", identity)
    genre = genre_for(idea.genre)
    roles = _roles(cast, seed)
    hero, ally = roles[0], roles[1]
    third = roles[2] if len(roles) > 2 else ally
    world = re.sub(r"^(a|an)\s+", "the ", idea.setting.world.strip(), flags=re.I) or "the town"
    names = {"A": hero.name, "B": ally.name, "C": third.name, "world": world}
    central = _fill(rng.choice(genre.central), names)
    count = len(episode_ids)
    things = _cycle(rng, genre.things, count)
    locations = list(idea.setting.locations)
    start = rng.randrange(len(locations))
    episodes: list[EpisodeStory] = []
    threads = _cycle(rng, genre.threads, count)
    previous_open: str | None = None
    for index, episode_id in enumerate(episode_ids):
        number = index + 1
        local = seeding.rng(seed, "episode", identity, number)
        thing = things[index]
        spots = [locations[(start + index + step) % len(locations)] for step in range(4)]
        if len(locations) > 1 and spots[3] == spots[2]:
            spots[3] = spots[0]
        final = number == count
        complication = "rival" if len(roles) > 2 and local.random() < 0.5 else "gone"
        revealer = ally.id if complication == "rival" or len(roles) < 3 else third.id
        where = {
            **names,
            **thing_slots(thing),
            "place": place_phrase(spots[3]),
            "R": arc_name(roles, revealer),
        }
        secret_first, _, secret_third = local.choice(genre.secrets).partition("|")
        opens = None if final else _fill(threads[index], where)
        unresolved = () if final else ((central, opens) if opens else (central,))
        picked_up = episodes[-1].unresolved if episodes else ()
        episodes.append(
            EpisodeStory(
                number=number,
                episode_id=episode_id,
                title=_title(local, thing, hero.name, spots[0].name),
                thing=thing,
                hiding=local.choice(genre.hiding),
                trace=local.choice(genre.traces),
                activity=local.choice(genre.activities),
                plan=_fill(local.choice(genre.plans), where),
                secret=_fill(secret_first, where),
                secret_told=_fill(secret_third or secret_first, where),
                ending=_fill(local.choice(genre.endings), where),
                complication=complication,
                revealer=revealer,
                locations=(spots[0], spots[1], spots[2], spots[3]),
                picked_up=picked_up,
                resolves=previous_open,
                opens=opens,
                unresolved=unresolved,
                final=final,
            )
        )
        previous_open = opens
    return Arc(genre=genre, cast=roles, world=world, central=central, episodes=tuple(episodes))


def arc_name(roles: Sequence[Role], ident: str) -> str:
    return next(r.name for r in roles if r.id == ident)
