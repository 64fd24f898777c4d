"""A RenderPackage holds three artifacts that fit together, or is refused in one line."""

from __future__ import annotations

from typing import Any

import pytest

from sparkle_motion.errors import InvalidArtifact
from sparkle_motion.render.package import RenderPackage
from sparkle_motion.schemas import AssetManifest, RenderPlan, ShotList
from tests.service.helpers import TINY, render_inputs


def artifacts(**changes: Any) -> tuple[ShotList, AssetManifest, RenderPlan]:
    inputs = render_inputs(shots=2)
    for name, fields in changes.items():
        inputs[name] = {**inputs[name], **fields}
    return (
        ShotList.from_data(inputs["shotlist"]),
        AssetManifest.from_data(inputs["asset_manifest"]),
        RenderPlan.from_data(inputs["render_plan"]),
    )


def test_three_artifacts_of_one_episode_make_a_package() -> None:
    package = RenderPackage.of(*artifacts())
    assert package.episode_id == "ep01"
    assert package.shot("sh2").id == "sh2"
    assert package.scene_ids() == ["s1"]
    with pytest.raises(InvalidArtifact, match=r"no shot 'sh9'.*one of: sh1, sh2"):
        package.shot("sh9")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"render_plan": {"timing_lock_hash": "0" * 64}}, r"timing_lock_hash: 000000000000"),
        ({"asset_manifest": {"timing_lock_hash": "1" * 64}}, r"does not match the shot list"),
        ({"render_plan": {"episode_id": "ep02"}}, r"'ep02' is not the shot list's 'ep01'"),
        ({"render_plan": {"voices": {}}}, r"no voice for ann"),
    ],
)
def test_parts_that_do_not_fit_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidArtifact, match=message):
        RenderPackage.of(*artifacts(**changes))


def test_the_profile_is_the_one_truth_for_the_frame_rate() -> None:
    shotlist, manifest, plan = artifacts()
    faster = plan.model_copy(update={"profile": TINY.model_copy(update={"fps": 25})})
    with pytest.raises(InvalidArtifact, match=r"timed at 24 fps.*renders 25 fps") as caught:
        RenderPackage.of(shotlist, manifest, faster)
    assert caught.value.where == "shotlist"
    assert "--profile tiny" in (caught.value.hint or "")
