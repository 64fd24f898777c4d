"""Context packs for writers, and full-text recall over past episodes."""

from __future__ import annotations

from sparkle_motion.canon.context import build_context_pack, last_recap
from sparkle_motion.canon.episodes import recap_of
from sparkle_motion.canon.recall import Passage, recall, script_passages
from sparkle_motion.schemas import Canon, EpisodeRecap, Script
from tests.conftest import tiny_script

CANON = Canon.model_validate(
    {
        "schema_version": "1.0.0",
        "characters": [
            {
                "id": "mara",
                "name": "Mara",
                "whereabouts": [{"at": {"episode": 2, "scene": 1}, "location": "harbour"}],
            },
            {"id": "elias", "name": "Elias"},
            {"id": "zed", "name": "Zed"},
        ],
        "locations": [
            {"id": "harbour", "name": "Harbour"},
            {"id": "lamp-room", "name": "Lamp room"},
            {"id": "far-away", "name": "Far away"},
        ],
        "objects": [{"id": "lens", "name": "Lens", "owner": "mara", "location": "lamp-room"}],
        "relationships": [
            {"a": "mara", "b": "elias", "kind": "granddaughter"},
            {"a": "zed", "b": "far-away", "kind": "exile"},
        ],
        "persistent_states": [
            {"subject": "mara", "key": "mood", "value": "restless"},
            {"subject": "zed", "key": "mood", "value": "grim"},
        ],
        "timeline_events": [
            {"id": f"e{n}", "at": {"episode": 1, "scene": n}, "kind": "talk", "subjects": ["mara"]}
            for n in range(1, 31)
        ]
        + [{"id": "zed-left", "at": {"episode": 1}, "kind": "exile", "subjects": ["zed"]}],
        "world_rules": [{"id": "light", "text": "The light never goes out."}],
    }
)


def test_the_pack_holds_the_focus_its_relations_and_recent_events() -> None:
    recaps = [
        EpisodeRecap(episode_id="ep01", number=1, summary="One.", unresolved_threads=["a"]),
        EpisodeRecap(episode_id="ep02", number=2, summary="Two.", unresolved_threads=["b", "c"]),
        EpisodeRecap(episode_id="ep04", number=4, summary="Later."),
    ]
    pack = build_context_pack(
        CANON, "c" * 64, episode_id="ep03", focus=["mara"], recaps=recaps, max_events=5
    )
    assert [c.id for c in pack.characters] == ["mara", "elias"]
    assert {loc.id for loc in pack.locations} == {"harbour", "lamp-room"}
    assert [o.id for o in pack.objects] == ["lens"]
    assert [(r.a, r.b) for r in pack.relationships] == [("mara", "elias")]
    assert [s.value for s in pack.persistent_states] == ["restless"]
    assert [e.id for e in pack.events] == ["e26", "e27", "e28", "e29", "e30"]
    assert [r.id for r in pack.world_rules] == ["light"]
    assert pack.last_episode is not None and pack.last_episode.episode_id == "ep02"
    assert pack.unresolved_threads == ["b", "c"]
    assert pack.canon_hash == "c" * 64


def test_the_last_recap_is_the_latest_earlier_episode() -> None:
    recaps = [EpisodeRecap(episode_id=f"ep0{n}", number=n) for n in (3, 1, 2)]
    assert last_recap(recaps, "ep03").episode_id == "ep02"  # type: ignore[union-attr]
    assert last_recap(recaps, "ep01") is None


def test_recall_ranks_passages_by_bm25_and_ignores_query_syntax() -> None:
    passages = [
        Passage("ep01", "s1", "Mara fixes the lens with copper wire."),
        Passage("ep01", "s2", "The wire, the wire, the copper wire everywhere."),
        Passage("ep02", None, "A storm; nobody mentions anything."),
    ]
    hits = recall(passages, 'copper "wire" OR NOT')
    assert [h.scene_id for h in hits] == ["s2", "s1"]
    assert hits[0].score >= hits[1].score
    assert recall(passages, "  ") == []
    assert recall(passages, "unicorn") == []


def test_recaps_and_passages_come_from_the_script() -> None:
    data = tiny_script(title_page={"Summary": "Tea and roses.", "Unresolved threads": "x; y"})
    script = Script.model_validate(data)
    recap = recap_of(script)
    assert (recap.summary, recap.unresolved_threads, recap.number) == (
        "Tea and roses.",
        ["x", "y"],
        1,
    )
    passages = script_passages(script)
    assert [p.scene_id for p in passages] == ["s1", "s2"]
    assert "Ann: Milk or lemon?" in passages[0].text
    plain = recap_of(Script.model_validate(tiny_script()))
    assert plain.summary == "Ann pours tea. Garden"
