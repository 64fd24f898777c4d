"""The bundled font is found and draws."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from sparkle_motion.render.fonts import font, font_path, fonts_dir


def test_font_is_the_bundled_noto_sans() -> None:
    assert font_path().is_file()
    assert font_path().name == "NotoSans[wdth,wght].ttf"
    assert font_path().parent == fonts_dir()
    assert font(20).getname()[0] == "Noto Sans"


def _ink(weight: str) -> int:
    image = Image.new("L", (120, 40), 0)
    ImageDraw.Draw(image).text((4, 4), "Ag", font=font(24, weight), fill=255)
    return int(np.asarray(image, dtype=np.int64).sum())


def test_weights_differ_and_fonts_are_cached() -> None:
    assert _ink("Bold") > _ink("Regular") > 0
    assert font(18) is font(18)
    with pytest.raises(ValueError, match="at least 1"):
        font(0)
