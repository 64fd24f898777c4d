"""``sparkle-motion``: the command line. Thin: each command calls one function.

Exit codes (the one place they are decided): 0 done, 1 failed, 2 usage or
input error, 3 blocked by a gate, 4 paused waiting for an approval, 130
interrupted, 141 the reader of standard output went away (``| head``).

Only Typer and the command signatures load at start: every command imports
what it works with inside its body, so ``--help`` and the quick commands never
pay for pydantic, SQLAlchemy, numpy or the pipeline. Help is Click's plain
layout because Typer's Rich layout alone costs more to import than the rest.
"""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sparkle_motion.commands.canon import canon_app
from sparkle_motion.commands.edges import (
    silence_stdout,
    stdout_console,
    stdout_reader_gone,
    write_crash_log,
)
from sparkle_motion.commands.providers import providers_app
from sparkle_motion.commands.script import script_app
from sparkle_motion.commands.service import config_app, serve
from sparkle_motion.commands.upgrade import upgrade
from sparkle_motion.commands.worker import worker
from sparkle_motion.errors import SparkleError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from sparkle_motion.pipeline.runner import RunOutcome
    from sparkle_motion.registry import Registry

__all__ = ["app", "entry", "main"]

PROG = "sparkle-motion"
_READER_GONE = 141  # what a shell reports for a process ended by SIGPIPE

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Turn a story into a finished preview video.",
)
runs_app = typer.Typer(no_args_is_help=True, help="List and inspect runs of a project.")
artifacts_app = typer.Typer(no_args_is_help=True, help="Inspect artifacts in the registry.")
schemas_app = typer.Typer(no_args_is_help=True, help="JSON Schema files of every artifact.")
app.add_typer(runs_app, name="runs")
app.add_typer(artifacts_app, name="artifacts")
app.add_typer(schemas_app, name="schemas")
app.add_typer(canon_app, name="canon")
app.add_typer(script_app, name="script")
app.add_typer(config_app, name="config")
app.add_typer(providers_app, name="providers")
app.command("upgrade")(upgrade)
app.command("worker")(worker)
app.command("serve")(serve)

ProjectDir = Annotated[Path, typer.Argument(help="The project folder.")]
ProjectOption = Annotated[Path, typer.Option("--project", "-p", help="The project folder.")]


class _RichStageProgress:
    def __init__(self, progress: Progress, stage: str) -> None:
        self.progress = progress
        self.task: TaskID = progress.add_task(stage, total=None)
        self.done = 0

    def total(self, count: int) -> None:
        self.progress.update(self.task, total=count)

    def advance(self, count: int = 1) -> None:
        self.done += count
        self.progress.advance(self.task, count)

    def finish(self) -> None:
        self.progress.update(self.task, total=max(self.done, 1), completed=max(self.done, 1))


def _print_outcome(outcome: RunOutcome, console: Console) -> None:
    from rich.table import Table

    if outcome.summary is not None:
        table = Table(title=f"run {outcome.run_id}: {outcome.status}")
        for column in ("stage", "status", "seconds", "attempts", "cache hits"):
            table.add_column(column)
        for stage in outcome.summary.stages:
            table.add_row(
                stage.stage,
                stage.status,
                f"{stage.wall_seconds:.2f}",
                str(stage.attempts),
                str(stage.cache_hits),
            )
        console.print(table)
    for name, path in outcome.outputs.items():
        print(f"{name}: {path}")  # plain print: a path must never be wrapped


