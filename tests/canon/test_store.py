"""The canon store contract: every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from sparkle_motion.canon.propose import propose_diff
from sparkle_motion.canon.store import CanonStore
from sparkle_motion.errors import CanonConflict, InputError, MissingInput
from sparkle_motion.registry import Registry
from sparkle_motion.schemas import Canon, Script
from tests.conftest import tiny_script

OpenRegistry = Callable[..., Registry]


def canon(*characters: dict[str, object]) -> Canon:
    return Canon.model_validate({"schema_version": "1.0.0", "characters": list(characters)})


ANN = {"id": "ann", "name": "Ann"}
BO = {"id": "bo", "name": "Bo"}


def ticking() -> Callable[[], datetime]:
    moments = iter(range(1, 10_000))
    return lambda: datetime(2030, 1, 1, 12, 0, next(moments) % 60, tzinfo=UTC)


@pytest.fixture
def store(open_registry: OpenRegistry) -> CanonStore:
    return CanonStore(open_registry().engine, "Tiny", clock=ticking())


def killing_script(episode: str = "ep02") -> Script:
    data = tiny_script(episode_id=episode)
    data["scenes"][1]["claims"] = [{"kind": "event", "event": "death", "subject": "bo"}]
    data["scenes"][1]["present"] = ["bo"]
    return Script.model_validate(data)


def propose(store: CanonStore, script: Script, subject: str = "r" * 64) -> Canon:
    head = store.head()
    assert head is not None
    proposal = propose_diff(script, head.canon, canon_hash=head.hash, script_hash="s" * 64)
    store.propose(
        subject,
        proposal.diff,
        proposal.result,
        head_version=head.version,
        episode_id=script.episode_id,
        run_id="run-1",
    )
    return proposal.result


def test_imports_make_numbered_content_hashed_snapshots(store: CanonStore) -> None:
    first = store.import_canon(canon(ANN), by="Dana", source="canon.json")
    assert first is not None and first.version == 1 and first.info.parent is None
    assert first.hash == canon(ANN).content_hash()
    assert store.import_canon(canon(ANN), by="Dana", source="canon.json") is None
    second = store.import_canon(canon(ANN, BO), by="Eve", source="canon.json")
    assert second is not None and second.version == 2 and second.info.parent == 1
    assert second.diff is not None and [c.path for c in second.diff.added] == ["characters.bo"]
    assert second.diff.added[0].provenance == {"source": "import of canon.json by Eve"}
    assert [s.version for s in store.snapshots()] == [1, 2]
    assert [(a.actor, a.action, a.version) for a in store.audit()] == [
        ("Dana", "import", 1),
        ("Eve", "import", 2),
    ]


def test_snapshots_are_found_by_version_head_and_hash_prefix(store: CanonStore) -> None:
    with pytest.raises(MissingInput, match="no snapshots yet"):
        store.snapshot("head")
    store.import_canon(canon(ANN), by="Dana", source="canon.json")
    store.import_canon(canon(ANN, BO), by="Dana", source="canon.json")
    assert store.snapshot("head").version == 2
    assert store.snapshot("head~1").version == 1
    assert store.snapshot("v1").version == store.snapshot("1").version == 1
    assert store.snapshot(canon(ANN).content_hash()[:8]).version == 1
    with pytest.raises(MissingInput, match="no canon snapshot"):
        store.snapshot("ffffff")
    with pytest.raises(MissingInput, match="no snapshot 9"):
        store.snapshot("9")
    with pytest.raises(InputError):
        store.snapshot("head~x")


def test_an_approved_diff_becomes_the_head_with_its_audit(store: CanonStore) -> None:
    store.import_canon(canon(ANN, BO), by="Dana", source="canon.json")
    result = propose(store, killing_script())
    assert store.head() is not None and store.head().version == 1  # type: ignore[union-attr]
    at = datetime(2030, 5, 6, 7, 8, 9, tzinfo=UTC)
    snapshot = store.decide("r" * 64, approve=True, by="Lee", notes="ok", at=at)
    assert snapshot is not None and snapshot.version == 2 and snapshot.canon == result
    assert snapshot.info.episode_id == "ep02" and snapshot.info.created_by == "Lee"
    bo = snapshot.canon.character("bo")
    assert bo is not None and bo.status == "dead"
    last = store.audit()[-1]
    assert (last.actor, last.action, last.version, last.notes) == ("Lee", "approve", 2, "ok")
    assert last.at.replace(tzinfo=UTC) == at and last.run_id == "run-1"
    assert last.diff_hash == snapshot.diff.content_hash()  # type: ignore[union-attr]
    proposed = store.proposal("r" * 64)
    assert proposed is not None and proposed.status == "approved"
    with pytest.raises(CanonConflict, match="approved already"):
        store.decide("r" * 64, approve=True, by="Lee")


def test_a_rejected_diff_changes_nothing_but_the_audit(store: CanonStore) -> None:
    store.import_canon(canon(ANN, BO), by="Dana", source="canon.json")
    propose(store, killing_script())
    assert store.decide("r" * 64, approve=False, by="Lee", notes="no") is None
    assert store.head().version == 1  # type: ignore[union-attr]
    assert [a.action for a in store.audit()] == ["import", "propose", "reject"]
    with pytest.raises(MissingInput, match="no canon diff"):
        store.decide("x" * 64, approve=True, by="Lee")


def test_a_diff_applies_to_a_moved_head_unless_its_facts_changed(store: CanonStore) -> None:
    store.import_canon(canon(ANN, BO), by="Dana", source="canon.json")
    propose(store, killing_script("ep02"), subject="a" * 64)
    # a hand edit elsewhere in the canon: the diff still applies
    store.import_canon(canon({**ANN, "age": 30}, BO), by="Dana", source="canon.json")
    moved = store.decide("a" * 64, approve=True, by="Lee")
    assert moved is not None and moved.canon.character("ann").age == 30  # type: ignore[union-attr]
    assert moved.canon.character("bo").status == "dead"  # type: ignore[union-attr]
    # the same death proposed on the old head again now conflicts with the canon
    store.propose(
        "b" * 64,
        store.proposal("a" * 64).diff,  # type: ignore[union-attr]
        store.proposal("a" * 64).result,  # type: ignore[union-attr]
        head_version=1,
        episode_id="ep02",
        run_id="run-2",
    )
    with pytest.raises(CanonConflict):
        store.decide("b" * 64, approve=True, by="Lee")
    assert store.head().version == 3  # type: ignore[union-attr]


def test_snapshots_diffs_and_audit_survive_a_restart(
    open_registry: OpenRegistry, store: CanonStore
) -> None:
    store.import_canon(canon(ANN, BO), by="Dana", source="canon.json")
    propose(store, killing_script())
    store.decide("r" * 64, approve=True, by="Lee")
    store.engine.dispose()

    reopened = CanonStore(open_registry().engine, "Tiny")
    head = reopened.head()
    assert head is not None and head.version == 2 and head.diff is not None
    assert head.hash == head.canon.content_hash()
    assert [c.path for c in head.diff.modified] == ["characters.bo.status"]
    assert [a.action for a in reopened.audit()] == ["import", "propose", "approve"]
    assert reopened.history().origin("characters.bo.status").where.startswith("ep02 scene s2")  # type: ignore[union-attr]


def test_projects_sharing_a_database_keep_their_own_canon(open_registry: OpenRegistry) -> None:
    engine = open_registry().engine
    one, two = CanonStore(engine, "One"), CanonStore(engine, "Two")
    one.import_canon(canon(ANN), by="Dana", source="canon.json")
    assert two.head() is None and two.snapshots() == []
    two.import_canon(canon(BO), by="Dana", source="canon.json")
    assert one.head().canon == canon(ANN)  # type: ignore[union-attr]


def test_the_gate_base_leaves_out_the_episodes_own_snapshots(store: CanonStore) -> None:
    store.import_canon(canon(ANN, BO), by="Dana", source="canon.json")
    propose(store, killing_script("ep02"))
    store.decide("r" * 64, approve=True, by="Lee")
    assert store.gate_base("ep02").version == 1  # type: ignore[union-attr]
    assert store.gate_base("ep03").version == 2  # type: ignore[union-attr]


def test_concurrent_imports_get_distinct_versions(open_registry: OpenRegistry) -> None:
    stores = [CanonStore(open_registry().engine, "Tiny") for _ in range(2)]
    failures: list[BaseException] = []
    start = threading.Barrier(6)

    def work(n: int) -> None:
        start.wait()
        try:
            stores[n % 2].import_canon(
                canon({"id": "ann", "name": f"Ann {n}"}), by=f"p{n}", source="canon.json"
            )
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert [s.version for s in stores[0].snapshots()] == [1, 2, 3, 4, 5, 6]
    parents = [s.parent for s in stores[0].snapshots()]
    assert parents == [None, 1, 2, 3, 4, 5]
