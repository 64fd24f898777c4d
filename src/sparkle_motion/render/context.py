"""What every step of the Video Engine works with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sparkle_motion.cache import BlobCache
from sparkle_motion.render.media import MediaSource, OutputStore
from sparkle_motion.render.package import RenderPackage
from sparkle_motion.schemas import RenderPlan, ShotList

__all__ = ["NULL_LOG", "NULL_PROGRESS", "Log", "Progress", "RenderContext", "never"]


class Progress(Protocol):
    """Progress of one step: how many items there are, and each one done."""

    def total(self, count: int) -> None: ...

    def advance(self, count: int = 1) -> None: ...

    def finish(self) -> None: ...


class Log(Protocol):
    def info(self, event: str, **fields: Any) -> Any: ...

    def warning(self, event: str, **fields: Any) -> Any: ...

    def error(self, event: str, **fields: Any) -> Any: ...


class _NullProgress:
    def total(self, count: int) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


class _NullLog:
    def info(self, event: str, **fields: Any) -> None:
        pass

    def warning(self, event: str, **fields: Any) -> None:
        pass

    def error(self, event: str, **fields: Any) -> None:
        pass


NULL_PROGRESS: Progress = _NullProgress()
NULL_LOG: Log = _NullLog()


def never() -> bool:
    return False


@dataclass
class RenderContext:
    """A package to render, where its files come from and go, and how to report.

    ``work_dir`` is scratch space the caller owns; ``cancelled`` is polled
    between shots, so a stop drops the work not yet started.
    """

    package: RenderPackage
    media: MediaSource
    cache: BlobCache
    store: OutputStore
    work_dir: Path
    progress: Progress = field(default=NULL_PROGRESS)
    log: Log = field(default=NULL_LOG)
    cancelled: Callable[[], bool] = never

    @property
    def shotlist(self) -> ShotList:
        return self.package.shotlist

    @property
    def plan(self) -> RenderPlan:
        return self.package.render_plan

    def scratch(self, name: str) -> Path:
        """A folder of the work dir for one step's files."""
        path = self.work_dir / name
        path.mkdir(parents=True, exist_ok=True)
        return path
