"""Paint the example's cliff-path plate at dusk (the committed PNG came from this).

Run: python tools/paint_example_plate.py examples/lighthouse/assets/locations/cliff-path/dusk.png
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1920, 1080


def paint() -> Image.Image:
    y = np.linspace(0.0, 1.0, HEIGHT)[:, None]
    top, mid, low = np.array([38, 42, 92]), np.array([196, 98, 110]), np.array([250, 178, 104])
    upper = top + (mid - top) * np.clip(y / 0.45, 0, 1)
    sky = np.where(y < 0.45, upper, mid + (low - mid) * np.clip((y - 0.45) / 0.2, 0, 1))
    image = np.repeat(sky[:, None, :], WIDTH, axis=1).astype(np.float64)
    canvas = Image.fromarray(np.clip(image, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(canvas)
    horizon = int(HEIGHT * 0.64)
    draw.rectangle((0, horizon, WIDTH, HEIGHT), fill=(44, 58, 96))
    for band in range(14):
        yy = horizon + 8 + band * 14
        draw.line((0, yy, WIDTH, yy + (band % 3) * 2), fill=(70 + band * 3, 80, 120), width=2)
    draw.ellipse((1180, horizon - 70, 1320, horizon + 70), fill=(255, 205, 140))
    draw.rectangle((0, horizon, WIDTH, horizon + 4), fill=(250, 190, 130))
    cliff = [
        (0, HEIGHT),
        (0, 520),
        (220, 470),
        (420, 500),
        (640, 610),
        (860, 700),
        (1100, 860),
        (1300, HEIGHT),
    ]
    draw.polygon(cliff, fill=(34, 30, 44))
    draw.line([(80, 1000), (260, 820), (180, 700), (360, 590)], fill=(92, 80, 84), width=10)
    tower = [(250, 470), (300, 470), (292, 270), (258, 270)]
    draw.polygon(tower, fill=(236, 230, 222))
    for stripe in (300, 360, 420):
        draw.polygon(
            [(255, stripe), (296, stripe), (297, stripe + 22), (254, stripe + 22)],
            fill=(178, 52, 60),
        )
    draw.rectangle((250, 240, 300, 270), fill=(40, 36, 52))
    draw.polygon([(246, 240), (304, 240), (275, 210)], fill=(178, 52, 60))
    return canvas.filter(ImageFilter.GaussianBlur(0.8))


if __name__ == "__main__":
    paint().save(Path(sys.argv[1]), format="PNG", optimize=True)
