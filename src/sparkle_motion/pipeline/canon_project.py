"""A project's canon: the store in its registry database, and ``canon.json`` kept in step.

The store is the truth; ``canon.json`` is its import/export form. When a
person has edited ``canon.json`` (its content matches no snapshot) the edit
is imported as a new snapshot before the canon is used; when it merely lags
behind (it matches an older snapshot) it is rewritten from the head. Every
approved diff rewrites it too, so the file in the folder shows the canon.
Which canon bytes of ``canon.json`` hold is remembered in the state folder
(by their sha256), so an unchanged file is not parsed again to find out.

The canon is kept under the project's id (``canon.keys``). A project made
before projects had ids gets one the first time a ``canon`` command or a new
``sparkle-motion run`` opens it: one line appended to ``project.yaml``, and the
canon kept under its title carried over to the id.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import yaml
from sqlalchemy import Engine

from sparkle_motion.atomic import write_atomic
from sparkle_motion.canon.canon_file import export_bytes, read_canon
from sparkle_motion.canon.carry_over import carry_over
from sparkle_motion.canon.context import build_context_pack
from sparkle_motion.canon.episodes import EpisodeLog
from sparkle_motion.canon.gate import check_script
from sparkle_motion.canon.history import CanonHistory
from sparkle_motion.canon.keys import canon_key, id_from_title, title_key
from sparkle_motion.canon.propose import Proposal, propose_diff, rebase
from sparkle_motion.canon.recall import recall
from sparkle_motion.canon.store import CanonStore, Snapshot
from sparkle_motion.canon.validate import check_canon
from sparkle_motion.errors import InvalidArtifact, MissingInput, ProjectError
from sparkle_motion.pipeline.project_folder import STATE_DIR, ProjectFolder, load_project
from sparkle_motion.registry import Registry
from sparkle_motion.schemas import (
    Canon,
    CanonDiff,
    CanonReport,
    ContextPack,
    Script,
    content_hash,
)
from sparkle_motion.writing.sources import EPISODE_READERS

__all__ = [
    "CANON_FILE",
    "Judgement",
    "ProjectCanon",
    "canon_key",
    "carry_title_canon",
    "context_pack",
    "give_project_id",
    "judge",
    "open_project_canon",
    "read_script_file",
    "sync_canon_file",
    "write_canon_file",
]

CANON_FILE = "canon.json"
HAND_EDIT = "canon.json (edited by hand)"
ID_GIVER = "sparkle-motion (the project had no id)"
_SEEN = "canon_file.json"  # in the state folder: the canon hash of canon.json's bytes


@dataclass(frozen=True)
class ProjectCanon:
    folder: ProjectFolder
    registry: Registry
    store: CanonStore

    @property
    def episodes(self) -> EpisodeLog:
        return EpisodeLog(self.registry.engine, self.store.project)


@contextmanager
def open_project_canon(
    root: Path, database_url: str | None, *, adopt: Callable[[str], None] | None = None
) -> Iterator[ProjectCanon]:
    """The project's canon store; with ``adopt``, a project without an id gets one first.

    ``adopt`` hears what was done. A run's stages never pass it: a new run has
    given its project an id before it starts (``Runner(give_ids=...)``), and a
    resumed run must see the project it started with.
    """
    folder = load_project(root)
    with Registry.open(folder.state_dir, database_url) as registry:
        if adopt is not None:
            folder = give_project_id(folder, registry, adopt)
        store = CanonStore(registry.engine, canon_key(folder.project))
        yield ProjectCanon(folder, registry, store)


def _with_id_line(text: str, project_id: str) -> str | None:
    """``project.yaml`` with one more line, ``id: ...``; None when a line would not do it."""
    updated = text + ("" if text.endswith("\n") or not text else "\n")
    updated += f"id: {json.dumps(project_id)}\n"
    try:
        before, after = yaml.safe_load(text), yaml.safe_load(updated)
    except yaml.YAMLError:
        return None
    if not isinstance(before, dict) or "id" in before or after != {**before, "id": project_id}:
        return None
    return updated


def give_project_id(
    folder: ProjectFolder, registry: Registry, tell: Callable[[str], None]
) -> ProjectFolder:
    """Give a project made before projects had ids its id; the folder as it is then.

    The id comes from the title (``canon.keys.id_from_title``), the canon kept
    under the title is carried over to it, and the rest of ``project.yaml`` is
    left as it was.
    """
    project = folder.project
    if project.id is not None:
        return folder
    path = folder.root / "project.yaml"
    project_id = id_from_title(project.title)
    updated = _with_id_line(path.read_text(encoding="utf-8"), project_id)
    if updated is None:
        raise ProjectError(
            "the project has no id, and one cannot be appended to project.yaml as a line",
            where=str(path),
            hint=f"add the line 'id: {project_id}' (or an id of your choice) to it",
        )
    store = CanonStore(registry.engine, project_id)
    carried = carry_over(store, title_key(project.title), by=ID_GIVER)
    write_atomic(path, updated.encode("utf-8"))
    moved = f"; {carried} canon snapshot(s) kept under its title came along" if carried else ""
    tell(
        f"{path}: the project had no id, so it now has 'id: {project_id}' (its canon is "
        f"kept under it, so the title may change){moved}"
    )
    return replace(folder, project=project.model_copy(update={"id": project_id}))


def carry_title_canon(root: Path, project_id: str, shared: Engine | None, *, by: str) -> int:
    """Before a folder's ``project.yaml`` without an id is given ``project_id``: the canon
    kept under its title comes along (the snapshots carried).

    ``shared`` is the database its runs keep the canon in; None for the folder's own.
    """
    path = root / "project.yaml"
    previous = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    if not isinstance(previous, dict) or previous.get("id") or not previous.get("title"):
        return 0
    key = title_key(str(previous["title"]))
    if shared is not None:
        return carry_over(CanonStore(shared, project_id), key, by=by)
    if not (root / STATE_DIR).is_dir():
        return 0  # the folder never ran, so it has no canon store
    with Registry.open(root / STATE_DIR) as registry:
        return carry_over(CanonStore(registry.engine, project_id), key, by=by)


def _seen_hash(folder: ProjectFolder, file_hash: str) -> str | None:
    """The canon hash of the canon.json bytes whose sha256 is ``file_hash``, if seen before."""
    try:
        seen = json.loads((folder.state_dir / _SEEN).read_bytes())
    except (OSError, ValueError):
        return None  # never seen, or a damaged note: read the file
    if not isinstance(seen, dict) or seen.get("sha256") != file_hash:
        return None
    canon = seen.get("canon")
    return canon if isinstance(canon, str) else None


def _note_seen(folder: ProjectFolder, file_hash: str, canon_hash: str) -> None:
    note = {"sha256": file_hash, "canon": canon_hash}
    write_atomic(folder.state_dir / _SEEN, json.dumps(note).encode("utf-8"))


def write_canon_file(folder: ProjectFolder, snapshot: Snapshot) -> Path:
    path = folder.root / CANON_FILE
    data = export_bytes(snapshot.canon)
    write_atomic(path, data)
    # An exported canon imports as the same snapshot, so its hash is known already.
    _note_seen(folder, content_hash(data), snapshot.hash)
    return path


def sync_canon_file(folder: ProjectFolder, store: CanonStore) -> Snapshot | None:
    """Import a hand edit of ``canon.json``, or refresh a file that lags behind; the head."""
    path = folder.root / CANON_FILE
    head = store.head()
    if not path.is_file():
        if head is not None:
            write_canon_file(folder, head)
        return head
    data = path.read_bytes()
    file_hash = content_hash(data)
    digest = _seen_hash(folder, file_hash)
    canon, document = None, None
    if digest is None:
        canon = read_canon(data, str(path))
        document = canon.to_json()
        digest = content_hash(document)  # what Canon.content_hash() gives, from these bytes
        _note_seen(folder, file_hash, digest)
    if head is not None and digest == head.hash:
        return head
    if head is not None and digest in {info.hash for info in store.snapshots()}:
        write_canon_file(folder, head)
        return head
    canon = canon or read_canon(data, str(path))
    imported = store.import_canon(canon, by=HAND_EDIT, source=CANON_FILE, document=document)
    return imported or head


def read_script_file(path: Path) -> Script:
    if not path.is_file():
        raise MissingInput("no such script", where=str(path), hint="check the path")
    reader = next((r for suffix, r in EPISODE_READERS.items() if path.name.endswith(suffix)), None)
    if reader is None:
        raise InvalidArtifact(
            f"cannot read {path.name}: scripts end in {', '.join(EPISODE_READERS)}",
            where=str(path),
        )
    return reader(path.read_bytes(), str(path))


@dataclass(frozen=True)
class Judgement:
    """The gate's report on a script, and (when it passed) the diff it proposes."""

    report: CanonReport
    proposal: Proposal | None
    base: Snapshot | None
    head: Snapshot | None

    @property
    def needs_approval(self) -> bool:
        """True when approving would change the canon."""
        if self.proposal is None:
            return False
        return self.head is None or self.proposal.diff.result_snapshot != self.head.hash

    def change(self) -> CanonDiff:
        """The proposed diff as it applies to the head."""
        if self.proposal is None:
            raise ValueError("a script the gate blocked proposes no diff")
        if self.head is None or self.base is None or self.base.hash == self.head.hash:
            return self.proposal.diff
        return rebase(self.proposal, self.head.canon, self.head.hash)


