"""The real CLI as a subprocess: kills and resumes, placeholders, broken input, approvals."""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sparkle_motion.audio.espeak_engine import ESPEAK_RATE, EspeakEngine
from sparkle_motion.audio.voices import Voice
from sparkle_motion.audio.wav import read_wav, to_int16
from tests.conftest import ProjectFactory, cli, run_json, tiny_project_config, tiny_script

pytestmark = pytest.mark.slow

# Stages that report per-item progress are killed after their first item;
# the others right after their begin checkpoint.
KILL_POINTS = {
    "write": "write:0",
    "safety": "safety:0",
    "canon_gate": "canon_gate:0",
    "shotlist": "shotlist:1",
    "asset_manifest": "asset_manifest:0",
    "resolve": "resolve:0",
    "frames": "frames:1",
    "voice": "voice:1",
    "clips": "clips:1",
    "assemble": "assemble:1",
    "qa": "qa:0",
    "finalize": "finalize:0",
}
LICENSE = "license_type: cc0\nattribution: Tests\nredistributable: true\n"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def outputs_fingerprint(report: dict[str, Any]) -> dict[str, str]:
    prints = dict(report["artifacts"])
    for name in ("video", "captions_srt", "captions_vtt"):
        prints[name] = sha256(Path(report["outputs"][name]))
    return prints


def test_killing_any_stage_then_resuming_gives_the_uninterrupted_bytes(
    make_project: ProjectFactory,
) -> None:
    baseline = outputs_fingerprint(run_json(make_project("straight")))
    project = make_project("killed")
    run_id: str | None = None
    for stage, point in KILL_POINTS.items():
        args = ["run", str(project), "--json"] + (["--resume", run_id] if run_id else [])
        killed = cli(*args, env={"SPARKLE_FAILPOINT": point})
        assert killed.returncode == -signal.SIGKILL, f"{stage}: {killed.stderr[-1500:]}"
        runs = sorted((project / ".sparkle" / "runs").iterdir())
        run_id = runs[0].name
        checkpoint = json.loads((runs[0] / "checkpoints" / f"{stage}.json").read_text())
        assert checkpoint["status"] == "begin", stage
    assert run_id is not None
    final = run_json(project, "--resume", run_id)
    assert final["run_id"] == run_id and final["status"] == "success"
    assert outputs_fingerprint(final) == baseline
    manifest = json.loads((project / ".sparkle" / "runs" / run_id / "manifest.json").read_text())
    skipped = {e["stage"] for e in manifest["events"] if e["event"] == "skipped"}
    assert skipped == set(KILL_POINTS) - {"finalize"}


def test_a_deleted_asset_becomes_a_flagged_placeholder(make_project: ProjectFactory) -> None:
    script = tiny_script()
    script["scenes"][1]["background"] = "assets/locations/garden/dusk.png"
    plate = (
        Path(__file__).resolve().parents[2]
        / "examples"
        / "lighthouse"
        / "assets"
        / "locations"
        / "cliff-path"
        / "dusk.png"
    )
    project = make_project(
        script=script,
        extra={
            "assets": {
                "locations": {
                    "garden": {"dusk.png": plate.read_bytes(), "dusk.png.license.yaml": LICENSE}
                }
            }
        },
    )
    with_asset = run_json(project)
    plan = json.loads(
        Path(with_asset["outputs"]["render_output"]).parent.joinpath("render_plan.json").read_text()
    )
    [garden] = [a for a in plan["assets"] if a["need_id"] == "background/garden/dusk"]
    assert garden["source"] == "local" and garden["license"]["license_type"] == "cc0"

    (project / "assets" / "locations" / "garden" / "dusk.png").unlink()
    report = run_json(project)
    artifacts = Path(report["outputs"]["render_output"]).parent
    plan = json.loads((artifacts / "render_plan.json").read_text())
    [garden] = [a for a in plan["assets"] if a["need_id"] == "background/garden/dusk"]
    assert garden["placeholder"] is True and "missing" in garden["note"]
    output = json.loads((artifacts / "render_output.json").read_text())
    assert output["status"] == "degraded"
    assert output["placeholders"] == ["background/garden/dusk"]
    assert Path(report["outputs"]["video"]).is_file()


def registry_snapshot(project: Path) -> dict[str, tuple[Any, ...]]:
    with sqlite3.connect(project / ".sparkle" / "registry.sqlite3") as db:
        rows = db.execute("SELECT hash, kind, schema_version, params, size FROM artifacts")
        return {row[0]: row[1:] for row in rows}


def break_json(project: Path) -> None:
    (project / "episodes" / "ep01.script.json").write_text('{"schema_version": "1.0.0",')


def break_field(project: Path) -> None:
    script = tiny_script()
    del script["scenes"][0]["elements"][1]["text"]
    (project / "episodes" / "ep01.script.json").write_text(json.dumps(script))


def break_major(project: Path) -> None:
    (project / "episodes" / "ep01.script.json").write_text(
        json.dumps(tiny_script(schema_version="2.0.0"))
    )


