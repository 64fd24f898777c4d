"""One episode of the template writer: four parts, in scenes, fitted to the target length. Pure.

The parts are the classic ones: *setup* (the hero finds the thing),
*complication* (it vanishes, or a rival takes it; a plan and a doubt), *turn*
(a secret comes out; a decision) and *resolution* (the plan carried out; the
previous thread resolved, a new one opened). Short targets fold the parts
into fewer scenes; long ones add searching scenes in the middle. Then the
episode is fitted to its target: while it runs long, colour goes first, then
everything is said the short way, then the least needed beats go; while it
runs short, banter in each character's register comes in, part by part.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sparkle_motion.schemas import (
    Beat,
    CanonClaim,
    CardSettings,
    EpisodePlan,
    IdeaLocation,
    Script,
    TimingSettings,
)
from sparkle_motion.writing.estimate import estimate_seconds
from sparkle_motion.writing.template.arc import (
    Arc,
    EpisodeStory,
    Role,
    place_phrase,
    slug,
    thing_slots,
)
from sparkle_motion.writing.template.voices import INTENT_EMOTIONS, shortest, speak

__all__ = ["episode_summary", "write_episode"]

_MAX_FILL_STEPS = 400
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
class _Item:
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
class _Part:
    name: str
    location: IdeaLocation
    present: list[str]
    opening: list[dict[str, Any]]
    core: list[_Item]
    talkers: list[str]
    beat: str
    mood: str = "calm"
    fillers: list[dict[str, Any]] = field(default_factory=list)


class _Writer:
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

    def setup(self, roomy: bool) -> _Part:
        story, hero, ally = self.story, self.hero, self.ally
        where, found = story.locations[0], f"{self.base['a_thing']} {story.hiding}"
        opening = f"{self.intro(hero)} {story.activity}."
        if roomy:
            opening += f" {self.intro(ally)} {self.rng.choice(_ENTRANCES)}."
        core = []
        if story.resolves:
            core.append(_Item(self.line(hero, "recall", thread=story.resolves)))
        core += [
            _Item(self.line(ally, "open", place=place_phrase(where)), drop_order=5),
            _Item(
                self.action(f"{hero.name} finds {found}.", hero, short=f"{hero.name} finds it."),
                drop_order=1,  # the last resort: the hero's next line names what was found
            ),
            _Item(self.line(hero, "notice")),
            _Item(self.line(ally, "worry"), drop_order=3),
        ]
        return _Part(
            "setup", where, [hero.id, ally.id],
            [self.action(opening, hero, ally) if roomy else self.action(opening, hero)],
            core, [ally.id, hero.id], beat=f"At {place_phrase(where)}, {hero.name} finds {found}.",
        )  # fmt: skip

    def complication(self) -> _Part:
        story, hero, ally, third = self.story, self.hero, self.ally, self.third
        the, The = self.base["the_thing"], self.base["The_thing"]
        where = story.locations[1]
        if story.complication == "rival":
            opening = self.action(f"{self.intro(third)} is waiting, arms folded.", third)
            core = [
                _Item(self.line(third, "worry", to=hero)),
                _Item(self.line(hero, "propose", to=third), drop_order=1),
                _Item(self.line(third, "doubt", to=hero), drop_order=3),
                _Item(
                    self.action(
                        f"{third.name} snatches {the} and is gone.",
                        third,
                        short=f"{third.name} snatches it.",
                    )
                ),
                _Item(self.line(ally, "reassure"), drop_order=5),
            ]
            present, talkers = [third.id, hero.id, ally.id], [hero.id, ally.id]
            beat = f"{third.name} warns them off, then takes {the}."
        else:
            opening = self.action(f"{hero.name} and {ally.name} hurry in.", hero, ally)
            core = [
                _Item(
                    self.action(
                        f"{The} is gone. Left behind: {story.trace}.", short=f"{The} is gone."
                    )
                ),
                _Item(self.line(hero, "worry"), drop_order=2),
                _Item(self.line(ally, "reassure"), drop_order=5),
                _Item(self.line(hero, "propose"), drop_order=1),
                _Item(self.line(ally, "doubt"), drop_order=3),
            ]
            present, talkers = [hero.id, ally.id], [hero.id, ally.id]
            beat = (
                f"{The} vanishes, leaving {story.trace}; "
                f"{hero.name} wants to {story.plan}, {ally.name} has doubts."
            )
        return _Part("complication", where, present, [opening], core, talkers, beat=beat)

    def turn(self) -> _Part:
        story, hero, teller = self.story, self.hero, self.revealer
        where = story.locations[2]
        opening = self.action(f"{hero.name} paces. {self.intro(teller)} watches.", hero, teller)
        core = [
            _Item(self.action(f"{teller.name} hesitates, then sits.", teller), drop_order=5),
            _Item(self.line(teller, "reveal", to=hero)),
            _Item(self.line(hero, "react", to=teller), drop_order=2),
        ]
        beat = f"{teller.name} reveals a secret: {story.secret_told}."
        if story.resolves:
            resolved = self.line(hero, "resolve", to=teller, thread=story.resolves)
            core.append(_Item(resolved, drop_order=1))
            beat += f" Now they know {story.resolves}."
        core.append(_Item(self.line(hero, "decide", to=teller)))
        beat += f" {hero.name} decides to {story.plan}."
        return _Part(
            "turn", where, [hero.id, teller.id], [opening], core, [teller.id, hero.id], beat=beat
        )

    def resolution(self) -> _Part:
        story, hero, ally = self.story, self.hero, self.ally
        where = story.locations[3]
        extras = list(self.arc.cast[3:])
        opening = self.action(f"{hero.name} and {ally.name} {story.plan}.", hero, ally)
        # The ally's closing line may go only if the ally speaks elsewhere for sure:
        # telling the secret, or answering the central question in the last episode.
        close = 1 if self.revealer.id == ally.id or story.final else 0
        core = [
            _Item(self.action(story.ending), drop_order=1),
            _Item(self.line(ally, "close"), drop_order=close),
        ]
        core += [_Item(self.line(extra, "close", to=hero)) for extra in extras]
        beat = f"{hero.name} and {ally.name} {story.plan}."
        if story.final:
            core.append(_Item(self.line(ally, "resolve", to=hero, thread=self.arc.central)))
            beat += f" At last they learn {self.arc.central}."
        elif story.opens:
            core.append(_Item(self.line(hero, "hook", thread=story.opens)))
            beat += f" One question remains: {story.opens}."
        present = [hero.id, ally.id, *(e.id for e in extras)]
        return _Part("resolution", where, present, [opening], core, [ally.id, hero.id], beat=beat)

    def search(self, where: IdeaLocation) -> _Part:
        hero, ally, place = self.hero, self.ally, place_phrase(where)
        opening = self.action(f"{hero.name} and {ally.name} search {place}.", hero, ally)
        core = [_Item(self.line(ally, "open", place=place))]
        return _Part(
            "complication", where, [hero.id, ally.id], [opening], core, [hero.id, ally.id],
            beat=f"They search {place}.",
        )  # fmt: skip

    # -- fillers -----------------------------------------------------------

    def fillers(self, part: _Part) -> Iterator[dict[str, Any]]:
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


def _scene_options(story_seconds: float) -> tuple[int, ...]:
    """How many scenes to try for the four parts, most first: short stories fold them."""
    if story_seconds < 20:
        return (1,)
    if story_seconds < 40:
        return (2, 1)
    return (4, 2) if story_seconds < 60 else (4,)


def _parts_for(writer: _Writer, target: float, scenes: int) -> list[list[_Part]]:
    """The parts grouped into ``scenes`` scenes (1, 2 or 4), plus searches when long.

    A part that does not open its scene keeps its opening action as a line the
    fitter may drop.
    """
    setup, complication = writer.setup(roomy=target >= 70), writer.complication()
    turn, resolution = writer.turn(), writer.resolution()
    moods = writer.arc.genre.moods
    for part, mood in zip((setup, complication, turn, resolution), moods, strict=True):
        part.mood = mood
    if scenes == 1:
        groups = [[setup, complication, turn, resolution]]
    elif scenes == 2:
        groups = [[setup, complication], [turn, resolution]]
    else:
        groups = [[setup], [complication], [turn], [resolution]]
    searches = 0 if target < 100 else min(4, int((target - 100) // 40) + 1)
    locations = list(writer.story.locations)
    for index in range(searches):
        part = writer.search(locations[(index + 1) % len(locations)])
        part.mood = moods[1]
        groups.insert(2 + index, [part])
    for group in groups:
        for part in group[1:]:
            part.core[:0] = [_Item(element, drop_order=4) for element in part.opening]
            part.opening = []
    return groups


def _script(writer: _Writer, groups: list[list[_Part]], episode_id: str, title: str) -> Script:
    counters = {"action": 0, "dialogue": 0}
    scenes: list[dict[str, Any]] = []
    speaking: set[str] = set()

    def numbered(element: dict[str, Any]) -> dict[str, Any]:
        counters[element["type"]] += 1
        prefix = "a" if element["type"] == "action" else "l"
        if element["type"] == "dialogue":
            speaking.add(element["speaker_id"])
        else:
            speaking.update(element["characters"])
        kept = {k: v for k, v in element.items() if k != "_short"}
        return {**kept, "id": f"{prefix}{counters[element['type']]}"}

    for index, group in enumerate(groups, start=1):
        where = group[-1].location if group[-1].name == "resolution" else group[0].location
        elements: list[dict[str, Any]] = []
        present: list[str] = []
        for part in group:
            opening = [dict(e) for e in part.opening]
            if opening:
                opening[0]["text"] = f"{writer.atmosphere(where)} {opening[0]['text']}"
            core = [item.realised() for item in part.core if item.kept]
            body = [*core[:1], *part.fillers, *core[1:]]
            elements += [numbered(e) for e in (*opening, *body)]
            present += [who for who in part.present if who not in present]
        scenes.append(
            {
                "id": f"s{index}",
                "heading": f"{'INT' if where.interior else 'EXT'}. {where.name.upper()} - "
                f"{where.time_of_day.upper()}",
                "location": where.name,
                "location_id": where.id,
                "interior": where.interior,
                "time_of_day": where.time_of_day,
                "present": present,
                "music_mood": group[0].mood,
                "elements": elements,
            }
        )
    characters = [
        {"speaker_id": role.id, "name": role.name}
        for role in writer.arc.cast
        if role.id in speaking
    ]
    return Script.model_validate(
        {
            "schema_version": Script.SCHEMA_VERSION,
            "episode_id": episode_id,
            "title": title,
            "characters": characters,
            "scenes": scenes,
        }
    )


def _fit(
    writer: _Writer,
    groups: list[list[_Part]],
    build: Callable[[], Script],
    target: float,
    timing: TimingSettings,
    cards: CardSettings | None,
) -> Script:
    """Fit the episode to ``target`` seconds, keeping the closest length.

    While long: drop flavour (drop order 4 and 5), then say everything the
    short way, then drop story in drop order. While short: add banter, part
    by part.
    """
    items = [item for group in groups for part in group for item in reversed(part.core)]
    flavour = sorted((i for i in items if i.drop_order >= 4), key=lambda i: -i.drop_order)
    story = sorted((i for i in items if 0 < i.drop_order < 4), key=lambda i: -i.drop_order)

    def drop(item: _Item) -> None:
        item.kept = False

    def shorten(item: _Item) -> None:
        item.short = True

    reductions: list[Callable[[], None]] = [
        *(partial(drop, i) for i in flavour),
        *(partial(shorten, i) for i in reversed(items)),
        *(partial(drop, i) for i in story),
    ]
    script = build()
    length = estimate_seconds(script, timing, cards)
    for reduce in reductions:
        if length <= target:
            break
        reduce()
        script = build()
        length = estimate_seconds(script, timing, cards)
    parts = [part for group in groups for part in group]
    streams = {id(part): writer.fillers(part) for part in parts}
    step = 0
    while length < target and step < _MAX_FILL_STEPS:
        part = parts[step % len(parts)]
        part.fillers.append(next(streams[id(part)]))
        longer = build()
        longer_length = estimate_seconds(longer, timing, cards)
        if longer_length >= target and longer_length - target > target - length:
            part.fillers.pop()
            break
        script, length = longer, longer_length
        step += 1
    return script


def episode_summary(arc: Arc, story: EpisodeStory) -> str:
    hero, ally = arc.cast[0], arc.cast[1]
    found = f"{hero.name} finds {thing_slots(story.thing)['a_thing']}"
    trouble = (
        f"{arc.role(arc.cast[2].id).name} takes it"
        if story.complication == "rival" and len(arc.cast) > 2
        else "it vanishes"
    )
    return (
        f"{found}; when {trouble}, a secret comes out ({story.secret_told}), "
        f"and {hero.name} and {ally.name} {story.plan}."
    )


def _plan(arc: Arc, story: EpisodeStory, groups: list[list[_Part]]) -> EpisodePlan:
    beats: list[Beat] = []
    for group in groups:
        where = group[-1].location if group[-1].name == "resolution" else group[0].location
        for part in group:
            beats.append(
                Beat.model_validate(
                    {
                        "part": part.name,
                        "summary": part.beat,
                        "location_id": where.id,
                        "characters": part.present,
                    }
                )
            )
    hero = arc.cast[0]
    keeper = arc.cast[2].id if story.complication == "rival" and len(arc.cast) > 2 else hero.id
    thing = slug(story.thing.partition("|")[0])
    facts = [
        CanonClaim(kind="event", subject=hero.id, event="finds", objects=[thing]),
        CanonClaim(kind="state", subject=thing, key="held_by", value=keeper),
        CanonClaim(
            kind="event", subject=story.revealer, event="reveals", objects=[story.secret_told]
        ),
    ]
    return EpisodePlan.new(
        episode_id=story.episode_id,
        number=story.number,
        title=story.title,
        summary=episode_summary(arc, story),
        beats=beats,
        new_facts=facts,
        picked_up_threads=list(story.picked_up),
        unresolved_threads=list(story.unresolved),
    )


def write_episode(
    arc: Arc,
    story: EpisodeStory,
    *,
    target: float,
    timing: TimingSettings,
    cards: CardSettings | None = None,
    rng: random.Random,
) -> tuple[Script, EpisodePlan]:
    """The episode's Script, fitted to ``target`` seconds, and its EpisodePlan.

    Short targets are tried in two and in one scene; the closer fit wins.
    """
    start = rng.getstate()
    tries: list[tuple[float, Script, EpisodePlan]] = []
    on_cards = (cards.title_seconds * cards.title + cards.end_seconds * cards.end) if cards else 0
    for scenes in _scene_options(target - on_cards):
        rng.setstate(start)
        writer = _Writer(arc, story, rng)
        groups = _parts_for(writer, target, scenes)

        def build(writer: _Writer = writer, groups: list[list[_Part]] = groups) -> Script:
            return _script(writer, groups, story.episode_id, story.title)

        script = _fit(writer, groups, build, target, timing, cards)
        miss = abs(estimate_seconds(script, timing, cards) - target)
        tries.append((miss, script, _plan(arc, story, groups)))
    best = tries[0]
    for attempt in tries[1:]:
        if attempt[0] < best[0] * 0.8:  # fewer scenes only when clearly closer
            best = attempt
    return best[1], best[2]
