"""Reading the YAML the writing layer is handed, with problems that point at the place.

An idea file a creator wrote and the template writer's own word tables are
both YAML checked by pydantic; a slip in either is reported the same way:
the file (and line, for broken YAML), then each field's ``$.path`` and what
is wrong with it.
"""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import ValidationError

from sparkle_motion.errors import InvalidArtifact

__all__ = ["load_yaml", "validation_problems"]


def load_yaml(data: bytes, source: str) -> Any:
    """The document in ``data``; text that is not UTF-8 or not YAML names its line."""
    try:
        return yaml.safe_load(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InvalidArtifact(f"not UTF-8 text: {exc.reason}", where=source) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        raise InvalidArtifact(
            f"not valid YAML: {getattr(exc, 'problem', exc)}", where=where
        ) from None


def validation_problems(exc: ValidationError, limit: int = 8) -> list[str]:
    """Up to ``limit`` of pydantic's complaints, each as ``$.path: what is wrong``."""
    problems = []
    for error in exc.errors(include_url=False)[:limit]:
        path = "$" + "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"]
        )
        message = error["msg"]  # lower the first letter only: quoted text keeps its case
        problems.append(f"{path}: {message[:1].lower()}{message[1:]}")
    return problems
