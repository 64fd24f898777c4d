"""Storyboard frames: a set, the characters in the shot, and small labels.

The image is drawn larger than the video (``overscan``) so the camera can move
inside it; every piece of text stays inside the title-safe area of the final,
centred ``width`` x ``height`` frame, which every camera rectangle of
:mod:`.motion` contains.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from sparkle_motion.render import _labels
from sparkle_motion.render._figures import Placement, draw_figures, framing_key, place_figures
from sparkle_motion.render._scenery import draw_set, placeholder_look
from sparkle_motion.render.fonts import font
from sparkle_motion.render.images import cover_fit, load_image

__all__ = ["SAFE_MARGIN", "Figure", "FrameSpec", "render_frame"]

SAFE_MARGIN = 0.05  # title-safe inset on each side of the final frame
_PLACEHOLDER_INK = (255, 214, 0)
_CARD = (246, 241, 228)
_CARD_INK = (34, 34, 40)

Color = tuple[int, int, int]


@dataclass(frozen=True)
class Figure:
    """A character in frame: the name under it, the colour of its silhouette,
    and optionally the character's art to draw instead of the silhouette."""

    name: str
    color: Color
    image: Path | None = None

    def __post_init__(self) -> None:
        if len(self.color) != 3 or any(not 0 <= c <= 255 for c in self.color):
            raise ValueError(
                f"figure {self.name!r}: color must be three 0..255 values, got {self.color}"
            )


@dataclass(frozen=True)
class FrameSpec:
    """Everything a storyboard frame shows; plain values, no story objects."""

    width: int
    height: int
    location: str
    time_of_day: str
    interior: bool
    framing: str
    figures: tuple[Figure, ...]
    seed: int = 0  # the project's: the drawn set's look
    beat: str | None = None
    slate: str | None = None
    background: Path | None = None
    placeholder: str | None = None
    subject: Path | None = None  # an insert's object (a prop's picture), shown on the card
    overscan: float = 1.2

    def __post_init__(self) -> None:
        if self.width < 16 or self.height < 16:
            raise ValueError(f"frame size must be at least 16x16, got {self.width}x{self.height}")
        if not 1.0 <= self.overscan <= 4.0:
            raise ValueError(f"overscan must be between 1.0 and 4.0, got {self.overscan}")

    @property
    def canvas_size(self) -> tuple[int, int]:
        return round(self.width * self.overscan), round(self.height * self.overscan)


@dataclass(frozen=True)
class _Layout:
    frame: tuple[float, float, float, float]  # final frame in the canvas: x, y, w, h
    safe: tuple[float, float, float, float]  # title-safe area: left, top, right, bottom
    gap: float

    @classmethod
    def of(cls, spec: FrameSpec) -> _Layout:
        cw, ch = spec.canvas_size
        ox, oy = (cw - spec.width) / 2, (ch - spec.height) / 2
        mx, my = SAFE_MARGIN * spec.width, SAFE_MARGIN * spec.height
        safe = (ox + mx, oy + my, ox + spec.width - mx, oy + spec.height - my)
        return cls((ox, oy, spec.width, spec.height), safe, gap=0.015 * spec.height)


def _plate(spec: FrameSpec, layout: _Layout) -> Image.Image:
    if spec.background is not None:
        plate = cover_fit(load_image(spec.background), spec.canvas_size)
    else:
        plate = draw_set(
            spec.canvas_size,
            layout.frame,
            location=spec.location,
            time_of_day=spec.time_of_day,
            interior=spec.interior,
            seed=spec.seed,
        )
    return placeholder_look(plate) if spec.placeholder is not None else plate


def _paste_subject(
    canvas: Image.Image, subject: Path, box: tuple[float, float, float, float], margin: float
) -> None:
    """The prop's picture, contained in the card with a margin, keeping its shape."""
    art = load_image(subject, keep_alpha=True)
    left, top, right, bottom = box
    room_w, room_h = right - left - 2 * margin, bottom - top - 2 * margin
    scale = min(room_w / art.width, room_h / art.height)
    size = (max(1, round(art.width * scale)), max(1, round(art.height * scale)))
    fitted = art.resize(size, Image.Resampling.LANCZOS)
    at = (round((left + right - size[0]) / 2), round((top + bottom - size[1]) / 2))
    layer = canvas.convert("RGBA")
    layer.alpha_composite(fitted, at)
    canvas.paste(layer.convert("RGB"))


def _insert_card(canvas: Image.Image, spec: FrameSpec, layout: _Layout) -> None:
    """The insert's object: a card filling the middle, the beat written large on it."""
    ox, oy, w, h = layout.frame
    left, top, right, bottom = ox + 0.22 * w, oy + 0.26 * h, ox + 0.78 * w, oy + 0.72 * h
    radius = 0.03 * h
    shade = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    offset = 0.02 * h
    ImageDraw.Draw(shade).rounded_rectangle(
        (left + offset, top + offset, right + offset, bottom + offset),
        radius=radius,
        fill=(0, 0, 0, 110),
    )
    canvas.paste(Image.alpha_composite(canvas.convert("RGBA"), shade).convert("RGB"))
    draw = ImageDraw.Draw(canvas)
    draw.rounded_rectangle((left, top, right, bottom), radius=radius, fill=_CARD)
    if spec.subject is not None:
        _paste_subject(canvas, spec.subject, (left, top, right, bottom), radius)
        return
    if not spec.beat:
        return
    face = font(max(10, round(0.06 * h)), "SemiBold")
    inner = (right - left) * 0.88
    lines = _labels.wrap(spec.beat, face, inner, max_lines=4)
    ascent, descent = face.getmetrics()
    step = ascent + descent
    y = (top + bottom) / 2 - step * len(lines) / 2
    for row, line in enumerate(lines):
        x = (left + right) / 2 - _labels.text_width(line, face) / 2
        draw.text((x, y + row * step), line, font=face, fill=_CARD_INK)


