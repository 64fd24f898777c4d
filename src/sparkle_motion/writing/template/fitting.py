"""Fitting a template episode to its target length. Pure.

The length is estimated the way the shot planner will time the script, after
every change: while the episode runs long, colour goes first, then everything
is said the short way, then the least needed beats go; while it runs short,
banter in each character's register comes in, part by part.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from sparkle_motion.schemas import CardSettings, Script, TimingSettings
from sparkle_motion.writing.estimate import estimate_seconds
from sparkle_motion.writing.template.parts import Item, Part, PartWriter

__all__ = ["fit_to_target"]

_MAX_FILL_STEPS = 400


def fit_to_target(
    writer: PartWriter,
    groups: list[list[Part]],
    build: Callable[[], Script],
    target: float,
    timing: TimingSettings,
    cards: CardSettings | None,
) -> Script:
    """Fit the episode to ``target`` seconds, keeping the closest length.

    While long: drop flavour (drop order 4 and 5), then say everything the
    short way, then drop story in drop order. While short: add banter, part
    by part.
    """
    items = [item for group in groups for part in group for item in reversed(part.core)]
    flavour = sorted((i for i in items if i.drop_order >= 4), key=lambda i: -i.drop_order)
    story = sorted((i for i in items if 0 < i.drop_order < 4), key=lambda i: -i.drop_order)

    def drop(item: Item) -> None:
        item.kept = False

    def shorten(item: Item) -> None:
        item.short = True

    reductions: list[Callable[[], None]] = [
        *(partial(drop, i) for i in flavour),
        *(partial(shorten, i) for i in reversed(items)),
        *(partial(drop, i) for i in story),
    ]
    script = build()
    length = estimate_seconds(script, timing, cards)
    for reduce in reductions:
        if length <= target:
            break
        reduce()
        script = build()
        length = estimate_seconds(script, timing, cards)
    parts = [part for group in groups for part in group]
    streams = {id(part): writer.fillers(part) for part in parts}
    step = 0
    while length < target and step < _MAX_FILL_STEPS:
        part = parts[step % len(parts)]
        part.fillers.append(next(streams[id(part)]))
        longer = build()
        longer_length = estimate_seconds(longer, timing, cards)
        if longer_length >= target and longer_length - target > target - length:
            part.fillers.pop()
            break
        script, length = longer, longer_length
        step += 1
    return script
