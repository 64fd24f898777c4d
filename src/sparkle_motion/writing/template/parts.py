"""The parts of a template episode, as elements the fitter may trim. Pure.

The parts are the classic ones: *setup* (the hero finds the thing),
*complication* (it vanishes, or a rival takes it; a plan and a doubt), *turn*
(a secret comes out; a decision) and *resolution* (the plan carried out; the
previous thread resolved, a new one opened), with *searches* between them in
long episodes. Each element carries how much the story needs it, so that the
fitter knows what can go when the episode runs long, and each part has an
endless stream of banter for when it runs short.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sparkle_motion.schemas import IdeaLocation
from sparkle_motion.writing.template.arc import Arc, EpisodeStory, Role, place_phrase, thing_slots
from sparkle_motion.writing.template.voices import INTENT_EMOTIONS, shortest, speak

__all__ = ["Item", "Part", "PartWriter"]

_ATMOSPHERE = {
    "day": ("Daylight.", "Bright day, a breeze."),
    "night": ("Lamplight, long shadows.", "Night, a thin moon."),
    "dusk": ("Dusk.", "Dusk, the first lamps."),
    "dawn": ("First light.", "Dawn, cold and still."),
}
_ENTRANCES = ("watches from the doorway", "leans on the wall, arms folded", "hums, unpacking a bag")
_GESTURES = (
    "glances at the door",
    "peers out of the window",
    "drums their fingers, thinking",
    "checks the time, twice",
    "listens. Nothing",
    "paces to the far wall and back",
)


@dataclass
class Item:
    element: dict[str, Any]
    drop_order: int = 0
    """0: the story needs it; otherwise the fitter drops it when the episode runs long,
    highest first."""
    kept: bool = True
    short: bool = False
    """Say it the short way (the fitter's middle resort)."""

    def realised(self) -> dict[str, Any]:
        element = {k: v for k, v in self.element.items() if k != "_short"}
        if self.short and "_short" in self.element:
            element["text"] = self.element["_short"]
        if self.short and element["type"] == "dialogue":
            element["emotion"] = []  # no close-up and reaction shot in a tight episode
        return element


@dataclass
class Part:
    name: str
    location: IdeaLocation
    present: list[str]
    opening: list[dict[str, Any]]
    core: list[Item]
    talkers: list[str]
    beat: str
    mood: str = "calm"
    fillers: list[dict[str, Any]] = field(default_factory=list)


class PartWriter:
    """Writes the parts of one episode, each line in its speaker's register."""

    def __init__(self, arc: Arc, story: EpisodeStory, rng: random.Random) -> None:
        self.arc = arc
        self.story = story
        self.rng = rng
        self.hero, self.ally = arc.cast[0], arc.cast[1]
        self.third = arc.cast[2] if len(arc.cast) > 2 else self.ally
        self.revealer = arc.role(story.revealer)
        self.introduced: set[str] = set()
        self.used: set[str] = set()
        self.last_start: dict[str, str] = {}
        self.base = {**thing_slots(story.thing), "plan": story.plan, "secret": story.secret}

    # -- elements ----------------------------------------------------------

    def intro(self, role: Role) -> str:
        """A name; the first time, with the age if it is known (``Ada, 34,``)."""
        first = role.id not in self.introduced
        self.introduced.add(role.id)
        return f"{role.name}, {role.age}," if first and role.age is not None else role.name

    def line(self, who: Role, intent: str, to: Role | None = None, **slots: str) -> dict[str, Any]:
        other = to or (self.ally if who.id == self.hero.id else self.hero)
        text = ""
        for _ in range(6):  # prefer a line not used yet, not opening like the speaker's last
            filled = {**self.base, "other": other.name, **slots}
            text = speak(who.register, intent, filled, self.rng)
            start = text.split(" ", 1)[0]
            if text not in self.used and start != self.last_start.get(who.id):
                break
        self.used.add(text)
        self.last_start[who.id] = text.split(" ", 1)[0]
        return {
            "type": "dialogue",
            "speaker_id": who.id,
            "text": text,
            "emotion": list(INTENT_EMOTIONS[intent]),
            "_short": shortest(who.register, intent, filled),
        }

    @staticmethod
    def action(text: str, *who: Role, short: str | None = None) -> dict[str, Any]:
        element = {"type": "action", "text": text, "characters": [r.id for r in who]}
        return element if short is None else {**element, "_short": short}

    @staticmethod
    def atmosphere(location: IdeaLocation) -> str:
        options = _ATMOSPHERE.get(location.time_of_day.lower(), ("Still air.",))
        return options[0] if location.interior or len(options) == 1 else options[1]

    # -- the four parts ----------------------------------------------------

    def setup(self, roomy: bool) -> Part:
        story, hero, ally = self.story, self.hero, self.ally
        where, found = story.locations[0], f"{self.base['a_thing']} {story.hiding}"
        opening = f"{self.intro(hero)} {story.activity}."
        if roomy:
            opening += f" {self.intro(ally)} {self.rng.choice(_ENTRANCES)}."
        core = []
        if story.resolves:
            core.append(Item(self.line(hero, "recall", thread=story.resolves)))
        core += [
            Item(self.line(ally, "open", place=place_phrase(where)), drop_order=5),
            Item(
                self.action(f"{hero.name} finds {found}.", hero, short=f"{hero.name} finds it."),
                drop_order=1,  # the last resort: the hero's next line names what was found
            ),
            Item(self.line(hero, "notice")),
            Item(self.line(ally, "worry"), drop_order=3),
        ]
        return Part(
            "setup", where, [hero.id, ally.id],
            [self.action(opening, hero, ally) if roomy else self.action(opening, hero)],
            core, [ally.id, hero.id], beat=f"At {place_phrase(where)}, {hero.name} finds {found}.",
        )  # fmt: skip

    def complication(self) -> Part:
        story, hero, ally, third = self.story, self.hero, self.ally, self.third
        the, The = self.base["the_thing"], self.base["The_thing"]
        where = story.locations[1]
        if story.complication == "rival":
            opening = self.action(f"{self.intro(third)} is waiting, arms folded.", third)
            core = [
                Item(self.line(third, "worry", to=hero)),
                Item(self.line(hero, "propose", to=third), drop_order=1),
                Item(self.line(third, "doubt", to=hero), drop_order=3),
                Item(
                    self.action(
                        f"{third.name} snatches {the} and is gone.",
                        third,
                        short=f"{third.name} snatches it.",
                    )
                ),
                Item(self.line(ally, "reassure"), drop_order=5),
            ]
            present, talkers = [third.id, hero.id, ally.id], [hero.id, ally.id]
            beat = f"{third.name} warns them off, then takes {the}."
        else:
            opening = self.action(f"{hero.name} and {ally.name} hurry in.", hero, ally)
            core = [
                Item(
                    self.action(
                        f"{The} is gone. Left behind: {story.trace}.", short=f"{The} is gone."
                    )
                ),
                Item(self.line(hero, "worry"), drop_order=2),
                Item(self.line(ally, "reassure"), drop_order=5),
                Item(self.line(hero, "propose"), drop_order=1),
                Item(self.line(ally, "doubt"), drop_order=3),
            ]
            present, talkers = [hero.id, ally.id], [hero.id, ally.id]
            beat = (
                f"{The} vanishes, leaving {story.trace}; "
                f"{hero.name} wants to {story.plan}, {ally.name} has doubts."
            )
        return Part("complication", where, present, [opening], core, talkers, beat=beat)

    def turn(self) -> Part:
        story, hero, teller = self.story, self.hero, self.revealer
        where = story.locations[2]
        opening = self.action(f"{hero.name} paces. {self.intro(teller)} watches.", hero, teller)
        core = [
            Item(self.action(f"{teller.name} hesitates, then sits.", teller), drop_order=5),
            Item(self.line(teller, "reveal", to=hero)),
            Item(self.line(hero, "react", to=teller), drop_order=2),
        ]
        beat = f"{teller.name} reveals a secret: {story.secret_told}."
        if story.resolves:
            resolved = self.line(hero, "resolve", to=teller, thread=story.resolves)
            core.append(Item(resolved, drop_order=1))
            beat += f" Now they know {story.resolves}."
        core.append(Item(self.line(hero, "decide", to=teller)))
        beat += f" {hero.name} decides to {story.plan}."
        return Part(
            "turn", where, [hero.id, teller.id], [opening], core, [teller.id, hero.id], beat=beat
        )

    def resolution(self) -> Part:
        story, hero, ally = self.story, self.hero, self.ally
        where = story.locations[3]
        extras = list(self.arc.cast[3:])
        opening = self.action(f"{hero.name} and {ally.name} {story.plan}.", hero, ally)
        # The ally's closing line may go only if the ally speaks elsewhere for sure:
        # telling the secret, or answering the central question in the last episode.
        close = 1 if self.revealer.id == ally.id or story.final else 0
        core = [
            Item(self.action(story.ending), drop_order=1),
            Item(self.line(ally, "close"), drop_order=close),
        ]
        core += [Item(self.line(extra, "close", to=hero)) for extra in extras]
        beat = f"{hero.name} and {ally.name} {story.plan}."
        if story.final:
            core.append(Item(self.line(ally, "resolve", to=hero, thread=self.arc.central)))
            beat += f" At last they learn {self.arc.central}."
        elif story.opens:
            core.append(Item(self.line(hero, "hook", thread=story.opens)))
            beat += f" One question remains: {story.opens}."
        present = [hero.id, ally.id, *(e.id for e in extras)]
        return Part("resolution", where, present, [opening], core, [ally.id, hero.id], beat=beat)

    def search(self, where: IdeaLocation) -> Part:
        hero, ally, place = self.hero, self.ally, place_phrase(where)
        opening = self.action(f"{hero.name} and {ally.name} search {place}.", hero, ally)
        core = [Item(self.line(ally, "open", place=place))]
        return Part(
            "complication", where, [hero.id, ally.id], [opening], core, [hero.id, ally.id],
            beat=f"They search {place}.",
        )  # fmt: skip

    # -- fillers -----------------------------------------------------------

    def fillers(self, part: Part) -> Iterator[dict[str, Any]]:
        """Banter in the part's voices, now and then a gesture, for as long as needed."""
        turn = 0
        while True:
            who = self.arc.role(part.talkers[turn % len(part.talkers)])
            if turn % 5 == 4:
                yield self.action(f"{who.name} {self.rng.choice(_GESTURES)}.", who)
            else:
                listener = self.arc.role(part.talkers[(turn + 1) % len(part.talkers)])
                yield self.line(who, "banter", to=listener)
            turn += 1
