"""Resuming a run: its manifest reopened, and stages whose work still stands skipped.

A stage is skipped when its checkpoint says success, its input hashes are the
ones it would get now, its outputs are still in the registry, and the media
its outputs name (frames, clips, speech in the cache; the assembled files in
the registry) is still there. Anything else runs again; per-shot work then
comes from the cache where it can.
"""

from __future__ import annotations

from collections.abc import Mapping

from sparkle_motion.cache import BlobCache
from sparkle_motion.errors import InputError, MissingInput, SparkleError
from sparkle_motion.pipeline.context import StageSpec
from sparkle_motion.pipeline.run_folder import RunFolder
from sparkle_motion.pipeline.run_state import RunState
from sparkle_motion.registry import Registry
from sparkle_motion.schemas import ARTIFACT_TYPES, Artifact, MediaSet, RunManifest

__all__ = ["media_present", "reopen_manifest", "try_skip"]


def reopen_manifest(run: RunFolder, episode_id: str) -> RunManifest:
    """The manifest of the run to resume, running again."""
    if not run.exists():
        raise MissingInput(
            f"no run {run.run_id!r} in this project",
            where=str(run.manifest_path),
            hint="list runs with: sparkle-motion runs list PROJECT_DIR",
        )
    manifest = run.read_manifest()
    if manifest.kind == "upgrade":
        raise InputError(
            f"run {run.run_id} is an upgrade of run {manifest.upgrade_of}",
            where=str(run.manifest_path),
            hint=f"go on with it by upgrading again: sparkle-motion upgrade PROJECT_DIR "
            f"--episode {manifest.episode_id} --profile {manifest.profile}",
        )
    if manifest.episode_id != episode_id:
        raise MissingInput(
            f"run {run.run_id} rendered episode {manifest.episode_id}, not {episode_id}",
            where=str(run.manifest_path),
        )
    return manifest.model_copy(update={"status": "running"})


def media_present(artifact: Artifact, cache: BlobCache, registry: Registry) -> bool:
    """True unless ``artifact`` is a media set some of whose files are gone: frames, clips
    and speech from the cache (evicted, say), assembled files from the registry."""
    if not isinstance(artifact, MediaSet):
        return True
    return all(cache.has(i.sha256) or registry.has(i.sha256) for i in artifact.items)


def try_skip(spec: StageSpec, state: RunState, input_hashes: Mapping[str, str]) -> bool:
    """Load the stage's outputs from its checkpoint if its work still stands; True if so."""
    checkpoint = state.run.read_checkpoint(spec.name)
    if checkpoint is None or checkpoint.status != "success":
        return False
    if dict(checkpoint.input_hashes) != dict(input_hashes):
        return False
    loaded: dict[str, tuple[Artifact, str]] = {}
    optional = [n for n in spec.optional_outputs if n in checkpoint.output_hashes]
    for name in (*spec.outputs, *optional):
        sha = checkpoint.output_hashes.get(name, "")
        try:
            record = state.registry.record(sha)
            data = state.registry.get_bytes(record.hash)
            loaded[name] = (ARTIFACT_TYPES[record.kind].from_json(data, source=sha), record.hash)
        except (SparkleError, KeyError):
            return False
    if not all(media_present(a, state.cache, state.registry) for a, _ in loaded.values()):
        return False  # its media was evicted or deleted: make it again
    for name, (artifact, sha) in loaded.items():
        state.available.put(name, artifact, sha)
    return True
