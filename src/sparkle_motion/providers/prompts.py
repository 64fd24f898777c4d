"""Motion prompts: versioned templates, filled verbatim from what a shot says about itself.

A template has a name, a version, the model it was written for and its text
with ``{slots}``. Filling it puts the shot's own words in (its action, who is
in it, its framing and camera move, the place and light) and nothing else: no
rewording, no invention, so the same shot and template always ask the same
thing. The template is stored in the registry beside every request that used
it, and the request records the template's hash.
"""

from __future__ import annotations

from sparkle_motion.schemas import PROMPT_SLOTS, PromptTemplate, Shot

__all__ = ["DEFAULT_TEMPLATE", "fill_prompt", "prompt_slots"]

_LIGHT = {
    "day": "daylight",
    "dawn": "low warm dawn light",
    "dusk": "low amber dusk light",
    "night": "night, lamplight",
}
_CAMERA = {
    "static": "a locked-off camera",
    "push_in": "a slow push in",
    "pull_out": "a slow pull out",
    "pan_left": "a slow pan to the left",
    "pan_right": "a slow pan to the right",
    "tilt_up": "a slow tilt up",
    "tilt_down": "a slow tilt down",
    "track_left": "a slow track to the left",
    "track_right": "a slow track to the right",
}


def prompt_slots(shot: Shot, names: dict[str, str], style: str) -> dict[str, str]:
    """The words a template may use, every one taken from the shot (or the project's style)."""
    who = [names.get(c, c) for c in shot.characters]
    slots = {
        "action": " ".join(shot.action_beats) or shot.environment or shot.location,
        "characters": ", ".join(who) if who else "no one",
        "framing": shot.framing.replace("_", " "),
        "camera": _CAMERA.get(shot.movement, shot.movement.replace("_", " ")),
        "location": shot.location,
        "setting": "interior" if shot.interior else "exterior",
        "lighting": _LIGHT.get(shot.time_of_day, shot.time_of_day),
        "style": style,
    }
    return {name: slots[name] for name in PROMPT_SLOTS}


DEFAULT_TEMPLATE = PromptTemplate.new(
    name="storyboard-motion",
    version=1,
    model="*",
    text=(
        "{framing} shot, {setting} {location}, {lighting}. {characters}. {action} "
        "Camera: {camera}. Keep the composition of the reference frame. Style: {style}."
    ),
)


def fill_prompt(template: PromptTemplate, shot: Shot, names: dict[str, str], style: str) -> str:
    """The template with the shot's words in it."""
    text = template.text.format(**prompt_slots(shot, names, style)).strip()
    return text[:1].upper() + text[1:]
