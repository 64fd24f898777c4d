from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from sparkle_motion.adapt.manifest import build_manifest
from sparkle_motion.adapt.shots import MeasuredSpeech, plan_shotlist
from sparkle_motion.schemas import (
    DialogueElement,
    Script,
    ShotList,
    TimingSettings,
    timing_lock_hash,
)
from tests.conftest import tiny_script
from tests.strategies import scripts

TIMING = TimingSettings()


def fake_speech(line: DialogueElement) -> MeasuredSpeech:
    """Speech length from the text alone: enough to test planning without a voice."""
    return MeasuredSpeech(
        seconds=0.4 + 0.06 * len(line.text), sha256=hashlib.sha256(line.text.encode()).hexdigest()
    )


def plan(script: Script, fps: int = 24) -> ShotList:
    return plan_shotlist(script, fps=fps, timing=TIMING, measure=fake_speech)


def dialogue(script: Script) -> list[DialogueElement]:
    return [e for s in script.scenes for e in s.elements if isinstance(e, DialogueElement)]


@given(scripts(), st.sampled_from([24, 25, 30]))
@settings(max_examples=80, deadline=None)
def test_every_line_lands_in_exactly_one_shot_in_script_order(script: Script, fps: int) -> None:
    shotlist = ShotList.from_json(plan(script, fps).to_json())
    placed = [line.line_id for shot in shotlist.shots for line in shot.lines]
    assert placed == [line.id for line in dialogue(script)]
    scene_order = [s.id for s in script.scenes]
    assert [s.scene_id for s in shotlist.shots] == sorted(
        (s.scene_id for s in shotlist.shots), key=scene_order.index
    )


@given(scripts())
@settings(max_examples=80, deadline=None)
def test_durations_respect_limits_and_hold_their_speech(script: Script) -> None:
    shotlist = plan(script)
    for shot in shotlist.shots:
        seconds = shot.frames / shotlist.fps
        speech = max((line.end for line in shot.lines), default=0.0)
        assert seconds >= TIMING.min_shot - 1 / shotlist.fps
        assert seconds <= TIMING.max_shot + 1 / shotlist.fps or speech > TIMING.max_shot - 1
        for line in shot.lines:
            assert 0 <= line.start < line.end <= seconds + 1e-9


@given(scripts())
@settings(max_examples=40, deadline=None)
def test_lock_hash_is_stable_and_follows_every_duration(script: Script) -> None:
    first, second = plan(script), plan(script)
    assert first.timing_lock_hash == second.timing_lock_hash == first.compute_lock()
    pairs = [(s.id, s.frames) for s in first.shots]
    changed = [(pairs[0][0], pairs[0][1] + 1), *pairs[1:]]
    assert timing_lock_hash(first.fps, changed) != first.timing_lock_hash


def test_editing_one_line_changes_only_its_shot() -> None:
    before = plan(Script.from_data(tiny_script()))
    data = tiny_script()
    data["scenes"][0]["elements"][2]["text"] = "Neither. I take it black, like my mornings."
    after = plan(Script.from_data(data))
    changed = {
        a.id
        for a, b in zip(before.shots, after.shots, strict=True)
        if (a.id, a.frames) != (b.id, b.frames)
    }
    assert changed == {"s1-l2"}


def test_templates_are_chosen_and_explained() -> None:
    shotlist = plan(Script.from_data(tiny_script()))
    by_id = {s.id: s for s in shotlist.shots}
    assert by_id["s1-est"].template == "establishing" and by_id["s1-est"].framing == "wide"
    assert by_id["s1-est"].action_beats == ["Ann pours tea."]
    assert by_id["s1-l1"].template == "close_up"  # "Milk or lemon?" is short
    assert by_id["s1-l2"].template == "over_the_shoulder"  # Bo answers Ann
    assert by_id["s1-l2"].characters == ["bo", "ann"]
    assert by_id["s2-l3"].template == "close_up" and "happy" in by_id["s2-l3"].reason
    assert all(s.reason for s in shotlist.shots)


def every_template_script() -> Script:
    data = tiny_script()
    data["scenes"][1]["elements"][0]["id"] = "l9"
    data["scenes"][0]["elements"] = [
        {"type": "action", "id": "a1", "text": "Ann pours tea.", "sfx": ["kettle"]},
        {
            "type": "dialogue",
            "id": "l1",
            "speaker_id": "ann",
            "text": "You look like you have not slept at all.",
        },
        {
            "type": "dialogue",
            "id": "l2",
            "speaker_id": "bo",
            "text": "I was up with the boat until the tide turned.",
        },
        {"type": "action", "id": "a2", "text": "A long pause."},
        {
            "type": "action",
            "id": "a3",
            "text": "Bo slides a brass key across the table.",
            "characters": ["bo"],
            "props": ["brass key"],
        },
        {
            "type": "action",
            "id": "a4",
            "characters": ["ann"],
            "text": "Ann walks the length of the kitchen, past the stove and the dresser, to the "
            "window.",
        },
        {
            "type": "dialogue",
            "id": "l3",
            "speaker_id": "ann",
            "emotion": ["afraid"],
            "text": "Where did you find it?",
        },
        {
            "type": "dialogue",
            "id": "l4",
            "speaker_id": "bo",
            "delivery": "os",
            "text": "Under the floor of the boathouse, wrapped in oilcloth.",
        },
        {
            "type": "dialogue",
            "id": "l5",
            "speaker_id": "ann",
            "text": "Then somebody wanted it hidden from all of us.",
        },
    ]
    return Script.from_data(data)


