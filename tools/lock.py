"""Write requirements.lock: exact versions of every installed dependency of sparkle-motion[dev].

Run after `python -m pip install -e ".[dev]"`; CI installs with `-c requirements.lock`.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata

from packaging.markers import default_environment
from packaging.requirements import Requirement


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def closure(root: str, extras: set[str]) -> dict[str, str]:
    env = default_environment()
    pinned: dict[str, str] = {}
    todo: list[tuple[str, set[str]]] = [(root, extras)]
    while todo:
        name, wanted = todo.pop()
        dist = metadata.distribution(name)
        for spec in dist.requires or []:
            req = Requirement(spec)
            if req.marker and not any(
                req.marker.evaluate({**env, "extra": extra}) for extra in (wanted or {""})
            ):
                continue
            key = _name(req.name)
            if key in pinned:
                continue
            pinned[key] = metadata.version(req.name)
            todo.append((req.name, set(req.extras)))
    return pinned


if __name__ == "__main__":
    versions = closure("sparkle-motion", {"dev"})
    versions.pop("sparkle-motion", None)  # its own extras (dev takes fleet), not a pin
    lines = [f"{name}=={version}" for name, version in sorted(versions.items())]
    header = "# Exact versions CI installs (python tools/lock.py > requirements.lock)\n"
    sys.stdout.write(header + "\n".join(lines) + "\n")
