"""What each FAL model takes and what it costs: pure functions over a request.

FAL runs many image-to-video models behind one queue; each has its own input
schema and price, published on its model page (``fal.ai/models/<model id>``).
The ones Sparkle Motion knows are listed here with what those pages say; any
other model id is sent the same shape as the default one (a prompt, an
``image_url`` and a ``duration``), and its estimate is marked as a guess.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any

from sparkle_motion.errors import ProviderFatal
from sparkle_motion.providers.contract import Capabilities, ClipRequest, CostEstimate
from sparkle_motion.providers.fal.options import DEFAULT_MODEL, FalOptions

__all__ = [
    "KNOWN_MODELS",
    "ModelProfile",
    "capabilities",
    "clip_seconds",
    "estimate",
    "model_input",
    "profile_for",
]


@dataclass(frozen=True)
class ModelProfile:
    model: str
    durations: tuple[int, ...]  # the clip lengths it makes, in seconds
    takes_seed: bool
    usd_per_second: float | None  # from the model page; None when unknown
    max_width: int = 1920
    max_height: int = 1080
    end_frame_field: str | None = None  # where it takes the frame a clip ends on


# Kling models take `duration` as the string "5" or "10" and no seed; their output is
# {"video": {"url": ...}}. Prices are the model pages' at the time of writing: Kling 2.1
# Standard $0.28 for 5 s plus $0.056 for each further second (so $0.056 a second), Kling 1.0
# Standard $0.045 a second. The pages state no output resolution; 1080p bounds it.
KNOWN_MODELS: dict[str, ModelProfile] = {
    profile.model: profile
    for profile in (
        ModelProfile(DEFAULT_MODEL, (5, 10), takes_seed=False, usd_per_second=0.056),
        # Kling 1.0 Standard documents `tail_image_url`, the frame its clip ends on.
        ModelProfile(
            "fal-ai/kling-video/v1/standard/image-to-video",
            (5, 10),
            takes_seed=False,
            usd_per_second=0.045,
            end_frame_field="tail_image_url",
        ),
    )
}

# For a model with no known price the estimate uses the default model's, flagged a guess.
_FALLBACK_USD_PER_SECOND = KNOWN_MODELS[DEFAULT_MODEL].usd_per_second or 0.0
_LISTED_CONFIDENCE = 0.8  # a published price, which may have changed since
_GUESSED_CONFIDENCE = 0.3


def _image_type(data: bytes) -> str | None:
    """The image's type by its first bytes (frames are named by hash, with no suffix)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def profile_for(options: FalOptions) -> ModelProfile:
    known = KNOWN_MODELS.get(options.model)
    # An unknown model is assumed to take a seed: most of FAL's video models do.
    profile = known or ModelProfile(options.model, (5, 10), takes_seed=True, usd_per_second=None)
    if options.durations is not None:
        profile = replace(profile, durations=tuple(sorted(options.durations)))
    if options.end_frame_field is not None:
        profile = replace(profile, end_frame_field=options.end_frame_field)
    return profile


def clip_seconds(profile: ModelProfile, seconds: float) -> int:
    """The shortest clip the model makes that covers ``seconds``; the caller trims it."""
    for duration in profile.durations:
        if duration >= seconds - 1e-9:
            return duration
    longest = profile.durations[-1]
    raise ProviderFatal(
        f"a {seconds:g} s clip is longer than {profile.model} makes (at most {longest} s)",
        where="provider fal: submit",
        hint="split the segment into shorter ones, or choose a model that makes longer clips",
    )


def image_data_uri(path: Path) -> str:
    """The storyboard frame inline, as a ``data:`` URI.

    FAL documents that some models take data URIs wherever they take a file
    URL (docs.fal.ai/documentation/model-apis/fal-cdn); which models do is not
    listed. It is used here because it needs no upload to FAL's storage and so
    leaves no copy of the frame behind there.
    """
    data = path.read_bytes()
    media_type = _image_type(data)
    if media_type is None:
        raise ProviderFatal(
            f"the frame {path.name} is not a PNG, JPEG or WebP image",
            where="provider fal: submit",
            hint="render the storyboard frames as PNG",
        )
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def model_input(profile: ModelProfile, request: ClipRequest) -> dict[str, Any]:
    """The JSON body the model is sent for ``request``."""
    if request.image is None:
        raise ProviderFatal(
            f"shot {request.shot_id} has no storyboard frame, and {profile.model} needs one",
            where="provider fal: submit",
            hint="render the storyboard before upgrading the shot",
        )
    body: dict[str, Any] = {
        "prompt": request.prompt,
        "image_url": image_data_uri(request.image),
        "duration": str(clip_seconds(profile, request.seconds)),
    }
    if request.end_image is not None:
        if profile.end_frame_field is None:
            raise ProviderFatal(
                f"{profile.model} takes no end frame, and segment {request.shot_id} has one",
                where="provider fal: submit",
                hint="send one frame per segment, or set the model's end_frame_field",
            )
        body[profile.end_frame_field] = image_data_uri(request.end_image)
    if profile.takes_seed:
        body["seed"] = request.seed
    return body


def estimate(profile: ModelProfile, options: FalOptions, request: ClipRequest) -> CostEstimate:
    """FAL bills the clip it makes (5 s or 10 s for Kling), not the shot's locked length."""
    billed = clip_seconds(profile, request.seconds)
    if options.usd_per_second is not None:
        rate, confidence = options.usd_per_second, 1.0
    elif profile.usd_per_second is not None:
        rate, confidence = profile.usd_per_second, _LISTED_CONFIDENCE
    else:
        rate, confidence = _FALLBACK_USD_PER_SECOND, _GUESSED_CONFIDENCE
    # Decimal, so a price times a length is exact before it is rounded (never down).
    usd = (Decimal(str(rate)) * billed).quantize(Decimal("0.0001"), rounding=ROUND_CEILING)
    return CostEstimate(
        usd=float(usd), seconds=options.expected_wall_seconds, confidence=confidence
    )


def capabilities(provider_id: str, profile: ModelProfile) -> Capabilities:
    return Capabilities(
        provider_id=provider_id,
        kind="video",
        model=profile.model,
        max_clip_duration_sec=float(profile.durations[-1]),
        image_to_video=True,
        end_frame=profile.end_frame_field is not None,
        text_to_video=False,
        max_width=profile.max_width,
        max_height=profile.max_height,
        terms=f"as stated on https://fal.ai/models/{profile.model}",
    )
