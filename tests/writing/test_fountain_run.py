"""End to end: a project whose episode is a Fountain file renders with ``sparkle-motion run``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ProjectFactory

EPISODE = """Title: Two Rooms

INT. KITCHEN - DAY

ANN pours tea.

ANN
(glad)
Milk or *lemon*?

BO
Neither, thank you.

CUT TO:

EXT. GARDEN - DUSK

[[canon: event blooms roses]]

ANN (V.O.)
The roses came back.
"""


@pytest.mark.slow
def test_a_fountain_episode_renders(make_project: ProjectFactory) -> None:
    project = make_project(extra={"episodes": {"ep01.fountain": EPISODE}})
    assert sorted(p.name for p in (project / "episodes").iterdir()) == ["ep01.fountain"]
    done = subprocess.run(
        [sys.executable, "-m", "sparkle_motion.cli", "run", str(project), "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=dict(os.environ),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["status"] in ("success", "degraded"), result
    assert Path(result["outputs"]["video"]).is_file()
    script_path = Path(result["outputs"]["render_output"]).parent / "script.json"
    script = json.loads(script_path.read_text(encoding="utf-8"))
    assert script["episode_id"] == "ep01"
    assert [c["speaker_id"] for c in script["characters"]] == ["ann", "bo"]
    assert [s["location"] for s in script["scenes"]] == ["Kitchen", "Garden"]
    spoken = [e["text"] for s in script["scenes"] for e in s["elements"] if e["type"] == "dialogue"]
    assert spoken == ["Milk or lemon?", "Neither, thank you.", "The roses came back."]
