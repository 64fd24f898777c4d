"""Script → ShotList: shot templates and locked timing. Pure.

The templates, in the order the planner considers them:

- ``establishing``: a wide shot at the start of every scene, carrying the
  scene's opening action; slow push-in outside, slow pan inside.
- ``hold``: an action that is only a pause ("Beat.", "A long pause.",
  "Silence.") holds on the characters present, without camera movement.
- ``insert``: an action that names props (or names nobody) is a close look
  at the thing, with a slow push-in.
- ``action``: other action is a medium shot of the characters it names;
  a long action (twelve words or more) gets a slow track to follow it.
- ``listener``: a line spoken off screen (voice-over, radio, off-screen)
  frames the characters who hear it, never the unseen speaker.
- ``close_up``: a line with an emotion tag, or a short line (fewer than
  six words), framed on its speaker alone with a gentle push-in.
- ``over_the_shoulder``: in a scene with two characters, a line that answers
  the other character's line is seen over the listener's shoulder.
- ``two_shot``: any other line in a scene where exactly two characters are present.
- ``medium``: any other line, framed on the speaker.
- ``reaction``: after a line with an emotion tag, a short close-up of the
  first listener present.

Every shot records who is in frame with an expression (the speaker's
emotion, "listening", "reacting-<emotion>", "acting", "idle"), the
environment, the action beats, props and sound effects it shows, and its
lines. Dialogue shots last as long as their measured speech plus lead-in
and tail; action shots take their length from the number of words in their
beats; holds and reactions have configured lengths; everything is clamped to
the project's min and max shot length and rounded up to whole frames.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sparkle_motion.schemas import (
    ActionElement,
    CardSettings,
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
_TRACK_WORDS = 12
_HOLD = re.compile(r"^(a\s+)?(long\s+)?(beat|pause|silence)\.?$", re.IGNORECASE)
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
        self.environment = (
            f"{scene.location}, {'interior' if scene.interior else 'exterior'}, {scene.time_of_day}"
        )
        self.shots: list[Shot] = []
        self.last_speaker: str | None = None

    def _add(self, shot_id: str, seconds: float, **fields: object) -> None:
        self.shots.append(
            Shot.model_validate(
                {
                    "id": shot_id,
                    "scene_id": self.scene.id,
                    "scene_index": self.index,
                    "frames": _frames(seconds, self.fps),
                    "location": self.scene.location,
                    "location_key": self.scene.location_key(),
                    "interior": self.scene.interior,
                    "time_of_day": self.scene.time_of_day,
                    "environment": self.environment,
                    "music_mood": self.mood,
                    "background_ref": self.scene.background,
                    **fields,
                }
            )
        )

    def establishing(self, opening: list[ActionElement]) -> None:
        beats = [element.text for element in opening]
        seconds = max(self.timing.establishing, _action_seconds(beats, self.timing))
        self._add(
            f"{self.scene.id}-est",
            _clamp(seconds, self.timing),
            framing="wide",
            movement="pan_right" if self.scene.interior else "push_in",
            characters=self.present,
            expressions=dict.fromkeys(self.present, "idle"),
            action_beats=beats,
            props=[p for element in opening for p in element.props],
            sfx=[s for element in opening for s in element.sfx],
            template="establishing",
            reason=f"opens scene {self.scene.id} at {self.scene.location}",
        )

    def action(self, element: ActionElement) -> None:
        shot_id = f"{self.scene.id}-{element.id}"
        common = {
            "action_beats": [element.text],
            "props": list(element.props),
            "sfx": list(element.sfx),
        }
        if _HOLD.match(element.text.strip()):
            self._add(
                shot_id,
                _clamp(self.timing.hold, self.timing),
                framing="two_shot" if len(self.present) == 2 else "medium",
                movement="static",
                characters=self.present,
                expressions=dict.fromkeys(self.present, "still"),
                template="hold",
                reason="a silent beat: hold on the characters",
                **common,
            )
        elif element.props or not element.characters:
            what = ", ".join(element.props) if element.props else "the action"
            self._add(
                shot_id,
                _action_seconds([element.text], self.timing),
                framing="insert",
                movement="push_in",
                template="insert",
                reason=f"key action: a close look at {what}",
                **common,
            )
        else:
            long_action = len(element.text.split()) >= _TRACK_WORDS
            self._add(
                shot_id,
                _action_seconds([element.text], self.timing),
                framing="medium",
                movement="track_right" if long_action else "static",
                characters=list(element.characters),
                expressions=dict.fromkeys(element.characters, "acting"),
                template="action",
                reason=f"action of {', '.join(element.characters)}"
                + ("; a long beat, so the camera tracks" if long_action else ""),
                **common,
            )

    def _line_framing(self, element: DialogueElement) -> tuple[str, str, str, str, list[str]]:
        """(framing, movement, template, reason, characters) for one line."""
        words = len(element.text.split())
        speaker = element.speaker_id
        others = [who for who in self.present if who != speaker]
        if _offscreen(element):
            framing = "two_shot" if len(self.present) == 2 else "medium"
            return (
                framing,
                "static",
                "listener",
                f"{element.delivery} line: the unseen speaker is heard, the listeners seen",
                list(self.present),
            )
        if element.emotion or words < _SHORT_LINE_WORDS:
            reason = (
                f"emotion {', '.join(element.emotion)}"
                if element.emotion
                else f"short line ({words} words)"
            )
            return "close_up", "push_in", "close_up", reason, [speaker]
        if len(self.present) == 2 and speaker in self.present:
            if self.last_speaker in others:
                return (
                    "over_the_shoulder",
                    "static",
                    "over_the_shoulder",
                    f"answers {self.last_speaker}: seen over the listener's shoulder",
                    [speaker, *others],
                )
            return (
                "two_shot",
                "static",
                "two_shot",
                "exchange between the two characters present",
                list(self.present),
            )
        return "medium", "static", "medium", "line framed on its speaker", [speaker]

    def line(self, element: DialogueElement) -> None:
        speech = self.measure(element)
        framing, movement, template, reason, characters = self._line_framing(element)
        expression = element.emotion[0] if element.emotion else "speaking"
        expressions = {
            who: expression if who == element.speaker_id else "listening" for who in characters
        }
        seconds = _clamp(self.timing.lead_in + speech.seconds + self.timing.tail, self.timing)
        seconds = max(seconds, self.timing.lead_in + speech.seconds)
        start = self.timing.lead_in
        end = min(start + speech.seconds, _frames(seconds, self.fps) / self.fps)
        self._add(
            f"{self.scene.id}-{element.id}",
            seconds,
            framing=framing,
            movement=movement,
            characters=characters,
            expressions=expressions,
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
        if not _offscreen(element):
            self.last_speaker = element.speaker_id
        listeners = [who for who in self.present if who != element.speaker_id]
        if element.emotion and listeners:
            self._add(
                f"{self.scene.id}-{element.id}-re",
                _clamp(self.timing.reaction, self.timing),
                framing="close_up",
                movement="static",
                characters=[listeners[0]],
                expressions={listeners[0]: f"reacting-{element.emotion[0]}"},
                template="reaction",
                reason=f"{listeners[0]} takes in the {element.emotion[0]} line",
            )

    def plan(self) -> list[Shot]:
        elements = list(self.scene.elements)
        opening: list[ActionElement] = []
        while elements:
            first = elements[0]
            if not isinstance(first, ActionElement) or first.props or _HOLD.match(first.text):
                break
            opening.append(first)
            elements.pop(0)
        self.establishing(opening)
        for element in elements:
            if isinstance(element, DialogueElement):
                self.line(element)
            else:
                self.action(element)
        return self.shots


def _card(
    script: Script, which: str, text: str, seconds: float, fps: int, mood: str, scene_index: int
) -> Shot:
    return Shot(
        id=f"{which}-card",
        scene_id=which,
        scene_index=scene_index,
        frames=_frames(seconds, fps),
        framing="card",
        movement="static",
        location=text,
        location_key=f"{which}-card",
        interior=True,
        time_of_day="day",
        environment=f"{which} card",
        action_beats=[text],
        music_mood=mood,
        template=f"{which}_card",
        reason=f"the {which} card from the project's cards settings",
    )


def plan_shotlist(
    script: Script,
    *,
    fps: int,
    timing: TimingSettings,
    measure: SpeechMeasure,
    mood: str = "calm",
    target_duration: float | None = None,
    cards: CardSettings | None = None,
    show_title: str = "",
) -> ShotList:
    """Plan every scene's shots; ``measure`` gives each line's speech length.

    With ``cards``, a title card (the show's title over the episode's) opens
    the episode and an end card closes it; both are ordinary locked shots.
    """
    shots: list[Shot] = []
    for index, scene in enumerate(script.scenes):
        shots.extend(_ScenePlanner(scene, index, fps, timing, measure, mood).plan())
    first_mood = script.scenes[0].music_mood or mood
    last_mood = script.scenes[-1].music_mood or mood
    if cards is not None and cards.title:
        titles = dict.fromkeys(t for t in (show_title, script.title) if t)  # once each
        text = "\n".join(titles) or script.episode_id
        shots.insert(0, _card(script, "title", text, cards.title_seconds, fps, first_mood, 0))
    if cards is not None and cards.end:
        shots.append(
            _card(
                script,
                "end",
                cards.end_text,
                cards.end_seconds,
                fps,
                last_mood,
                len(script.scenes) - 1,
            )
        )
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
