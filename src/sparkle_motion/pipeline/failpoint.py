"""A test hook: the process kills itself inside a stage, as a crash or a power cut would.

``SPARKLE_FAILPOINT=stage`` sends SIGKILL when that stage begins;
``stage:n`` after it reported ``n`` items done. Tests use it to show that a
killed run loses nothing and resumes.
"""

from __future__ import annotations

import os
import signal

from sparkle_motion.render.context import Progress

__all__ = ["FAILPOINT_ENV", "Failpoint"]

FAILPOINT_ENV = "SPARKLE_FAILPOINT"


class Failpoint:
    """Test hook: SIGKILL this process inside a stage (``stage`` or ``stage:n``)."""

    def __init__(self, spec: str | None, stage: str, inner: Progress) -> None:
        name, _, count = (spec or "").partition(":")
        self.armed = name == stage
        self.after = int(count or 0)
        self.inner = inner
        self.seen = 0

    def fire_if_due(self) -> None:
        if self.armed and self.seen >= self.after:
            os.kill(os.getpid(), signal.SIGKILL)

    def total(self, count: int) -> None:
        self.inner.total(count)

    def advance(self, count: int = 1) -> None:
        self.inner.advance(count)
        self.seen += count
        self.fire_if_due()

    def finish(self) -> None:
        self.inner.finish()
