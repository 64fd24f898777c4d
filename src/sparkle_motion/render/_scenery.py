"""The plate behind the figures: a flat set by time of day, or a placeholder look.

Positions are given relative to the final (non-overscanned) frame so that the
horizon and props sit in the same place whatever the overscan. Variation
between locations comes from the project seed mixed with the set's description,
so another seed gives another look to the same places.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageOps

from sparkle_motion.seeding import rng as seeded_rng

__all__ = ["PALETTES", "FrameBox", "Palette", "draw_set", "placeholder_look", "time_key"]

Color = tuple[int, int, int]
FrameBox = tuple[float, float, float, float]
"""The final frame inside the overscanned canvas: x, y, width, height."""


@dataclass(frozen=True)
class Palette:
    sky_top: Color
    sky_horizon: Color
    ground_far: Color
    ground_near: Color
    wall: Color
    floor: Color
    window: Color
    light: Color  # sun or moon


PALETTES: dict[str, Palette] = {
    "day": Palette(
        (104, 164, 222),
        (192, 222, 242),
        (128, 160, 104),
        (94, 128, 80),
        (224, 208, 184),
        (150, 114, 84),
        (178, 212, 240),
        (255, 244, 200),
    ),
    "night": Palette(
        (10, 16, 40),
        (40, 52, 92),
        (34, 44, 44),
        (22, 30, 32),
        (66, 62, 84),
        (42, 36, 44),
        (22, 30, 64),
        (236, 236, 220),
    ),
    "dawn": Palette(
        (92, 110, 172),
        (246, 192, 152),
        (104, 118, 88),
        (76, 90, 70),
        (228, 198, 178),
        (142, 106, 86),
        (242, 192, 160),
        (255, 212, 150),
    ),
    "dusk": Palette(
        (58, 58, 122),
        (240, 142, 92),
        (72, 80, 62),
        (50, 56, 46),
        (192, 152, 132),
        (112, 82, 72),
        (232, 142, 102),
        (255, 170, 110),
    ),
}


def time_key(time_of_day: str) -> str:
    """``"Night "`` → ``"night"``; anything without a palette is ``"day"``."""
    key = time_of_day.strip().lower()
    return key if key in PALETTES else "day"


def _mix(a: Color, b: Color, t: float) -> Color:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _gradient(canvas: Image.Image, top: float, bottom: float, start: Color, end: Color) -> None:
    """Fill rows [top, bottom) with a vertical gradient from ``start`` to ``end``."""
    y0, y1 = max(0, round(top)), min(canvas.height, round(bottom))
    if y1 <= y0:
        return
    t = np.linspace(0.0, 1.0, y1 - y0, dtype=np.float64)[:, None]
    rows = np.asarray(start, dtype=np.float64) * (1.0 - t) + np.asarray(end, dtype=np.float64) * t
    band = np.broadcast_to(np.rint(rows).astype(np.uint8)[:, None, :], (y1 - y0, canvas.width, 3))
    canvas.paste(Image.fromarray(np.ascontiguousarray(band), "RGB"), (0, y0))


def _disc(draw: ImageDraw.ImageDraw, x: float, y: float, r: float, color: Color) -> None:
    draw.ellipse((x - r, y - r, x + r, y + r), fill=color)


def _exterior(
    canvas: Image.Image, box: FrameBox, tod: str, pal: Palette, rng: random.Random
) -> None:
    ox, oy, w, h = box
    horizon = oy + 0.62 * h
    _gradient(canvas, 0, horizon, pal.sky_top, pal.sky_horizon)
    draw = ImageDraw.Draw(canvas)
    if tod == "night":
        for _ in range(48):
            x, y = rng.random() * canvas.width, rng.random() * (horizon - h * 0.08)
            _disc(draw, x, y, max(0.6, h * 0.0022), (222, 226, 255))
        _disc(draw, ox + 0.82 * w, oy + 0.16 * h, 0.045 * h, pal.light)
    elif tod in ("dawn", "dusk"):
        _disc(draw, ox + (0.22 if tod == "dawn" else 0.78) * w, horizon, 0.075 * h, pal.light)
    else:
        _disc(draw, ox + 0.8 * w, oy + 0.18 * h, 0.055 * h, pal.light)
    hills = _mix(pal.sky_horizon, pal.ground_far, 0.6)
    for _ in range(3):
        cx, half = ox + rng.random() * w, (0.25 + 0.2 * rng.random()) * w
        rise = (0.06 + 0.08 * rng.random()) * h
        draw.ellipse((cx - half, horizon - rise, cx + half, horizon + rise), fill=hills)
    _gradient(canvas, horizon, canvas.height, pal.ground_far, pal.ground_near)


def _interior(canvas: Image.Image, box: FrameBox, pal: Palette, rng: random.Random) -> None:
    ox, oy, w, h = box
    floor = oy + 0.68 * h
    _gradient(canvas, 0, floor, _mix(pal.wall, (255, 255, 255), 0.08), pal.wall)
    _gradient(canvas, floor, canvas.height, pal.floor, _mix(pal.floor, (0, 0, 0), 0.3))
    draw = ImageDraw.Draw(canvas)
    trim = _mix(pal.wall, (0, 0, 0), 0.35)
    draw.rectangle((0, floor - 0.014 * h, canvas.width, floor), fill=trim)
    left_window = rng.random() < 0.5
    wx = ox + (0.08 + 0.3 * rng.random() + (0 if left_window else 0.42)) * w
    wy, ww, wh = oy + 0.14 * h, 0.2 * w, 0.3 * h
    draw.rectangle(
        (wx, wy, wx + ww, wy + wh), fill=pal.window, outline=trim, width=max(2, round(h * 0.012))
    )
    bar = max(1, round(h * 0.008))
    draw.rectangle((wx + ww / 2 - bar / 2, wy, wx + ww / 2 + bar / 2, wy + wh), fill=trim)
    draw.rectangle((wx, wy + wh / 2 - bar / 2, wx + ww, wy + wh / 2 + bar / 2), fill=trim)
    px = ox + (0.62 + 0.2 * rng.random() if left_window else 0.1 + 0.2 * rng.random()) * w
    picture = _mix(pal.wall, pal.window, 0.5)
    draw.rectangle(
        (px, oy + 0.2 * h, px + 0.1 * w, oy + 0.34 * h), fill=picture, outline=trim, width=bar
    )


_MOTIFS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("light", ("lighthouse", "lamp", "lantern", "beacon")),
    (
        "water",
        (
            "sea",
            "beach",
            "harbour",
            "harbor",
            "quay",
            "dock",
            "port",
            "shore",
            "coast",
            "lake",
            "river",
            "cliff",
            "boat",
            "ship",
        ),
    ),
    ("trees", ("forest", "wood", "park", "garden", "orchard", "field", "meadow", "jungle")),
    ("city", ("street", "city", "town", "market", "road", "alley", "square", "village")),
    ("table", ("kitchen", "cafe", "café", "diner", "bar", "restaurant", "pub", "dining")),
    ("shelves", ("library", "study", "office", "shop", "store", "classroom", "school", "lab")),
)


def motif_for(location: str) -> str | None:
    """The kind of place a location's name suggests, by its words (first match wins)."""
    words = location.lower()
    return next((name for name, keys in _MOTIFS if any(k in words for k in keys)), None)


