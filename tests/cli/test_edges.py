"""The command line at its edges: a reader that leaves, a crash, a wrong profile name."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sparkle_motion.cli import main
from sparkle_motion.commands.edges import STATE_DIR_VARIABLE, state_dir
from sparkle_motion.pipeline.project_folder import STATE_DIR
from sparkle_motion.schemas.project import builtin_profiles
from tests.conftest import ProjectFactory, tiny_project_config

FOUNTAIN = "\n".join(
    f"INT. ROOM {n} - DAY\n\nThe lamp flickers.\n\nANN\nLine number {n}.\n" for n in range(400)
)

# Replaces load_settings with one that fails the way a bug would, then runs the CLI.
CRASHING = """
import sys
import sparkle_motion.settings

def broken(*args, **kwargs):
    raise {error}("the disk\\nis lava")

sparkle_motion.settings.load_settings = broken
from sparkle_motion.cli import entry
entry()
"""


@pytest.fixture(autouse=True)
def _sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPARKLE_DATABASE_URL", raising=False)


@pytest.fixture
def closed_pipe() -> Iterator[int]:
    """The write end of a pipe whose reader is already gone (``| head`` after its line)."""
    reader, writer = os.pipe()
    os.close(reader)
    yield writer
    os.close(writer)


def run_cli(args: list[str], *, stdout: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sparkle_motion.cli", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
    )


def crash(error: str, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CRASHING.format(error=error), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def crash_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SPARKLE_DATABASE_URL"}
    env[STATE_DIR_VARIABLE] = str(tmp_path / "state")
    return env


def logged_at(line: str) -> Path:
    found = re.search(r"the traceback is in (\S+\.log)\)$", line)
    assert found, line
    return Path(found.group(1))


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["--help"], id="help"),
        pytest.param(["runs", "list", "{project}"], id="runs-list-table"),
        pytest.param(["schemas", "export", "{tmp}/schemas"], id="schemas-export-last-line"),
        pytest.param(["script", "import", "{tmp}/ep01.fountain"], id="script-import-large"),
        pytest.param(["canon", "show", "{project}"], id="canon-show-table"),
        pytest.param(["canon", "history", "{project}"], id="canon-history-tables"),
    ],
)
def test_a_closed_pipe_exits_141_quietly(
    command: list[str], make_project: ProjectFactory, tmp_path: Path, closed_pipe: int
) -> None:
    (tmp_path / "ep01.fountain").write_text(FOUNTAIN)
    project = make_project(project=tiny_project_config(id="tiny"))  # nothing to tell on stderr
    values = {"project": str(project), "tmp": str(tmp_path)}
    done = run_cli([part.format(**values) for part in command], stdout=closed_pipe)
    assert (done.returncode, done.stderr) == (141, "")


def test_a_crash_is_one_line_with_the_traceback_in_the_project_log(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project()
    env = crash_env(tmp_path)
    done = crash("RuntimeError", ["artifacts", "show", "abcdef", "-p", str(root)], env)
    assert done.returncode == 1 and done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("error SM000: unexpected RuntimeError: the disk is lava (a bug; ")
    log = logged_at(line)
    assert log.parent == root / STATE_DIR / "logs"
    text = log.read_text()
    assert "command: sparkle-motion artifacts show abcdef -p " in text
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: the disk\nis lava" in text
    assert "in artifacts_show" in text


def test_without_a_project_the_log_goes_to_the_state_folder_and_crashes_never_share_one(
    tmp_path: Path,
) -> None:
    env = crash_env(tmp_path)
    logs = []
    for _ in range(2):
        done = crash("RuntimeError", ["config", "show"], env)
        [line] = done.stderr.splitlines()
        assert done.returncode == 1 and line.startswith("error SM000:")
        logs.append(logged_at(line))
    assert logs[0] != logs[1]
    assert {log.parent for log in logs} == {tmp_path / "state" / "logs"}
    assert all("RuntimeError: the disk" in log.read_text() for log in logs)


def test_a_broken_pipe_that_is_not_stdout_is_a_crash(tmp_path: Path) -> None:
    done = crash("BrokenPipeError", ["config", "show"], crash_env(tmp_path))
    [line] = done.stderr.splitlines()
    assert done.returncode == 1
    assert line.startswith("error SM000: unexpected BrokenPipeError: the disk is lava")
    assert logged_at(line).is_file()


def test_the_state_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(STATE_DIR_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert state_dir() == tmp_path / "sparkle-motion"
    monkeypatch.setenv("XDG_STATE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert state_dir() == tmp_path / "home" / ".local" / "state" / "sparkle-motion"
    monkeypatch.setenv(STATE_DIR_VARIABLE, str(tmp_path / "chosen"))
    assert state_dir() == tmp_path / "chosen"


def test_an_unknown_profile_is_one_line_naming_the_known_ones(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project()
    code = main(["run", str(root), "--profile", "cinema", "--dry-run"])
    captured = capsys.readouterr()
    [line] = captured.err.splitlines()
    assert code == 2
    assert line.startswith("error SM103: --profile: no render profile 'cinema'; known: ")
    assert all(name in line for name in builtin_profiles())


def test_a_usage_mistake_exits_2_with_the_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--no-such-option"]) == 2
    err = capsys.readouterr().err
    assert "Usage: sparkle-motion run" in err and "No such option: --no-such-option" in err
