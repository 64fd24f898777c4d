"""What each scene of a script asserts, read once: when, where, who is there, what it claims.

Claims are checked here for sense (a state needs a key and a value, an age is
a whole number, a move names where to); a malformed claim is a
CanonClaimError naming the script file and the claim's JSON path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sparkle_motion.canon.time import TimeKey, scene_time
from sparkle_motion.errors import CanonClaimError
from sparkle_motion.schemas import ActionElement, CanonClaim, DialogueElement, Scene, Script

__all__ = [
    "CHARACTER_STATUSES",
    "EVENT_ALIASES",
    "OBJECT_STATUSES",
    "POSTHUMOUS_EVENTS",
    "REMOTE_DELIVERIES",
    "ClaimAt",
    "SceneView",
    "read_scenes",
]

# A line delivered like this is heard, not spoken by someone in the room.
REMOTE_DELIVERIES = frozenset({"vo", "v.o.", "voice-over", "voiceover", "radio", "phone"})
CHARACTER_STATUSES = frozenset({"alive", "dead"})
OBJECT_STATUSES = frozenset({"intact", "broken", "destroyed", "lost"})
# Event words people write, mapped to the event the canon knows.
EVENT_ALIASES = {
    "die": "death",
    "dies": "death",
    "killed": "death",
    "murder": "death",
    "injured": "injury",
    "wounded": "injury",
    "recovery": "heal",
    "healed": "heal",
    "recovers": "heal",
    "marry": "marriage",
    "wedding": "marriage",
    "engaged": "engagement",
    "breakup": "separation",
    "divorce": "separation",
    "destroyed": "destroy",
    "destruction": "destroy",
    "lose": "lost",
    "loses": "lost",
    "found": "find",
    "moves": "move",
}
# Events that may still concern someone after their death.
POSTHUMOUS_EVENTS = frozenset({"death", "funeral", "burial", "memorial", "mention", "inheritance"})

_WORD = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class ClaimAt:
    claim: CanonClaim
    path: str  # JSON path in the script: $.scenes[2].claims[0]
    event: str | None  # normalized event name for event claims
    key: str | None  # normalized key for state claims

    @property
    def line(self) -> str | None:
        return self.claim.element_id


@dataclass
class SceneView:
    scene: Scene
    position: int  # 1-based order in the script
    path: str  # $.scenes[i]
    time: TimeKey
    explicit_time: bool
    location: str
    speakers: dict[str, str] = field(default_factory=dict)  # who → first line id
    appears: dict[str, str | None] = field(default_factory=dict)  # who → first element id
    physical: dict[str, str | None] = field(default_factory=dict)  # bodily in the scene
    claims: list[ClaimAt] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.scene.id

    @property
    def flashback(self) -> bool:
        return self.scene.flashback

    def where(self, who: str) -> str | None:
        """The element that shows ``who`` in this scene (a line first, then an action)."""
        return self.speakers.get(who) or self.appears.get(who)


def _bad(source: str, path: str, problem: str, hint: str) -> CanonClaimError:
    return CanonClaimError(f"{path}: {problem}", where=source, hint=hint)


def _read_claim(claim: CanonClaim, path: str, source: str) -> ClaimAt:
    grammar = "see docs/canon.md#what-a-script-claims"
    if claim.kind == "event":
        event = (claim.event or "").strip().lower()
        if not _WORD.match(event):
            raise _bad(source, f"{path}.event", "an event claim needs an event word", grammar)
        event = EVENT_ALIASES.get(event, event)
        if event == "move" and not (claim.objects and _WORD.match(claim.objects[0])):
            raise _bad(
                source, f"{path}.objects", "a move needs the location id it goes to", grammar
            )
        if event in ("marriage", "engagement", "separation", "relationship") and not (
            claim.objects and _WORD.match(claim.objects[0])
        ):
            raise _bad(source, f"{path}.objects", f"a {event} needs the other person", grammar)
        if event == "relationship" and len(claim.objects) < 2:
            raise _bad(
                source,
                f"{path}.objects",
                "a relationship needs the other person and its kind "
                "(event relationship mara tom friends)",
                grammar,
            )
        return ClaimAt(claim, path, event, None)
    key = (claim.key or "").strip().lower()
    value = (claim.value or "").strip()
    if not key:
        raise _bad(
            source, f"{path}.key", "a state claim needs a key (subject.key = value)", grammar
        )
    if not value:
        raise _bad(source, f"{path}.value", f"{claim.subject}.{key} needs a value", grammar)
    if not _WORD.match(key):
        raise _bad(source, f"{path}.key", f"{key!r} is not a claim key", grammar)
    if key == "age" and not (value.isdigit() and int(value) <= 200):
        raise _bad(source, f"{path}.value", f"an age is a whole number, not {value!r}", grammar)
    if key == "birth_date" and not _DATE.match(value):
        raise _bad(source, f"{path}.value", f"a birth date is YYYY-MM-DD, not {value!r}", grammar)
    if key in ("location", "owner") and not _WORD.match(value):
        raise _bad(source, f"{path}.value", f"{key} takes an id, not {value!r}", grammar)
    if key == "status" and value.lower() not in CHARACTER_STATUSES | OBJECT_STATUSES:
        raise _bad(
            source,
            f"{path}.value",
            f"status is one of {', '.join(sorted(CHARACTER_STATUSES | OBJECT_STATUSES))}, "
            f"not {value!r}",
            grammar,
        )
    return ClaimAt(claim, path, None, key)


def read_scenes(script: Script, episode: int | None, source: str) -> list[SceneView]:
    views: list[SceneView] = []
    for index, scene in enumerate(script.scenes):
        time, explicit = scene_time(scene, index + 1, episode)
        view = SceneView(
            scene=scene,
            position=index + 1,
            path=f"$.scenes[{index}]",
            time=time,
            explicit_time=explicit,
            location=scene.location_key(),
        )
        for who in scene.present:
            view.appears.setdefault(who, None)
            view.physical.setdefault(who, None)
        for element in scene.elements:
            if isinstance(element, DialogueElement):
                view.speakers.setdefault(element.speaker_id, element.id)
                delivery = (element.delivery or "").strip().lower()
                if delivery not in REMOTE_DELIVERIES:
                    view.physical.setdefault(element.speaker_id, element.id)
            elif isinstance(element, ActionElement):
                for who in element.characters:
                    if view.appears.get(who) is None:
                        view.appears[who] = element.id
                    if view.physical.get(who) is None:
                        view.physical[who] = element.id
        view.claims = [
            _read_claim(claim, f"{view.path}.claims[{n}]", source)
            for n, claim in enumerate(scene.claims)
        ]
        views.append(view)
    return views
