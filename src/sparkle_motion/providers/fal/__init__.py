"""FAL (fal.ai) as a provider: image-to-video clips through its queue API.

:mod:`.client` is the provider, :mod:`.models` what each model takes and
costs, :mod:`.wire` how FAL's answers are read, :mod:`.webhooks` how its
signed callbacks are verified, :mod:`.billing` what it says it billed,
:mod:`.options` what it can be configured with. See ``docs/providers.md``.
"""

from sparkle_motion.providers.fal.client import FalProvider, make_provider
from sparkle_motion.providers.fal.models import KNOWN_MODELS, ModelProfile
from sparkle_motion.providers.fal.options import (
    DEFAULT_JWKS_URL,
    DEFAULT_MODEL,
    DEFAULT_QUEUE_URL,
    FalOptions,
)

__all__ = [
    "DEFAULT_JWKS_URL",
    "DEFAULT_MODEL",
    "DEFAULT_QUEUE_URL",
    "KNOWN_MODELS",
    "FalOptions",
    "FalProvider",
    "ModelProfile",
    "make_provider",
]
