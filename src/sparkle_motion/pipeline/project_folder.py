"""Reading a creator's project folder: project.yaml, canon.json, episodes/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from sparkle_motion.errors import InvalidArtifact, MissingInput, ProjectError
from sparkle_motion.schemas import Canon, Project
from sparkle_motion.writing.sources import episode_ids_of

__all__ = ["STATE_DIR", "ProjectFolder", "load_project"]

STATE_DIR = ".sparkle"


@dataclass(frozen=True)
class ProjectFolder:
    root: Path
    project: Project
    canon: Canon
    episodes: dict[str, Path]

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    def episode(self, episode_id: str | None) -> tuple[str, Path]:
        if not self.episodes:
            raise MissingInput(
                "the project has no episodes",
                where=str(self.root / "episodes"),
                hint="add episodes/ep01.script.json",
            )
        if episode_id is None:
            first = sorted(self.episodes)[0]
            return first, self.episodes[first]
        if episode_id not in self.episodes:
            raise MissingInput(
                f"no episode {episode_id!r}; the project has {', '.join(sorted(self.episodes))}",
                where=str(self.root / "episodes"),
            )
        return episode_id, self.episodes[episode_id]


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise InvalidArtifact(
            f"not valid YAML: {getattr(exc, 'problem', exc)}", where=where
        ) from None
    except UnicodeDecodeError as exc:
        raise InvalidArtifact(f"not UTF-8 text: {exc.reason}", where=str(path)) from None


def _read_canon(path: Path) -> Canon:
    if not path.is_file():
        return Canon.new()
    return Canon.from_json(path.read_bytes(), source=str(path))


def load_project(root: Path) -> ProjectFolder:
    root = root.resolve()
    if not root.is_dir():
        raise ProjectError(
            "no such project folder",
            where=str(root),
            hint="create one with: sparkle-motion init DIR",
        )
    config = root / "project.yaml"
    if not config.is_file():
        raise ProjectError(
            "the folder has no project.yaml",
            where=str(root),
            hint=f"create one with: sparkle-motion init {root}",
        )
    project = Project.from_data(_read_yaml(config), source=str(config))
    episodes: dict[str, Path] = {}
    declared: dict[str, Path] = {}  # later episodes of an idea; a file of their own wins
    folder = root / "episodes"
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            ids = episode_ids_of(path) if path.is_file() else []
            if not ids:
                continue
            episode_id = ids[0]
            for later in ids[1:]:
                declared.setdefault(later, path)
            if episode_id in episodes:
                raise ProjectError(
                    f"episode {episode_id!r} has two sources: {episodes[episode_id].name} "
                    f"and {path.name}",
                    where=str(folder),
                    hint="keep one file per episode",
                )
            episodes[episode_id] = path
    for episode_id, path in declared.items():
        episodes.setdefault(episode_id, path)
    return ProjectFolder(
        root=root, project=project, canon=_read_canon(root / "canon.json"), episodes=episodes
    )
