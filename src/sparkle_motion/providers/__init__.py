"""External and heavy generators behind one contract (DESIGN.md §9).

:mod:`.contract` is what a provider is, :mod:`.loader` how plugins are found,
:mod:`.retry` and :mod:`.http` how failures are classed and retried.
"""

from sparkle_motion.providers.configs import provider_configs
from sparkle_motion.providers.contract import (
    Capabilities,
    ClipRequest,
    ClipResult,
    CostEstimate,
    JobRef,
    JobState,
    Provider,
    ProviderKind,
    ReportsCosts,
    WebhookEvent,
    output_name,
)
from sparkle_motion.providers.loader import (
    ENTRY_POINT_GROUP,
    BrokenPlugin,
    Loaded,
    ProviderConfig,
    load_providers,
)
from sparkle_motion.providers.retry import call_with_retries

__all__ = [
    "ENTRY_POINT_GROUP",
    "BrokenPlugin",
    "Capabilities",
    "ClipRequest",
    "ClipResult",
    "CostEstimate",
    "JobRef",
    "JobState",
    "Loaded",
    "Provider",
    "ProviderConfig",
    "ProviderKind",
    "ReportsCosts",
    "WebhookEvent",
    "call_with_retries",
    "load_providers",
    "output_name",
    "provider_configs",
]
