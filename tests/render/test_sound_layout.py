"""The episode's sound laid out scene by scene: what shapes a scene's mix, and its cache."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sparkle_motion.audio.dialogue import Dialogue
from sparkle_motion.render.sound_layout import scene_layouts
from sparkle_motion.render.sound_passes import read_dialogue, read_measured
from sparkle_motion.schemas import MediaSet, RenderPlan, ShotList
from sparkle_motion.schemas.shotlist import timing_lock_hash
from tests.service.helpers import TINY, kitchen_shot

FPS = 24
RATE = 48000


def _episode(scene_frames: list[list[int]]) -> tuple[ShotList, RenderPlan, MediaSet]:
    """Scenes of shots of the given lengths, each shot with one line a little after its cut."""
    listed: list[dict[str, Any]] = []
    for scene, frames in enumerate(scene_frames):
        for number, length in enumerate(frames):
            shot = f"s{scene}-{number}"
            listed.append(
                kitchen_shot(
                    shot,
                    frames=length,
                    scene=scene,
                    music_mood="warm" if number % 2 else "calm",
                    lines=[
                        {
                            "line_id": f"l-{shot}",
                            "speaker_id": "ann",
                            "text": "Tea.",
                            "start": 0.25,
                            "end": round(length / FPS - 0.1, 3),
                        }
                    ],
                )
            )
    lock = timing_lock_hash(FPS, [(s["id"], s["frames"]) for s in listed])
    shotlist = ShotList.new(episode_id="ep01", fps=FPS, shots=listed, timing_lock_hash=lock)
    plan = RenderPlan.new(
        episode_id="ep01",
        profile=TINY,
        timing_lock_hash=lock,
        seed=7,
        voices={"ann": {"engine": "silent"}},
        cast={"ann": {"name": "Ann", "color": "#d1495b"}},
    )
    voice = MediaSet.new(
        stage="voice",
        items=[
            {"key": s["lines"][0]["line_id"], "sha256": f"{i:064x}", "media_type": "audio/wav"}
            for i, s in enumerate(listed)
        ],
    )
    return shotlist, plan, voice


shot_lengths = st.lists(st.integers(12, 200), min_size=1, max_size=4)


@settings(max_examples=40, deadline=None)
@given(scenes=st.lists(shot_lengths, min_size=2, max_size=5), longer=st.integers(1, 100))
def test_a_scene_s_sound_is_laid_out_from_its_own_start(
    scenes: list[list[int]], longer: int
) -> None:
    """Lengthening the first scene moves the rest in time but not in what shapes their sound."""
    before = scene_layouts(*_episode(scenes), RATE)
    stretched = [[scenes[0][0] + longer, *scenes[0][1:]], *scenes[1:]]
    after = scene_layouts(*_episode(stretched), RATE)
    assert [scene.id for scene in before] == [f"s{n + 1}" for n in range(len(scenes))]
    assert sum(scene.length for scene in before) == round(sum(map(sum, scenes)) / FPS * RATE)
    assert after[0].length > before[0].length
    for was, now in zip(before[1:], after[1:], strict=True):
        assert (was.lines, was.material()) == (now.lines, now.material())
    for scene, frames in zip(before, scenes, strict=True):
        # Each mood's bed spans its shots, counted from the scene's start.
        covered = sorted(span for _, _, spans in scene.beds for span in spans)
        assert covered[0][0] == 0 and covered[-1][1] == scene.length
        assert len(covered) == len(frames)
        assert scene.lines[0][1] == 0.25


def test_scenes_draw_their_music_from_their_own_seed() -> None:
    first, second = scene_layouts(*_episode([[48], [48]]), RATE)
    assert first.seed != second.seed
    again = scene_layouts(*_episode([[96], [48]]), RATE)
    assert [s.seed for s in again] == [first.seed, second.seed]


def test_cached_measurements_that_do_not_read_are_misses() -> None:
    assert read_dialogue(
        {"speech_power": 1.0, "speech_samples": 2, "momentary": [-20.0]}
    ) == Dialogue(1.0, 2, (-20.0,))
    assert read_measured({"momentary": [-20.0, -21.0], "peak_dbfs": -3.0}) == (
        (-20.0, -21.0),
        -3.0,
    )
    for broken in (None, [], {}, {"momentary": 3}, {"momentary": ["x"], "peak_dbfs": 1}):
        assert read_dialogue(broken) is None
        assert read_measured(broken) is None


def test_one_scene_is_laid_out_as_the_episode_lays_it_out() -> None:
    shotlist, plan, voice = _episode([[48, 30], [60], [24, 24]])
    whole = scene_layouts(shotlist, plan, voice, RATE)
    alone = MediaSet.new(stage="voice", items=[i for i in voice.items if "s1-" in i.key])
    assert scene_layouts(shotlist, plan, alone, RATE, only="s2") == [whole[1]]
