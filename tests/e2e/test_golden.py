"""A golden render: a small fixed episode must always encode to the committed bytes.

A change that alters the picture or the sound on purpose updates the value:
``SPARKLE_UPDATE_GOLDEN=1 python -m pytest tests/e2e/test_golden.py`` — and
the commit says why the render changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, ProjectFactory, run_json, tiny_project_config, tiny_script

pytestmark = pytest.mark.slow

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "render.json"
LICENSE = "license_type: cc0\nattribution: Tests\nredistributable: true\n"


def golden_project(make_project: ProjectFactory) -> Path:
    script = tiny_script()
    script["scenes"][1]["background"] = "assets/locations/garden/dusk.png"
    script["scenes"][0]["elements"].append(
        {
            "type": "dialogue",
            "id": "l4",
            "speaker_id": "bo",
            "delivery": "os",
            "text": "Is the kettle still on?",
        }
    )
    plate = EXAMPLE / "assets" / "locations" / "cliff-path" / "dusk.png"
    return make_project(
        project=tiny_project_config(music={"mood": "warm"}),
        script=script,
        extra={
            "assets": {
                "locations": {
                    "garden": {"dusk.png": plate.read_bytes(), "dusk.png.license.yaml": LICENSE}
                }
            }
        },
    )


def test_the_golden_episode_renders_to_the_committed_bytes(make_project: ProjectFactory) -> None:
    project = golden_project(make_project)
    report = run_json(project)
    output = json.loads(Path(report["outputs"]["render_output"]).read_text())
    shots = json.loads(
        Path(report["outputs"]["render_output"]).with_name("shotlist.json").read_text()
    )["shots"]
    assert len(shots) <= 10
    measured = {
        "mp4": hashlib.sha256(Path(report["outputs"]["video"]).read_bytes()).hexdigest(),
        "srt": hashlib.sha256(Path(report["outputs"]["captions_srt"]).read_bytes()).hexdigest(),
        "frames": output["frames"],
    }
    if os.environ.get("SPARKLE_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(measured, indent=2) + "\n")
    assert measured == json.loads(GOLDEN.read_text())


def test_every_artifact_of_a_run_validates_and_round_trips(make_project: ProjectFactory) -> None:
    import jsonschema

    from sparkle_motion.registry import Registry
    from sparkle_motion.schemas import ARTIFACT_TYPES

    project = golden_project(make_project)
    run_dir = Path(run_json(project)["outputs"]["run_summary"]).parent
    documents = [
        *run_dir.glob("artifacts/*.json"),
        *run_dir.glob("checkpoints/*.json"),
        run_dir / "manifest.json",
        run_dir / "run_summary.json",
    ]
    schemas = Path(__file__).resolve().parents[2] / "schemas"
    kinds_seen = set()
    for path in documents:
        data = json.loads(path.read_bytes())
        kind = {"manifest.json": "run_manifest", "run_summary.json": "run_summary"}.get(
            path.name, "checkpoint" if path.parent.name == "checkpoints" else None
        )
        if kind is None:  # an artifact: the registry knows its kind by its hash
            with Registry.open(project / ".sparkle") as registry:
                kind = registry.record(hashlib.sha256(path.read_bytes()).hexdigest()).kind
        schema = json.loads((schemas / f"{kind}.schema.json").read_text())
        jsonschema.validate(data, schema)
        model = ARTIFACT_TYPES[kind].from_data(data, str(path))
        assert json.loads(model.to_json()) == data, path
        kinds_seen.add(kind)
    assert {
        "script",
        "canon_report",
        "shotlist",
        "asset_manifest",
        "render_plan",
        "media_set",
        "qa_report",
        "render_output",
        "checkpoint",
        "run_manifest",
        "run_summary",
    } <= kinds_seen
