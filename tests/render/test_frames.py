"""Storyboard frames, measured: size, determinism, colours, placeholders, safe text."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sparkle_motion.errors import MediaError
from sparkle_motion.render.frames import SAFE_MARGIN, Figure, FrameSpec, render_frame

RED, BLUE, GREEN = (201, 52, 47), (40, 96, 210), (61, 170, 84)
TRIO = (Figure("Mara", RED), Figure("Tom", BLUE), Figure("Pip", GREEN))
FRAMINGS = ["wide", "medium", "two_shot", "close_up", "insert"]


def spec(**changes: object) -> FrameSpec:
    base = FrameSpec(
        width=320,
        height=180,
        location="Lighthouse lamp room",
        time_of_day="night",
        interior=True,
        framing="medium",
        figures=TRIO,
        beat="Mara trims the wick",
        slate="SC 2 · SH 5",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.int16)


def has_color(image: Image.Image, color: tuple[int, int, int], at_least: float = 20) -> bool:
    return int(np.all(pixels(image) == color, axis=-1).sum()) >= at_least


def grey_fraction(image: Image.Image) -> float:
    px = pixels(image)
    return float(((px.max(axis=-1) - px.min(axis=-1)) < 12).mean())


@pytest.mark.parametrize("overscan", [1.0, 1.2, 1.37])
def test_size_is_the_overscanned_frame(overscan: float) -> None:
    image = render_frame(spec(overscan=overscan))
    assert image.mode == "RGB"
    assert image.size == (round(320 * overscan), round(180 * overscan))


@pytest.mark.parametrize("framing", FRAMINGS)
@pytest.mark.parametrize(
    ("time_of_day", "interior"), [("day", False), ("night", True), ("dusk", False), ("dawn", True)]
)
def test_frames_are_deterministic(framing: str, time_of_day: str, interior: bool) -> None:
    one = spec(framing=framing, time_of_day=time_of_day, interior=interior)
    assert render_frame(one).tobytes() == render_frame(one).tobytes()


@pytest.mark.parametrize(
    ("framing", "shown"),
    [("wide", TRIO), ("medium", TRIO), ("two_shot", TRIO[:2]), ("close_up", TRIO[:1])],
)
def test_figures_appear_in_their_colours(framing: str, shown: tuple[Figure, ...]) -> None:
    image = render_frame(spec(framing=framing))
    for figure in TRIO:
        assert has_color(image, figure.color) == (figure in shown), figure.name


def test_figures_grow_from_wide_to_close_up() -> None:
    counts = [
        int(np.all(pixels(render_frame(spec(framing=f, figures=TRIO[:1]))) == RED, axis=-1).sum())
        for f in ["wide", "medium", "close_up"]
    ]
    assert counts[0] < counts[1] < counts[2]


def test_insert_shows_no_figures_and_writes_the_beat_large() -> None:
    insert = render_frame(spec(framing="insert"))
    assert not any(has_color(insert, f.color, at_least=1) for f in TRIO)
    card = (246, 241, 228)
    assert has_color(insert, card, at_least=0.1 * insert.width * insert.height)
    plain = render_frame(spec(framing="insert", beat=None))
    assert insert.tobytes() != plain.tobytes()


def test_placeholder_looks_like_a_placeholder() -> None:
    normal = render_frame(spec(time_of_day="day", interior=False))
    flagged = render_frame(
        spec(time_of_day="day", interior=False, placeholder="harbour.png missing")
    )
    assert grey_fraction(normal) < 0.2
    assert grey_fraction(flagged) > 0.6
    assert has_color(flagged, (255, 214, 0))  # the yellow PLACEHOLDER label
    row = pixels(flagged)[8, :, 0]  # a row above everything: only the stripes
    changes = int((np.abs(np.diff(row)) > 8).sum())
    assert changes >= 6  # light, dark, light, ... across the frame


def test_times_of_day_and_sets_differ() -> None:
    brightness = {
        (tod, inside): float(pixels(render_frame(spec(time_of_day=tod, interior=inside))).mean())
        for tod in ["day", "night"]
        for inside in [True, False]
    }
    assert brightness[("night", False)] < brightness[("day", False)]
    assert brightness[("night", True)] < brightness[("day", True)]
    # anything unknown is lit like day (the label is left out to compare the pictures)
    noon = render_frame(spec(time_of_day="noon", location=""))
    day = render_frame(spec(time_of_day="day", location=""))
    assert noon.tobytes() == day.tobytes()


def _changed_box(a: Image.Image, b: Image.Image) -> tuple[int, int, int, int]:
    diff = np.any(pixels(a) != pixels(b), axis=-1)
    ys, xs = np.nonzero(diff)
    assert xs.size, "the text changed nothing"
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def _safe_box(frame: FrameSpec) -> tuple[float, float, float, float]:
    cw, ch = frame.canvas_size
    ox, oy = (cw - frame.width) / 2, (ch - frame.height) / 2
    mx, my = SAFE_MARGIN * frame.width, SAFE_MARGIN * frame.height
    return ox + mx - 1, oy + my - 1, ox + frame.width - mx + 1, oy + frame.height - my + 1


@pytest.mark.parametrize("framing", ["wide", "close_up", "insert"])
def test_text_stays_inside_the_safe_area_of_the_final_frame(tmp_path: Path, framing: str) -> None:
    plate = tmp_path / "plate.png"
    Image.new("RGB", (64, 36), (90, 120, 90)).save(plate)
    long = "a very long line of description " * 6
    bare = spec(background=plate, framing=framing, figures=(), beat=None, slate=None, location="")
    texts = dataclasses.replace(bare, beat=long, slate=long, location=long, placeholder=None)
    left, top, right, bottom = _safe_box(bare)
    x0, y0, x1, y1 = _changed_box(render_frame(bare), render_frame(texts))
    assert left <= x0 and x1 <= right and top <= y0 and y1 <= bottom
    # the placeholder's banner too (both frames are striped; only the banner differs)
    flagged = dataclasses.replace(bare, placeholder="")
    banner = render_frame(dataclasses.replace(flagged, placeholder=long))
    x0, y0, x1, y1 = _changed_box(render_frame(flagged), banner)
    assert left <= x0 and x1 <= right and top <= y0 and y1 <= bottom


def test_names_stay_inside_the_safe_area(tmp_path: Path) -> None:
    plate = tmp_path / "plate.png"
    Image.new("RGB", (64, 36), (90, 120, 90)).save(plate)
    for framing in ["wide", "medium", "two_shot", "close_up"]:
        named = spec(background=plate, framing=framing, beat="Short beat", slate=None, location="")
        nameless = dataclasses.replace(
            named, figures=tuple(Figure("", f.color) for f in named.figures)
        )
        left, top, right, bottom = _safe_box(named)
        x0, y0, x1, y1 = _changed_box(render_frame(nameless), render_frame(named))
        assert left <= x0 and x1 <= right and top <= y0 and y1 <= bottom, framing


def test_background_is_cover_fitted_and_centred(tmp_path: Path) -> None:
    plate = tmp_path / "wide.png"
    stripes = Image.new("RGB", (600, 100), (255, 0, 0))
    stripes.paste((0, 255, 0), (200, 0, 400, 100))
    stripes.paste((0, 0, 255), (400, 0, 600, 100))
    stripes.save(plate)
    image = render_frame(spec(background=plate, figures=(), beat=None, slate=None, location=""))
    # 600x100 scaled to cover 384x216 is 1296 wide: the crop keeps the green middle third
    assert pixels(image)[2, 2].tolist() == [0, 255, 0]
    assert pixels(image)[-3, -3].tolist() == [0, 255, 0]


def test_bad_background_is_a_media_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    with pytest.raises(MediaError, match=r"broken\.png"):
        render_frame(spec(background=broken))


def test_invalid_specs_are_refused() -> None:
    with pytest.raises(ValueError, match="16x16"):
        spec(width=8)
    with pytest.raises(ValueError, match="overscan"):
        spec(overscan=0.9)
    with pytest.raises(ValueError, match="color"):
        Figure("Bad", (0, 0, 300))


def test_places_get_a_motif_from_their_name() -> None:
    from sparkle_motion.render._scenery import motif_for

    assert motif_for("Lamp room") == "light"
    assert motif_for("The old harbour") == "water"
    assert motif_for("Market street") == "city"
    assert motif_for("Grandma's kitchen") == "table"
    assert motif_for("Somewhere") is None


def test_a_motif_changes_the_set_and_stays_deterministic() -> None:
    def centre(location: str) -> bytes:
        """The middle of the set, well away from the location label."""
        spec = FrameSpec(
            width=320,
            height=180,
            location=location,
            time_of_day="night",
            interior=True,
            framing="wide",
            figures=(),
            slate=None,
        )
        return render_frame(spec).crop((152, 60, 232, 120)).tobytes()

    assert centre("Lamp room") == centre("Lamp room")
    assert centre("Lamp room") != centre("Room 12")  # the lens stands in the middle
