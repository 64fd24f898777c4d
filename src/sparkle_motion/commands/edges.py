"""What every command of the ``sparkle-motion`` CLI shares at its edges.

Kept light, because the CLI imports it at start: the console that prints to
standard output, telling a reader that left (``| head``) from a broken pipe to
some other process, and the log file a crash leaves its traceback in.
:func:`sparkle_motion.cli.main` decides what each of them means for the exit
status.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import shlex
import sys
import tempfile
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sparkle_motion import __version__

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "STATE_DIR_VARIABLE",
    "silence_stdout",
    "state_dir",
    "stdout_console",
    "stdout_reader_gone",
    "write_crash_log",
]

STATE_DIR_VARIABLE = "SPARKLE_STATE_DIR"
# pipeline.project_folder.STATE_DIR, spelled out so that a crash inside the
# pipeline's own imports can still be logged into the project.
_PROJECT_STATE = ".sparkle"


def stdout_console() -> Console:
    """The Rich console a command prints its tables to standard output with.

    Rich meets a closed pipe by pointing stdout at devnull and exiting 1,
    which hides from :func:`sparkle_motion.cli.main` that the reader left;
    this console lets the error through, so the command exits 141 as any
    other write to a closed pipe does.
    """
    from rich.console import Console

    class _PipeAwareConsole(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError(errno.EPIPE, "the reader of standard output has gone")

    return _PipeAwareConsole()


def stdout_reader_gone() -> bool:
    """Whether standard output is a pipe nobody reads any more (not a pipe to ffmpeg)."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    if not hasattr(select, "poll"):
        return False
    poller = select.poll()
    poller.register(descriptor, select.POLLOUT)
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


def silence_stdout() -> None:
    """Point standard output at devnull, for a program whose reader has gone.

    What is still buffered would be flushed into the closed pipe at exit and
    reported as "Exception ignored"; devnull takes it instead.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


def state_dir() -> Path:
    """Where the command line keeps its own files: crash logs outside any project."""
    override = os.environ.get(STATE_DIR_VARIABLE)
    if override:
        return Path(override)
    xdg = Path(os.environ.get("XDG_STATE_HOME", ""))
    base = xdg if xdg.is_absolute() else Path.home() / ".local" / "state"
    return base / "sparkle-motion"


def _projects_named(args: list[str]) -> Iterator[Path]:
    for arg in args:
        value = arg.split("=", 1)[1] if arg.startswith("--") and "=" in arg else arg
        if value and (Path(value) / "project.yaml").is_file():
            yield Path(value)


def _crash_log_folders(args: list[str]) -> list[Path]:
    """The project named on the command line, if any, then the state folder."""
    folders = [root / _PROJECT_STATE / "logs" for root in _projects_named(args)][:1]
    with contextlib.suppress(RuntimeError):  # no home folder to put it in
        folders.append(state_dir() / "logs")
    return folders


def _crash_report(exc: BaseException, command: list[str], moment: datetime) -> str:
    return "".join(
        [
            f"sparkle-motion {__version__} crashed at {moment.isoformat(timespec='seconds')}\n",
            f"command: {shlex.join(command)}\n",
            f"python {sys.version.split()[0]} on {sys.platform}\n\n",
            *traceback.format_exception(exc),
        ]
    )


def write_crash_log(exc: BaseException, command: list[str]) -> Path | OSError:
    """A new log file holding ``exc``'s traceback, or why none could be written.

    ``command`` is the whole command line, the program's name first.
    """
    moment = datetime.now(UTC)
    report = _crash_report(exc, command, moment)
    failure = OSError("no folder to write a log into")
    for folder in _crash_log_folders(command[1:]):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # mkstemp never reuses a name, so two crashes in one second both keep their log.
            handle, name = tempfile.mkstemp(
                prefix=f"crash-{moment:%Y%m%dT%H%M%SZ}-", suffix=".log", dir=folder
            )
            with os.fdopen(handle, "w", encoding="utf-8") as log:
                log.write(report)
        except OSError as error:
            failure = error
            continue
        return Path(name).absolute()
    return failure
