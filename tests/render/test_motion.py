"""Camera rectangles: inside the source, right aspect, smooth, eased, monotonic."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sparkle_motion.render.motion import MOVEMENTS, PUSH_ZOOM, camera_rects, ease

MOVING = [m for m in MOVEMENTS if m != "static"]

sizes = st.tuples(st.integers(16, 4000), st.integers(16, 4000))
out_sizes = st.sampled_from([(320, 180), (1280, 720), (1080, 1920), (640, 640), (720, 480)])


@given(st.sampled_from([*MOVEMENTS, "dolly_zoom"]), st.integers(0, 120), sizes, out_sizes)
def test_rects_keep_aspect_and_stay_inside(
    movement: str, n: int, src: tuple[int, int], out: tuple[int, int]
) -> None:
    rects = camera_rects(movement, n, *src, *out)
    assert len(rects) == n
    for x, y, w, h in rects:
        assert w / h == pytest.approx(out[0] / out[1], rel=1e-9)
        assert x >= -1e-9 and x + w <= src[0] + 1e-6
        assert y >= -1e-9 and y + h <= src[1] + 1e-6
        assert w > 0 and h > 0


@pytest.mark.parametrize("movement", MOVING)
def test_motion_is_monotonic_smooth_and_eased(movement: str) -> None:
    rects = camera_rects(movement, 96, 1536, 864, 1280, 720)
    for axis in range(3):  # x, y, w: every coordinate that moves, moves one way
        values = [r[axis] for r in rects]
        steps = [b - a for a, b in itertools.pairwise(values)]
        if max(abs(s) for s in steps) < 1e-9:
            continue
        assert all(s >= -1e-9 for s in steps) or all(s <= 1e-9 for s in steps)
        biggest = max(abs(s) for s in steps)
        # eased: the first and last steps are tiny next to the middle ones
        assert abs(steps[0]) < 0.05 * biggest and abs(steps[-1]) < 0.05 * biggest
        # smooth: speed changes gradually, no jumps
        accel = [abs(b - a) for a, b in itertools.pairwise(steps)]
        assert max(accel) < 0.1 * biggest


def test_push_in_ends_about_fifteen_percent_closer() -> None:
    first, *_, last = camera_rects("push_in", 48, 1536, 864, 1280, 720)
    assert first == pytest.approx((0.0, 0.0, 1536.0, 864.0))
    assert first[2] / last[2] == pytest.approx(PUSH_ZOOM)
    assert last[0] + last[2] / 2 == pytest.approx(768.0)  # about the centre
    pull = camera_rects("pull_out", 48, 1536, 864, 1280, 720)
    push = camera_rects("push_in", 48, 1536, 864, 1280, 720)
    for pulled, pushed in zip(pull, push[::-1], strict=True):
        assert pulled == pytest.approx(pushed)


@pytest.mark.parametrize(
    ("movement", "axis", "sign"),
    [("pan_left", 0, -1), ("pan_right", 0, 1), ("tilt_up", 1, -1), ("tilt_down", 1, 1)],
)
def test_pans_travel_the_right_way_within_the_margin(movement: str, axis: int, sign: int) -> None:
    rects = camera_rects(movement, 30, 1536, 864, 1280, 720)
    travel = rects[-1][axis] - rects[0][axis]
    assert math.copysign(1, travel) == sign
    margin = (1536, 864)[axis] - rects[0][axis + 2]
    assert 0.5 * margin < abs(travel) < margin


def test_static_unknown_and_spelling() -> None:
    static = camera_rects("static", 5, 1000, 1000, 1280, 720)
    assert len(set(static)) == 1
    assert static[0] == pytest.approx((0.0, 218.75, 1000.0, 562.5))
    assert camera_rects("whip_pan", 5, 1000, 1000, 1280, 720) == static
    assert camera_rects("Push-In", 5, 800, 450, 320, 180) == camera_rects(
        "push_in", 5, 800, 450, 320, 180
    )


def test_edge_counts_and_bad_sizes() -> None:
    assert camera_rects("push_in", 0, 100, 100, 16, 9) == []
    assert camera_rects("push_in", 1, 160, 90, 16, 9) == [(0.0, 0.0, 160.0, 90.0)]
    with pytest.raises(ValueError, match="negative"):
        camera_rects("static", -1, 100, 100, 16, 9)
    with pytest.raises(ValueError, match="positive"):
        camera_rects("static", 3, 0, 100, 16, 9)


def test_ease_endpoints_and_symmetry() -> None:
    assert ease(0.0) == 0.0 and ease(1.0) == 1.0 and ease(0.5) == pytest.approx(0.5)
    assert ease(0.25) == pytest.approx(1 - ease(0.75))