def test_every_template_appears_where_the_script_calls_for_it() -> None:
    by_id = {s.id: s for s in plan(every_template_script()).shots}
    assert by_id["s1-est"].sfx == ["kettle"]
    assert by_id["s1-l1"].template == "two_shot"
    assert by_id["s1-l2"].template == "over_the_shoulder"
    assert by_id["s1-a2"].template == "hold" and by_id["s1-a2"].movement == "static"
    assert by_id["s1-a2"].frames == round(TIMING.hold * 24)
    assert by_id["s1-a3"].template == "insert" and by_id["s1-a3"].props == ["brass key"]
    assert by_id["s1-a4"].template == "action" and by_id["s1-a4"].movement == "track_right"
    assert by_id["s1-l3"].template == "close_up"
    assert by_id["s1-l3"].expressions == {"ann": "afraid"}
    assert by_id["s1-l3-re"].template == "reaction"
    assert by_id["s1-l3-re"].characters == ["bo"]
    assert by_id["s1-l3-re"].expressions == {"bo": "reacting-afraid"}
    assert by_id["s1-l4"].template == "listener"  # Bo is off screen
    assert by_id["s1-l5"].template == "two_shot"  # Bo's last line was heard, not seen
    assert all(
        s.environment == "Kitchen, interior, day" for s in by_id.values() if s.scene_id == "s1"
    )


def test_far_from_target_is_reported() -> None:
    shotlist = plan_shotlist(
        Script.from_data(tiny_script()),
        fps=24,
        timing=TIMING,
        measure=fake_speech,
        target_duration=120,
    )
    assert shotlist.timing_notes and "target" in shotlist.timing_notes[0]


def test_manifest_lists_every_kind_of_need() -> None:
    script = every_template_script()
    manifest = build_manifest(plan(script), script)
    ids = [n.id for n in manifest.needs]
    assert "background/kitchen/day" in ids and "background/garden/dusk" in ids
    assert {
        "character/ann/close-up-afraid",
        "character/bo/close-up-reacting-afraid",
        "character/bo/over-the-shoulder-speaking",
        "prop/brass key",
        "sfx/kettle",
        "vo/l1",
        "vo/l5",
        "music/calm",
    } <= set(ids)
    kinds = [n.kind for n in manifest.needs]
    assert kinds == sorted(
        kinds, key=["background", "character", "prop", "sfx", "vo_line", "music"].index
    )
    line = next(n for n in manifest.needs if n.id == "vo/l3")
    assert line.text == "Where did you find it?" and line.tags == ["afraid"]
    pack = next(n for n in manifest.needs if n.id == "character/ann/close-up-afraid")
    assert pack.speaker_id == "ann" and pack.tags == ["close_up", "afraid"]
    assert pack.shots == ["s1-l3"]


def test_title_and_end_cards_are_locked_shots_that_need_only_music() -> None:
    from sparkle_motion.schemas import CardSettings

    script = Script.from_data(tiny_script())
    shotlist = plan_shotlist(
        script,
        fps=24,
        timing=TIMING,
        measure=fake_speech,
        cards=CardSettings(title_seconds=2.0),
        show_title="Teatime",
    )
    first, last = shotlist.shots[0], shotlist.shots[-1]
    assert (first.id, first.framing, first.frames) == ("title-card", "card", 48)
    assert first.action_beats == ["Teatime\nTiny"]
    same = plan_shotlist(
        script, fps=24, timing=TIMING, measure=fake_speech, cards=CardSettings(), show_title="Tiny"
    )
    assert same.shots[0].action_beats == ["Tiny"]  # a title the episode shares shows once
    assert (last.id, last.template, last.action_beats) == ("end-card", "end_card", ["The End"])
    assert shotlist.compute_lock() == shotlist.timing_lock_hash
    needs = build_manifest(shotlist, script).needs
    assert not [n for n in needs if "title-card" in n.shots and n.kind != "music"]
    without = plan_shotlist(
        script,
        fps=24,
        timing=TIMING,
        measure=fake_speech,
        cards=CardSettings(title=False, end=False),
    )
    assert [s.id for s in without.shots] == [s.id for s in shotlist.shots[1:-1]]