def break_path(project: Path) -> None:
    script = tiny_script()
    script["scenes"][0]["background"] = "../../../etc/passwd"
    (project / "episodes" / "ep01.script.json").write_text(json.dumps(script))


def break_project_yaml(project: Path) -> None:
    (project / "project.yaml").write_text("title: [unclosed\n")


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (break_json, "not valid JSON"),
        (break_field, "$.scenes[0].elements[1].dialogue.text: field required"),
        (break_major, "newer than this Sparkle Motion reads"),
        (break_path, "outside the project folder"),
        (break_project_yaml, "not valid YAML"),
    ],
)
def test_broken_input_exits_2_with_one_line_and_loses_nothing(
    make_project: ProjectFactory,
    breakage: Any,
    expected: str,
) -> None:
    # silent voices: planning needs only the speech's length, and this test needs no sound
    silent = {"engine": "silent"}
    project = make_project(project=tiny_project_config(voices={"ann": silent, "bo": silent}))
    run_json(project, "--dry-run")
    before = registry_snapshot(project)
    blobs = {p: sha256(p) for p in (project / ".sparkle" / "objects").rglob("*") if p.is_file()}
    breakage(project)
    done = cli("run", str(project))
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("error ")]
    assert len(lines) == 1 and expected in lines[0], done.stderr
    after = registry_snapshot(project)
    assert {k: after[k] for k in before} == before
    assert all(sha256(p) == digest for p, digest in blobs.items())


def test_dry_run_plans_without_rendering(make_project: ProjectFactory) -> None:
    report = run_json(make_project(), "--dry-run")
    assert set(report["artifacts"]) == {
        "script",
        "safety_report",
        "canon_report",
        "shotlist",
        "asset_manifest",
        "render_plan",
    }
    assert "video" not in report["outputs"]


def test_a_new_project_pauses_for_approval_then_renders(tmp_path: Path) -> None:
    project = tmp_path / "new-show"
    assert cli("init", str(project)).returncode == 0
    paused = cli("run", str(project), "--json", "--profile", "preview_small")
    assert paused.returncode == 4, paused.stderr
    run_id = json.loads(paused.stdout)["run_id"]
    assert f"sparkle-motion approve {run_id} approve_shotlist_timing_lock" in paused.stderr
    approved = cli(
        "approve", run_id, "approve_shotlist_timing_lock", "--by", "Dana", "--project", str(project)
    )
    assert approved.returncode == 0, approved.stderr
    resumed = run_json(project, "--resume", run_id, "--profile", "preview_small")
    assert resumed["status"] == "success" and Path(resumed["outputs"]["video"]).is_file()

    listed = cli("runs", "list", str(project))
    assert run_id in listed.stdout and "success" in listed.stdout
    shown = json.loads(cli("runs", "show", str(project), run_id).stdout)
    assert shown["manifest"]["approvals"][0]["by"] == "Dana"
    assert shown["summary"]["status"] == "success"

    output_hash = resumed["artifacts"]["render_output"]
    record = json.loads(cli("artifacts", "show", output_hash[:10], "-p", str(project)).stdout)
    assert record["kind"] == "render_output" and record["content"]["status"] == "complete"
    chain = json.loads(cli("artifacts", "lineage", output_hash, "-p", str(project)).stdout)
    kinds = [entry["kind"] for entry in chain]
    assert kinds[0] == "render_output"
    assert {"script", "shotlist", "render_plan", "project", "source/episode"} <= set(kinds)


def test_a_dead_character_blocks_the_run_before_rendering(make_project: ProjectFactory) -> None:
    canon = {
        "schema_version": "1.0.0",
        "characters": [
            {"id": "ann", "name": "Ann", "status": "dead", "died_at": {"episode": 0}},
            {"id": "bo", "name": "Bo"},
        ],
    }
    project = make_project(canon=canon)
    done = cli("run", str(project), "--json")
    assert done.returncode == 3, done.stderr
    assert "Ann is dead" in done.stderr and "scene s1" in done.stderr
    assert "video" not in json.loads(done.stdout)["outputs"]


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed here")
def test_a_speaker_given_an_espeak_voice_speaks_with_it(make_project: ProjectFactory) -> None:
    espeak = {"engine": "espeak", "model": "en-gb+f3"}
    report = run_json(make_project(project=tiny_project_config(voices={"bo": espeak})))
    voice = json.loads(Path(report["outputs"]["render_output"]).with_name("voice.json").read_text())
    line = next(item for item in voice["items"] if item["key"] == "l2")  # Bo's line
    digest = line["sha256"]
    spoken = Path(report["outputs"]["video"]).parents[3] / "cache" / "blobs" / digest[:2] / digest
    expected = EspeakEngine().synthesize(
        "Neither, thank you. Just the tea.", Voice(engine="espeak", model="en-gb+f3")
    )
    samples, rate = read_wav(spoken)
    assert rate == ESPEAK_RATE
    assert np.array_equal(to_int16(samples), expected)
