"""How fast the command line starts, against a bare ``import typer, rich`` in the same run.

Prints the median wall time, over several runs after warm-ups, of

- ``python -c "import typer, rich"``: the least any Typer command line costs;
- ``sparkle-motion --help``, and its ratio to that bare import;
- ``sparkle-motion canon check PROJECT --script FILE`` end to end on a
  generated project whose canon holds 10,000 facts (characters, locations,
  objects, world rules, relationships, timeline events, persistent states, a
  calendar) and a 40-scene script that passes the gate, and its ratio to the
  bare import. The first check also brings canon.json into the project's
  store; it is shown apart.

The command line is the console script installed beside this interpreter
(``--module``: ``python -m sparkle_motion.cli``). The registry is the default
SQLite one under ``.sparkle/`` (``SPARKLE_DATABASE_URL`` is not passed on).

    python benchmarks/cli_start.py [--repeats 15] [--check-repeats 5] [--facts 10000]

Targets: ``--help`` <= 2.0 x the bare import; ``canon check`` < 1.0 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from sparkle_motion.canon.facts import count_facts
from sparkle_motion.schemas import Canon

BARE = [sys.executable, "-c", "import typer, rich"]
HELP_TARGET = 2.0
CHECK_TARGET = 1.0
SCENES = 40
EPISODE = 9  # the script's episode: later than every event the canon holds


def cli_command(module: bool) -> tuple[list[str], str]:
    """The command that starts the CLI, and how to name it in the output."""
    script = Path(sysconfig.get_path("scripts")) / "sparkle-motion"
    if module or not script.is_file():
        return [sys.executable, "-m", "sparkle_motion.cli"], "python -m sparkle_motion.cli"
    return [str(script)], f"{script} (the installed console script)"


def canon_document(characters: int, filler_states: int) -> dict[str, Any]:
    """A canon of ``characters`` people and a world around them, the same every time.

    Every tenth character is dead, and the world rules keep some of the last
    fifth out of places; :func:`script_document` casts from the first four fifths,
    alive, so its script contradicts nothing and the check runs to the end.
    """
    people = [f"p{i:04d}" for i in range(characters)]
    places = [f"place-{i:03d}" for i in range(max(12, characters // 5))]
    return {
        "schema_version": "1.0.0",
        "characters": [
            {
                "id": who,
                "name": f"Person {i}",
                "aliases": [f"P{i}", f"Nick {i}"],
                "birth_date": f"{1940 + i % 70}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "status": "dead" if i % 10 == 9 else "alive",
                "died_at": {"episode": 1 + i % 4, "scene": 1 + i % 6} if i % 10 == 9 else None,
                "description": f"Character number {i}, who keeps the {i % 7}th ledger.",
                "whereabouts": [
                    {
                        "at": {"episode": 1 + n, "scene": 1 + i % 8},
                        "location": places[i % len(places)],
                    }
                    for n in range(2)
                ],
            }
            for i, who in enumerate(people)
        ],
        "locations": [
            {"id": p, "name": f"Place {i}", "aliases": [f"Spot {i}"], "description": "Out there."}
            for i, p in enumerate(places)
        ],
        "objects": [
            {
                "id": f"thing-{i:03d}",
                "name": f"Thing {i}",
                "owner": people[(i * 3) % characters],
                "location": places[i % len(places)],
                "status": "broken" if i % 9 == 0 else "intact",
            }
            for i in range(characters // 2)
        ],
        "relationships": [
            {
                "a": people[i % characters],
                "b": people[(i * 11 + 5) % characters],
                "kind": ("sibling", "rival", "friend", "mentor")[i % 4],
            }
            for i in range(characters * 2)
        ],
        "timeline_events": [
            {
                "id": f"event-{i:04d}",
                "at": {"episode": 1 + i % 7, "scene": 1 + i % 10},
                "kind": ("meeting", "quarrel", "voyage")[i % 3],
                "subjects": [people[i % characters], people[(i + 7) % characters]],
                "description": "It happened.",
            }
            for i in range(characters)
        ],
        "persistent_states": [
            {"subject": people[i % characters], "key": f"trait-{i // characters}", "value": i}
            for i in range(filler_states)
        ],
        "world_rules": [
            {"id": "no-flight", "text": "Nobody flies.", "forbids": "event", "event": "fly"},
            *(
                {
                    "id": f"keep-out-{i}",
                    "text": f"{people[-1 - i]} never enters {places[-1 - i % len(places)]}.",
                    "forbids": "presence",
                    "subjects": [people[-1 - i]],
                    "location": places[-1 - i % len(places)],
                }
                for i in range(min(30, characters // 5))
            ),
        ],
        "calendar": [{"at": {"episode": e}, "date": f"2031-{e:02d}-01"} for e in range(1, 9)],
    }


def generated_canon(facts: int) -> tuple[dict[str, Any], int]:
    """A canon document of ``facts`` facts (as the gate counts them), and the count it has.

    The people and their world make up most of it; persistent states, one fact
    each, make up the rest.
    """
    characters = max(40, facts // 16)
    base = count_facts(Canon.model_validate(canon_document(characters, 0)))
    document = canon_document(characters, max(0, facts - base))
    return document, count_facts(Canon.model_validate(document))


def script_document(characters: int) -> dict[str, Any]:
    """A script whose cast is alive, stays out of forbidden places and claims new things."""
    cast = [f"p{i:04d}" for i in range(0, characters * 4 // 5, 7) if i % 10 != 9][:24]
    scenes: list[dict[str, Any]] = []
    for s in range(SCENES):
        who = [cast[(s + k) % len(cast)] for k in range(3)]
        elements: list[dict[str, Any]] = [
            {"type": "action", "id": f"s{s}a", "text": "The lamps come on.", "characters": who[:1]}
        ]
        elements += [
            {"type": "dialogue", "id": f"s{s}l{n}", "speaker_id": who[n % 3], "text": "Onward."}
            for n in range(6)
        ]
        scenes.append(
            {
                "id": f"s{s}",
                "location": f"Place {s % 12}",
                "location_id": f"place-{s % 12:03d}",
                "time_of_day": ("day", "dusk", "night")[s % 3],
                "present": who,
                "claims": [
                    {"kind": "state", "subject": who[0], "key": "mood", "value": f"mood {s}"},
                    {"kind": "event", "event": "meeting", "subject": who[1], "objects": [who[2]]},
                ],
                "elements": elements,
            }
        )
    return {
        "schema_version": "1.0.0",
        "episode_id": f"ep{EPISODE:02d}",
        "characters": [{"speaker_id": c, "name": f"Person {int(c[1:])}"} for c in cast],
        "scenes": scenes,
    }


def write_project(root: Path, facts: int) -> tuple[Path, int, int]:
    """The project folder; returns the script's path, the canon's facts and its JSON size."""
    document, counted = generated_canon(facts)
    characters = len(document["characters"])
    (root / "episodes").mkdir(parents=True)
    project = {
        "schema_version": "1.0.0",
        "title": "Start-up benchmark",
        "target_duration": 60,
        "seed": 12,
        "render_profiles": ["preview_small"],
        "human_checkpoints": {"approve_canon_diff": False, "approve_shotlist_timing_lock": False},
    }
    (root / "project.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    canon_text = json.dumps(document, indent=2)
    (root / "canon.json").write_text(canon_text)
    script = root / "episodes" / f"ep{EPISODE:02d}.script.json"
    script.write_text(json.dumps(script_document(characters), indent=2))
    return script, counted, len(canon_text.encode("utf-8"))


def wall(command: list[str], env: dict[str, str]) -> float:
    """Seconds from start to exit; a failing command stops the benchmark with its stderr."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace")[-2000:]
        raise SystemExit(f"{shlex.join(command)} exited {done.returncode}:\n{tail}")
    return elapsed


