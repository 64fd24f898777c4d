"""The bundled font is found and draws."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from sparkle_motion.render.finish import glyph_notes
from sparkle_motion.render.fonts import font, font_path, fonts_dir, missing_glyphs


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


def test_the_font_draws_accents_greek_and_cyrillic_but_not_cjk() -> None:
    assert missing_glyphs("Héloïse — “café”, naïve; Ωμέγα; Привет!") == []
    assert missing_glyphs("東京 東京 へ") == ["東", "京", "へ"]  # each once, in order, no spaces


def test_burned_in_cjk_captions_get_a_note_that_names_the_characters() -> None:
    assert glyph_notes("You're late. The lamp went dark.") == []
    (note,) = glyph_notes("灯台の灯りが消えた")
    assert "8 characters" in note and "灯 台 の" in note and "SRT and WebVTT" in note
