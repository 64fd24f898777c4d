"""The approve_canon_diff checkpoint through the runner, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sparkle_motion.canon.store import CanonStore
from sparkle_motion.errors import ApprovalPending, CanonClaimError, GateBlocked, InvalidArtifact
from sparkle_motion.pipeline.canon_project import open_project_canon
from sparkle_motion.pipeline.runner import Runner, RunOutcome, RunRequest
from sparkle_motion.pipeline.runs import record_approval
from sparkle_motion.pipeline.stages import STAGES
from sparkle_motion.registry import Registry
from tests.conftest import ProjectFactory, tiny_project_config, tiny_script

PLANNING = [s for s in STAGES if s.name in ("write", "safety", "canon_gate")]
CANON = {
    "schema_version": "1.0.0",
    "characters": [{"id": "ann", "name": "Ann"}, {"id": "bo", "name": "Bo"}],
    "locations": [{"id": "kitchen", "name": "Kitchen"}, {"id": "garden", "name": "Garden"}],
}


def killing(episode: str = "ep01") -> dict[str, object]:
    data = tiny_script(episode_id=episode)
    data["scenes"][1]["present"] = ["bo"]
    data["scenes"][1]["claims"] = [
        {"kind": "event", "event": "death", "subject": "bo", "element_id": "l3"}
    ]
    return data


def run(root: Path, url: str | None, **request: object) -> RunOutcome:
    return Runner(PLANNING, database_url=url).run(RunRequest(project_dir=root, **request))  # type: ignore[arg-type]


def checkpoints_on() -> dict[str, object]:
    return tiny_project_config(
        human_checkpoints={"approve_shotlist_timing_lock": False, "approve_canon_diff": True}
    )


def test_a_diff_pauses_the_run_and_approval_writes_the_snapshot(
    make_project: ProjectFactory, env_database: str | None
) -> None:
    root = make_project(project=checkpoints_on(), canon=CANON, script=killing())
    paused = run(root, env_database)
    assert paused.status == "paused" and isinstance(paused.error, ApprovalPending)
    assert f"approve {paused.run_id} approve_canon_diff" in str(paused.error)
    before = (root / "canon.json").read_bytes()

    approval = record_approval(root, paused.run_id, "approve_canon_diff", by="Dana", notes="sad")
    assert approval.subject_hash == paused.artifacts["canon_report"]
    assert (root / "canon.json").read_bytes() != before
    written = json.loads((root / "canon.json").read_text())
    bo = next(c for c in written["characters"] if c["id"] == "bo")
    assert bo["status"] == "dead" and bo["died_at"] == {"episode": 1, "scene": 2}

    done = run(root, env_database, resume=paused.run_id)
    assert done.status == "success", done.error
    assert done.artifacts["canon_report"] == paused.artifacts["canon_report"]
    again = run(root, env_database)
    assert again.status == "success", "an applied diff is not asked for again"

    with open_project_canon(root, env_database) as project:
        head = project.store.head()
        audit = project.store.audit()
    assert head is not None and head.info.created_by == "Dana" and head.info.episode_id == "ep01"
    decision = next(a for a in audit if a.action == "approve")
    assert (decision.actor, decision.notes, decision.run_id) == ("Dana", "sad", paused.run_id)


def test_a_rejected_diff_blocks_the_resumed_run_and_leaves_the_canon(
    make_project: ProjectFactory, env_database: str | None
) -> None:
    root = make_project(project=checkpoints_on(), canon=CANON, script=killing())
    paused = run(root, env_database)
    record_approval(root, paused.run_id, "approve_canon_diff", by="Dana", approve=False)
    resumed = run(root, env_database, resume=paused.run_id)
    assert resumed.status == "blocked" and isinstance(resumed.error, GateBlocked)
    assert "rejected by Dana" in str(resumed.error)
    with open_project_canon(root, env_database) as project:
        assert [s.version for s in project.store.snapshots()] == [1]
        assert project.store.audit()[-1].action == "reject"


def test_with_the_checkpoint_off_the_diff_is_applied_at_once(
    make_project: ProjectFactory,
) -> None:
    root = make_project(canon=CANON, script=killing())
    first = run(root, None)
    assert first.status == "success"
    bo = next(
        c for c in json.loads((root / "canon.json").read_text())["characters"] if c["id"] == "bo"
    )
    assert bo["status"] == "dead"
    with open_project_canon(root, None) as project:
        assert project.store.head().info.created_by.startswith("auto")  # type: ignore[union-attr]
    # running the same episode again is judged without its own diff: same report
    assert run(root, None).artifacts["canon_report"] == first.artifacts["canon_report"]


def test_a_dry_run_proposes_but_never_applies(make_project: ProjectFactory) -> None:
    root = make_project(canon=CANON, script=killing())
    before = (root / "canon.json").read_bytes()
    planned = run(root, None, dry_run=True)
    assert planned.status == "success"
    assert (root / "canon.json").read_bytes() == before
    with open_project_canon(root, None) as project:
        assert [s.version for s in project.store.snapshots()] == [1]


def test_a_hand_edit_of_canon_json_is_imported_and_a_bad_one_changes_nothing(
    make_project: ProjectFactory,
) -> None:
    root = make_project(canon=CANON)
    assert run(root, None).status == "success"
    canon = json.loads((root / "canon.json").read_text())
    canon["characters"][0]["age"] = 30
    (root / "canon.json").write_text(json.dumps(canon))
    assert run(root, None).status == "success"
    with open_project_canon(root, None) as project:
        head = project.store.head()
        assert head is not None and head.canon.character("ann").age == 30  # type: ignore[union-attr]
        versions = [s.version for s in project.store.snapshots()]
    (root / "canon.json").write_text('{"schema_version": "1.0.0", "characters": [{"id": 5}]}')
    with pytest.raises(InvalidArtifact, match=r"canon\.json: \$\.characters\[0\]\.id"):
        run(root, None)
    with Registry.open(root / ".sparkle") as registry:
        assert [s.version for s in CanonStore(registry.engine, "Tiny").snapshots()] == versions


def test_approval_re_runs_the_gate_when_the_canon_moved_since_the_proposal(
    make_project: ProjectFactory,
) -> None:
    speaking = tiny_script(episode_id="ep02")
    speaking["scenes"][0]["location"] = "Attic"  # something for ep02's own diff to add
    root = make_project(project=checkpoints_on(), canon=CANON, script=killing())
    (root / "episodes" / "ep02.script.json").write_text(json.dumps(speaking))
    first = run(root, None, episode_id="ep01")
    second = run(root, None, episode_id="ep02")
    assert first.status == second.status == "paused"
    record_approval(root, first.run_id, "approve_canon_diff", by="Dana")
    with pytest.raises(GateBlocked, match="now contradicts it: Bo is dead since episode 1"):
        record_approval(root, second.run_id, "approve_canon_diff", by="Dana")
    with open_project_canon(root, None) as project:
        assert [s.episode_id for s in project.store.snapshots()] == [None, "ep01"]


def test_a_malformed_claim_fails_the_run_and_leaves_the_store_alone(
    make_project: ProjectFactory,
) -> None:
    data = tiny_script()
    data["scenes"][0]["claims"] = [{"kind": "state", "subject": "ann", "key": "age", "value": "?"}]
    root = make_project(canon=CANON, script=data)
    outcome = run(root, None)
    assert outcome.status == "failed" and isinstance(outcome.error, CanonClaimError)
    assert "ep01.script.json: $.scenes[0].claims[0].value" in str(outcome.error)
    with Registry.open(root / ".sparkle") as registry:
        assert CanonStore(registry.engine, "Tiny").snapshots() == []