def medians(
    commands: list[list[str]], env: dict[str, str], repeats: int, warmups: int
) -> list[float]:
    """Each command's median wall time; the commands take turns, so drift hits all alike."""
    for _ in range(warmups):
        for command in commands:
            wall(command, env)
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(repeats):
        for command, measured in zip(commands, times, strict=True):
            measured.append(wall(command, env))
    return [statistics.median(measured) for measured in times]


def row(label: str, value: float, unit: str, target: str = "", met: bool = True) -> None:
    """One line of the table: what, its value and, if it has one, its target and verdict."""
    line = f"{label:<42}{value:8.3f} {unit}"
    if target:
        line += f"   (target {target}) {'met' if met else 'NOT met'}"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="timed runs of the quick commands")
    parser.add_argument("--check-repeats", type=int, default=5, help="timed runs of canon check")
    parser.add_argument("--warmups", type=int, default=2)
    parser.add_argument("--facts", type=int, default=10_000, help="facts in the generated canon")
    parser.add_argument(
        "--module", action="store_true", help="run python -m sparkle_motion.cli, not the script"
    )
    args = parser.parse_args()
    cli, cli_name = cli_command(args.module)
    env = {k: v for k, v in os.environ.items() if k != "SPARKLE_DATABASE_URL"}

    bare, help_ = medians([BARE, [*cli, "--help"]], env, args.repeats, args.warmups)
    with tempfile.TemporaryDirectory(prefix="sparkle-cli-bench-") as tmp:
        project = Path(tmp) / "show"
        script, facts, canon_bytes = write_project(project, args.facts)
        check = [*cli, "canon", "check", str(project), "--script", str(script)]
        first = wall(check, env)
        (checked,) = medians([check], env, args.check_repeats, max(0, args.warmups - 1))

    ratio, check_ratio = help_ / bare, checked / bare
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"command line: {cli_name}")
    print(f"medians of {args.repeats} runs ({args.check_repeats} for canon check)")
    print(f"canon: {facts} facts ({canon_bytes / 1e6:.1f} MB canon.json); script: {SCENES} scenes")
    row('bare `python -c "import typer, rich"`', bare, "s")
    row("`sparkle-motion --help`", help_, "s")
    row("ratio --help / bare", ratio, "x", f"<= {HELP_TARGET}", ratio <= HELP_TARGET)
    row("`canon check`, first (fills the store)", first, "s")
    row("`canon check`", checked, "s", f"< {CHECK_TARGET} s", checked < CHECK_TARGET)
    row("ratio canon check / bare", check_ratio, "x")


if __name__ == "__main__":
    main()
