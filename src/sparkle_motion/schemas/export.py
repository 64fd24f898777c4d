"""The list of artifact types and their JSON Schema documents."""

from __future__ import annotations

from typing import Any

from sparkle_motion.schemas.assets import AssetManifest, RenderPlan
from sparkle_motion.schemas.base import Artifact
from sparkle_motion.schemas.canon import Canon, CanonDiff, CanonReport, ContextPack
from sparkle_motion.schemas.output import MediaSet, QAReport, RenderOutput, UpgradeEstimate
from sparkle_motion.schemas.project import Project
from sparkle_motion.schemas.prompts import PromptTemplate
from sparkle_motion.schemas.run import Checkpoint, RunManifest, RunSummary
from sparkle_motion.schemas.safety import SafetyReport
from sparkle_motion.schemas.script import Episode, Script
from sparkle_motion.schemas.shotlist import ShotList
from sparkle_motion.schemas.story import EpisodePlan, Idea, StoryArc

__all__ = ["ARTIFACT_TYPES", "json_schemas"]

ARTIFACT_TYPES: dict[str, type[Artifact]] = {
    cls.KIND: cls
    for cls in (
        Project,
        Canon,
        CanonDiff,
        CanonReport,
        ContextPack,
        Episode,
        Idea,
        StoryArc,
        EpisodePlan,
        Script,
        SafetyReport,
        ShotList,
        AssetManifest,
        RenderPlan,
        MediaSet,
        QAReport,
        RenderOutput,
        UpgradeEstimate,
        PromptTemplate,
        Checkpoint,
        RunManifest,
        RunSummary,
    )
}


def json_schemas() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema (validation mode), for every artifact type."""
    documents: dict[str, dict[str, Any]] = {}
    for kind, cls in sorted(ARTIFACT_TYPES.items()):
        schema = cls.model_json_schema(mode="serialization")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"https://sparkle-motion.dev/schemas/{kind}-{cls.SCHEMA_VERSION}.json"
        schema["x-schema-version"] = cls.SCHEMA_VERSION
        documents[f"{kind}.schema.json"] = schema
    return documents
