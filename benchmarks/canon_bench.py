"""How fast the Canon Gate decides on a 10,000-fact canon and a 40-scene script.

Builds a synthetic canon (characters with names, aliases, birth dates,
whereabouts; locations, objects, relationships, timeline, states, structured
world rules, a calendar) and a history of replaced facts, then a 40-scene
script full of speakers, claims, flashbacks and meanwhile scenes. Prints the
gate's time (check, then check plus the proposed diff) against a baseline
measured in the same run: parsing and validating the same canon from JSON,
the least any stage that reads the canon must do.

    python benchmarks/canon_bench.py
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from sparkle_motion.canon.facts import Change, count_facts
from sparkle_motion.canon.gate import check_script
from sparkle_motion.canon.history import CanonHistory, HistoryStep, build_history
from sparkle_motion.canon.propose import propose_diff
from sparkle_motion.schemas import Canon, CanonDiff, Script

CHARACTERS = 600
LOCATIONS = 120
SCENES = 40
REPEATS = 5


def synthetic_canon() -> Canon:
    people = [f"c{i}" for i in range(CHARACTERS)]
    places = [f"place-{i}" for i in range(LOCATIONS)]
    return Canon.model_validate(
        {
            "schema_version": "1.0.0",
            "characters": [
                {
                    "id": who,
                    "name": f"Person {i}",
                    "aliases": [f"P{i}", f"Nick {i}"],
                    "birth_date": f"{1950 + i % 60}-0{1 + i % 9}-1{i % 9}",
                    "status": "dead" if i % 10 == 9 else "alive",
                    "died_at": {"episode": 1 + i % 5, "scene": 1 + i % 7} if i % 10 == 9 else None,
                    "description": f"Character number {i}.",
                    "whereabouts": [
                        {"at": {"episode": 1 + n, "scene": 1 + i % 9}, "location": places[i % 97]}
                        for n in range(2)
                    ],
                }
                for i, who in enumerate(people)
            ],
            "locations": [
                {"id": p, "name": f"Place {p}", "description": "Somewhere."} for p in places
            ],
            "objects": [
                {
                    "id": f"obj-{i}",
                    "name": f"Thing {i}",
                    "owner": people[i],
                    "location": places[i % 50],
                }
                for i in range(400)
            ],
            "relationships": [
                {
                    "a": people[i % CHARACTERS],
                    "b": people[(i * 7 + 1) % CHARACTERS],
                    "kind": f"k{i // CHARACTERS}",
                }
                for i in range(1500)
            ],
            "timeline_events": [
                {
                    "id": f"ev-{i}",
                    "at": {"episode": 1 + i % 6, "scene": 1 + i % 12},
                    "kind": "meeting",
                    "subjects": [people[i % CHARACTERS], people[(i + 3) % CHARACTERS]],
                    "description": "They met.",
                }
                for i in range(800)
            ],
            "persistent_states": [
                {"subject": people[i % CHARACTERS], "key": f"trait-{i % 4}", "value": f"v{i}"}
                for i in range(1500)
            ],
            "world_rules": [
                {"id": f"rule-{i}", "text": f"Rule {i}.", "forbids": "event", "event": f"magic-{i}"}
                for i in range(30)
            ],
            "calendar": [{"at": {"episode": e}, "date": f"20{20 + e}-01-01"} for e in range(1, 8)],
        }
    )


def synthetic_history() -> CanonHistory:
    provenance = {"episode": "ep03", "scene": "s1", "at": "3:1"}
    changes = [
        Change(f"persistent_states.c{i}/old-trait.value", "before", "after", "modified")
        for i in range(1000)
    ]
    diff = CanonDiff.new(
        base_snapshot="0" * 64,
        modified=[c.as_fact_change("history", provenance) for c in changes],
    )
    return build_history(
        [HistoryStep(1, "1" * 64, None, "import"), HistoryStep(2, "2" * 64, diff, "x")]
    )


def synthetic_script() -> Script:
    cast = [f"c{i}" for i in range(0, 48, 4)]  # every fourth: none of them dead
    scenes: list[dict[str, Any]] = []
    for s in range(SCENES):
        who = [cast[(s + k) % len(cast)] for k in range(3)]
        elements: list[dict[str, Any]] = [
            {"type": "action", "id": f"s{s}a", "text": "The door opens.", "characters": who[:1]}
        ]
        elements += [
            {"type": "dialogue", "id": f"s{s}l{n}", "speaker_id": who[n % 3], "text": "We go."}
            for n in range(8)
        ]
        claims: list[dict[str, Any]] = [
            {"kind": "state", "subject": who[0], "key": "mood", "value": f"m{s}"},
            {"kind": "event", "event": "meeting", "subject": who[1], "objects": [who[2]]},
        ]
        if s % 5 == 0:
            claims.append({"kind": "state", "subject": who[2], "key": "old-trait", "value": "new"})
        scene: dict[str, Any] = {
            "id": f"s{s}",
            "location": f"Place {s % 11}",
            "location_id": f"place-{100 + s % 11}",
            "time_of_day": "night" if s % 3 else "day",
            "present": who,
            "claims": claims,
            "elements": elements,
        }
        if s % 13 == 12:
            scene.update(flashback=True, story_time={"episode": 1, "scene": 10 + s})
        scenes.append(scene)
    return Script.model_validate(
        {
            "schema_version": "1.0.0",
            "episode_id": "ep07",
            "characters": [{"speaker_id": c, "name": f"Person {c[1:]}"} for c in cast],
            "scenes": scenes,
        }
    )


def best(work: Callable[[], object]) -> tuple[float, float]:
    """Best and median wall time of REPEATS calls."""
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def main() -> None:
    canon = synthetic_canon()
    history = synthetic_history()
    script = synthetic_script()
    data = canon.to_json()
    canon_hash = canon.content_hash()

    def gate() -> object:
        report = check_script(
            script, canon, script_hash="s" * 64, canon_hash=canon_hash, history=history
        )
        assert report.passed, [f.message for f in report.findings if f.severity == "block"][:3]
        return report

    def gate_and_diff() -> object:
        gate()
        return propose_diff(script, canon, canon_hash=canon_hash, script_hash="s" * 64)

    baseline, _ = best(lambda: Canon.from_json(data))
    decided, median = best(gate)
    proposed, proposed_median = best(gate_and_diff)
    claims = sum(len(s.claims) for s in script.scenes)
    print(
        f"canon: {count_facts(canon)} facts ({len(data) / 1e6:.1f} MB JSON); "
        f"script: {SCENES} scenes, {claims} claims"
    )
    print(f"baseline (parse + validate the canon JSON): {baseline * 1000:8.1f} ms")
    print(
        f"gate (check every contradiction):           {decided * 1000:8.1f} ms "
        f"(median {median * 1000:.1f} ms)"
    )
    print(
        f"gate + proposed canon diff:                 {proposed * 1000:8.1f} ms "
        f"(median {proposed_median * 1000:.1f} ms)"
    )
    print(f"ratio gate / baseline: {decided / baseline:.2f}x")
    print(f"target: gate under 1 s -> {'met' if median < 1.0 else 'NOT met'}")


if __name__ == "__main__":
    main()
