"""``sparkle-motion script import|export``: Fountain screenplays to Script JSON and back."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from sparkle_motion.errors import MissingInput

__all__ = ["script_app"]

script_app = typer.Typer(
    no_args_is_help=True, help="Screenplays: Fountain to Script JSON and back."
)

Output = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write here instead of to standard output."),
]


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise MissingInput("no such file", where=str(path), hint="check the path")
    return path.read_bytes()


def _emit(text: str, output: Path | None) -> None:
    from sparkle_motion.atomic import write_atomic

    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text.encode("utf-8"))


@script_app.command("import")
def import_fountain(
    file: Annotated[Path, typer.Argument(help="A Fountain screenplay (.fountain).")],
    output: Output = None,
    episode_id: Annotated[
        str | None,
        typer.Option("--episode-id", help="The Script's episode id (default: the file name)."),
    ] = None,
) -> None:
    """Read a Fountain screenplay and write its Script as JSON."""
    from sparkle_motion.writing.fountain import episode_id_of_file, parse_fountain
    from sparkle_motion.writing.fountain.lexer import decode

    source = str(file)
    script = parse_fountain(
        decode(_read(file), source),
        episode_id=episode_id or episode_id_of_file(source),
        source=source,
    )
    pretty = json.dumps(json.loads(script.to_json()), indent=2, ensure_ascii=False)
    _emit(pretty + "\n", output)


@script_app.command("export")
def export_script(
    file: Annotated[Path, typer.Argument(help="A Script (.script.json).")],
    output: Output = None,
) -> None:
    """Write a Script as a Fountain screenplay."""
    from sparkle_motion.schemas import Script
    from sparkle_motion.writing.fountain import export_fountain

    script = Script.from_json(_read(file), source=str(file))
    _emit(export_fountain(script), output)
