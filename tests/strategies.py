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
