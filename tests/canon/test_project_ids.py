"""The canon is kept under a project's id: titles may change and repeat, canons stay put.

A project made before projects had ids gets one the first time a ``canon``
command opens it, and the canon it kept under its title comes along. Every
store test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from sparkle_motion.canon.carry_over import carry_over
from sparkle_motion.canon.episodes import EpisodeLog
from sparkle_motion.canon.keys import id_from_title, new_project_id, tenant_project_id
from sparkle_motion.canon.propose import propose_diff
from sparkle_motion.canon.store import CanonStore
from sparkle_motion.cli import main
from sparkle_motion.errors import InvalidArtifact
from sparkle_motion.pipeline.canon_project import open_project_canon
from sparkle_motion.pipeline.init_project import init_project
from sparkle_motion.pipeline.runner import Runner, RunRequest
from sparkle_motion.pipeline.stages import STAGES
from sparkle_motion.registry import Registry
from sparkle_motion.registry.engine import create_index_engine, index_url, migrate
from sparkle_motion.schemas import Canon, Project, Script
from sparkle_motion.service.project_models import ProjectIn, ProjectUpdate
from sparkle_motion.service.projects import ProjectStore
from tests.conftest import ProjectFactory, tiny_project_config, tiny_script

OpenRegistry = Callable[..., Registry]
PLANNING = [s for s in STAGES if s.name in ("write", "safety", "canon_gate")]
CANON = {
    "schema_version": "1.0.0",
    "characters": [{"id": "ann", "name": "Ann"}, {"id": "bo", "name": "Bo"}],
    "locations": [{"id": "kitchen", "name": "Kitchen"}, {"id": "garden", "name": "Garden"}],
}
TINY_ID = id_from_title("Tiny")


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def history(capsys: pytest.CaptureFixture[str], root: Path) -> tuple[dict[str, Any], str]:
    code, out, err = cli(capsys, "canon", "history", str(root), "--json")
    assert code == 0, err
    return json.loads(out), err


def a_new_place(episode: str) -> dict[str, Any]:
    data = tiny_script(episode_id=episode)
    data["scenes"][0]["location"] = "Attic"
    return data


@pytest.mark.parametrize("good", ["tiny", "the-keepers-light-3fa9c2d1", "acme.tea", "a_b", "7"])
def test_a_project_id_is_a_short_slug(good: str) -> None:
    assert Project.from_data({"schema_version": "1.1.0", "title": "T", "id": good}).id == good


@pytest.mark.parametrize("bad", ["", "Tiny", "my show", "-tiny", ".tiny", "tea/leaf", "a" * 129])
def test_anything_else_is_refused_saying_what_an_id_is(bad: str) -> None:
    with pytest.raises(InvalidArtifact, match=r"project\.yaml: \$\.id: .*lower case letters"):
        Project.from_data({"schema_version": "1.1.0", "title": "T", "id": bad}, "project.yaml")


def test_ids_from_titles_are_the_same_for_every_copy_and_always_valid() -> None:
    assert id_from_title("The Keeper's Light") == id_from_title("The Keeper's Light")
    assert id_from_title("The Keeper's Light").startswith("the-keeper-s-light-")
    assert id_from_title("Tom & Jerry") != id_from_title("Tom Jerry")  # one slug, two shows
    assert id_from_title("Café Noir").startswith("cafe-noir-")
    assert id_from_title("夜の港").startswith("show-")
    for made in (id_from_title("x" * 300), new_project_id("Ünïcode ✨ " * 20, "0f0f0f0f")):
        assert Project.from_data({"schema_version": "1.1.0", "title": "T", "id": made}).id
    assert tenant_project_id("acme", "tea") == "acme.tea"


def test_init_gives_every_new_project_its_own_id(tmp_path: Path) -> None:
    ids = []
    for name in ("one", "two"):
        root = init_project(tmp_path / name, title="The Same Title")
        config = yaml.safe_load((root / "project.yaml").read_text())
        assert config["schema_version"] == Project.SCHEMA_VERSION
        ids.append(Project.from_data(config).id)
    assert ids[0] != ids[1]
    assert all(made is not None and made.startswith("the-same-title-") for made in ids)


def test_a_project_without_an_id_gets_one_and_keeps_its_canon_through_a_rename(
    make_project: ProjectFactory, env_database: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(canon=CANON, script=a_new_place("ep01"))
    ep02 = a_new_place("ep02")
    ep02["scenes"][1]["location"] = "Cellar"
    (root / "episodes" / "ep02.script.json").write_text(json.dumps(ep02))
    first = Runner(PLANNING, database_url=env_database).run(RunRequest(project_dir=root))
    assert first.status == "success", first.error
    before = (root / "project.yaml").read_text()

    shown, told = history(capsys, root)
    assert f"'id: {TINY_ID}'" in told and "2 canon snapshot(s)" in told
    assert (root / "project.yaml").read_text() == before + f'id: "{TINY_ID}"\n'
    assert [s["version"] for s in shown["snapshots"]] == [1, 2]
    assert [a["action"] for a in shown["audit"]][-1] == "adopt"

    renamed = before.replace("title: Tiny", "title: Tiny, the Series")
    (root / "project.yaml").write_text(renamed + f'id: "{TINY_ID}"\n')
    again, told = history(capsys, root)
    assert told == "" and again == shown
    later = Runner(PLANNING, database_url=env_database).run(
        RunRequest(project_dir=root, episode_id="ep02")
    )
    assert later.status == "success", later.error
    with open_project_canon(root, env_database) as project:
        assert project.store.project == TINY_ID
        assert [s.episode_id for s in project.store.snapshots()] == [None, "ep01", "ep02"]
        assert [r.episode_id for r in project.episodes.recaps()] == ["ep01", "ep02"]


def test_a_project_yaml_that_cannot_take_the_line_is_left_alone(
    make_project: ProjectFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SPARKLE_DATABASE_URL", raising=False)
    root = make_project(canon=CANON)
    flow = '{schema_version: "1.0.0", title: Tiny}\n'
    (root / "project.yaml").write_text(flow)
    code, _, err = cli(capsys, "canon", "show", str(root))
    assert code == 2 and "SM103" in err and f"add the line 'id: {TINY_ID}'" in err
    assert (root / "project.yaml").read_text() == flow


def test_projects_of_one_title_in_one_database_keep_their_own_canon(
    make_project: ProjectFactory,
    database_url: str | None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    shared = database_url or f"sqlite+pysqlite:///{tmp_path / 'shared.sqlite3'}"
    monkeypatch.setenv("SPARKLE_DATABASE_URL", shared)
    roots = []
    for name, who in (("one", "Ann"), ("two", "Bo")):
        canon = {"schema_version": "1.0.0", "characters": [{"id": "x", "name": who}]}
        roots.append(make_project(name, project=tiny_project_config(id=name), canon=canon))
    for root in roots:
        history(capsys, root)
    for root, who in zip(roots, ("Ann", "Bo"), strict=True):
        code, out, _ = cli(capsys, "canon", "show", str(root), "--json")
        assert code == 0
        assert json.loads(out)["canon"]["characters"][0]["name"] == who


def ticking() -> Callable[[], datetime]:
    moments = iter(range(1, 10_000))
    return lambda: datetime(2030, 1, 1, 12, 0, next(moments) % 60, tzinfo=UTC)


def test_carrying_a_canon_over_copies_all_of_it_once(open_registry: OpenRegistry) -> None:
    engine = open_registry().engine
    old = CanonStore(engine, "Old Title", clock=ticking())
    old.import_canon(Canon.model_validate(CANON), by="Dana", source="canon.json")
    script = Script.model_validate(a_new_place("ep01"))
    head = old.head()
    assert head is not None
    proposal = propose_diff(script, head.canon, canon_hash=head.hash, script_hash="s" * 64)
    old.propose(
        "r" * 64, proposal.diff, proposal.result, head_version=1, episode_id="ep01", run_id="r"
    )
    old.decide("r" * 64, approve=True, by="Lee")
    EpisodeLog(engine, "Old Title").record(script)

    new = CanonStore(engine, "old-title-1", clock=ticking())
    assert carry_over(new, "Old Title", by="test") == 2
    assert new.snapshots() == old.snapshots()
    assert new.head() == old.head()
    assert new.audit()[:-1] == old.audit()
    assert (new.audit()[-1].action, new.audit()[-1].actor) == ("adopt", "test")
    assert new.proposal("r" * 64) == old.proposal("r" * 64)
    assert EpisodeLog(engine, "old-title-1").recaps() == EpisodeLog(engine, "Old Title").recaps()
    assert new.history().origins == old.history().origins

    assert carry_over(new, "Old Title", by="test") == 0  # once only
    assert len(new.audit()) == len(old.audit()) + 1
    assert old.snapshots(), "a copy: another project of that title may still use it"
    elsewhere = CanonStore(engine, "has-one")
    elsewhere.import_canon(Canon.model_validate(CANON), by="Eve", source="canon.json")
    assert carry_over(elsewhere, "Old Title", by="test") == 0  # never over a canon
    assert carry_over(CanonStore(engine, "fresh"), "No Such Title", by="test") == 0


def test_service_projects_keep_their_canon_under_tenant_and_project(tmp_path: Path) -> None:
    engine = create_index_engine(index_url(tmp_path, None))
    migrate(engine)
    store = ProjectStore(engine, tmp_path / "service", lambda: datetime(2030, 1, 1, tzinfo=UTC))
    for tenant, project_id in (("acme", "tea"), ("globex", "teatime")):
        config = {"title": "Tea", "id": "mine"}  # one title, and an id the service overrules
        store.create(tenant, ProjectIn(project_id=project_id, config=config))
        written = yaml.safe_load((store.folder(tenant, project_id) / "project.yaml").read_text())
        assert written["id"] == f"{tenant}.{project_id}" and written["title"] == "Tea"

    # A folder the service wrote before projects had ids: its runs kept the canon by title.
    folder = store.folder("acme", "tea")
    before_ids = {"schema_version": "1.0.0", "title": "Tea"}
    (folder / "project.yaml").write_text(yaml.safe_dump(before_ids))
    with Registry.open(folder / ".sparkle") as registry:
        CanonStore(registry.engine, "Tea").import_canon(
            Canon.model_validate(CANON), by="run", source="canon.json"
        )
    store.update("acme", "tea", ProjectUpdate(config={"title": "Tea, renamed"}))
    assert yaml.safe_load((folder / "project.yaml").read_text())["id"] == "acme.tea"
    with open_project_canon(folder, None) as project:
        assert project.store.project == "acme.tea"
        assert [s.created_by for s in project.store.snapshots()] == ["run"]
