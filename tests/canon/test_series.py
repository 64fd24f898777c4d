"""The three-episode example: episode 3 ends Rook's life; an episode 4 that lets him speak is
blocked before anything renders, while the series as written renders episode by episode."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sparkle_motion.canon.canon_file import export_bytes
from sparkle_motion.errors import GateBlocked
from sparkle_motion.pipeline.canon_project import open_project_canon
from sparkle_motion.pipeline.runner import Runner, RunRequest
from sparkle_motion.pipeline.stages import STAGES
from tests.conftest import REPO

SERIES = REPO / "examples" / "lantern-ferry"
PLANNING = [s for s in STAGES if s.name in ("write", "safety", "canon_gate")]


@pytest.fixture
def series(tmp_path: Path) -> Path:
    target = tmp_path / "lantern-ferry"
    shutil.copytree(SERIES, target, ignore=shutil.ignore_patterns(".sparkle"))
    return target


def add_episode_4(root: Path) -> None:
    """Episode 3's first scene again, a day later: Rook still talks."""
    data = json.loads((root / "episodes" / "ep03.script.json").read_text())
    data.update(episode_id="ep04", title="The Morning After", scenes=[data["scenes"][0]])
    (root / "episodes" / "ep04.script.json").write_text(json.dumps(data))


def test_episode_three_writes_the_death_into_the_canon(series: Path) -> None:
    for episode in ("ep01", "ep02", "ep03"):
        outcome = Runner(PLANNING).run(RunRequest(project_dir=series, episode_id=episode))
        assert outcome.status == "success", outcome.error
    with open_project_canon(series, None) as project:
        head = project.store.head()
        episodes = [s.episode_id for s in project.store.snapshots()]
    assert head is not None and episodes == [None, "ep01", "ep02", "ep03"]
    rook = head.canon.character("rook")
    assert rook is not None and rook.status == "dead"
    assert rook.died_at is not None and (rook.died_at.episode, rook.died_at.scene) == (3, 2)
    lantern = next(o for o in head.canon.objects if o.id == "lantern")
    assert lantern.owner == "nell"
    assert (series / "canon.json").read_bytes() == export_bytes(head.canon)


def test_a_fourth_episode_in_which_the_dead_captain_speaks_is_blocked(series: Path) -> None:
    for episode in ("ep01", "ep02", "ep03"):
        assert (
            Runner(PLANNING).run(RunRequest(project_dir=series, episode_id=episode)).error is None
        )
    add_episode_4(series)
    blocked = Runner(STAGES).run(RunRequest(project_dir=series, episode_id="ep04"))
    assert blocked.status == "blocked" and isinstance(blocked.error, GateBlocked)
    assert blocked.error.exit_code == 3
    message = str(blocked.error)
    assert "Rook is dead since episode 3 scene 2 but speaks in scene s1" in message
    assert "(scene s1, line l1)" in message and "ep03 scene s2" in message
    assert "video" not in blocked.outputs
    assert not (blocked.run_dir / "output").exists()
    assert blocked.summary is not None
    ran = {s.stage for s in blocked.summary.stages}
    assert "frames" not in ran and "clips" not in ran
    report = json.loads((blocked.run_dir / "artifacts" / "canon_report.json").read_text())
    [finding] = [f for f in report["findings"] if f["severity"] == "block"]
    assert (finding["fact"], finding["scene_id"], finding["line_id"]) == (
        "characters.rook.status",
        "s1",
        "l1",
    )


@pytest.mark.slow
def test_the_series_as_written_renders_and_episode_four_exits_3(series: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "sparkle_motion.cli", *args],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
            env={k: v for k, v in os.environ.items() if k != "SPARKLE_DATABASE_URL"},
        )

    for episode in ("ep01", "ep02", "ep03"):
        done = cli("run", str(series), "--episode", episode, "--json")
        assert done.returncode == 0, done.stderr[-2000:]
        report = json.loads(done.stdout)
        assert report["status"] == "success"
        assert Path(report["outputs"]["video"]).stat().st_size > 0
    add_episode_4(series)
    blocked = cli("run", str(series), "--episode", "ep04", "--json")
    assert blocked.returncode == 3, blocked.stderr
    assert "Rook is dead" in blocked.stderr and "scene s1" in blocked.stderr
    assert "video" not in json.loads(blocked.stdout)["outputs"]
    check = cli("canon", "check", str(series), "--script", "episodes/ep04.script.json")
    assert check.returncode == 3 and "characters.rook.status" in check.stdout
