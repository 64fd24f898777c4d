"""A re-render after a one-line edit: only what the line touches is made again, and the
result is the very file a fresh render of the edited script gives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ProjectFactory, tiny_script
from tests.e2e.test_cli_runs import run_json, sha256

pytestmark = pytest.mark.slow


def _edited(script: dict[str, Any]) -> dict[str, Any]:
    changed = json.loads(json.dumps(script))
    changed["scenes"][1]["elements"][0]["text"] = "The red roses came back."
    return changed


def _metrics(report: dict[str, Any]) -> dict[str, float]:
    assembly = Path(report["outputs"]["render_output"]).with_name("assembly.json")
    return dict(json.loads(assembly.read_text())["metrics"])


def _stage(report: dict[str, Any], name: str) -> dict[str, Any]:
    summary = json.loads(Path(report["outputs"]["run_summary"]).read_text())
    return dict(next(s for s in summary["stages"] if s["stage"] == name))


def test_a_one_line_edit_remakes_its_scene_and_matches_a_fresh_render(
    make_project: ProjectFactory,
) -> None:
    script = tiny_script()
    project = make_project("show", script=script)
    first = _metrics(run_json(project))
    assert first["sound_scenes_mixed"] == first["sound_scenes"]  # a new project mixes them all
    assert first["mix_integrated_lufs"] == pytest.approx(-16.0, abs=0.25)  # the scenes joined
    assert first["mix_sample_peak_db"] <= -2.5 + 0.05  # under the limiter's ceiling

    (project / "episodes" / "ep01.script.json").write_text(json.dumps(_edited(script)))
    again = run_json(project)
    sound = _metrics(again)
    assert sound["sound_scenes"] == first["sound_scenes"] >= 3  # cards and the script's scenes
    # The levels set across the episode stayed in their step (an edit that moves one
    # remixes every scene: choose a smaller one if the voices change) ...
    for level in ("mix_gain_db", "mix_dialogue_rms_db"):
        assert sound[level] == first[level], level
    # ... so the other scenes' sound came from the cache.
    assert sound["sound_scenes_mixed"] == 1
    clips = _stage(again, "clips")
    assert clips["cache_misses"] == 1 and clips["cache_hits"] >= 3  # the edited line's shot

    fresh = run_json(make_project("fresh", script=_edited(script)))
    for name in ("video", "captions_srt", "captions_vtt"):
        assert sha256(Path(again["outputs"][name])) == sha256(Path(fresh["outputs"][name])), name


def test_sparse_dialogue_and_a_silent_scene_still_land_on_the_target(
    make_project: ProjectFactory,
) -> None:
    """Music carries most of this episode: the gain guessed from the dialogue misses, and
    the scenes are mixed again at the corrected gain until the whole lands."""
    script = tiny_script()
    script["scenes"][0]["elements"] = [
        {"type": "action", "id": "a1", "text": "Rain on the window. " * 6},
        {"type": "dialogue", "id": "l1", "speaker_id": "ann", "text": "Tea?"},
        {"type": "action", "id": "a2", "text": "Bo does not answer. The kettle cools. " * 4},
    ]
    script["scenes"][1]["elements"] = [
        {"type": "action", "id": "a3", "text": "The garden, empty, at dusk. " * 5}
    ]
    report = run_json(make_project("sparse", script=script))
    sound = _metrics(report)
    assert sound["mix_integrated_lufs"] == pytest.approx(-16.0, abs=0.25)
    assert sound["sound_scenes_mixed"] > sound["sound_scenes"]  # a second pass was needed
    output = json.loads(Path(report["outputs"]["render_output"]).read_text())
    assert output["qa"]["passed"]
    assert output["loudness"]["true_peak_dbtp"] <= -1.5
