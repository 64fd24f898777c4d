"""The stages of a run, in order (DESIGN.md §2)."""

from __future__ import annotations

from sparkle_motion.pipeline.context import StageSpec
from sparkle_motion.pipeline.stages.canon_gate import canon_diff_pending
from sparkle_motion.pipeline.stages.planning import (
    asset_manifest_stage,
    canon_gate_stage,
    resolve_stage,
    shotlist_stage,
)
from sparkle_motion.pipeline.stages.rendering import (
    assemble_stage,
    clips_stage,
    finalize_stage,
    frames_stage,
    qa_stage,
    voice_stage,
)
from sparkle_motion.pipeline.stages.writing import safety_stage, write_stage

__all__ = ["STAGES", "stage_names"]

# The Video Engine's input: every render stage gets the whole RenderPackage.
_PACKAGE = ("shotlist", "asset_manifest", "render_plan")

STAGES: tuple[StageSpec, ...] = (
    StageSpec(
        "write",
        write_stage,
        inputs=(),
        outputs=("script",),
        optional_outputs=("story_arc", "episode_plan"),  # from an idea only
        renders=False,
    ),
    StageSpec(
        "safety", safety_stage, inputs=("script",), outputs=("safety_report",), renders=False
    ),
    StageSpec(
        "canon_gate",
        canon_gate_stage,
        inputs=("script",),
        outputs=("canon_report",),
        uses_canon=True,
        approval="approve_canon_diff",
        wants_approval=canon_diff_pending,
        renders=False,
    ),
    StageSpec(
        "shotlist",
        shotlist_stage,
        inputs=("script",),
        outputs=("shotlist",),
        approval="approve_shotlist_timing_lock",
        renders=False,
    ),
    StageSpec(
        "asset_manifest",
        asset_manifest_stage,
        inputs=("shotlist", "script"),
        outputs=("asset_manifest",),
        renders=False,
    ),
    StageSpec(
        "resolve",
        resolve_stage,
        inputs=("asset_manifest", "script"),
        outputs=("render_plan",),
        uses_canon=True,
        renders=False,
    ),
    StageSpec("frames", frames_stage, inputs=_PACKAGE, outputs=("frames",)),
    StageSpec("voice", voice_stage, inputs=_PACKAGE, outputs=("voice",)),
    StageSpec("clips", clips_stage, inputs=(*_PACKAGE, "frames"), outputs=("clips",)),
    StageSpec(
        "assemble", assemble_stage, inputs=(*_PACKAGE, "clips", "voice"), outputs=("assembly",)
    ),
    StageSpec("qa", qa_stage, inputs=(*_PACKAGE, "assembly"), outputs=("qa_report",)),
    StageSpec(
        "finalize",
        finalize_stage,
        inputs=("script", "safety_report", "canon_report", *_PACKAGE, "assembly", "qa_report"),
        outputs=("render_output",),
    ),
)


def stage_names() -> list[str]:
    return [spec.name for spec in STAGES]
