"""``sparkle-motion canon ...`` in-process: show, history, diff, import, export, check, context."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sparkle_motion.canon.canon_file import read_canon
from sparkle_motion.cli import main
from sparkle_motion.pipeline import canon_project
from sparkle_motion.schemas import Canon
from tests.conftest import ProjectFactory, tiny_project_config, tiny_script

CANON = {
    "schema_version": "1.0.0",
    "characters": [{"id": "ann", "name": "Ann", "aliases": ["Annie"]}, {"id": "bo", "name": "Bo"}],
}


@pytest.fixture(autouse=True)
def _sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPARKLE_DATABASE_URL", raising=False)


@pytest.fixture
def make_project(make_project: ProjectFactory) -> ProjectFactory:
    """Projects with an id, as ``init`` makes them (test_project_ids has those without)."""

    def make(*args: object, **kwargs: object) -> Path:
        kwargs.setdefault("project", tiny_project_config(id="tiny"))
        return make_project(*args, **kwargs)

    return make


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_export_import_round_trip_byte_for_byte(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = make_project(canon=CANON)
    out = tmp_path / "exported.json"
    assert cli(capsys, "canon", "export", str(root), "--out", str(out))[0] == 0
    code, text, _ = cli(capsys, "canon", "import", str(root), str(out), "--by", "Dana")
    assert code == 0 and "already the head" in text
    again = tmp_path / "again.json"
    cli(capsys, "canon", "export", str(root), "--out", str(again))
    assert again.read_bytes() == out.read_bytes()
    code, shown, _ = cli(capsys, "canon", "export", str(root), "--out", "-")
    assert code == 0 and shown.encode() == out.read_bytes()


def test_import_history_show_and_diff(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = make_project(canon=CANON)
    edited = json.loads(json.dumps(CANON))
    edited["characters"][1]["age"] = 9
    edited["locations"] = [{"id": "garden", "name": "Garden"}]
    source = tmp_path / "edited.json"
    source.write_text(json.dumps(edited))
    code, text, err = cli(capsys, "canon", "import", str(root), str(source), "--by", "Dana")
    assert code == 0, err
    assert "snapshot 2" in text and "1 added, 0 modified" not in text
    assert json.loads((root / "canon.json").read_text())["locations"][0]["id"] == "garden"

    code, text, _ = cli(capsys, "canon", "history", str(root), "--json")
    history = json.loads(text)
    assert [s["version"] for s in history["snapshots"]] == [1, 2]
    assert [(a["actor"], a["action"]) for a in history["audit"]][-1] == ("Dana", "import")

    code, text, _ = cli(capsys, "canon", "diff", "1", "2", "-p", str(root))
    assert code == 0
    assert "+ characters.bo.age = 9" in text and "+ locations.garden" in text

    code, text, _ = cli(capsys, "canon", "diff", "head~1", "head", "-p", str(root), "--json")
    diff = json.loads(text)
    assert {c["path"] for c in diff["added"]} == {"characters.bo.age", "locations.garden"}

    code, text, _ = cli(capsys, "canon", "show", str(root), "--json")
    assert json.loads(text)["snapshot"]["version"] == 2
    code, text, _ = cli(capsys, "canon", "show", str(root), "--snapshot", "1")
    assert code == 0 and "snapshot 1" in text and "Annie" in text


def test_check_exits_3_on_a_contradiction_and_0_otherwise(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    dead = json.loads(json.dumps(CANON))
    dead["characters"][0].update(status="dead", died_at={"episode": 1, "scene": 1})
    root = make_project(canon=dead)
    script = root / "episodes" / "ep01.script.json"
    code, text, err = cli(capsys, "canon", "check", str(root), "--script", str(script))
    assert code == 3
    assert "BLOCK dead_character at scene s2, line l3" in text
    assert "fact:   characters.ann.status" in text and "repair:" in text
    assert err.startswith("error SM300:")

    code, text, _ = cli(
        capsys, "canon", "check", str(root), "--script", "episodes/ep01.script.json", "--json"
    )
    report = json.loads(text)
    assert code == 3 and not report["passed"] and report["proposed"] is None

    fine = tmp_path / "ep02.script.json"
    fine.write_text(
        json.dumps(
            tiny_script(
                episode_id="ep02",
                characters=[
                    {"speaker_id": "ann", "name": "Ann"},
                    {"speaker_id": "bo", "name": "Bo"},
                ],
                scenes=tiny_script()["scenes"][:1][:],
            )
        )
    )
    data = json.loads(fine.read_text())
    data["scenes"][0]["present"] = ["bo"]
    data["scenes"][0]["elements"] = [data["scenes"][0]["elements"][2]]
    fine.write_text(json.dumps(data))
    code, text, _ = cli(capsys, "canon", "check", str(root), "--script", str(fine))
    assert code == 0 and "passed against canon" in text and "+ locations.kitchen" in text


def test_a_malformed_canon_file_exits_2_and_changes_nothing(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(canon=CANON)
    assert cli(capsys, "canon", "show", str(root))[0] == 0
    (root / "canon.json").write_text('{"schema_version": "1.0.0", "characters": [{"id": "x"}]}')
    code, _, err = cli(capsys, "canon", "import", str(root), str(root / "canon.json"))
    assert code == 2 and "canon.json" in err and "$.characters[0].name" in err
    (root / "canon.json").write_text(json.dumps(CANON))
    code, text, _ = cli(capsys, "canon", "history", str(root), "--json")
    assert [s["version"] for s in json.loads(text)["snapshots"]] == [1]


def test_context_pack_for_the_next_episode(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(canon=CANON)
    from sparkle_motion.pipeline.runner import Runner, RunRequest
    from sparkle_motion.pipeline.stages import STAGES

    planning = [s for s in STAGES if s.name in ("write", "safety", "canon_gate")]
    assert Runner(planning).run(RunRequest(project_dir=root)).status == "success"
    code, text, err = cli(
        capsys,
        "canon",
        "context",
        str(root),
        "--episode",
        "ep02",
        "--focus",
        "ann",
        "--query",
        "roses",
    )
    assert code == 0, err
    pack = json.loads(text)
    assert [c["id"] for c in pack["characters"]] == ["ann"]
    assert pack["last_episode"]["episode_id"] == "ep01"
    assert pack["recall"][0]["scene_id"] == "s2" and "roses" in pack["recall"][0]["text"]


def test_an_unchanged_canon_file_is_known_by_its_bytes_and_any_change_is_read(
    make_project: ProjectFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = make_project(canon=CANON)
    note = root / ".sparkle" / "canon_file.json"
    parsed: list[str] = []

    def counted_read_canon(data: bytes, source: str) -> Canon:
        parsed.append(source)
        return read_canon(data, source)

    monkeypatch.setattr(canon_project, "read_canon", counted_read_canon)

    def versions() -> tuple[list[int], int]:
        """The snapshots, and how often canon.json was parsed to find them."""
        parsed.clear()
        code, text, err = cli(capsys, "canon", "history", str(root), "--json")
        assert code == 0, err
        return [s["version"] for s in json.loads(text)["snapshots"]], len(parsed)

    assert versions() == ([1], 1) and note.is_file()
    assert versions() == ([1], 0)  # the same bytes: not parsed again
    edited = json.loads(json.dumps(CANON))
    edited["characters"][1]["age"] = 9
    (root / "canon.json").write_text(json.dumps(edited))
    assert versions() == ([1, 2], 1)
    note.write_text("{not json")  # a damaged note only means reading canon.json again
    assert versions() == ([1, 2], 1)
    exported = cli(capsys, "canon", "export", str(root), "--snapshot", "1")
    assert exported[0] == 0  # an older snapshot in canon.json is stale: the head comes back
    assert versions() == ([1, 2], 0)  # an exported snapshot is known without parsing it
    assert json.loads((root / "canon.json").read_text())["characters"][1]["age"] == 9
