"""Hypothesis strategies for artifacts, shared by every property test."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from sparkle_motion.schemas import Script

ids = st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True)
words = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N")), min_size=1, max_size=9
)
sentences = st.lists(words, min_size=1, max_size=14).map(lambda ws: " ".join(ws) + ".")
times_of_day = st.sampled_from(["day", "night", "dawn", "dusk", "later"])


@st.composite
def scripts(draw: st.DrawFn, max_scenes: int = 4) -> Script:
    speaker_ids = draw(st.lists(ids, min_size=1, max_size=4, unique=True))
    used: set[str] = set(speaker_ids)

    def fresh(prefix: str) -> str:
        n = len(used)
        while f"{prefix}{n}" in used:
            n += 1
        used.add(f"{prefix}{n}")
        return f"{prefix}{n}"

    scenes: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(1, max_scenes))):
        elements: list[dict[str, Any]] = []
        for _ in range(draw(st.integers(1, 6))):
            if draw(st.booleans()):
                elements.append(
                    {
                        "type": "dialogue",
                        "id": fresh("l"),
                        "speaker_id": draw(st.sampled_from(speaker_ids)),
                        "text": draw(sentences),
                        "emotion": draw(
                            st.lists(st.sampled_from(["sad", "angry", "glad"]), max_size=1)
                        ),
                    }
                )
            else:
                elements.append(
                    {
                        "type": "action",
                        "id": fresh("a"),
                        "text": draw(sentences),
                        "characters": draw(
                            st.lists(st.sampled_from(speaker_ids), max_size=2, unique=True)
                        ),
                    }
                )
        scenes.append(
            {
                "id": fresh("s"),
                "location": draw(words),
                "interior": draw(st.booleans()),
                "time_of_day": draw(times_of_day),
                "elements": elements,
            }
        )
    return Script.model_validate(
        {
            "schema_version": "1.0.0",
            "episode_id": "ep01",
            "characters": [{"speaker_id": s, "name": s.title()} for s in speaker_ids],
            "scenes": scenes,
        }
    )


# --- Scripts as the Fountain importer makes them ----------------------------------
# Every field is what reading the exported Fountain gives back, so
# ``parse_fountain(export_fountain(s)) == s`` (claims' source lines aside).

_F_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=7)
_F_STYLES = st.sampled_from([None, None, None, "italic", "bold", "bold_italic", "underline"])
_F_CUES = {"ANN": "Ann", "BO": "Bo", "DR. REE": "Dr. Ree", "MAE-LIN": "Mae-Lin", "OTTO": "Otto"}
_F_FORCED = ["McKay", "van Dyke"]
_F_PARENTHETICALS = [
    None,
    "quietly",
    "angry",
    "to the sea",
    "whispering, sad",
    "beat",
    "glad, tired",
]
_F_EXTENSIONS = [None, None, "vo", "os", "phone", "pre-lap"]
_F_TRANSITIONS = [None, None, "CUT TO:", "DISSOLVE TO:", "FADE OUT.", "SMASH CUT TO BLACK"]


@st.composite
def _marked_text(draw: st.DrawFn, max_lines: int = 2) -> tuple[str, list[dict[str, Any]]]:
    """Lines of lower-case words, some words emphasised; the text and its spans."""
    lines: list[str] = []
    spans: list[dict[str, Any]] = []
    offset = 0
    for _ in range(draw(st.integers(1, max_lines))):
        words = draw(st.lists(st.tuples(_F_WORDS, _F_STYLES), min_size=1, max_size=6))
        position = offset
        for index, (word, style) in enumerate(words):
            if style is not None:
                spans.append({"start": position, "end": position + len(word), "style": style})
            position += len(word) + (1 if index < len(words) - 1 else 0)
        line = " ".join(word for word, _ in words)
        lines.append(line)
        offset += len(line) + 1
    return "\n".join(lines), spans


def _slug(text: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


def _mentions(text: str, names: dict[str, str]) -> list[str]:
    import re

    found = []
    for ident, name in names.items():
        match = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE)
        if match:
            found.append((match.start(), ident))
    return [ident for _, ident in sorted(found)]


@st.composite
def fountain_scripts(draw: st.DrawFn, max_scenes: int = 4) -> Script:
    from sparkle_motion.writing.fountain.tags import parenthetical_tags

    counts = {"a": 0, "l": 0}
    speakers: dict[str, str] = {}
    scenes: list[dict[str, Any]] = []
    section: str | None = None
    previous_time = "day"

    def next_id(kind: str) -> str:
        counts[kind] += 1
        return f"{kind}{counts[kind]}"

    for index in range(draw(st.integers(1, max_scenes))):
        if draw(st.booleans()):
            section = " / ".join(
                "Part " + w for w in draw(st.lists(_F_WORDS, min_size=1, max_size=2))
            )
        scene: dict[str, Any] = {"id": f"s{index + 1}", "section": section}
        style = draw(
            st.sampled_from(["prefix", "prefix", "forced"] + (["none"] if index == 0 else []))
        )
        if style == "prefix":
            prefix = draw(st.sampled_from(["INT.", "EXT.", "EST.", "INT./EXT.", "I/E"]))
            place = " ".join(draw(st.lists(_F_WORDS, min_size=1, max_size=3)))
            time = draw(st.sampled_from(["day", "night", "dawn", "dusk"]))
            location = place[:1].upper() + place[1:]
            scene |= {
                "heading": f"{prefix} {place.upper()} - {time.upper()}",
                "location": location,
                "location_id": _slug(location),
                "interior": prefix not in ("EXT.", "EST."),
                "time_of_day": time,
            }
        elif style == "forced":
            location = "Dream " + " ".join(draw(st.lists(_F_WORDS, min_size=1, max_size=2)))
            scene |= {
                "heading": location,
                "location": location,
                "location_id": _slug(location),
                "interior": True,
                "time_of_day": "day",
            }
        else:
            scene |= {
                "heading": "",
                "location": "Unspecified",
                "location_id": "unspecified",
                "interior": True,
                "time_of_day": "day",
            }
        previous_time = scene["time_of_day"]
        if style != "none" and draw(st.booleans()):
            scene["number"] = str(draw(st.integers(1, 999))) + draw(st.sampled_from(["", "A", "B"]))
        if draw(st.booleans()):
            scene["synopsis"] = "\n".join(draw(st.lists(_F_WORDS, min_size=1, max_size=2)))
        scene["notes"] = [
            " ".join(words)
            for words in draw(st.lists(st.lists(_F_WORDS, min_size=1, max_size=4), max_size=2))
        ]
        elements: list[dict[str, Any]] = []
        for _ in range(draw(st.integers(1, 5))):
            text, spans = draw(_marked_text())
            if draw(st.booleans()):
                kind = draw(st.sampled_from(["plain", "plain", "centered", "lyric"]))
                elements.append(
                    {
                        "type": "action",
                        "id": next_id("a"),
                        "text": text,
                        "spans": spans,
                        "centered": kind == "centered",
                        "lyric": kind == "lyric",
                    }
                )
                continue
            forced = draw(st.integers(0, 4)) == 0
            name = draw(st.sampled_from(_F_FORCED if forced else sorted(_F_CUES.values())))
            ident = _slug(name)
            speakers.setdefault(ident, name)
            parenthetical = draw(st.sampled_from(_F_PARENTHETICALS))
            emotion, paren_delivery = parenthetical_tags(parenthetical)
            extension = draw(st.sampled_from(_F_EXTENSIONS))
            elements.append(
                {
                    "type": "dialogue",
                    "id": next_id("l"),
                    "speaker_id": ident,
                    "text": text,
                    "spans": spans,
                    "parenthetical": parenthetical,
                    "emotion": emotion,
                    "delivery": extension or paren_delivery,
                    "dual": draw(st.booleans()),
                    "lyric": draw(st.integers(0, 3)) == 0,
                }
            )
        claims: list[dict[str, Any]] = []
        for target in [None, *(e["id"] for e in elements)]:
            for _ in range(draw(st.integers(0, 1))):
                subject = draw(_F_WORDS)
                if draw(st.booleans()):
                    claim = {"kind": "state", "subject": subject, "key": draw(_F_WORDS)}
                    claim["value"] = " ".join(draw(st.lists(_F_WORDS, min_size=1, max_size=3)))
                else:
                    claim = {"kind": "event", "subject": subject, "event": draw(_F_WORDS)}
                    claim["objects"] = draw(st.lists(_F_WORDS, max_size=2))
                claims.append(claim | {"element_id": target})
        scene["claims"] = claims
        scene["transition"] = draw(st.sampled_from(_F_TRANSITIONS))
        scene["elements"] = elements
        scenes.append(scene)
    del previous_time
    for scene in scenes:
        present: list[str] = []
        for element in scene["elements"]:
            if element["type"] == "action":
                element["characters"] = _mentions(element["text"], speakers)
                seen = element["characters"]
            elif element["delivery"] in ("vo", "os", "phone", "radio"):
                seen = []
            else:
                seen = [element["speaker_id"]]
            present.extend(who for who in seen if who not in present)
        scene["present"] = present
    page = {}
    if draw(st.booleans()):
        page = {"Title": " ".join(draw(st.lists(_F_WORDS, min_size=1, max_size=3)))}
        if draw(st.booleans()):
            page["Author"] = " ".join(draw(st.lists(_F_WORDS, min_size=1, max_size=2)))
    return Script.model_validate(
        {
            "schema_version": "1.0.0",
            "episode_id": "ep01",
            "title": page.get("Title", ""),
            "title_page": page,
            "characters": [{"speaker_id": k, "name": v} for k, v in speakers.items()],
            "scenes": scenes,
        }
    )


_times = st.builds(
    lambda episode, scene: {"episode": episode, "scene": scene},
    st.integers(0, 9),
    st.none() | st.integers(1, 9),
)
_names = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs")), min_size=1, max_size=12
).filter(str.strip)


@st.composite
def canons(draw: st.DrawFn, max_entities: int = 4) -> Any:
    """Canons with every kind of fact, keys that need escaping and free-form state values."""
    from sparkle_motion.schemas import Canon

    people = draw(st.lists(ids, min_size=1, max_size=max_entities, unique=True))
    places = draw(st.lists(ids.map(lambda i: f"loc-{i}"), max_size=max_entities, unique=True))
    characters = []
    for who in people:
        dead = draw(st.booleans())
        characters.append(
            {
                "id": who,
                "name": draw(_names),
                "aliases": draw(st.lists(_names, max_size=2, unique=True)),
                "age": draw(st.none() | st.integers(0, 90)),
                "status": "dead" if dead else "alive",
                "died_at": draw(st.none() | _times) if dead else None,
                "whereabouts": [
                    {"at": at, "location": draw(st.sampled_from(places))}
                    for at in draw(st.lists(_times, max_size=2))
                ]
                if places
                else [],
            }
        )
    state_values = st.none() | st.booleans() | st.integers(-5, 5) | _names
    state_values |= st.dictionaries(ids, st.integers(0, 3) | _names, max_size=2)
    return Canon.model_validate(
        {
            "schema_version": "1.0.0",
            "characters": characters,
            "locations": [{"id": p, "name": draw(_names)} for p in places],
            "objects": [
                {"id": f"obj-{o}", "name": draw(_names), "owner": draw(st.sampled_from(people))}
                for o in draw(st.lists(ids, max_size=2, unique=True))
            ],
            "relationships": [
                {
                    "a": draw(st.sampled_from(people)),
                    "b": draw(st.sampled_from(people)),
                    "kind": kind,
                }
                for kind in draw(
                    st.lists(
                        st.sampled_from(["friend", "rival", "a.b/c%d"]), max_size=3, unique=True
                    )
                )
            ],
            "persistent_states": [
                {"subject": draw(st.sampled_from(people)), "key": key, "value": draw(state_values)}
                for key in draw(
                    st.lists(st.sampled_from(["mood", "rank", "x.y/z"]), max_size=3, unique=True)
                )
            ],
            "timeline_events": [
                {"id": f"ev-{e}", "at": draw(_times), "kind": "event", "subjects": people[:1]}
                for e in draw(st.lists(ids, max_size=3, unique=True))
            ],
            "world_rules": [{"id": "rule", "text": draw(_names)}] if draw(st.booleans()) else [],
        }
    )
