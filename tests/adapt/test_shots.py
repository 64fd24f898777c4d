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
    assert by_id["s1-l2"].template == "two_shot"
    assert by_id["s2-l3"].template == "close_up" and "happy" in by_id["s2-l3"].reason
    assert all(s.reason for s in shotlist.shots)


def test_far_from_target_is_reported() -> None:
    shotlist = plan_shotlist(
        Script.from_data(tiny_script()),
        fps=24,
        timing=TIMING,
        measure=fake_speech,
        target_duration=120,
    )
    assert shotlist.timing_notes and "target" in shotlist.timing_notes[0]


def test_manifest_lists_backgrounds_characters_lines_and_music() -> None:
    script = Script.from_data(tiny_script())
    manifest = build_manifest(plan(script), script)
    ids = [n.id for n in manifest.needs]
    assert "background/kitchen/day" in ids and "background/garden/dusk" in ids
    assert {"character/ann", "character/bo", "vo/l1", "vo/l2", "vo/l3", "music/calm"} <= set(ids)
    line = next(n for n in manifest.needs if n.id == "vo/l3")
    assert line.text == "The roses came back." and line.tags == ["happy"]
