"""Which canon in a shared database is a project's: the key every canon row carries.

A project's key is its ``id`` (``project.yaml``), so a show keeps its canon
when its title changes, and two shows of the same title in one database keep
theirs apart. Projects made before projects had ids were keyed by their
title; such a project keeps that key until it gets an id, when its canon is
carried over (``canon.carry_over``). The id a project without one gets is made
from its title alone, so every copy of that project (a clone on another
machine sharing the database) arrives at the same id and the same canon.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from sparkle_motion.schemas import Project

__all__ = ["canon_key", "id_from_title", "new_project_id", "tenant_project_id", "title_key"]

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_SLUG_LENGTH = 40


def _slug(title: str) -> str:
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", plain.lower()).strip("-")
    return slug[:_SLUG_LENGTH].rstrip("-") or "show"


def title_key(title: str) -> str:
    """The key of a project that has no id: its title, as canon rows were keyed before ids."""
    return title.strip()[:200]


def canon_key(project: Project) -> str:
    return project.id or title_key(project.title)


def new_project_id(title: str, token: str) -> str:
    """A fresh id for a new project: its title's slug and a random ``token`` (hex)."""
    return f"{_slug(title)}-{token}"


def id_from_title(title: str) -> str:
    """The id a project made before ids gets: the same for every copy of that project."""
    digest = hashlib.sha256(title_key(title).encode("utf-8")).hexdigest()[:8]
    return f"{_slug(title)}-{digest}"


def tenant_project_id(tenant_id: str, project_id: str) -> str:
    """A service project's id: tenant and project, so two tenants never share a canon.

    Neither part may hold a ``.``, so the pair can be read back from the id.
    """
    return f"{tenant_id}.{project_id}"
