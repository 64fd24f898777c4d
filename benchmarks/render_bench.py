"""How fast the preview renderer is, against plain x264 on the same machine, same run.

Builds a synthetic episode — 30 shots, 10 minutes, 1280x720 at 24 fps, every
line of dialogue different (so every line is synthesized, as in a real
script) — and prints:

- the full render's wall time (``sparkle-motion run``, speech included);
- the floor: a plain x264 encode of ffmpeg's ``testsrc2`` at the same duration,
  size, frame rate and preset, measured in the same run, and the ratio;
- a re-render after one line of dialogue changed, its ratio to the full render
  and the share of clips that came from the cache;
- the peak memory of any one process of the render.

    python benchmarks/render_bench.py [--minutes 10] [--shots 30]

Targets: full render <= 1.5 x the floor; one-line re-render <= 0.15 x the full
render with >= 90 % of clips from cache; peak memory under 1 GiB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from sparkle_motion.ffmpeg import ffmpeg_exe

WIDTH, HEIGHT, FPS = 1280, 720, 24
SENTENCES = (
    "The tide came in faster than anyone had said it would.",
    "The boats along the quay knocked together like restless animals waiting to be let out.",
    "Somebody had left a lantern burning on the harbour wall, and nobody would own it.",
    "By the time the ferry sounded its horn, the fog had swallowed the far shore.",
    "We counted the ropes twice, then a third time, because the numbers would not agree.",
    "The keeper said the weather turns on a Tuesday and never on a Sunday.",
    "Gulls sat in a row on the roof of the net shed and watched us work.",
    "Every window in the street was dark except the one above the chandler's.",
)


def line_text(index: int, words: int) -> str:
    """A line of about ``words`` words that no other line repeats (as in a real script)."""
    parts = [f"This is boat number {index + 1}."]
    step = 0
    while sum(len(part.split()) for part in parts) < words:
        parts.append(SENTENCES[(index * 3 + step) % len(SENTENCES)])
        step += 1
    return " ".join(parts)


def episode(minutes: float, shots: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A project and a script whose shots split the duration evenly (a third establishing)."""
    scenes = max(1, shots // 3)
    shot_seconds = minutes * 60 / (scenes * 3)
    words = max(1, round(shot_seconds * 2.6))  # words a line, at about 2.6 words a second
    project = {
        "schema_version": "1.0.0",
        "title": "Render benchmark",
        "target_duration": minutes * 60,
        "seed": 5,
        "render_profiles": ["bench"],
        "profiles": {"bench": {"name": "bench", "width": WIDTH, "height": HEIGHT, "fps": FPS}},
        "human_checkpoints": dict.fromkeys(
            [
                "approve_canon_diff",
                "approve_shotlist_timing_lock",
                "approve_external_spend",
                "approve_character_packs",
            ],
            False,
        ),
        "timing": {"establishing": shot_seconds, "max_shot": 600, "min_shot": 1},
        "cards": {"title": False, "end": False},
    }
    script_scenes = []
    for index in range(scenes):
        script_scenes.append(
            {
                "id": f"s{index}",
                "location": f"Quay {index % 4}",
                "interior": index % 2 == 0,
                "time_of_day": ["day", "dusk", "night", "dawn"][index % 4],
                "present": ["ana", "ben"],
                "elements": [
                    {
                        "type": "action",
                        "id": f"a{index}",
                        "text": "The quay, the boats, the water.",
                    },
                    {
                        "type": "dialogue",
                        "id": f"l{index}a",
                        "speaker_id": "ana",
                        "text": line_text(2 * index, words),
                    },
                    {
                        "type": "dialogue",
                        "id": f"l{index}b",
                        "speaker_id": "ben",
                        "text": line_text(2 * index + 1, words),
                    },
                ],
            }
        )
    script = {
        "schema_version": "1.0.0",
        "episode_id": "ep01",
        "characters": [{"speaker_id": "ana", "name": "Ana"}, {"speaker_id": "ben", "name": "Ben"}],
        "scenes": script_scenes,
    }
    return project, script


def run(project_dir: Path) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "sparkle_motion.cli", "run", str(project_dir), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"render failed: {done.stderr[-2000:]}")
    return elapsed, json.loads(done.stdout)


def floor(seconds: float, work: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            ffmpeg_exe(),
            "-y",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size={WIDTH}x{HEIGHT}:rate={FPS}",
            "-t",
            f"{seconds:.3f}",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "20",
            "-pix_fmt",
            "yuv420p",
            str(work / "floor.mp4"),
        ],
        check=True,
    )
    return time.perf_counter() - started


def clip_stats(summary_path: Path) -> tuple[int, int]:
    summary = json.loads(summary_path.read_text())
    clips = next(s for s in summary["stages"] if s["stage"] == "clips")
    return clips["cache_hits"], clips["cache_misses"]


def stage_times(report: dict[str, Any]) -> str:
    """The slower stages of a run and their wall times, for seeing where time goes."""
    summary = json.loads(Path(report["outputs"]["run_summary"]).read_text())
    slow = [s for s in summary["stages"] if s["wall_seconds"] >= 0.1]
    return ", ".join(f"{s['stage']} {s['wall_seconds']:.1f}" for s in slow)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--shots", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sparkle-bench-") as tmp:
        work = Path(tmp)
        project_dir = work / "show"
        (project_dir / "episodes").mkdir(parents=True)
        project, script = episode(args.minutes, args.shots)
        (project_dir / "project.yaml").write_text(yaml.safe_dump(project))
        script_path = project_dir / "episodes" / "ep01.script.json"
        script_path.write_text(json.dumps(script))

        full, report = run(project_dir)
        output = json.loads(Path(report["outputs"]["render_output"]).read_text())
        duration = output["duration_seconds"]
        shotlist = Path(report["outputs"]["render_output"]).with_name("shotlist.json")
        shot_count = len(json.loads(shotlist.read_text())["shots"])
        base = floor(duration, work)

        script["scenes"][0]["elements"][1]["text"] += " Nobody listened."
        script_path.write_text(json.dumps(script))
        again, second = run(project_dir)
        hits, misses = clip_stats(Path(second["outputs"]["run_summary"]))
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        stages_full, stages_again = stage_times(report), stage_times(second)

    print(f"episode: {shot_count} shots, {duration:.1f} s at {WIDTH}x{HEIGHT}/{FPS} fps")
    print(f"full render:             {full:8.1f} s")
    print(f"floor (testsrc2 + x264): {base:8.1f} s")
    print(f"ratio full / floor:      {full / base:8.3f}   (target <= 1.5)")
    print(f"one-line re-render:      {again:8.1f} s")
    print(f"ratio re-render / full:  {again / full:8.3f}   (target <= 0.15)")
    print(
        f"clips from cache:        {hits}/{hits + misses} = {hits / max(1, hits + misses):.0%}"
        "   (target >= 90 %)"
    )
    print(f"peak memory (one process): {peak_mib:6.0f} MiB   (target < 1024 MiB)")
    print(f"full render stages (s): {stages_full}")
    print(f"re-render stages (s):   {stages_again}")


if __name__ == "__main__":
    main()
