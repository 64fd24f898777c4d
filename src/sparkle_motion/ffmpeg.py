"""The one way Sparkle Motion runs ffmpeg.

The binary comes from ``SPARKLE_FFMPEG`` when set, else from the
``imageio-ffmpeg`` wheel. Commands are argument lists, never shell strings;
a failure raises :class:`MediaError` carrying the command and the tail of
stderr; every process is reaped, including on errors and interrupts.
"""

from __future__ import annotations

import contextlib
import functools
import os
import subprocess
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, cast

from sparkle_motion.errors import MediaError

__all__ = [
    "BITEXACT_OUTPUT",
    "FFMPEG_ENV",
    "ffmpeg_exe",
    "ffmpeg_version",
    "run_ffmpeg",
    "stream_to_ffmpeg",
]

FFMPEG_ENV = "SPARKLE_FFMPEG"

# Flags that keep an output file identical for identical inputs: no encoder
# version strings, no creation time, no metadata carried from inputs.
BITEXACT_OUTPUT: tuple[str, ...] = (
    "-map_metadata",
    "-1",
    "-fflags",
    "+bitexact",
    "-flags:v",
    "+bitexact",
    "-flags:a",
    "+bitexact",
)

_STDERR_TAIL = 2000
_REAP_TIMEOUT = 30.0  # seconds a process that stopped reading gets to exit


@functools.cache
def _resolve(override: str | None) -> str:
    if override:
        if not Path(override).is_file():
            raise MediaError(
                f"{FFMPEG_ENV} points to {override!r}, which is not a file",
                hint=f"unset {FFMPEG_ENV} to use the ffmpeg bundled with imageio-ffmpeg",
            )
        return override
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary in use."""
    return _resolve(os.environ.get(FFMPEG_ENV) or None)


@functools.cache
def ffmpeg_version() -> str:
    """First line of ``ffmpeg -version``; part of every media cache key."""
    out = run_ffmpeg(["-version"], quiet=False)
    return out.stdout.decode("utf-8", "replace").splitlines()[0].strip()


def _command(args: Sequence[str], quiet: bool) -> list[str]:
    head = [ffmpeg_exe(), "-nostdin"]
    if quiet:
        head += ["-hide_banner", "-loglevel", "error", "-y"]
    return head + list(args)


def _failure(cmd: Sequence[str], returncode: int, stderr: bytes) -> MediaError:
    tail = stderr.decode("utf-8", "replace")[-_STDERR_TAIL:].strip()
    return MediaError(
        f"ffmpeg exited with {returncode}: {tail or 'no message'}",
        where=" ".join(cmd),
    )


def run_ffmpeg(
    args: Sequence[str],
    *,
    quiet: bool = True,
    cwd: Path | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run ffmpeg to completion; raise :class:`MediaError` on a non-zero exit."""
    cmd = _command(args, quiet)
    try:
        proc = subprocess.run(cmd, capture_output=True, cwd=cwd, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise MediaError(f"ffmpeg did not finish within {timeout} s", where=" ".join(cmd)) from exc
    except OSError as exc:
        raise MediaError(f"cannot start ffmpeg: {exc}", where=cmd[0]) from exc
    if proc.returncode != 0:
        raise _failure(cmd, proc.returncode, proc.stderr)
    return proc


class _StderrTail:
    """Drain a pipe in a thread, keeping only its tail.

    Reading stderr while we write stdin keeps ffmpeg from blocking on a full
    stderr pipe (which would deadlock both processes).
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._buffer = bytearray()
        self._thread = threading.Thread(target=self._drain, name="ffmpeg-stderr", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        for chunk in iter(lambda: self._stream.read(4096), b""):
            self._buffer += chunk
            if len(self._buffer) > 4 * _STDERR_TAIL:
                del self._buffer[: -2 * _STDERR_TAIL]

    def finish(self) -> bytes:
        self._thread.join()
        self._stream.close()
        return bytes(self._buffer)


def _close_quietly(stream: IO[bytes]) -> None:
    with contextlib.suppress(OSError):  # flushing into a pipe whose reader is gone
        stream.close()


def _reap(proc: subprocess.Popen[bytes]) -> int:
    try:
        return proc.wait(timeout=_REAP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


@contextlib.contextmanager
def stream_to_ffmpeg(
    args: Sequence[str], *, cwd: Path | None = None, log: list[bytes] | None = None
) -> Iterator[IO[bytes]]:
    """Yield ffmpeg's stdin for raw input (``-i pipe:0`` in ``args``).

    Leaving the block closes stdin and waits; a non-zero exit raises
    :class:`MediaError`. If ffmpeg stops reading (it died, or it needed less
    input than it was given), the resulting ``BrokenPipeError`` becomes a
    :class:`MediaError` carrying ffmpeg's stderr. Any other exception inside
    the block kills the process and propagates. On success the tail of
    ffmpeg's stderr is appended to ``log`` when one is given (for what a
    filter prints at the end, such as ``ebur128``'s summary).
    """
    cmd = _command(args, quiet=True)
    try:
        proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd
        )
    except OSError as exc:
        raise MediaError(f"cannot start ffmpeg: {exc}", where=cmd[0]) from exc
    # Both are set: they were asked for with PIPE.
    stdin, stderr = cast(IO[bytes], proc.stdin), _StderrTail(cast(IO[bytes], proc.stderr))
    broken_pipe: BrokenPipeError | None = None
    try:
        try:
            yield stdin
            stdin.close()
        except BrokenPipeError as exc:
            broken_pipe = exc
        returncode = _reap(proc) if broken_pipe is not None else proc.wait()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        _close_quietly(stdin)
        tail = stderr.finish()
    if broken_pipe is not None:
        if returncode == 0:
            raise MediaError(
                "ffmpeg stopped reading its input before all of it was written",
                where=" ".join(cmd),
                hint="write no more input than the command reads; check -frames:v and -t",
            ) from broken_pipe
        raise _failure(cmd, returncode, tail) from broken_pipe
    if returncode != 0:
        raise _failure(cmd, returncode, tail)
    if log is not None:
        log.append(tail)
