"""Must hold: a blocked term stops a fail_closed run (exit 3, scene and line named);
a warn_only run goes on, records it, and its output is marked not publishable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sparkle_motion.cli import main
from tests.conftest import ProjectFactory, tiny_project_config, tiny_script

SAFETY = {"terms": {"test-slur": ["blorp*", "snorkel wumpus"]}}


def blorp_project(make_project: ProjectFactory, mode: str, name: str = "show") -> Path:
    script = tiny_script()
    script["scenes"][0]["elements"][2]["text"] = "Neither, you blorptastic fool."
    return make_project(
        name, project=tiny_project_config(safety_mode=mode, safety=SAFETY), script=script
    )


def only_run(project: Path) -> Path:
    [run_dir] = (project / ".sparkle" / "runs").iterdir()
    return run_dir


def artifact(run_dir: Path, name: str) -> dict[str, Any]:
    return dict(json.loads((run_dir / "artifacts" / f"{name}.json").read_text()))


def test_fail_closed_stops_the_run_with_exit_3_naming_scene_and_line(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    project = blorp_project(make_project, "fail_closed")
    assert main(["run", str(project), "--dry-run"]) == 3
    error = capsys.readouterr().err
    assert "SM300" in error and "stage safety" in error
    assert "'blorptastic'" in error and "scene s1, line l2" in error
    run_dir = only_run(project)
    report = artifact(run_dir, "safety_report")
    assert report["passed"] is False and report["findings"][0]["line_id"] == "l2"
    assert not (run_dir / "artifacts" / "canon_report.json").exists()  # nothing after it ran
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["status"] == "blocked"


def test_the_default_mode_is_fail_closed(make_project: ProjectFactory) -> None:
    config = tiny_project_config(safety=SAFETY)
    script = tiny_script()
    script["scenes"][1]["elements"][0]["text"] = "A snorkel wumpus!"
    project = make_project(project=config, script=script)
    assert main(["run", str(project), "--dry-run"]) == 3


def test_warn_only_goes_on_and_records_the_finding(make_project: ProjectFactory) -> None:
    project = blorp_project(make_project, "warn_only")
    assert main(["run", str(project), "--dry-run"]) == 0
    run_dir = only_run(project)
    report = artifact(run_dir, "safety_report")
    assert report["mode"] == "warn_only" and report["publishable"] is False
    manifest = json.loads((run_dir / "manifest.json").read_text())
    [event] = [e for e in manifest["events"] if e["stage"] == "safety" and e["event"] == "success"]
    assert "not publishable" in event["detail"]
    log = (run_dir / "logs" / "safety.jsonl").read_text()
    assert "safety_finding" in log and "blorptastic" in log


@pytest.mark.slow
def test_warn_only_renders_the_episode_marked_not_publishable(
    make_project: ProjectFactory,
) -> None:
    flagged = blorp_project(make_project, "warn_only")
    assert main(["run", str(flagged)]) == 0
    output = artifact(only_run(flagged), "render_output")
    assert output["publishable"] is False
    assert (only_run(flagged) / "output" / output["video"]["uri"]).is_file()
    assert output["lineage"]["safety_report"]

    clean = make_project("clean", project=tiny_project_config(safety=SAFETY))
    assert main(["run", str(clean)]) == 0
    assert artifact(only_run(clean), "render_output")["publishable"] is True
