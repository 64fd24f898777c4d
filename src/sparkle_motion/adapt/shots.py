"""Script → ShotList: shot templates and locked timing. Pure.

The templates, in the order the planner considers them:

- ``establishing``: a wide shot at the start of every scene, carrying the
  scene's opening action; slow push-in outside, slow pan inside.
- ``action``: action that comes between lines becomes a medium shot of
  the characters it names (or an insert when it names nobody).
- ``listener``: a line spoken off screen (voice-over, radio, off-screen)
  frames the characters who hear it, never the unseen speaker.
- ``close_up``: a line with an emotion tag, or a short line (fewer than
  six words), framed on its speaker alone with a gentle push-in.
- ``two_shot``: a line in a scene where exactly two characters are present.
- ``medium``: any other line, framed on the speaker.

Dialogue shots last as long as their measured speech plus lead-in and
tail; action shots take their length from the number of words in their
beats; everything is clamped to the project's min and max shot length and
rounded up to whole frames.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sparkle_motion.schemas import (
    ActionElement,
    DialogueElement,
    Scene,
    Script,
    Shot,
    ShotLine,
    ShotList,
    TimingSettings,
    timing_lock_hash,
)

__all__ = ["MeasuredSpeech", "SpeechMeasure", "plan_shotlist"]

_SHORT_LINE_WORDS = 6
OFFSCREEN_DELIVERIES = frozenset({"vo", "os", "radio", "phone", "offscreen"})
_TARGET_TOLERANCE = 0.10


@dataclass(frozen=True)
class MeasuredSpeech:
    """How long a line takes to say, and the hash of the audio that says it."""

    seconds: float
    sha256: str | None = None


SpeechMeasure = Callable[[DialogueElement], MeasuredSpeech]


def _frames(seconds: float, fps: int) -> int:
    return max(1, math.ceil(round(seconds * fps, 6)))


def _clamp(seconds: float, timing: TimingSettings) -> float:
    return min(max(seconds, timing.min_shot), timing.max_shot)


def _action_seconds(beats: Sequence[str], timing: TimingSettings) -> float:
    words = sum(len(beat.split()) for beat in beats)
    return _clamp(words * timing.seconds_per_action_word, timing)


def _offscreen(line: DialogueElement) -> bool:
    return (line.delivery or "").lower().replace(".", "") in OFFSCREEN_DELIVERIES


def _present(scene: Scene) -> list[str]:
    """Who is seen in the scene: listed, acting, or speaking on screen."""
    present = list(scene.present)
    for element in scene.elements:
        if isinstance(element, DialogueElement):
            seen = [] if _offscreen(element) else [element.speaker_id]
        else:
            seen = list(element.characters)
        present.extend(who for who in seen if who not in present)
    return present


class _ScenePlanner:
    def __init__(
        self,
        scene: Scene,
        index: int,
        fps: int,
        timing: TimingSettings,
        measure: SpeechMeasure,
        mood: str,
    ) -> None:
        self.scene = scene
        self.index = index
        self.fps = fps
        self.timing = timing
        self.measure = measure
        self.mood = scene.music_mood or mood
        self.present = _present(scene)
        self.shots: list[Shot] = []

    def _shot(self, shot_id: str, frames: int, **fields: object) -> Shot:
        return Shot.model_validate(
            {
                "id": shot_id,
                "scene_id": self.scene.id,
                "scene_index": self.index,
                "frames": frames,
                "location": self.scene.location,
                "location_key": self.scene.location_key(),
                "interior": self.scene.interior,
                "time_of_day": self.scene.time_of_day,
                "music_mood": self.mood,
                "background_ref": self.scene.background,
                **fields,
            }
        )

    def establishing(self, beats: list[str]) -> None:
        seconds = max(self.timing.establishing, _action_seconds(beats, self.timing))
        self.shots.append(
            self._shot(
                f"{self.scene.id}-est",
                _frames(_clamp(seconds, self.timing), self.fps),
                framing="wide",
                movement="pan_right" if self.scene.interior else "push_in",
                characters=self.present,
                action_beats=beats,
                template="establishing",
                reason=f"opens scene {self.scene.id} at {self.scene.location}",
            )
        )

    def action(self, element: ActionElement) -> None:
        framing = "medium" if element.characters else "insert"
        self.shots.append(
            self._shot(
                f"{self.scene.id}-{element.id}",
                _frames(_action_seconds([element.text], self.timing), self.fps),
                framing=framing,
                movement="static" if framing == "medium" else "push_in",
                characters=list(element.characters),
                action_beats=[element.text],
                template="action",
                reason="action between lines"
                + (
                    " naming " + ", ".join(element.characters)
                    if element.characters
                    else " naming nobody"
                ),
            )
        )

    def line(self, element: DialogueElement, beats: list[str]) -> None:
        speech = self.measure(element)
        words = len(element.text.split())
        if _offscreen(element):
            framing = "two_shot" if len(self.present) == 2 else "medium"
            movement, template = "static", "listener"
            reason = f"{element.delivery} line: the unseen speaker is heard, the listeners seen"
            characters = list(self.present)
        elif element.emotion or words < _SHORT_LINE_WORDS:
            framing, movement, template = "close_up", "push_in", "close_up"
            reason = (
                f"emotion {', '.join(element.emotion)}"
                if element.emotion
                else f"short line ({words} words)"
            )
            characters = [element.speaker_id]
        elif len(self.present) == 2:
            framing, movement, template = "two_shot", "static", "two_shot"
            reason = "exchange between the two characters present"
            characters = list(self.present)
        else:
            framing, movement, template = "medium", "static", "medium"
            reason = "line framed on its speaker"
            characters = [element.speaker_id]
        seconds = _clamp(self.timing.lead_in + speech.seconds + self.timing.tail, self.timing)
        seconds = max(seconds, self.timing.lead_in + speech.seconds)
        frames = _frames(seconds, self.fps)
        start = self.timing.lead_in
        end = min(start + speech.seconds, frames / self.fps)
        self.shots.append(
            self._shot(
                f"{self.scene.id}-{element.id}",
                frames,
                framing=framing,
                movement=movement,
                characters=characters,
                action_beats=beats,
                lines=[
                    ShotLine(
                        line_id=element.id,
                        speaker_id=element.speaker_id,
                        text=element.text,
                        start=round(start, 6),
                        end=round(end, 6),
                        delivery=element.delivery,
                        emotion=list(element.emotion),
                        speech_sha256=speech.sha256,
                    )
                ],
                template=template,
                reason=reason,
            )
        )

    def plan(self) -> list[Shot]:
        elements = list(self.scene.elements)
        opening: list[str] = []
        while elements and isinstance(elements[0], ActionElement):
            opening.append(elements.pop(0).text)
        self.establishing(opening)
        for element in elements:
            if isinstance(element, DialogueElement):
                self.line(element, [])
            else:
                self.action(element)
        return self.shots


def plan_shotlist(
    script: Script,
    *,
    fps: int,
    timing: TimingSettings,
    measure: SpeechMeasure,
    mood: str = "calm",
    target_duration: float | None = None,
) -> ShotList:
    """Plan every scene's shots; ``measure`` gives each line's speech length."""
    shots: list[Shot] = []
    for index, scene in enumerate(script.scenes):
        shots.extend(_ScenePlanner(scene, index, fps, timing, measure, mood).plan())
    notes: list[str] = []
    total = sum(s.frames for s in shots) / fps
    if target_duration is not None:
        drift = (total - target_duration) / target_duration
        if abs(drift) > _TARGET_TOLERANCE:
            notes.append(
                f"total {total:.2f} s is {drift:+.0%} from the target {target_duration:.2f} s: "
                "the script's speech and action set the length"
                + ("; add scenes or lines" if drift < 0 else "; trim lines or raise the target")
            )
    return ShotList.new(
        episode_id=script.episode_id,
        fps=fps,
        shots=shots,
        timing_lock_hash=timing_lock_hash(fps, ((s.id, s.frames) for s in shots)),
        target_duration=target_duration,
        timing_notes=notes,
    )
