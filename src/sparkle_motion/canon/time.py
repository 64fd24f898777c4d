"""Story time as comparable keys, and the in-world calendar.

A point in story time is ``(episode, scene)``; a scene index counts from 1 in
the order the episode's scenes are written, and a missing scene means the
start of the episode (scene 0), so ``died_at: {"episode": 3}`` covers all of
episode 3. A script scene sits at its own position unless it says otherwise
with ``story_time`` (a flashback, or a scene that happens meanwhile).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from sparkle_motion.schemas import Canon, Scene, StoryTime

__all__ = [
    "NOW",
    "DateWindow",
    "TimeKey",
    "age_range",
    "birth_window",
    "date_window",
    "describe",
    "episode_number",
    "key_of",
    "scene_time",
    "story_time",
]

TimeKey = tuple[int, int]
# An episode whose number is unknown happens after everything the canon knows.
NOW_EPISODE = 1_000_000
NOW: TimeKey = (NOW_EPISODE, 0)
DateWindow = tuple[date | None, date | None]

_TRAILING_NUMBER = re.compile(r"(\d+)$")


def episode_number(episode_id: str) -> int | None:
    """``ep03`` → 3; None when the id does not end in a number."""
    match = _TRAILING_NUMBER.search(episode_id)
    return int(match.group(1)) if match else None


def key_of(at: StoryTime | None) -> TimeKey | None:
    return None if at is None else (at.episode, at.scene or 0)


def story_time(key: TimeKey) -> StoryTime | None:
    if key[0] >= NOW_EPISODE:
        return None
    return StoryTime(episode=key[0], scene=key[1] or None)


def scene_time(scene: Scene, position: int, episode: int | None) -> tuple[TimeKey, bool]:
    """The scene's story time and whether the script set it explicitly."""
    explicit = key_of(scene.story_time)
    if explicit is not None:
        return explicit, True
    return ((episode if episode is not None else NOW_EPISODE), position), False


def describe(key: TimeKey | None) -> str:
    if key is None:
        return "an unknown time"
    if key[0] >= NOW_EPISODE:
        return "this episode"
    return f"episode {key[0]}" + (f" scene {key[1]}" if key[1] else "")


def _parse(text: str) -> date:
    return date.fromisoformat(text)


def date_window(canon: Canon, key: TimeKey) -> DateWindow:
    """The calendar dates between which ``key`` falls (None: unbounded on that side)."""
    lower: tuple[TimeKey, date] | None = None
    upper: tuple[TimeKey, date] | None = None
    for entry in canon.calendar:
        at = (entry.at.episode, entry.at.scene or 0)
        day = _parse(entry.date)
        if at <= key and (lower is None or at >= lower[0]):
            lower = (at, day)
        if at >= key and (upper is None or at <= upper[0]):
            upper = (at, day)
    return (lower[1] if lower else None), (upper[1] if upper else None)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def birth_window(
    birth_date: str | None, age: int | None, age_at: TimeKey | None, canon: Canon
) -> DateWindow | None:
    """Earliest and latest possible birthday, from a birth date or an age at a dated time."""
    if birth_date:
        parts = [int(p) for p in birth_date.split("-")]
        if len(parts) == 3:
            day = date(parts[0], parts[1], parts[2])
            return day, day
        if len(parts) == 2:
            first = date(parts[0], parts[1], 1)
            following = date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
            return first, following - timedelta(days=1)
        return date(parts[0], 1, 1), date(parts[0], 12, 31)
    if age is None:
        return None
    low, high = date_window(canon, age_at or (1, 0))
    if low is None or high is None or low != high:
        return None  # the age is not tied to one known date
    return _years_before(low, age + 1) + timedelta(days=1), _years_before(low, age)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_range(born: DateWindow, on: DateWindow) -> tuple[int | None, int | None]:
    """Least and greatest age someone born in ``born`` can have in ``on`` (None: unbounded)."""
    earliest_birth, latest_birth = born
    first_day, last_day = on
    least = _age(latest_birth, first_day) if latest_birth and first_day else None
    most = _age(earliest_birth, last_day) if earliest_birth and last_day else None
    return least, most
