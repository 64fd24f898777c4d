"""The artifact registry: content-addressed bytes under ``.sparkle/objects`` and a
lineage index (SQLite by default, PostgreSQL by URL) saying what each artifact
is, where it came from, and which runs produced or used it.
"""

from sparkle_motion.registry.outputs import RegistryOutputs
from sparkle_motion.registry.record import ArtifactRecord
from sparkle_motion.registry.registry import Registry

__all__ = ["ArtifactRecord", "Registry", "RegistryOutputs"]
