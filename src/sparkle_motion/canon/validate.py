"""Checks a canon must pass beyond its schema, each naming the JSON path it concerns.

The schema checks shapes; these check that the facts agree with each other:
a living character has no date of death, a birth date is a real date that
fits the stated age, the calendar runs forward, relationships join known
characters.
"""

from __future__ import annotations

import itertools
from datetime import date

from sparkle_motion.canon.time import age_range, birth_window, date_window, key_of
from sparkle_motion.errors import InvalidArtifact
from sparkle_motion.schemas import Canon

__all__ = ["canon_problems", "check_canon"]


def _real_date(text: str) -> bool:
    parts = text.split("-")
    try:
        date(
            int(parts[0]),
            int(parts[1]) if len(parts) > 1 else 1,
            int(parts[2]) if len(parts) > 2 else 1,
        )
    except ValueError:
        return False
    return True


def canon_problems(canon: Canon) -> list[tuple[str, str]]:
    """(JSON path, problem) pairs; empty when the canon is consistent."""
    problems: list[tuple[str, str]] = []
    for index, entry in enumerate(canon.calendar):
        if not _real_date(entry.date):
            problems.append((f"$.calendar[{index}].date", f"{entry.date!r} is not a real date"))
    if problems:
        return problems
    dated = sorted(canon.calendar, key=lambda e: (e.at.episode, e.at.scene or 0))
    for earlier, later in itertools.pairwise(dated):
        if later.date < earlier.date:
            index = canon.calendar.index(later)
            problems.append(
                (
                    f"$.calendar[{index}].date",
                    f"{later.date} comes before {earlier.date}, which is earlier in story time",
                )
            )
    known = {c.id for c in canon.characters}
    for index, character in enumerate(canon.characters):
        where = f"$.characters[{index}]"
        if character.status == "alive" and character.died_at is not None:
            problems.append(
                (f"{where}.died_at", f"{character.id} is alive but has a date of death")
            )
        if character.birth_date and not _real_date(character.birth_date):
            problems.append((f"{where}.birth_date", f"{character.birth_date!r} is not a real date"))
            continue
        if character.birth_date and character.age is not None:
            born = birth_window(character.birth_date, None, None, canon)
            at = key_of(character.age_at) or (1, 0)
            least, most = age_range(born, date_window(canon, at)) if born else (None, None)
            if (least is not None and character.age < least) or (
                most is not None and character.age > most
            ):
                problems.append(
                    (
                        f"{where}.age",
                        f"{character.id} is {character.age} but born {character.birth_date} "
                        f"makes them {least}" + (f"–{most}" if most != least else "") + " then",
                    )
                )
    for index, relation in enumerate(canon.relationships):
        for side in ("a", "b"):
            if getattr(relation, side) not in known:
                problems.append(
                    (
                        f"$.relationships[{index}].{side}",
                        f"{getattr(relation, side)!r} is not a canon character",
                    )
                )
    return problems


def check_canon(canon: Canon, source: str) -> None:
    """Raise InvalidArtifact for the first inconsistency, naming the file and JSON path."""
    problems = canon_problems(canon)
    if problems:
        path, problem = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InvalidArtifact(
            f"{path}: {problem}{more}", where=source, hint="fix the fact and import again"
        )
