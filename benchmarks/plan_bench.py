"""How fast Script -> ShotList -> AssetManifest planning is, speech synthesis excluded.

Builds a synthetic 30-scene script, plans it with speech lengths taken from
the silent engine's reading-speed estimate, and prints the planning time
against a baseline measured in the same run: parsing and validating the
same script from JSON (the least any stage that reads the script must do).

    python benchmarks/plan_bench.py
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from sparkle_motion.adapt.manifest import build_manifest
from sparkle_motion.adapt.shots import MeasuredSpeech, plan_shotlist
from sparkle_motion.audio.speech_text import reading_seconds
from sparkle_motion.schemas import DialogueElement, Script, TimingSettings

SCENES = 30
LINES_PER_SCENE = 12
REPEATS = 7


def synthetic_script() -> Script:
    speakers = [f"c{i}" for i in range(6)]
    scenes = []
    for s in range(SCENES):
        elements: list[dict[str, object]] = [
            {"type": "action", "id": f"s{s}a0", "text": "The door swings open on a cold room."}
        ]
        for n in range(LINES_PER_SCENE):
            elements.append(
                {
                    "type": "dialogue",
                    "id": f"s{s}l{n}",
                    "speaker_id": speakers[(s + n) % 6],
                    "text": "We leave tonight, if the tide is with us and nobody sees.",
                    "emotion": ["worried"] if n % 5 == 0 else [],
                }
            )
        scenes.append(
            {
                "id": f"s{s}",
                "location": f"Place {s % 7}",
                "interior": s % 2 == 0,
                "time_of_day": "night",
                "elements": elements,
            }
        )
    return Script.model_validate(
        {
            "schema_version": "1.0.0",
            "episode_id": "bench",
            "characters": [{"speaker_id": c, "name": c.upper()} for c in speakers],
            "scenes": scenes,
        }
    )


def measure(line: DialogueElement) -> MeasuredSpeech:
    return MeasuredSpeech(seconds=reading_seconds(line.text))


def best(work: Callable[[], object]) -> tuple[float, float]:
    """Best and median wall time of REPEATS calls."""
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def main() -> None:
    script = synthetic_script()
    data = script.to_json()

    def plan() -> object:
        shotlist = plan_shotlist(script, fps=24, timing=TimingSettings(), measure=measure)
        return build_manifest(shotlist, script)

    baseline, _ = best(lambda: Script.from_json(data))
    planned, median = best(plan)
    lines = SCENES * LINES_PER_SCENE
    print(f"script: {SCENES} scenes, {lines} lines")
    print(f"baseline (parse + validate the script JSON): {baseline * 1000:8.1f} ms")
    print(
        f"planning (shot list + asset manifest):       {planned * 1000:8.1f} ms "
        f"(median {median * 1000:.1f} ms)"
    )
    print(f"ratio planning / baseline: {planned / baseline:.1f}x")
    print(f"target: under 1 s -> {'met' if planned < 1.0 else 'NOT met'}")


if __name__ == "__main__":
    main()