def _motif(
    canvas: Image.Image, box: FrameBox, kind: str, interior: bool, pal: Palette, rng: random.Random
) -> None:
    """One simple shape that says what kind of place this is."""
    ox, oy, w, h = box
    draw = ImageDraw.Draw(canvas)
    line = max(2, round(h * 0.01))
    dark = _mix(pal.wall if interior else pal.ground_far, (0, 0, 0), 0.45)
    base = oy + (0.68 if interior else 0.62) * h
    if kind == "light" and interior:  # the great lens: rings of glass behind the action
        cx, cy, r = ox + 0.5 * w, oy + 0.36 * h, 0.2 * h
        for ring in range(5):
            k = 1 - ring * 0.18
            glass = _mix(pal.window, (255, 236, 170), 0.25 + 0.12 * ring)
            draw.ellipse(
                (cx - r * k, cy - r * k, cx + r * k, cy + r * k),
                fill=glass,
                outline=dark,
                width=line,
            )
        draw.rectangle((cx - 0.3 * r, cy + r, cx + 0.3 * r, base), fill=dark)
    elif kind == "light":  # a tower on the skyline
        tx = ox + (0.12 + 0.1 * rng.random()) * w
        draw.polygon(
            [
                (tx, base),
                (tx + 0.05 * w, base),
                (tx + 0.04 * w, base - 0.3 * h),
                (tx + 0.01 * w, base - 0.3 * h),
            ],
            fill=(236, 230, 222),
        )
        draw.rectangle((tx, base - 0.35 * h, tx + 0.05 * w, base - 0.3 * h), fill=dark)
    elif kind == "water" and not interior:
        water = _mix(pal.sky_horizon, (30, 60, 110), 0.6)
        draw.rectangle((0, base - 0.02 * h, canvas.width, base + 0.09 * h), fill=water)
        for band in range(4):
            y = base + band * 0.022 * h
            draw.line(
                (0, y, canvas.width, y),
                fill=_mix(water, (255, 255, 255), 0.25),
                width=max(1, line // 2),
            )
    elif kind == "water":  # a porthole
        cx, cy, r = ox + 0.74 * w, oy + 0.3 * h, 0.09 * h
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=pal.window, outline=dark, width=line)
    elif kind == "trees":
        for index in range(5):
            tx = ox + (0.06 + 0.2 * index + 0.06 * rng.random()) * w
            top = base - (0.22 + 0.1 * rng.random()) * h
            leaf = _mix((60, 110, 70), pal.sky_top, 0.3)
            draw.rectangle((tx - 0.008 * w, top + 0.08 * h, tx + 0.008 * w, base), fill=dark)
            draw.ellipse((tx - 0.06 * w, top, tx + 0.06 * w, top + 0.16 * h), fill=leaf)
    elif kind == "city" and not interior:
        x = ox - 0.05 * w
        while x < ox + w:
            bw, bh = (0.08 + 0.06 * rng.random()) * w, (0.15 + 0.2 * rng.random()) * h
            draw.rectangle((x, base - bh, x + bw, base), fill=dark)
            for row in range(int(bh / (0.05 * h))):
                wy = base - bh + (0.02 + row * 0.05) * h
                draw.rectangle((x + 0.2 * bw, wy, x + 0.35 * bw, wy + 0.02 * h), fill=pal.light)
            x += bw + 0.01 * w
    elif kind == "table" or (kind == "city" and interior):
        top = base + 0.04 * h
        draw.rectangle((ox + 0.25 * w, top, ox + 0.75 * w, top + 0.03 * h), fill=dark)
        for leg in (0.27, 0.71):
            draw.rectangle((ox + leg * w, top, ox + (leg + 0.02) * w, canvas.height), fill=dark)
    elif kind == "shelves":
        sx = ox + (0.06 if rng.random() < 0.5 else 0.72) * w
        for shelf in range(4):
            y = oy + (0.12 + shelf * 0.12) * h
            draw.rectangle((sx, y, sx + 0.2 * w, y + 0.012 * h), fill=dark)
            for book in range(6):
                bx = sx + (0.01 + book * 0.03) * w
                colour = _mix(pal.window, (180, 90, 60), rng.random())
                draw.rectangle((bx, y - 0.08 * h, bx + 0.022 * w, y), fill=colour)