@app.command()
def run(
    project_dir: ProjectDir,
    episode: Annotated[str | None, typer.Option(help="Episode id (default: the first).")] = None,
    resume: Annotated[str | None, typer.Option(help="Continue this run id.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Plan only; render nothing.")] = False,
    profile: Annotated[str | None, typer.Option(help="Render profile name.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Render an episode of a project (plan, check, voice, caption, encode)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from sparkle_motion.pipeline.runner import Runner, RunRequest
    from sparkle_motion.pipeline.stages import STAGES
    from sparkle_motion.settings import load_settings

    progress = Progress(
        TextColumn("{task.description:>14}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=as_json,
    )

    def stage_progress(stage: str) -> _RichStageProgress:
        # Shown from the first stage on: a run refused before it (an unknown
        # --profile) leaves its one error line and no empty progress display.
        if not progress.live.is_started:
            progress.start()
        return _RichStageProgress(progress, stage)

    try:
        settings = load_settings()
        runner = Runner(
            STAGES,
            database_url=settings.database_url,
            progress=stage_progress,
            cache_max_bytes=settings.cache_max_bytes,
            give_ids=lambda note: print(note, file=sys.stderr),
        )
        outcome = runner.run(
            RunRequest(
                project_dir=project_dir,
                episode_id=episode,
                resume=resume,
                dry_run=dry_run,
                profile=profile,
            )
        )
    finally:
        if progress.live.is_started:
            progress.stop()
    if as_json:
        print(
            json.dumps(
                {
                    "run_id": outcome.run_id,
                    "status": outcome.status,
                    "outputs": {k: str(v.resolve()) for k, v in sorted(outcome.outputs.items())},
                    "artifacts": dict(sorted(outcome.artifacts.items())),
                    "error": outcome.error.one_line() if outcome.error else None,
                },
                indent=2,
            )
        )
    else:
        _print_outcome(outcome, stdout_console())
    if outcome.error is not None:
        raise outcome.error


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder to create the project in.")],
    title: Annotated[str | None, typer.Option(help="The show's title.")] = None,
    idea: Annotated[
        str | None, typer.Option(help="A one-line idea: writes episodes/ep01.idea.yaml.")
    ] = None,
) -> None:
    """Create a project folder with a starter episode (or an idea to write episodes from)."""
    from sparkle_motion.pipeline.init_project import init_project

    root = init_project(directory, title=title, idea=idea)
    print(f"created {root}; render it with: sparkle-motion run {directory}")


@app.command()
def approve(
    run_id: Annotated[str, typer.Argument(help="The paused run.")],
    checkpoint: Annotated[str, typer.Argument(help="e.g. approve_shotlist_timing_lock")],
    by: Annotated[str, typer.Option("--by", help="Who approves.")],
    project: ProjectOption = Path(),
    reject: Annotated[bool, typer.Option("--reject", help="Reject instead.")] = False,
    notes: Annotated[str, typer.Option(help="Notes kept in the audit trail.")] = "",
) -> None:
    """Record an approval (or rejection) for a paused run."""
    from sparkle_motion.pipeline.runs import read_manifest, record_approval

    decision = record_approval(project, run_id, checkpoint, by=by, approve=not reject, notes=notes)
    manifest = read_manifest(project, run_id)
    again = (
        f"sparkle-motion upgrade {project} --episode {manifest.episode_id} "
        f"--profile {manifest.profile}"
        if manifest.kind == "upgrade"
        else f"sparkle-motion run {project} --resume {run_id}"
    )
    print(f"{decision.decision} {checkpoint} for run {run_id} by {decision.by}; continue: {again}")


@runs_app.command("list")
def runs_list(project_dir: ProjectDir) -> None:
    """Every run of the project, oldest first."""
    from rich.table import Table

    from sparkle_motion.pipeline.runs import list_runs

    table = Table()
    for column in ("run id", "episode", "profile", "status"):
        table.add_column(column)
    for manifest in list_runs(project_dir):
        table.add_row(manifest.run_id, manifest.episode_id, manifest.profile, manifest.status)
    stdout_console().print(table)


@runs_app.command("show")
def runs_show(project_dir: ProjectDir, run_id: str) -> None:
    """A run's manifest (events, approvals) and summary as JSON."""
    from sparkle_motion.pipeline.runs import read_manifest, read_summary

    manifest = read_manifest(project_dir, run_id)
    summary = read_summary(project_dir, run_id)
    print(
        json.dumps(
            {
                "manifest": manifest.model_dump(mode="json"),
                "summary": summary.model_dump(mode="json") if summary else None,
            },
            indent=2,
        )
    )


def _open_registry(project: Path) -> Registry:
    from sparkle_motion.pipeline.project_folder import STATE_DIR
    from sparkle_motion.registry import Registry
    from sparkle_motion.settings import load_settings

    return Registry.open(project.resolve() / STATE_DIR, load_settings().database_url)


def _record_json(registry: Registry, sha: str) -> dict[str, Any]:
    record = registry.record(sha)
    return {
        "hash": record.hash,
        "kind": record.kind,
        "schema_version": record.schema_version,
        "parents": list(record.parents),
        "params": dict(record.params),
        "origin": record.origin,
        "provenance": record.provenance,
        "run_ids": list(record.run_ids),
        "size": record.size,
    }


@artifacts_app.command("show")
def artifacts_show(
    sha: Annotated[str, typer.Argument(help="Hash or unique prefix (6+ characters).")],
    project: ProjectOption = Path(),
) -> None:
    """An artifact's record and, for JSON artifacts, its content."""
    registry = _open_registry(project)
    try:
        full = registry.resolve_prefix(sha)
        shown = _record_json(registry, full)
        if shown["schema_version"] is not None:
            shown["content"] = json.loads(registry.get_bytes(full))
        else:
            shown["path"] = str(registry.blob_path(full))
    finally:
        registry.close()
    print(json.dumps(shown, indent=2, ensure_ascii=False))


@artifacts_app.command("lineage")
def artifacts_lineage(
    sha: Annotated[str, typer.Argument(help="Hash or unique prefix (6+ characters).")],
    project: ProjectOption = Path(),
) -> None:
    """The artifact and its ancestors down to the inputs."""
    registry = _open_registry(project)
    try:
        chain = [
            _record_json(registry, r.hash) for r in registry.lineage(registry.resolve_prefix(sha))
        ]
    finally:
        registry.close()
    print(json.dumps(chain, indent=2, ensure_ascii=False))


@schemas_app.command("export")
def schemas_export(directory: Annotated[Path, typer.Argument(help="Output folder.")]) -> None:
    """Write a JSON Schema file for every artifact type."""
    from sparkle_motion.atomic import write_atomic
    from sparkle_motion.schemas import canonical_json, json_schemas

    schemas = json_schemas()
    for name, schema in schemas.items():
        text = json.dumps(json.loads(canonical_json(schema)), indent=2, ensure_ascii=False)
        write_atomic(directory / name, (text + "\n").encode("utf-8"))
    print(f"wrote {len(schemas)} schemas to {directory}")


# -- the edges: exit codes, a closed pipe, a crash ---------------------------


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app and map every error family to its exit code."""
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        return _invoke(args)
    except SparkleError as exc:
        print(exc.one_line(), file=sys.stderr)
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        print("aborted", file=sys.stderr)
        return 130
    except typer.TyperException as exc:  # usage: an unknown option, a missing argument
        _show_usage_error(exc)
        return exc.exit_code
    except BrokenPipeError as exc:
        if stdout_reader_gone():
            silence_stdout()
            return _READER_GONE
        return _crashed(exc, args)
    except Exception as exc:
        return _crashed(exc, args)


def _invoke(args: list[str]) -> int:
    # Click's own main would turn a closed pipe into a bare exit 1 and a crash
    # into a traceback; driving the context here leaves both to main().
    command = typer.main.get_command(app)
    try:
        with command.make_context(PROG, args) as ctx:
            command.invoke(ctx)
    except typer.Exit as exc:  # --help, or a command that chose its status
        code = exc.exit_code
    else:
        code = 0
    sys.stdout.flush()  # a reader that left shows up here, not at interpreter exit
    return code


def _show_usage_error(exc: typer.TyperException) -> None:
    # Every parser error can show itself with the usage line; the base class
    # only promises the message.
    show = getattr(exc, "show", None)
    if callable(show):
        if exc.format_message():  # empty when no_args_is_help already printed the help
            show()
    else:
        print(f"Error: {exc.format_message()}", file=sys.stderr)


def _crashed(exc: Exception, args: list[str]) -> int:
    """A bug, not a user's mistake: one line with the root code, the traceback in a log."""
    log = write_crash_log(exc, [PROG, *args])
    detail = " ".join(str(exc).split())
    if len(detail) > 200:
        detail = detail[:199] + "…"
    message = f"unexpected {type(exc).__name__}" + (f": {detail}" if detail else "")
    hint = (
        f"a bug; the traceback is in {log}"
        if isinstance(log, Path)
        else f"a bug; its traceback could not be saved: {log}"
    )
    error = SparkleError(message, hint=hint)
    print(error.one_line(), file=sys.stderr)
    return error.exit_code


def entry() -> None:
    """The program: :func:`main`, then a quick exit.

    Everything a command made is written and closed by then; what is left is
    the interpreter's last collection pass over every object the run touched
    (a third of a second after a render), which the frozen heap skips.
    """
    code = main()
    gc.freeze()
    raise SystemExit(code)


if __name__ == "__main__":
    entry()
