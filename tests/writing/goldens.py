"""The Fountain corpus and its golden Scripts.

Run ``python -m tests.writing.goldens`` to rewrite the goldens.

Each ``fountain_corpus/<name>.fountain`` has ``<name>.script.json`` beside it:
the Script the importer must make, as canonical JSON (sorted keys, the
registry's number format) laid out with two-space indents so a change reads
well in a diff. Rewrite them only on purpose, and read the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

from sparkle_motion.schemas import Script
from sparkle_motion.writing.fountain import read_fountain

CORPUS = Path(__file__).resolve().parent / "fountain_corpus"


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.fountain"))


def golden_path(fountain: Path) -> Path:
    return fountain.with_name(fountain.name.removesuffix(".fountain") + ".script.json")


def imported(fountain: Path) -> Script:
    """The Script of a corpus file, with its source named relative to the corpus."""
    return read_fountain(fountain.read_bytes(), fountain.name)


def golden_text(script: Script) -> str:
    return json.dumps(json.loads(script.to_json()), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    for fountain in corpus_files():
        golden_path(fountain).write_text(golden_text(imported(fountain)), encoding="utf-8")
        print(f"wrote {golden_path(fountain).name}")


if __name__ == "__main__":
    main()
