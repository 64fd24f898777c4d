"""Camera motion as pure math: which source rectangle each output frame shows.

A movement is a path between two rectangles of the output's aspect ratio
inside the source image, eased so that the camera starts and stops gently.

- ``static``: the largest centred rectangle (the whole source if the aspects match).
- ``push_in`` / ``pull_out``: from that rectangle to one :data:`PUSH_ZOOM` times
  smaller about the centre (zoom is interpolated geometrically, so it feels even).
- ``pan_*`` / ``tilt_*``: a rectangle :data:`PUSH_ZOOM` times smaller than the
  largest travels across :data:`TRAVEL` of the margin this leaves.
- ``track_*``: the camera moves sideways alongside the action: the view
  travels like a pan while easing in by :data:`TRACK_ZOOM`, so the move reads
  as the camera going somewhere rather than turning.

With the storyboard frames' 1.2x overscan, every rectangle contains the
safe area of the final frame, so labels stay visible while the camera moves.
"""

from __future__ import annotations

import math

from sparkle_motion.schemas import MOVEMENTS  # the one list of camera moves

__all__ = [
    "MOVEMENTS",
    "PUSH_ZOOM",
    "TRACK_ZOOM",
    "TRAVEL",
    "Rect",
    "camera_rects",
    "ease",
    "normalize_movement",
]

Rect = tuple[float, float, float, float]
"""A source rectangle: x, y, width, height in source pixels (sub-pixel)."""

PUSH_ZOOM = 1.15
TRACK_ZOOM = 1.06
TRAVEL = 0.8


def ease(t: float) -> float:
    """Cosine ease-in-out on [0, 1]: zero speed at both ends, no jerk in between."""
    t = min(max(t, 0.0), 1.0)
    return 0.5 - 0.5 * math.cos(math.pi * t)


def normalize_movement(movement: str) -> str:
    """``"Push-In"`` → ``"push_in"``; anything unknown → ``"static"``."""
    name = movement.strip().lower().replace("-", "_").replace(" ", "_")
    return name if name in MOVEMENTS else "static"


def _largest(src_w: int, src_h: int, aspect: float) -> tuple[float, float]:
    """Width and height of the largest rectangle of ``aspect`` inside the source."""
    if src_w / src_h > aspect:
        return src_h * aspect, float(src_h)
    return float(src_w), src_w / aspect


def _centred(src_w: int, src_h: int, w: float, h: float) -> Rect:
    return ((src_w - w) / 2, (src_h - h) / 2, w, h)


def _zoom_path(src_w: int, src_h: int, w0: float, h0: float, inward: bool, s: float) -> Rect:
    shrink = PUSH_ZOOM ** -(s if inward else 1.0 - s)
    return _centred(src_w, src_h, w0 * shrink, h0 * shrink)


def _travel_path(src_w: int, src_h: int, w: float, h: float, direction: str, s: float) -> Rect:
    x, y, _, _ = _centred(src_w, src_h, w, h)
    lead = (1.0 - TRAVEL) / 2  # part of the margin left unused at each end
    if direction in ("pan_left", "pan_right", "track_left", "track_right"):
        margin = src_w - w
        start, end = margin * lead, margin * (1.0 - lead)
        if direction in ("pan_left", "track_left"):  # the view moves left
            start, end = end, start
        x = start + (end - start) * s
    else:
        margin = src_h - h
        start, end = margin * lead, margin * (1.0 - lead)
        if direction == "tilt_up":
            start, end = end, start
        y = start + (end - start) * s
    return (x, y, w, h)


def _inside(rect: Rect, src_w: int, src_h: int) -> Rect:
    x, y, w, h = rect
    return (min(max(x, 0.0), src_w - w), min(max(y, 0.0), src_h - h), w, h)


def camera_rects(
    movement: str, n_frames: int, src_w: int, src_h: int, out_w: int, out_h: int
) -> list[Rect]:
    """The source rectangle (x, y, w, h) for each of ``n_frames`` output frames.

    Every rectangle has the aspect ratio ``out_w / out_h`` and lies inside the
    ``src_w`` x ``src_h`` source. Unknown movements are static.
    """
    if n_frames < 0:
        raise ValueError(f"n_frames must not be negative, got {n_frames}")
    if min(src_w, src_h, out_w, out_h) < 1:
        raise ValueError(f"sizes must be positive: source {src_w}x{src_h}, output {out_w}x{out_h}")
    kind = normalize_movement(movement)
    w0, h0 = _largest(src_w, src_h, out_w / out_h)
    rects: list[Rect] = []
    for i in range(n_frames):
        s = ease(i / (n_frames - 1)) if n_frames > 1 else 0.0
        if kind == "static":
            rect = _centred(src_w, src_h, w0, h0)
        elif kind in ("push_in", "pull_out"):
            rect = _zoom_path(src_w, src_h, w0, h0, kind == "push_in", s)
        elif kind.startswith("track_"):
            zoom = PUSH_ZOOM * TRACK_ZOOM**s
            rect = _travel_path(src_w, src_h, w0 / zoom, h0 / zoom, kind, s)
        else:
            rect = _travel_path(src_w, src_h, w0 / PUSH_ZOOM, h0 / PUSH_ZOOM, kind, s)
        rects.append(_inside(rect, src_w, src_h))
    return rects
