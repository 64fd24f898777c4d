"""Characters as simple rounded silhouettes, placed by shot framing.

A figure is a head (an ellipse) over a rounded body, in the character's
colour; sizes are in units of head height. Shapes are drawn at twice the
canvas resolution and reduced, which smooths their edges while their
interiors keep the exact colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from sparkle_motion.render.images import load_image

__all__ = ["FIGURE_HEIGHT", "Placement", "draw_figures", "framing_key", "place_figures"]

Color = tuple[int, int, int]

FIGURE_HEIGHT = 4.06  # head heights from the top of the head to the feet
_BODY_TOP, _BODY_HEIGHT, _SHOULDERS, _HEAD_WIDTH = 1.06, 3.0, 1.9, 0.84
_SUPERSAMPLE = 2


@dataclass(frozen=True)
class Placement:
    """Where one figure stands, in canvas pixels."""

    cx: float
    head_top: float
    head: float  # head height
    color: Color
    full_body: bool  # feet in frame (wide shots): gets a ground shadow
    image: Path | None = None  # character art drawn instead of the silhouette

    @property
    def feet(self) -> float:
        return self.head_top + FIGURE_HEIGHT * self.head


# framing -> (head height, head top, first and last centre), as fractions of the final frame
_FRAMINGS: dict[str, tuple[float, float, float, float]] = {
    "wide": (0.075, 0.74 - FIGURE_HEIGHT * 0.075, 0.2, 0.8),
    "medium": (0.2, 0.2, 0.25, 0.75),
    "two_shot": (0.19, 0.22, 0.33, 0.67),
    "close_up": (0.42, 0.1, 0.5, 0.5),
}
_MAX_FIGURES = {"two_shot": 2, "close_up": 1}
# Over the shoulder: the speaker mid-frame, the listener large in the foreground,
# seen from behind at the left edge and cut by the frame.
_OTS_SPEAKER = (0.2, 0.2, 0.62)  # head height, head top, centre
_OTS_LISTENER = (0.46, 0.34, 0.1)


def framing_key(framing: str) -> str:
    """``"Close-up"`` → ``"close_up"``; unknown framings are ``"medium"``."""
    key = framing.strip().lower().replace("-", "_").replace(" ", "_")
    return key if key in _FRAMINGS or key in ("insert", "over_the_shoulder") else "medium"


def _over_the_shoulder(
    colors: list[Color], images: list[Path | None], box: tuple[float, float, float, float]
) -> list[Placement]:
    ox, oy, w, h = box
    placed = []
    for (head, top, centre), color, image in zip(
        (_OTS_SPEAKER, _OTS_LISTENER), colors, images, strict=False
    ):
        placed.append(
            Placement(
                cx=ox + centre * w,
                head_top=oy + top * h,
                head=head * h,
                color=color,
                full_body=False,
                image=image,
            )
        )
    return placed


def place_figures(
    framing: str,
    colors: list[Color],
    box: tuple[float, float, float, float],
    images: list[Path | None] | None = None,
) -> list[Placement]:
    """Placements for as many of ``colors`` as the framing shows (``insert`` shows none).

    Unknown framings are treated as ``medium``. Crowded shots shrink the
    figures so that shoulders never touch. ``images`` (one per colour, or
    None) replaces a silhouette with the character's art.
    """
    kind = framing_key(framing)
    art: list[Path | None] = list(images) if images is not None else [None] * len(colors)
    if kind == "insert":
        return []
    if kind == "over_the_shoulder":
        return _over_the_shoulder(colors, art, box)
    head_frac, top_frac, first, last = _FRAMINGS[kind]
    shown = colors[: _MAX_FIGURES.get(kind, len(colors))]
    ox, oy, w, h = box
    count = len(shown)
    if count == 0:
        return []
    spacing = (last - first) * w / (count - 1) if count > 1 else w
    head = min(head_frac * h, 0.85 * spacing / _SHOULDERS)
    feet = oy + (top_frac + FIGURE_HEIGHT * head_frac) * h
    head_top = feet - FIGURE_HEIGHT * head if kind == "wide" else oy + top_frac * h
    return [
        Placement(
            cx=ox + (first + (last - first) * i / (count - 1) if count > 1 else 0.5) * w,
            head_top=head_top,
            head=head,
            color=color,
            full_body=kind == "wide",
            image=art[i] if i < len(art) else None,
        )
        for i, color in enumerate(shown)
    ]


def _paste_art(layer: Image.Image, p: Placement, k: int) -> None:
    """Character art fitted into the figure's box, standing on its feet line."""
    art = load_image(p.image, keep_alpha=True) if p.image is not None else None
    if art is None:
        return
    box_w = _SHOULDERS * 1.3 * p.head * k
    box_h = (FIGURE_HEIGHT * p.head if p.full_body else (layer.height / k - p.head_top)) * k
    scale = min(box_w / art.width, box_h / art.height)
    size = (max(1, round(art.width * scale)), max(1, round(art.height * scale)))
    fitted = art.convert("RGBA").resize(size, Image.Resampling.LANCZOS)
    x = round(p.cx * k - size[0] / 2)
    y = round(p.head_top * k + box_h - size[1]) if p.full_body else round(p.head_top * k)
    layer.alpha_composite(fitted, (max(0, x), max(0, y)), (max(0, -x), max(0, -y)))


def _outline(color: Color) -> Color:
    return (color[0] * 55 // 100, color[1] * 55 // 100, color[2] * 55 // 100)


def draw_figures(canvas: Image.Image, placements: list[Placement]) -> None:
    """Paint the figures onto ``canvas`` (RGB, in place)."""
    if not placements:
        return
    k = _SUPERSAMPLE
    layer = Image.new("RGBA", (canvas.width * k, canvas.height * k), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for p in placements:
        cx, top, unit = p.cx * k, p.head_top * k, p.head * k
        if p.image is not None:
            _paste_art(layer, p, k)
            continue
        line = max(1, round(0.035 * unit))
        edge = _outline(p.color)
        if p.full_body:
            shadow_y = top + FIGURE_HEIGHT * unit
            draw.ellipse(
                (cx - 0.9 * unit, shadow_y - 0.12 * unit, cx + 0.9 * unit, shadow_y + 0.12 * unit),
                fill=(0, 0, 0, 80),
            )
        body_top = top + _BODY_TOP * unit
        # Cut by the frame edge unless the whole figure is in shot.
        body_bottom = body_top + _BODY_HEIGHT * unit if p.full_body else layer.height + unit
        draw.rounded_rectangle(
            (cx - _SHOULDERS / 2 * unit, body_top, cx + _SHOULDERS / 2 * unit, body_bottom),
            radius=0.7 * unit,
            fill=(*p.color, 255),
            outline=(*edge, 255),
            width=line,
        )
        draw.ellipse(
            (cx - _HEAD_WIDTH / 2 * unit, top, cx + _HEAD_WIDTH / 2 * unit, top + unit),
            fill=(*p.color, 255),
            outline=(*edge, 255),
            width=line,
        )
    small = layer.reduce(k)
    canvas.paste(Image.alpha_composite(canvas.convert("RGBA"), small).convert("RGB"))
