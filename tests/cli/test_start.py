"""What starting the command line loads: the parser and the signatures, nothing heavy.

A property, not a timing: benchmarks/cli_start.py measures the time.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = (
    "pydantic",
    "sqlalchemy",
    "alembic",
    "numpy",
    "PIL",
    "yaml",
    "httpx",
    "typer.rich_utils",
    "sparkle_motion.schemas",
    "sparkle_motion.registry",
    "sparkle_motion.pipeline",
    "sparkle_motion.pipeline.runner",
    "sparkle_motion.canon.store",
    "sparkle_motion.service",
    "sparkle_motion.settings",
)
# Typer itself converts a subcommand's parameter values (even --help's) with
# pydantic, so below the top level pydantic is Typer's cost, not ours.
HEAVY_BELOW_THE_TOP = tuple(name for name in HEAVY if name != "pydantic")

LOADED = """
import contextlib, io, json, sys
{load}
heavy = sorted(name for name in {heavy!r} if name in sys.modules)
print(json.dumps({{"code": code, "heavy": heavy}}))
"""


def heavy_after(load: str, heavy: tuple[str, ...]) -> dict[str, object]:
    """The exit code and the heavy modules loaded after running ``load`` in a new interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", LOADED.format(load=load, heavy=heavy)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def help_of(args: list[str]) -> str:
    return (
        "from sparkle_motion.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = main({args!r})"
    )


def test_help_loads_nothing_heavy() -> None:
    assert heavy_after(help_of(["--help"]), HEAVY) == {"code": 0, "heavy": []}


@pytest.mark.parametrize(
    "args",
    [["runs", "--help"], ["canon", "check", "--help"], ["script", "import", "--help"]],
    ids=" ".join,
)
def test_a_command_s_help_loads_nothing_heavy_of_ours(args: list[str]) -> None:
    assert heavy_after(help_of(args), HEAVY_BELOW_THE_TOP) == {"code": 0, "heavy": []}


@pytest.mark.parametrize("module", ["script", "service", "edges"])
def test_the_command_modules_load_nothing_heavy(module: str) -> None:
    load = f"import sparkle_motion.commands.{module}\ncode = 0"
    assert heavy_after(load, HEAVY) == {"code": 0, "heavy": []}
