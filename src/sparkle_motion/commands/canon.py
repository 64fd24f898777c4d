"""``sparkle-motion canon ...``: show, history, diff, import, export, check, context.

Thin over ``pipeline.canon_project``. Every command first brings a hand edit
of ``canon.json`` into the store (a malformed file stops it with the file and
JSON path, changing nothing), and gives a project made before projects had
ids its id. Each command imports what it needs when it runs, so the command
line starts without loading the canon machinery for commands it does not run.
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sparkle_motion.commands.edges import stdout_console

if TYPE_CHECKING:
    from sparkle_motion.canon.snapshots import Snapshot, SnapshotInfo
    from sparkle_motion.pipeline.canon_project import ProjectCanon
    from sparkle_motion.schemas import CanonDiff, CanonReport

__all__ = ["canon_app"]

canon_app = typer.Typer(no_args_is_help=True, help="The story world's canon: snapshots and checks.")

ProjectDir = Annotated[Path, typer.Argument(help="The project folder.")]
ProjectOption = Annotated[Path, typer.Option("--project", "-p", help="The project folder.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]
SnapshotRef = Annotated[
    str, typer.Option("--snapshot", "-s", help="head, head~N, a version or a hash prefix.")
]


def _tell(message: str) -> None:
    print(message, file=sys.stderr)


@contextmanager
def _opened(project_dir: Path) -> Iterator[ProjectCanon]:
    from sparkle_motion.pipeline.canon_project import open_project_canon
    from sparkle_motion.settings import load_settings

    # A canon is a great many small objects that all live until the command is done:
    # the cycle collector would walk them again and again and free nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with open_project_canon(project_dir, load_settings().database_url, adopt=_tell) as project:
            yield project
    finally:
        if collecting:
            gc.enable()


def _when(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds")


def _info_json(info: SnapshotInfo) -> dict[str, Any]:
    return {
        "version": info.version,
        "hash": info.hash,
        "parent": info.parent,
        "episode_id": info.episode_id,
        "created_by": info.created_by,
        "created_at": _when(info.created_at),
        "note": info.note,
    }


def _chosen(project: ProjectCanon, ref: str) -> Snapshot:
    from sparkle_motion.pipeline.canon_project import sync_canon_file

    sync_canon_file(project.folder, project.store)
    return project.store.snapshot(ref)


@canon_app.command("show")
def show(project_dir: ProjectDir, snapshot: SnapshotRef = "head", as_json: AsJson = False) -> None:
    """A canon snapshot (the head by default): its people, places and rules."""
    from rich.table import Table

    from sparkle_motion.canon.canon_file import export_bytes

    with _opened(project_dir) as project:
        chosen = _chosen(project, snapshot)
    canon = chosen.canon
    if as_json:
        document = json.loads(export_bytes(canon))
        print(json.dumps({"snapshot": _info_json(chosen.info), "canon": document}, indent=2))
        return
    info = chosen.info
    print(
        f"snapshot {info.version} {info.hash[:12]} by {info.created_by}, {_when(info.created_at)}"
    )
    counts = {
        "characters": len(canon.characters),
        "locations": len(canon.locations),
        "objects": len(canon.objects),
        "relationships": len(canon.relationships),
        "world rules": len(canon.world_rules),
        "timeline events": len(canon.timeline_events),
        "states": len(canon.persistent_states),
    }
    print(", ".join(f"{n} {what}" for what, n in counts.items()))
    table = Table(title="characters")
    for column in ("id", "name", "aliases", "status", "age"):
        table.add_column(column)
    for c in canon.characters:
        status = c.status + (f" (episode {c.died_at.episode})" if c.died_at else "")
        age = "" if c.age is None else str(c.age)
        table.add_row(c.id, c.name, ", ".join(c.aliases), status, age)
    stdout_console().print(table)


@canon_app.command("history")
def history(project_dir: ProjectDir, as_json: AsJson = False) -> None:
    """Every snapshot, and the audit trail: who changed the canon, when, and how."""
    from rich.table import Table

    from sparkle_motion.pipeline.canon_project import sync_canon_file

    with _opened(project_dir) as project:
        sync_canon_file(project.folder, project.store)
        snapshots = project.store.snapshots()
        audit = project.store.audit()
    if as_json:
        entries = [
            {**{k: v for k, v in vars(e).items() if k != "at"}, "at": _when(e.at)} for e in audit
        ]
        print(json.dumps({"snapshots": [_info_json(s) for s in snapshots], "audit": entries}))
        return
    table = Table(title="snapshots")
    for column in ("version", "hash", "when", "by", "episode", "note"):
        table.add_column(column)
    for s in snapshots:
        table.add_row(
            str(s.version),
            s.hash[:12],
            _when(s.created_at),
            s.created_by,
            s.episode_id or "",
            s.note,
        )
    trail = Table(title="audit")
    for column in ("when", "who", "action", "snapshot", "run", "notes"):
        trail.add_column(column)
    for e in audit:
        version = "" if e.version is None else str(e.version)
        trail.add_row(_when(e.at), e.actor, e.action, version, e.run_id or "", e.notes)
    console = stdout_console()
    console.print(table)
    console.print(trail)


def _brief(value: Any) -> str:
    """A value as JSON, an entity without its empty fields."""
    from sparkle_motion.canon.facts import is_empty

    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if not is_empty(v)}
    return json.dumps(value, ensure_ascii=False)


def _describe(diff: CanonDiff) -> list[str]:
    lines = []
    for sign, changes in (("+", diff.added), ("~", diff.modified), ("-", diff.removed)):
        for change in changes:
            shown = _brief(change.after if sign != "-" else change.before)
            if sign == "~":
                shown = f"{_brief(change.before)} -> {shown}"
            why = f"  ({change.justification})" if change.justification else ""
            lines.append(f"{sign} {change.path} = {shown}{why}")
    return lines


@canon_app.command("diff")
def diff(
    snapshot_a: Annotated[str, typer.Argument(help="The older snapshot.")],
    snapshot_b: Annotated[str, typer.Argument(help="The newer snapshot.")],
    project: ProjectOption = Path(),
    as_json: AsJson = False,
) -> None:
    """The facts added, modified and removed from snapshot A to snapshot B."""
    from sparkle_motion.canon.facts import build_diff, diff_canons

    with _opened(project) as opened:
        older, newer = _chosen(opened, snapshot_a), opened.store.snapshot(snapshot_b)
        origins = opened.store.history(upto=newer.version)
    changes = diff_canons(older.canon, newer.canon)

    def explain(path: str) -> tuple[str, dict[str, str]]:
        origin = origins.origin(path)
        return (f"from {origin.where}", {"snapshot": str(origin.snapshot)}) if origin else ("", {})

    document = build_diff(older.hash, changes, newer.canon, explain)
    if as_json:
        print(document.to_json().decode("utf-8"))
        return
    print(f"snapshot {older.version} ({older.hash[:12]}) -> {newer.version} ({newer.hash[:12]})")
    print("\n".join(_describe(document)) or "no differences")


@canon_app.command("import")
def import_(
    project_dir: ProjectDir,
    file: Annotated[Path | None, typer.Argument(help="A canon file (default: canon.json).")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Who makes the change.")] = None,
) -> None:
    """Make a canon file the head snapshot (checked first; a bad file changes nothing)."""
    import getpass

    from sparkle_motion.canon.canon_file import read_canon
    from sparkle_motion.errors import MissingInput
    from sparkle_motion.pipeline.canon_project import (
        CANON_FILE,
        sync_canon_file,
        write_canon_file,
    )

    with _opened(project_dir) as project:
        source = file or project.folder.root / CANON_FILE
        if not source.is_file():
            raise MissingInput("no canon file to import", where=str(source), hint="check the path")
        canon = read_canon(source.read_bytes(), str(source))
        if source.resolve() != (project.folder.root / CANON_FILE).resolve():
            sync_canon_file(project.folder, project.store)  # keep what canon.json held first
        who = by or getpass.getuser()
        snapshot = project.store.import_canon(canon, by=who, source=source.name)
        head = snapshot or project.store.head()
        if head is not None and source.resolve() != (project.folder.root / CANON_FILE).resolve():
            write_canon_file(project.folder, head)
    if snapshot is None:
        print(f"{source} is already the head snapshot; nothing imported")
        return
    d = snapshot.diff
    counts = (
        f"{len(d.added)} added, {len(d.modified)} modified, {len(d.removed)} removed"
        if d is not None
        else "the first snapshot"
    )
    print(f"imported {source} as snapshot {snapshot.version} ({snapshot.hash[:12]}): {counts}")


@canon_app.command("export")
def export(
    project_dir: ProjectDir,
    snapshot: SnapshotRef = "head",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Where to write ('-': stdout).")
    ] = None,
) -> None:
    """Write a snapshot as canon.json (or to --out); importing it gives the same snapshot."""
    from sparkle_motion.canon.canon_file import export_bytes
    from sparkle_motion.pipeline.canon_project import write_canon_file

    with _opened(project_dir) as project:
        chosen = _chosen(project, snapshot)
        if out is None:
            target = write_canon_file(project.folder, chosen)
        else:
            data = export_bytes(chosen.canon)
            if str(out) == "-":
                sys.stdout.write(data.decode("utf-8"))
                return
            target = out
            target.write_bytes(data)
    print(f"wrote {target} (snapshot {chosen.version}, {chosen.hash[:12]})")


def _print_report(report: CanonReport, script: Path) -> None:
    for f in report.findings:
        where = f"scene {f.scene_id}" if f.scene_id else script.name
        where += f", line {f.line_id}" if f.line_id else ""
        where += f" ({script.name}:{f.source_line})" if f.source_line else ""
        print(f"{f.severity.upper()} {f.code} at {where}: {f.message}")
        print(f"    fact:   {f.fact}")
        if f.canon_source:
            print(f"    canon:  {f.canon_source}")
        if f.script_path:
            print(f"    script: {f.script_path}")
        print(f"    repair: {f.repair}")
    if report.passed:
        print(f"passed against canon {report.canon_hash[:12]}")
        if report.proposed is not None:
            print("\n".join(_describe(report.proposed)) or "the script adds nothing to the canon")


@canon_app.command("check")
def check(
    project_dir: ProjectDir,
    script: Annotated[Path, typer.Option("--script", help="The script to check.")],
    as_json: AsJson = False,
) -> None:
    """Check a script against the canon; exit 3 on a contradiction. Changes nothing."""
    from sparkle_motion.canon.scenes import read_scenes
    from sparkle_motion.errors import GateBlocked
    from sparkle_motion.pipeline.canon_project import judge, read_script_file, sync_canon_file

    path = script if script.exists() or script.is_absolute() else project_dir / script
    written = read_script_file(path)
    read_scenes(written, None, str(path))  # a malformed claim stops here, before the store
    with _opened(project_dir) as project:
        sync_canon_file(project.folder, project.store)
        judgement = judge(written, project.store, source=str(path))
    report = judgement.report
    if as_json:
        print(report.to_json().decode("utf-8"))
    else:
        _print_report(report, path)
    blocking = [f for f in report.findings if f.severity == "block"]
    if blocking:
        first = blocking[0]
        raise GateBlocked(
            f"{len(blocking)} contradiction(s) with the canon; first: {first.message}",
            where=f"{path} scene {first.scene_id}" if first.scene_id else str(path),
            hint=first.repair,
        )


@canon_app.command("context")
def context(
    project_dir: ProjectDir,
    episode: Annotated[str, typer.Option("--episode", help="The episode to be written.")],
    focus: Annotated[
        str | None, typer.Option(help="Comma-separated ids (default: the episode's script).")
    ] = None,
    query: Annotated[str, typer.Option(help="Words to recall from past episodes.")] = "",
) -> None:
    """The context pack a writer gets: relevant canon, recent events, recap, recall."""
    from sparkle_motion.pipeline.canon_project import context_pack

    with _opened(project_dir) as project:
        ids = [part.strip() for part in focus.split(",") if part.strip()] if focus else None
        pack = context_pack(project, episode, focus=ids, query=query)
    print(json.dumps(pack.model_dump(mode="json"), indent=2, ensure_ascii=False))
