"""The Canon Gate's regression corpus: one canon with a past, and scripts against it.

``CONTRADICTIONS`` must be blocked, each naming the right fact, scene and
line; ``VALID`` must pass, and the diff each proposes must apply cleanly.
Scripts are built from small helpers so each scenario reads as its story.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sparkle_motion.canon.facts import Change
from sparkle_motion.canon.history import CanonHistory, HistoryStep, build_history
from sparkle_motion.schemas import Canon, CanonDiff, Script

# -- the canon -----------------------------------------------------------------

CANON = Canon.model_validate(
    {
        "schema_version": "1.0.0",
        "characters": [
            {
                "id": "mara",
                "name": "Mara",
                "aliases": ["Mara Quill", "Quill"],
                "birth_date": "2000-06-15",
            },
            {
                "id": "elias",
                "name": "Elias",
                "status": "dead",
                "died_at": {"episode": 2, "scene": 3},
            },
            {
                "id": "osei",
                "name": "Osei",
                "age": 52,
                "whereabouts": [{"at": {"episode": 3, "scene": 2}, "location": "harbour"}],
            },
            {"id": "tom", "name": "Tom", "aliases": ["Tommy"]},
            {"id": "ghost", "name": "Ghost", "status": "dead"},
            {"id": "sister", "name": "Sister Agnes"},
        ],
        "locations": [
            {"id": "lighthouse", "name": "Lighthouse"},
            {"id": "harbour", "name": "Harbour"},
            {"id": "lamp-room", "name": "Lamp room"},
            {"id": "sea", "name": "Open sea"},
        ],
        "objects": [{"id": "lens", "name": "Great lens", "status": "broken"}],
        "relationships": [{"a": "mara", "b": "tom", "kind": "engaged"}],
        "persistent_states": [
            {"subject": "mara", "key": "eyesight", "value": "blind", "since": {"episode": 2}}
        ],
        "world_rules": [
            {"id": "no-flight", "text": "Nobody can fly.", "forbids": "event", "event": "fly"},
            {
                "id": "lamp-room-night",
                "text": "Only the keeper enters the lamp room at night.",
                "forbids": "presence",
                "location": "lamp-room",
                "time_of_day": "night",
                "exempt": ["mara"],
            },
            {
                "id": "silent-sister",
                "text": "Sister Agnes never speaks.",
                "forbids": "speech",
                "subjects": ["sister"],
            },
            {"id": "no-crowns", "text": "Nobody is crowned.", "forbids": "state", "key": "crowned"},
            {
                "id": "no-sailing-after-flood",
                "text": "After the flood nobody sails.",
                "forbids": "event",
                "event": "sail",
                "since": {"episode": 4},
            },
            {
                "id": "none-die-at-sea",
                "text": "The sea takes nobody.",
                "forbids": "event",
                "event": "death",
                "location": "sea",
            },
            {"id": "prose-only", "text": "The light must never go out."},
        ],
        "calendar": [
            {"at": {"episode": 1}, "date": "2024-06-01"},
            {"at": {"episode": 5}, "date": "2025-06-01"},
        ],
    }
)
CANON_HASH = CANON.content_hash()


def _diff(*changes: Change, at: str, episode: str) -> CanonDiff:
    provenance = {"episode": episode, "scene": "s1", "at": at}
    kinds: dict[str, list[Any]] = {"added": [], "modified": [], "removed": []}
    for change in changes:
        kinds[change.kind].append(change.as_fact_change("corpus history", provenance))
    return CanonDiff.new(base_snapshot="0" * 64, **kinds)


# What the canon used to say: the store would rebuild this from its snapshots.
HISTORY: CanonHistory = build_history(
    [
        HistoryStep(1, "1" * 64, None, "import"),
        HistoryStep(
            2,
            "2" * 64,
            _diff(
                Change("characters.old-ned", {"id": "old-ned", "name": "Old Ned"}, None, "removed"),
                Change(
                    "locations.old-mill", {"id": "old-mill", "name": "Old mill"}, None, "removed"
                ),
                Change("persistent_states.mara/eyesight.value", "good", "blind", "modified"),
                at="2:1",
                episode="ep02",
            ),
            "Dana",
        ),
        HistoryStep(
            3,
            "3" * 64,
            _diff(
                Change("characters.tom.name", "Thomas Hale", "Tom", "modified"),
                Change("objects.lens.status", "intact", "broken", "modified"),
                Change("objects.old-map", {"id": "old-map", "name": "Old map"}, None, "removed"),
                at="3:1",
                episode="ep03",
            ),
            "Dana",
        ),
    ]
)

# -- building scripts -------------------------------------------------------------

NAMES = {c.id: c.name for c in CANON.characters} | {"old-ned": "Old Ned", "stranger": "Stranger"}


def say(ident: str, who: str, text: str = "Listen.", **extra: Any) -> dict[str, Any]:
    return {"type": "dialogue", "id": ident, "speaker_id": who, "text": text, **extra}


def act(ident: str, text: str = "Wind.", *who: str) -> dict[str, Any]:
    return {"type": "action", "id": ident, "text": text, "characters": list(who)}


def state(subject: str, key: str, value: str, line: str | None = None) -> dict[str, Any]:
    return {"kind": "state", "subject": subject, "key": key, "value": value, "element_id": line}


def event(name: str, subject: str, *objects: str, line: str | None = None) -> dict[str, Any]:
    return {
        "kind": "event",
        "event": name,
        "subject": subject,
        "objects": list(objects),
        "element_id": line,
    }


def scene(
    ident: str,
    *elements: dict[str, Any],
    at: str = "lighthouse",
    present: tuple[str, ...] = (),
    claims: tuple[dict[str, Any], ...] = (),
    time_of_day: str = "day",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": ident,
        "location": at.replace("-", " ").title(),
        "location_id": at,
        "time_of_day": time_of_day,
        "present": list(present),
        "claims": list(claims),
        "elements": list(elements) or [act(f"{ident}-a", "Time passes.")],
        **extra,
    }


def script(
    *scenes: dict[str, Any], episode: str = "ep05", names: dict[str, str] | None = None
) -> Script:
    cast: dict[str, str] = {}
    for each in scenes:
        for who in each["present"]:
            cast.setdefault(who, NAMES.get(who, who.title()))
        for element in each["elements"]:
            if element["type"] == "dialogue":
                cast.setdefault(element["speaker_id"], NAMES.get(element["speaker_id"], "X"))
    cast.update(names or {})
    return Script.model_validate(
        {
            "schema_version": "1.0.0",
            "episode_id": episode,
            "characters": [{"speaker_id": k, "name": v} for k, v in cast.items()],
            "scenes": list(scenes),
        }
    )


@dataclass(frozen=True)
class Scenario:
    name: str
    script: Script
    code: str | None = None  # the blocking finding's code; None: must pass
    fact: str | None = None
    scene: str | None = None
    line: str | None = None
    changes: frozenset[str] = field(default_factory=frozenset)  # paths the diff must touch


def bad(name: str, built: Script, code: str, fact: str, at: str, line: str | None) -> Scenario:
    return Scenario(name, built, code, fact, at, line)


def good(name: str, built: Script, *changes: str) -> Scenario:
    return Scenario(name, built, changes=frozenset(changes))


CONTRADICTIONS = [
    bad(
        "dead speaks",
        script(scene("s1", say("l1", "elias"))),
        "dead_character",
        "characters.elias.status",
        "s1",
        "l1",
    ),
    bad(
        "dead stands in the scene",
        script(scene("s1", act("a1"), present=("elias",))),
        "dead_character",
        "characters.elias.status",
        "s1",
        None,
    ),
    bad(
        "dead acts",
        script(scene("s1", act("a1", "Elias waves.", "elias"))),
        "dead_character",
        "characters.elias.status",
        "s1",
        "a1",
    ),
    bad(
        "dead speaks over the radio",
        script(scene("s1", say("l1", "elias", delivery="radio"))),
        "dead_character",
        "characters.elias.status",
        "s1",
        "l1",
    ),
    bad(
        "dead speaks later in the episode of the death",
        script(
            scene("s1"), scene("s2"), scene("s3"), scene("s4", say("l4", "elias")), episode="ep02"
        ),
        "dead_character",
        "characters.elias.status",
        "s4",
        "l4",
    ),
    bad(
        "killed in this script then speaks",
        script(
            scene("s1", say("l1", "mara"), claims=(event("death", "mara", line="l1"),)),
            scene("s2", say("l2", "mara")),
        ),
        "dead_character",
        "characters.mara.status",
        "s2",
        "l2",
    ),
    bad(
        "flashback set after the death",
        script(
            scene("s1", say("l1", "elias"), flashback=True, story_time={"episode": 4, "scene": 1})
        ),
        "dead_character",
        "characters.elias.status",
        "s1",
        "l1",
    ),
    bad(
        "dead moves",
        script(scene("s1", act("a1"), claims=(state("elias", "location", "harbour", "a1"),))),
        "dead_character",
        "characters.elias.status",
        "s1",
        "a1",
    ),
    bad(
        "dead returns",
        script(scene("s1", act("a1"), claims=(state("elias", "status", "alive", "a1"),))),
        "dead_character",
        "characters.elias.status",
        "s1",
        "a1",
    ),
    bad(
        "dies twice",
        script(scene("s1", act("a1"), claims=(event("death", "elias", line="a1"),))),
        "dead_character",
        "characters.elias.status",
        "s1",
        "a1",
    ),
    bad(
        "dies earlier than the canon says",
        script(
            scene("s1", act("a1"), claims=(event("killed", "elias", line="a1"),)), episode="ep01"
        ),
        "fact_clash",
        "characters.elias.died_at",
        "s1",
        "a1",
    ),
    bad(
        "age against the birth date",
        script(
            scene("s1", say("l1", "mara"), claims=(state("mara", "age", "30", "l1"),)),
            episode="ep01",
        ),
        "age_mismatch",
        "characters.mara.birth_date",
        "s1",
        "l1",
    ),
    bad(
        "younger than the canon's age",
        script(
            scene("s1", say("l1", "osei"), claims=(state("osei", "age", "40", "l1"),)),
            episode="ep03",
        ),
        "age_mismatch",
        "characters.osei.age",
        "s1",
        "l1",
    ),
    bad(
        "ages go backwards",
        script(
            scene("s1", say("l1", "tom"), claims=(state("tom", "age", "30", "l1"),)),
            scene("s2", say("l2", "tom"), claims=(state("tom", "age", "29", "l2"),)),
        ),
        "age_mismatch",
        "characters.tom.age",
        "s2",
        "l2",
    ),
    bad(
        "another birth date",
        script(scene("s1", act("a1"), claims=(state("mara", "birth_date", "1999-01-01", "a1"),))),
        "fact_clash",
        "characters.mara.birth_date",
        "s1",
        "a1",
    ),
    bad(
        "a name that is no alias",
        script(scene("s1", say("l1", "mara")), names={"mara": "Marah"}),
        "name_clash",
        "characters.mara.name",
        "s1",
        "l1",
    ),
    bad(
        "a newcomer with a canon name",
        script(scene("s1", say("l1", "stranger")), names={"stranger": "Osei"}),
        "name_clash",
        "characters.osei.name",
        "s1",
        "l1",
    ),
    bad(
        "an alias another character owns",
        script(scene("s1", act("a1"), claims=(state("tom", "alias", "Quill", "a1"),))),
        "name_clash",
        "characters.mara.name",
        "s1",
        "a1",
    ),
    bad(
        "two places in one script",
        script(
            scene("s1", say("l1", "mara")),
            scene("s2", say("l2", "mara"), at="harbour", story_time={"episode": 5, "scene": 1}),
        ),
        "two_places",
        "characters.mara.whereabouts",
        "s2",
        "l2",
    ),
    bad(
        "where the canon has someone else",
        script(scene("s1"), scene("s2", say("l2", "osei")), episode="ep03"),
        "two_places",
        "characters.osei.whereabouts",
        "s2",
        "l2",
    ),
    bad(
        "claimed elsewhere while on screen",
        script(
            scene("s1", say("l1", "mara"), claims=(state("mara", "location", "harbour", "l1"),))
        ),
        "two_places",
        "characters.mara.whereabouts",
        "s1",
        "l1",
    ),
    bad(
        "claimed elsewhere while seen meanwhile",
        script(
            scene("s1", act("a1"), claims=(state("tom", "location", "harbour", "a1"),)),
            scene("s2", say("l2", "tom"), story_time={"episode": 5, "scene": 1}),
        ),
        "two_places",
        "characters.tom.whereabouts",
        "s2",
        "l2",
    ),
    bad(
        "a removed character speaks",
        script(scene("s1", say("l1", "old-ned"))),
        "stale_fact",
        "characters.old-ned",
        "s1",
        "l1",
    ),
    bad(
        "a removed location",
        script(scene("s1", say("l1", "mara"), at="old-mill")),
        "stale_fact",
        "locations.old-mill",
        "s1",
        None,
    ),
    bad(
        "a replaced state as if unchanged",
        script(scene("s1", say("l1", "mara"), claims=(state("mara", "eyesight", "good", "l1"),))),
        "stale_fact",
        "persistent_states.mara/eyesight.value",
        "s1",
        "l1",
    ),
    bad(
        "a replaced name",
        script(scene("s1", say("l1", "tom")), names={"tom": "Thomas Hale"}),
        "stale_fact",
        "characters.tom.name",
        "s1",
        "l1",
    ),
    bad(
        "a broken thing whole again",
        script(scene("s1", act("a1"), claims=(state("lens", "status", "intact", "a1"),))),
        "stale_fact",
        "objects.lens.status",
        "s1",
        "a1",
    ),
    bad(
        "a removed object",
        script(scene("s1", act("a1"), claims=(event("find", "old-map", line="a1"),))),
        "stale_fact",
        "objects.old-map",
        "s1",
        "a1",
    ),
    bad(
        "flying",
        script(scene("s1", act("a1"), claims=(event("fly", "mara", line="a1"),))),
        "world_rule",
        "world_rules.no-flight",
        "s1",
        "a1",
    ),
    bad(
        "in the lamp room at night",
        script(scene("s1", say("l1", "tom"), at="lamp-room", time_of_day="night")),
        "world_rule",
        "world_rules.lamp-room-night",
        "s1",
        "l1",
    ),
    bad(
        "the silent sister speaks",
        script(scene("s1", say("l1", "sister"))),
        "world_rule",
        "world_rules.silent-sister",
        "s1",
        "l1",
    ),
    bad(
        "a crown",
        script(scene("s1", act("a1"), claims=(state("tom", "crowned", "yes", "a1"),))),
        "world_rule",
        "world_rules.no-crowns",
        "s1",
        "a1",
    ),
    bad(
        "sailing after the flood",
        script(scene("s1", act("a1"), claims=(event("sail", "tom", line="a1"),)), episode="ep06"),
        "world_rule",
        "world_rules.no-sailing-after-flood",
        "s1",
        "a1",
    ),
    bad(
        "a death at sea, in other words",
        script(scene("s1", act("a1"), at="sea", claims=(event("killed", "tom", line="a1"),))),
        "world_rule",
        "world_rules.none-die-at-sea",
        "s1",
        "a1",
    ),
    bad(
        "dead in an episode of unknown number",
        script(scene("s1", say("l1", "elias")), episode="special"),
        "dead_character",
        "characters.elias.status",
        "s1",
        "l1",
    ),
    bad(
        "dead since a time nobody knows",
        script(scene("s1", say("l1", "ghost"))),
        "dead_character",
        "characters.ghost.status",
        "s1",
        "l1",
    ),
]

VALID = [
    good(
        "a flashback before the death",
        script(
            scene("s1", say("l1", "elias"), flashback=True, story_time={"episode": 1, "scene": 2})
        ),
    ),
    good("mentioned but not present", script(scene("s1", say("l1", "mara", "I miss Elias.")))),
    good(
        "an alias used correctly",
        script(scene("s1", say("l1", "mara")), names={"mara": "Mara Quill"}),
    ),
    good("another alias, any case", script(scene("s1", say("l1", "tom")), names={"tom": "TOMMY"})),
    good(
        "on screen in the scene of the death",
        script(scene("s1"), scene("s2"), scene("s3", say("l3", "elias")), episode="ep02"),
    ),
    good(
        "dies at the end of a scene they speak in",
        script(scene("s1", say("l1", "mara"), claims=(event("death", "mara", line="l1"),))),
        "characters.mara.status",
        "characters.mara.died_at",
    ),
    good(
        "the right age for the birth date",
        script(
            scene("s1", say("l1", "mara"), claims=(state("mara", "age", "23", "l1"),)),
            episode="ep01",
        ),
    ),
    good(
        "a year older a year later",
        script(scene("s1", say("l1", "mara"), claims=(state("mara", "age", "24", "l1"),))),
    ),
    good(
        "older as time goes on",
        script(
            scene("s1", say("l1", "osei"), claims=(state("osei", "age", "53", "l1"),)),
            episode="ep03",
        ),
        "characters.osei.age",
    ),
    good(
        "heard over the radio from elsewhere",
        script(scene("s1"), scene("s2", say("l2", "osei", delivery="radio")), episode="ep03"),
    ),
    good(
        "a new state, not an old one",
        script(scene("s1", act("a1"), claims=(state("mara", "eyesight", "dim", "a1"),))),
        "persistent_states.mara/eyesight.value",
    ),
    good(
        "an old state back, with the event that explains it",
        script(
            scene(
                "s1",
                act("a1"),
                claims=(
                    event("healed", "mara", line="a1"),
                    state("mara", "eyesight", "good", "a1"),
                ),
            )
        ),
        "persistent_states.mara/eyesight.value",
    ),
    good(
        "a funeral for the dead",
        script(scene("s1", say("l1", "tom"), claims=(event("funeral", "elias", line="l1"),))),
    ),
    good(
        "the dead as the object of an event",
        script(
            scene("s1", say("l1", "mara"), claims=(event("mourning", "mara", "elias", line="l1"),))
        ),
    ),
    good(
        "the keeper may enter at night",
        script(scene("s1", say("l1", "mara"), at="lamp-room", time_of_day="night")),
    ),
    good(
        "sailing before the flood",
        script(scene("s1", act("a1"), claims=(event("sail", "tom", line="a1"),)), episode="ep03"),
    ),
    good(
        "a flashback with no time is only a warning",
        script(scene("s1", say("l1", "elias"), flashback=True)),
    ),
    good("a newcomer", script(scene("s1", say("l1", "bo")), names={"bo": "Bo"}), "characters.bo"),
    good(
        "meanwhile in the same place",
        script(
            scene("s1", say("l1", "mara")),
            scene("s2", say("l2", "mara"), story_time={"episode": 5, "scene": 1}),
        ),
    ),
    good(
        "the removed place in a flashback before its removal",
        script(
            scene(
                "s1",
                say("l1", "mara"),
                at="old-mill",
                flashback=True,
                story_time={"episode": 1, "scene": 1},
            )
        ),
    ),
    good(
        "a wedding replaces the engagement",
        script(
            scene("s1", say("l1", "mara"), claims=(event("wedding", "mara", "tom", line="l1"),))
        ),
        "relationships.mara/tom/married",
        "relationships.mara/tom/engaged",
    ),
    good(
        "a move off screen",
        script(
            scene("s1", say("l1", "mara"), claims=(event("move", "tom", "harbour", line="l1"),))
        ),
        "characters.tom.whereabouts",
    ),
]
