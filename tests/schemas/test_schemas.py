from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings

import sparkle_motion.schemas as schemas
from sparkle_motion.errors import InvalidArtifact, UnsupportedSchemaVersion
from sparkle_motion.schemas import (
    ARTIFACT_TYPES,
    Canon,
    Project,
    Script,
    canonical_json,
    json_schemas,
)
from tests.conftest import EXAMPLE, REPO, tiny_script
from tests.strategies import scripts


@given(scripts())
@settings(max_examples=60, deadline=None)
def test_script_round_trips_through_canonical_json(script: Script) -> None:
    data = script.to_json()
    again = Script.from_json(data)
    assert again == script
    assert again.to_json() == data


# Built once: exporting every type's schema and checking it take longer than a deadline.
SCRIPT_VALIDATOR = jsonschema.Draft202012Validator(json_schemas()["script.schema.json"])


@given(scripts())
@settings(max_examples=30, deadline=None)
def test_scripts_validate_against_the_exported_schema(script: Script) -> None:
    SCRIPT_VALIDATOR.validate(json.loads(script.to_json()))


def test_canonical_json_sorts_keys_and_fixes_floats() -> None:
    assert canonical_json({"b": 1, "a": 0.1 + 0.2}) == b'{"a":0.3,"b":1}'
    assert canonical_json({"x": -0.0000001}) == b'{"x":0.0}'
    with pytest.raises(ValueError, match="finite"):
        canonical_json({"x": float("nan")})


def test_missing_required_field_names_file_path_and_reason() -> None:
    data = tiny_script()
    del data["scenes"][0]["location"]
    with pytest.raises(InvalidArtifact) as info:
        Script.from_data(data, source="episodes/ep01.script.json")
    line = str(info.value)
    assert "\n" not in line
    assert "episodes/ep01.script.json" in line
    assert "$.scenes[0].location" in line
    assert "field required" in line


def test_older_major_is_rejected_with_a_migration_hint() -> None:
    with pytest.raises(UnsupportedSchemaVersion) as info:
        Script.from_data(tiny_script(schema_version="0.9.0"), source="x.json")
    assert "older major" in str(info.value)
    assert "migrating" in str(info.value)


def test_newer_major_is_rejected_and_newer_minor_accepted_with_unknown_fields() -> None:
    with pytest.raises(UnsupportedSchemaVersion, match="newer"):
        Script.from_data(tiny_script(schema_version="2.0.0"))
    script = Script.from_data(tiny_script(schema_version="1.4.0", lens="anamorphic"))
    assert script.schema_version == "1.4.0"


@pytest.mark.parametrize("text", [b"{", b"[]", b'{"schema_version": "one"}', b"\xff\xfe"])
def test_malformed_documents_are_one_line_input_errors(text: bytes) -> None:
    with pytest.raises(InvalidArtifact) as info:
        Script.from_json(text, source="bad.json")
    assert "bad.json" in str(info.value) and "\n" not in str(info.value)


def test_unknown_speaker_is_rejected() -> None:
    data = tiny_script()
    data["scenes"][0]["elements"][1]["speaker_id"] = "zed"
    with pytest.raises(InvalidArtifact, match="zed"):
        Script.from_data(data)


def test_every_artifact_type_rejects_missing_schema_version() -> None:
    for kind, cls in ARTIFACT_TYPES.items():
        with pytest.raises(InvalidArtifact, match="schema_version"):
            cls.from_data({}, source=kind)


def test_project_defaults_turn_every_human_checkpoint_on() -> None:
    project = Project.from_data({"schema_version": "1.0.0", "title": "New"})
    assert all(project.human_checkpoints.values())
    assert project.profile().name == "preview_local"


def test_project_refuses_unknown_profile_and_checkpoint() -> None:
    with pytest.raises(InvalidArtifact, match="render profile"):
        Project.from_data({"schema_version": "1.0.0", "title": "x", "render_profiles": ["imax"]})
    with pytest.raises(InvalidArtifact, match="approve_everything"):
        Project.from_data(
            {
                "schema_version": "1.0.0",
                "title": "x",
                "human_checkpoints": {"approve_everything": True},
            }
        )


def test_example_canon_and_script_validate() -> None:
    canon = Canon.from_json((EXAMPLE / "canon.json").read_bytes())
    assert {c.id for c in canon.characters} == {"mara", "elias", "osei"}
    Script.from_json((EXAMPLE / "episodes" / "ep01.script.json").read_bytes())


def test_committed_json_schemas_are_current() -> None:
    """CI fails when a schema changed without `sparkle-motion schemas export schemas/`."""
    committed = REPO / "schemas"
    for name, schema in json_schemas().items():
        path = committed / name
        assert path.is_file(), f"{name} is not exported; run: sparkle-motion schemas export schemas"
        assert json.loads(path.read_text(encoding="utf-8")) == json.loads(canonical_json(schema)), (
            f"{name} is stale; run: sparkle-motion schemas export schemas"
        )
    assert sorted(p.name for p in committed.glob("*.schema.json")) == sorted(json_schemas())


def test_public_surface_is_complete() -> None:
    public = {name for name in dir(schemas) if not name.startswith("_")}
    modules = {
        "assets",
        "base",
        "canon",
        "export",
        "output",
        "project",
        "prompts",
        "run",
        "script",
        "shotlist",
        "story",
        "safety",
        "annotations",
    }
    assert public - modules == set(schemas.__all__)


def test_schema_files_are_valid_json_schema() -> None:
    for schema in json_schemas().values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_module_has_no_io() -> None:
    source = "".join(p.read_text() for p in Path(schemas.__file__).parent.glob("*.py"))
    for forbidden in ("open(", "read_text", "read_bytes", "subprocess", "os.environ"):
        assert forbidden not in source


def test_documents_of_the_previous_minor_versions_still_read() -> None:
    from sparkle_motion.schemas import RenderOutput, RenderPlan, RunManifest

    plan = RenderPlan.from_data(
        {
            "schema_version": "1.0.0",
            "episode_id": "ep01",
            "profile": {"name": "preview_local"},
            "timing_lock_hash": "0" * 64,
            "seed": 7,
        }
    )
    assert plan.captions.max_lines == 2 and plan.qa.loudness_tolerance_lu == 1.0
    assert RenderPlan.SCHEMA_VERSION == "1.1.0"
    manifest = RunManifest.from_data(
        {
            "schema_version": "1.0.0",
            "run_id": "r1",
            "project_dir": "/p",
            "episode_id": "ep01",
            "profile": "preview_local",
        }
    )
    assert manifest.waiting_for is None
    file = {"uri": "ep01.mp4", "sha256": "1" * 64, "media_type": "video/mp4"}
    stems = [{**file, "uri": f"ep01.{n}.wav"} for n in ("voice", "music", "effects")]
    output = RenderOutput.from_data(
        {
            "schema_version": "1.0.0",
            "episode_id": "ep01",
            "profile": "preview_local",
            "timing_lock_hash": "0" * 64,
            "status": "complete",
            "video": file,
            "captions_srt": file,
            "captions_vtt": file,
            "stems": stems,
            "duration_seconds": 1.0,
            "frames": 24,
            "loudness": {
                "integrated_lufs": -16.0,
                "true_peak_dbtp": -2.0,
                "target_lufs": -16.0,
                "target_true_peak_dbtp": -1.5,
            },
            "qa": {"schema_version": "1.0.0", "passed": True},
        }
    )
    effects = output.stem("effects")
    assert effects is not None and effects.uri == "ep01.effects.wav"
