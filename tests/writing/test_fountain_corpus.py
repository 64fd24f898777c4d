"""The corpus: each screenplay imports to its golden Script and survives export → import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sparkle_motion.schemas import ActionElement, DialogueElement, Script
from sparkle_motion.writing.fountain import export_fountain, parse_fountain
from tests.writing.goldens import corpus_files, golden_path, imported
from tests.writing.helpers import without_source_lines

CORPUS = corpus_files()


def test_the_corpus_has_at_least_eight_screenplays_each_with_a_golden() -> None:
    assert len(CORPUS) >= 8
    for fountain in CORPUS:
        assert golden_path(fountain).is_file(), (
            f"run python -m tests.writing.goldens for {fountain}"
        )


@pytest.mark.parametrize("fountain", CORPUS, ids=lambda p: p.stem)
def test_imports_to_exactly_the_golden_script(fountain: Path) -> None:
    golden = Script.from_json(golden_path(fountain).read_bytes(), source=str(golden_path(fountain)))
    assert imported(fountain) == golden


@pytest.mark.parametrize("fountain", CORPUS, ids=lambda p: p.stem)
def test_goldens_are_canonical_json_laid_out_for_review(fountain: Path) -> None:
    text = golden_path(fountain).read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


@pytest.mark.parametrize("fountain", CORPUS, ids=lambda p: p.stem)
def test_import_export_import_gives_the_same_script(fountain: Path) -> None:
    script = imported(fountain)
    text = export_fountain(script)
    again = parse_fountain(text, episode_id=script.episode_id, source="exported.fountain")
    assert without_source_lines(again) == without_source_lines(script)
    assert export_fountain(again) == text


def test_the_corpus_covers_the_syntax() -> None:
    """Every mapping docs/fountain.md promises shows up somewhere in the corpus."""
    scripts = [imported(f) for f in CORPUS]
    scenes = [scene for script in scripts for scene in script.scenes]
    actions = [e for s in scenes for e in s.elements if isinstance(e, ActionElement)]
    lines = [e for s in scenes for e in s.elements if isinstance(e, DialogueElement)]
    seen = {
        "title page": any(len(s.title_page) > 2 for s in scripts),
        "scene numbers": any(s.number for s in scenes),
        "exterior": any(not s.interior for s in scenes),
        "default scene": any(s.heading == "" for s in scenes),
        "sections": any(s.section and " / " in s.section for s in scenes),
        "synopsis": any(s.synopsis for s in scenes),
        "transitions": any(s.transition for s in scenes),
        "notes": any(s.notes for s in scenes),
        "state claims": any(c.kind == "state" for s in scenes for c in s.claims),
        "event claims": any(c.kind == "event" and c.objects for s in scenes for c in s.claims),
        "centered": any(a.centered for a in actions),
        "lyric action": any(a.lyric for a in actions),
        "lyric line": any(line.lyric for line in lines),
        "dual": any(line.dual for line in lines),
        "emotion": any(line.emotion for line in lines),
        "parenthetical delivery": any(
            line.delivery == "shout" and line.parenthetical for line in lines
        ),
        **{
            f"delivery {d}": any(line.delivery == d for line in lines)
            for d in ("vo", "os", "phone", "pre-lap")
        },
        **{
            f"span {style}": any(sp.style == style for e in [*actions, *lines] for sp in e.spans)
            for style in ("italic", "bold", "bold_italic", "underline")
        },
        "multi-line dialogue": any("\n\n" in line.text for line in lines),
        "indented action": any(a.text.startswith("    ") for a in actions),
    }
    assert [name for name, found in seen.items() if not found] == []
