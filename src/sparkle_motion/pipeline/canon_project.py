"""A project's canon: the store in its registry database, and ``canon.json`` kept in step.

The store is the truth; ``canon.json`` is its import/export form. When a
person has edited ``canon.json`` (its content matches no snapshot) the edit
is imported as a new snapshot before the canon is used; when it merely lags
behind (it matches an older snapshot) it is rewritten from the head. Every
approved diff rewrites it too, so the file in the folder shows the canon.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sparkle_motion.canon.canon_file import export_bytes, read_canon
from sparkle_motion.canon.context import build_context_pack
from sparkle_motion.canon.episodes import EpisodeLog
from sparkle_motion.canon.gate import check_script
from sparkle_motion.canon.history import CanonHistory
from sparkle_motion.canon.propose import Proposal, propose_diff, rebase
from sparkle_motion.canon.recall import recall
from sparkle_motion.canon.store import CanonStore, Snapshot
from sparkle_motion.canon.validate import check_canon
from sparkle_motion.errors import InvalidArtifact, MissingInput
from sparkle_motion.pipeline.atomic import write_atomic
from sparkle_motion.pipeline.project_folder import ProjectFolder, load_project
from sparkle_motion.registry import Registry
from sparkle_motion.schemas import (
    Canon,
    CanonDiff,
    CanonReport,
    ContextPack,
    Project,
    Script,
    content_hash,
)
from sparkle_motion.writing.sources import EPISODE_READERS

__all__ = [
    "CANON_FILE",
    "Judgement",
    "ProjectCanon",
    "canon_key",
    "context_pack",
    "judge",
    "open_project_canon",
    "read_script_file",
    "sync_canon_file",
    "write_canon_file",
]

CANON_FILE = "canon.json"
HAND_EDIT = "canon.json (edited by hand)"


def canon_key(project: Project) -> str:
    """Which canon in a shared database is this project's: its title."""
    return project.title.strip()[:200]


@dataclass(frozen=True)
class ProjectCanon:
    folder: ProjectFolder
    registry: Registry
    store: CanonStore

    @property
    def episodes(self) -> EpisodeLog:
        return EpisodeLog(self.registry.engine, self.store.project)


@contextmanager
def open_project_canon(root: Path, database_url: str | None) -> Iterator[ProjectCanon]:
    folder = load_project(root)
    with Registry.open(folder.state_dir, database_url) as registry:
        store = CanonStore(registry.engine, canon_key(folder.project))
        yield ProjectCanon(folder, registry, store)


def write_canon_file(folder: ProjectFolder, canon: Canon) -> Path:
    path = folder.root / CANON_FILE
    write_atomic(path, export_bytes(canon))
    return path


def sync_canon_file(folder: ProjectFolder, store: CanonStore) -> Snapshot | None:
    """Import a hand edit of ``canon.json``, or refresh a file that lags behind; the head."""
    path = folder.root / CANON_FILE
    head = store.head()
    if not path.is_file():
        if head is not None:
            write_canon_file(folder, head.canon)
        return head
    canon = read_canon(path.read_bytes(), str(path))
    digest = canon.content_hash()
    if head is not None and digest == head.hash:
        return head
    if head is not None and digest in {info.hash for info in store.snapshots()}:
        write_canon_file(folder, head.canon)
        return head
    return store.import_canon(canon, by=HAND_EDIT, source=CANON_FILE) or head


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
        return self.head is None or self.proposal.result.content_hash() != self.head.hash

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
