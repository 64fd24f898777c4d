"""Project: the creator's ``project.yaml``."""

from __future__ import annotations

import math
import re
from typing import ClassVar, Literal

from pydantic import Field, computed_field, field_validator, model_validator

from sparkle_motion.errors import ProjectError
from sparkle_motion.schemas.base import Artifact, Model

__all__ = [
    "ESPEAK_VOICE",
    "HUMAN_CHECKPOINTS",
    "ROUTED_TASKS",
    "CaptionSettings",
    "CardSettings",
    "CostPolicy",
    "MusicSettings",
    "Project",
    "ProviderLimits",
    "QASettings",
    "RenderProfile",
    "RightsOverride",
    "RouteClass",
    "SafetySettings",
    "TimingSettings",
    "VoiceSetting",
    "builtin_profiles",
]

HUMAN_CHECKPOINTS: tuple[str, ...] = (
    "approve_canon_diff",
    "approve_shotlist_timing_lock",
    "approve_external_spend",
    "approve_character_packs",
)


class RenderProfile(Model):
    name: str
    width: int = Field(1280, ge=64, le=7680)
    height: int = Field(720, ge=64, le=4320)
    fps: int = Field(24, ge=1, le=120)
    loudness_lufs: float = Field(-16.0, ge=-40.0, le=-5.0)
    true_peak_dbtp: float = Field(-1.5, ge=-12.0, le=0.0)
    audio_sample_rate: int = 48000
    allow_placeholders: bool = True
    burn_captions: bool = False
    slate: bool = True
    crf: int = Field(20, ge=0, le=51)
    preset: str = "veryfast"
    provider: str | None = Field(
        None,
        description="an hq profile's generator (a provider plugin's name): `sparkle-motion "
        "upgrade` replaces shots' clips with its clips; None for the local preview",
    )
    provider_options: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="passed to the provider (e.g. its model)"
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def aspect(self) -> str:
        """The picture's shape as a ratio of whole numbers, e.g. ``16:9``."""
        divisor = math.gcd(self.width, self.height)
        return f"{self.width // divisor}:{self.height // divisor}"

    @model_validator(mode="after")
    def _even_size(self) -> RenderProfile:
        if self.width % 2 or self.height % 2:
            raise ValueError("width and height must be even numbers for H.264 (yuv420p)")
        return self


def builtin_profiles() -> dict[str, RenderProfile]:
    return {
        "preview_local": RenderProfile(name="preview_local"),
        "preview_small": RenderProfile(name="preview_small", width=640, height=360, crf=23),
    }


# An espeak-ng voice name: a language and an optional variant ("en-us", "en-gb+f3");
# never an option (it goes on espeak-ng's command line).
ESPEAK_VOICE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_+-]{0,63}")


class VoiceSetting(Model):
    """A speaker's voice: the bundled piper voice, an espeak-ng voice (when espeak-ng is
    installed: ``model`` names it, e.g. ``en-gb+f3``), or silence for timing only."""

    engine: Literal["piper", "espeak", "silent"] = "piper"
    model: str = "joe"
    length_scale: float = Field(1.0, ge=0.5, le=2.0)
    pitch_semitones: float = Field(0.0, ge=-12.0, le=12.0)
    volume_db: float = Field(0.0, ge=-30.0, le=12.0)

    @model_validator(mode="before")
    @classmethod
    def _espeak_default_voice(cls, data: object) -> object:
        """An espeak speaker without a model speaks espeak-ng's American English voice."""
        if isinstance(data, dict) and data.get("engine") == "espeak" and "model" not in data:
            return {**data, "model": "en-us"}
        return data

    @model_validator(mode="after")
    def _espeak_voice_name(self) -> VoiceSetting:
        if self.engine == "espeak" and not ESPEAK_VOICE.fullmatch(self.model):
            raise ValueError(
                f"model {self.model!r} is not an espeak-ng voice name "
                '(a language and an optional variant, e.g. "en-us" or "en-gb+f3")'
            )
        return self