def draw_set(
    size: tuple[int, int],
    box: FrameBox,
    *,
    location: str,
    time_of_day: str,
    interior: bool,
    seed: int = 0,
) -> Image.Image:
    """A flat set: wall and floor inside, sky and ground outside, lit for the time of day,
    with a motif for the kind of place the location's name suggests (see :func:`motif_for`)."""
    tod = time_key(time_of_day)
    pal = PALETTES[tod]
    canvas = Image.new("RGB", size, pal.sky_top)
    rng = seeded_rng(seed, "set", location, tod, interior)
    if interior:
        _interior(canvas, box, pal, rng)
    else:
        _exterior(canvas, box, tod, pal, rng)
    kind = motif_for(location)
    if kind is not None:
        _motif(canvas, box, kind, interior, pal, rng)
    return canvas


def placeholder_look(plate: Image.Image) -> Image.Image:
    """The plate faded to grey under diagonal grey stripes: unmistakably not final."""
    grey = ImageOps.grayscale(plate).point(lambda v: 96 + v * 96 // 255)
    out = Image.merge("RGB", (grey, grey, grey)).convert("RGBA")
    stripes = Image.new("RGBA", out.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(stripes)
    period = max(8, round(out.height * 0.09))
    band = period / 2
    for x in range(-out.height, out.width + period, period):
        draw.polygon(
            [
                (x, 0),
                (x + band, 0),
                (x + band + out.height, out.height),
                (x + out.height, out.height),
            ],
            fill=(64, 64, 64, 120),
        )
    return Image.alpha_composite(out, stripes).convert("RGB")