def judge(
    script: Script,
    store: CanonStore,
    *,
    script_hash: str | None = None,
    source: str = "<script>",
) -> Judgement:
    """Check ``script`` against the canon it must agree with; propose its diff if it passes."""
    script_hash = script_hash or content_hash(script.to_json())
    head = store.head()
    base = store.gate_base(script.episode_id)
    canon = base.canon if base else Canon.new()
    canon_hash = base.hash if base else canon.content_hash()
    history = store.history(upto=base.version) if base else CanonHistory()
    report = check_script(
        script,
        canon,
        script_hash=script_hash,
        canon_hash=canon_hash,
        history=history,
        source=source,
    )
    if not report.passed:
        return Judgement(report, None, base, head)
    warnings = [f"warn {f.code}: {f.message}" for f in report.findings]
    proposal = propose_diff(
        script,
        canon,
        canon_hash=canon_hash,
        script_hash=script_hash,
        validation=[f"canon gate passed ({len(warnings)} warning(s))", *warnings],
        source=source,
        history=history,
    )
    check_canon(proposal.result, f"{source} (the canon its claims lead to)")
    report = report.model_copy(update={"proposed": proposal.diff})
    return Judgement(report, proposal, base, head)


def context_pack(
    project: ProjectCanon,
    episode_id: str,
    *,
    focus: list[str] | None = None,
    query: str = "",
) -> ContextPack:
    """What a writer of ``episode_id`` should know; focus defaults to the episode's script."""
    head = sync_canon_file(project.folder, project.store)
    canon = head.canon if head else Canon.new()
    if focus is None:
        focus = []
        if episode_id in project.folder.episodes:
            script = read_script_file(project.folder.episodes[episode_id])
            focus = [c.speaker_id for c in script.characters]
            focus += [s.location_key() for s in script.scenes]
            query = query or " ".join(s.location for s in script.scenes)
    log = project.episodes
    hits = recall(log.passages(before=episode_id), query) if query else []
    return build_context_pack(
        canon,
        head.hash if head else canon.content_hash(),
        episode_id=episode_id,
        focus=focus,
        recaps=log.recaps(),
        recall_hits=hits,
    )