class TimingSettings(Model):
    lead_in: float = Field(0.35, ge=0.0, le=5.0)
    tail: float = Field(0.45, ge=0.0, le=5.0)
    min_shot: float = Field(1.5, gt=0.0, le=60.0)
    max_shot: float = Field(12.0, gt=0.0, le=600.0)
    establishing: float = Field(3.0, gt=0.0, le=30.0)
    hold: float = Field(2.0, gt=0.0, le=30.0)
    reaction: float = Field(1.5, gt=0.0, le=30.0)
    seconds_per_action_word: float = Field(0.32, gt=0.0, le=5.0)

    @model_validator(mode="after")
    def _ordered(self) -> TimingSettings:
        if self.min_shot > self.max_shot:
            raise ValueError("min_shot must not exceed max_shot")
        return self


class CaptionSettings(Model):
    max_chars_per_line: int = Field(42, ge=10, le=80)
    max_lines: int = Field(2, ge=1, le=4)
    max_chars_per_second: float = Field(20.0, gt=0.0, le=60.0)
    min_duration: float = Field(0.83, ge=0.0, le=10.0)
    min_gap_frames: int = Field(2, ge=0, le=24)


class QASettings(Model):
    """How close the render must come to its targets, and which failed quality checks may
    still publish (recorded in the QA report)."""

    allow_failures: list[str] = Field(default_factory=list)
    loudness_tolerance_lu: float = Field(1.0, gt=0.0, le=10.0)
    true_peak_tolerance_db: float = Field(0.5, ge=0.0, le=6.0)


class CardSettings(Model):
    """The title card before the first scene and the end card after the last."""

    title: bool = True
    end: bool = True
    title_seconds: float = Field(2.5, gt=0.0, le=30.0)
    end_seconds: float = Field(2.5, gt=0.0, le=30.0)
    end_text: str = "The End"


class MusicSettings(Model):
    enabled: bool = True
    mood: str = "calm"
    level_db: float = Field(-20.0, ge=-60.0, le=0.0)
    duck_db: float = Field(12.0, ge=0.0, le=40.0)


class RoomToneSettings(Model):
    """A soft, steady hiss under the whole episode, so silences sound like a place."""

    enabled: bool = False
    level_db: float = Field(-40.0, ge=-80.0, le=-10.0)


class RightsOverride(Model):
    """Lets one local asset through without a usable licence sidecar, on record."""

    asset: str = Field(min_length=1)
    approver: str = Field(min_length=1)
    reason: str = ""


class SafetySettings(Model):
    """The text policy the ``safety`` stage checks scripts against."""

    default_terms: bool = True
    terms: dict[str, list[str]] = Field(default_factory=dict)
    allow: list[str] = Field(default_factory=list)


ROUTED_TASKS: tuple[str, ...] = ("video", "image", "tts", "lipsync")
"""The kinds of work a route can be set for: a provider's ``kind``."""

RouteClass = Literal["always_local", "prefer_local", "external_only"]


class ProviderLimits(Model):
    """How much one provider may be asked at once; held for every process sharing the
    registry database (one project folder on SQLite, the whole fleet on PostgreSQL)."""

    max_concurrent: int | None = Field(None, ge=1, description="jobs in flight at once")
    max_per_minute: int | None = Field(None, ge=1, description="submissions in any minute")


class CostPolicy(Model):
    max_usd_per_episode: float = Field(
        0.0, ge=0.0, description="an upgrade's budget; 0 refuses any external spend"
    )
    max_usd_per_day: float | None = Field(
        None,
        ge=0.0,
        description="the tenant's external spend in one UTC day, across its projects "
        "(those sharing the ledger); None: no daily cap",
    )
    external_spend: Literal["auto", "threshold", "manual"] = Field(
        "manual",
        description="with approve_external_spend on: manual waits for every upgrade's "
        "approval, threshold only when the estimate is above spend_threshold_usd, auto never",
    )
    spend_threshold_usd: float = Field(0.0, ge=0.0)
    providers: dict[str, ProviderLimits] = Field(default_factory=dict)
    routing: dict[str, RouteClass] = Field(
        default_factory=dict,
        description="per kind of work (video, image, tts, lipsync): always_local never "
        "dispatches it to an external provider, external_only never to a local one; "
        "prefer_local (the default) takes a local provider when one is configured",
    )

    @field_validator("routing")
    @classmethod
    def _known_tasks(cls, value: dict[str, RouteClass]) -> dict[str, RouteClass]:
        unknown = sorted(set(value) - set(ROUTED_TASKS))
        if unknown:
            raise ValueError(f"unknown task {unknown[0]!r}; known: {', '.join(ROUTED_TASKS)}")
        return value

    def route(self, task: str) -> RouteClass:
        return self.routing.get(task, "prefer_local")