def _name_labels(
    labels: _labels.Labels, spec: FrameSpec, placed: list[Placement], layout: _Layout, floor: float
) -> None:
    left, _, right, _ = layout.safe
    face = font(max(9, round(0.036 * spec.height)), "SemiBold")
    room = right - left if len(placed) < 2 else abs(placed[1].cx - placed[0].cx) - layout.gap
    for figure, place in zip(spec.figures, placed, strict=False):
        name = _labels.ellipsize(figure.name, face, room - 2 * labels.pad)
        width, height = labels.size([name], face)
        x = min(max(place.cx - width / 2, left), right - width)
        y = min(place.feet + layout.gap, floor - height)
        labels.add(x, y, [name] if name else [], face)


_CARD_TOP, _CARD_BOTTOM, _CARD_TEXT = (16, 20, 34), (38, 30, 52), (244, 236, 220)


def _text_card(spec: FrameSpec, layout: _Layout) -> Image.Image:
    """A title or end card: the beat's lines centred on a deep gradient, the first largest."""
    width, height = spec.canvas_size
    canvas = Image.new("RGB", spec.canvas_size, _CARD_TOP)
    draw = ImageDraw.Draw(canvas)
    for y in range(height):
        t = y / max(1, height - 1)
        draw.line(
            (0, y, width, y),
            fill=tuple(
                round(a + (b - a) * t) for a, b in zip(_CARD_TOP, _CARD_BOTTOM, strict=True)
            ),
        )
    lines = [line for line in (spec.beat or "").split("\n") if line.strip()]
    left, _, right, _ = layout.safe
    faces = [
        font(
            max(12, round((0.085 if i == 0 else 0.045) * spec.height)),
            "Bold" if i == 0 else "Regular",
        )
        for i in range(len(lines))
    ]
    rows = []
    for line, face in zip(lines, faces, strict=True):
        for part in _labels.wrap(line, face, (right - left) * 0.9, max_lines=2):
            ascent, descent = face.getmetrics()
            rows.append((part, face, ascent + descent))
    total = sum(step for _, _, step in rows) + layout.gap * max(0, len(rows) - 1)
    _, oy, _, frame_h = layout.frame
    cursor = oy + (frame_h - total) / 2
    for text, face, step in rows:
        x = (left + right) / 2 - _labels.text_width(text, face) / 2
        draw.text((x, cursor), text, font=face, fill=_CARD_TEXT)
        cursor += step + layout.gap
    return canvas


def render_frame(spec: FrameSpec) -> Image.Image:
    """Draw the storyboard frame for ``spec``: RGB, ``spec.canvas_size`` pixels."""
    layout = _Layout.of(spec)
    if spec.framing == "card":
        return _text_card(spec, layout)
    canvas = _plate(spec, layout)
    placed = place_figures(
        spec.framing, [f.color for f in spec.figures], layout.frame, [f.image for f in spec.figures]
    )
    draw_figures(canvas, placed)
    is_insert = framing_key(spec.framing) == "insert"
    if is_insert:
        _insert_card(canvas, spec, layout)

    left, top, right, bottom = layout.safe
    small = font(max(9, round(0.032 * spec.height)))
    labels = _labels.Labels(pad=max(2.0, 0.3 * small.size))
    row_height = labels.size(["Ag"], small)[1]
    room = right - left - 2 * labels.pad  # text width of a label as wide as the safe area
    if spec.slate:
        slate = _labels.ellipsize(spec.slate, small, 0.4 * room - labels.pad)
        labels.add(left, top, [slate], small)
    if spec.location.strip():
        where = f"{'INT' if spec.interior else 'EXT'}. {spec.location.strip()}"
        when = spec.time_of_day.strip().upper()
        text = _labels.ellipsize(
            f"{where} — {when}" if when else where, small, 0.58 * room - labels.pad
        )
        labels.add(right - labels.size([text], small)[0], top, [text], small)
    floor = bottom
    if spec.beat and not is_insert:
        lines = _labels.wrap(spec.beat, small, 0.62 * room, max_lines=2)
        height = labels.size(lines, small)[1]
        labels.add(left, bottom - height, lines, small)
        floor = bottom - height - layout.gap
    _name_labels(labels, spec, placed, layout, floor)
    if spec.placeholder is not None:
        big = font(max(10, round(0.05 * spec.height)), "Bold")
        text = f"PLACEHOLDER: {spec.placeholder}".strip()
        lines = _labels.wrap(text, big, room, max_lines=2)
        width = labels.size(lines, big)[0]
        labels.add(
            (left + right) / 2 - width / 2,
            top + row_height + layout.gap,
            lines,
            big,
            ink=_PLACEHOLDER_INK,
            box=(16, 16, 16, 235),
            border=_PLACEHOLDER_INK,
        )
    labels.paint(canvas)
    return canvas
