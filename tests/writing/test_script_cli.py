"""``sparkle-motion script import`` and ``script export``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sparkle_motion.cli import main
from sparkle_motion.schemas import Script
from sparkle_motion.writing.fountain import export_fountain
from tests.conftest import tiny_script
from tests.writing.goldens import CORPUS, golden_path

BASICS = CORPUS / "01_basics.fountain"


def test_import_writes_the_script_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "script.json"
    assert main(["script", "import", str(BASICS), "-o", str(out)]) == 0
    script = Script.from_json(out.read_bytes())
    golden = Script.from_json(golden_path(BASICS).read_bytes())
    assert script.model_copy(update={"episode_id": "x"}) == golden.model_copy(
        update={"episode_id": "x"}
    )
    assert script.episode_id == "01_basics"
    assert capsys.readouterr().out == ""


def test_import_prints_to_stdout_and_takes_an_episode_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["script", "import", str(BASICS), "--episode-id", "ep01"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["episode_id"] == "ep01"
    assert printed["title"] == "The Tidewater Key"


def test_export_writes_fountain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "ep01.script.json"
    source.write_text(json.dumps(tiny_script()), encoding="utf-8")
    assert main(["script", "export", str(source)]) == 0
    printed = capsys.readouterr().out
    assert printed == export_fountain(Script.from_data(tiny_script()))
    out = tmp_path / "ep01.fountain"
    assert main(["script", "export", str(source), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == printed
    assert main(["script", "import", str(out), "-o", str(tmp_path / "again.json")]) == 0


def test_broken_input_exits_2_with_one_line_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "ep01.fountain"
    broken.write_text("INT. A - DAY\n\nHi.\n\n[[canon: Mara.status = dead]]\n", encoding="utf-8")
    assert main(["script", "import", str(broken)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error SM111: ") and f"{broken}:5:" in err and "\n" not in err
    assert main(["script", "import", str(tmp_path / "missing.fountain")]) == 2
    assert "SM105" in capsys.readouterr().err
    bad_json = tmp_path / "bad.script.json"
    bad_json.write_text("{", encoding="utf-8")
    assert main(["script", "export", str(bad_json)]) == 2
    assert "SM101" in capsys.readouterr().err