_PROJECT_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,127}$")


class Project(Artifact):
    KIND: ClassVar[str] = "project"
    SCHEMA_VERSION: ClassVar[str] = "1.1.0"  # 1.1: ``id``

    id: str | None = Field(
        None,
        pattern=_PROJECT_ID.pattern,
        description="The project's stable identity (lower case letters, digits, '.', '-' and "
        "'_'; up to 128 characters): what its canon is kept under, so the title can change.",
    )
    title: str = Field(min_length=1)
    genre: str = ""
    visual_style: str = "flat storyboard"
    target_duration: float = Field(60.0, gt=0.0, le=7200.0)
    seed: int = 0
    render_profiles: list[str] = Field(default_factory=lambda: ["preview_local"], min_length=1)
    profiles: dict[str, RenderProfile] = Field(default_factory=dict)
    continuity_mode: Literal["strict", "lenient"] = "strict"
    cost_policy: CostPolicy = CostPolicy()
    human_checkpoints: dict[str, bool] = Field(
        default_factory=lambda: dict.fromkeys(HUMAN_CHECKPOINTS, True)
    )
    safety_mode: Literal["fail_closed", "warn_only"] = "fail_closed"
    safety: SafetySettings = SafetySettings()
    writer: Literal["template", "llm"] = "template"
    voices: dict[str, VoiceSetting] = Field(default_factory=dict)
    timing: TimingSettings = TimingSettings()
    captions: CaptionSettings = CaptionSettings()
    music: MusicSettings = MusicSettings()
    room_tone: RoomToneSettings = RoomToneSettings()
    cards: CardSettings = CardSettings()
    qa: QASettings = QASettings()
    library_roots: list[str] = Field(default_factory=list)
    rights_overrides: list[RightsOverride] = Field(default_factory=list)

    @field_validator("id", mode="before")
    @classmethod
    def _id_form(cls, value: object) -> object:
        if isinstance(value, str) and not _PROJECT_ID.fullmatch(value):
            # Said without the value: error messages are folded to lower case.
            raise ValueError(
                "not a project id: use 1 to 128 lower case letters, digits, '.', '-' or '_', "
                "starting with a letter or digit (e.g. my-show)"
            )
        return value

    @field_validator("human_checkpoints")
    @classmethod
    def _known_checkpoints(cls, value: dict[str, bool]) -> dict[str, bool]:
        unknown = sorted(set(value) - set(HUMAN_CHECKPOINTS))
        if unknown:
            raise ValueError(
                f"unknown human checkpoint {unknown[0]!r}; known: {', '.join(HUMAN_CHECKPOINTS)}"
            )
        return {name: value.get(name, True) for name in HUMAN_CHECKPOINTS}

    @model_validator(mode="after")
    def _profiles_exist(self) -> Project:
        known = {**builtin_profiles(), **self.profiles}
        for name in self.render_profiles:
            if name not in known:
                raise ValueError(
                    f"render profile {name!r} is neither built in ({', '.join(builtin_profiles())})"
                    " nor defined under profiles"
                )
        return self

    def profile(self, name: str | None = None) -> RenderProfile:
        known = {**builtin_profiles(), **self.profiles}
        chosen = name or self.render_profiles[0]
        if chosen not in known:
            raise ProjectError(
                f"no render profile {chosen!r}; known: {', '.join(sorted(known))}",
                where="--profile",
                hint="pick one of those, or define it under profiles in project.yaml",
            )
        profile = known[chosen]
        return profile if profile.name == chosen else profile.model_copy(update={"name": chosen})

    def checkpoint_enabled(self, name: str) -> bool:
        return self.human_checkpoints.get(name, True)
